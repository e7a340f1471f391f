//! Series read beside survey data: Digital Analytics Program reports (web visits per host name
//! and month, from analytics.usa.gov or the DAP API) and published benchmark index series (CSV:
//! series, year, value).

use crate::rows::{Counted, Produced};
use std::io::Read;
use std::path::Path;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Days, NaiveDate};
use fedcx_model::registry::normalize_host;
use fedcx_model::traits::{Rejection, ResponseSource, SourceItem};
use fedcx_model::{BenchmarkPoint, Month, WebVisits, MAX_COUNT};
use rust_decimal::Decimal;
use serde_json::Value;

use crate::error::IngestError;
use crate::reconcile::{clip, RejectReason};
use crate::rows::CsvRows;

/// Reads a Digital Analytics Program report as published, one row at a time.
///
/// Two shapes are read:
/// - analytics.usa.gov's report files (`ga4-data/<agency>/top-domains-30-days.json`,
///   `top-domains-7-days.json`, `sites.json`, `second-level-domains.json`...): an object with
///   `name`, `query` (its `dateRanges`, e.g. `30daysAgo` to `yesterday`), `meta`, `data` rows
///   (`{"domain": "www.irs.gov", "visits": "19389834", ...}`, or `hostname` instead of `domain`),
///   `totals` and `taken_at`. These rows carry no date: the report's window is resolved against
///   the day of `taken_at` (UTC), and every row is filed under the month holding most of the
///   window's days, the later month on a tie.
/// - the DAP API's rows, as a bare array or a report's `data`, each with its own `date`
///   (YYYY-MM-DD), which files the row under that date's month.
///
/// Host names are normalised ([`normalize_host`]: lower case, no `www.`, port or trailing dot);
/// rolling hosts up to providers is the report's job, through the registry's domains. Each row
/// is accepted or rejected with its position in `data` (from 1) as its line. The document is
/// parsed whole: DAP reports are one download each, not an unbounded stream.
#[derive(Debug)]
pub struct DapSource {
    rows: std::vec::IntoIter<Value>,
    index: u64,
    /// The month undated rows are filed under, or why they cannot be.
    period: Result<Month, String>,
    /// When the report's dimensions name no host: the report's name and dimensions, for rejects.
    not_by_host: Option<String>,
}

impl DapSource {
    /// Parses the report and resolves its window.
    pub fn new<R: Read>(path: &Path, input: R) -> Result<DapSource, IngestError> {
        let bad = |why: String| IngestError::BadDocument { path: path.to_owned(), format: "dap", why };
        let doc: Value = serde_json::from_reader(input).map_err(|e| bad(e.to_string()))?;
        let no_period = "the row has no date, and the rows are a bare array with no report window".to_owned();
        let (rows, period, not_by_host) = match doc {
            Value::Array(rows) => (rows, Err(no_period), None),
            Value::Object(mut o) => {
                let name = o.get("name").and_then(Value::as_str).unwrap_or("unnamed").to_owned();
                let rows = match o.remove("data") {
                    Some(Value::Array(rows)) => rows,
                    Some(_) => return Err(bad(format!("report {name:?}: \"data\" is not an array of rows"))),
                    None => {
                        return Err(bad(format!(
                            "report {name:?} has no \"data\" array of rows (domain, visits); \
                             analytics.usa.gov publishes some reports, such as users.json, with totals only"
                        )))
                    }
                };
                let period = report_month(&o).map_err(|why| format!("the row has no date, and {why}"));
                (rows, period, not_by_host(&name, &o))
            }
            _ => return Err(bad("expected a report object or an array of rows".to_owned())),
        };
        Ok(DapSource { rows: rows.into_iter(), index: 0, period, not_by_host })
    }
}

/// The month a report's undated rows are filed under: its single date range, resolved against
/// the UTC day of `taken_at`, and the month holding most of that window's days.
fn report_month(report: &serde_json::Map<String, Value>) -> Result<Month, String> {
    let taken_at = report.get("taken_at").and_then(Value::as_str).ok_or("the report has no taken_at")?;
    let today = DateTime::parse_from_rfc3339(taken_at)
        .map_err(|e| format!("the report's taken_at {taken_at:?} is not a timestamp: {e}"))?
        .naive_utc()
        .date();
    let ranges = report
        .get("query")
        .and_then(|q| q.get("dateRanges"))
        .and_then(Value::as_array)
        .ok_or("the report's query has no dateRanges")?;
    let [range] = ranges.as_slice() else {
        return Err(format!("the report's query has {} date ranges, not one", ranges.len()));
    };
    let day = |key: &str| {
        let text = range.get(key).and_then(Value::as_str).unwrap_or_default();
        resolve_day(text, today).ok_or_else(|| format!("the report's {key} {text:?} is not a date GA4 names"))
    };
    let (first, last) = (day("startDate")?, day("endDate")?);
    window_month(first, last)
        .ok_or_else(|| format!("the report's window ends ({last}) before it starts ({first})"))?
        .map_err(|e| e.to_string())
}

/// A GA4 date-range bound (`YYYY-MM-DD`, `today`, `yesterday`, `NdaysAgo`) against `today`.
fn resolve_day(text: &str, today: NaiveDate) -> Option<NaiveDate> {
    let t = text.trim();
    let ago: u64 = match t {
        "today" => 0,
        "yesterday" => 1,
        _ => match t.strip_suffix("daysAgo") {
            Some(n) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => n.parse().ok()?,
            _ => return NaiveDate::parse_from_str(t, "%Y-%m-%d").ok(),
        },
    };
    today.checked_sub_days(Days::new(ago))
}

/// The month holding most days of the window `first..=last`; of months holding equally many, the
/// later. `None` when the window ends before it starts.
fn window_month(first: NaiveDate, last: NaiveDate) -> Option<Result<Month, fedcx_model::fiscal::FiscalError>> {
    if last < first {
        return None;
    }
    let mut best: Option<(i64, NaiveDate)> = None;
    let mut start = first;
    loop {
        let next_month = start.with_day(1).and_then(|d| d.checked_add_months(chrono::Months::new(1)));
        let end = next_month.and_then(|d| d.pred_opt()).map_or(last, |d| d.min(last));
        let days = (end - start).num_days() + 1;
        if best.is_none_or(|(n, _)| days >= n) {
            best = Some((days, start));
        }
        match next_month {
            Some(n) if n <= last => start = n,
            _ => break,
        }
    }
    best.map(|(_, month)| Month::of(month))
}

/// For a report whose query names dimensions but no host name (e.g. `last-48-hours`: date and
/// hour), what to tell its rejects.
fn not_by_host(name: &str, report: &serde_json::Map<String, Value>) -> Option<String> {
    let dims = report.get("query")?.get("dimensions")?.as_array()?;
    let names: Vec<&str> = dims.iter().filter_map(|d| d.get("name").and_then(Value::as_str)).collect();
    let by_host = names.iter().any(|n| n.eq_ignore_ascii_case("hostName") || n.eq_ignore_ascii_case("ga:hostname"));
    (!by_host).then(|| format!("report {name:?} counts visits by {}, not by host name", names.join(", ")))
}

impl DapSource {
    fn parse(&self, row: &Value) -> Result<WebVisits, Rejection> {
        let line = self.index;
        let reject = |field: &str, reason: RejectReason, detail: String| Rejection {
            line,
            field: Some(field.to_owned()),
            raw: clip(&row.get(field).map_or_else(|| row.to_string(), Value::to_string)),
            reason: reason.into(),
            detail,
        };
        if !row.is_object() {
            return Err(Rejection {
                line,
                field: None,
                raw: clip(&row.to_string()),
                reason: RejectReason::BadJson.into(),
                detail: "expected a row object with a domain and visits".to_owned(),
            });
        }
        let (field, text) = match (row.get("domain"), row.get("hostname")) {
            (Some(v), _) => ("domain", v.as_str()),
            (None, Some(v)) => ("hostname", v.as_str()),
            (None, None) => ("domain", None),
        };
        let text = text.map(str::trim).filter(|t| !t.is_empty()).ok_or_else(|| {
            let why = self.not_by_host.as_deref().map_or(String::new(), |r| format!(" ({r})"));
            reject(field, RejectReason::MissingValue, format!("the row names no host (domain, e.g. www.irs.gov){why}"))
        })?;
        if text.starts_with('(') {
            // GA4's "(other)" row sums the hosts past a report's row limit; "(not set)" has none.
            let detail = format!("{text} is GA4's placeholder for hosts it does not name, not a host");
            return Err(reject(field, RejectReason::MissingValue, detail));
        }
        let domain = normalize_host(text).ok_or_else(|| {
            reject(field, RejectReason::BadDomain, "expected a host name such as www.irs.gov".to_owned())
        })?;
        let visits = match row.get("visits") {
            Some(Value::Number(n)) => whole(&n.to_string()),
            Some(Value::String(s)) => whole(s),
            Some(_) => Err("expected a whole number of visits"),
            None => Err("the row has no visits"),
        }
        .map_err(|why| reject("visits", RejectReason::BadCount, why.to_owned()))?;
        if visits > MAX_COUNT {
            let detail = format!("more than {MAX_COUNT} visits is not a real count");
            return Err(reject("visits", RejectReason::CountTooLarge, detail));
        }
        let month = match row.get("date") {
            Some(d) => d
                .as_str()
                .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
                .and_then(|d| Month::of(d).ok())
                .ok_or_else(|| reject("date", RejectReason::BadTimestamp, "expected a date YYYY-MM-DD".to_owned()))?,
            None => self.period.clone().map_err(|why| reject("date", RejectReason::BadTimestamp, why))?,
        };
        Ok(WebVisits { domain, month, visits })
    }
}

/// Visits as text: a whole, non-negative number of digits.
fn whole(text: &str) -> Result<u64, &'static str> {
    let t = text.trim();
    if t.starts_with('-') && t.len() > 1 {
        return Err("visits cannot be negative");
    }
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err("expected a whole number of visits");
    }
    // Digits only: the one way to fail is a number beyond u64, which is beyond any real count.
    Ok(t.parse().unwrap_or(u64::MAX))
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
        Ok(Some(match self.parse(&row) {
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
        let parsed =
            (|| {
                row.check_width()?;
                let series = row.get(c[0])?;
                if series.is_empty() {
                    return Err(row.reject(c[0], RejectReason::MissingValue, "the series name is empty"));
                }
                let year: u16 =
                    row.get(c[1])?.parse().ok().filter(|y| (1990..=2199).contains(y)).ok_or_else(|| {
                        row.reject(c[1], RejectReason::BadQuarter, "expected a year from 1990 to 2199")
                    })?;
                let value = Decimal::from_str(row.get(c[2])?)
                    .ok()
                    .filter(|v| (Decimal::ZERO..=Decimal::ONE_HUNDRED).contains(v))
                    .ok_or_else(|| {
                        row.reject(c[2], RejectReason::AnswerOutOfRange, "expected an index value from 0 to 100")
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

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn dap(text: &str) -> Vec<SourceItem> {
        drain(DapSource::new(Path::new("d.json"), text.as_bytes()).unwrap())
    }

    fn visits(item: &SourceItem) -> Option<(&str, String, u64)> {
        match item {
            SourceItem::WebVisits(v) => Some((v.domain.as_str(), v.month.to_string(), v.visits)),
            _ => None,
        }
    }

    fn rejected(item: &SourceItem) -> Option<(u64, Option<&str>, &str, &str)> {
        match item {
            SourceItem::Rejected(r) => Some((r.line, r.field.as_deref(), r.reason.code(), r.detail.as_str())),
            _ => None,
        }
    }

    /// An analytics.usa.gov report as published (ga4-data/<agency>/<name>.json), with rows.
    fn report(name: &str, start: &str, taken_at: &str, rows: &str) -> String {
        format!(
            r#"{{"name":"{name}","query":{{"dimensions":[{{"name":"hostName"}}],"metrics":[{{"name":"sessions"}}],
            "dateRanges":[{{"startDate":"{start}","endDate":"yesterday"}}]}},"meta":{{"name":"x"}},
            "data":[{rows}],"totals":{{"visits":1}},"taken_at":"{taken_at}"}}"#
        )
    }

    #[test]
    fn dap_api_rows_carry_their_own_date_in_either_form() {
        let text = r#"{"name":"domain","data":[
            {"date":"2024-01-31","domain":"IRS.gov","visits":"120"},
            {"date":"2024-02-30","domain":"irs.gov","visits":5},
            {"date":"2024-02-01","domain":"irs.gov","visits":-3}]}"#;
        let items = dap(text);
        assert_eq!(visits(&items[0]), Some(("irs.gov", "2024-01".to_owned(), 120)));
        assert_eq!(rejected(&items[1]).map(|r| (r.0, r.2)), Some((2, "bad_timestamp")));
        assert_eq!(rejected(&items[2]).map(|r| (r.2, r.3)), Some(("bad_count", "visits cannot be negative")));
        let array = r#"[{"id":1,"report_name":"site","date":"2024-03-01","domain":"www.ssa.gov","visits":7}]"#;
        assert_eq!(visits(&dap(array)[0]), Some(("ssa.gov", "2024-03".to_owned(), 7)));
    }

    #[test]
    fn an_undated_report_is_filed_under_the_month_holding_most_of_its_window() {
        // treasury/top-domains-30-days.json: taken 2024-01-05, 30daysAgo..yesterday = 2023-12-06
        // ..2024-01-04, 26 days in December and 4 in January.
        let rows = r#"{"domain":"www.irs.gov","visits":"19389834","users":"14065419"}"#;
        let items = dap(&report("top-domains-30-days", "30daysAgo", "2024-01-05T16:03:47.404Z", rows));
        assert_eq!(visits(&items[0]), Some(("irs.gov", "2023-12".to_owned(), 19_389_834)));
        // top-domains-7-days.json of the same day: 2023-12-29..2024-01-04, 3 days against 4.
        let rows = r#"{"domain":"www.va.gov","visits":"3972617"}"#;
        let items = dap(&report("top-domains-7-days", "7daysAgo", "2024-01-05T15:34:14.401Z", rows));
        assert_eq!(visits(&items[0]), Some(("va.gov", "2024-01".to_owned(), 3_972_617)));
        // A dated row in a windowed report keeps its own date.
        let rows = r#"{"date":"2023-11-30","domain":"www.va.gov","visits":"1"}"#;
        assert_eq!(visits(&dap(&report("r", "7daysAgo", "2024-01-05T00:00:00Z", rows))[0]).unwrap().1, "2023-11");
    }

    #[test]
    fn window_months() {
        assert_eq!(
            window_month(day("2023-12-06"), day("2024-01-04")).map(|m| m.unwrap().to_string()).as_deref(),
            Some("2023-12")
        );
        assert_eq!(
            window_month(day("2023-12-29"), day("2024-01-04")).map(|m| m.unwrap().to_string()).as_deref(),
            Some("2024-01")
        );
        // A tie goes to the later month: 7 days in each.
        assert_eq!(
            window_month(day("2024-01-25"), day("2024-02-07")).map(|m| m.unwrap().to_string()).as_deref(),
            Some("2024-02")
        );
        // 30 days across three months (1 + 28 + 1): February.
        assert_eq!(
            window_month(day("2023-01-31"), day("2023-03-01")).map(|m| m.unwrap().to_string()).as_deref(),
            Some("2023-02")
        );
        assert_eq!(
            window_month(day("2024-02-29"), day("2024-02-29")).map(|m| m.unwrap().to_string()).as_deref(),
            Some("2024-02")
        );
        assert_eq!(window_month(day("2024-01-02"), day("2024-01-01")), None);
        let today = day("2024-01-05");
        assert_eq!(resolve_day("today", today), Some(today));
        assert_eq!(resolve_day("yesterday", today), Some(day("2024-01-04")));
        assert_eq!(resolve_day("90daysAgo", today), Some(day("2023-10-07")));
        assert_eq!(resolve_day("2023-10-01", today), Some(day("2023-10-01")));
        for junk in ["", "daysAgo", "-3daysAgo", "99999999999999999999daysAgo", "last week", "2023-02-30"] {
            assert_eq!(resolve_day(junk, today), None, "{junk:?}");
        }
    }

    #[test]
    fn hosts_are_normalised_and_the_hostname_field_is_read_too() {
        let rows = r#"{"domain":"WWW.Benefits.VA.gov.","visits":"1"},{"domain":"va.gov:443","visits":"2"},
            {"hostname":"sam.gov","visits":"3"}"#;
        let items = dap(&report("sites", "14daysAgo", "2024-01-05T15:34:29.517Z", rows));
        let got: Vec<_> = items.iter().map(|i| visits(i).unwrap()).collect();
        assert_eq!(
            got,
            [
                ("benefits.va.gov", "2023-12".to_owned(), 1),
                ("va.gov", "2023-12".to_owned(), 2),
                ("sam.gov", "2023-12".to_owned(), 3)
            ]
        );
    }

    #[test]
    fn every_bad_row_is_rejected_with_its_reason_and_every_row_is_accounted() {
        let rows = r#"{"visits":"5"},{"domain":"","visits":"5"},{"domain":"(other)","visits":"14211527"},
            {"domain":"www.irs gov","visits":"5"},{"domain":"irs.gov","visits":"12.5"},{"domain":"irs.gov","visits":12.5},
            {"domain":"irs.gov","visits":"-4"},{"domain":"irs.gov"},{"domain":"irs.gov","visits":"9007199254740993"},
            {"domain":"irs.gov","visits":"18446744073709551616"},["irs.gov",5],{"domain":"irs.gov","visits":"0"}"#;
        let mut src =
            DapSource::new(Path::new("d.json"), report("r", "7daysAgo", "2024-01-05T15:00:00Z", rows).as_bytes())
                .unwrap();
        let items = {
            let mut v = Vec::new();
            while let Some(i) = src.next_item().unwrap() {
                v.push(i);
            }
            v
        };
        let got: Vec<_> =
            items.iter().filter_map(rejected).map(|(line, field, reason, _)| (line, field, reason)).collect();
        assert_eq!(
            got,
            [
                (1, Some("domain"), "missing_value"),
                (2, Some("domain"), "missing_value"),
                (3, Some("domain"), "missing_value"),
                (4, Some("domain"), "bad_domain"),
                (5, Some("visits"), "bad_count"),
                (6, Some("visits"), "bad_count"),
                (7, Some("visits"), "bad_count"),
                (8, Some("visits"), "bad_count"),
                (9, Some("visits"), "count_too_large"),
                (10, Some("visits"), "count_too_large"),
                (11, None, "bad_json"),
            ]
        );
        assert_eq!(visits(&items[11]), Some(("irs.gov", "2024-01".to_owned(), 0)));
        assert!(rejected(&items[2]).unwrap().3.contains("(other) is GA4's placeholder"));
        assert_eq!(rejected(&items[6]).unwrap().3, "visits cannot be negative");
        assert_eq!(rejected(&items[7]).unwrap().3, "the row has no visits");
        // read = accepted + rejected: the source counts every row of the data array.
        assert_eq!(src.produced().records, 12);
        assert_eq!(items.len(), 12);
    }

    #[test]
    fn rows_that_cannot_be_dated_or_named_say_why() {
        // A bare array of undated rows has no window.
        let items = dap(r#"[{"domain":"irs.gov","visits":1}]"#);
        let (_, field, reason, detail) = rejected(&items[0]).unwrap();
        assert_eq!((field, reason), (Some("date"), "bad_timestamp"));
        assert!(detail.contains("no report window"), "{detail}");
        // A report whose taken_at is not a timestamp, or missing; with two date ranges; with a
        // window that ends before it starts.
        let row = r#"{"domain":"irs.gov","visits":1}"#;
        let detail = |text: &str| rejected(&dap(text)[0]).unwrap().3.to_owned();
        let text = report("r", "7daysAgo", "x", row);
        assert!(detail(&text).contains("taken_at \"x\" is not a timestamp"), "{}", detail(&text));
        let text = text.replace(r#""taken_at":"x""#, r#""taken":"x""#);
        assert!(detail(&text).contains("the report has no taken_at"), "{}", detail(&text));
        let text = report("r", "7daysAgo", "2024-01-05T15:00:00Z", row);
        let two = text.replace(r#""dateRanges":["#, r#""dateRanges":[{"startDate":"today","endDate":"today"},"#);
        assert!(detail(&two).contains("2 date ranges, not one"), "{}", detail(&two));
        let backwards = text.replace(r#""endDate":"yesterday""#, r#""endDate":"8daysAgo""#);
        assert!(
            detail(&backwards).contains("ends (2023-12-28) before it starts (2023-12-29)"),
            "{}",
            detail(&backwards)
        );
        let unknown = text.replace("7daysAgo", "lastWeek");
        assert!(detail(&unknown).contains(r#"startDate "lastWeek" is not a date GA4 names"#), "{}", detail(&unknown));
        // last-48-hours.json counts visits by date and hour across all sites: no host to file under.
        let text = r#"{"name":"last-48-hours","query":{"dimensions":[{"name":"date"},{"name":"hour"}],
            "dateRanges":[{"startDate":"yesterday","endDate":"today"}]},
            "data":[{"date":"2024-01-04","hour":"(other)","visits":"869752"}],"taken_at":"2024-01-05T16:06:13.652Z"}"#;
        let detail = rejected(&dap(text)[0]).unwrap().3.to_owned();
        assert!(detail.contains(r#"report "last-48-hours" counts visits by date, hour, not by host name"#), "{detail}");
    }

    #[test]
    fn documents_that_are_not_reports_are_errors_naming_the_report() {
        let err = |text: &str| DapSource::new(Path::new("d.json"), text.as_bytes()).unwrap_err().to_string();
        // users.json is published with its totals only.
        let users = r#"{"name":"users","query":{},"meta":{},"totals":{"visits":97974676},"taken_at":"2024-01-05T15:35:08.448Z"}"#;
        assert!(err(users).contains(r#"report "users" has no "data" array of rows"#), "{}", err(users));
        assert!(err(r#"{"name":"x","data":{}}"#).contains("\"data\" is not an array"));
        assert!(err("7").contains("expected a report object or an array of rows"));
        assert!(err("{").contains("EOF"));
    }

    #[test]
    fn benchmark_values_are_exact() {
        let text = "series,year,value\nacsi_federal_government,2021,63.4\nacsi_federal_government,2021,163.4\n";
        let items = drain(BenchmarkSource::new(Path::new("b.csv"), text.as_bytes()).unwrap());
        assert!(matches!(&items[0], SourceItem::Benchmark(p) if p.value.to_string() == "63.4" && p.year == 2021));
        assert!(matches!(&items[1], SourceItem::Rejected(r) if r.reason.code() == "answer_out_of_range"));
    }
}
