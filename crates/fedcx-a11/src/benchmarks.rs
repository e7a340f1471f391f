//! The ACSI benchmark series reports show beside fedcx's index, bundled with their sources
//! (`data/acsi.csv`: `series, year, value, status, source, note`), and the choice of the line a
//! quarter's report shows: the latest data year at or before the quarter's end.
//!
//! Values are by ACSI data year (ACSI publishes a year's score the following January). A `derived`
//! value was back-computed from a reported percentage change and is labelled so. Ingested values
//! (`fedcx ingest` of a `series,year,value` file) replace the bundled value of the same series and
//! year. The bundled file is itself a benchmark file, so an updated copy can be ingested.

use chrono::Datelike;
use fedcx_model::{BenchmarkPoint, FiscalQuarter};
use serde::Serialize;

/// The bundled series, as published, each value with its source.
pub const ACSI_CSV: &str = include_str!("../data/acsi.csv");

/// The ACSI federal-government series.
pub const FEDERAL: &str = "acsi_federal_government";

/// The private-sector series the first government-wide survey was compared with.
pub const PRIVATE: &str = "acsi_private_business_services";

/// The series a report shows, with the name it gives each.
pub const SHOWN: [(&str, &str); 2] =
    [(FEDERAL, "ACSI federal government"), (PRIVATE, "ACSI private business services")];

/// One year's value of a series, with where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchmarkValue {
    /// The series, e.g. `acsi_federal_government`.
    pub series: String,
    /// The ACSI data year.
    pub year: u16,
    /// The value on the 0-100 scale.
    pub value: f64,
    /// `reported`, `derived` (back-computed from a reported change), or `ingested`.
    pub status: String,
    /// Where the value was published.
    pub source: String,
    /// Anything a reader should know (a changed method, how a value was derived).
    pub note: String,
}

/// Why a row of a benchmark file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("benchmark data line {line}: {why}")]
pub struct BadBenchmarkRow {
    /// The 1-based line.
    pub line: u64,
    /// What is wrong.
    pub why: String,
}

/// Parses a benchmark file with the bundled file's columns; every bad row is listed.
pub fn parse(text: &str) -> Result<Vec<BenchmarkValue>, Vec<BadBenchmarkRow>> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let mut values = Vec::new();
    let mut bad = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i as u64 + 2;
        let row = match record {
            Ok(r) => r,
            Err(e) => {
                bad.push(BadBenchmarkRow { line, why: e.to_string() });
                continue;
            }
        };
        let field = |k: usize| row.get(k).unwrap_or("").trim().to_owned();
        let year = field(1).parse::<u16>().ok();
        let value = field(2).parse::<f64>().ok().filter(|v| (0.0..=100.0).contains(v));
        let status = field(3);
        match (year, value) {
            (Some(year), Some(value)) if !field(0).is_empty() && matches!(status.as_str(), "reported" | "derived") => {
                values.push(BenchmarkValue { series: field(0), year, value, status, source: field(4), note: field(5) })
            }
            _ => bad.push(BadBenchmarkRow {
                line,
                why: "expected series, a year, a value 0-100, status reported or derived, source, note".to_owned(),
            }),
        }
    }
    if bad.is_empty() {
        Ok(values)
    } else {
        Err(bad)
    }
}

/// The bundled values (its unit tests prove every row parses).
pub fn bundled() -> Vec<BenchmarkValue> {
    parse(ACSI_CSV).unwrap_or_default()
}

/// The bundled values with ingested ones replacing those of the same series and year.
pub fn merged(ingested: &[BenchmarkPoint]) -> Vec<BenchmarkValue> {
    let mut values = bundled();
    for p in ingested {
        let Ok(value) = p.value.to_string().parse::<f64>() else { continue };
        let v = BenchmarkValue {
            series: p.series.clone(),
            year: p.year,
            value,
            status: "ingested".to_owned(),
            source: "an ingested benchmark file".to_owned(),
            note: String::new(),
        };
        match values.iter_mut().find(|b| b.series == p.series && b.year == p.year) {
            Some(b) => *b = v,
            None => values.push(v),
        }
    }
    values
}

/// The value of `series` for the latest data year at or before the end of `quarter`.
pub fn latest_at_or_before<'a>(
    values: &'a [BenchmarkValue],
    series: &str,
    quarter: FiscalQuarter,
) -> Option<&'a BenchmarkValue> {
    let end_year = u16::try_from(quarter.end_date().year()).ok()?;
    values.iter().filter(|v| v.series == series && v.year <= end_year).max_by_key(|v| v.year)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str) -> FiscalQuarter {
        text.parse().unwrap()
    }

    #[test]
    fn every_bundled_row_parses_and_has_a_source() {
        let values = parse(ACSI_CSV).unwrap();
        assert_eq!(values.len(), ACSI_CSV.lines().count() - 1);
        for v in &values {
            assert!(v.source.starts_with("http"), "{v:?}");
        }
        let value = |year| values.iter().find(|v| v.series == FEDERAL && v.year == year).map(|v| v.value);
        assert_eq!(value(1999), Some(68.6));
        assert_eq!(value(2021), Some(63.4));
        assert_eq!(value(2022), Some(66.3));
        assert_eq!(value(2024), Some(69.7));
        let private = values.iter().find(|v| v.series == PRIVATE).unwrap();
        assert_eq!((private.year, private.value), (1999, 71.9));
        let derived: Vec<u16> = values.iter().filter(|v| v.status == "derived").map(|v| v.year).collect();
        assert_eq!(derived, [2016, 2019, 2023]);
    }

    #[test]
    fn a_quarter_takes_the_latest_year_at_or_before_its_end() {
        let values = bundled();
        let year = |quarter| latest_at_or_before(&values, FEDERAL, q(quarter)).map(|v| (v.year, v.value));
        // FY2025 Q2 ends 2025-03-31: no 2025 value is published, so 2024.
        assert_eq!(year("FY2025 Q2"), Some((2024, 69.7)));
        // FY2023 Q1 ends 2022-12-31.
        assert_eq!(year("FY2023 Q1"), Some((2022, 66.3)));
        assert_eq!(year("FY2022 Q4"), Some((2022, 66.3)));
        assert_eq!(year("FY2022 Q1"), Some((2021, 63.4)));
        // No value for 2005 or 2006: the latest before them.
        assert_eq!(year("FY2006 Q4"), Some((2004, 72.1)));
        assert_eq!(latest_at_or_before(&values, PRIVATE, q("FY2025 Q2")).map(|v| v.year), Some(1999));
    }

    #[test]
    fn an_ingested_value_replaces_the_bundled_one_of_its_year() {
        let p = BenchmarkPoint { series: FEDERAL.into(), year: 2024, value: "70.1".parse().unwrap() };
        let values = merged(&[p]);
        let v = latest_at_or_before(&values, FEDERAL, q("FY2025 Q2")).unwrap();
        assert_eq!((v.value, v.status.as_str()), (70.1, "ingested"));
        assert_eq!(values.len(), bundled().len());
    }

    #[test]
    fn bad_rows_are_listed_by_line() {
        let err = parse(
            "series,year,value,status,source,note\nx,20x1,1,reported,s,\nx,2001,101,reported,s,\nx,2001,1,guessed,s,\n",
        )
        .unwrap_err();
        assert_eq!(err.iter().map(|e| e.line).collect::<Vec<_>>(), [2, 3, 4]);
    }
}
