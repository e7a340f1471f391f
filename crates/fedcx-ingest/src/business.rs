//! Business results in long form: `service_id, fy, quarter, metric, value, unit, source`, one number
//! per service, fiscal quarter and metric (docs/balanced-measures.md, "Business results").
//!
//! Columns are found by name in any order and letter case; a BOM and extra columns (notes, links)
//! are tolerated, a duplicated column is not. Each row is checked on its own (the service is in the
//! registry, the fiscal year and quarter are valid, the value is a finite number in a unit its
//! metric allows, not negative where that means nothing), then against the file: a (service,
//! metric) keeps one unit across the file (the first row's, so a later row in another unit is
//! rejected naming that row's line), and a (service, quarter, metric) has one value (every row of a
//! duplicated key is rejected, since which value is right cannot be told). Every row read is
//! accepted or rejected with its line, field and reason.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use fedcx_model::business::BusinessError;
use fedcx_model::traits::Rejection;
use fedcx_model::{BusinessMeasure, FiscalQuarter, Metric, Quarter, Registry, ServiceId, Unit};

use crate::error::IngestError;
use crate::reconcile::{Reconciliation, RejectReason};
use crate::rows::{CsvRows, Produced, Row};

/// The columns of a business-results file, in the documented order.
pub const BUSINESS_HEADER: [&str; 7] = ["service_id", "fy", "quarter", "metric", "value", "unit", "source"];

/// The format's name in errors and summaries.
pub const FORMAT: &str = "business-results";

/// Whether a header (column names, any case, surrounding spaces and quotes ignored) is a
/// business-results file's: it has all seven columns.
pub fn looks_like_business_results<S: AsRef<str>>(header: &[S]) -> bool {
    BUSINESS_HEADER.iter().all(|w| header.iter().any(|c| c.as_ref().trim().trim_matches('"').eq_ignore_ascii_case(w)))
}

/// What reading a business-results file produced.
#[derive(Debug, Default)]
pub struct BusinessRead {
    /// The accepted measures, in file order.
    pub measures: Vec<BusinessMeasure>,
    /// The line each accepted measure starts on (parallel to `measures`).
    pub lines: Vec<u64>,
    /// The rejected rows, in line order.
    pub rejections: Vec<Rejection>,
    /// Accepted and rejected counts, with `read` and the line account set from `produced`.
    pub reconciliation: Reconciliation,
    /// What the file held, counted as it was parsed.
    pub produced: Produced,
}

/// A row that passed the row-level checks, waiting for the file-level ones.
struct Candidate {
    line: u64,
    measure: BusinessMeasure,
    /// The raw text of the unit and metric cells, for a rejection's `raw`.
    unit_raw: String,
    metric_raw: String,
}

/// Reads a business-results file. Only a file that cannot be used at all (empty, unreadable, a
/// required column missing or duplicated) is an error; bad rows are rejections.
pub fn read_business_results<R: Read>(path: &Path, input: R, registry: &Registry) -> Result<BusinessRead, IngestError> {
    let mut rows = CsvRows::open(path, input, &BUSINESS_HEADER.join(","))?;
    rows.forbid_duplicate_columns(FORMAT)?;
    let cols = rows.require(FORMAT, &BUSINESS_HEADER)?;
    let mut out = BusinessRead::default();
    let mut candidates = Vec::new();
    while let Some(row) = rows.next_row()? {
        match parse_row(&row, &cols, registry, &mut out.reconciliation.redactions) {
            Ok((measure, metric_raw, unit_raw)) => {
                candidates.push(Candidate { line: row.line, measure, unit_raw, metric_raw })
            }
            Err(rej) => out.rejections.push(rej),
        }
    }
    out.produced = rows.produced();
    let header = rows.header();
    let (unit_field, metric_field) = (header[cols[5]].clone(), header[cols[3]].clone());

    // One unit per (service, metric): the first row's.
    let mut units: BTreeMap<(ServiceId, Metric), (Unit, u64)> = BTreeMap::new();
    let mut consistent = Vec::with_capacity(candidates.len());
    for c in candidates {
        let key = (c.measure.service().clone(), c.measure.metric().clone());
        let &mut (unit, first) = units.entry(key).or_insert((c.measure.unit(), c.line));
        if unit == c.measure.unit() {
            consistent.push(c);
        } else {
            out.rejections.push(Rejection {
                line: c.line,
                field: Some(unit_field.clone()),
                raw: c.unit_raw,
                reason: RejectReason::InconsistentUnit.into(),
                detail: format!(
                    "{} of {} is in {unit} on line {first}; give every quarter of a service's metric in one unit",
                    c.measure.metric(),
                    c.measure.service()
                ),
            });
        }
    }

    // One value per (service, quarter, metric): every row of a duplicated key is rejected.
    let mut seen: BTreeMap<(ServiceId, FiscalQuarter, Metric), Vec<u64>> = BTreeMap::new();
    for c in &consistent {
        let m = &c.measure;
        seen.entry((m.service().clone(), m.quarter(), m.metric().clone())).or_default().push(c.line);
    }
    for c in consistent {
        let m = &c.measure;
        let lines = &seen[&(m.service().clone(), m.quarter(), m.metric().clone())];
        if lines.len() == 1 {
            out.reconciliation.accept();
            out.lines.push(c.line);
            out.measures.push(c.measure);
            continue;
        }
        let others: Vec<String> = lines.iter().filter(|&&l| l != c.line).map(u64::to_string).collect();
        out.rejections.push(Rejection {
            line: c.line,
            field: Some(metric_field.clone()),
            raw: c.metric_raw,
            reason: RejectReason::DuplicateMeasure.into(),
            detail: format!(
                "{} of {} in {} is also given on line(s) {}; which value is right cannot be told, so none is kept",
                m.metric(),
                m.service(),
                m.quarter(),
                others.join(", ")
            ),
        });
    }
    out.rejections.sort_by_key(|r| r.line);
    for r in &out.rejections {
        out.reconciliation.refuse(r.reason);
    }
    out.produced.record_into(&mut out.reconciliation);
    Ok(out)
}

/// The row-level checks; the metric's and unit's raw text come back for file-level rejections.
/// The `source` cell is free text an analyst typed: personal data in it is redacted (and counted in
/// `redactions`) before it is kept, as for every other free text fedcx stores.
fn parse_row(
    row: &Row<'_>,
    c: &[usize],
    registry: &Registry,
    redactions: &mut BTreeMap<String, u64>,
) -> Result<(BusinessMeasure, String, String), Rejection> {
    row.check_width()?;
    let required = |i: usize, what: &str| -> Result<&str, Rejection> {
        let t = row.get(c[i])?;
        if t.is_empty() {
            return Err(row.reject(c[i], RejectReason::MissingValue, format!("the {what} is empty")));
        }
        Ok(t)
    };
    let service_text = required(0, "service")?;
    let service = registry.service_by_str(service_text).map(|s| s.id.clone()).ok_or_else(|| {
        row.reject(c[0], RejectReason::UnknownService, format!("{service_text:?} is not a service in the registry"))
    })?;
    let fy_text = required(1, "fiscal year")?;
    let digits = fy_text.strip_prefix("FY").or_else(|| fy_text.strip_prefix("fy")).unwrap_or(fy_text);
    let year: u16 = digits
        .parse()
        .map_err(|_| row.reject(c[1], RejectReason::BadQuarter, "expected a fiscal year such as 2024 or FY2024"))?;
    let q_text = required(2, "quarter")?;
    let q_digits = q_text.strip_prefix(['Q', 'q']).unwrap_or(q_text);
    let quarter = q_digits
        .parse::<u8>()
        .map_err(|_| row.reject(c[2], RejectReason::BadQuarter, "expected a quarter 1 to 4 (or Q1 to Q4)"))
        .and_then(|q| Quarter::from_number(q).map_err(|e| row.reject(c[2], RejectReason::BadQuarter, e.to_string())))?;
    let quarter =
        FiscalQuarter::new(year, quarter).map_err(|e| row.reject(c[1], RejectReason::BadQuarter, e.to_string()))?;
    let metric_text = required(3, "metric")?;
    let metric: Metric =
        metric_text.parse().map_err(|e: BusinessError| row.reject(c[3], RejectReason::UnknownMetric, e.to_string()))?;
    let value_text = required(4, "value")?;
    let value: f64 = value_text.parse().ok().filter(|v: &f64| v.is_finite()).ok_or_else(|| {
        row.reject(
            c[4],
            RejectReason::BadValue,
            "expected a finite number such as 12.5 (no thousands separators or units)",
        )
    })?;
    let unit_text = required(5, "unit")?;
    let unit: Unit =
        unit_text.parse().map_err(|e: BusinessError| row.reject(c[5], RejectReason::UnknownUnit, e.to_string()))?;
    let source = crate::redact::redact(required(6, "source")?);
    for (kind, n) in &source.counts {
        *redactions.entry((*kind).to_owned()).or_default() += n;
    }
    let source = source.text;
    let (metric_raw, unit_raw) = (metric_text.to_owned(), unit_text.to_owned());
    let measure = BusinessMeasure::new(service, quarter, metric, value, unit, source).map_err(|e| {
        let (col, code) = match &e {
            BusinessError::UnitNotAllowed { .. } => (5, RejectReason::UnitNotAllowed),
            BusinessError::NotFinite(_) => (4, RejectReason::BadValue),
            BusinessError::Negative { .. } | BusinessError::AboveHundredPercent { .. } => {
                (4, RejectReason::ValueOutOfRange)
            }
            BusinessError::EmptySource => (6, RejectReason::MissingValue),
            BusinessError::UnknownMetric(_) | BusinessError::BadMetricName { .. } => (3, RejectReason::UnknownMetric),
            BusinessError::UnknownUnit(_) => (5, RejectReason::UnknownUnit),
        };
        row.reject(c[col], code, e.to_string())
    })?;
    Ok((measure, metric_raw, unit_raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> BusinessRead {
        read_business_results(Path::new("b.csv"), text.as_bytes(), &Registry::bundled()).unwrap()
    }

    fn reasons(r: &BusinessRead) -> Vec<(u64, &str, Option<&str>)> {
        r.rejections.iter().map(|j| (j.line, j.reason.code(), j.field.as_deref())).collect()
    }

    /// crates/fedcx-ingest/tests/fixtures/business/business-results.csv: agencies' own quarterly numbers from GSA/HISP-CX-Data
    /// (see its .source.md for each row's line in the published file).
    #[test]
    fn the_fixture_of_agencies_reported_numbers_is_read_whole() {
        let text = include_str!("../tests/fixtures/business/business-results.csv");
        let r = read(text);
        assert!(r.rejections.is_empty(), "{:?}", r.rejections);
        let rec = &r.reconciliation;
        // 42 data rows: OPM 3 quarters x 2 metrics, Medicare 7 x 3, Marketplace 5 x 3.
        assert_eq!((rec.read, rec.accepted, rec.rejected), (42, 42, 0));
        assert_eq!(rec.lines.physical, 43);
        assert!(rec.balances());
        let count = |s: &str| r.measures.iter().filter(|m| m.service().as_str() == s).count();
        assert_eq!(
            (
                count("opm-rs-retirement-application"),
                count("hhs-cms-medicare-information"),
                count("hhs-cms-marketplace")
            ),
            (6, 21, 15)
        );
        let find = |s: &str, q: &str, metric: &str| {
            let metric: Metric = metric.parse().unwrap();
            let q: FiscalQuarter = q.parse().unwrap();
            let m = r
                .measures
                .iter()
                .find(|m| m.service().as_str() == s && m.quarter() == q && *m.metric() == metric)
                .unwrap();
            (m.value(), m.unit())
        };
        // Line 244 of the published file: "7,190,179 /10:21 / 7:41"; 7:41 = 7 x 60 + 41 = 461 seconds.
        assert_eq!(find("hhs-cms-medicare-information", "FY2021 Q1", "wait_time"), (461.0, Unit::Seconds));
        assert_eq!(find("hhs-cms-medicare-information", "FY2021 Q1", "other:call_volume"), (7_190_179.0, Unit::Count));
        // Line 410: "31.5 minutes", "88.9 days".
        assert_eq!(find("opm-rs-retirement-application", "FY2022 Q1", "wait_time"), (31.5, Unit::Minutes));
        assert_eq!(find("opm-rs-retirement-application", "FY2022 Q1", "processing_time"), (88.9, Unit::Days));
        // Line 247: handle time 16:47 = 16 x 60 + 47 = 1007 seconds.
        assert_eq!(find("hhs-cms-marketplace", "FY2021 Q1", "other:handle_time"), (1007.0, Unit::Seconds));
        assert!(r.measures[0].source().contains("line 277 (record 245)"));
    }

    #[test]
    fn the_header_is_recognised_in_any_order_and_case() {
        let cols = |s: &str| s.split(',').map(str::to_owned).collect::<Vec<_>>();
        assert!(looks_like_business_results(&cols("service_id,fy,quarter,metric,value,unit,source")));
        assert!(looks_like_business_results(&cols("\"Source\",Unit,VALUE,metric,quarter,fy,service_id,notes")));
        assert!(!looks_like_business_results(&cols("service,channel,quarter,item,point,n")));
        assert!(!looks_like_business_results(&cols("service_id,fy,quarter,metric,value,unit")));
    }

    /// A source note is free text: an e-mail address or a phone number in it never reaches the
    /// store or a report, and the redaction is counted.
    #[test]
    fn personal_data_in_a_source_is_redacted_and_counted() {
        let text = "service_id,fy,quarter,metric,value,unit,source\n\
                    treasury-irs-file-return,2024,2,wait_time,12,minutes,ask jane.doe@example.com or 202-555-0143\n";
        let r = read_business_results(Path::new("b.csv"), text.as_bytes(), &Registry::bundled()).unwrap();
        let kept = r.measures[0].source();
        assert!(!kept.contains("jane.doe") && !kept.contains("555-0143"), "{kept}");
        assert_eq!(r.reconciliation.redactions.values().sum::<u64>(), 2, "{:?}", r.reconciliation.redactions);
        assert!(r.reconciliation.balances());
    }

    #[test]
    fn bom_column_order_and_extra_columns_are_handled() {
        let text = "\u{feff}notes,Source,unit,value,metric,quarter,fy,service_id\n\
                    call centre,OPM report,minutes,11.4,wait_time,Q1,FY2021,opm-rs-retirement-application\n";
        let r = read(text);
        assert_eq!(r.measures.len(), 1, "{:?}", r.rejections);
        let m = &r.measures[0];
        assert_eq!(m.service().as_str(), "opm-rs-retirement-application");
        assert_eq!(m.quarter().to_string(), "FY2021 Q1");
        assert_eq!(
            (m.metric(), m.value(), m.unit(), m.source()),
            (&Metric::WaitTime, 11.4, Unit::Minutes, "OPM report")
        );
        assert_eq!(r.lines, [2]);
        assert!(r.reconciliation.balances());
    }

    #[test]
    fn every_bad_row_is_rejected_with_line_field_and_reason() {
        let s = "opm-rs-retirement-application";
        let text = format!(
            "service_id,fy,quarter,metric,value,unit,source\n\
             no-such-service,2021,1,wait_time,3,minutes,x\n\
             {s},2021,5,wait_time,3,minutes,x\n\
             {s},20x1,1,wait_time,3,minutes,x\n\
             {s},2021,1,wait_tme,3,minutes,x\n\
             {s},2021,1,wait_time,NaN,minutes,x\n\
             {s},2021,1,backlog,-4,count,x\n\
             {s},2021,1,processing_time,30,dollars,x\n\
             {s},2021,1,level_of_service,101,percent,x\n\
             {s},2021,1,wait_time,3,fortnights,x\n\
             {s},2021,1,wait_time,3,minutes,\n\
             {s},2021,1,wait_time,3\n\
             {s},2021,1,wait_time,,minutes,x\n"
        );
        let r = read(&text);
        assert!(r.measures.is_empty());
        assert_eq!(
            reasons(&r),
            [
                (2, "unknown_service", Some("service_id")),
                (3, "bad_quarter", Some("quarter")),
                (4, "bad_quarter", Some("fy")),
                (5, "unknown_metric", Some("metric")),
                (6, "bad_value", Some("value")),
                (7, "value_out_of_range", Some("value")),
                (8, "unit_not_allowed", Some("unit")),
                (9, "value_out_of_range", Some("value")),
                (10, "unknown_unit", Some("unit")),
                (11, "missing_value", Some("source")),
                (12, "wrong_field_count", None),
                (13, "missing_value", Some("value")),
            ]
        );
        let rec = &r.reconciliation;
        assert_eq!((rec.read, rec.accepted, rec.rejected), (12, 0, 12));
        assert!(rec.balances(), "{:?}", rec.imbalance());
        assert!(r.rejections[6]
            .detail
            .contains("processing_time cannot be in dollars (expected hours or days or months)"));
    }

    #[test]
    fn units_stay_consistent_and_duplicates_keep_nothing() {
        let s = "hhs-cms-medicare-information";
        let text = format!(
            "service_id,fy,quarter,metric,value,unit,source\n\
             {s},2022,1,wait_time,403,seconds,a\n\
             {s},2022,2,wait_time,4.27,minutes,a\n\
             {s},2022,3,wait_time,259,seconds,a\n\
             {s},2022,3,wait_time,260,seconds,b\n\
             {s},2022,4,wait_time,234,seconds,a\n\
             hhs-cms-marketplace,2022,2,wait_time,1.4,minutes,a\n"
        );
        let r = read(&text);
        // Line 3 is in minutes where line 2 set seconds; lines 4 and 5 give FY2022 Q3 twice; the
        // marketplace's own first row may use minutes.
        assert_eq!(
            reasons(&r),
            [
                (3, "inconsistent_unit", Some("unit")),
                (4, "duplicate_measure", Some("metric")),
                (5, "duplicate_measure", Some("metric"))
            ]
        );
        assert!(r.rejections[0].detail.contains("is in seconds on line 2"), "{}", r.rejections[0].detail);
        assert!(r.rejections[1].detail.contains("also given on line(s) 5"), "{}", r.rejections[1].detail);
        assert_eq!(r.lines, [2, 6, 7]);
        let rec = &r.reconciliation;
        assert_eq!((rec.read, rec.accepted, rec.rejected), (6, 3, 3));
        assert_eq!(rec.rejected_by_reason[&RejectReason::DuplicateMeasure], 2);
        assert!(rec.balances());
    }

    #[test]
    fn an_unusable_file_is_an_error_naming_what_is_missing() {
        let registry = Registry::bundled();
        let err = read_business_results(Path::new("b.csv"), &b"service_id,fy,quarter,value\n"[..], &registry)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(
                "b.csv: the header lacks required column(s) metric, unit, source for format business-results"
            ),
            "{err}"
        );
        let err = read_business_results(Path::new("b.csv"), &b""[..], &registry).unwrap_err().to_string();
        assert!(err.contains("service_id,fy,quarter,metric,value,unit,source"), "{err}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

        /// Whatever the rows, nothing panics and every row read is accepted or rejected.
        #[test]
        fn any_rows_are_accounted_for(
            body in proptest::collection::vec(proptest::option::of("[a-z0-9,.\n -]{0,40}"), 0..12),
        ) {
            let valid = "hhs-cms-marketplace,2023,1,wait_time,74,seconds,x";
            let rows: Vec<&str> = body.iter().map(|r| r.as_deref().unwrap_or(valid)).collect();
            let text = format!("service_id,fy,quarter,metric,value,unit,source\n{}", rows.join("\n"));
            let r = read_business_results(Path::new("p.csv"), text.as_bytes(), &Registry::bundled()).unwrap();
            let rec = &r.reconciliation;
            proptest::prop_assert!(rec.balances(), "{:?}", rec.imbalance());
            proptest::prop_assert_eq!(rec.accepted as usize, r.measures.len());
        }
    }
}
