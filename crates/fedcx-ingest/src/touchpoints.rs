//! GSA Touchpoints files: the version-2 response upload (17 columns, one respondent per row) and the
//! version-1 reporting-record export (one row per service and channel, already counted).

use crate::rows::{Counted, Produced};
use std::io::Read;
use std::path::Path;

use chrono::{FixedOffset, TimeZone};
use fedcx_model::records::RESPONSE_UPLOAD_COLUMNS;
use fedcx_model::survey::{Indicator, Polarity, INDICATOR_COUNT, V1_QUESTION_COUNT};
use fedcx_model::traits::{Rejection, ResponseSource, SourceItem};
use fedcx_model::{
    Answers, Channel, CollectionDetail, FiscalQuarter, GroupKey, IndicatorState, IndicatorStates, Quarter, Registry,
    ResponseId, SurveyResponse, Tally, TrustAnswer, V2Answers,
};

use crate::error::IngestError;
use crate::reconcile::reason;
use crate::rows::{CsvRows, Row};

/// Reads a version-2 response upload. The file carries no service, channel or date: they come from
/// its collection detail, and every response is dated at the start of the detail's quarter.
#[derive(Debug)]
pub struct TouchpointsV2Source<R: Read> {
    rows: CsvRows<R>,
    columns: Vec<usize>,
    detail: CollectionDetail,
    redactions: std::collections::BTreeMap<&'static str, u64>,
}

impl<R: Read> TouchpointsV2Source<R> {
    /// Opens an upload for the given detail. All 17 columns are required.
    pub fn new(path: &Path, input: R, detail: CollectionDetail) -> Result<Self, IngestError> {
        let rows = CsvRows::open(path, input, &RESPONSE_UPLOAD_COLUMNS.join(","))?;
        rows.forbid_duplicate_columns("touchpoints-v2")?;
        let columns = rows.require("touchpoints-v2", &RESPONSE_UPLOAD_COLUMNS)?;
        Ok(TouchpointsV2Source { rows, columns, detail, redactions: Default::default() })
    }

    /// Personal data redacted so far, by kind.
    pub fn redactions(&self) -> &std::collections::BTreeMap<&'static str, u64> {
        &self.redactions
    }
}

fn parse_v2(
    row: &Row<'_>,
    c: &[usize],
    detail: &CollectionDetail,
    redactions: &mut std::collections::BTreeMap<&'static str, u64>,
) -> Result<SurveyResponse, Rejection> {
    row.check_width()?;
    let id_text = row.get(c[0])?;
    // Uploads may leave external_id empty; the detail and line then identify the response.
    let id_owned;
    let id_text = if id_text.is_empty() {
        id_owned = format!("{}#{}", detail.id, row.line);
        id_owned.as_str()
    } else {
        id_text
    };
    let id = ResponseId::new(id_text).map_err(|e| row.reject(c[0], reason::BAD_RESPONSE_ID, e.to_string()))?;
    let trust_text = row.get(c[1])?;
    if trust_text.is_empty() || trust_text.eq_ignore_ascii_case("null") {
        return Err(row.reject(c[1], reason::MISSING_TRUST_ANSWER, "question_1 (trust) is required in version 2"));
    }
    let value: i64 = trust_text.parse().map_err(|_| {
        row.reject(c[1], reason::ANSWER_OUT_OF_RANGE, format!("expected a {} answer", detail.survey_type))
    })?;
    let trust = TrustAnswer::from_value(detail.survey_type, value)
        .map_err(|e| row.reject(c[1], reason::ANSWER_OUT_OF_RANGE, e.to_string()))?;
    let mut states: [IndicatorStates; 2] = [[IndicatorState::NotOffered; INDICATOR_COUNT]; 2];
    for p in Polarity::ALL {
        for ind in Indicator::ALL {
            let i = c[2 + p.index() * INDICATOR_COUNT + ind.index()];
            let t = row.get(i)?;
            states[p.index()][ind.index()] = match t {
                "1" => IndicatorState::Selected,
                "0" => IndicatorState::NotSelected,
                "" => IndicatorState::NotOffered,
                t if t.eq_ignore_ascii_case("null") => IndicatorState::NotOffered,
                _ => return Err(row.reject(i, reason::BAD_INDICATOR_VALUE, "expected 1, 0 or null")),
            };
        }
    }
    let [positive, negative] = states;
    let answers = V2Answers::new(trust, positive, negative).map_err(|e| {
        let column = match &e {
            fedcx_model::AnswerError::IndicatorAgainstTrust { column, .. } => column.clone(),
            _ => String::new(),
        };
        let i = RESPONSE_UPLOAD_COLUMNS.iter().position(|h| *h == column).map_or(c[1], |k| c[k]);
        row.reject(i, reason::INDICATOR_AGAINST_TRUST, e.to_string())
    })?;
    let comment = row.free_text(c[16], redactions);
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
        Ok(Some(match parse_v2(&row, &self.columns, &self.detail, &mut self.redactions) {
            Ok(r) => SourceItem::Response(row.line, Box::new(r)),
            Err(rej) => SourceItem::Rejected(rej),
        }))
    }
}

/// The columns of the version-1 reporting-record export that fedcx needs (the rest are optional).
const V1_REQUIRED: [&str; 6] =
    ["collection_year", "collection_quarter", "service_id", "service_name", "channel", "volume_of_respondents"];

/// Reads a version-1 reporting-record export: each row gives q1..q11 counts at each scale point for
/// one service and channel in one quarter.
#[derive(Debug)]
pub struct TouchpointsV1Source<'a, R: Read> {
    rows: CsvRows<R>,
    base: Vec<usize>,
    /// For each question, the columns of its counts at points 1..5 (absent columns count 0).
    counts: Vec<[Option<usize>; 5]>,
    registry: &'a Registry,
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
        let counts =
            (1..=V1_QUESTION_COUNT).map(|q| std::array::from_fn(|k| rows.find(&format!("q{q}_{}", k + 1)))).collect();
        Ok(TouchpointsV1Source { rows, base, counts, registry })
    }
}

fn parse_v1(
    row: &Row<'_>,
    base: &[usize],
    counts: &[[Option<usize>; 5]],
    registry: &Registry,
) -> Result<(GroupKey, Tally), Rejection> {
    row.check_width()?;
    let year: u16 =
        row.get(base[0])?.parse().map_err(|_| row.reject(base[0], reason::BAD_QUARTER, "expected a fiscal year"))?;
    let q: u8 =
        row.get(base[1])?.parse().map_err(|_| row.reject(base[1], reason::BAD_QUARTER, "expected a quarter 1 to 4"))?;
    let quarter = Quarter::from_number(q)
        .and_then(|q| FiscalQuarter::new(year, q))
        .map_err(|e| row.reject(base[1], reason::BAD_QUARTER, e.to_string()))?;
    let service_text = row.get(base[2])?;
    let service_name = row.get(base[3])?;
    let service = registry
        .service_by_str(service_text)
        .or_else(|| registry.services().find(|s| s.name.eq_ignore_ascii_case(service_name)))
        .map(|s| s.id.clone())
        .ok_or_else(|| {
            row.reject(
                base[2],
                reason::UNKNOWN_SERVICE,
                "neither service_id nor service_name names a service in the registry",
            )
        })?;
    let channel: Channel = row.get(base[4])?.parse().map_err(|e: fedcx_model::channel::UnknownChannel| {
        row.reject(base[4], reason::UNKNOWN_CHANNEL, e.to_string())
    })?;
    let count = |i: usize| -> Result<u64, Rejection> { Ok(row.count(i)?.unwrap_or(0)) };
    let mut tally = Tally::default();
    let mut largest = 0;
    for (q, cols) in counts.iter().enumerate() {
        for (k, col) in cols.iter().enumerate() {
            if let Some(i) = *col {
                tally.v1.scores[q][k] = count(i)?;
            }
        }
        largest = largest.max(tally.v1.scores[q].iter().sum::<u64>());
    }
    let respondents = count(base[5])?;
    if respondents > 0 && largest > respondents {
        return Err(row.reject(
            base[5],
            reason::BAD_COUNT,
            format!("a question has {largest} answers, more than the {respondents} respondents"),
        ));
    }
    tally.v1.respondents = if respondents > 0 { respondents } else { largest };
    Ok((GroupKey { service, channel, quarter }, tally))
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
        Ok(Some(match parse_v1(&row, &self.base, &self.counts, self.registry) {
            Ok((k, t)) => SourceItem::Counts(k, Box::new(t)),
            Err(rej) => SourceItem::Rejected(rej),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fedcx_model::{ServiceId, TransactionPoint, TrustScale};

    fn detail(scale: TrustScale) -> CollectionDetail {
        CollectionDetail {
            id: fedcx_model::DetailId::new("42").unwrap(),
            service: ServiceId::new("treasury-irs-file-return").unwrap(),
            quarter: "FY2025 Q2".parse().unwrap(),
            transaction_point: TransactionPoint::PostInteraction,
            channel: Channel::Website,
            service_stage: None,
            volume_of_customers: 1000,
            volume_of_customers_provided_survey_opportunity: 100,
            volume_of_respondents: 3,
            omb_control_number: String::new(),
            federal_register_url: String::new(),
            survey_type: scale,
            survey_title: String::new(),
            trust_question_text: String::new(),
        }
    }

    fn read_v2(text: &str, scale: TrustScale) -> Vec<Result<SurveyResponse, &'static str>> {
        let mut src = TouchpointsV2Source::new(Path::new("42.csv"), text.as_bytes(), detail(scale)).unwrap();
        let mut out = Vec::new();
        while let Some(item) = src.next_item().unwrap() {
            out.push(match item {
                SourceItem::Response(_, r) => Ok(*r),
                SourceItem::Rejected(r) => Err(r.reason),
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
        assert_eq!(got[1].as_ref().unwrap_err(), &"indicator_against_trust");
        let third = got[2].as_ref().unwrap();
        assert_eq!(third.id.as_str(), "42#4");
        assert_eq!(third.comment.as_deref(), Some("call [REDACTED PHONE]"));
        assert_eq!(got[3].as_ref().unwrap_err(), &"missing_trust_answer");
        assert_eq!(got[4].as_ref().unwrap_err(), &"answer_out_of_range");
    }

    #[test]
    fn wrong_headers_are_one_clear_error() {
        let err = TouchpointsV2Source::new(
            Path::new("42.csv"),
            &b"external_id,question_1\n"[..],
            detail(TrustScale::LikertScale),
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
        assert!(matches!(&items[1], SourceItem::Rejected(r) if r.reason == "bad_quarter"));
        assert!(matches!(&items[2], SourceItem::Rejected(r) if r.reason == "bad_count"));
    }
}
