//! What an ingest contributes: the counts and the series, records and details read alongside them.
//! One type for one file, for a whole run, for what a store records and for what it loads back,
//! so nothing is copied from one bundle into another. Respondent-level rows and duplicate-check
//! fingerprints are not in it: they grow with the input, so they are streamed, never collected.

use std::collections::BTreeMap;

use crate::counts::ResponseCounts;
use crate::records::CollectionDetail;
use crate::series::{BenchmarkPoint, PublishedMeans};

/// What one file, or several together, contributed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Contribution {
    /// Counts of every accepted response and every already-aggregated record.
    pub counts: ResponseCounts,
    /// Collection details.
    pub details: Vec<CollectionDetail>,
    /// Published benchmark series values.
    pub benchmarks: Vec<BenchmarkPoint>,
    /// Web visits per (domain, month).
    pub web_traffic: BTreeMap<(String, crate::Month), u64>,
    /// Figures performance.gov published (FY2019-20 means on the 1-5 scale, volumes).
    pub published: Vec<PublishedMeans>,
}

impl Contribution {
    /// Adds another contribution to this one: counts and visits add up, lists are appended.
    pub fn merge(&mut self, other: &Contribution) {
        self.counts.merge(&other.counts);
        self.details.extend(other.details.iter().cloned());
        self.benchmarks.extend(other.benchmarks.iter().cloned());
        self.published.extend(other.published.iter().cloned());
        for (k, v) in &other.web_traffic {
            // Saturating, as counts merge (`Tally::merge`): too large is refused downstream.
            let visits = self.web_traffic.entry(k.clone()).or_default();
            *visits = visits.saturating_add(*v);
        }
    }
}
