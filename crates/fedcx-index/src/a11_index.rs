//! The ACSI-style index behind the A-11 report's headline number: the [`presets::a11`] PLS path
//! model estimated on one fiscal year's version-1 responses, with an optional bootstrap interval.
//!
//! ```no_run
//! # fn run(responses: &[fedcx_model::SurveyResponse]) -> Result<(), fedcx_index::a11_index::IndexError> {
//! use fedcx_index::a11_index::{a11_index, IndexConfig};
//! use fedcx_model::{FiscalQuarter, Quarter};
//!
//! let quarter = FiscalQuarter::new(2025, Quarter::Q4).expect("a valid quarter");
//! let config = IndexConfig { bootstrap: 200, ..IndexConfig::default() };
//! if let Some(index) = a11_index(responses, quarter, &config)? {
//!     println!("FY{} index {:.1} on {} respondents", index.year, index.value, index.respondents);
//! }
//! # Ok(())
//! # }
//! ```

use std::collections::BTreeMap;

use fedcx_model::{Answers, FiscalQuarter, SurveyResponse, SurveyVersion, V1Answer};

use crate::pls::{self, presets, BootstrapConfig, PathModel, PlsConfig, PlsError};

/// Settings of [`a11_index`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexConfig {
    /// Bootstrap resamples for the index's 95% interval; 0 for no interval.
    pub bootstrap: usize,
    /// The bootstrap's seed (the report uses 1).
    pub seed: u64,
    /// With fewer complete respondents than this, [`a11_index`] returns `Ok(None)`. At 0 (the
    /// default, as in the report) there is no such floor, and the estimator's own minimum applies:
    /// fewer than 3 complete respondents is an error ([`PlsError::TooFewRows`]).
    pub min_respondents: usize,
}

impl Default for IndexConfig {
    /// No bootstrap, seed 1, no minimum of respondents.
    fn default() -> IndexConfig {
        IndexConfig { bootstrap: 0, seed: 1, min_respondents: 0 }
    }
}

/// The index of one fiscal year.
#[derive(Debug, Clone, PartialEq)]
pub struct A11Index {
    /// The fiscal year whose version-1 responses the model was estimated on.
    pub year: u16,
    /// The ACSI-style index of the satisfaction latent, 0-100.
    pub value: f64,
    /// The bootstrap 95% percentile interval, when [`IndexConfig::bootstrap`] is above 0 and enough
    /// resamples could be estimated.
    pub interval: Option<(f64, f64)>,
    /// Respondents the model was estimated on (complete on q1-q6).
    pub respondents: usize,
    /// Version-1 respondents of the year left out because some of q1-q6 was unanswered or "not
    /// applicable" (listwise deletion).
    pub dropped: usize,
}

impl A11Index {
    /// What was estimated on what data, e.g. "A-11 PLS model, FY2023 version-1 responses".
    pub fn label(&self) -> String {
        format!("A-11 PLS model, FY{} version-1 responses", self.year)
    }
}

/// Why the index could not be estimated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum IndexError {
    /// The PLS estimation or its bootstrap failed.
    #[error(transparent)]
    Pls(#[from] PlsError),
}

/// The ACSI-style index of the A-11 driver model ([`presets::a11`]) for the report of `quarter`.
///
/// The year is the latest fiscal year, at or before `quarter`'s, that has any version-1 response
/// (version 2 has no q3-q6, so a version-2 quarter reports the index of the last version-1 year).
/// The model is estimated on every version-1 response of that year, whatever its service or
/// quarter; answers of "not applicable" count as missing and the respondent is left out. Responses
/// whose date has no fiscal quarter are ignored.
///
/// Returns `Ok(None)` when no version-1 response lies at or before `quarter`, or when fewer than
/// [`IndexConfig::min_respondents`] respondents are complete. Pure computation: deterministic for a
/// given input and seed.
pub fn a11_index(
    responses: &[SurveyResponse],
    quarter: FiscalQuarter,
    config: &IndexConfig,
) -> Result<Option<A11Index>, IndexError> {
    let Some(year) = responses
        .iter()
        .filter(|r| r.answers.version() == SurveyVersion::V1)
        .filter_map(|r| r.fiscal_quarter().ok())
        .filter(|q| *q <= quarter)
        .map(|q| q.year())
        .max()
    else {
        return Ok(None);
    };
    let preset = presets::a11();
    let model = PathModel::new(preset.spec)?;
    let mut columns: BTreeMap<String, Vec<Option<f64>>> = BTreeMap::new();
    for r in responses {
        let Answers::V1(a) = &r.answers else { continue };
        if r.fiscal_quarter().map(|q| q.year()).ok() != Some(year) {
            continue;
        }
        for q in 1..=6usize {
            let v = match a.get(q - 1) {
                Some(V1Answer::Score(l)) => Some(f64::from(l.value())),
                _ => None,
            };
            columns.entry(format!("q{q}")).or_default().push(v);
        }
    }
    let data = pls::prepare_data(&model, &columns)?;
    if data.matrix.nrows() < config.min_respondents {
        return Ok(None);
    }
    let pls_config = PlsConfig::default();
    let fit = pls::estimate(&model, &data.matrix, &pls_config)?;
    let k = model
        .latent_index(preset.index_latent)
        .ok_or_else(|| PlsError::UnknownLatent(preset.index_latent.to_owned()))?;
    let value = pls::acsi_index(&model, &fit, k, preset.scale);
    let interval = if config.bootstrap > 0 {
        let b = pls::bootstrap(
            &model,
            &data.matrix,
            &pls_config,
            &BootstrapConfig {
                resamples: config.bootstrap,
                seed: config.seed,
                index_of: Some((k, preset.scale)),
                ..BootstrapConfig::default()
            },
        )?;
        b.index.map(|i| (i.lo, i.hi))
    } else {
        None
    };
    Ok(Some(A11Index { year, value, interval, respondents: data.matrix.nrows(), dropped: data.dropped_rows }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use fedcx_model::{Channel, Likert, Quarter, ResponseId, ServiceId, TransactionPoint, V1Answers};

    /// A version-1 response submitted on `date` (YYYY-MM-DD) with q1-q6 as given (0 = unanswered)
    /// and q7 "not applicable".
    fn v1(id: usize, date: &str, q: [u8; 6]) -> SurveyResponse {
        let mut answers = [None; 11];
        for (slot, v) in answers.iter_mut().zip(q) {
            *slot = (v > 0).then(|| V1Answer::Score(Likert::new(v).unwrap()));
        }
        answers[6] = Some(V1Answer::NotApplicable);
        SurveyResponse {
            id: ResponseId::new(&format!("t{id}")).unwrap(),
            service: ServiceId::new("irs-file").unwrap(),
            channel: Channel::Website,
            transaction_point: TransactionPoint::PostInteraction,
            submitted_at: chrono::DateTime::parse_from_rfc3339(&format!("{date}T12:00:00-05:00")).unwrap(),
            answers: Answers::V1(V1Answers::new(answers).unwrap()),
            comment: None,
            detail: None,
            id_generated: false,
        }
    }

    /// 20 FY2023 respondents whose q1 runs 1, 2, 3, 4, 5 four times (mean 3), with q2-q6 varying
    /// with it; one of them also skipped q3.
    fn fy2023() -> Vec<SurveyResponse> {
        (0..20)
            .map(|i| {
                let s = (i % 5) as u8 + 1;
                let t = ((i / 5) % 2) as u8;
                let q3 = if i == 7 { 0 } else { s.saturating_sub(t).max(1) };
                v1(i, "2023-02-01", [s, (s + t).min(5), q3, s, (s + t).min(5), s.max(2 - t)])
            })
            .collect()
    }

    fn quarter(year: u16, q: Quarter) -> FiscalQuarter {
        FiscalQuarter::new(year, q).unwrap()
    }

    #[test]
    fn no_version_1_response_at_or_before_the_quarter_gives_none() {
        let config = IndexConfig::default();
        assert_eq!(a11_index(&[], quarter(2025, Quarter::Q4), &config).unwrap(), None);
        // FY2023 responses, FY2022 quarter.
        assert_eq!(a11_index(&fy2023(), quarter(2022, Quarter::Q4), &config).unwrap(), None);
    }

    #[test]
    fn too_few_respondents_give_none_or_the_estimators_error() {
        let rs = fy2023();
        let floor = IndexConfig { min_respondents: 20, ..IndexConfig::default() };
        // 19 complete respondents (one skipped q3): below the floor of 20.
        assert_eq!(a11_index(&rs, quarter(2023, Quarter::Q2), &floor).unwrap(), None);
        let lower = IndexConfig { min_respondents: 19, ..IndexConfig::default() };
        assert!(a11_index(&rs, quarter(2023, Quarter::Q2), &lower).unwrap().is_some());
        // Without a floor, 2 complete respondents are the estimator's error, as in the report.
        let err = a11_index(&rs[..2], quarter(2023, Quarter::Q2), &IndexConfig::default()).unwrap_err();
        assert_eq!(err, IndexError::Pls(PlsError::TooFewRows { rows: 2 }));
    }

    /// Satisfaction has the one indicator q1, so its index is the rescaled mean of q1 over the
    /// complete respondents: the 19 left after dropping i = 7 (q1 = 3) have mean 3, i.e.
    /// 100 x (3 - 1) / (5 - 1) = 50. Responses of other years are not used: FY2022's (an earlier
    /// year) and FY2024's (after the quarter).
    #[test]
    fn the_index_is_estimated_on_the_latest_version_1_year() {
        let mut rs = fy2023();
        rs.push(v1(100, "2022-02-01", [1, 1, 1, 1, 1, 1]));
        rs.push(v1(101, "2024-02-01", [5, 5, 5, 5, 5, 5]));
        let index = a11_index(&rs, quarter(2023, Quarter::Q4), &IndexConfig::default()).unwrap().unwrap();
        assert_eq!(index.year, 2023);
        assert_eq!(index.respondents, 19);
        assert_eq!(index.dropped, 1);
        assert!((index.value - 50.0).abs() < 1e-9, "{}", index.value);
        assert_eq!(index.interval, None);
        assert_eq!(index.label(), "A-11 PLS model, FY2023 version-1 responses");
    }

    #[test]
    fn the_bootstrap_interval_is_reproducible_and_contains_the_index() {
        let rs = fy2023();
        let config = IndexConfig { bootstrap: 200, ..IndexConfig::default() };
        let a = a11_index(&rs, quarter(2023, Quarter::Q4), &config).unwrap().unwrap();
        let b = a11_index(&rs, quarter(2023, Quarter::Q4), &config).unwrap().unwrap();
        assert_eq!(a, b);
        let (lo, hi) = a.interval.expect("an interval");
        assert!(lo <= a.value && a.value <= hi, "{lo} {} {hi}", a.value);
    }
}
