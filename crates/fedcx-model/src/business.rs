//! Business results: the operational numbers (wait times, processing times, backlogs, cost per
//! transaction, ...) that sit beside customer and employee satisfaction in a balanced scorecard.
//!
//! No public feed carries them in structured form, so fedcx defines its own long-form input, one
//! number per service, fiscal quarter and metric (docs/balanced-measures.md, read by
//! fedcx-ingest's `business` module). This module holds the vocabulary: the known [`Metric`]s,
//! the [`Unit`]s each allows, and a [`BusinessMeasure`] that cannot exist with a unit its metric
//! does not allow, a value that is not a finite number, or a negative value where none makes sense.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::fiscal::FiscalQuarter;
use crate::ids::ServiceId;

/// What a business-results number measures.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Metric {
    /// How long a customer waits before being served (phone hold, office queue), on average.
    WaitTime,
    /// How long a request takes from receipt to decision or completion, on average.
    ProcessingTime,
    /// Requests received and not yet completed at the end of the quarter.
    Backlog,
    /// Transactions completed in the quarter.
    Transactions,
    /// What one completed transaction costs the agency, on average.
    CostPerTransaction,
    /// Calls (or contacts) answered by a person as a share of those that sought one: the IRS's
    /// "level of service".
    LevelOfService,
    /// Contacts resolved without a further contact, as a share of all contacts.
    FirstContactResolution,
    /// Decisions or payments made correctly, as a share of those reviewed.
    Accuracy,
    /// A metric of the provider's own, written `other:<name>` in the input so that a misspelt known
    /// metric is an error rather than a new metric.
    Other(MetricName),
}

/// The name of a metric of a provider's own: lowercase ASCII letters, digits and `_`, starting with
/// a letter, at most 64 characters, and not a known metric's name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MetricName(String);

/// The unit a business-results number is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Seconds.
    Seconds,
    /// Minutes.
    Minutes,
    /// Hours.
    Hours,
    /// Calendar days.
    Days,
    /// Calendar months (as agencies publish long processing times).
    Months,
    /// A number of things (cases, calls, transactions).
    Count,
    /// US dollars.
    Dollars,
    /// Percent, 0 to 100.
    Percent,
}

/// Why a business measure, metric or unit is not valid.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BusinessError {
    /// Text that names no known metric and is not an `other:` metric.
    #[error("{0:?} is not a metric (expected one of: {list}, or other:<name> for a metric of your own)",
        list = Metric::KNOWN.iter().map(Metric::as_str).collect::<Vec<_>>().join(", "))]
    UnknownMetric(String),
    /// An `other:` metric whose name is not valid.
    #[error("{name:?} is not a valid name for a metric of your own: {why}")]
    BadMetricName {
        /// The name given after `other:`.
        name: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// Text that names no unit.
    #[error("{0:?} is not a unit (expected one of: {list})", list = Unit::ALL.map(Unit::as_str).join(", "))]
    UnknownUnit(String),
    /// A unit the metric cannot be measured in.
    #[error("{metric} cannot be in {unit} (expected {})", metric.allowed_units().iter().map(|u| u.as_str()).collect::<Vec<_>>().join(" or "))]
    UnitNotAllowed {
        /// The metric.
        metric: Metric,
        /// The unit given.
        unit: Unit,
    },
    /// A value that is not a finite number.
    #[error("the value {0} is not a finite number")]
    NotFinite(f64),
    /// A negative value for a metric or unit where negative means nothing.
    #[error("{metric} in {unit} cannot be negative (found {value})")]
    Negative {
        /// The metric.
        metric: Metric,
        /// The unit.
        unit: Unit,
        /// The value given.
        value: f64,
    },
    /// A share above 100 percent for a metric that is a share of a whole.
    #[error("{metric} is a share of a whole and cannot be above 100 percent (found {value})")]
    AboveHundredPercent {
        /// The metric.
        metric: Metric,
        /// The value given.
        value: f64,
    },
    /// A measure without a source.
    #[error("the source is empty (every business result names where it comes from)")]
    EmptySource,
}

const TIME: &[Unit] = &[Unit::Seconds, Unit::Minutes, Unit::Hours, Unit::Days, Unit::Months];
const LONG_TIME: &[Unit] = &[Unit::Hours, Unit::Days, Unit::Months];
const COUNT: &[Unit] = &[Unit::Count];
const DOLLARS: &[Unit] = &[Unit::Dollars];
const PERCENT: &[Unit] = &[Unit::Percent];

impl Metric {
    /// The known metrics, in the order documented.
    pub const KNOWN: [Metric; 8] = [
        Metric::WaitTime,
        Metric::ProcessingTime,
        Metric::Backlog,
        Metric::Transactions,
        Metric::CostPerTransaction,
        Metric::LevelOfService,
        Metric::FirstContactResolution,
        Metric::Accuracy,
    ];

    /// The identifier the input file uses (`other:<name>` for a metric of the provider's own).
    pub fn as_str(&self) -> &str {
        match self {
            Metric::WaitTime => "wait_time",
            Metric::ProcessingTime => "processing_time",
            Metric::Backlog => "backlog",
            Metric::Transactions => "transactions",
            Metric::CostPerTransaction => "cost_per_transaction",
            Metric::LevelOfService => "level_of_service",
            Metric::FirstContactResolution => "first_contact_resolution",
            Metric::Accuracy => "accuracy",
            Metric::Other(name) => &name.0,
        }
    }

    /// A label for people.
    pub fn label(&self) -> &str {
        match self {
            Metric::WaitTime => "Wait time",
            Metric::ProcessingTime => "Processing time",
            Metric::Backlog => "Backlog",
            Metric::Transactions => "Transactions completed",
            Metric::CostPerTransaction => "Cost per transaction",
            Metric::LevelOfService => "Level of service",
            Metric::FirstContactResolution => "First-contact resolution",
            Metric::Accuracy => "Accuracy",
            Metric::Other(name) => &name.0,
        }
    }

    /// The units the metric may be given in. A wait can be seconds to days; a processing time is
    /// hours to months (nobody decides a benefit claim in seconds, so seconds there is a unit
    /// mistake); a metric of the provider's own may be in any unit, kept consistent per service.
    pub fn allowed_units(&self) -> &'static [Unit] {
        match self {
            Metric::WaitTime => TIME,
            Metric::ProcessingTime => LONG_TIME,
            Metric::Backlog | Metric::Transactions => COUNT,
            Metric::CostPerTransaction => DOLLARS,
            Metric::LevelOfService | Metric::FirstContactResolution | Metric::Accuracy => PERCENT,
            Metric::Other(_) => &Unit::ALL,
        }
    }

    /// Whether smaller is better (a shorter wait, a smaller backlog), for reading a trend. `None`
    /// when it depends (transactions completed; a metric of the provider's own).
    pub fn lower_is_better(&self) -> Option<bool> {
        match self {
            Metric::WaitTime | Metric::ProcessingTime | Metric::Backlog | Metric::CostPerTransaction => Some(true),
            Metric::LevelOfService | Metric::FirstContactResolution | Metric::Accuracy => Some(false),
            Metric::Transactions | Metric::Other(_) => None,
        }
    }

    /// Whether the metric is a share of a whole (so at most 100 percent).
    fn is_share(&self) -> bool {
        match self {
            Metric::LevelOfService | Metric::FirstContactResolution | Metric::Accuracy => true,
            Metric::WaitTime
            | Metric::ProcessingTime
            | Metric::Backlog
            | Metric::Transactions
            | Metric::CostPerTransaction
            | Metric::Other(_) => false,
        }
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Metric::Other(name) => write!(f, "other:{}", name.0),
            known => f.write_str(known.as_str()),
        }
    }
}

impl FromStr for Metric {
    type Err = BusinessError;

    /// A known metric's identifier in any letter case, or `other:<name>`.
    fn from_str(s: &str) -> Result<Metric, BusinessError> {
        let t = s.trim();
        if let Some(name) = t.strip_prefix("other:") {
            return MetricName::new(name.trim()).map(Metric::Other);
        }
        Metric::KNOWN
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(t))
            .ok_or_else(|| BusinessError::UnknownMetric(s.to_owned()))
    }
}

impl Serialize for Metric {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Metric {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Metric, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl MetricName {
    /// Checks a name for a metric of the provider's own.
    pub fn new(name: &str) -> Result<MetricName, BusinessError> {
        let fail = |why| Err(BusinessError::BadMetricName { name: name.to_owned(), why });
        if name.is_empty() {
            return fail("it is empty");
        }
        if name.len() > 64 {
            return fail("it is longer than 64 characters");
        }
        if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
            return fail("it must start with a lowercase letter");
        }
        if !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
            return fail("only lowercase letters, digits and '_' are allowed");
        }
        if Metric::KNOWN.iter().any(|m| m.as_str() == name) {
            return fail("it is a known metric's name; write it without other:");
        }
        Ok(MetricName(name.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Unit {
    /// Every unit.
    pub const ALL: [Unit; 8] = [
        Unit::Seconds,
        Unit::Minutes,
        Unit::Hours,
        Unit::Days,
        Unit::Months,
        Unit::Count,
        Unit::Dollars,
        Unit::Percent,
    ];

    /// The identifier the input file uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Seconds => "seconds",
            Unit::Minutes => "minutes",
            Unit::Hours => "hours",
            Unit::Days => "days",
            Unit::Months => "months",
            Unit::Count => "count",
            Unit::Dollars => "dollars",
            Unit::Percent => "percent",
        }
    }

    /// Whether a value in this unit can be negative at all (a change in dollars can be; a
    /// duration cannot). Known metrics are never negative whatever their unit.
    pub fn can_be_negative(self) -> bool {
        match self {
            Unit::Seconds | Unit::Minutes | Unit::Hours | Unit::Days | Unit::Months => false,
            Unit::Count | Unit::Dollars | Unit::Percent => true,
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Unit {
    type Err = BusinessError;

    /// The identifier in any letter case; also the singular (`day`), `usd`, `$` and `%`.
    fn from_str(s: &str) -> Result<Unit, BusinessError> {
        let t = s.trim().to_ascii_lowercase();
        let unit = match t.as_str() {
            "usd" | "$" => Some(Unit::Dollars),
            "%" => Some(Unit::Percent),
            _ => Unit::ALL.into_iter().find(|u| {
                let id = u.as_str();
                id == t || (id.strip_suffix('s') == Some(t.as_str()) && *u != Unit::Count)
            }),
        };
        unit.ok_or_else(|| BusinessError::UnknownUnit(s.to_owned()))
    }
}

/// One business result: a metric's value for a service in a fiscal quarter, with its unit and
/// source. Valid by construction ([`BusinessMeasure::new`]), also when deserialized (a store's copy
/// is checked again on the way in).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "MeasureFields")]
pub struct BusinessMeasure {
    service: ServiceId,
    quarter: FiscalQuarter,
    metric: Metric,
    value: f64,
    unit: Unit,
    source: String,
}

/// A measure's fields as serialized, checked by [`BusinessMeasure::new`] on deserialization.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MeasureFields {
    service: ServiceId,
    quarter: FiscalQuarter,
    metric: Metric,
    value: f64,
    unit: Unit,
    source: String,
}

impl TryFrom<MeasureFields> for BusinessMeasure {
    type Error = BusinessError;

    fn try_from(f: MeasureFields) -> Result<BusinessMeasure, BusinessError> {
        BusinessMeasure::new(f.service, f.quarter, f.metric, f.value, f.unit, f.source)
    }
}

impl BusinessMeasure {
    /// Checks and makes a measure: the unit must be one the metric allows, the value a finite
    /// number, not negative unless the metric is the provider's own and the unit can be negative,
    /// at most 100 for a share, and the source not empty.
    pub fn new(
        service: ServiceId,
        quarter: FiscalQuarter,
        metric: Metric,
        value: f64,
        unit: Unit,
        source: impl Into<String>,
    ) -> Result<BusinessMeasure, BusinessError> {
        if !metric.allowed_units().contains(&unit) {
            return Err(BusinessError::UnitNotAllowed { metric, unit });
        }
        if !value.is_finite() {
            return Err(BusinessError::NotFinite(value));
        }
        let may_be_negative = matches!(metric, Metric::Other(_)) && unit.can_be_negative();
        if value < 0.0 && !may_be_negative {
            return Err(BusinessError::Negative { metric, unit, value });
        }
        if metric.is_share() && value > 100.0 {
            return Err(BusinessError::AboveHundredPercent { metric, value });
        }
        let source = source.into().trim().to_owned();
        if source.is_empty() {
            return Err(BusinessError::EmptySource);
        }
        Ok(BusinessMeasure { service, quarter, metric, value, unit, source })
    }

    /// The service.
    pub fn service(&self) -> &ServiceId {
        &self.service
    }

    /// The fiscal quarter the number is for.
    pub fn quarter(&self) -> FiscalQuarter {
        self.quarter
    }

    /// What is measured.
    pub fn metric(&self) -> &Metric {
        &self.metric
    }

    /// The value, in [`BusinessMeasure::unit`].
    pub fn value(&self) -> f64 {
        self.value
    }

    /// The unit.
    pub fn unit(&self) -> Unit {
        self.unit
    }

    /// Where the number comes from (a report and its table, a URL and date).
    pub fn source(&self) -> &str {
        &self.source
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fiscal::Quarter;

    fn q() -> FiscalQuarter {
        FiscalQuarter::new(2024, Quarter::Q2).unwrap()
    }

    fn measure(metric: &str, value: f64, unit: &str) -> Result<BusinessMeasure, BusinessError> {
        BusinessMeasure::new(
            ServiceId::new("treasury-irs-file-return").unwrap(),
            q(),
            metric.parse()?,
            value,
            unit.parse()?,
            "test",
        )
    }

    #[test]
    fn metrics_and_units_round_trip() {
        for m in Metric::KNOWN {
            assert_eq!(m.to_string().parse::<Metric>().unwrap(), m);
            assert_eq!(serde_json::to_string(&m).unwrap(), format!("\"{}\"", m.as_str()));
        }
        for u in Unit::ALL {
            assert_eq!(u.as_str().parse::<Unit>().unwrap(), u);
        }
        assert_eq!("Day".parse::<Unit>().unwrap(), Unit::Days);
        assert_eq!("%".parse::<Unit>().unwrap(), Unit::Percent);
        assert!("coun".parse::<Unit>().is_err());
        let other: Metric = "other:appeals_pending".parse().unwrap();
        assert_eq!(other.to_string(), "other:appeals_pending");
        assert_eq!(serde_json::from_str::<Metric>("\"other:appeals_pending\"").unwrap(), other);
    }

    #[test]
    fn a_misspelt_metric_is_an_error_not_a_new_metric() {
        let err = "wait_tme".parse::<Metric>().unwrap_err().to_string();
        assert!(err.starts_with("\"wait_tme\" is not a metric (expected one of: wait_time, processing_time,"), "{err}");
        assert!(err.ends_with("or other:<name> for a metric of your own)"), "{err}");
        assert!(matches!("other:Wait Time".parse::<Metric>(), Err(BusinessError::BadMetricName { .. })));
        assert!(matches!("other:backlog".parse::<Metric>(), Err(BusinessError::BadMetricName { .. })));
    }

    #[test]
    fn measures_check_unit_sign_share_and_source() {
        assert!(measure("wait_time", 12.5, "minutes").is_ok());
        assert_eq!(
            measure("wait_time", 3.0, "dollars").unwrap_err().to_string(),
            "wait_time cannot be in dollars (expected seconds or minutes or hours or days or months)"
        );
        assert!(matches!(measure("processing_time", 30.0, "seconds"), Err(BusinessError::UnitNotAllowed { .. })));
        assert!(matches!(measure("backlog", -1.0, "count"), Err(BusinessError::Negative { .. })));
        assert!(matches!(measure("wait_time", f64::NAN, "minutes"), Err(BusinessError::NotFinite(_))));
        assert!(matches!(
            measure("level_of_service", 100.5, "percent"),
            Err(BusinessError::AboveHundredPercent { .. })
        ));
        assert!(measure("level_of_service", 100.0, "percent").is_ok());
        // A metric of the provider's own may fall below zero where the unit allows it, never in time.
        assert!(measure("other:net_change_in_claims", -250.0, "count").is_ok());
        assert!(matches!(measure("other:hold_change", -2.0, "minutes"), Err(BusinessError::Negative { .. })));
        let no_source =
            BusinessMeasure::new(ServiceId::new("a").unwrap(), q(), Metric::Backlog, 1.0, Unit::Count, "  ");
        assert_eq!(no_source, Err(BusinessError::EmptySource));
    }

    #[test]
    fn json_round_trips_and_is_checked_on_the_way_in() {
        let m = measure("other:call_volume", 7_190_179.0, "count").unwrap();
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(
            json,
            r#"{"service":"treasury-irs-file-return","quarter":"FY2024Q2","metric":"other:call_volume","value":7190179.0,"unit":"count","source":"test"}"#
        );
        assert_eq!(serde_json::from_str::<BusinessMeasure>(&json).unwrap(), m);
        let bad = json.replace("\"count\"", "\"days\"").replace("other:call_volume", "backlog");
        let err = serde_json::from_str::<BusinessMeasure>(&bad).unwrap_err().to_string();
        assert!(err.starts_with("backlog cannot be in days (expected count)"), "{err}");
    }
}
