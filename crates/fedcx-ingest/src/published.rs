//! performance.gov's FY2019-20 HISP data, the only public history of those years: per service and
//! quarter, the volumes and the mean of each driver on the 1-5 answer scale. The site kept it in
//! three CSV layouts under `_data/` (see `tests/fixtures/performance-gov/`), all read here as one
//! format and told apart by their headers:
//!
//! - one file per service, `cx/hisp/<service>.csv`: `hisp_service_id, year, quarter, touchpoint,
//!   surveys_offered_count, response_count` and a column per driver (`satisfied, trust, effective,
//!   easy, efficient, transparent, employee`);
//! - `hisp-question-details.csv`: `hisp, service, year, quarter, question, average_score,
//!   description`, one driver a row;
//! - `hisp-quarterly-data.csv`: `hisp, service, year, quarter, universe, surveyed, respondents,
//!   response_rate`, the volumes alone.
//!
//! `year` and `quarter` are the fiscal year and quarter, as the site labelled its charts
//! ("CX Results for Q2 FY2020"). Services are named by performance.gov's ids (`va-vha`, `treas-irs`,
//! or `hisp` and `service` joined by a hyphen), resolved through the registry's aliases. Means are
//! kept exactly as published and never become a share who agree.

use std::io::Read;
use std::path::Path;
use std::str::FromStr;

use fedcx_model::traits::{Rejection, ResponseSource, SourceItem};
use fedcx_model::{Driver, FiscalQuarter, PublishedMeans, Quarter, Registry};
use rust_decimal::Decimal;

use crate::error::IngestError;
use crate::reconcile::RejectReason;
use crate::rows::{Counted, CsvRows, Produced, Row};

/// The columns that mark the per-service layout (`_data/cx/hisp/<service>.csv`).
pub const SERVICE_FILE_COLUMNS: [&str; 3] = ["hisp_service_id", "year", "quarter"];

/// The columns that mark the one-driver-a-row layout (`_data/hisp-question-details.csv`).
pub const QUESTION_COLUMNS: [&str; 6] = ["hisp", "service", "year", "quarter", "question", "average_score"];

/// The columns that mark the volumes layout (`_data/hisp-quarterly-data.csv`).
pub const VOLUME_COLUMNS: [&str; 5] = ["hisp", "service", "year", "quarter", "respondents"];

/// The per-service layout's driver columns, in the site's order.
pub const DRIVER_COLUMNS: [(&str, Driver); 7] = [
    ("satisfied", Driver::Satisfaction),
    ("trust", Driver::Trust),
    ("effective", Driver::Effectiveness),
    ("easy", Driver::Ease),
    ("efficient", Driver::Efficiency),
    ("transparent", Driver::Transparency),
    ("employee", Driver::Employee),
];

/// The `question` names of the one-driver-a-row layout.
pub const QUESTION_NAMES: [(&str, Driver); 7] = [
    ("Satisfaction", Driver::Satisfaction),
    ("Trust / Confidence", Driver::Trust),
    ("Service Effectiveness", Driver::Effectiveness),
    ("Process / Ease", Driver::Ease),
    ("Efficiency", Driver::Efficiency),
    ("Process Transparency", Driver::Transparency),
    ("Helpful Employees", Driver::Employee),
];

/// Which of performance.gov's layouts a file has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One file per service, a column per driver.
    ServiceFile,
    /// One driver a row.
    Questions,
    /// Volumes only.
    Volumes,
}

impl Layout {
    /// The layout a header (column names, any case) has, if it is one of performance.gov's.
    pub fn of_header<S: AsRef<str>>(columns: &[S]) -> Option<Layout> {
        let has_all =
            |wanted: &[&str]| wanted.iter().all(|w| columns.iter().any(|c| c.as_ref().eq_ignore_ascii_case(w)));
        if has_all(&SERVICE_FILE_COLUMNS) {
            Some(Layout::ServiceFile)
        } else if has_all(&QUESTION_COLUMNS) {
            Some(Layout::Questions)
        } else if has_all(&VOLUME_COLUMNS) {
            Some(Layout::Volumes)
        } else {
            None
        }
    }
}

/// Where each field is in the header.
#[derive(Debug)]
struct Columns {
    /// `hisp_service_id`, or `hisp` then `service`.
    service: (usize, Option<usize>),
    year: usize,
    quarter: usize,
    touchpoint: Option<usize>,
    customers: Option<usize>,
    surveyed: Option<usize>,
    respondents: Option<usize>,
    /// The per-service layout's driver columns present.
    drivers: Vec<(usize, Driver)>,
    /// The one-driver-a-row layout's `question` and `average_score`.
    question: Option<(usize, usize)>,
}

/// Reads any of performance.gov's three layouts, one [`PublishedMeans`] a row.
#[derive(Debug)]
pub struct PublishedSource<'a, R: Read> {
    rows: CsvRows<R>,
    layout: Layout,
    cols: Columns,
    registry: &'a Registry,
}

impl<'a, R: Read> PublishedSource<'a, R> {
    /// Opens the file and tells its layout from the header.
    pub fn new(path: &Path, input: R, registry: &'a Registry) -> Result<Self, IngestError> {
        let rows = CsvRows::open(path, input, &SERVICE_FILE_COLUMNS.join(","))?;
        rows.forbid_duplicate_columns("performance-gov")?;
        let Some(layout) = Layout::of_header(rows.header()) else {
            // Names what the per-service layout lacks; the other layouts are in the format's docs.
            rows.require("performance-gov", &SERVICE_FILE_COLUMNS)?;
            return Err(IngestError::BadHeader {
                path: path.to_owned(),
                format: "performance-gov",
                why: "the header is none of performance.gov's three layouts".to_owned(),
            });
        };
        let find = |name: &str| rows.find(name);
        let cols = match layout {
            Layout::ServiceFile => {
                let c = rows.require("performance-gov", &SERVICE_FILE_COLUMNS)?;
                Columns {
                    service: (c[0], None),
                    year: c[1],
                    quarter: c[2],
                    touchpoint: find("touchpoint"),
                    customers: None,
                    surveyed: find("surveys_offered_count"),
                    respondents: find("response_count"),
                    drivers: DRIVER_COLUMNS.iter().filter_map(|(name, d)| find(name).map(|i| (i, *d))).collect(),
                    question: None,
                }
            }
            Layout::Questions => {
                let c = rows.require("performance-gov", &QUESTION_COLUMNS)?;
                Columns {
                    service: (c[0], Some(c[1])),
                    year: c[2],
                    quarter: c[3],
                    touchpoint: None,
                    customers: None,
                    surveyed: None,
                    respondents: None,
                    drivers: Vec::new(),
                    question: Some((c[4], c[5])),
                }
            }
            Layout::Volumes => {
                let c = rows.require("performance-gov", &VOLUME_COLUMNS)?;
                Columns {
                    service: (c[0], Some(c[1])),
                    year: c[2],
                    quarter: c[3],
                    touchpoint: None,
                    customers: find("universe"),
                    surveyed: find("surveyed"),
                    respondents: Some(c[4]),
                    drivers: Vec::new(),
                    question: None,
                }
            }
        };
        Ok(PublishedSource { rows, layout, cols, registry })
    }

    /// The layout the header showed.
    pub fn layout(&self) -> Layout {
        self.layout
    }
}

impl<R: Read> Counted for PublishedSource<'_, R> {
    fn produced(&self) -> Produced {
        self.rows.produced()
    }

    fn limit_record_lines(&mut self, n: u64) {
        self.rows.set_max_record_lines(n);
    }
}

impl<R: Read> ResponseSource for PublishedSource<'_, R> {
    type Error = IngestError;

    fn next_item(&mut self) -> Result<Option<SourceItem>, IngestError> {
        let registry = self.registry;
        let Some(row) = self.rows.next_row()? else { return Ok(None) };
        Ok(Some(match parse_row(&row, &self.cols, registry) {
            Ok(p) => SourceItem::PublishedMeans(Box::new(p)),
            Err(rej) => SourceItem::Rejected(rej),
        }))
    }
}

fn parse_row(row: &Row<'_>, c: &Columns, registry: &Registry) -> Result<PublishedMeans, Rejection> {
    row.check_width()?;
    let (id, at) = match c.service {
        (i, None) => (row.get(i)?.to_owned(), i),
        (hisp, Some(service)) => (format!("{}-{}", row.get(hisp)?, row.get(service)?), service),
    };
    if id.trim_matches('-').is_empty() {
        return Err(row.reject(at, RejectReason::MissingValue, "the service id is empty"));
    }
    let service = registry.service_by_str(&id).map(|s| s.id.clone()).ok_or_else(|| {
        row.reject(
            at,
            RejectReason::UnknownService,
            format!("performance.gov service {id:?} is not a service or alias in the registry"),
        )
    })?;
    let year: u16 = row
        .get(c.year)?
        .parse()
        .map_err(|_| row.reject(c.year, RejectReason::BadQuarter, "expected a fiscal year such as 2020"))?;
    let number: u8 = row
        .get(c.quarter)?
        .parse()
        .map_err(|_| row.reject(c.quarter, RejectReason::BadQuarter, "expected a quarter 1 to 4"))?;
    let quarter = Quarter::from_number(number)
        .and_then(|q| FiscalQuarter::new(year, q))
        .map_err(|e| row.reject(c.quarter, RejectReason::BadQuarter, e.to_string()))?;
    let optional_count = |i: Option<usize>| i.map_or(Ok(None), |i| count(row, i));
    let mut p = PublishedMeans {
        service,
        quarter,
        touchpoint: c.touchpoint.map_or(Ok(""), |i| row.get(i))?.to_owned(),
        customers: optional_count(c.customers)?,
        surveyed: optional_count(c.surveyed)?,
        respondents: optional_count(c.respondents)?,
        means: Default::default(),
    };
    for &(i, driver) in &c.drivers {
        if let Some(m) = mean(row, i)? {
            p.means.insert(driver, m);
        }
    }
    if let Some((q, score)) = c.question {
        let name = row.get(q)?;
        let driver =
            QUESTION_NAMES.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, d)| *d).ok_or_else(|| {
                row.reject(q, RejectReason::UnknownLabel, "not one of performance.gov's seven question names")
            })?;
        let m = mean(row, score)?.ok_or_else(|| {
            row.reject(
                score,
                RejectReason::MissingValue,
                "performance.gov published no mean for this driver and quarter",
            )
        })?;
        p.means.insert(driver, m);
    }
    if let (Some(s), Some(r)) = (p.surveyed, p.respondents) {
        if r > s {
            let i = c.respondents.unwrap_or(at);
            return Err(row.reject(
                i,
                RejectReason::BadCount,
                format!("{r} respondents is more than the {s} surveyed"),
            ));
        }
    }
    if let (Some(u), Some(s)) = (p.customers, p.surveyed) {
        if s > u {
            let i = c.surveyed.unwrap_or(at);
            return Err(row.reject(i, RejectReason::BadCount, format!("{s} surveyed is more than the {u} customers")));
        }
    }
    if p.means.is_empty() && p.customers.is_none() && p.surveyed.is_none() && p.respondents.is_none() {
        return Err(row.reject(at, RejectReason::MissingValue, "the row has neither volumes nor means"));
    }
    Ok(p)
}

/// A published mean on the 1-5 scale, exactly as written; empty or "No Data" is none.
fn mean(row: &Row<'_>, i: usize) -> Result<Option<Decimal>, Rejection> {
    let t = row.get(i)?;
    if t.is_empty() || t.eq_ignore_ascii_case("no data") {
        return Ok(None);
    }
    let one = Decimal::ONE;
    let five = Decimal::from(5);
    Decimal::from_str(t).ok().filter(|v| (one..=five).contains(v)).map(Some).ok_or_else(|| {
        row.reject(
            i,
            RejectReason::AnswerOutOfRange,
            "expected a mean from 1 to 5 (the published 1-5 scale) or \"No Data\"",
        )
    })
}

/// A volume, written plain (`1808680`) or with thousands separators (`"1,808,680"`).
fn count(row: &Row<'_>, i: usize) -> Result<Option<u64>, Rejection> {
    let t = row.get(i)?;
    if t.is_empty() {
        return Ok(None);
    }
    let digits = plain_digits(t)
        .ok_or_else(|| row.reject(i, RejectReason::BadCount, "expected a whole number such as 1808680 or 1,808,680"))?;
    let too_large = || {
        row.reject(
            i,
            RejectReason::CountTooLarge,
            format!("{t} is above {}, the largest count fedcx accepts", fedcx_model::MAX_COUNT),
        )
    };
    let n: u64 = digits.parse().map_err(|_| too_large())?;
    if n > fedcx_model::MAX_COUNT {
        return Err(too_large());
    }
    Ok(Some(n))
}

/// The digits of a whole number, with well-placed thousands separators removed.
fn plain_digits(t: &str) -> Option<String> {
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mut groups = t.split(',');
    let first = groups.next()?;
    if !all_digits(first) || (t.contains(',') && first.len() > 3) {
        return None;
    }
    let mut out = first.to_owned();
    for g in groups {
        if g.len() != 3 || !all_digits(g) {
            return None;
        }
        out.push_str(g);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(text: &str) -> Vec<SourceItem> {
        let registry = Registry::bundled();
        let mut src = PublishedSource::new(Path::new("p.csv"), text.as_bytes(), &registry).unwrap();
        let mut v = Vec::new();
        while let Some(i) = src.next_item().unwrap() {
            v.push(i);
        }
        v
    }

    fn published(item: &SourceItem) -> &PublishedMeans {
        match item {
            SourceItem::PublishedMeans(p) => p,
            other => panic!("expected published means, got {other:?}"),
        }
    }

    fn rejected(item: &SourceItem) -> &Rejection {
        match item {
            SourceItem::Rejected(r) => r,
            other => panic!("expected a rejection, got {other:?}"),
        }
    }

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn layouts_are_told_from_their_headers() {
        let cols = |s: &str| s.split(',').map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(
            Layout::of_header(&cols("hisp_service_id,year,quarter,touchpoint,response_count,trust")),
            Some(Layout::ServiceFile)
        );
        assert_eq!(
            Layout::of_header(&cols("hisp,service,year,quarter,question,average_score,description")),
            Some(Layout::Questions)
        );
        assert_eq!(
            Layout::of_header(&cols("HISP,Service,Year,Quarter,universe,surveyed,respondents,response_rate")),
            Some(Layout::Volumes)
        );
        assert_eq!(Layout::of_header(&cols("service_id,data_public,data_available")), None);
    }

    #[test]
    fn a_service_file_row_keeps_volumes_and_every_mean_exactly() {
        let text = "hisp_service_id,year,quarter,touchpoint,surveys_offered_count,response_count,satisfied,trust,effective,easy,efficient,transparent,employee\n\
                    va-vha,2020,2,\"Post-visit email survey\",1860215,305079,4.38,4.28,4.35,4.32,4.27,4.40,4.38\n";
        let items = drain(text);
        assert_eq!(items.len(), 1);
        let p = published(&items[0]);
        assert_eq!(p.service.as_str(), "va-vha-outpatient-care", "va-vha resolves through the registry's alias");
        assert_eq!(p.quarter, "FY2020 Q2".parse().unwrap());
        assert_eq!(p.touchpoint, "Post-visit email survey");
        assert_eq!((p.customers, p.surveyed, p.respondents), (None, Some(1_860_215), Some(305_079)));
        let means: Vec<(Driver, String)> = p.means.iter().map(|(k, v)| (*k, v.to_string())).collect();
        let expected = [
            (Driver::Satisfaction, "4.38"),
            (Driver::Trust, "4.28"),
            (Driver::Effectiveness, "4.35"),
            (Driver::Ease, "4.32"),
            (Driver::Efficiency, "4.27"),
            // Trailing zeros kept as published.
            (Driver::Transparency, "4.40"),
            (Driver::Employee, "4.38"),
        ];
        assert_eq!(means, expected.map(|(k, v)| (k, v.to_owned())));
    }

    #[test]
    fn question_rows_carry_one_mean_and_no_data_is_a_counted_rejection() {
        let text = "hisp,service,year,quarter,question,average_score,description\n\
                    va,vha,2019,4,Trust / Confidence,4.39,\"Agreed \"\"This increased my trust/confidence in the service\"\"\"\n\
                    va,vha,2019,1,Satisfaction,No Data,This survey question is currently fielded and expected in Q3\n\
                    va,vha,2019,4,Happiness,4.1,x\n\
                    va,vha,2019,4,Efficiency,5.2,x\n\
                    va,nope,2019,4,Efficiency,4.2,x\n\
                    va,vha,2019,5,Efficiency,4.2,x\n";
        let items = drain(text);
        let p = published(&items[0]);
        assert_eq!((p.quarter.compact(), p.means.len()), ("FY2019Q4".to_owned(), 1));
        assert_eq!(p.means[&Driver::Trust], d("4.39"));
        assert_eq!(p.respondents, None);
        let reasons: Vec<(&str, u64)> =
            items[1..].iter().map(|i| (rejected(i).reason.code(), rejected(i).line)).collect();
        assert_eq!(
            reasons,
            [
                ("missing_value", 3),
                ("unknown_label", 4),
                ("answer_out_of_range", 5),
                ("unknown_service", 6),
                ("bad_quarter", 7)
            ]
        );
        assert!(rejected(&items[4]).detail.contains("\"va-nope\""), "{:?}", rejected(&items[4]));
    }

    #[test]
    fn volume_rows_read_thousands_separators_and_refuse_impossible_counts() {
        let text = "hisp,service,year,quarter,universe,surveyed,respondents,response_rate\n\
                    va,vha,2020,1,\"8,586,476\",\"1,808,680\",\"304,687\",17%\n\
                    va,vha,2019,4,\"8,616,178\",\"1,924,646\",\"19,924,646\",16%\n\
                    va,vha,2019,3,\"86,56,645\",1,1,17%\n\
                    va,vha,2019,2,,,,\n";
        let items = drain(text);
        let p = published(&items[0]);
        assert_eq!((p.customers, p.surveyed, p.respondents), (Some(8_586_476), Some(1_808_680), Some(304_687)));
        assert!(p.means.is_empty());
        assert_eq!(rejected(&items[1]).reason.code(), "bad_count");
        assert!(rejected(&items[1]).detail.contains("more than the 1924646 surveyed"));
        assert_eq!(rejected(&items[2]).reason.code(), "bad_count");
        assert_eq!(rejected(&items[3]).reason.code(), "missing_value");
    }

    #[test]
    fn separators_must_be_well_placed() {
        assert_eq!(plain_digits("1,808,680").as_deref(), Some("1808680"));
        assert_eq!(plain_digits("305079").as_deref(), Some("305079"));
        for bad in ["", ",1", "1,80", "1234,567", "1,,000", "-1", "1.5", "1,000,"] {
            assert_eq!(plain_digits(bad), None, "{bad:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

        /// Whatever follows a header of any layout, the file is read without a panic and every row
        /// is accepted or rejected (the ingestor fails a file that does not balance).
        #[test]
        fn any_rows_are_accounted_for(
            layout in 0usize..3,
            body in proptest::collection::vec(
                proptest::option::of("[a-z0-9,\".\n -]{0,40}"),
                0..12,
            ),
        ) {
            let (header, valid) = [
                (
                    "hisp_service_id,year,quarter,touchpoint,surveys_offered_count,response_count,trust,easy",
                    "va-vha,2020,2,email,1860215,305079,4.28,4.32",
                ),
                ("hisp,service,year,quarter,question,average_score,description", "va,vha,2019,4,Efficiency,4.54,x"),
                (
                    "hisp,service,year,quarter,universe,surveyed,respondents,response_rate",
                    "va,vha,2020,1,\"8,586,476\",\"1,808,680\",\"304,687\",17%",
                ),
            ][layout];
            // `None` is a valid row of the layout, so files mix accepted and rejected rows.
            let rows: Vec<&str> = body.iter().map(|r| r.as_deref().unwrap_or(valid)).collect();
            let text = format!("{header}\n{}", rows.join("\n"));
            let registry = Registry::bundled();
            let mut ing = crate::Ingestor::new(&registry, crate::IngestConfig { threads: 1, ..Default::default() });
            let path = Path::new("p.csv");
            match ing.ingest_bytes(path, text.as_bytes(), &crate::Reader::Format(crate::Format::PerformanceGov)) {
                Ok(report) => {
                    let r = &report.reconciliation;
                    proptest::prop_assert_eq!(r.read, r.accepted + r.rejected);
                }
                // A stray quote open at the end of the input is a whole-file error, by design.
                Err(e) => proptest::prop_assert!(e.to_string().contains("quote"), "{}", e),
            }
        }
    }

    #[test]
    fn a_header_of_no_layout_names_the_missing_columns() {
        let registry = Registry::bundled();
        let err = PublishedSource::new(Path::new("p.csv"), &b"service_id,data_public\nx,y\n"[..], &registry)
            .unwrap_err()
            .to_string();
        assert!(err.contains("hisp_service_id, year, quarter"), "{err}");
    }
}
