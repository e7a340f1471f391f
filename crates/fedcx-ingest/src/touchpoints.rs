//! GSA Touchpoints files: the version-2 response upload (17 columns, one respondent per row) and the
//! version-1 reporting-record export (one row per service and channel, already counted).

use crate::rows::{Counted, Produced};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use chrono::{FixedOffset, TimeZone};
use fedcx_model::records::RESPONSE_UPLOAD_COLUMNS;
use fedcx_model::survey::{Indicator, Polarity, INDICATOR_COUNT};
use fedcx_model::traits::{Rejection, ResponseSource, SourceItem};
use fedcx_model::{
    Answers, CollectionDetail, IndicatorState, IndicatorStates, Registry, ResponseId, SurveyResponse, TrustAnswer,
    TrustScale, V2Answers,
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

/// Warnings of the version-1 reader, by kind ([`crate::v1::warning`]).
pub use crate::v1::warning as v1_warning;

/// Reads a version-1 reporting-record export: each row gives q1..q11 counts at each scale point for
/// one service and channel in one quarter, and is the collection detail of that group too. The
/// same reader reads performance.gov's record flattened to CSV (`id`, `type`, `attributes_…`
/// columns, GSA/HISP-CX-Data's `mergedcxdata-2023-05-21.csv`): see [`crate::v1`].
#[derive(Debug)]
pub struct TouchpointsV1Source<'a, R: Read> {
    rows: CsvRows<R>,
    parser: crate::v1::V1Parser<'a>,
}

impl<'a, R: Read> TouchpointsV1Source<'a, R> {
    /// Opens an export. The year, quarter, service, channel and respondents columns are required,
    /// and at least q1's counts; each is found with or without the flattened file's `attributes_`.
    pub fn new(path: &Path, input: R, registry: &'a Registry) -> Result<Self, IngestError> {
        let rows =
            CsvRows::open(path, input, "id,collection_id,collection_year,collection_quarter,...,q1_text,q1_1,...")?;
        rows.forbid_duplicate_columns("touchpoints-v1")?;
        let cols = crate::v1::V1Columns::new(path, "touchpoints-v1", rows.header())?;
        Ok(TouchpointsV1Source { rows, parser: crate::v1::V1Parser::new(cols, registry) })
    }

    /// Records ingested before, so the same record read again is a duplicate ([`crate::v1::V1Parser::know`]).
    pub fn know<'d>(&mut self, details: impl IntoIterator<Item = &'d fedcx_model::CollectionDetail>, from: &str) {
        self.parser.know(details, from);
    }

    /// The collection details built from the rows accepted so far (one per row with an `id`).
    pub fn take_details(&mut self) -> Vec<CollectionDetail> {
        self.parser.take_details()
    }

    /// Rows kept with something set aside or corrected, by [`v1_warning`] kind.
    pub fn warnings(&self) -> &BTreeMap<&'static str, u64> {
        self.parser.warnings()
    }

    /// The warnings of the rows accepted so far, each naming its line.
    pub fn take_notices(&mut self) -> Vec<crate::reconcile::Notice> {
        self.parser.take_notices()
    }

    /// Plausibility findings of the rows accepted so far.
    pub fn take_findings(&mut self) -> Vec<crate::plausibility::Finding> {
        self.parser.take_findings()
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
        let Some(row) = self.rows.next_row()? else { return Ok(None) };
        Ok(Some(self.parser.item(&row)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fedcx_model::{Channel, ServiceId, TransactionPoint, TrustScale};

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
        // Answers above the respondents (40 answers, 10 respondents) are kept as reported, warned
        // with the question and the excess; the record's respondents stay the agency's 10.
        let SourceItem::Counts(_, tally) = &items[2] else { panic!("{:?}", items[2]) };
        assert_eq!(tally.v1.respondents, 10);
        assert_eq!(tally.v1.scores[0], [1, 2, 3, 20, 14]);
        assert_eq!(src.warnings().get(v1_warning::ANSWERS_EXCEED_RESPONDENTS), Some(&2), "q1 and q2");
        let notices = src.take_notices();
        let n = notices.iter().find(|n| n.kind == v1_warning::ANSWERS_EXCEED_RESPONDENTS).unwrap();
        assert_eq!(n.line, 4);
        assert!(n.detail.contains("q1") && n.detail.contains("30"), "{}", n.detail);
    }
}
