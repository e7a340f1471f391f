//! PLS path modeling (the method behind the ACSI): a general estimator for any acyclic path model
//! with reflective or formative blocks and the centroid, factorial or path scheme; reliability
//! measures; bootstrap intervals; and the ACSI-style 0-100 index of a latent variable.

mod bootstrap;
mod estimate;
mod model;
pub mod presets;

use std::collections::BTreeMap;

use nalgebra::DMatrix;

pub use bootstrap::{bootstrap, BootstrapConfig, BootstrapResult, Interval};
pub use estimate::{estimate, PlsConfig, PlsFit, Quality, CONVERGENCE_CRITERION};
pub use model::{LatentSpec, Mode, ModelSpec, PathModel, PathSpec, Scheme, UnknownScheme};

/// Why a model could not be estimated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PlsError {
    /// The model itself is inconsistent; every problem is listed.
    #[error("invalid path model:\n  {}", .0.join("\n  "))]
    InvalidModel(Vec<String>),
    /// The data has a different number of columns than the model has indicators.
    #[error("the data has {found} columns but the model has {expected} indicators")]
    Shape {
        /// Indicators in the model.
        expected: usize,
        /// Columns given.
        found: usize,
    },
    /// A column the model names is absent from the data.
    #[error("the data has no column {0:?}, which the model names")]
    MissingColumn(String),
    /// Fewer complete rows than the estimator needs.
    #[error("only {rows} complete row(s); PLS path modeling needs at least 3")]
    TooFewRows {
        /// Complete rows.
        rows: usize,
    },
    /// An indicator has the same value in every row, so it cannot be standardised.
    #[error("indicator {0:?} has the same value in every row; it carries no information")]
    ConstantIndicator(String),
    /// An indicator's values are so spread out that its standard deviation exceeds the largest
    /// double, so the unstandardised weights (weight / standard deviation) would be 0.
    #[error(
        "indicator {0:?} has values so large that its standard deviation is beyond the range of a double; \
         divide the column by a constant"
    )]
    TooLarge(String),
    /// A value is infinite or NaN.
    #[error("indicator {indicator:?} has a value that is not a finite number (complete row {row})")]
    NotFinite {
        /// The indicator.
        indicator: String,
        /// The row, from 0, among complete rows.
        row: usize,
    },
    /// A regression the algorithm needs has perfectly collinear predictors.
    #[error("perfect collinearity in {0}: the coefficients are not identified")]
    Collinear(String),
    /// An estimation or bootstrap setting is out of range (e.g. a tolerance that is not a positive number).
    #[error("invalid setting: {0}")]
    InvalidSetting(String),
    /// A value of an index indicator lies outside the declared answer scale.
    #[error(
        "indicator {indicator:?} has the value {value} in data row {} (counting from 1 after the header), \
         outside the answer scale {min} to {max}",
        .row + 1
    )]
    OutsideScale {
        /// The indicator.
        indicator: String,
        /// The row, from 0, among the rows given to [`prepare_data`] (complete or not).
        row: usize,
        /// The value.
        value: f64,
        /// The scale's minimum.
        min: f64,
        /// The scale's maximum.
        max: f64,
    },
    /// The ACSI index was asked of a latent the model does not have.
    #[error("the model has no latent {0:?}")]
    UnknownLatent(String),
}

/// Model data after listwise deletion.
#[derive(Debug, Clone, PartialEq)]
pub struct PlsData {
    /// Complete rows x the model's indicators, in model order.
    pub matrix: DMatrix<f64>,
    /// Rows dropped because some indicator was missing.
    pub dropped_rows: usize,
    /// For each row of `matrix`, its position (from 0) in the columns given, so errors can name it.
    pub source_rows: Vec<usize>,
}

/// Builds the data matrix from named columns (`None` = missing), keeping only the rows where every
/// indicator of the model is present (listwise deletion). Columns the model does not name are ignored.
pub fn prepare_data(model: &PathModel, columns: &BTreeMap<String, Vec<Option<f64>>>) -> Result<PlsData, PlsError> {
    let mut chosen = Vec::with_capacity(model.indicator_count());
    for name in model.indicators() {
        chosen.push(columns.get(name).ok_or_else(|| PlsError::MissingColumn(name.to_owned()))?);
    }
    let rows = chosen.first().map_or(0, |c| c.len());
    let complete: Vec<usize> =
        (0..rows).filter(|&i| chosen.iter().all(|c| c.get(i).copied().flatten().is_some())).collect();
    let matrix =
        DMatrix::from_fn(complete.len(), chosen.len(), |i, j| chosen[j][complete[i]].expect("complete rows only"));
    Ok(PlsData { matrix, dropped_rows: rows - complete.len(), source_rows: complete })
}

/// Checks an answer scale: finite bounds, minimum below maximum.
pub fn check_scale_bounds((min, max): (f64, f64)) -> Result<(), PlsError> {
    if !(min.is_finite() && max.is_finite()) {
        return Err(PlsError::InvalidSetting(format!(
            "the answer scale's bounds must be finite numbers, not {min}:{max}"
        )));
    }
    if min >= max {
        return Err(PlsError::InvalidSetting(format!(
            "the answer scale's minimum {min} must be below its maximum {max}"
        )));
    }
    Ok(())
}

/// Checks that every value of latent `k`'s indicators lies within the answer scale, as the ACSI
/// index assumes: it maps the scale onto 0-100, so a value outside it gives an index outside 0-100
/// (data on 1-10 read as 1-5 scored 127). The first offending value is named by column and row.
pub fn check_scale(model: &PathModel, data: &PlsData, k: usize, scale: (f64, f64)) -> Result<(), PlsError> {
    check_scale_bounds(scale)?;
    let (min, max) = scale;
    let names: Vec<&str> = model.indicators().collect();
    for (i, row) in data.matrix.row_iter().enumerate() {
        for j in model.block(k) {
            let value = row[j];
            if !(min..=max).contains(&value) {
                return Err(PlsError::OutsideScale {
                    indicator: names[j].to_owned(),
                    row: data.source_rows[i],
                    value,
                    min,
                    max,
                });
            }
        }
    }
    Ok(())
}

/// The ACSI-style 0-100 score of latent `k`: its unstandardised outer weights (standardised weight /
/// standard deviation), normalised to sum to 1, applied to the indicators' means rescaled so the
/// answer scale's minimum is 0 and its maximum 100. Only meaningful for data within the scale:
/// check it with [`check_scale`] first.
pub fn acsi_index(model: &PathModel, fit: &PlsFit, k: usize, scale: (f64, f64)) -> f64 {
    let (min, max) = scale;
    let range = model.block(k);
    let raw: Vec<f64> = range.clone().map(|j| fit.outer_weights[j] / fit.std_devs[j]).collect();
    let total: f64 = raw.iter().sum();
    range.zip(raw).map(|(j, w)| w / total * (fit.means[j] - min) / (max - min)).sum::<f64>() * 100.0
}

/// A path model with its estimation settings, as an [`fedcx_model::traits::IndexModel`] over a data matrix.
#[derive(Debug, Clone)]
pub struct PlsModel {
    /// The model.
    pub model: PathModel,
    /// The settings.
    pub config: PlsConfig,
}

impl fedcx_model::traits::IndexModel for PlsModel {
    type Input = DMatrix<f64>;
    type Output = PlsFit;
    type Error = PlsError;

    fn name(&self) -> &str {
        "pls-pm"
    }

    fn estimate(&self, data: &DMatrix<f64>) -> Result<PlsFit, PlsError> {
        estimate(&self.model, data, &self.config)
    }
}
