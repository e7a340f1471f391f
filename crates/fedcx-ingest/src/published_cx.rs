//! performance.gov's CX quarterly reporting collections (FY2021-23), the government's published
//! A-11 data, in the two forms that are not Touchpoints' CSV export: the JSON:API document
//! Touchpoints serves ([`JsonApiSource`]) and GSA's long form with one row per question
//! ([`LongSource`]). Each record is turned into a row of the version-1 reporting record's columns
//! and read by [`crate::v1::V1Parser`], the parser of the CSV export and of the flattened copy, so
//! the four forms of one record give the same counts, detail and warnings.
//!
//! The JSON form follows Touchpoints' own source (GSA/touchpoints @ 3319fe54, the parent of
//! 14127a5e, which removed version 1): `ActiveModelSerializers.config.adapter = :json_api` with
//! `key_transform = :unaltered` (config/initializers/active_model_serializers.rb:3-4), so the
//! document is `{"data": [{"id": "1", "type": "omb_cx_reporting_collections", "attributes":
//! {...}}]}` with the attributes of app/serializers/omb_cx_reporting_collection_serializer.rb:4-104.
//! The API renders the whole relation unpaged (app/controllers/api/v1/
//! omb_cx_reporting_collections_controller.rb:10-12); a document with JSON:API paging `links` is
//! read as one page, and a `links.next` is a warning that more pages exist.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use fedcx_model::traits::{Rejection, ResponseSource, SourceItem};
use fedcx_model::{CollectionDetail, Registry};
use serde::Deserialize;

use crate::error::IngestError;
use crate::plausibility::Finding;
use crate::reconcile::{Notice, RejectReason};
use crate::rows::{Counted, CsvRows, Produced, Row};
use crate::v1::{V1Columns, V1Parser, OPTIONAL, RECORD_TYPE, REQUIRED};

/// The largest JSON document read (it is held whole; performance.gov's is under 2 MB).
pub const MAX_JSON_BYTES: u64 = 256 << 20;

/// Warnings of these readers beside the version-1 parser's ([`crate::v1::warning`]).
pub mod warning {
    /// The JSON:API document's `links.next` names a further page that this file does not hold.
    pub const MORE_PAGES: &str = "json_api_more_pages";
    /// A long-form row whose `strongly_agree_or_agree_num` is not its agree plus strongly agree.
    pub const AGREE_TOTAL_DISAGREES: &str = "agree_total_disagrees";
}

/// The version-1 record's columns in one order, the layout every record of these forms is turned
/// into before it is parsed.
fn canonical_header() -> Vec<String> {
    let mut h: Vec<String> = vec!["id".into(), "type".into()];
    h.extend(REQUIRED.iter().map(|c| c.to_string()));
    h.extend(OPTIONAL.iter().filter(|c| !matches!(**c, "id" | "type")).map(|c| c.to_string()));
    for q in 1..=fedcx_model::survey::V1_QUESTION_COUNT {
        h.push(format!("q{q}_text"));
        h.extend((1..=5).map(|k| format!("q{q}_{k}")));
        h.push(format!("q{q}_point_scale"));
    }
    h.push("operational_metrics".into());
    h
}

/// The document's top level as JSON:API has it; only `data` is needed.
#[derive(Deserialize)]
struct Document<'a> {
    #[serde(borrow)]
    data: Option<Vec<&'a serde_json::value::RawValue>>,
    #[serde(default)]
    links: Option<serde_json::Value>,
    /// Touchpoints' API answers a bad key with `{"error": {"message": ...}}`.
    #[serde(default)]
    error: Option<serde_json::Value>,
    #[serde(default)]
    errors: Option<serde_json::Value>,
}

/// One resource object of `data`.
#[derive(Deserialize)]
struct Resource {
    id: serde_json::Value,
    #[serde(rename = "type")]
    kind: Option<String>,
    attributes: Option<serde_json::Map<String, serde_json::Value>>,
}

/// Reads performance.gov's `omb_cx_reporting_collections.json`: one version-1 record per element
/// of `data`, each located by the line its object opens on.
#[derive(Debug)]
pub struct JsonApiSource<'r> {
    path: PathBuf,
    header: Vec<String>,
    /// Each record turned into the canonical columns (or its rejection), with its line.
    records: std::vec::IntoIter<(u64, Result<Vec<String>, Rejection>)>,
    read: u64,
    parser: V1Parser<'r>,
    /// The page warning, given before the first record.
    page_notice: Option<Notice>,
}

impl<'r> JsonApiSource<'r> {
    /// Reads the document whole (up to [`MAX_JSON_BYTES`]). A document that is not JSON:API
    /// (no `data` array), or is the API's error answer, is an error naming the file.
    pub fn new(path: &Path, input: impl Read, registry: &'r Registry) -> Result<JsonApiSource<'r>, IngestError> {
        let JsonRecords { header, records, page_notice } = json_records(path, input)?;
        let cols = V1Columns::new(path, "touchpoints-v1-json", &header)?;
        Ok(JsonApiSource {
            path: path.to_owned(),
            header,
            read: 0,
            records: records.into_iter(),
            parser: V1Parser::new(cols, registry),
            page_notice,
        })
    }

    /// Records ingested before, so the same record read again is a duplicate ([`crate::v1::V1Parser::know`]).
    pub fn know<'d>(&mut self, details: impl IntoIterator<Item = &'d CollectionDetail>, from: &str) {
        self.parser.know(details, from);
    }

    /// The collection details of the records accepted so far.
    pub fn take_details(&mut self) -> Vec<CollectionDetail> {
        self.parser.take_details()
    }

    /// Records kept with something set aside or corrected, by kind.
    pub fn warnings(&self) -> BTreeMap<&'static str, u64> {
        let mut w = self.parser.warnings().clone();
        if self.page_notice.is_some() {
            *w.entry(warning::MORE_PAGES).or_default() += 1;
        }
        w
    }

    /// The warnings of the records accepted so far, each naming the line its record opens on.
    pub fn take_notices(&mut self) -> Vec<Notice> {
        self.page_notice.take().into_iter().chain(self.parser.take_notices()).collect()
    }

    /// Plausibility findings of the records accepted so far.
    pub fn take_findings(&mut self) -> Vec<Finding> {
        self.parser.take_findings()
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// A JSON:API document's records in the canonical columns, each with the line its object opens on.
pub(crate) struct JsonRecords {
    /// The canonical columns ([`canonical_header`]).
    pub header: Vec<String>,
    /// Each record's cells, or why the record cannot be read.
    pub records: Vec<(u64, Result<Vec<String>, Rejection>)>,
    /// The warning that the document is one page of several.
    pub page_notice: Option<Notice>,
}

/// Reads the document whole (up to [`MAX_JSON_BYTES`]). A document that is not JSON:API (no
/// `data` array), or is the API's error answer, is an error naming the file.
pub(crate) fn json_records(path: &Path, input: impl Read) -> Result<JsonRecords, IngestError> {
    let bad = |why: String| IngestError::BadDocument { path: path.to_owned(), format: "touchpoints-v1-json", why };
    let mut bytes = Vec::new();
    input
        .take(MAX_JSON_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| IngestError::Io { path: path.to_owned(), source })?;
    if bytes.len() as u64 > MAX_JSON_BYTES {
        return Err(bad(format!("larger than {} MiB, the most fedcx reads as one document", MAX_JSON_BYTES >> 20)));
    }
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes))
        .map_err(|e| bad(format!("not UTF-8 (bad byte at offset {})", e.valid_up_to())))?;
    let doc: Document<'_> = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
    if let Some(e) = doc.error.as_ref().or(doc.errors.as_ref()) {
        let message = e.get("message").and_then(|m| m.as_str()).unwrap_or("no message");
        return Err(bad(format!("the API answered with an error, not data: {message:?}")));
    }
    let data = doc.data.ok_or_else(|| bad("no `data` array of records".to_owned()))?;
    let header = canonical_header();
    let start = text.as_ptr() as usize;
    let line_of = |raw: &serde_json::value::RawValue| {
        let offset = raw.get().as_ptr() as usize - start;
        1 + text.as_bytes()[..offset].iter().filter(|&&b| b == b'\n').count() as u64
    };
    let records = data.iter().map(|raw| (line_of(raw), cells_of(raw.get(), line_of(raw), &header))).collect();
    // A next page is named, never followed, and never printed: its address may carry an API key.
    let page_notice = doc.links.as_ref().and_then(|l| l.get("next")).filter(|n| !n.is_null()).map(|_| Notice {
        line: 1,
        field: Some("links.next".into()),
        kind: warning::MORE_PAGES,
        detail: "the document is one page of several (links.next names the next): ingest every page".into(),
    });
    Ok(JsonRecords { header, records, page_notice })
}

/// One resource's attributes as the canonical columns' text: numbers as written, `null` and absent
/// attributes empty. A resource that is not an object with `attributes`, or an attribute that is
/// an object or an array, is a rejection of that record.
fn cells_of(raw: &str, line: u64, header: &[String]) -> Result<Vec<String>, Rejection> {
    let reject = |field: Option<&str>, detail: String| Rejection {
        line,
        field: field.map(str::to_owned),
        raw: String::new(),
        reason: RejectReason::BadJson.into(),
        detail,
    };
    let r: Resource = serde_json::from_str(raw).map_err(|e| reject(None, format!("not a JSON:API resource: {e}")))?;
    let attributes = r.attributes.ok_or_else(|| reject(Some("attributes"), "the record has no attributes".into()))?;
    let text = |v: &serde_json::Value, name: &str| -> Result<String, Rejection> {
        match v {
            serde_json::Value::Null => Ok(String::new()),
            serde_json::Value::String(s) => Ok(s.clone()),
            serde_json::Value::Number(n) => Ok(n.to_string()),
            serde_json::Value::Bool(b) => Ok(b.to_string()),
            serde_json::Value::Array(_) | serde_json::Value::Object(_) => {
                Err(reject(Some(name), "expected a string, a number or null".into()))
            }
        }
    };
    header
        .iter()
        .map(|name| match name.as_str() {
            "id" => text(&r.id, "id"),
            // A record without a type is taken for the only type this document holds.
            "type" => Ok(r.kind.clone().unwrap_or_else(|| RECORD_TYPE.to_owned())),
            other => attributes.get(other).map_or(Ok(String::new()), |v| text(v, other)),
        })
        .collect()
}

impl Counted for JsonApiSource<'_> {
    fn produced(&self) -> Produced {
        // A JSON document has no rows of lines to account for: only its records are counted.
        Produced { records: self.read, ..Produced::default() }
    }
}

impl ResponseSource for JsonApiSource<'_> {
    type Error = IngestError;

    fn next_item(&mut self) -> Result<Option<SourceItem>, IngestError> {
        let Some((line, cells)) = self.records.next() else { return Ok(None) };
        self.read += 1;
        let cells = match cells {
            Ok(c) => c,
            Err(rej) => return Ok(Some(SourceItem::Rejected(rej))),
        };
        let text = csv::StringRecord::from(cells);
        let bytes = text.as_byte_record().clone();
        let row = Row::of_record(line, &bytes, &text, &self.header);
        Ok(Some(self.parser.item(&row)))
    }
}

/// The long form's columns (GSA/HISP-CX-Data `trust_survey_counts_quick_flattened_data_transformed
/// - trust_survey_counts_quick.csv` @ e9b2def2) and the reporting record's column each becomes; the
/// counts go to the question `question_id` names.
const LONG_COLUMNS: [(&str, &str); 13] = [
    ("fiscal_year", "collection_year"),
    ("quarter", "collection_quarter"),
    ("organization_id", "organization_id"),
    ("organization_name", "organization_name"),
    ("service_provider_id", "service_provider_id"),
    ("service_provider_name", "service_provider_name"),
    ("service_id", "service_id"),
    ("service_name", "service_name"),
    ("service_provided", "service_provided"),
    ("transaction_point", "transaction_point"),
    ("channel", "channel"),
    // The long form's name for the customers served (`volume_of_customers` in the JSON record).
    ("population_size", "volume_of_customers"),
    ("volume_of_customers_provided_survey_opportunity", "volume_of_customers_provided_survey_opportunity"),
];

/// The columns that tell the long form from every other header.
pub const LONG_SIGNATURE: [&str; 3] = ["fiscal_year", "question_id", "strongly_disagree_num"];

/// The long form's file name as GSA published it (the fixture keeps it).
#[cfg(test)]
pub(crate) const LONG_FIXTURE_NAME: &str =
    "trust_survey_counts_quick_flattened_data_transformed - trust_survey_counts_quick.csv";

/// The long form's count columns, scale point 1 to 5.
const LONG_COUNTS: [&str; 5] =
    ["strongly_disagree_num", "disagree_num", "neutral_num", "agree_num", "strongly_agree_num"];

/// Reads GSA's long form of the published collections: one row per record and question (the file
/// GSA published holds the trust question of each record). Each row becomes a version-1 record with
/// that question alone, and its collection detail (the long form has no record id, so the detail
/// is named after the row: `fy2021q2-line-2`).
#[derive(Debug)]
pub struct LongSource<'a, R: Read> {
    rows: CsvRows<R>,
    /// Positions in the file of [`LONG_COLUMNS`], `volume_of_respondents`, `question_id`,
    /// `question_text`, `point_scale`, [`LONG_COUNTS`] and `strongly_agree_or_agree_num`.
    at: LongPositions,
    header: Vec<String>,
    parser: V1Parser<'a>,
    extra_warnings: BTreeMap<&'static str, u64>,
    extra_notices: Vec<Notice>,
}

#[derive(Debug)]
struct LongPositions {
    mapped: Vec<(usize, usize)>,
    respondents: usize,
    question_id: usize,
    question_text: usize,
    point_scale: Option<usize>,
    counts: [usize; 5],
    agree_total: Option<usize>,
}

impl<'a, R: Read> LongSource<'a, R> {
    /// Opens the long form; its identifying columns, `question_id`, `question_text`, the five
    /// counts and `volume_of_respondents` are required.
    pub fn new(path: &Path, input: R, registry: &'a Registry) -> Result<Self, IngestError> {
        let rows =
            CsvRows::open(path, input, "fiscal_year,quarter,...,question_id,question_text,strongly_disagree_num,...")?;
        rows.forbid_duplicate_columns("touchpoints-v1-long")?;
        let required: Vec<&str> = ["fiscal_year", "quarter", "service_id", "service_name", "channel"]
            .into_iter()
            .chain(["volume_of_respondents", "question_id", "question_text"])
            .chain(LONG_COUNTS)
            .collect();
        rows.require("touchpoints-v1-long", &required)?;
        let header = canonical_header();
        let mapped = LONG_COLUMNS
            .iter()
            .filter_map(|(from, to)| Some((rows.find(from)?, header.iter().position(|h| h == to)?)))
            .collect();
        let need = |n: &str| rows.find(n).expect("required above");
        let at = LongPositions {
            mapped,
            respondents: need("volume_of_respondents"),
            question_id: need("question_id"),
            question_text: need("question_text"),
            point_scale: rows.find("point_scale"),
            counts: LONG_COUNTS.map(need),
            agree_total: rows.find("strongly_agree_or_agree_num"),
        };
        let cols = V1Columns::new(path, "touchpoints-v1-long", &header)?;
        Ok(LongSource {
            rows,
            at,
            header,
            parser: V1Parser::new(cols, registry),
            extra_warnings: BTreeMap::new(),
            extra_notices: Vec::new(),
        })
    }

    /// Records ingested before, so the same record read again is a duplicate ([`crate::v1::V1Parser::know`]).
    pub fn know<'d>(&mut self, details: impl IntoIterator<Item = &'d CollectionDetail>, from: &str) {
        self.parser.know(details, from);
    }

    /// The collection details of the rows accepted so far.
    pub fn take_details(&mut self) -> Vec<CollectionDetail> {
        self.parser.take_details()
    }

    /// Rows kept with something set aside or corrected, by kind.
    pub fn warnings(&self) -> BTreeMap<&'static str, u64> {
        let mut w = self.parser.warnings().clone();
        for (k, v) in &self.extra_warnings {
            *w.entry(k).or_default() += v;
        }
        w
    }

    /// The warnings of the rows accepted so far, each naming its line.
    pub fn take_notices(&mut self) -> Vec<Notice> {
        let mut n = std::mem::take(&mut self.extra_notices);
        n.extend(self.parser.take_notices().into_iter().map(|mut n| {
            n.field = n.field.map(|f| long_name(&f).to_owned());
            n
        }));
        n.sort_by_key(|n| n.line);
        n
    }

    /// Plausibility findings of the rows accepted so far.
    pub fn take_findings(&mut self) -> Vec<Finding> {
        self.parser.take_findings()
    }
}

impl<R: Read> Counted for LongSource<'_, R> {
    fn produced(&self) -> Produced {
        self.rows.produced()
    }

    fn limit_record_lines(&mut self, n: u64) {
        self.rows.set_max_record_lines(n);
    }
}

/// The long form's name for a reporting-record column, so messages name the file's own columns.
fn long_name(wide: &str) -> &str {
    if let Some((long, _)) = LONG_COLUMNS.iter().find(|(_, w)| *w == wide) {
        return long;
    }
    if wide == "volume_of_respondents" {
        return wide;
    }
    // q{n}_{k}, q{n}_text, q{n}_point_scale.
    match wide.rsplit_once('_') {
        Some((q, "text")) if q.starts_with('q') => "question_text",
        Some((_, "scale")) => "point_scale",
        Some((q, k)) if q.starts_with('q') && !q.contains('_') => {
            k.parse::<usize>().ok().and_then(|k| LONG_COUNTS.get(k.wrapping_sub(1))).copied().unwrap_or(wide)
        }
        _ => wide,
    }
}

impl<R: Read> ResponseSource for LongSource<'_, R> {
    type Error = IngestError;

    fn next_item(&mut self) -> Result<Option<SourceItem>, IngestError> {
        let header = &self.header;
        let Some(row) = self.rows.next_row()? else { return Ok(None) };
        if let Err(rej) = row.check_width() {
            return Ok(Some(SourceItem::Rejected(rej)));
        }
        let at = &self.at;
        let built = (|| -> Result<(Vec<String>, Option<Notice>), Rejection> {
            let qid = row.get(at.question_id)?;
            let q = crate::v1::whole_count(qid)
                .filter(|q| (1..=fedcx_model::survey::V1_QUESTION_COUNT as u64).contains(q))
                .ok_or_else(|| {
                    row.reject(at.question_id, RejectReason::BadCount, "expected a question number 1 to 11")
                })?;
            let mut cells = vec![String::new(); header.len()];
            let mut put = |name: &str, value: &str| {
                if let Some(i) = header.iter().position(|h| h == name) {
                    cells[i] = value.to_owned();
                }
            };
            for &(from, to) in &at.mapped {
                put(&header[to], row.get(from)?);
            }
            put("volume_of_respondents", row.get(at.respondents)?);
            put(&format!("q{q}_text"), row.get_untrimmed(at.question_text)?);
            if let Some(i) = at.point_scale {
                put(&format!("q{q}_point_scale"), row.get(i)?);
            }
            for (k, &i) in at.counts.iter().enumerate() {
                put(&format!("q{q}_{}", k + 1), row.get(i)?);
            }
            let year = row.get(at.mapped.first().map_or(0, |m| m.0))?;
            let quarter = at.mapped.get(1).map(|m| row.get(m.0)).transpose()?.unwrap_or("");
            let id = match (crate::v1::whole_count(year), crate::v1::whole_count(quarter)) {
                (Some(y), Some(q)) => format!("fy{y}q{q}-line-{}", row.line),
                _ => format!("line-{}", row.line),
            };
            put("id", &id);
            put("type", crate::v1::RECORD_TYPE);
            // The file's own agree total, checked against its two columns.
            let mut notice = None;
            if let Some(i) = at.agree_total {
                let stated = crate::v1::whole_count(row.get(i)?);
                let a = crate::v1::whole_count(row.get(at.counts[3])?).unwrap_or(0);
                let b = crate::v1::whole_count(row.get(at.counts[4])?).unwrap_or(0);
                if stated.is_some_and(|s| s != a + b) {
                    notice = Some(Notice {
                        line: row.line,
                        field: Some(row.column_name(i).to_owned()),
                        kind: warning::AGREE_TOTAL_DISAGREES,
                        detail: format!(
                            "strongly_agree_or_agree_num is {} but agree_num + strongly_agree_num = {}: the two \
                             columns were counted",
                            stated.unwrap_or(0),
                            a + b
                        ),
                    });
                }
            }
            Ok((cells, notice))
        })();
        let (cells, notice) = match built {
            Ok(b) => b,
            Err(rej) => return Ok(Some(SourceItem::Rejected(rej))),
        };
        let text = csv::StringRecord::from(cells);
        let bytes = text.as_byte_record().clone();
        let wide = Row::of_record(row.line, &bytes, &text, header);
        let item = match self.parser.item(&wide) {
            // Messages name the long form's own columns.
            SourceItem::Rejected(mut rej) => {
                rej.field = rej.field.map(|f| long_name(&f).to_owned());
                SourceItem::Rejected(rej)
            }
            other => {
                if let Some(n) = notice {
                    *self.extra_warnings.entry(n.kind).or_default() += 1;
                    self.extra_notices.push(n);
                }
                other
            }
        };
        Ok(Some(item))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_columns_are_named_as_the_long_file_names_them() {
        assert_eq!(long_name("collection_year"), "fiscal_year");
        assert_eq!(long_name("q2_1"), "strongly_disagree_num");
        assert_eq!(long_name("q11_5"), "strongly_agree_num");
        assert_eq!(long_name("q2_text"), "question_text");
        assert_eq!(long_name("q2_point_scale"), "point_scale");
        assert_eq!(long_name("volume_of_customers"), "population_size");
        assert_eq!(long_name("volume_of_respondents"), "volume_of_respondents");
    }
}
