//! OPM Federal Employee Viewpoint Survey (FEVS) files: the respondent-level public release data
//! file (PRDF) and OPM's published by-agency index tables.
//!
//! **PRDF** ([`read_prdf`]): one row per respondent, columns `AGENCY, LEVEL1, <demographics>,
//! Q1..Qn, POSTWT, RANDOM` (OPM's PRDF codebooks; `LEVEL1` only in the years OPM publishes it, 2019
//! and 2024 among recent files). Answers are `1`-`5`, `X` (do not know / no basis to judge) or
//! blank (not answered, or masked). The file has **no year column** in most years, so the caller
//! names the survey year ([`PrdfConfig::year`]); where a `YEAR` column exists (2023), every row must
//! agree with it. Rows are aggregated as they stream into weighted counts per (unit, item)
//! ([`FevsCounts`]), each respondent counted for its agency and, when `LEVEL1` is given, its
//! sub-agency; no row is kept. Every row is used or rejected with its line, field and reason, and
//! `read = accepted + rejected` is checked ([`Reconciliation`]).
//!
//! **Index table** ([`read_index_table`]): OPM's EEI or GSI spreadsheet saved as CSV, one row per
//! agency (its name, optionally a code) and one column per survey year (`2020`, `percentage_2020`,
//! `EEI 2021`...). Empty or dash cells are "not published", never 0.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use fedcx_model::fevs::{
    FevsAgency, FevsAnswer, FevsCounts, FevsPoint, FevsSubAgency, FevsUnit, ItemNumber, Measured, NotMeasured, Percent,
    SurveyYear, WeightedItem,
};
use fedcx_model::traits::Rejection;

use crate::error::IngestError;
use crate::reconcile::{Reconciliation, RejectReason};
use crate::rows::{CsvRows, Row};

/// The format names used in errors.
pub const PRDF_FORMAT: &str = "fevs-prdf";
/// The index table's format name.
pub const INDEX_TABLE_FORMAT: &str = "fevs-index-table";

/// The item number of a PRDF column named `Q<n>` (any case), e.g. `Q12` -> 12.
fn item_column(name: &str) -> Option<ItemNumber> {
    let rest = name.strip_prefix('Q').or_else(|| name.strip_prefix('q'))?;
    if rest.is_empty() || rest.len() > 4 || !rest.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    rest.parse().ok().map(ItemNumber)
}

/// Whether a header is a FEVS PRDF's: `AGENCY` and `POSTWT` columns and at least one `Q<n>` item.
pub fn looks_like_prdf<S: AsRef<str>>(header: &[S]) -> bool {
    let has = |n: &str| header.iter().any(|h| h.as_ref().trim().eq_ignore_ascii_case(n));
    has("AGENCY") && has("POSTWT") && header.iter().any(|h| item_column(h.as_ref().trim()).is_some())
}

/// The survey year a column header names (`2020`, `percentage_2020`, `EEI 2021`), if exactly one
/// four-digit year from 2002 to 2100 stands alone in it.
fn year_column(name: &str) -> Option<SurveyYear> {
    let mut found = None;
    for part in name.split(|c: char| !c.is_ascii_digit()) {
        if part.len() == 4 {
            if let Ok(y) = part.parse::<u16>() {
                if let Ok(y) = SurveyYear::new(y) {
                    if found.is_some() {
                        return None;
                    }
                    found = Some(y);
                }
            }
        }
    }
    found
}

fn is_code_column(name: &str) -> bool {
    let n = name.trim().to_ascii_lowercase();
    n == "agency_code" || n == "agency code" || n == "code" || n == "agencycode"
}

fn name_column(header: &[impl AsRef<str>]) -> Option<usize> {
    header.iter().position(|h| {
        let h = h.as_ref().trim();
        h.to_ascii_lowercase().contains("agency") && !is_code_column(h) && year_column(h).is_none()
    })
}

/// Whether a header is an OPM by-agency index table's: a column naming the agency and at least one
/// column per survey year, and no `POSTWT` (which would make it a PRDF).
pub fn looks_like_index_table<S: AsRef<str>>(header: &[S]) -> bool {
    !header.iter().any(|h| h.as_ref().trim().eq_ignore_ascii_case("POSTWT"))
        && name_column(header).is_some()
        && header.iter().any(|h| year_column(h.as_ref()).is_some())
}

// ---------------------------------------------------------------------------------------------
// PRDF
// ---------------------------------------------------------------------------------------------

/// How to read a PRDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrdfConfig {
    /// The survey year: PRDF files carry no year column (the 2023 file's `YEAR` is checked
    /// against it), so the caller names it, e.g. from the file the user downloaded.
    pub year: SurveyYear,
}

/// What a PRDF gave.
#[derive(Debug, Clone, PartialEq)]
pub struct PrdfRead {
    /// Weighted counts per unit and item, for the configured year.
    pub counts: FevsCounts,
    /// The rows' accounting: `read` and the lines counted by the CSV reader, `accepted` (rows
    /// aggregated) and `rejected` where each row was classified.
    pub reconciliation: Reconciliation,
    /// Each rejected row, in file order.
    pub rejections: Vec<Rejection>,
}

/// The columns a PRDF is read through.
struct PrdfColumns {
    agency: usize,
    level1: Option<usize>,
    weight: usize,
    year: Option<usize>,
    /// `(column, item)` for every `Q<n>` column.
    items: Vec<(usize, ItemNumber)>,
}

/// Per-unit sums while streaming, indexed like `PrdfColumns::items` (no map lookup per item).
type Sums = HashMap<FevsUnit, (u64, f64, Vec<WeightedItem>)>;

/// Reads a PRDF, aggregating weighted answers per agency, sub-agency and item. Only a file that
/// cannot be read at all (no `AGENCY`, `POSTWT` or item columns, duplicate columns, bad CSV) is an
/// error; a bad row is a rejection and reading goes on.
pub fn read_prdf<R: Read>(path: &Path, input: R, config: &PrdfConfig) -> Result<PrdfRead, IngestError> {
    let mut rows = CsvRows::open(path, input, "AGENCY,LEVEL1,<demographics>,Q1..Qn,POSTWT,RANDOM")?;
    rows.forbid_duplicate_columns(PRDF_FORMAT)?;
    let req = rows.require(PRDF_FORMAT, &["AGENCY", "POSTWT"])?;
    let items: Vec<(usize, ItemNumber)> =
        rows.header().iter().enumerate().filter_map(|(i, h)| item_column(h).map(|q| (i, q))).collect();
    if items.is_empty() {
        return Err(IngestError::MissingColumns {
            path: path.to_owned(),
            format: PRDF_FORMAT,
            missing: vec!["Q1..Qn (item columns)".to_owned()],
            found: rows.header().to_vec(),
        });
    }
    let cols = PrdfColumns {
        agency: req[0],
        level1: rows.find("LEVEL1"),
        weight: req[1],
        year: rows.find("YEAR").or_else(|| rows.find("SURVEY_YEAR")),
        items,
    };
    let mut sums: Sums = HashMap::new();
    let mut answers: Vec<FevsAnswer> = Vec::with_capacity(cols.items.len());
    let mut rec = Reconciliation::default();
    let mut rejections = Vec::new();
    while let Some(row) = rows.next_row()? {
        match parse_row(&row, &cols, config.year, &mut answers) {
            Ok((agency, sub, weight)) => {
                rec.accept();
                add(&mut sums, FevsUnit::Agency(agency), weight, &answers, cols.items.len());
                if let Some(sub) = sub {
                    add(&mut sums, FevsUnit::SubAgency(sub), weight, &answers, cols.items.len());
                }
            }
            Err(r) => {
                rec.refuse(r.reason);
                rejections.push(r);
            }
        }
    }
    rows.produced().record_into(&mut rec);
    let mut counts = FevsCounts::new(config.year);
    for (unit, (n, w, per_item)) in sums {
        counts.respondents.insert(unit, (n, w));
        let m = counts.items.entry(unit).or_default();
        for ((_, item), c) in cols.items.iter().zip(per_item) {
            m.insert(*item, c);
        }
    }
    Ok(PrdfRead { counts, reconciliation: rec, rejections })
}

fn add(sums: &mut Sums, unit: FevsUnit, weight: f64, answers: &[FevsAnswer], n_items: usize) {
    let e = sums.entry(unit).or_insert_with(|| (0, 0.0, vec![WeightedItem::default(); n_items]));
    e.0 += 1;
    e.1 += weight;
    for (c, a) in e.2.iter_mut().zip(answers) {
        c.add(*a, weight);
    }
}

/// Checks one row completely before anything is counted: a row is used whole or rejected whole.
fn parse_row(
    row: &Row<'_>,
    cols: &PrdfColumns,
    year: SurveyYear,
    answers: &mut Vec<FevsAnswer>,
) -> Result<(FevsAgency, Option<FevsSubAgency>, f64), Rejection> {
    row.check_width()?;
    let agency: FevsAgency = row.get(cols.agency)?.parse().map_err(|_| {
        row.reject(cols.agency, RejectReason::BadFevsAgency, "expected a two-letter FEVS agency code, e.g. TR")
    })?;
    let sub = match cols.level1 {
        None => None,
        Some(i) => {
            let text = row.get(i)?;
            if text.is_empty() {
                None
            } else {
                let sub: FevsSubAgency = text.parse().map_err(|_| {
                    row.reject(
                        i,
                        RejectReason::BadFevsLevel1,
                        "expected a four-character FEVS LEVEL1 code, e.g. TR93, or blank",
                    )
                })?;
                if sub.agency() != agency {
                    return Err(row.reject(
                        i,
                        RejectReason::Level1AgencyMismatch,
                        format!("LEVEL1 {sub} belongs to agency {}, but the row's AGENCY is {agency}", sub.agency()),
                    ));
                }
                Some(sub)
            }
        }
    };
    if let Some(i) = cols.year {
        let text = row.get(i)?;
        if text.parse::<u16>().ok() != Some(year.get()) {
            return Err(row.reject(
                i,
                RejectReason::YearMismatch,
                format!("expected the survey year {year} the file was read as"),
            ));
        }
    }
    let weight_text = row.get(cols.weight)?;
    let weight = weight_text.parse::<f64>().ok().filter(|w| w.is_finite() && *w > 0.0).ok_or_else(|| {
        row.reject(cols.weight, RejectReason::BadWeight, "expected POSTWT, the respondent's weight: a number above 0")
    })?;
    answers.clear();
    for &(i, _) in &cols.items {
        let a = match row.get(i)? {
            "" => FevsAnswer::Blank,
            "X" | "x" => FevsAnswer::DontKnow,
            t => match t.parse::<u8>().ok().and_then(FevsPoint::new) {
                Some(p) => FevsAnswer::Scale(p),
                None => {
                    return Err(row.reject(
                        i,
                        RejectReason::UnknownAnswerCode,
                        "expected an answer code 1 to 5, X (do not know) or blank",
                    ))
                }
            },
        };
        answers.push(a);
    }
    Ok((agency, sub, weight))
}

// ---------------------------------------------------------------------------------------------
// Index tables
// ---------------------------------------------------------------------------------------------

/// One agency's row of a published index table.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexTableRow {
    /// The line the row starts on.
    pub line: u64,
    /// The agency's name as OPM writes it (joined to registry providers by the caller).
    pub agency_name: String,
    /// The agency's FEVS code, when the table has a code column.
    pub agency_code: Option<FevsAgency>,
    /// The value per year column, in the header's order.
    pub values: Vec<(SurveyYear, Measured<Percent>)>,
}

/// A published index table.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexTable {
    /// The year columns, in the header's order.
    pub years: Vec<SurveyYear>,
    /// The agencies' rows.
    pub rows: Vec<IndexTableRow>,
    /// Rows rejected, with line, field and reason.
    pub rejections: Vec<Rejection>,
    /// Every row accounted for: `read` and the lines from the CSV reader, accepted (the agencies'
    /// rows) and rejected where each row was classified.
    pub reconciliation: Reconciliation,
}

/// Reads an OPM by-agency index table (EEI or GSI spreadsheet saved as CSV). Percentages are on OPM's
/// 0-100 scale; a file whose every value is at most 1 is refused as fractions, which would otherwise
/// read as near-zero percentages.
pub fn read_index_table<R: Read>(path: &Path, input: R) -> Result<IndexTable, IngestError> {
    let mut rows = CsvRows::open(path, input, "Agency,2020,2021,...")?;
    rows.forbid_duplicate_columns(INDEX_TABLE_FORMAT)?;
    let header = rows.header().to_vec();
    let name = name_column(&header).ok_or_else(|| IngestError::MissingColumns {
        path: path.to_owned(),
        format: INDEX_TABLE_FORMAT,
        missing: vec!["a column naming the agency (e.g. Agency)".to_owned()],
        found: header.clone(),
    })?;
    let code = header.iter().position(|h| is_code_column(h));
    let years: Vec<(usize, SurveyYear)> =
        header.iter().enumerate().filter_map(|(i, h)| year_column(h).map(|y| (i, y))).collect();
    if years.is_empty() {
        return Err(IngestError::MissingColumns {
            path: path.to_owned(),
            format: INDEX_TABLE_FORMAT,
            missing: vec!["one column per survey year (e.g. 2020 or percentage_2020)".to_owned()],
            found: header,
        });
    }
    for (k, (_, y)) in years.iter().enumerate() {
        if years[..k].iter().any(|(_, z)| z == y) {
            return Err(IngestError::BadHeader {
                path: path.to_owned(),
                format: INDEX_TABLE_FORMAT,
                why: format!("two columns name the year {y}"),
            });
        }
    }
    let mut table = IndexTable {
        years: years.iter().map(|(_, y)| *y).collect(),
        rows: Vec::new(),
        rejections: Vec::new(),
        reconciliation: Reconciliation::default(),
    };
    while let Some(row) = rows.next_row()? {
        match index_row(&row, name, code, &years) {
            Ok(r) => {
                table.reconciliation.accept();
                table.rows.push(r);
            }
            Err(r) => {
                table.reconciliation.refuse(r.reason);
                table.rejections.push(r);
            }
        }
    }
    rows.produced().record_into(&mut table.reconciliation);
    let mut values = table.rows.iter().flat_map(|r| r.values.iter().filter_map(|(_, v)| v.value()));
    if let Some(first) = values.next() {
        if first.get() <= 1.0 && values.all(|v| v.get() <= 1.0) {
            return Err(IngestError::BadDocument {
                path: path.to_owned(),
                format: INDEX_TABLE_FORMAT,
                why: "every value is at most 1: the table holds fractions; save it with percentages (0-100)".to_owned(),
            });
        }
    }
    Ok(table)
}

fn index_row(
    row: &Row<'_>,
    name: usize,
    code: Option<usize>,
    years: &[(usize, SurveyYear)],
) -> Result<IndexTableRow, Rejection> {
    row.check_width()?;
    let agency_name = row.get(name)?;
    if agency_name.is_empty() {
        return Err(row.reject(name, RejectReason::MissingAgencyName, "expected the agency's name"));
    }
    let agency_code =
        match code {
            None => None,
            Some(i) => match row.get(i)? {
                "" => None,
                t => Some(t.parse().map_err(|_| {
                    row.reject(i, RejectReason::BadFevsAgency, "expected a two-letter FEVS agency code")
                })?),
            },
        };
    let mut values = Vec::with_capacity(years.len());
    for &(i, y) in years {
        let t = row.get(i)?;
        let v = match t {
            "" | "-" | "--" | "—" | "*" | "N/A" | "NA" | "n/a" => Measured::NotMeasured(NotMeasured::NotPublished),
            t => {
                let n = t.strip_suffix('%').unwrap_or(t).trim();
                match n.parse::<f64>().ok().and_then(Percent::new) {
                    Some(p) => Measured::Value(p),
                    None => {
                        return Err(row.reject(
                            i,
                            RejectReason::BadPercentage,
                            "expected a percentage from 0 to 100 (optionally with %), or blank / - when not published",
                        ))
                    }
                }
            }
        };
        values.push((y, v));
    }
    Ok(IndexTableRow { line: row.line, agency_name: agency_name.to_owned(), agency_code, values })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_tells_prdf_from_index_table() {
        let prdf = ["AGENCY", "LEVEL1", "DSUPER", "Q1", "Q2", "POSTWT", "RANDOM"];
        assert!(looks_like_prdf(&prdf));
        assert!(!looks_like_index_table(&prdf));
        let table = ["Agency", "percentage_2020", "percentage_2021"];
        assert!(looks_like_index_table(&table));
        assert!(!looks_like_prdf(&table));
        assert!(!looks_like_prdf(&["AGENCY", "POSTWT"]), "no item column");
        assert!(!looks_like_index_table(&["Agency", "Size"]), "no year column");
        assert!(!looks_like_index_table(&["service_id", "fy", "2020"]), "no agency column");
    }

    #[test]
    fn item_and_year_columns() {
        assert_eq!(item_column("Q12"), Some(ItemNumber(12)));
        assert_eq!(item_column("q3"), Some(ItemNumber(3)));
        assert_eq!(item_column("Q"), None);
        assert_eq!(item_column("Q91A"), None);
        assert_eq!(item_column("QUARTER"), None);
        assert_eq!(year_column("percentage_2020").map(SurveyYear::get), Some(2020));
        assert_eq!(year_column("EEI 2021").map(SurveyYear::get), Some(2021));
        assert_eq!(year_column("2020-2021"), None, "two years");
        assert_eq!(year_column("Agency"), None);
        assert_eq!(year_column("12345"), None);
    }

    fn read(text: &str, year: u16) -> PrdfRead {
        read_prdf(Path::new("t.csv"), text.as_bytes(), &PrdfConfig { year: SurveyYear::new(year).unwrap() }).unwrap()
    }

    #[test]
    fn bad_rows_are_rejected_with_line_field_and_reason() {
        let r = read(
            "AGENCY,LEVEL1,Q1,POSTWT\nTR,TR93,5,1\ntr,,5,1\nTR,TR9,5,1\nTR,HS01,5,1\nTR,,7,1\nTR,,5,0\nTR,,5,abc\nTR,,5,NaN\nTR,,5\n",
            2019,
        );
        let got: Vec<(u64, Option<&str>, RejectReason)> =
            r.rejections.iter().map(|x| (x.line, x.field.as_deref(), x.reason.rejection().unwrap())).collect();
        assert_eq!(
            got,
            [
                (3, Some("AGENCY"), RejectReason::BadFevsAgency),
                (4, Some("LEVEL1"), RejectReason::BadFevsLevel1),
                (5, Some("LEVEL1"), RejectReason::Level1AgencyMismatch),
                (6, Some("Q1"), RejectReason::UnknownAnswerCode),
                (7, Some("POSTWT"), RejectReason::BadWeight),
                (8, Some("POSTWT"), RejectReason::BadWeight),
                (9, Some("POSTWT"), RejectReason::BadWeight),
                (10, None, RejectReason::WrongFieldCount),
            ]
        );
        assert_eq!((r.reconciliation.read, r.reconciliation.accepted, r.reconciliation.rejected), (9, 1, 8));
        assert!(r.reconciliation.balances());
        assert_eq!(r.reconciliation.rejected_by_reason[&RejectReason::BadWeight], 3);
    }

    #[test]
    fn a_year_column_must_agree_with_the_callers_year() {
        let r = read("AGENCY,YEAR,Q1,POSTWT\nTR,2023,5,1\nTR,2022,5,1\n", 2023);
        assert_eq!(r.reconciliation.accepted, 1);
        assert_eq!(r.rejections[0].reason, RejectReason::YearMismatch);
        assert_eq!(r.rejections[0].line, 3);
    }

    #[test]
    fn files_that_cannot_be_read_are_errors_naming_what_is_missing() {
        let cfg = PrdfConfig { year: SurveyYear::new(2019).unwrap() };
        let e = read_prdf(Path::new("f.csv"), "AGENCY,Q1\nTR,5\n".as_bytes(), &cfg).unwrap_err().to_string();
        assert!(e.contains("f.csv") && e.contains("POSTWT"), "{e}");
        let e = read_prdf(Path::new("f.csv"), "AGENCY,POSTWT\nTR,1\n".as_bytes(), &cfg).unwrap_err().to_string();
        assert!(e.contains("Q1..Qn"), "{e}");
        let e = read_prdf(Path::new("f.csv"), "".as_bytes(), &cfg).unwrap_err().to_string();
        assert!(e.contains("empty"), "{e}");
    }

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{}/tests/fixtures/fevs/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    /// The 2019-layout fixture (tests/fixtures/fevs/prdf-2019-layout.source.md), counted by hand.
    /// Used rows (line: AGENCY/LEVEL1, Leaders Lead items, Supervisors, Intrinsic, GSI items, POSTWT):
    /// 2: TR/TR93 5 5 5 4 w2.0; 3: TR/TR93 2 2 2 2 w1.0; 4: TR/TR93 X 4 3 blank w3.0;
    /// 5: TR/TRFD 4 4 4 5 w1.5; 6: TR/- 1 1 1 1 w0.5; 7: HS/HSBC 4 4 4 3 w2.5.
    /// Rejected: 8 bad_weight, 9 unknown_answer_code (Q3), 10 level1_agency_mismatch,
    /// 11 wrong_field_count, 12 bad_weight. So read 11 = used 6 + rejected 5.
    ///
    /// TR93, Leaders Lead item Q53: answers 5 (w2) and 2 (w1), X (w3) excluded ->
    /// positive 2 of 3 = 66.667%; Supervisors item Q47: 5 (w2), 2 (w1), 4 (w3) -> 5 of 6 = 83.333%;
    /// GSI item Q40: 4 (w2), 2 (w1), blank (w3) excluded -> 2 of 3.
    /// TR (agency, rows 2-6): Q53 positive 2 + 1.5 = 3.5 of 2 + 1 + 1.5 + 0.5 = 5 -> 70%; Q47
    /// 2 + 3 + 1.5 = 6.5 of 8 -> 81.25%; Q3 (Intrinsic) 2 + 1.5 = 3.5 of 8 -> 43.75%.
    #[test]
    fn the_2019_layout_fixture_counted_by_hand() {
        let r = read(std::str::from_utf8(&fixture("prdf-2019-layout.csv")).unwrap(), 2019);
        let rec = &r.reconciliation;
        assert_eq!((rec.read, rec.accepted, rec.rejected), (11, 6, 5));
        assert!(rec.balances());
        let got: Vec<(u64, Option<&str>, RejectReason)> =
            r.rejections.iter().map(|x| (x.line, x.field.as_deref(), x.reason.rejection().unwrap())).collect();
        assert_eq!(
            got,
            [
                (8, Some("POSTWT"), RejectReason::BadWeight),
                (9, Some("Q3"), RejectReason::UnknownAnswerCode),
                (10, Some("LEVEL1"), RejectReason::Level1AgencyMismatch),
                (11, None, RejectReason::WrongFieldCount),
                (12, Some("POSTWT"), RejectReason::BadWeight),
            ]
        );
        let tr93 = FevsUnit::SubAgency("TR93".parse().unwrap());
        let tr = FevsUnit::Agency("TR".parse().unwrap());
        let hs = FevsUnit::Agency("HS".parse().unwrap());
        assert_eq!(r.counts.respondents[&tr93], (3, 6.0));
        assert_eq!(r.counts.respondents[&tr], (5, 8.0));
        assert_eq!(r.counts.respondents[&hs], (1, 2.5));
        assert_eq!(r.counts.units().count(), 5, "TR, HS, TR93, TRFD, HSBC");
        let q53 = r.counts.item(&tr93, ItemNumber(53)).unwrap();
        assert_eq!(q53.by_answer, [0.0, 1.0, 0.0, 0.0, 2.0]);
        assert_eq!((q53.dont_know, q53.blank, q53.answered), (3.0, 0.0, 2));
        let pp = |u, q| r.counts.item(u, ItemNumber(q)).unwrap().percent_positive().unwrap();
        assert!((pp(&tr93, 53) - 200.0 / 3.0).abs() < 1e-12);
        assert!((pp(&tr93, 47) - 500.0 / 6.0).abs() < 1e-12);
        assert!((pp(&tr93, 40) - 200.0 / 3.0).abs() < 1e-12);
        assert_eq!(r.counts.item(&tr93, ItemNumber(40)).unwrap().blank, 3.0);
        assert_eq!((pp(&tr, 53), pp(&tr, 47), pp(&tr, 3)), (70.0, 81.25, 43.75));
    }

    /// Counts are a monoid: the fixture read as two files (its first 5 data lines, then the rest,
    /// each under the header) and merged equals the whole read. The weights are binary fractions,
    /// so the sums are exact in any order.
    #[test]
    fn split_reads_merge_into_the_whole() {
        let text = String::from_utf8(fixture("prdf-2019-layout.csv")).unwrap();
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        let rest: Vec<&str> = lines.collect();
        let part = |ls: &[&str]| format!("{header}\n{}\n", ls.join("\n"));
        let whole = read(&text, 2019);
        let mut a = read(&part(&rest[..5]), 2019);
        let b = read(&part(&rest[5..]), 2019);
        a.counts.merge(&b.counts).unwrap();
        assert_eq!(a.counts, whole.counts);
        assert_eq!(a.reconciliation.accepted + b.reconciliation.accepted, whole.reconciliation.accepted);
        let other = read(&part(&rest[..1]), 2020);
        assert!(a.counts.merge(&other.counts).is_err(), "years differ");
    }

    #[test]
    fn the_index_table_fixture() {
        let t = read_index_table(Path::new("eei-by-agency.csv"), fixture("eei-by-agency.csv").as_slice()).unwrap();
        assert_eq!(t.years.iter().map(|y| y.get()).collect::<Vec<_>>(), [2020, 2021, 2022, 2023]);
        assert_eq!((t.reconciliation.read, t.rows.len(), t.rejections.len()), (6, 6, 0));
        assert!(t.reconciliation.balances());
        let labor = t.rows.iter().find(|r| r.agency_name == "Department of Labor").unwrap();
        assert_eq!(labor.values[3].1.value().map(|p| p.get()), Some(76.40));
        let ftc = t.rows.iter().find(|r| r.agency_name == "Federal Trade Commission").unwrap();
        assert_eq!(ftc.values[0].1, Measured::NotMeasured(NotMeasured::NotPublished));
        assert_eq!(t.rows[0].values[0].1.value().map(|p| p.get()), Some(72.45));
    }

    #[test]
    fn index_table_cells() {
        let t = read_index_table(
            Path::new("eei.csv"),
            "Agency,Agency Code,percentage_2020,percentage_2021\nGovernmentwide,,72.45,71.0%\nX Agency,XA,-,\n,ZZ,1,2\nY Agency,YA,101,5\n"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(t.years.iter().map(|y| y.get()).collect::<Vec<_>>(), [2020, 2021]);
        assert_eq!(t.reconciliation.read, 4);
        assert!(t.reconciliation.balances());
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].values[1].1.value().map(|p| p.get()), Some(71.0));
        assert_eq!(t.rows[1].values[0].1, Measured::NotMeasured(NotMeasured::NotPublished));
        assert_eq!(t.rows[1].agency_code.map(|c| c.to_string()).as_deref(), Some("XA"));
        let reasons: Vec<_> = t.rejections.iter().map(|r| (r.line, r.reason.rejection().unwrap())).collect();
        assert_eq!(reasons, [(4, RejectReason::MissingAgencyName), (5, RejectReason::BadPercentage)]);
        let e = read_index_table(Path::new("f.csv"), "Agency,2020\nA,0.72\nB,0.7\n".as_bytes()).unwrap_err();
        assert!(e.to_string().contains("fractions"), "{e}");
    }
}
