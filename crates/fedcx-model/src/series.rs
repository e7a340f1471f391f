//! Series reports show beside survey scores: published satisfaction benchmarks (the ACSI federal
//! government and private-sector series) and monthly web traffic from the Digital Analytics Program.

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
    /// The month, `YYYY-MM`.
    pub month: String,
    /// Visits in that month.
    pub visits: u64,
}
