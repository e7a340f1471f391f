//! Series reports show beside survey scores: published satisfaction benchmarks (the ACSI federal
//! government and private-sector series), monthly web traffic from the Digital Analytics Program, and
//! the per-service means performance.gov published for FY2019-20.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One yearly value of a published index series, kept exactly as published.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct BenchmarkPoint {
    /// The series, e.g. `acsi_federal_government`.
    pub series: String,
    /// The calendar year the value was published for.
    pub year: u16,
    /// The value on the 0-100 scale, exactly as published (e.g. 63.4).
    pub value: Decimal,
}

/// Visits to one domain in one month.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct WebVisits {
    /// The domain, lower case, e.g. `irs.gov`.
    pub domain: String,
    /// The month.
    pub month: crate::Month,
    /// Visits in that month.
    pub visits: u64,
}

/// One service's quarter as performance.gov published it for FY2019-20, before Touchpoints: the
/// volumes and the mean of each driver on the 1-5 answer scale. The means are kept exactly as
/// published and are never turned into a share who agree: the answers behind them are not public.
///
/// A source may publish the volumes and the means apart (performance.gov's long files put each
/// driver on its own row), so every field but the service and quarter may be missing; a reader of
/// several records for one (service, quarter, touchpoint) combines them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedMeans {
    /// The service, resolved through the registry.
    pub service: crate::ServiceId,
    /// The fiscal quarter the figures are for.
    pub quarter: crate::FiscalQuarter,
    /// The survey the figures come from (e.g. "Post-visit email survey"); empty when none is named.
    #[serde(default)]
    pub touchpoint: String,
    /// Customers served in the quarter (performance.gov's `universe`), when published.
    #[serde(default)]
    pub customers: Option<u64>,
    /// Surveys offered (`surveys_offered_count`, `surveyed`), when published.
    #[serde(default)]
    pub surveyed: Option<u64>,
    /// Respondents (`response_count`, `respondents`), when published.
    #[serde(default)]
    pub respondents: Option<u64>,
    /// Each driver's published mean on the 1-5 scale, exactly as published.
    #[serde(default)]
    pub means: std::collections::BTreeMap<crate::Driver, Decimal>,
}
