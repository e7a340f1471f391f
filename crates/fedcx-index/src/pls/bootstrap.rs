//! Bootstrap standard errors and percentile intervals: rows resampled with replacement, the model
//! re-estimated on each resample, in parallel. Each resample has its own random stream derived from
//! the seed and its number, so results do not depend on how threads share the work.

use nalgebra::DMatrix;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::estimate::{estimate, PlsConfig, PlsFit};
use super::model::PathModel;
use super::{acsi_index, PlsError};

/// Settings of a bootstrap.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BootstrapConfig {
    /// Resamples.
    pub resamples: usize,
    /// The seed.
    pub seed: u64,
    /// For the ACSI index interval: the latent, and the answer scale (min, max).
    pub index_of: Option<(usize, (f64, f64))>,
}

impl Default for BootstrapConfig {
    fn default() -> BootstrapConfig {
        BootstrapConfig { resamples: 1000, seed: 1, index_of: None }
    }
}

/// A bootstrap standard error and percentile 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Interval {
    /// Standard deviation over resamples.
    pub se: f64,
    /// 2.5th percentile.
    pub lo: f64,
    /// 97.5th percentile.
    pub hi: f64,
}

/// What a bootstrap produced.
#[derive(Debug, Clone, PartialEq)]
pub struct BootstrapResult {
    /// Resamples that could be estimated.
    pub succeeded: usize,
    /// Resamples that could not (e.g. an indicator constant in the resample); left out of the intervals.
    pub failed: usize,
    /// Per indicator.
    pub outer_weights: Vec<Interval>,
    /// Per indicator.
    pub loadings: Vec<Interval>,
    /// Per path, in model order.
    pub path_coefficients: Vec<Interval>,
    /// The ACSI index, when asked for.
    pub index: Option<Interval>,
}

/// Bootstraps the model on `data` (raw, complete rows in model column order).
pub fn bootstrap(
    model: &PathModel,
    data: &DMatrix<f64>,
    config: &PlsConfig,
    boot: &BootstrapConfig,
) -> Result<BootstrapResult, PlsError> {
    let n = data.nrows();
    let fits: Vec<Result<PlsFit, PlsError>> = (0..boot.resamples)
        .into_par_iter()
        .map(|b| {
            let mut rng = ChaCha8Rng::seed_from_u64(boot.seed);
            rng.set_stream(b as u64);
            let rows: Vec<usize> = (0..n).map(|_| rng.gen_range(0..n)).collect();
            let sample = data.select_rows(rows.iter());
            estimate(model, &sample, config)
        })
        .collect();
    let ok: Vec<&PlsFit> = fits.iter().filter_map(|f| f.as_ref().ok()).collect();
    let failed = fits.len() - ok.len();
    if ok.is_empty() {
        return Err(fits.into_iter().find_map(Result::err).unwrap_or(PlsError::TooFewRows { rows: n }));
    }
    let collect = |get: &dyn Fn(&PlsFit) -> &[f64], len: usize| -> Vec<Interval> {
        (0..len).map(|i| interval(ok.iter().map(|f| get(f)[i]).collect())).collect()
    };
    let p = model.indicator_count();
    let index = boot.index_of.map(|(k, scale)| interval(ok.iter().map(|f| acsi_index(model, f, k, scale)).collect()));
    Ok(BootstrapResult {
        succeeded: ok.len(),
        failed,
        outer_weights: collect(&|f| &f.outer_weights, p),
        loadings: collect(&|f| &f.loadings, p),
        path_coefficients: collect(&|f| &f.path_coefficients, model.paths().len()),
        index,
    })
}

fn interval(mut v: Vec<f64>) -> Interval {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let se = if v.len() > 1 { (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt() } else { 0.0 };
    v.sort_by(f64::total_cmp);
    Interval { se, lo: quantile(&v, 0.025), hi: quantile(&v, 0.975) }
}

/// The `q` quantile of sorted values by linear interpolation (R's default, type 7).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_follow_r_type_7() {
        // R: quantile(1:10, c(0.025, 0.975)) gives 1.225 and 9.775.
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert!((quantile(&v, 0.025) - 1.225).abs() < 1e-12);
        assert!((quantile(&v, 0.975) - 9.775).abs() < 1e-12);
    }
}
