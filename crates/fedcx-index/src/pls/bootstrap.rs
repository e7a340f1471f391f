//! Bootstrap standard errors and percentile intervals: rows resampled with replacement, the model
//! re-estimated on each resample, in parallel. Each resample has its own random stream derived from
//! the seed and its number, so results do not depend on how threads share the work.

use std::collections::BTreeMap;

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
    /// Intervals are given only if at least this share of the resamples (0 to 1) could be estimated...
    pub min_success_share: f64,
    /// ...and at least this many. Resamples that fail are not a random subset (they are the ones
    /// where an indicator happened to be constant, or the fit did not converge), so intervals from
    /// the rest are biased, and a 95% percentile interval from a few dozen values is mostly noise.
    pub min_successes: usize,
}

impl Default for BootstrapConfig {
    /// 1000 resamples, seed 1, no index; intervals need 90% of the resamples and at least 50.
    fn default() -> BootstrapConfig {
        BootstrapConfig { resamples: 1000, seed: 1, index_of: None, min_success_share: 0.9, min_successes: 50 }
    }
}

impl BootstrapConfig {
    /// The successful resamples intervals need: the larger of the share and the count (and at least
    /// 2, so a standard deviation exists).
    pub fn required_successes(&self) -> usize {
        let share = (self.min_success_share * self.resamples as f64).ceil() as usize;
        share.max(self.min_successes).max(2)
    }

    /// Checks the settings: at least one resample, a share between 0 and 1, a valid scale.
    pub fn validate(&self) -> Result<(), PlsError> {
        if self.resamples == 0 {
            return Err(PlsError::InvalidSetting("a bootstrap needs at least 1 resample".to_owned()));
        }
        if !(0.0..=1.0).contains(&self.min_success_share) {
            return Err(PlsError::InvalidSetting(format!(
                "the bootstrap's minimum share of successful resamples must be between 0 and 1, not {}",
                self.min_success_share
            )));
        }
        if let Some((_, scale)) = self.index_of {
            super::check_scale_bounds(scale)?;
        }
        Ok(())
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
    /// Resamples asked for.
    pub requested: usize,
    /// Resamples that could be estimated and converged.
    pub succeeded: usize,
    /// Resamples that could not (e.g. an indicator constant in the resample) or did not converge;
    /// left out of the intervals.
    pub failed: usize,
    /// Why resamples failed: each distinct reason with its count, most frequent first.
    pub failures: Vec<(String, usize)>,
    /// The successful resamples intervals need ([`BootstrapConfig::required_successes`]).
    pub required: usize,
    /// Why no intervals are given (too few successful resamples); `None` when they are.
    pub unavailable: Option<String>,
    /// Per indicator; empty when `unavailable`.
    pub outer_weights: Vec<Interval>,
    /// Per indicator; empty when `unavailable`.
    pub loadings: Vec<Interval>,
    /// Per path, in model order; empty when `unavailable`.
    pub path_coefficients: Vec<Interval>,
    /// The ACSI index, when asked for and not `unavailable`.
    pub index: Option<Interval>,
}

/// Bootstraps the model on `data` (raw, complete rows in model column order). Failed resamples are
/// counted with their reasons; with fewer successes than required the result has no intervals and
/// says why (it is not an error: the point estimate stands, only its uncertainty is unknown).
pub fn bootstrap(
    model: &PathModel,
    data: &DMatrix<f64>,
    config: &PlsConfig,
    boot: &BootstrapConfig,
) -> Result<BootstrapResult, PlsError> {
    config.validate()?;
    boot.validate()?;
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
    // A resample that stopped at the iteration limit has no trustworthy estimate either.
    let not_converged = format!("did not converge within {} iterations", config.max_iterations);
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    let mut ok: Vec<&PlsFit> = Vec::with_capacity(fits.len());
    for f in &fits {
        match f {
            Ok(fit) if fit.converged => ok.push(fit),
            Ok(_) => *reasons.entry(not_converged.clone()).or_default() += 1,
            Err(e) => *reasons.entry(e.to_string()).or_default() += 1,
        }
    }
    let failed = fits.len() - ok.len();
    let mut failures: Vec<(String, usize)> = reasons.into_iter().collect();
    failures.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let required = boot.required_successes();
    if ok.len() < required {
        return Ok(BootstrapResult {
            requested: boot.resamples,
            succeeded: ok.len(),
            failed,
            failures,
            required,
            unavailable: Some(format!(
                "only {} of {} resamples could be estimated; intervals need at least {required}",
                ok.len(),
                boot.resamples
            )),
            outer_weights: Vec::new(),
            loadings: Vec::new(),
            path_coefficients: Vec::new(),
            index: None,
        });
    }
    let collect = |get: &dyn Fn(&PlsFit) -> &[f64], len: usize| -> Vec<Interval> {
        (0..len).map(|i| interval(ok.iter().map(|f| get(f)[i]).collect())).collect()
    };
    let p = model.indicator_count();
    let index = boot.index_of.map(|(k, scale)| interval(ok.iter().map(|f| acsi_index(model, f, k, scale)).collect()));
    Ok(BootstrapResult {
        requested: boot.resamples,
        succeeded: ok.len(),
        failed,
        failures,
        required,
        unavailable: None,
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
