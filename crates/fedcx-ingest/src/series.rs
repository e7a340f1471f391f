//! Series read beside survey data: Digital Analytics Program reports (web visits per domain and
//! day, from analytics.usa.gov) and published benchmark index series (CSV: series, year, value).

use crate::rows::{Counted, Produced};
use std::io::Read;
use std::path::Path;
use std::str::FromStr;

use chrono::NaiveDate;
use fedcx_model::traits::{Rejection, ResponseSource, SourceItem};
use fedcx_model::{BenchmarkPoint, WebVisits};
use rust_decimal::Decimal;
use serde_json::Value;

use crate::error::IngestError;
use crate::reconcile::{clip, reason};
use crate::rows::CsvRows;

/// Reads a DAP report: either the analytics.usa.gov report object (`{"name": ..., "data": [...]}`)
/// or the DAP API's bare array of rows. Each row needs `date` (YYYY-MM-DD), `domain` and `visits`.
/// The document is parsed whole: DAP reports are one download each, not an unbounded stream.
#[derive(Debug)]
pub struct DapSource {
    rows: std::vec::IntoIter<Value>,
    index: u64,
}

impl DapSource {
    /// Parses the report.
    pub fn new<R: Read>(path: &Path, input: R) -> Result<DapSource, IngestError> {
        let bad = |why: String| IngestError::BadDocument { path: path.to_owned(), format: "dap", why };
        let doc: Value = serde_json::from_reader(input).map_err(|e| bad(e.to_string()))?;
        let rows = match doc {
            Value::Array(rows) => rows,
            Value::Object(mut o) => match o.remove("data") {
                Some(Value::Array(rows)) => rows,
                _ => return Err(bad("expected a \"data\" array of rows (date, domain, visits)".to_owned())),
            },
            _ => return Err(bad("expected a report object or an array of rows".to_owned())),
        };
        Ok(DapSource { rows: rows.into_iter(), index: 0 })
    }
}

fn parse_dap(index: u64, row: &Value) -> Result<WebVisits, Rejection> {
    let reject = |field: &str, reason, detail: &str| Rejection {
        line: index,
        field: Some(field.to_owned()),
        raw: clip(&row.get(field).map_or_else(|| row.to_string(), Value::to_string)),
        reason,
        detail: detail.to_owned(),
    };
    let date = row
        .get("date")
        .and_then(Value::as_str)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .ok_or_else(|| reject("date", reason::BAD_TIMESTAMP, "expected a date YYYY-MM-DD"))?;
    let domain = row
        .get("domain")
        .and_then(Value::as_str)
        .map(|d| d.trim().to_ascii_lowercase())
        .filter(|d| !d.is_empty() && d.contains('.'))
        .ok_or_else(|| reject("domain", reason::MISSING_VALUE, "expected a domain such as irs.gov"))?;
    let visits = match row.get("visits") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
    .ok_or_else(|| reject("visits", reason::BAD_COUNT, "expected a whole number of visits"))?;
    Ok(WebVisits { domain, month: date.format("%Y-%m").to_string(), visits })
}

impl Counted for DapSource {
    fn produced(&self) -> Produced {
        // A JSON document has no lines to account for; its rows are the data array's entries.
        Produced { records: self.index, ..Produced::default() }
    }
}

impl ResponseSource for DapSource {
    type Error = IngestError;

    fn next_item(&mut self) -> Result<Option<SourceItem>, IngestError> {
        let Some(row) = self.rows.next() else { return Ok(None) };
        // DAP rows have no lines; the reject file gives the row's position in the data array, from 1.
        self.index += 1;
        Ok(Some(match parse_dap(self.index, &row) {
            Ok(v) => SourceItem::WebVisits(v),
            Err(rej) => SourceItem::Rejected(rej),
        }))
    }
}

/// The header of a benchmark series file.
pub const BENCHMARK_HEADER: [&str; 3] = ["series", "year", "value"];

/// Reads a benchmark series CSV: `series,year,value`, values on the 0-100 scale.
#[derive(Debug)]
pub struct BenchmarkSource<R: Read> {
    rows: CsvRows<R>,
    cols: Vec<usize>,
}

impl<R: Read> BenchmarkSource<R> {
    /// Opens the file.
    pub fn new(path: &Path, input: R) -> Result<Self, IngestError> {
        let rows = CsvRows::open(path, input, &BENCHMARK_HEADER.join(","))?;
        let cols = rows.require("benchmark", &BENCHMARK_HEADER)?;
        Ok(BenchmarkSource { rows, cols })
    }
}

impl<R: Read> Counted for BenchmarkSource<R> {
    fn produced(&self) -> Produced {
        self.rows.produced()
    }

    fn limit_record_lines(&mut self, n: u64) {
        self.rows.set_max_record_lines(n);
    }
}

impl<R: Read> ResponseSource for BenchmarkSource<R> {
    type Error = IngestError;

    fn next_item(&mut self) -> Result<Option<SourceItem>, IngestError> {
        let Some(row) = self.rows.next_row()? else { return Ok(None) };
        let c = &self.cols;
        let parsed = (|| {
            row.check_width()?;
            let series = row.get(c[0])?;
            if series.is_empty() {
                return Err(row.reject(c[0], reason::MISSING_VALUE, "the series name is empty"));
            }
            let year: u16 = row
                .get(c[1])?
                .parse()
                .ok()
                .filter(|y| (1990..=2199).contains(y))
                .ok_or_else(|| row.reject(c[1], reason::BAD_QUARTER, "expected a year from 1990 to 2199"))?;
            let value = Decimal::from_str(row.get(c[2])?)
                .ok()
                .filter(|v| (Decimal::ZERO..=Decimal::ONE_HUNDRED).contains(v))
                .ok_or_else(|| {
                    row.reject(c[2], reason::ANSWER_OUT_OF_RANGE, "expected an index value from 0 to 100")
                })?;
            Ok(BenchmarkPoint { series: series.to_owned(), year, value })
        })();
        Ok(Some(match parsed {
            Ok(p) => SourceItem::Benchmark(p),
            Err(rej) => SourceItem::Rejected(rej),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(mut src: impl ResponseSource<Error = IngestError>) -> Vec<SourceItem> {
        let mut v = Vec::new();
        while let Some(i) = src.next_item().unwrap() {
            v.push(i);
        }
        v
    }

    #[test]
    fn dap_report_object_and_array_forms() {
        let report = r#"{"name":"domain","data":[
            {"date":"2024-01-31","domain":"IRS.gov","visits":"120"},
            {"date":"2024-02-30","domain":"irs.gov","visits":5},
            {"date":"2024-02-01","domain":"irs.gov","visits":-3}]}"#;
        let items = drain(DapSource::new(Path::new("d.json"), report.as_bytes()).unwrap());
        assert!(
            matches!(&items[0], SourceItem::WebVisits(v) if v.domain == "irs.gov" && v.month == "2024-01" && v.visits == 120)
        );
        assert!(matches!(&items[1], SourceItem::Rejected(r) if r.reason == "bad_timestamp" && r.line == 2));
        assert!(matches!(&items[2], SourceItem::Rejected(r) if r.reason == "bad_count"));
        let array = r#"[{"date":"2024-03-01","domain":"ssa.gov","visits":7}]"#;
        assert_eq!(drain(DapSource::new(Path::new("d.json"), array.as_bytes()).unwrap()).len(), 1);
        let err = DapSource::new(Path::new("d.json"), &b"{\"rows\": 1}"[..]).unwrap_err().to_string();
        assert!(err.contains("expected a \"data\" array"), "{err}");
    }

    #[test]
    fn benchmark_values_are_exact() {
        let text = "series,year,value\nacsi_federal_government,2021,63.4\nacsi_federal_government,2021,163.4\n";
        let items = drain(BenchmarkSource::new(Path::new("b.csv"), text.as_bytes()).unwrap());
        assert!(matches!(&items[0], SourceItem::Benchmark(p) if p.value.to_string() == "63.4" && p.year == 2021));
        assert!(matches!(&items[1], SourceItem::Rejected(r) if r.reason == "answer_out_of_range"));
    }
}
