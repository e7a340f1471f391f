//! GSA Touchpoints files: the version-2 response upload (17 columns, one respondent per row) and the
//! version-1 reporting-record export (one row per service and channel, already counted).

use crate::rows::{Counted, Produced};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use chrono::{FixedOffset, TimeZone};
use fedcx_model::records::{OffScaleQuestion, QuestionScale, TouchpointsFields, RESPONSE_UPLOAD_COLUMNS};
use fedcx_model::survey::{Indicator, Polarity, INDICATOR_COUNT, V1_QUESTION_COUNT};
use fedcx_model::traits::{Rejection, ResponseSource, SourceItem};
use fedcx_model::{
    Answers, Channel, CollectionDetail, DetailId, FiscalQuarter, GroupKey, IndicatorState, IndicatorStates, Quarter,
    Registry, ResponseId, SurveyResponse, Tally, TrustAnswer, TrustScale, V2Answers,
};

use crate::error::IngestError;
use crate::reconcile::RejectReason;
use crate::rows::{CsvRows, Row};

/// What fedcx knows about the collection details a response file may name: the accepted ones, the
/// ids of rejected ones (with where and why, so their responses are rejected pointing at that row
/// rather than failing as "never ingested"), and the trust scale inferred for details whose
/// `survey_type` was blank.
#[derive(Debug, Clone, Default)]
pub struct DetailContext {
    /// Accepted details by id.
    pub accepted: BTreeMap<String, CollectionDetail>,
    /// Rejected detail rows by id: `file:line: field: why`.
    pub rejected: BTreeMap<String, String>,
    /// For details without a `survey_type`, what their `question_1` values say the scale is.
    pub inferred: BTreeMap<String, ScaleInference>,
}

/// The trust scale a detail with a blank `survey_type` has, told from its responses' `question_1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleInference {
    /// Only 0 and 1 (and at least one 0): thumbs up/down; or only 1-5 with at least one 2-5: 5-point.
    Decided(TrustScale),
    /// Both 0 (thumbs down) and 2-5 (5-point answers): the upload mixes scales.
    Mixed {
        /// Rows answering 0.
        zeros: u64,
        /// Rows answering 2 to 5.
        high: u64,
    },
    /// Only 1s: thumbs up or "strongly disagree", which cannot be told apart.
    Ambiguous {
        /// Rows answering 1.
        ones: u64,
    },
}

impl ScaleInference {
    /// Infers from the counts of answers 0, 1 and 2-5.
    pub fn from_counts(zeros: u64, ones: u64, high: u64) -> ScaleInference {
        match (zeros > 0, high > 0) {
            (true, true) => ScaleInference::Mixed { zeros, high },
            (true, false) => ScaleInference::Decided(TrustScale::ThumbsUpDown),
            (false, true) => ScaleInference::Decided(TrustScale::LikertScale),
            (false, false) => ScaleInference::Ambiguous { ones },
        }
    }
}

impl DetailContext {
    /// Whether a detail the file could route rows to lacks a `survey_type`, so the file's
    /// `question_1` values must be read first to infer it: the upload's own detail, or for a CX
    /// Responses export any detail.
    pub fn needs_inference(&self, upload_detail: &str, format: crate::Format) -> bool {
        let blank = |d: &CollectionDetail| d.survey_type.is_none();
        self.accepted.get(upload_detail).is_some_and(blank)
            || (format == crate::Format::TouchpointsResponses && self.accepted.values().any(blank))
    }
}

/// Warnings: rows kept and counted, but with something set aside. Summaries count by these.
pub mod warning {
    /// Boxes ticked under the follow-up question the trust answer hid (Touchpoints' form hides the
    /// other question but keeps its boxes): the answer is counted, the hidden boxes are not.
    pub const HIDDEN_FOLLOW_UP_IGNORED: &str = "hidden_follow_up_ignored";
}

/// Reads Touchpoints' version-2 responses: the 17-column upload (one file per collection detail,
/// which the caller names) or the CX Responses export (`CxResponse.to_csv`: 20 columns, every row
/// naming its `cx_collection_detail_id`, many details in one file). The file carries no service,
/// channel or date: they come from each row's detail, and every response is dated at the start of
/// the detail's quarter.
#[derive(Debug)]
pub struct TouchpointsV2Source<R: Read> {
    path: std::path::PathBuf,
    rows: CsvRows<R>,
    columns: Vec<usize>,
    /// The `cx_collection_detail_id` column, in the CX Responses export.
    detail_column: Option<usize>,
    /// The detail of an upload, or the one `--detail` names.
    named: Option<String>,
    context: DetailContext,
    redactions: BTreeMap<&'static str, u64>,
    warnings: BTreeMap<&'static str, u64>,
}

impl<R: Read> TouchpointsV2Source<R> {
    /// Opens a response file. All 17 upload columns are required; `cx_collection_detail_id`, when
    /// present, routes each row to its own detail. `named` is the upload's detail (its file name or
    /// `--detail`, else the file name); in a CX Responses export a row naming another detail than
    /// `--detail` (`flag`) is an error.
    pub fn new(path: &Path, input: R, flag: Option<String>, context: DetailContext) -> Result<Self, IngestError> {
        let rows = CsvRows::open(path, input, &RESPONSE_UPLOAD_COLUMNS.join(","))?;
        rows.forbid_duplicate_columns("touchpoints-v2")?;
        let columns = rows.require("touchpoints-v2", &RESPONSE_UPLOAD_COLUMNS)?;
        let detail_column = rows.find(RESPONSES_DETAIL_COLUMN);
        // An upload's file name names its detail; an export's rows name theirs.
        let named = match detail_column {
            Some(_) => flag,
            None => Some(flag.unwrap_or_else(|| upload_stem(path))),
        };
        if detail_column.is_none() {
            let id = named.as_deref().unwrap_or("");
            if !context.accepted.contains_key(id) && !context.rejected.contains_key(id) {
                return Err(IngestError::MissingContext {
                    path: path.to_owned(),
                    format: "touchpoints-v2",
                    what: format!(
                        "its collection detail {id:?} (service, channel, quarter, survey type): ingest the \
                         collection-detail export first, in the same command, and name the upload <detail id>.csv \
                         or pass --detail ID"
                    ),
                });
            }
        }
        Ok(TouchpointsV2Source {
            path: path.to_owned(),
            rows,
            columns,
            detail_column,
            named,
            context,
            redactions: Default::default(),
            warnings: Default::default(),
        })
    }

    /// Personal data redacted so far, by kind.
    pub fn redactions(&self) -> &BTreeMap<&'static str, u64> {
        &self.redactions
    }

    /// Rows kept with something set aside, by [`warning`] kind.
    pub fn warnings(&self) -> &BTreeMap<&'static str, u64> {
        &self.warnings
    }
}

/// The column of the CX Responses export naming each row's collection detail.
pub const RESPONSES_DETAIL_COLUMN: &str = "cx_collection_detail_id";

/// The detail a 17-column upload belongs to when nothing else names it: its file name, `<id>.csv`.
pub fn upload_stem(path: &Path) -> String {
    path.file_stem().and_then(|s| s.to_str()).unwrap_or("").to_owned()
}

/// Reads a response file's `question_1` values per collection detail, to infer the trust scale of
/// details whose `survey_type` is blank. `upload_detail` is the detail of a 17-column upload.
pub fn infer_scales(
    path: &Path,
    bytes: &[u8],
    upload_detail: &str,
) -> Result<BTreeMap<String, ScaleInference>, IngestError> {
    let mut rows = CsvRows::open(path, bytes, &RESPONSE_UPLOAD_COLUMNS.join(","))?;
    let q1 = rows.require("touchpoints-v2", &["question_1"])?[0];
    let detail_column = rows.find(RESPONSES_DETAIL_COLUMN);
    let mut seen: BTreeMap<String, [u64; 3]> = BTreeMap::new();
    while let Some(row) = rows.next_row()? {
        let id = match detail_column {
            Some(i) => match row.get(i) {
                Ok(t) => t.trim(),
                Err(_) => continue,
            },
            None => upload_detail,
        };
        let Ok(v) = row.get(q1) else { continue };
        let slot = match crate::rows::whole_number(v) {
            Some(0) => 0,
            Some(1) => 1,
            Some(2..=5) => 2,
            _ => continue,
        };
        match seen.get_mut(id) {
            Some(c) => c[slot] += 1,
            None => {
                let mut c = [0; 3];
                c[slot] = 1;
                seen.insert(id.to_owned(), c);
            }
        }
    }
    Ok(seen.into_iter().map(|(id, [z, o, h])| (id, ScaleInference::from_counts(z, o, h))).collect())
}

/// The collection detail a row belongs to, or why it has none.
fn detail_of<'c>(
    path: &Path,
    row: &Row<'_>,
    c: &[usize],
    detail_column: Option<usize>,
    named: Option<&str>,
    context: &'c DetailContext,
) -> Result<Result<&'c CollectionDetail, Rejection>, IngestError> {
    let id = match detail_column {
        Some(i) => {
            let id = match row.get(i) {
                Ok(t) => t.trim(),
                Err(rej) => return Ok(Err(rej)),
            };
            if let Some(n) = named {
                if n != id {
                    return Err(IngestError::DetailContradiction {
                        path: path.to_owned(),
                        line: row.line,
                        given: n.to_owned(),
                        in_file: id.to_owned(),
                    });
                }
            }
            if id.is_empty() {
                return Ok(Err(row.reject(i, RejectReason::MissingValue, "cx_collection_detail_id is empty")));
            }
            id
        }
        None => named.unwrap_or(""),
    };
    let field = detail_column.unwrap_or(c[0]);
    if let Some(d) = context.accepted.get(id) {
        return Ok(Ok(d));
    }
    Ok(Err(match context.rejected.get(id) {
        Some(why) => row.reject(
            field,
            RejectReason::DetailRejected,
            format!("its collection detail {id} was rejected ({why}); fix that row and ingest both again"),
        ),
        None => row.reject(
            field,
            RejectReason::UnknownDetail,
            format!("collection detail {id:?} is not in any detail export ingested before this file"),
        ),
    }))
}

/// Per-row state the parser updates.
struct Tallies<'a> {
    redactions: &'a mut BTreeMap<&'static str, u64>,
    warnings: &'a mut BTreeMap<&'static str, u64>,
}

fn parse_v2(
    row: &Row<'_>,
    c: &[usize],
    detail: &CollectionDetail,
    context: &DetailContext,
    tallies: Tallies<'_>,
) -> Result<SurveyResponse, Rejection> {
    row.check_width()?;
    let id_text = row.get(c[0])?;
    // Uploads may leave external_id empty; the detail and line then identify the response, and
    // the records write it back empty, as it was given.
    let id_generated = id_text.is_empty();
    let id_owned;
    let id_text = if id_generated {
        id_owned = format!("{}#{}", detail.id, row.line);
        id_owned.as_str()
    } else {
        id_text
    };
    let id = ResponseId::new(id_text).map_err(|e| row.reject(c[0], RejectReason::BadResponseId, e.to_string()))?;
    let trust_text = row.get(c[1])?;
    if trust_text.is_empty() || trust_text.eq_ignore_ascii_case("null") {
        return Err(row.reject(c[1], RejectReason::MissingTrustAnswer, "question_1 (trust) is required in version 2"));
    }
    let scale = match detail.survey_type {
        Some(s) => s,
        None => match context.inferred.get(detail.id.as_str()) {
            Some(ScaleInference::Decided(s)) => *s,
            Some(ScaleInference::Mixed { zeros, high }) => {
                return Err(row.reject(
                    c[1],
                    RejectReason::AmbiguousSurveyType,
                    format!(
                        "collection detail {} has no survey_type and its question_1 values mix {zeros} thumbs-down \
                         answers (0) with {high} 5-point answers (2-5): set survey_type on the detail",
                        detail.id
                    ),
                ))
            }
            Some(ScaleInference::Ambiguous { ones }) => {
                return Err(row.reject(
                    c[1],
                    RejectReason::AmbiguousSurveyType,
                    format!(
                        "collection detail {} has no survey_type and all {ones} question_1 values are 1, \
                         which is thumbs up on one scale and \"strongly disagree\" on the other: set survey_type",
                        detail.id
                    ),
                ))
            }
            None => {
                return Err(row.reject(
                    c[1],
                    RejectReason::AmbiguousSurveyType,
                    format!("collection detail {} has no survey_type and none could be inferred", detail.id),
                ))
            }
        },
    };
    let value = crate::rows::whole_number(trust_text)
        .ok_or_else(|| row.reject(c[1], RejectReason::AnswerOutOfRange, format!("expected a {scale} answer")))?;
    let trust = TrustAnswer::from_value(scale, value)
        .map_err(|e| row.reject(c[1], RejectReason::AnswerOutOfRange, e.to_string()))?;
    let mut states: [IndicatorStates; 2] = [[IndicatorState::NotOffered; INDICATOR_COUNT]; 2];
    for p in Polarity::ALL {
        for ind in Indicator::ALL {
            let i = c[2 + p.index() * INDICATOR_COUNT + ind.index()];
            let t = row.get(i)?;
            let t = t.trim();
            states[p.index()][ind.index()] = match crate::rows::whole_number(t) {
                Some(1) => IndicatorState::Selected,
                Some(0) => IndicatorState::NotSelected,
                None if t.is_empty() || t.eq_ignore_ascii_case("null") => IndicatorState::NotOffered,
                _ => return Err(row.reject(i, RejectReason::BadIndicatorValue, "expected 1, 0 or null")),
            };
        }
    }
    // Touchpoints' form shows one follow-up question, by the trust answer, and only hides the other
    // (components/_form_a11_v2_script.html.erb, _form_a11_v2_radio_script.html.erb): boxes ticked
    // before the answer changed are still submitted. The answer counts; the hidden boxes do not.
    let hidden = match trust.follow_up() {
        Polarity::Positive => Polarity::Negative,
        Polarity::Negative => Polarity::Positive,
    };
    let hidden_states = &mut states[hidden.index()];
    if hidden_states.contains(&IndicatorState::Selected) {
        *tallies.warnings.entry(warning::HIDDEN_FOLLOW_UP_IGNORED).or_default() += 1;
    }
    *hidden_states = [IndicatorState::NotOffered; INDICATOR_COUNT];
    let [positive, negative] = states;
    let answers = V2Answers::new(trust, positive, negative)
        .map_err(|e| row.reject(c[1], RejectReason::IndicatorAgainstTrust, e.to_string()))?;
    let comment = row.free_text(c[16], tallies.redactions);
    let start = detail.quarter.start_date().and_hms_opt(0, 0, 0).expect("midnight exists");
    let utc = FixedOffset::east_opt(0).expect("UTC is a valid offset");
    Ok(SurveyResponse {
        id,
        service: detail.service.clone(),
        channel: detail.channel,
        transaction_point: detail.transaction_point,
        submitted_at: utc.from_utc_datetime(&start),
        answers: Answers::V2(answers),
        comment,
        detail: Some(detail.id.clone()),
        id_generated,
    })
}

impl<R: Read> Counted for TouchpointsV2Source<R> {
    fn produced(&self) -> Produced {
        self.rows.produced()
    }

    fn limit_record_lines(&mut self, n: u64) {
        self.rows.set_max_record_lines(n);
    }
}

impl<R: Read> ResponseSource for TouchpointsV2Source<R> {
    type Error = IngestError;

    fn next_item(&mut self) -> Result<Option<SourceItem>, IngestError> {
        let Some(row) = self.rows.next_row()? else { return Ok(None) };
        let detail =
            match detail_of(&self.path, &row, &self.columns, self.detail_column, self.named.as_deref(), &self.context)?
            {
                Ok(d) => d,
                Err(rej) => return Ok(Some(SourceItem::Rejected(rej))),
            };
        let tallies = Tallies { redactions: &mut self.redactions, warnings: &mut self.warnings };
        Ok(Some(match parse_v2(&row, &self.columns, detail, &self.context, tallies) {
            Ok(r) => SourceItem::Response(row.line, Box::new(r)),
            Err(rej) => SourceItem::Rejected(rej),
        }))
    }
}

/// The columns of the version-1 reporting-record export that fedcx needs (the rest are optional).
const V1_REQUIRED: [&str; 6] =
    ["collection_year", "collection_quarter", "service_id", "service_name", "channel", "volume_of_respondents"];

/// Optional version-1 columns, read when present. The export (`OmbCxReportingCollection.to_csv`,
/// app/models/omb_cx_reporting_collection.rb:168-360 @ 3319fe54) prefixes the organization with
/// `collection_`; the JSON record flattened to CSV (the serializer's layout) does not.
const V1_OPTIONAL: [&str; 22] = [
    "id",
    "collection_id",
    "collection_name",
    "collection_organization_id",
    "collection_organization_name",
    "collection_organization_abbreviation",
    "organization_id",
    "organization_name",
    "organization_abbreviation",
    "service_provider_id",
    "service_provider_name",
    "service_provider_organization_id",
    "service_provider_organization_name",
    "service_provider_organization_abbreviation",
    "service_provided",
    "transaction_point",
    "volume_of_customers",
    "volume_of_customers_provided_survey_opportunity",
    "omb_control_number",
    "federal_register_url",
    "created_at",
    "updated_at",
];

/// What Touchpoints' version-1 export writes when the control number or Federal Register URL is
/// blank (omb_cx_reporting_collection.rb:27-33 @ 3319fe54; 'Federal Register URL' before cf86cefd):
/// placeholders meaning "not provided", read as blank.
const V1_PLACEHOLDERS: [&str; 3] = ["OMB Control Number", "https:///www.reginfo.gov/...", "Federal Register URL"];

/// Warnings of the version-1 reader (rows kept, something set aside or corrected).
pub mod v1_warning {
    /// A question answered on another scale (3-point, 10-point) kept out of the 5-point counts.
    pub const QUESTION_NOT_ON_5_POINT_SCALE: &str = "question_not_on_5_point_scale";
    /// A yes/no question reported as no = 1 and yes = 5, counted with "yes" as agreeing.
    pub const YES_NO_QUESTION_MAPPED: &str = "yes_no_question_mapped";
    /// Organization name and abbreviation in each other's columns (Touchpoints' export swapped
    /// them, omb_cx_reporting_collection.rb:277-278 @ 3319fe54); read back in the right order.
    pub const ORGANIZATION_COLUMNS_SWAPPED: &str = "organization_columns_swapped";
    /// A `q*_point_scale` (Touchpoints' mean of the 1-5 codes) that the counts do not give.
    pub const POINT_SCALE_DISAGREES: &str = "point_scale_disagrees";
}

/// Where a version-1 file's columns are, and the registry its services are checked against.
#[derive(Debug)]
struct V1Columns<'a> {
    base: Vec<usize>,
    optional: [Option<usize>; V1_OPTIONAL.len()],
    questions: Vec<QuestionColumns>,
    operational_metrics: Option<usize>,
    registry: &'a Registry,
}

/// The columns of one version-1 question.
#[derive(Debug, Clone, Copy, Default)]
struct QuestionColumns {
    counts: [Option<usize>; 5],
    text: Option<usize>,
    point_scale: Option<usize>,
}

/// Reads a version-1 reporting-record export: each row gives q1..q11 counts at each scale point for
/// one service and channel in one quarter, and is the collection detail of that group too.
#[derive(Debug)]
pub struct TouchpointsV1Source<'a, R: Read> {
    rows: CsvRows<R>,
    cols: V1Columns<'a>,
    details: Vec<CollectionDetail>,
    warnings: BTreeMap<&'static str, u64>,
}

impl<'a, R: Read> TouchpointsV1Source<'a, R> {
    /// Opens an export. The year, quarter, service, channel and respondents columns are required,
    /// and at least q1's counts.
    pub fn new(path: &Path, input: R, registry: &'a Registry) -> Result<Self, IngestError> {
        let rows =
            CsvRows::open(path, input, "id,collection_id,collection_year,collection_quarter,...,q1_text,q1_1,...")?;
        rows.forbid_duplicate_columns("touchpoints-v1")?;
        let base = rows.require("touchpoints-v1", &V1_REQUIRED)?;
        rows.require("touchpoints-v1", &["q1_1", "q1_2", "q1_3", "q1_4", "q1_5"])?;
        let questions = (1..=V1_QUESTION_COUNT)
            .map(|q| QuestionColumns {
                counts: std::array::from_fn(|k| rows.find(&format!("q{q}_{}", k + 1))),
                text: rows.find(&format!("q{q}_text")),
                point_scale: rows.find(&format!("q{q}_point_scale")),
            })
            .collect();
        let optional = std::array::from_fn(|i| rows.find(V1_OPTIONAL[i]));
        let operational_metrics = rows.find("operational_metrics");
        Ok(TouchpointsV1Source {
            rows,
            cols: V1Columns { base, optional, questions, operational_metrics, registry },
            details: Vec::new(),
            warnings: BTreeMap::new(),
        })
    }

    /// The collection details built from the rows accepted so far (one per row with an `id`).
    pub fn take_details(&mut self) -> Vec<CollectionDetail> {
        std::mem::take(&mut self.details)
    }

    /// Rows kept with something set aside or corrected, by [`v1_warning`] kind.
    pub fn warnings(&self) -> &BTreeMap<&'static str, u64> {
        &self.warnings
    }
}

/// Touchpoints' `q*_point_scale`: the mean code, `(sum k * n_k / sum n_k).round(2)` with Ruby's
/// round half away from zero; `None` with no answers.
pub fn point_scale(counts: &[u64; 5]) -> Option<f64> {
    let n: u64 = counts.iter().sum();
    if n == 0 {
        return None;
    }
    let points: u64 = counts.iter().enumerate().map(|(k, c)| (k as u64 + 1) * c).sum();
    // Exact in integers: hundredths = round(100 * points / n), halves away from zero.
    let hundredths = (200 * points + n) / (2 * n);
    Some(hundredths as f64 / 100.0)
}

struct V1Row {
    key: GroupKey,
    tally: Tally,
    detail: Option<CollectionDetail>,
}

fn parse_v1(
    row: &Row<'_>,
    src: &V1Columns<'_>,
    warnings: &mut BTreeMap<&'static str, u64>,
) -> Result<V1Row, Rejection> {
    let (base, registry) = (&src.base, src.registry);
    row.check_width()?;
    let year: u16 = row
        .get(base[0])?
        .parse()
        .map_err(|_| row.reject(base[0], RejectReason::BadQuarter, "expected a fiscal year"))?;
    let q: u8 = row
        .get(base[1])?
        .parse()
        .map_err(|_| row.reject(base[1], RejectReason::BadQuarter, "expected a quarter 1 to 4"))?;
    let quarter = Quarter::from_number(q)
        .and_then(|q| FiscalQuarter::new(year, q))
        .map_err(|e| row.reject(base[1], RejectReason::BadQuarter, e.to_string()))?;
    let service_text = row.get(base[2])?;
    let service_name = row.get(base[3])?;
    let service = registry
        .service_by_str(service_text)
        .or_else(|| registry.service_by_str(service_name))
        .map(|s| s.id.clone())
        .ok_or_else(|| {
            row.reject(
                base[2],
                RejectReason::UnknownService,
                "neither service_id nor service_name names a service in the registry",
            )
        })?;
    let channel: Channel = row.get(base[4])?.parse().map_err(|e: fedcx_model::channel::UnknownChannel| {
        row.reject(base[4], RejectReason::UnknownChannel, e.to_string())
    })?;
    let mut tally = Tally::default();
    let mut largest = 0;
    let mut texts = Vec::with_capacity(V1_QUESTION_COUNT);
    let mut off_scale = Vec::new();
    for (qi, cols) in src.questions.iter().enumerate() {
        let mut counts = [0u64; 5];
        for (k, col) in cols.counts.iter().enumerate() {
            if let Some(i) = *col {
                counts[k] = row.count(i)?.unwrap_or(0);
            }
        }
        largest = largest.max(counts.iter().sum::<u64>());
        let text = cols.text.map(|i| row.get_untrimmed(i)).transpose()?.unwrap_or("").to_owned();
        let declared = cols.point_scale.map(|i| row.get(i)).transpose()?.unwrap_or("").trim();
        // A number is Touchpoints' computed mean; check it against the counts. A label declares
        // the question's scale.
        let scale = match declared.parse::<f64>() {
            Ok(mean) => {
                if point_scale(&counts).is_none_or(|m| (m - mean).abs() > 0.0051) {
                    *warnings.entry(v1_warning::POINT_SCALE_DISAGREES).or_default() += 1;
                }
                QuestionScale::from_text(&text)
            }
            Err(_) if declared.is_empty() || declared.eq_ignore_ascii_case("nan") => QuestionScale::from_text(&text),
            Err(_) => Some(QuestionScale::from_label(declared).ok_or_else(|| {
                row.reject(
                    cols.point_scale.unwrap_or(base[0]),
                    RejectReason::UnknownLabel,
                    "expected Touchpoints' mean (e.g. 4.21) or a scale: 5-point, yes/no, 3-point, 10-point, nps",
                )
            })?),
        };
        texts.push(text);
        let scale = scale.unwrap_or(QuestionScale::FivePoint);
        let on_five_columns = match scale {
            QuestionScale::FivePoint => true,
            // The documented mapping: no = 1, yes = 5. Anything else in the middle columns is not it.
            QuestionScale::YesNo => {
                let mapped = counts[1] == 0 && counts[2] == 0 && counts[3] == 0;
                if mapped {
                    *warnings.entry(v1_warning::YES_NO_QUESTION_MAPPED).or_default() += 1;
                }
                mapped
            }
            QuestionScale::ThreePoint | QuestionScale::TenPoint => false,
        };
        if on_five_columns {
            tally.v1.scores[qi] = counts;
        } else if counts.iter().any(|&c| c > 0) {
            *warnings.entry(v1_warning::QUESTION_NOT_ON_5_POINT_SCALE).or_default() += 1;
            let question = fedcx_model::V1Question::new(qi as u8 + 1).expect("qi counts the 11 questions");
            off_scale.push(OffScaleQuestion { question, scale, counts });
        }
    }
    let respondents = row.count(base[5])?.unwrap_or(0);
    if respondents > 0 && largest > respondents {
        return Err(row.reject(
            base[5],
            RejectReason::BadCount,
            format!("a question has {largest} answers, more than the {respondents} respondents"),
        ));
    }
    tally.v1.respondents = if respondents > 0 { respondents } else { largest };
    let key = GroupKey { service: service.clone(), channel, quarter };
    let detail = v1_detail(row, src, key.clone(), (texts, off_scale), warnings)?;
    Ok(V1Row { key, tally, detail })
}

/// The collection detail a version-1 row is, when it has an `id`: its volumes, transaction point,
/// control number and Touchpoints' own values, so records written back equal the row.
fn v1_detail(
    row: &Row<'_>,
    src: &V1Columns<'_>,
    key: GroupKey,
    (question_texts, off_scale): (Vec<String>, Vec<OffScaleQuestion>),
    warnings: &mut BTreeMap<&'static str, u64>,
) -> Result<Option<CollectionDetail>, Rejection> {
    let o = &src.optional;
    let col = |name: &str| V1_OPTIONAL.iter().position(|n| *n == name).and_then(|k| o[k]);
    let text = |name: &str| -> Result<Option<String>, Rejection> {
        Ok(col(name).map(|i| row.get(i)).transpose()?.filter(|t| !t.is_empty()).map(str::to_owned))
    };
    let int = |name: &str| -> Result<Option<u64>, Rejection> {
        Ok(col(name).map(|i| row.get(i)).transpose()?.and_then(|t| t.trim().parse().ok()))
    };
    let Some(id_text) = text("id")? else { return Ok(None) };
    let id_col = col("id").unwrap_or(0);
    let id = DetailId::new(id_text.trim()).map_err(|e| row.reject(id_col, RejectReason::BadDetailId, e.to_string()))?;
    let time = |name: &str| -> Result<Option<chrono::DateTime<chrono::Utc>>, Rejection> {
        let Some(t) = text(name)? else { return Ok(None) };
        fedcx_model::records::parse_timestamp(&t).map(Some).ok_or_else(|| {
            row.reject(
                col(name).unwrap_or(0),
                RejectReason::BadTimestamp,
                "expected a timestamp such as 2022-07-12 16:50:59 UTC",
            )
        })
    };
    // The export wrote the abbreviation under `collection_organization_name` and the name under
    // `..._abbreviation`; the JSON record did not. An abbreviation is the shorter of the two.
    let mut org_name = text("collection_organization_name")?.or(text("organization_name")?);
    let mut org_abbr = text("collection_organization_abbreviation")?.or(text("organization_abbreviation")?);
    if let (Some(n), Some(a)) = (&org_name, &org_abbr) {
        if n.chars().count() < a.chars().count() {
            std::mem::swap(&mut org_name, &mut org_abbr);
            *warnings.entry(v1_warning::ORGANIZATION_COLUMNS_SWAPPED).or_default() += 1;
        }
    }
    let placeholder = |v: Option<String>| v.filter(|t| !V1_PLACEHOLDERS.contains(&t.as_str())).unwrap_or_default();
    // Free text in version 1; a blank one is written back blank, not as a made-up value.
    let tp_text = col("transaction_point").map(|i| row.get(i)).transpose()?.map(str::to_owned);
    let transaction_point = tp_text
        .as_deref()
        .and_then(|t| t.parse::<fedcx_model::TransactionPoint>().ok())
        .unwrap_or(fedcx_model::TransactionPoint::PostInteraction);
    let count = |name: &str| -> Result<Option<u64>, Rejection> { col(name).map_or(Ok(None), |i| row.count(i)) };
    Ok(Some(CollectionDetail {
        id,
        service: key.service,
        quarter: key.quarter,
        transaction_point,
        channel: key.channel,
        service_stage: None,
        volume_of_customers: count("volume_of_customers")?,
        volume_of_customers_provided_survey_opportunity: count("volume_of_customers_provided_survey_opportunity")?,
        volume_of_respondents: row.count(src.base[5])?,
        omb_control_number: placeholder(text("omb_control_number")?),
        federal_register_url: placeholder(text("federal_register_url")?),
        survey_type: None,
        survey_title: String::new(),
        trust_question_text: String::new(),
        touchpoints: TouchpointsFields {
            organization_id: int("collection_organization_id")?.or(int("organization_id")?),
            organization_abbreviation: org_abbr,
            organization_name: org_name,
            collection_id: int("collection_id")?,
            collection_name: text("collection_name")?,
            service_provider_id: int("service_provider_id")?,
            service_provider_name: text("service_provider_name")?,
            service_provider_organization_id: int("service_provider_organization_id")?,
            service_provider_organization_name: text("service_provider_organization_name")?,
            service_provider_organization_abbreviation: text("service_provider_organization_abbreviation")?,
            service_id: row.get(src.base[2])?.trim().parse().ok(),
            service_name: Some(row.get(src.base[3])?.to_owned()).filter(|t| !t.is_empty()),
            service_provided: text("service_provided")?,
            question_texts,
            operational_metrics: src
                .operational_metrics
                .map(|i| row.get_untrimmed(i))
                .transpose()?
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
            transaction_point_text: tp_text,
            off_scale,
            created_at: time("created_at")?,
            updated_at: time("updated_at")?,
            ..TouchpointsFields::default()
        },
    }))
}

impl<R: Read> Counted for TouchpointsV1Source<'_, R> {
    fn produced(&self) -> Produced {
        self.rows.produced()
    }

    fn limit_record_lines(&mut self, n: u64) {
        self.rows.set_max_record_lines(n);
    }
}

impl<R: Read> ResponseSource for TouchpointsV1Source<'_, R> {
    type Error = IngestError;

    fn next_item(&mut self) -> Result<Option<SourceItem>, IngestError> {
        let mut warnings = std::mem::take(&mut self.warnings);
        let item = {
            let Some(row) = self.rows.next_row()? else {
                self.warnings = warnings;
                return Ok(None);
            };
            // Warnings of a rejected row are not kept: the row is not.
            let mut row_warnings = BTreeMap::new();
            match parse_v1(&row, &self.cols, &mut row_warnings) {
                Ok(r) => {
                    for (k, v) in row_warnings {
                        *warnings.entry(k).or_default() += v;
                    }
                    Ok((r.key, r.tally, r.detail))
                }
                Err(rej) => Err(rej),
            }
        };
        self.warnings = warnings;
        Ok(Some(match item {
            Ok((k, t, d)) => {
                self.details.extend(d);
                SourceItem::Counts(k, Box::new(t))
            }
            Err(rej) => SourceItem::Rejected(rej),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fedcx_model::{ServiceId, TransactionPoint, TrustScale};

    fn detail(scale: Option<TrustScale>) -> CollectionDetail {
        CollectionDetail {
            id: fedcx_model::DetailId::new("42").unwrap(),
            service: ServiceId::new("treasury-irs-file-return").unwrap(),
            quarter: "FY2025 Q2".parse().unwrap(),
            transaction_point: TransactionPoint::PostInteraction,
            channel: Channel::Website,
            service_stage: None,
            volume_of_customers: Some(1000),
            volume_of_customers_provided_survey_opportunity: Some(100),
            volume_of_respondents: Some(3),
            omb_control_number: String::new(),
            federal_register_url: String::new(),
            survey_type: scale,
            survey_title: String::new(),
            trust_question_text: String::new(),
            touchpoints: Default::default(),
        }
    }

    fn context(scale: Option<TrustScale>) -> DetailContext {
        let mut c = DetailContext::default();
        c.accepted.insert("42".into(), detail(scale));
        c
    }

    fn read_v2(text: &str, scale: TrustScale) -> Vec<Result<SurveyResponse, &'static str>> {
        read_with(text, context(Some(scale)))
    }

    fn read_with(text: &str, context: DetailContext) -> Vec<Result<SurveyResponse, &'static str>> {
        let mut src = TouchpointsV2Source::new(Path::new("42.csv"), text.as_bytes(), None, context).unwrap();
        let mut out = Vec::new();
        while let Some(item) = src.next_item().unwrap() {
            out.push(match item {
                SourceItem::Response(_, r) => Ok(*r),
                SourceItem::Rejected(r) => Err(r.reason.code()),
                other => panic!("{other:?}"),
            });
        }
        out
    }

    #[test]
    fn version_two_upload_rows() {
        let header = RESPONSE_UPLOAD_COLUMNS.join(",");
        let text = format!(
            "{header}\nA,1,1,0,null,null,null,null,null,0,0,null,null,null,null,null,Great\n\
             B,0,1,0,null,null,null,null,null,0,0,null,null,null,null,null,\n\
             ,0,0,0,null,null,null,null,null,1,0,null,null,null,null,null,call 202-555-0143\n\
             C,,0,0,null,null,null,null,null,0,0,null,null,null,null,null,\n\
             D,3,0,0,null,null,null,null,null,0,0,null,null,null,null,null,\n"
        );
        let got = read_v2(&text, TrustScale::ThumbsUpDown);
        assert_eq!(got.len(), 5);
        let a = got[0].as_ref().unwrap();
        assert_eq!(a.fiscal_quarter().unwrap().to_string(), "FY2025 Q2");
        assert_eq!(a.channel, Channel::Website);
        // Thumbs down with a "went well" box ticked: Touchpoints' form hid that question but kept
        // its box. The answer counts, the hidden box does not.
        let second = got[1].as_ref().unwrap();
        let Answers::V2(a) = &second.answers else { panic!() };
        assert!(!a.trust().agrees());
        assert!(a.indicators(Polarity::Positive).iter().all(|s| *s == IndicatorState::NotOffered));
        let third = got[2].as_ref().unwrap();
        assert_eq!(third.id.as_str(), "42#4");
        assert!(third.id_generated && !second.id_generated);
        assert_eq!(third.detail.as_ref().map(|d| d.as_str()), Some("42"));
        assert_eq!(third.comment.as_deref(), Some("call [REDACTED PHONE]"));
        assert_eq!(got[3].as_ref().unwrap_err(), &"missing_trust_answer");
        assert_eq!(got[4].as_ref().unwrap_err(), &"answer_out_of_range");
    }

    /// Touchpoints' mean, `(points / n).round(2)` with Ruby's round half away from zero, checked
    /// against the published values (tests/fixtures/touchpoints/v1/expected.md).
    #[test]
    fn point_scale_is_touchpoints_mean_to_the_digit() {
        assert_eq!(point_scale(&[63, 0, 0, 0, 41]), Some(2.58));
        assert_eq!(point_scale(&[10, 25, 65, 0, 0]), Some(2.55));
        assert_eq!(point_scale(&[7, 2, 2, 0, 0]), Some(1.55));
        // 27/8 = 3.375 rounds half away from zero to 3.38, as published for FWS id 532 q7.
        assert_eq!(point_scale(&[1, 2, 1, 1, 3]), Some(3.38));
        assert_eq!(point_scale(&[32, 20, 30, 69, 45]), Some(3.38));
        assert_eq!(point_scale(&[0; 5]), None);
    }

    #[test]
    fn scale_inference_needs_a_value_that_only_one_scale_has() {
        use ScaleInference::*;
        assert_eq!(ScaleInference::from_counts(3, 5, 0), Decided(TrustScale::ThumbsUpDown));
        assert_eq!(ScaleInference::from_counts(0, 5, 1), Decided(TrustScale::LikertScale));
        assert_eq!(ScaleInference::from_counts(0, 5, 0), Ambiguous { ones: 5 });
        assert_eq!(ScaleInference::from_counts(1, 0, 9), Mixed { zeros: 1, high: 9 });
    }

    #[test]
    fn a_blank_survey_type_is_inferred_and_an_ambiguous_upload_rejects_each_row() {
        let header = RESPONSE_UPLOAD_COLUMNS.join(",");
        let text = format!("{header}\nA,4,1,,,,,,,,,,,,,,\nB,1,,,,,,,,1,,,,,,,\n");
        let scales = infer_scales(Path::new("42.csv"), text.as_bytes(), "42").unwrap();
        let mut c = context(None);
        c.inferred = scales;
        let got = read_with(&text, c);
        let Answers::V2(a) = &got[1].as_ref().unwrap().answers else { panic!() };
        assert_eq!(a.trust().scale(), TrustScale::LikertScale, "1 is 'strongly disagree' here");
        let ones = format!("{header}\nA,1,,,,,,,,,,,,,,,\nB,1,,,,,,,,,,,,,,,\n");
        let mut c = context(None);
        c.inferred = infer_scales(Path::new("42.csv"), ones.as_bytes(), "42").unwrap();
        assert_eq!(read_with(&ones, c), vec![Err("ambiguous_survey_type"), Err("ambiguous_survey_type")]);
    }

    /// A re-saved spreadsheet writes `5.0` and `1.0`: read as 5 and 1, as the mapped reader reads
    /// them (one parser, `rows::whole_number`); `4.5` is still an error.
    #[test]
    fn spreadsheet_whole_numbers_read_as_the_mapped_reader_reads_them() {
        let header = RESPONSE_UPLOAD_COLUMNS.join(",");
        let text = format!("{header}\nA,5.0,1.0,0.0,,,,,,,,,,,,,\nB,4.5,,,,,,,,,,,,,,,\n");
        let got = read_v2(&text, TrustScale::LikertScale);
        let Answers::V2(a) = &got[0].as_ref().unwrap().answers else { panic!() };
        assert_eq!(a.trust().value(), 5);
        assert_eq!(a.indicators(Polarity::Positive)[0], IndicatorState::Selected);
        assert_eq!(a.indicators(Polarity::Positive)[1], IndicatorState::NotSelected);
        assert_eq!(got[1].as_ref().unwrap_err(), &"answer_out_of_range");
    }

    #[test]
    fn wrong_headers_are_one_clear_error() {
        let err = TouchpointsV2Source::new(
            Path::new("42.csv"),
            &b"external_id,question_1\n"[..],
            None,
            context(Some(TrustScale::LikertScale)),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("lacks required column(s) positive_effectiveness"), "{err}");
    }

    #[test]
    fn version_one_reporting_records_give_counts() {
        let registry = Registry::bundled();
        let text = "collection_year,collection_quarter,service_id,service_name,channel,volume_of_respondents,q1_1,q1_2,q1_3,q1_4,q1_5,q2_1,q2_2,q2_3,q2_4,q2_5\n\
                    2023,2,x,Filing an individual tax return,website,40,1,2,3,20,14,0,0,5,20,15\n\
                    2023,5,x,Filing an individual tax return,website,40,1,2,3,20,14,0,0,5,20,15\n\
                    2023,2,x,Filing an individual tax return,website,10,1,2,3,20,14,0,0,5,20,15\n";
        let mut src = TouchpointsV1Source::new(Path::new("v1.csv"), text.as_bytes(), &registry).unwrap();
        let mut items = Vec::new();
        while let Some(i) = src.next_item().unwrap() {
            items.push(i);
        }
        let SourceItem::Counts(key, tally) = &items[0] else { panic!("{:?}", items[0]) };
        assert_eq!(key.service.as_str(), "treasury-irs-file-return");
        assert_eq!(key.quarter.to_string(), "FY2023 Q2");
        assert_eq!(tally.v1.scores[0], [1, 2, 3, 20, 14]);
        assert_eq!(tally.v1.respondents, 40);
        assert!(matches!(&items[1], SourceItem::Rejected(r) if r.reason.code() == "bad_quarter"));
        assert!(matches!(&items[2], SourceItem::Rejected(r) if r.reason.code() == "bad_count"));
    }
}
