//! Respondent-level CSV exports of any survey tool (Qualtrics, Medallia, in-house), read through a
//! mapping file that names the columns and translates answer labels.
//!
//! With no mapping file the built-in [`Mapping::native`] is used: fedcx's own layout ([`NATIVE_HEADER`]),
//! which the bundled demo data is written in and which [`native_record`] writes.

use crate::rows::{Counted, Produced};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use fedcx_model::survey::{Indicator, Polarity, INDICATOR_COUNT, V1_QUESTION_COUNT};
use fedcx_model::traits::{Rejection, ResponseSource, SourceItem};
use fedcx_model::{
    Answers, Channel, FiscalQuarter, IndicatorState, IndicatorStates, Likert, Registry, ResponseId, ServiceId,
    SurveyResponse, SurveyVersion, TransactionPoint, TrustAnswer, TrustScale, V1Answer, V1Answers, V2Answers,
};
use serde::Deserialize;

use crate::error::IngestError;
use crate::reconcile::reason;
use crate::rows::{CsvRows, Row};

/// The columns of fedcx's native respondent-level CSV, in order.
pub const NATIVE_HEADER: [&str; 34] = [
    "response_id",
    "submitted_at",
    "service_id",
    "channel",
    "transaction_point",
    "survey_version",
    "survey_type",
    "q1",
    "q2",
    "q3",
    "q4",
    "q5",
    "q6",
    "q7",
    "q8",
    "q9",
    "q10",
    "q11",
    "question_1",
    "positive_effectiveness",
    "positive_ease",
    "positive_efficiency",
    "positive_transparency",
    "positive_humanity",
    "positive_employee",
    "positive_other",
    "negative_effectiveness",
    "negative_ease",
    "negative_efficiency",
    "negative_transparency",
    "negative_humanity",
    "negative_employee",
    "negative_other",
    "comment",
];

/// A value an answer label stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum LabelValue {
    /// A number on the question's scale (1-5, or 1/0 for thumbs and indicators).
    Number(i64),
    /// `"n/a"` (not applicable) or `"null"` (not offered).
    Word(Word),
}

/// The words a label may stand for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Word {
    /// Not applicable: counted apart from the scale.
    #[serde(rename = "n/a")]
    Na,
    /// Not on the form.
    Null,
}

/// How to read timestamps.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimestampSpec {
    /// Formats tried in order: `rfc3339`, `excel` (a spreadsheet day number such as 45292.5), or a
    /// chrono `strftime` pattern such as `%m/%d/%Y %H:%M`.
    #[serde(default = "default_formats")]
    pub formats: Vec<String>,
    /// The IANA time zone of timestamps that carry no offset, e.g. `America/New_York`.
    #[serde(default = "default_zone")]
    pub time_zone: String,
}

fn default_formats() -> Vec<String> {
    vec!["rfc3339".to_owned()]
}

fn default_zone() -> String {
    "UTC".to_owned()
}

impl Default for TimestampSpec {
    fn default() -> TimestampSpec {
        TimestampSpec { formats: default_formats(), time_zone: default_zone() }
    }
}

/// A mapping file: which column holds what, constants for what the file does not hold, and labels.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// Field name (as in [`NATIVE_HEADER`]) to the export's column name.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// Field name to a value used for every row (e.g. the one service a file is about).
    #[serde(default)]
    pub constants: BTreeMap<String, String>,
    /// How timestamps are written.
    #[serde(default)]
    pub timestamp: TimestampSpec,
    /// Answer labels (matched ignoring case) to values.
    #[serde(default)]
    pub labels: BTreeMap<String, LabelValue>,
    /// The export's service names to registry service ids.
    #[serde(default)]
    pub services: BTreeMap<String, String>,
    /// The export's channel names to channel ids.
    #[serde(default)]
    pub channels: BTreeMap<String, String>,
}

const FIELDS_WITH_CONSTANTS: [&str; 5] =
    ["service_id", "channel", "transaction_point", "survey_version", "survey_type"];

impl Mapping {
    /// fedcx's own layout: every field in the column of the same name.
    pub fn native() -> Mapping {
        Mapping {
            columns: NATIVE_HEADER.iter().map(|c| ((*c).to_owned(), (*c).to_owned())).collect(),
            ..Mapping::default()
        }
    }

    /// Parses a mapping file's text, listing every problem.
    pub fn from_toml_str(path: &Path, text: &str) -> Result<Mapping, IngestError> {
        let bad = |problems| IngestError::BadConfig { path: path.to_owned(), problems };
        let m: Mapping = toml::from_str(text).map_err(|e| bad(vec![e.to_string()]))?;
        let mut problems = Vec::new();
        for field in m.columns.keys() {
            if !NATIVE_HEADER.contains(&field.as_str()) {
                problems
                    .push(format!("[columns] names unknown field {field:?} (fields: {})", NATIVE_HEADER.join(", ")));
            }
        }
        for field in m.constants.keys() {
            if !FIELDS_WITH_CONSTANTS.contains(&field.as_str()) {
                problems.push(format!(
                    "[constants] names {field:?}; only {} can be constant",
                    FIELDS_WITH_CONSTANTS.join(", ")
                ));
            }
        }
        for required in ["response_id", "submitted_at"] {
            if !m.columns.contains_key(required) {
                problems.push(format!("[columns] must name the column of {required}"));
            }
        }
        for either in ["service_id", "channel"] {
            if !m.columns.contains_key(either) && !m.constants.contains_key(either) {
                problems.push(format!("{either} needs a column in [columns] or a value in [constants]"));
            }
        }
        if let Err(e) = m.timestamp.time_zone.parse::<chrono_tz::Tz>() {
            problems.push(format!("[timestamp] time_zone: {e}"));
        }
        if m.timestamp.formats.is_empty() {
            problems.push("[timestamp] formats is empty".to_owned());
        }
        for (label, id) in &m.services {
            if ServiceId::new(id).is_err() {
                problems.push(format!("[services] {label:?} maps to {id:?}, which is not a service id"));
            }
        }
        for (label, id) in &m.channels {
            if id.parse::<Channel>().is_err() {
                problems.push(format!("[channels] {label:?} maps to {id:?}, which is not a channel"));
            }
        }
        let has_v1 = (1..=V1_QUESTION_COUNT).any(|q| m.columns.contains_key(&format!("q{q}")));
        if !has_v1 && !m.columns.contains_key("question_1") {
            problems.push("[columns] maps no question: name q1..q11 (version 1) or question_1 (version 2)".to_owned());
        }
        if problems.is_empty() {
            Ok(m)
        } else {
            Err(bad(problems))
        }
    }
}

/// A field read from a column, or a constant.
#[derive(Debug, Clone)]
enum Slot<T> {
    Column(usize),
    Constant(T),
    Absent,
}

/// Column positions resolved against one file's header.
#[derive(Debug)]
struct Resolved {
    response_id: usize,
    submitted_at: usize,
    service: Slot<ServiceId>,
    channel: Slot<Channel>,
    transaction_point: Slot<TransactionPoint>,
    survey_version: Slot<SurveyVersion>,
    survey_type: Slot<TrustScale>,
    v1: [Option<usize>; V1_QUESTION_COUNT],
    trust: Option<usize>,
    indicators: [[Option<usize>; INDICATOR_COUNT]; 2],
    comment: Option<usize>,
}

#[derive(Debug)]
enum TsFormat {
    Rfc3339,
    Excel,
    Pattern { text: String, has_time: bool },
}

/// Reads a respondent-level CSV through a mapping.
#[derive(Debug)]
pub struct MappedCsvSource<'a, R: Read> {
    rows: CsvRows<R>,
    parser: RowParser<'a>,
    redactions: BTreeMap<&'static str, u64>,
}

/// Everything needed to turn one row into a response. It is immutable, so worker threads can share
/// it; each caller keeps its own redaction counts.
#[derive(Debug)]
pub(crate) struct RowParser<'a> {
    resolved: Resolved,
    registry: &'a Registry,
    mapping: Mapping,
    formats: Vec<TsFormat>,
    zone: chrono_tz::Tz,
}

/// What a cell says.
enum Cell {
    Empty,
    Na,
    Null,
    Number(i64),
}

impl<'a, R: Read> MappedCsvSource<'a, R> {
    /// Opens a file with the given mapping; required columns missing from the header fail at once.
    pub fn new(path: &Path, input: R, mapping: Mapping, registry: &'a Registry) -> Result<Self, IngestError> {
        let expected: Vec<&str> = mapping.columns.values().map(String::as_str).collect();
        let rows = CsvRows::open(path, input, &expected.join(","))?;
        rows.forbid_duplicate_columns("csv")?;
        let mut problems = Vec::new();
        let mut missing = Vec::new();
        let mut col = |field: &str| -> Option<usize> {
            let name = mapping.columns.get(field)?;
            let found = rows.find(name);
            if found.is_none() {
                missing.push(name.clone());
            }
            found
        };
        let response_id = col("response_id");
        let submitted_at = col("submitted_at");
        let service_col = col("service_id");
        let channel_col = col("channel");
        let tp_col = col("transaction_point");
        let version_col = col("survey_version");
        let type_col = col("survey_type");
        let mut v1 = [None; V1_QUESTION_COUNT];
        for (i, slot) in v1.iter_mut().enumerate() {
            *slot = col(&format!("q{}", i + 1));
        }
        let trust = col("question_1");
        let mut indicators = [[None; INDICATOR_COUNT]; 2];
        for p in Polarity::ALL {
            for ind in Indicator::ALL {
                indicators[p.index()][ind.index()] = col(&ind.column(p));
            }
        }
        let comment = col("comment");
        if !missing.is_empty() {
            return Err(IngestError::MissingColumns {
                path: path.to_owned(),
                format: "csv",
                missing,
                found: rows.header().to_vec(),
            });
        }
        fn slot<T, E: std::fmt::Display>(
            column: Option<usize>,
            constant: Option<&String>,
            field: &str,
            parse: impl Fn(&str) -> Result<T, E>,
            problems: &mut Vec<String>,
        ) -> Slot<T> {
            match (column, constant) {
                (Some(i), _) => Slot::Column(i),
                (None, Some(text)) => match parse(text) {
                    Ok(v) => Slot::Constant(v),
                    Err(e) => {
                        problems.push(format!("[constants] {field}: {e}"));
                        Slot::Absent
                    }
                },
                (None, None) => Slot::Absent,
            }
        }
        let c = &mapping.constants;
        let service = slot(
            service_col,
            c.get("service_id"),
            "service_id",
            |t| resolve_service(registry, &mapping, t),
            &mut problems,
        );
        let channel = slot(channel_col, c.get("channel"), "channel", |t| resolve_channel(&mapping, t), &mut problems);
        let transaction_point =
            slot(tp_col, c.get("transaction_point"), "transaction_point", str::parse, &mut problems);
        let survey_version = slot(version_col, c.get("survey_version"), "survey_version", str::parse, &mut problems);
        let survey_type = slot(type_col, c.get("survey_type"), "survey_type", str::parse, &mut problems);
        // A mapping built in code skips from_toml_str's checks, so the two fields every row needs are checked here too.
        for (field, absent) in
            [("service_id", matches!(service, Slot::Absent)), ("channel", matches!(channel, Slot::Absent))]
        {
            if absent && !problems.iter().any(|p| p.contains(field)) {
                problems.push(format!("{field} needs a column in [columns] or a value in [constants]"));
            }
        }
        let zone: chrono_tz::Tz = mapping.timestamp.time_zone.parse().map_err(|e| IngestError::BadConfig {
            path: path.to_owned(),
            problems: vec![format!("[timestamp] time_zone: {e}")],
        })?;
        let formats = mapping
            .timestamp
            .formats
            .iter()
            .map(|f| match f.as_str() {
                "rfc3339" => TsFormat::Rfc3339,
                "excel" => TsFormat::Excel,
                p => TsFormat::Pattern {
                    text: p.to_owned(),
                    has_time: p.contains("%H") || p.contains("%I") || p.contains("%T") || p.contains("%R"),
                },
            })
            .collect();
        if !problems.is_empty() {
            return Err(IngestError::BadConfig { path: path.to_owned(), problems });
        }
        let (Some(response_id), Some(submitted_at)) = (response_id, submitted_at) else {
            return Err(IngestError::BadConfig {
                path: path.to_owned(),
                problems: vec!["the mapping must name the response_id and submitted_at columns".to_owned()],
            });
        };
        let resolved = Resolved {
            response_id,
            submitted_at,
            service,
            channel,
            transaction_point,
            survey_version,
            survey_type,
            v1,
            trust,
            indicators,
            comment,
        };
        let parser = RowParser { resolved, registry, mapping, formats, zone };
        Ok(MappedCsvSource { rows, parser, redactions: BTreeMap::new() })
    }

    /// Personal data redacted so far, by kind.
    pub fn redactions(&self) -> &BTreeMap<&'static str, u64> {
        &self.redactions
    }

    /// The parser and header, for reading the rest of the file in parallel chunks.
    pub(crate) fn into_parts(self) -> (RowParser<'a>, Vec<String>, Produced) {
        let produced = self.rows.produced();
        (self.parser, self.rows.header().to_vec(), produced)
    }
}

fn resolve_service(registry: &Registry, mapping: &Mapping, text: &str) -> Result<ServiceId, String> {
    let id =
        mapping.services.iter().find(|(label, _)| label.eq_ignore_ascii_case(text)).map_or(text, |(_, id)| id.as_str());
    registry
        .service_by_str(id)
        .map(|s| s.id.clone())
        .ok_or_else(|| format!("{text:?} is not a service in the registry"))
}

fn resolve_channel(mapping: &Mapping, text: &str) -> Result<Channel, String> {
    let id =
        mapping.channels.iter().find(|(label, _)| label.eq_ignore_ascii_case(text)).map_or(text, |(_, id)| id.as_str());
    id.parse::<Channel>().map_err(|e| e.to_string())
}

impl RowParser<'_> {
    fn cell(&self, text: &str) -> Option<Cell> {
        if text.is_empty() {
            return Some(Cell::Empty);
        }
        if let Ok(n) = text.parse::<i64>() {
            return Some(Cell::Number(n));
        }
        if let Some((_, v)) = self.mapping.labels.iter().find(|(label, _)| label.eq_ignore_ascii_case(text)) {
            return Some(match v {
                LabelValue::Number(n) => Cell::Number(*n),
                LabelValue::Word(Word::Na) => Cell::Na,
                LabelValue::Word(Word::Null) => Cell::Null,
            });
        }
        if text.eq_ignore_ascii_case("n/a") || text.eq_ignore_ascii_case("na") {
            return Some(Cell::Na);
        }
        if text.eq_ignore_ascii_case("null") {
            return Some(Cell::Null);
        }
        // Spreadsheets write whole numbers as "5.0".
        if let Some(whole) = text.strip_suffix(".0") {
            if let Ok(n) = whole.parse::<i64>() {
                return Some(Cell::Number(n));
            }
        }
        None
    }

    fn timestamp(&self, text: &str) -> Option<DateTime<FixedOffset>> {
        for f in &self.formats {
            let parsed = match f {
                TsFormat::Rfc3339 => DateTime::parse_from_rfc3339(text).ok().or_else(|| {
                    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
                        .ok()
                        .or_else(|| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").ok())
                        .and_then(|n| self.localize(n))
                }),
                TsFormat::Excel => excel_serial(text).and_then(|n| self.localize(n)),
                TsFormat::Pattern { text: pattern, has_time } => {
                    if *has_time {
                        DateTime::parse_from_str(text, pattern).ok().or_else(|| {
                            NaiveDateTime::parse_from_str(text, pattern).ok().and_then(|n| self.localize(n))
                        })
                    } else {
                        NaiveDate::parse_from_str(text, pattern)
                            .ok()
                            .and_then(|d| d.and_hms_opt(12, 0, 0))
                            .and_then(|n| self.localize(n))
                    }
                }
            };
            if parsed.is_some() {
                return parsed;
            }
        }
        None
    }

    fn localize(&self, naive: NaiveDateTime) -> Option<DateTime<FixedOffset>> {
        // An ambiguous local time (the hour repeated when clocks go back) takes the earlier instant;
        // a time that does not exist (skipped when clocks go forward) is refused.
        self.zone.from_local_datetime(&naive).earliest().map(|t| t.fixed_offset())
    }

    pub(crate) fn parse_row(
        &self,
        row: &Row<'_>,
        redactions: &mut BTreeMap<&'static str, u64>,
    ) -> Result<SurveyResponse, Rejection> {
        row.check_width()?;
        let r = &self.resolved;
        let id_text = row.get(r.response_id)?;
        if id_text.is_empty() {
            return Err(row.reject(r.response_id, reason::MISSING_VALUE, "the response id is empty"));
        }
        let id =
            ResponseId::new(id_text).map_err(|e| row.reject(r.response_id, reason::BAD_RESPONSE_ID, e.to_string()))?;
        let ts_text = row.get(r.submitted_at)?;
        if ts_text.is_empty() {
            return Err(row.reject(r.submitted_at, reason::MISSING_VALUE, "the timestamp is empty"));
        }
        let submitted_at = self.timestamp(ts_text).ok_or_else(|| {
            row.reject(
                r.submitted_at,
                reason::BAD_TIMESTAMP,
                format!("not a real date and time in any of the formats {:?}", self.mapping.timestamp.formats),
            )
        })?;
        let quarter = FiscalQuarter::from_date(submitted_at.date_naive())
            .map_err(|e| row.reject(r.submitted_at, reason::BAD_TIMESTAMP, e.to_string()))?;
        let service = match &r.service {
            Slot::Column(i) => {
                let t = row.get(*i)?;
                resolve_service(self.registry, &self.mapping, t)
                    .map_err(|e| row.reject(*i, reason::UNKNOWN_SERVICE, e))?
            }
            Slot::Constant(s) => s.clone(),
            Slot::Absent => unreachable!("MappedCsvSource::new refuses a mapping without a service column or constant"),
        };
        let channel = match &r.channel {
            Slot::Column(i) => {
                let t = row.get(*i)?;
                resolve_channel(&self.mapping, t).map_err(|e| row.reject(*i, reason::UNKNOWN_CHANNEL, e))?
            }
            Slot::Constant(c) => *c,
            Slot::Absent => unreachable!("MappedCsvSource::new refuses a mapping without a channel column or constant"),
        };
        let transaction_point = match &r.transaction_point {
            Slot::Column(i) => {
                let t = row.get(*i)?;
                if t.is_empty() {
                    TransactionPoint::PostInteraction
                } else {
                    t.parse().map_err(|e: fedcx_model::org::UnknownTransactionPoint| {
                        row.reject(*i, reason::UNKNOWN_TRANSACTION_POINT, e.to_string())
                    })?
                }
            }
            Slot::Constant(tp) => *tp,
            Slot::Absent => TransactionPoint::PostInteraction,
        };
        let version = match &r.survey_version {
            Slot::Column(i) => {
                let t = row.get(*i)?;
                if t.is_empty() {
                    SurveyVersion::for_quarter(quarter)
                } else {
                    t.parse().map_err(|e: fedcx_model::survey::UnknownSurveyVersion| {
                        row.reject(*i, reason::UNKNOWN_SURVEY_VERSION, e.to_string())
                    })?
                }
            }
            Slot::Constant(v) => *v,
            Slot::Absent => SurveyVersion::for_quarter(quarter),
        };
        let answers = match version {
            SurveyVersion::V1 => Answers::V1(self.v1_answers(row)?),
            _ => Answers::V2(self.v2_answers(row)?),
        };
        let comment = r.comment.and_then(|i| row.free_text(i, redactions));
        Ok(SurveyResponse {
            id,
            service,
            channel,
            transaction_point,
            submitted_at,
            answers,
            comment,
            detail: None,
            id_generated: false,
        })
    }

    fn v1_answers(&self, row: &Row<'_>) -> Result<V1Answers, Rejection> {
        let r = &self.resolved;
        self.forbid_other_version(row, r.trust.iter().chain(r.indicators.iter().flatten().flatten()), "version 1")?;
        let mut answers = [None; V1_QUESTION_COUNT];
        for (q, col) in r.v1.iter().enumerate() {
            let Some(i) = *col else { continue };
            let t = row.get(i)?;
            answers[q] = match self.cell(t) {
                Some(Cell::Empty | Cell::Null) => None,
                Some(Cell::Na) => Some(V1Answer::NotApplicable),
                Some(Cell::Number(n)) => {
                    let l = u8::try_from(n).ok().and_then(|v| Likert::new(v).ok()).ok_or_else(|| {
                        row.reject(i, reason::ANSWER_OUT_OF_RANGE, format!("q{} must be 1 to 5 or n/a", q + 1))
                    })?;
                    Some(V1Answer::Score(l))
                }
                None => {
                    return Err(row.reject(i, reason::UNKNOWN_LABEL, "not a number and not a label in the mapping"))
                }
            };
        }
        V1Answers::new(answers).map_err(|e| Rejection {
            line: row.line,
            field: None,
            raw: String::new(),
            reason: reason::NO_ANSWERS,
            detail: e.to_string(),
        })
    }

    fn v2_answers(&self, row: &Row<'_>) -> Result<V2Answers, Rejection> {
        let r = &self.resolved;
        self.forbid_other_version(row, r.v1.iter().flatten(), "version 2")?;
        let scale = match &r.survey_type {
            Slot::Column(i) => {
                let t = row.get(*i)?;
                if t.is_empty() {
                    return Err(row.reject(*i, reason::MISSING_VALUE, "a version-2 row needs its survey_type"));
                }
                t.parse().map_err(|e: fedcx_model::survey::UnknownTrustScale| {
                    row.reject(*i, reason::UNKNOWN_SURVEY_TYPE, e.to_string())
                })?
            }
            Slot::Constant(s) => *s,
            Slot::Absent => TrustScale::LikertScale,
        };
        let Some(ti) = r.trust else {
            return Err(Rejection {
                line: row.line,
                field: Some("question_1".into()),
                raw: String::new(),
                reason: reason::MISSING_TRUST_ANSWER,
                detail: "a version-2 row needs question_1, and the mapping names no column for it".into(),
            });
        };
        let trust = match self.cell(row.get(ti)?) {
            Some(Cell::Number(n)) => TrustAnswer::from_value(scale, n)
                .map_err(|e| row.reject(ti, reason::ANSWER_OUT_OF_RANGE, e.to_string()))?,
            Some(Cell::Empty | Cell::Null | Cell::Na) => {
                return Err(row.reject(ti, reason::MISSING_TRUST_ANSWER, "question_1 (trust) is required in version 2"))
            }
            None => return Err(row.reject(ti, reason::UNKNOWN_LABEL, "not a number and not a label in the mapping")),
        };
        let mut states: [IndicatorStates; 2] = [[IndicatorState::NotOffered; INDICATOR_COUNT]; 2];
        for p in Polarity::ALL {
            for ind in Indicator::ALL {
                let Some(i) = r.indicators[p.index()][ind.index()] else { continue };
                states[p.index()][ind.index()] = match self.cell(row.get(i)?) {
                    Some(Cell::Number(1)) => IndicatorState::Selected,
                    Some(Cell::Number(0)) => IndicatorState::NotSelected,
                    Some(Cell::Empty | Cell::Null) => IndicatorState::NotOffered,
                    Some(_) => return Err(row.reject(i, reason::BAD_INDICATOR_VALUE, "expected 1, 0 or null")),
                    None => {
                        return Err(row.reject(i, reason::UNKNOWN_LABEL, "not 1, 0, null or a label in the mapping"))
                    }
                };
            }
        }
        let [positive, negative] = states;
        V2Answers::new(trust, positive, negative).map_err(|e| {
            let field = match &e {
                fedcx_model::AnswerError::IndicatorAgainstTrust { column, .. } => column.clone(),
                _ => String::new(),
            };
            let i = row_header_index(&self.mapping, &field, &self.resolved).unwrap_or(ti);
            row.reject(i, reason::INDICATOR_AGAINST_TRUST, e.to_string())
        })
    }

    fn forbid_other_version<'c>(
        &self,
        row: &Row<'_>,
        columns: impl Iterator<Item = &'c usize>,
        version: &str,
    ) -> Result<(), Rejection> {
        for &i in columns {
            let t = row.get(i)?;
            // "null" is how version-2 exports mark indicators that were not offered; it carries no answer.
            if !t.is_empty() && !t.eq_ignore_ascii_case("null") {
                return Err(row.reject(
                    i,
                    reason::ANSWERS_OF_OTHER_VERSION,
                    format!("a {version} row must leave the other version's questions empty"),
                ));
            }
        }
        Ok(())
    }
}

fn row_header_index(mapping: &Mapping, field: &str, r: &Resolved) -> Option<usize> {
    mapping.columns.get(field)?;
    for p in Polarity::ALL {
        for ind in Indicator::ALL {
            if ind.column(p) == field {
                return r.indicators[p.index()][ind.index()];
            }
        }
    }
    None
}

/// A spreadsheet day number (days since 1899-12-30, with a fraction for the time of day).
fn excel_serial(text: &str) -> Option<NaiveDateTime> {
    let days: f64 = text.parse().ok()?;
    // Day numbers before 1900-03-01 are distorted by the spreadsheet's fictitious 29 February 1900.
    if !(61.0..=2_958_465.0).contains(&days) {
        return None;
    }
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_hms_opt(0, 0, 0)?;
    let seconds = (days * 86_400.0).round() as i64;
    base.checked_add_signed(chrono::Duration::seconds(seconds))
}

impl<R: Read> Counted for MappedCsvSource<'_, R> {
    fn produced(&self) -> Produced {
        self.rows.produced()
    }

    fn limit_record_lines(&mut self, n: u64) {
        self.rows.set_max_record_lines(n);
    }
}

impl<R: Read> ResponseSource for MappedCsvSource<'_, R> {
    type Error = IngestError;

    fn next_item(&mut self) -> Result<Option<SourceItem>, IngestError> {
        let Some(row) = self.rows.next_row()? else { return Ok(None) };
        Ok(Some(match self.parser.parse_row(&row, &mut self.redactions) {
            Ok(r) => SourceItem::Response(row.line, Box::new(r)),
            Err(rej) => SourceItem::Rejected(rej),
        }))
    }
}

/// Writes a response as a native CSV record, in [`NATIVE_HEADER`] order.
pub fn native_record(r: &SurveyResponse) -> Vec<String> {
    let mut out = Vec::with_capacity(NATIVE_HEADER.len());
    out.push(r.id.to_string());
    out.push(r.submitted_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    out.push(r.service.to_string());
    out.push(r.channel.to_string());
    out.push(r.transaction_point.to_string());
    out.push(r.answers.version().to_string());
    match &r.answers {
        Answers::V1(a) => {
            out.push(String::new());
            for ans in a.as_array() {
                out.push(match ans {
                    Some(V1Answer::Score(l)) => l.to_string(),
                    Some(V1Answer::NotApplicable) => "n/a".to_owned(),
                    None => String::new(),
                });
            }
            out.extend(std::iter::repeat_n(String::new(), 1 + 2 * INDICATOR_COUNT));
        }
        Answers::V2(a) => {
            out.push(a.trust().scale().to_string());
            out.extend(std::iter::repeat_n(String::new(), V1_QUESTION_COUNT));
            out.push(a.trust().value().to_string());
            for p in Polarity::ALL {
                for s in a.indicators(p) {
                    out.push(
                        match s {
                            IndicatorState::Selected => "1",
                            IndicatorState::NotSelected => "0",
                            IndicatorState::NotOffered => "null",
                        }
                        .to_owned(),
                    );
                }
            }
        }
        _ => unreachable!("native_record knows every survey version"),
    }
    out.push(r.comment.clone().unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mapping_built_in_code_without_service_or_channel_is_refused_not_a_panic() {
        let registry = Registry::bundled();
        let mut mapping = Mapping::native();
        mapping.columns.remove("service_id");
        mapping.columns.remove("channel");
        let input = NATIVE_HEADER.join(",");
        let err =
            MappedCsvSource::new(Path::new("m.csv"), input.as_bytes(), mapping, &registry).unwrap_err().to_string();
        assert!(err.contains("service_id needs a column") && err.contains("channel needs a column"), "{err}");
    }
}
