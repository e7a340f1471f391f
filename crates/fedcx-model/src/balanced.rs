//! What the report reads beside the A-11 counts for its "Balanced measures" and "Digital adoption"
//! sections: employee survey counts (FEVS), agencies' business results and website scans. The
//! store keeps them per ingested file and hands them back together as [`BalancedInputs`]; the
//! report puts them beside the customer scores.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::business::BusinessMeasure;
use crate::fevs::FevsCounts;
use crate::website::SiteScan;

/// One Site Scanning snapshot: the sites scanned, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteSnapshot {
    /// The latest scan date among its rows: the snapshot's date.
    pub taken: NaiveDate,
    /// Where it came from, as shown to the user (the ingested file's path).
    pub source: String,
    /// The accepted rows.
    pub scans: Vec<SiteScan>,
}

/// Everything beside the A-11 counts that the balanced scorecard and the digital-adoption section
/// read. Each part may be empty: the report then says the measure was not given, never zero.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BalancedInputs {
    /// FEVS weighted counts, one per survey year (files of the same year merged).
    pub fevs: Vec<FevsCounts>,
    /// Business results, every service and quarter ingested.
    pub business: Vec<BusinessMeasure>,
    /// Site Scanning snapshots, oldest first.
    pub site_snapshots: Vec<SiteSnapshot>,
}

impl BalancedInputs {
    /// Whether nothing was given.
    pub fn is_empty(&self) -> bool {
        self.fevs.is_empty() && self.business.is_empty() && self.site_snapshots.is_empty()
    }
}
