//! The kinds of input fedcx reads, by name. Telling them apart from a file's bytes is
//! fedcx-ingest's job (`fedcx_ingest::format::detect`); the names live here because the store's
//! manifest and the report record which format each file was read as.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// A respondent-level CSV read through a mapping (fedcx's native layout when none is given).
    Csv,
    /// Touchpoints' version-2 response upload (17 columns); needs its collection detail.
    TouchpointsV2,
    /// Touchpoints' CX Responses export (`CxResponse.to_csv`, 20 columns): the upload's columns
    /// plus `cx_collection_detail_id`, which routes each row to its own detail.
    TouchpointsResponses,
    /// Touchpoints' version-1 reporting-record export (counts per service and channel), also as
    /// performance.gov's JSON record flattened to CSV (`id`, `type`, `attributes_…` columns).
    TouchpointsV1,
    /// performance.gov's CX quarterly reporting collections as Touchpoints serves them: a JSON:API
    /// document (`data[]` of type `omb_cx_reporting_collections`), one version-1 record each.
    TouchpointsV1Json,
    /// The same records in long form, one row per question (GSA/HISP-CX-Data's
    /// `trust_survey_counts_quick…csv`: `fiscal_year, quarter, …, question_id, question_text,
    /// strongly_disagree_num … strongly_agree_num`).
    TouchpointsV1Long,
    /// Touchpoints' collection-detail export.
    TouchpointsDetails,
    /// One response per line in fedcx's JSON form.
    Jsonl,
    /// A Digital Analytics Program report (JSON): visits per domain and day.
    Dap,
    /// A benchmark index series (CSV: series, year, value).
    Benchmark,
    /// Counts in long form (CSV: service, channel, quarter, item, point, n), as `fedcx export` writes them.
    Counts,
    /// performance.gov's FY2019-20 HISP data: volumes and each driver's published mean (1-5 scale),
    /// in any of the site's three CSV layouts (`fedcx_ingest::published`).
    PerformanceGov,
    /// OPM's FEVS public release data file (PRDF): one row per employee respondent, weighted
    /// (`AGENCY, LEVEL1, ..., Q1..Qn, POSTWT`); needs its survey year.
    Fevs,
    /// OPM's published index table by agency (EEI or GSI, a column per year), saved as CSV.
    FevsIndex,
    /// fedcx's business-results input (`service_id, fy, quarter, metric, value, unit, source`).
    BusinessResults,
    /// A GSA Site Scanning snapshot (CSV, current or pre-2025 layout): one row per website scanned.
    SiteScanning,
}

impl Format {
    /// Whether files of this format are read beside the A-11 counts (employee survey, business
    /// results, website scans) into the store's balanced-measures tables, not into counts.
    pub fn is_balanced(self) -> bool {
        match self {
            Format::Fevs | Format::FevsIndex | Format::BusinessResults | Format::SiteScanning => true,
            Format::Csv
            | Format::TouchpointsV2
            | Format::TouchpointsResponses
            | Format::TouchpointsV1
            | Format::TouchpointsV1Json
            | Format::TouchpointsV1Long
            | Format::TouchpointsDetails
            | Format::Jsonl
            | Format::Dap
            | Format::Benchmark
            | Format::Counts
            | Format::PerformanceGov => false,
        }
    }

    /// Every format, by its command-line name.
    pub const ALL: [Format; 16] = [
        Format::TouchpointsV2,
        Format::TouchpointsResponses,
        Format::TouchpointsV1,
        Format::TouchpointsV1Json,
        Format::TouchpointsV1Long,
        Format::Csv,
        Format::Jsonl,
        Format::Dap,
        Format::Benchmark,
        Format::TouchpointsDetails,
        Format::Counts,
        Format::PerformanceGov,
        Format::Fevs,
        Format::FevsIndex,
        Format::BusinessResults,
        Format::SiteScanning,
    ];

    /// The name used on the command line and in summaries.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::TouchpointsV2 => "touchpoints-v2",
            Format::TouchpointsResponses => "touchpoints-responses",
            Format::TouchpointsV1 => "touchpoints-v1",
            Format::TouchpointsV1Json => "touchpoints-v1-json",
            Format::TouchpointsV1Long => "touchpoints-v1-long",
            Format::TouchpointsDetails => "touchpoints-details",
            Format::Jsonl => "jsonl",
            Format::Dap => "dap",
            Format::Benchmark => "benchmark",
            Format::Counts => "counts",
            Format::PerformanceGov => "performance-gov",
            Format::Fevs => "fevs-prdf",
            Format::FevsIndex => "fevs-index",
            Format::BusinessResults => "business-results",
            Format::SiteScanning => "site-scanning",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A format name that fedcx does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a format (expected one of: {list})", list = Format::ALL.map(Format::as_str).join(", "))]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;
    fn from_str(s: &str) -> Result<Format, UnknownFormat> {
        Format::ALL.into_iter().find(|f| f.as_str() == s.trim()).ok_or_else(|| UnknownFormat(s.to_owned()))
    }
}

impl Serialize for Format {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Format {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Format, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for f in Format::ALL {
            assert_eq!(f.as_str().parse::<Format>(), Ok(f));
            assert_eq!(serde_json::to_string(&f).unwrap(), format!("\"{f}\""));
        }
        assert!("xlsx".parse::<Format>().unwrap_err().to_string().contains("expected one of: touchpoints-v2"));
    }
}
