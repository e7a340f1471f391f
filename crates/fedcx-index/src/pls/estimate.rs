//! The PLS path modeling estimator (Wold's algorithm in Lohmöller's form, as in plspm and SmartPLS).
//!
//! Each indicator is standardised with the sample standard deviation; outer weights start at 1;
//! latent scores are kept at unit variance; the iteration stops when the largest absolute change of
//! any standardised outer weight (compared in absolute value) falls below the tolerance. Afterwards
//! each block's sign is chosen so that most of its indicators correlate positively with its score.

use nalgebra::{DMatrix, DVector};

use super::model::{Mode, PathModel, Scheme};
use super::PlsError;

/// Settings of one estimation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlsConfig {
    /// The inner weighting scheme.
    pub scheme: Scheme,
    /// Convergence tolerance: the iteration stops once no standardised outer weight changed by
    /// [`CONVERGENCE_CRITERION`] this much or more. Must be finite and positive.
    pub tolerance: f64,
    /// The most iterations tried; at least 1.
    pub max_iterations: usize,
}

/// What [`PlsConfig::tolerance`] bounds, in words (for reports).
pub const CONVERGENCE_CRITERION: &str =
    "largest absolute change of a standardised outer weight (in absolute value) between iterations";

impl Default for PlsConfig {
    /// The path scheme, tolerance 1e-10 and at most 300 iterations. A largest change of 1e-10
    /// leaves the weights within about 1e-8 of the fixed point even where the iteration contracts
    /// slowly (a Mode B block), so results agree with other implementations to 1e-6; the old rule
    /// (sum of squared changes below 1e-6) allowed a weight to move by 1e-3 per iteration and
    /// stopped 1e-4 away. The ECSI models take 8 to 19 iterations at this tolerance, so 300 leaves
    /// ample room for slow models while bounding a bootstrap resample that never converges.
    fn default() -> PlsConfig {
        PlsConfig { scheme: Scheme::Path, tolerance: 1e-10, max_iterations: 300 }
    }
}

impl PlsConfig {
    /// Checks the settings: a finite, positive tolerance and at least one iteration.
    pub fn validate(&self) -> Result<(), PlsError> {
        if !(self.tolerance.is_finite() && self.tolerance > 0.0) {
            return Err(PlsError::InvalidSetting(format!(
                "the convergence tolerance must be a finite number above 0, not {}",
                self.tolerance
            )));
        }
        if self.max_iterations == 0 {
            return Err(PlsError::InvalidSetting("the iteration limit must be at least 1".to_owned()));
        }
        Ok(())
    }
}

/// Reliability and fit measures, as plspm and cSEM report them.
#[derive(Debug, Clone, PartialEq)]
pub struct Quality {
    /// Per latent: Cronbach's alpha (Mode A blocks with two or more indicators).
    pub cronbach_alpha: Vec<Option<f64>>,
    /// Per latent: Dillon-Goldstein's rho (composite reliability, from the block's first principal component).
    pub dillon_goldstein_rho: Vec<Option<f64>>,
    /// Per latent: average variance extracted (Mode A blocks).
    pub ave: Vec<Option<f64>>,
    /// Per indicator: squared loading.
    pub communality: Vec<f64>,
    /// Per indicator: communality times its latent's R-squared (0 for exogenous latents).
    pub redundancy: Vec<f64>,
    /// The goodness-of-fit index, when some block has two or more indicators and some latent is endogenous.
    pub gof: Option<f64>,
}

/// The result of one estimation.
#[derive(Debug, Clone, PartialEq)]
pub struct PlsFit {
    /// Whether the outer weights converged within the iteration limit.
    pub converged: bool,
    /// Iterations run.
    pub iterations: usize,
    /// The convergence criterion's value in the last iteration: the largest absolute change of a
    /// standardised outer weight (see [`CONVERGENCE_CRITERION`]).
    pub last_change: f64,
    /// Standardised outer weights, per indicator in model order.
    pub outer_weights: Vec<f64>,
    /// Loadings (correlation of each indicator with its latent score), per indicator.
    pub loadings: Vec<f64>,
    /// Path coefficients, in the order of the model's paths.
    pub path_coefficients: Vec<f64>,
    /// R-squared per latent; `None` for exogenous latents.
    pub r_squared: Vec<Option<f64>>,
    /// Latent scores (rows x latents), standardised.
    pub scores: DMatrix<f64>,
    /// Per indicator: the mean of the raw data.
    pub means: Vec<f64>,
    /// Per indicator: the sample standard deviation of the raw data.
    pub std_devs: Vec<f64>,
    /// Quality measures.
    pub quality: Quality,
}

/// A predictor whose share of variance not explained by the predictors before it (1 - R-squared,
/// the Cholesky pivot relative to its diagonal) is below this is treated as perfectly collinear.
const COLLINEARITY_TOLERANCE: f64 = 1e-10;

/// Estimates a path model on raw data whose columns are the model's indicators in model order.
pub fn estimate(model: &PathModel, data: &DMatrix<f64>, config: &PlsConfig) -> Result<PlsFit, PlsError> {
    config.validate()?;
    let n = data.nrows();
    let p = model.indicator_count();
    let k_count = model.latents().len();
    if data.ncols() != p {
        return Err(PlsError::Shape { expected: p, found: data.ncols() });
    }
    if n < 3 {
        return Err(PlsError::TooFewRows { rows: n });
    }
    let names: Vec<&str> = model.indicators().collect();
    let Standardised { x, means, std_devs } = standardise(data, &names)?;
    let dof = (n - 1) as f64;

    // Outer weights start at 1 in every block, scaled so each latent has unit variance.
    let mut w = DVector::from_element(p, 1.0);
    let mut y = DMatrix::zeros(n, k_count);
    for k in 0..k_count {
        update_block_score(model, &x, &mut w, &mut y, k, dof, &names)?;
    }
    let adjacency = adjacency(model);
    let mut converged = false;
    let mut iterations = 0;
    let mut last_change = f64::INFINITY;
    while iterations < config.max_iterations {
        iterations += 1;
        let cor = y.tr_mul(&y) / dof;
        let e = inner_weights(model, &cor, &adjacency, config.scheme)?;
        let z = &y * &e;
        let w_old = w.clone();
        for k in 0..k_count {
            let range = model.block(k);
            let xk = x.columns(range.start, range.len());
            let zk = z.column(k);
            let new = match model.latents()[k].mode {
                Mode::A => xk.tr_mul(&zk) / dof,
                Mode::B => regress(&xk.into_owned(), &zk.into_owned()).ok_or_else(|| {
                    PlsError::Collinear(format!("the indicators of formative block {:?}", model.latents()[k].name))
                })?,
            };
            w.rows_mut(range.start, range.len()).copy_from(&new);
            update_block_score(model, &x, &mut w, &mut y, k, dof, &names)?;
        }
        // The largest change, not a sum of squares: a sum below 1e-6 still lets a single weight move
        // by 1e-3, so the old rule stopped visibly short of the fixed point. Absolute values, because
        // a block's sign may flip between iterations without its weights changing otherwise.
        last_change = w_old.iter().zip(w.iter()).map(|(a, b)| (a.abs() - b.abs()).abs()).fold(0.0, max_nan);
        if last_change < config.tolerance {
            converged = true;
            break;
        }
    }
    align_signs(model, &x, &mut w, &mut y, dof);

    // Everything below comes from cross-products of the final standardised data and scores.
    let cor_y = y.tr_mul(&y) / dof;
    let cross = x.tr_mul(&y) / dof; // p x K: correlation of each indicator with each latent
    let mut loadings = vec![0.0; p];
    for k in 0..k_count {
        for j in model.block(k) {
            loadings[j] = cross[(j, k)];
        }
    }
    let mut path_coefficients = vec![0.0; model.paths().len()];
    let mut r_squared = vec![None; k_count];
    for (k, r2) in r_squared.iter_mut().enumerate() {
        let preds = model.predecessors(k);
        if preds.is_empty() {
            continue;
        }
        let (b, r) = ols_from_correlations(&cor_y, preds, k).ok_or_else(|| collinear_predictors(model, preds, k))?;
        *r2 = Some(r);
        for (&j, coef) in preds.iter().zip(b.iter()) {
            let idx = model.paths().iter().position(|&pp| pp == (j, k)).expect("predecessors come from paths");
            path_coefficients[idx] = *coef;
        }
    }
    let quality = quality(model, &x, &loadings, &r_squared, dof);
    Ok(PlsFit {
        converged,
        iterations,
        last_change,
        outer_weights: w.iter().copied().collect(),
        loadings,
        path_coefficients,
        r_squared,
        scores: y,
        means,
        std_devs,
        quality,
    })
}

/// The larger of two numbers, NaN if either is (so a NaN change never passes for convergence).
fn max_nan(a: f64, b: f64) -> f64 {
    if a.is_nan() || b > a || b.is_nan() {
        b
    } else {
        a
    }
}

/// Data standardised column by column, with the means and standard deviations used.
struct Standardised {
    x: DMatrix<f64>,
    means: Vec<f64>,
    std_devs: Vec<f64>,
}

/// Centres each column and divides it by its sample standard deviation.
///
/// Each column is first divided by its largest absolute value, so the sums behind the mean and the
/// variance stay within [-n, n] and [0, n]: computed directly, values near 1e154 or above overflow
/// the squares (the standard deviation becomes infinite and every standardised value 0), and values
/// near 1e-160 or below underflow them. The standardised column does not depend on that factor; the
/// mean and standard deviation are multiplied back by it for the raw-unit summaries.
fn standardise(data: &DMatrix<f64>, names: &[&str]) -> Result<Standardised, PlsError> {
    let n = data.nrows() as f64;
    let mut x = data.clone();
    let mut means = Vec::with_capacity(data.ncols());
    let mut sds = Vec::with_capacity(data.ncols());
    for (j, mut col) in x.column_iter_mut().enumerate() {
        if let Some(bad) = col.iter().position(|v| !v.is_finite()) {
            return Err(PlsError::NotFinite { indicator: names[j].to_owned(), row: bad });
        }
        let magnitude = col.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        if magnitude == 0.0 {
            return Err(PlsError::ConstantIndicator(names[j].to_owned()));
        }
        col /= magnitude;
        let mean = col.sum() / n;
        let var = col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
        let sd = var.sqrt();
        // Relative to the largest value (now 1): spread at the level of rounding error is no spread.
        if sd.is_nan() || sd <= 1e-12 {
            return Err(PlsError::ConstantIndicator(names[j].to_owned()));
        }
        for v in col.iter_mut() {
            *v = (*v - mean) / sd;
        }
        // |mean| <= 1, so the raw mean is finite; the raw standard deviation can exceed the largest
        // double (values of both signs near it), and the ACSI index divides by it.
        let raw_sd = sd * magnitude;
        if !raw_sd.is_finite() {
            return Err(PlsError::TooLarge(names[j].to_owned()));
        }
        // Cannot happen with the bounds above; checked so a rounding surprise is an error, not NaN weights.
        if let Some(bad) = col.iter().position(|v| !v.is_finite()) {
            return Err(PlsError::NotFinite { indicator: names[j].to_owned(), row: bad });
        }
        means.push(mean * magnitude);
        sds.push(raw_sd);
    }
    Ok(Standardised { x, means, std_devs: sds })
}

/// Recomputes block `k`'s score from its weights and rescales both to unit variance.
fn update_block_score(
    model: &PathModel,
    x: &DMatrix<f64>,
    w: &mut DVector<f64>,
    y: &mut DMatrix<f64>,
    k: usize,
    dof: f64,
    names: &[&str],
) -> Result<(), PlsError> {
    let range = model.block(k);
    let xk = x.columns(range.start, range.len());
    let mut score = xk * w.rows(range.start, range.len());
    let sd = (score.norm_squared() / dof).sqrt();
    if sd.is_nan() || sd <= 1e-12 {
        return Err(PlsError::Collinear(format!(
            "block {:?}: its weighted score is constant (indicators {})",
            model.latents()[k].name,
            names[range.clone()].join(", ")
        )));
    }
    score /= sd;
    w.rows_mut(range.start, range.len()).scale_mut(1.0 / sd);
    y.set_column(k, &score);
    Ok(())
}

/// Symmetric 0/1 matrix of latents joined by a path in either direction.
fn adjacency(model: &PathModel) -> DMatrix<f64> {
    let k = model.latents().len();
    let mut a = DMatrix::zeros(k, k);
    for &(f, t) in model.paths() {
        a[(f, t)] = 1.0;
        a[(t, f)] = 1.0;
    }
    a
}

/// The inner weights E, so that the inner estimates are Z = Y E.
fn inner_weights(
    model: &PathModel,
    cor: &DMatrix<f64>,
    adjacency: &DMatrix<f64>,
    scheme: Scheme,
) -> Result<DMatrix<f64>, PlsError> {
    let k_count = cor.nrows();
    let mut e = DMatrix::zeros(k_count, k_count);
    match scheme {
        Scheme::Centroid => {
            for (i, j) in (0..k_count).flat_map(|i| (0..k_count).map(move |j| (i, j))) {
                e[(i, j)] = adjacency[(i, j)] * cor[(i, j)].signum();
            }
        }
        Scheme::Factorial => e = adjacency.component_mul(cor),
        Scheme::Path => {
            for k in 0..k_count {
                let preds = model.predecessors(k);
                if !preds.is_empty() {
                    let (b, _) =
                        ols_from_correlations(cor, preds, k).ok_or_else(|| collinear_predictors(model, preds, k))?;
                    for (&j, coef) in preds.iter().zip(b.iter()) {
                        e[(j, k)] = *coef;
                    }
                }
                for &j in model.successors(k) {
                    e[(j, k)] = cor[(j, k)];
                }
            }
        }
    }
    // A latent with no neighbour (a one-block model) is its own inner estimate.
    for k in 0..k_count {
        if adjacency.row(k).iter().all(|&a| a == 0.0) {
            e[(k, k)] = 1.0;
        }
    }
    Ok(e)
}

fn collinear_predictors(model: &PathModel, preds: &[usize], k: usize) -> PlsError {
    let names: Vec<&str> = preds.iter().map(|&j| model.latents()[j].name.as_str()).collect();
    PlsError::Collinear(format!("the scores of {} (predictors of {:?})", names.join(", "), model.latents()[k].name))
}

/// Standardised OLS of latent `k` on `preds` from the latents' correlation matrix: coefficients and R-squared.
/// `None` when the predictors are (numerically) collinear.
fn ols_from_correlations(cor: &DMatrix<f64>, preds: &[usize], k: usize) -> Option<(DVector<f64>, f64)> {
    let m = preds.len();
    let rpp = DMatrix::from_fn(m, m, |a, b| cor[(preds[a], preds[b])]);
    let rpk = DVector::from_fn(m, |a, _| cor[(preds[a], k)]);
    let b = solve_full_rank(&rpp, &rpk)?;
    let r2 = b.dot(&rpk);
    Some((b, r2))
}

/// Least squares of `y` on the columns of `x` (no intercept: the data are centred).
fn regress(x: &DMatrix<f64>, y: &DVector<f64>) -> Option<DVector<f64>> {
    solve_full_rank(&x.tr_mul(x), &x.tr_mul(y))
}

/// Solves a small symmetric positive-definite system (a cross-product or correlation matrix) by
/// Cholesky, refusing a (numerically) rank-deficient matrix rather than returning huge or NaN
/// coefficients. Each pivot squared over its diagonal entry is 1 - R-squared of that variable on the
/// ones before it, so the test reads as "some predictor is explained by the others".
fn solve_full_rank(a: &DMatrix<f64>, b: &DVector<f64>) -> Option<DVector<f64>> {
    let chol = a.clone().cholesky()?;
    let l = chol.l_dirty();
    for i in 0..a.nrows() {
        let diag = a[(i, i)];
        if diag.is_nan() || diag <= 0.0 || l[(i, i)].powi(2) / diag < COLLINEARITY_TOLERANCE {
            return None;
        }
    }
    Some(chol.solve(b))
}

/// Flips a block whose indicators mostly correlate negatively with its score.
fn align_signs(model: &PathModel, x: &DMatrix<f64>, w: &mut DVector<f64>, y: &mut DMatrix<f64>, dof: f64) {
    for k in 0..model.latents().len() {
        let range = model.block(k);
        let score = y.column(k).clone_owned();
        let negative = range.clone().filter(|&j| x.column(j).dot(&score) / dof < 0.0).count();
        if 2 * negative > range.len() {
            w.rows_mut(range.start, range.len()).neg_mut();
            y.column_mut(k).neg_mut();
        }
    }
}

fn quality(model: &PathModel, x: &DMatrix<f64>, loadings: &[f64], r_squared: &[Option<f64>], dof: f64) -> Quality {
    let k_count = model.latents().len();
    let communality: Vec<f64> = loadings.iter().map(|l| l * l).collect();
    let mut redundancy = vec![0.0; loadings.len()];
    let mut alpha = vec![None; k_count];
    let mut rho = vec![None; k_count];
    let mut ave = vec![None; k_count];
    let (mut comm_sum, mut comm_count) = (0.0, 0usize);
    for k in 0..k_count {
        let range = model.block(k);
        let p = range.len();
        for j in range.clone() {
            redundancy[j] = communality[j] * r_squared[k].unwrap_or(0.0);
        }
        if p > 1 {
            comm_sum += range.clone().map(|j| communality[j]).sum::<f64>();
            comm_count += p;
        }
        if model.latents()[k].mode != Mode::A {
            continue;
        }
        ave[k] = Some(range.clone().map(|j| communality[j]).sum::<f64>() / p as f64);
        let xk = x.columns(range.start, p);
        let r = xk.tr_mul(&xk) / dof;
        if p > 1 {
            let off: f64 = (0..p).flat_map(|a| (0..a).map(move |b| (a, b))).map(|(a, b)| r[(a, b)]).sum();
            alpha[k] = Some(((2.0 * off) / (p as f64 + 2.0 * off) * p as f64 / (p as f64 - 1.0)).max(0.0));
        }
        // Loadings on the first principal component of the block's correlation matrix.
        let eig = r.symmetric_eigen();
        let first = eig.eigenvalues.imax();
        let lambda = eig.eigenvalues[first].max(0.0);
        let v = eig.eigenvectors.column(first);
        let c: Vec<f64> = v.iter().map(|vj| vj * lambda.sqrt()).collect();
        let sum: f64 = c.iter().sum();
        let sq: f64 = c.iter().map(|ci| ci * ci).sum();
        rho[k] = Some(sum * sum / (sum * sum + (p as f64 - sq)));
    }
    let endogenous: Vec<f64> = r_squared.iter().flatten().copied().filter(|r| *r != 0.0).collect();
    let gof = (comm_count > 0 && !endogenous.is_empty())
        .then(|| (comm_sum / comm_count as f64 * endogenous.iter().sum::<f64>() / endogenous.len() as f64).sqrt());
    Quality { cronbach_alpha: alpha, dillon_goldstein_rho: rho, ave, communality, redundancy, gof }
}
