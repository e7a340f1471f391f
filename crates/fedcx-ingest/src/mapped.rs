//! Respondent-level CSV exports of any survey tool (Qualtrics, SurveyMonkey, Medallia, in-house),
//! read through a mapping file that names the columns and translates answer labels. A mapping's
//! `tool` turns on that tool's export conventions ([`Tool`]), so it need only name the questions;
//! `docs/mapping.md` describes every key.
//!
//! With no mapping file the built-in [`Mapping::native`] is used: fedcx's own layout ([`NATIVE_HEADER`]),
//! which the bundled demo data is written in and which [`native_record`] writes.

mod template;
mod tool;

pub use template::{template, Template};
pub use tool::Tool;

use crate::rows::{Counted, Produced, QuoteState};
use std::collections::BTreeMap;
use std::io::{Chain, Cursor, Read};
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
use crate::reconcile::RejectReason;
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimestampSpec {
    /// Formats tried in order: `rfc3339`, `excel` (a spreadsheet day number such as 45292.5), or a
    /// chrono `strftime` pattern such as `%m/%d/%Y %H:%M`. Empty: the tool's formats, or `rfc3339`.
    #[serde(default)]
    pub formats: Vec<String>,
    /// The IANA time zone of timestamps that carry no offset, e.g. `America/New_York`. Absent: the
    /// zone a Qualtrics export names in its ImportId row, else UTC (SurveyMonkey needs one).
    #[serde(default)]
    pub time_zone: Option<String>,
}

/// What a blank multi-select indicator cell means.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlankIndicator {
    /// The box was not on the form (Touchpoints' `null`): the indicator is not counted as offered.
    #[default]
    NotOffered,
    /// A box left unticked (as Qualtrics and SurveyMonkey export one): not selected, under the
    /// follow-up question the trust answer showed; under the other one it stays not offered.
    NotSelected,
}

/// How the mapping reads blank indicator cells: one rule for every indicator, and overrides per field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorRules {
    /// The rule for every indicator field not named in `fields`.
    #[serde(default)]
    pub blank: BlankIndicator,
    /// Indicator field (e.g. `positive_other`) to its own rule.
    #[serde(default)]
    pub fields: BTreeMap<String, BlankIndicator>,
}

impl IndicatorRules {
    /// The rule for one indicator field.
    pub fn blank_for(&self, field: &str) -> BlankIndicator {
        self.fields.get(field).copied().unwrap_or(self.blank)
    }
}

/// A mapping file: which column holds what, constants for what the file does not hold, and labels.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// The survey tool whose export conventions apply (header rows, default columns and formats,
    /// statuses); none for a plain one-header CSV.
    #[serde(default)]
    pub tool: Option<Tool>,
    /// How blank multi-select indicator cells are read.
    #[serde(default)]
    pub indicators: IndicatorRules,
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

/// The mappings fedcx ships for survey tools' exports, by name: `--mapping qualtrics` reads a
/// Qualtrics export without a mapping file of one's own. Each is a file in this crate's `mappings/`
/// (a starting point to copy and edit), documented in docs/mapping.md.
pub const PRESETS: [(&str, &str); 5] = [
    ("qualtrics", include_str!("../mappings/qualtrics.toml")),
    ("qualtrics-v2", include_str!("../mappings/qualtrics-v2.toml")),
    ("surveymonkey", include_str!("../mappings/surveymonkey.toml")),
    ("medallia", include_str!("../mappings/medallia.toml")),
    ("medallia-v1", include_str!("../mappings/medallia-v1.toml")),
];

impl Mapping {
    /// The shipped mapping named `name` (one of [`PRESETS`]), or `None`.
    pub fn preset(name: &str) -> Option<Mapping> {
        let (name, text) = PRESETS.iter().find(|(n, _)| *n == name)?;
        let path = format!("mappings/{name}.toml");
        Some(Mapping::from_toml_str(Path::new(&path), text).expect("every preset is checked by a test"))
    }

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
        // Only a syntax error stops the reading here: each key is then read on its own, so one
        // wrong key does not hide the problems of the others.
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| bad(vec![toml_problem(text, &e)]))?;
        let mut problems = Vec::new();
        let tool_given = table.contains_key("tool");
        let m = mapping_from_table(table, &mut problems);
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
            // A tool that could not be read would name these: its problem is said already.
            if m.column_of(required).is_none() && !(tool_given && m.tool.is_none()) {
                problems.push(format!("[columns] must name the column of {required}"));
            }
        }
        for field in m.indicators.fields.keys() {
            if !indicator_fields().any(|f| f == *field) {
                problems.push(format!(
                    "[indicators.fields] names {field:?}, which is not an indicator field (positive_* or negative_*)"
                ));
            }
        }
        if m.tool.is_some_and(Tool::needs_time_zone) && m.timestamp.time_zone.is_none() {
            problems.push(format!(
                "tool = {:?}: its exports carry no time zone, so [timestamp] time_zone must name the zone of the \
                 account that exported it (e.g. \"America/New_York\")",
                m.tool.map_or("", Tool::as_str)
            ));
        }
        if let Some(Err(e)) = m.timestamp.time_zone.as_deref().map(str::parse::<chrono_tz::Tz>) {
            problems.push(format!("[timestamp] time_zone: {e}"));
        }
        for (label, id) in &m.services {
            if ServiceId::new(id).is_err() {
                problems.push(format!("[services] {label:?} maps to {id:?}, which is not a service id"));
            }
        }
        for (label, id) in &m.channels {
            if id.parse::<Channel>().is_err() {
                problems.push(format!(
                    "[channels] {label:?} maps to {id:?}, which is not a channel (expected one of: {})",
                    Channel::ALL.map(Channel::as_str).join(", ")
                ));
            }
        }
        // The constants that need no registry are checked here, with the rest; a service is
        // checked against the registry when a file is opened.
        for (field, value) in &m.constants {
            let checked = match field.as_str() {
                "channel" => resolve_channel(&m, value).err(),
                "transaction_point" => value.parse::<TransactionPoint>().err().map(|e| e.to_string()),
                "survey_version" => value.parse::<SurveyVersion>().err().map(|e| e.to_string()),
                "survey_type" => value.parse::<TrustScale>().err().map(|e| e.to_string()),
                _ => None,
            };
            if let Some(e) = checked {
                problems.push(format!("[constants] {field}: {e}"));
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

    /// The fields every row needs that the mapping gives no way to read, of `service_id` and
    /// `channel`: `[columns]` names no column for them and `[constants]` no value. A mapping may leave
    /// them out (every shipped one does: it holds a survey tool's conventions, never an agency's
    /// service), and then they must be given before a file is read ([`Mapping::constants`], as
    /// `fedcx ingest --service/--channel` sets them).
    pub fn unassigned(&self) -> Vec<&'static str> {
        ["service_id", "channel"]
            .into_iter()
            .filter(|f| !self.columns.contains_key(*f) && !self.constants.contains_key(*f))
            .collect()
    }

    /// The export column of a field: the one `[columns]` names, else the tool's default.
    pub fn column_of(&self, field: &str) -> Option<&str> {
        self.columns.get(field).map(String::as_str).or_else(|| self.tool.and_then(|t| t.default_column(field)))
    }

    /// How many records at the top of a file can be header rows (1 without a tool with extra rows).
    pub(crate) fn max_header_records(&self) -> usize {
        self.tool.map_or(1, Tool::max_header_records)
    }

    /// How many of `records` (the first records of a file, as cells) are header rows.
    pub(crate) fn header_record_count(&self, records: &[Vec<String>]) -> usize {
        tool::header_record_count(self.tool, self.column_of("response_id").unwrap_or(""), records)
    }
}

/// The keys a mapping file may have.
const MAPPING_KEYS: [&str; 8] =
    ["tool", "indicators", "columns", "constants", "timestamp", "labels", "services", "channels"];

/// A TOML error on one line: where it is (line and column) and what it says.
fn toml_problem(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().trim().replace('\n', "; ");
    match e.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("line {line}, column {column}: {message}")
        }
        None => message,
    }
}

/// A mapping from a parsed mapping file, each key read on its own: what cannot be read is left
/// at its default and said in `problems`.
fn mapping_from_table(table: toml::Table, problems: &mut Vec<String>) -> Mapping {
    /// A table of strings, entry by entry.
    fn strings(key: &str, value: toml::Value, problems: &mut Vec<String>) -> BTreeMap<String, String> {
        let toml::Value::Table(t) = value else {
            problems.push(format!("[{key}] must be a table of names to strings, not {}", value.type_str()));
            return BTreeMap::new();
        };
        let mut out = BTreeMap::new();
        for (name, v) in t {
            match v {
                toml::Value::String(s) => {
                    out.insert(name, s);
                }
                other => problems.push(format!("[{key}] {name:?} must be a string, not {}", other.type_str())),
            }
        }
        out
    }
    fn typed<T: serde::de::DeserializeOwned + Default>(key: &str, v: toml::Value, problems: &mut Vec<String>) -> T {
        v.try_into().unwrap_or_else(|e: toml::de::Error| {
            problems.push(format!("{key}: {}", e.message().trim().replace('\n', "; ")));
            T::default()
        })
    }
    let mut m = Mapping::default();
    for (key, value) in table {
        match key.as_str() {
            "tool" => m.tool = typed::<Option<Tool>>("tool", value, problems),
            "indicators" => m.indicators = typed("[indicators]", value, problems),
            "timestamp" => m.timestamp = typed("[timestamp]", value, problems),
            "columns" => m.columns = strings("columns", value, problems),
            "constants" => m.constants = strings("constants", value, problems),
            "services" => m.services = strings("services", value, problems),
            "channels" => m.channels = strings("channels", value, problems),
            "labels" => {
                let toml::Value::Table(t) = value else {
                    problems.push(format!("[labels] must be a table of labels to values, not {}", value.type_str()));
                    continue;
                };
                for (label, v) in t {
                    match v.clone().try_into::<LabelValue>() {
                        Ok(x) => {
                            m.labels.insert(label, x);
                        }
                        Err(_) => problems.push(format!(
                            "[labels] {label:?} = {v}: expected a number on the question's scale, \"n/a\" or \"null\""
                        )),
                    }
                }
            }
            other => problems.push(format!("unknown key {other:?} (a mapping has: {})", MAPPING_KEYS.join(", "))),
        }
    }
    m
}

/// The 14 indicator fields, positive then negative.
fn indicator_fields() -> impl Iterator<Item = String> {
    Polarity::ALL.into_iter().flat_map(|p| Indicator::ALL.into_iter().map(move |i| i.column(p)))
}

/// Records read ahead from the start of an input ([`read_records`]).
#[derive(Debug, Default)]
pub(crate) struct Ahead {
    /// Each record's bytes (its line end included) and cells.
    pub records: Vec<(Vec<u8>, Vec<String>)>,
    /// Bytes read past the last record (the look-ahead after a lone CR): they belong to what
    /// follows, before the rest of the input.
    pub leftover: Vec<u8>,
}

/// Reads up to `max` records from the start of `input`, each with its bytes and cells. Empty
/// lines before a record are part of its bytes. A record ends where the csv parser ends it: at a
/// line feed or a carriage return outside quotes (a CR followed by an LF ends it with both; the
/// byte read after a lone CR to tell is kept in [`Ahead::leftover`] when no record takes it).
pub(crate) fn read_records<R: Read>(input: &mut R, max: usize) -> std::io::Result<Ahead> {
    let read_byte = |input: &mut R| -> std::io::Result<Option<u8>> {
        let mut byte = [0u8; 1];
        loop {
            match input.read(&mut byte) {
                Ok(0) => return Ok(None),
                Ok(_) => return Ok(Some(byte[0])),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    };
    let mut out = Vec::new();
    let mut bytes = Vec::new();
    let mut state = QuoteState::StartRecord;
    let mut started = false;
    let mut pending = None;
    while out.len() < max {
        let next = match pending.take() {
            Some(b) => Some(b),
            None => read_byte(input)?,
        };
        let eof = next.is_none();
        let mut ended = eof;
        if let Some(b) = next {
            bytes.push(b);
            state = state.step(b);
            let ends_record = matches!(b, b'\n' | b'\r') && started && state == QuoteState::StartRecord;
            started |= state != QuoteState::StartRecord;
            if ends_record && b == b'\r' {
                // The CR of a CRLF ends the record with its LF; a lone CR ends it alone.
                match read_byte(input)? {
                    Some(b'\n') => bytes.push(b'\n'),
                    other => pending = other,
                }
            }
            ended = ends_record;
        }
        if !ended {
            continue;
        }
        let cells = first_record_cells(&bytes, out.is_empty());
        // A record of empty fields is a blank line to the row reader: it belongs to the next record.
        if !cells.is_empty() || (eof && !bytes.is_empty()) {
            out.push((std::mem::take(&mut bytes), cells));
        }
        started = false;
        if eof {
            break;
        }
    }
    // Bytes of a record still being read (empty lines after the last header row) go back too.
    let mut leftover = bytes;
    leftover.extend(pending);
    Ok(Ahead { records: out, leftover })
}

/// The cells of the first record in `bytes` that has a value, trimmed (lossy UTF-8; a BOM removed
/// from the file's first cell); empty when there is none.
fn first_record_cells(bytes: &[u8], file_start: bool) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    while let Ok(true) = reader.read_byte_record(&mut record) {
        if record.iter().all(|f| f.is_empty()) {
            continue;
        }
        return record
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let f = if i == 0 && file_start { f.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(f) } else { f };
                String::from_utf8_lossy(f).trim().to_owned()
            })
            .collect();
    }
    Vec::new()
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
    /// Qualtrics' `Status` column, when the tool is Qualtrics and the export has it.
    status: Option<usize>,
    /// Qualtrics' `Finished` column, likewise.
    finished: Option<usize>,
}

#[derive(Debug)]
enum TsFormat {
    Rfc3339,
    Excel,
    Pattern { text: String, has_time: bool },
}

/// The kinds of rows kept with something to say, as [`crate::Reconciliation::warnings`] counts them.
pub mod warning {
    /// A partial response (Qualtrics `Finished = False`) kept because its trust question (version
    /// 2) or a question (version 1) was answered.
    pub const PARTIAL_RESPONSE_KEPT: &str = "partial_response_kept";
}

/// What reading rows set aside, by kind: personal data redacted from comments, and rows kept with a
/// warning ([`warning`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct Notes {
    /// Personal data redacted, by kind.
    pub redactions: BTreeMap<&'static str, u64>,
    /// Rows kept with a warning, by kind.
    pub warnings: BTreeMap<&'static str, u64>,
}

impl Notes {
    /// Adds another part's notes.
    pub(crate) fn merge(&mut self, other: &Notes) {
        for (k, n) in &other.redactions {
            *self.redactions.entry(k).or_default() += n;
        }
        for (k, n) in &other.warnings {
            *self.warnings.entry(k).or_default() += n;
        }
    }
}

/// The input a [`MappedCsvSource`] reads: the records it read ahead to find the header rows, then
/// the rest.
type AheadThen<R> = Chain<Cursor<Vec<u8>>, R>;

/// Reads a respondent-level CSV through a mapping.
#[derive(Debug)]
pub struct MappedCsvSource<'a, R: Read> {
    rows: CsvRows<AheadThen<R>>,
    parser: RowParser<'a>,
    notes: Notes,
    /// Header rows after the first (a survey tool's question texts, ImportIds): read as records by
    /// the row reader, accounted here as header lines.
    extra_header: Produced,
}

/// Everything needed to turn one row into a response. It is immutable, so worker threads can share
/// it; each caller keeps its own notes.
#[derive(Debug)]
pub(crate) struct RowParser<'a> {
    resolved: Resolved,
    registry: &'a Registry,
    mapping: Mapping,
    formats: Vec<TsFormat>,
    zone: chrono_tz::Tz,
    /// Each column's name as rejections name it (SurveyMonkey: question / answer label).
    names: Vec<String>,
    /// Per column, the text that means a multi-select box was ticked (the choice's label).
    choice_labels: Vec<Option<String>>,
    /// The mapping's labels, then the tool's standard ones.
    labels: Vec<(String, LabelValue)>,
    /// Per polarity and indicator, what a blank cell means.
    blank: [[BlankIndicator; INDICATOR_COUNT]; 2],
    /// The services rows can name, by number.
    services: ServiceTable,
}

/// The services a row can name, numbered so that a reader that only counts can group rows by a
/// number instead of by text, and the answer of [`resolve_service`] for the texts a file most
/// likely holds (every service id in the registry and every label in the mapping), worked out
/// once with [`resolve_service`] itself, so a row's service is looked up instead of searched for
/// and the answer cannot differ.
#[derive(Debug)]
struct ServiceTable {
    /// Every service, by number.
    ids: Vec<ServiceId>,
    /// Each service's number.
    numbers: crate::fnv::FnvMap<ServiceId, u32>,
    /// The number [`resolve_service`] gives for an exact text.
    by_text: crate::fnv::FnvMap<Box<str>, u32>,
}

impl ServiceTable {
    fn new(registry: &Registry, mapping: &Mapping, service: &Slot<ServiceId>) -> ServiceTable {
        let mut ids: Vec<ServiceId> = registry.services().map(|s| s.id.clone()).collect();
        if let Slot::Constant(s) = service {
            if !ids.contains(s) {
                ids.push(s.clone());
            }
        }
        let numbers = ids.iter().enumerate().map(|(i, id)| (id.clone(), i as u32)).collect();
        let mut table = ServiceTable { ids, numbers, by_text: crate::fnv::FnvMap::default() };
        let texts = registry.services().map(|s| s.id.as_str()).chain(mapping.services.keys().map(|l| l.as_str()));
        let known: Vec<(Box<str>, u32)> = texts
            .filter_map(|t| {
                let id = resolve_service(registry, mapping, t).ok()?;
                Some((Box::from(t), table.number(&id)?))
            })
            .collect();
        table.by_text.extend(known);
        table
    }

    fn number(&self, id: &ServiceId) -> Option<u32> {
        self.numbers.get(id).copied()
    }
}

/// A row read as far as counting and the duplicate check need, borrowing its text from the row:
/// [`RowParser::parse_row`] makes the [`SurveyResponse`] from it when responses are kept.
#[derive(Debug)]
pub(crate) struct Fields<'r> {
    /// The response id, checked as [`ResponseId::new`] checks it.
    pub id: &'r str,
    /// The service's number in the parser's table ([`RowParser::service`]).
    pub service: u32,
    /// The channel.
    pub channel: Channel,
    /// Where in the transaction the survey was taken.
    pub transaction_point: TransactionPoint,
    /// When the response was submitted.
    pub submitted_at: DateTime<FixedOffset>,
    /// The fiscal quarter of `submitted_at`.
    pub quarter: FiscalQuarter,
    /// The answers.
    pub answers: Answers,
    /// The comment, redacted.
    pub comment: Option<String>,
}

/// What a cell says.
enum Cell {
    Empty,
    Na,
    Null,
    Number(i64),
}

/// What an indicator cell says, before the trust answer and completion say what a blank means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tick {
    Ticked,
    Unticked,
    NotShown,
    Blank,
}

impl<'a, R: Read> MappedCsvSource<'a, R> {
    /// Opens a file with the given mapping; required columns missing from the header fail at once.
    /// With a `tool`, the tool's extra header rows are read as header, not as rows.
    pub fn new(path: &Path, mut input: R, mapping: Mapping, registry: &'a Registry) -> Result<Self, IngestError> {
        let io = |source| IngestError::Io { path: path.to_owned(), source };
        let bad_header = |why: String| IngestError::BadHeader { path: path.to_owned(), format: "csv", why };
        let max = mapping.max_header_records();
        let ahead = if max > 1 { read_records(&mut input, max).map_err(io)? } else { Ahead::default() };
        let cells: Vec<Vec<String>> = ahead.records.iter().map(|(_, c)| c.clone()).collect();
        let header_records = if max > 1 { mapping.header_record_count(&cells) } else { 1 };
        let ahead: Vec<u8> = ahead.records.into_iter().flat_map(|(b, _)| b).chain(ahead.leftover).collect();
        let expected: Vec<&str> = mapping.columns.values().map(String::as_str).collect();
        let mut rows = CsvRows::open(path, Cursor::new(ahead).chain(input), &expected.join(","))?;
        let mut header_rows = vec![rows.header().to_vec()];
        let before = rows.produced();
        for _ in 1..header_records {
            let Some(row) = rows.next_row()? else { break };
            let fields = (0..row.len()).map(|i| row.get(i).map_or_else(|rej| rej.raw, str::to_owned)).collect();
            header_rows.push(fields);
        }
        let after = rows.produced();
        let extra_header = Produced {
            records: after.records - before.records,
            record_lines: after.record_lines - before.record_lines,
            ..Produced::default()
        };
        let info = tool::header_info(mapping.tool, &header_rows).map_err(bad_header)?;
        for (i, h) in info.names.iter().enumerate() {
            if !h.is_empty() && info.names[..i].iter().any(|g| g.eq_ignore_ascii_case(h)) {
                return Err(bad_header(format!("column {h:?} appears twice")));
            }
        }
        let mut ambiguous = Vec::new();
        let mut find = |name: &str| -> Option<usize> {
            if let Some(i) = info.names.iter().position(|h| h.eq_ignore_ascii_case(name)) {
                return Some(i);
            }
            let by_alias: Vec<usize> = (0..info.aliases.len())
                .filter(|&i| info.aliases[i].as_deref().is_some_and(|a| a.eq_ignore_ascii_case(name)))
                .collect();
            if by_alias.len() > 1 {
                // Taking the first would read every choice of a question from its first column.
                let columns: Vec<&str> = by_alias.iter().map(|&i| info.names[i].as_str()).collect();
                ambiguous.push(format!("ImportId {name:?} names {} columns ({})", columns.len(), columns.join(", ")));
            }
            by_alias.first().copied()
        };
        let mut problems = Vec::new();
        let mut missing = Vec::new();
        let mut col = |field: &str| -> Option<usize> {
            let name = mapping.column_of(field)?;
            let found = find(name);
            if found.is_none() {
                missing.push(name.to_owned());
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
        let (status, finished) = match mapping.tool {
            Some(Tool::Qualtrics) => (find("Status"), find("Finished")),
            Some(Tool::SurveyMonkey | Tool::Medallia) | None => (None, None),
        };
        if !missing.is_empty() {
            return Err(IngestError::MissingColumns {
                path: path.to_owned(),
                format: "csv",
                missing,
                found: info.names,
            });
        }
        if !ambiguous.is_empty() {
            return Err(bad_header(format!(
                "{}; name each column by its id (row 1) or by its ImportId and choiceId (QID2_1)",
                ambiguous.join("; ")
            )));
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
                let flag = if field == "channel" { "--channel" } else { "--service" };
                problems.push(format!(
                    "{field} needs a column in [columns] or a value in [constants] (or `fedcx ingest {flag}`)"
                ));
            }
        }
        let zone =
            time_zone(&mapping, submitted_at.and_then(|i| info.zones.get(i).cloned().flatten())).map_err(bad_header)?;
        let tool_formats = mapping.tool.map_or(&["rfc3339"][..], Tool::default_formats);
        let format_names: Vec<String> = if mapping.timestamp.formats.is_empty() {
            tool_formats.iter().map(|f| (*f).to_owned()).collect()
        } else {
            mapping.timestamp.formats.clone()
        };
        let formats = format_names
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
            status,
            finished,
        };
        let mut labels: Vec<(String, LabelValue)> = mapping.labels.iter().map(|(k, v)| (k.clone(), *v)).collect();
        if mapping.tool.is_some() {
            for (label, n) in tool::STANDARD_LABELS {
                if !labels.iter().any(|(k, _)| k.eq_ignore_ascii_case(label)) {
                    labels.push((label.to_owned(), LabelValue::Number(n)));
                }
            }
        }
        let mut blank = [[BlankIndicator::NotOffered; INDICATOR_COUNT]; 2];
        for p in Polarity::ALL {
            for ind in Indicator::ALL {
                blank[p.index()][ind.index()] = mapping.indicators.blank_for(&ind.column(p));
            }
        }
        let mapping = Mapping { timestamp: TimestampSpec { formats: format_names, ..mapping.timestamp }, ..mapping };
        let services = ServiceTable::new(registry, &mapping, &resolved.service);
        let parser = RowParser {
            resolved,
            registry,
            mapping,
            formats,
            zone,
            names: info.names,
            choice_labels: info.choice_labels,
            labels,
            blank,
            services,
        };
        Ok(MappedCsvSource { rows, parser, notes: Notes::default(), extra_header })
    }
    /// Personal data redacted so far, by kind.
    pub fn redactions(&self) -> &BTreeMap<&'static str, u64> {
        &self.notes.redactions
    }

    /// Rows kept with a warning so far, by kind ([`warning`]).
    pub fn warnings(&self) -> &BTreeMap<&'static str, u64> {
        &self.notes.warnings
    }

    /// The parser, the first header row and what the header rows held, for reading the rest of
    /// the file in parallel chunks.
    pub(crate) fn into_parts(self) -> (RowParser<'a>, Vec<String>, Produced) {
        let produced = self.produced();
        (self.parser, self.rows.header().to_vec(), produced)
    }
}

/// The zone of timestamps without an offset: the mapping's, the one the export names (`from_file`,
/// Qualtrics' ImportId `timeZone`), or UTC. A mapping and an export that disagree are an error:
/// the times would be read an offset apart.
fn time_zone(mapping: &Mapping, from_file: Option<String>) -> Result<chrono_tz::Tz, String> {
    let parse = |name: &str| -> Result<chrono_tz::Tz, String> {
        if name.eq_ignore_ascii_case("Z") || name.eq_ignore_ascii_case("UTC") {
            return Ok(chrono_tz::UTC);
        }
        name.parse::<chrono_tz::Tz>().map_err(|e| e.to_string())
    };
    let configured = mapping
        .timestamp
        .time_zone
        .as_deref()
        .map(parse)
        .transpose()
        .map_err(|e| format!("[timestamp] time_zone: {e}"))?;
    let column = mapping.column_of("submitted_at").unwrap_or("submitted_at");
    let file = from_file
        .as_deref()
        .map(|z| {
            parse(z).map_err(|e| {
                format!("ImportId header row, column {column:?}: the export's time zone {z:?} is not an IANA time zone ({e})")
            })
        })
        .transpose()?;
    match (configured, file) {
        (Some(c), Some(f)) if c != f => Err(format!(
            "ImportId header row, column {column:?}: the export says its times are in {f}, but the mapping's [timestamp] \
             time_zone is {c}; remove time_zone from the mapping or export again in {c}"
        )),
        (Some(z), _) | (None, Some(z)) => Ok(z),
        (None, None) => Ok(chrono_tz::UTC),
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
    #[inline]
    fn cell(&self, text: &str) -> Option<Cell> {
        if text.is_empty() {
            return Some(Cell::Empty);
        }
        if let Some(n) = crate::rows::whole_number(text) {
            return Some(Cell::Number(n));
        }
        if let Some((_, v)) = self.labels.iter().find(|(label, _)| label.eq_ignore_ascii_case(text)) {
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

    /// A rejection of column `i`, naming the column as the mapping does (SurveyMonkey's columns
    /// have no name of their own in the first header row).
    fn reject(
        &self,
        row: &Row<'_>,
        i: usize,
        reason: impl Into<fedcx_model::Refusal>,
        detail: impl Into<String>,
    ) -> Rejection {
        let mut rej = row.reject(i, reason, detail);
        rej.field = Some(self.names.get(i).cloned().unwrap_or_default());
        rej
    }

    /// Field `i` as text, trimmed; invalid UTF-8 is a rejection naming the column.
    #[inline]
    fn get<'r>(&self, row: &'r Row<'_>, i: usize) -> Result<&'r str, Rejection> {
        row.get(i).map_err(|rej| self.named(rej, i))
    }

    /// A rejection of column `i`, named as this parser names its columns.
    #[cold]
    #[inline(never)]
    fn named(&self, mut rej: Rejection, i: usize) -> Rejection {
        rej.field = Some(self.names.get(i).cloned().unwrap_or_default());
        rej
    }

    /// Reads a row into a response, or rejects it naming the first field that is wrong.
    pub(crate) fn parse_row(&self, row: &Row<'_>, notes: &mut Notes) -> Result<SurveyResponse, Rejection> {
        let f = self.parse_fields(row, notes)?;
        let id = ResponseId::new(f.id)
            .map_err(|e| self.reject(row, self.resolved.response_id, RejectReason::BadResponseId, e.to_string()))?;
        Ok(SurveyResponse {
            id,
            service: self.service(f.service).clone(),
            channel: f.channel,
            transaction_point: f.transaction_point,
            submitted_at: f.submitted_at,
            answers: f.answers,
            comment: f.comment,
            detail: None,
            id_generated: false,
        })
    }

    /// The service numbered `n` by [`RowParser::parse_fields`].
    pub(crate) fn service(&self, n: u32) -> &ServiceId {
        &self.services.ids[n as usize]
    }

    /// The service a cell names, by number: looked up for the usual texts, else resolved.
    fn service_number(&self, text: &str) -> Result<u32, String> {
        if let Some(&n) = self.services.by_text.get(text) {
            return Ok(n);
        }
        let id = resolve_service(self.registry, &self.mapping, text)?;
        self.services.number(&id).ok_or_else(|| format!("{text:?} names service {id}, which the parser does not know"))
    }

    /// Reads a row as far as counting needs, with every check [`RowParser::parse_row`] makes,
    /// in the same order, without allocating for its id or service.
    pub(crate) fn parse_fields<'r>(&self, row: &'r Row<'_>, notes: &mut Notes) -> Result<Fields<'r>, Rejection> {
        row.check_width()?;
        let r = &self.resolved;
        // A preview, test or spam response is set aside whatever else it holds.
        if let Some(i) = r.status {
            let t = self.get(row, i)?;
            match tool::qualtrics_status(t) {
                Some(tool::Status::Keep) => {}
                Some(tool::Status::Exclude(why)) => {
                    return Err(self.reject(
                        row,
                        i,
                        why,
                        "not a respondent's answer: Qualtrics' Status marks a preview, test or spam response, \
                         counted as excluded",
                    ))
                }
                None => {
                    return Err(self.reject(
                        row,
                        i,
                        RejectReason::UnknownStatus,
                        format!("expected one of Qualtrics' Status values: {}", tool::STATUS_VALUES),
                    ))
                }
            }
        }
        let unfinished = match r.finished {
            Some(i) => {
                let t = self.get(row, i)?;
                !tool::qualtrics_finished(t)
                    .ok_or_else(|| self.reject(row, i, RejectReason::BadFinished, "expected True, False, 1 or 0"))?
            }
            None => false,
        };
        let id_text = self.get(row, r.response_id)?;
        if id_text.is_empty() {
            return Err(self.reject(row, r.response_id, RejectReason::MissingValue, "the response id is empty"));
        }
        ResponseId::check(id_text)
            .map_err(|e| self.reject(row, r.response_id, RejectReason::BadResponseId, e.to_string()))?;
        let ts_text = self.get(row, r.submitted_at)?;
        if ts_text.is_empty() {
            return Err(self.reject(row, r.submitted_at, RejectReason::MissingValue, "the timestamp is empty"));
        }
        let submitted_at = self.timestamp(ts_text).ok_or_else(|| {
            self.reject(
                row,
                r.submitted_at,
                RejectReason::BadTimestamp,
                format!("not a real date and time in any of the formats {:?}", self.mapping.timestamp.formats),
            )
        })?;
        let quarter = FiscalQuarter::from_date(submitted_at.date_naive())
            .map_err(|e| self.reject(row, r.submitted_at, RejectReason::BadTimestamp, e.to_string()))?;
        let service = match &r.service {
            Slot::Column(i) => {
                let t = self.get(row, *i)?;
                self.service_number(t).map_err(|e| self.reject(row, *i, RejectReason::UnknownService, e))?
            }
            // The table is made with the constant in it, so this lookup does not fail.
            Slot::Constant(s) => self.services.number(s).ok_or_else(|| Rejection {
                line: row.line,
                field: None,
                raw: String::new(),
                reason: RejectReason::UnknownService.into(),
                detail: format!("the mapping's service {s} is not in the parser's table"),
            })?,
            Slot::Absent => unreachable!("MappedCsvSource::new refuses a mapping without a service column or constant"),
        };
        let channel = match &r.channel {
            Slot::Column(i) => {
                let t = self.get(row, *i)?;
                resolve_channel(&self.mapping, t).map_err(|e| self.reject(row, *i, RejectReason::UnknownChannel, e))?
            }
            Slot::Constant(c) => *c,
            Slot::Absent => unreachable!("MappedCsvSource::new refuses a mapping without a channel column or constant"),
        };
        let transaction_point = match &r.transaction_point {
            Slot::Column(i) => {
                let t = self.get(row, *i)?;
                if t.is_empty() {
                    TransactionPoint::PostInteraction
                } else {
                    t.parse().map_err(|e: fedcx_model::org::UnknownTransactionPoint| {
                        self.reject(row, *i, RejectReason::UnknownTransactionPoint, e.to_string())
                    })?
                }
            }
            Slot::Constant(tp) => *tp,
            Slot::Absent => TransactionPoint::PostInteraction,
        };
        let version = match &r.survey_version {
            Slot::Column(i) => {
                let t = self.get(row, *i)?;
                if t.is_empty() {
                    SurveyVersion::for_quarter(quarter)
                } else {
                    t.parse().map_err(|e: fedcx_model::survey::UnknownSurveyVersion| {
                        self.reject(row, *i, RejectReason::UnknownSurveyVersion, e.to_string())
                    })?
                }
            }
            Slot::Constant(v) => *v,
            Slot::Absent => SurveyVersion::for_quarter(quarter),
        };
        let answers = match version {
            SurveyVersion::V1 => Answers::V1(self.v1_answers(row, unfinished)?),
            SurveyVersion::V2 => Answers::V2(self.v2_answers(row, unfinished)?),
        };
        if unfinished {
            *notes.warnings.entry(warning::PARTIAL_RESPONSE_KEPT).or_default() += 1;
        }
        let comment = r.comment.and_then(|i| row.free_text(i, &mut notes.redactions));
        Ok(Fields { id: id_text, service, channel, transaction_point, submitted_at, quarter, answers, comment })
    }

    fn v1_answers(&self, row: &Row<'_>, unfinished: bool) -> Result<V1Answers, Rejection> {
        let r = &self.resolved;
        self.forbid_other_version(row, r.trust.iter().chain(r.indicators.iter().flatten().flatten()), "version 1")?;
        let mut answers = [None; V1_QUESTION_COUNT];
        for (q, col) in r.v1.iter().enumerate() {
            let Some(i) = *col else { continue };
            let t = self.get(row, i)?;
            answers[q] = match self.cell(t) {
                Some(Cell::Empty | Cell::Null) => None,
                Some(Cell::Na) => Some(V1Answer::NotApplicable),
                Some(Cell::Number(n)) => {
                    let l = u8::try_from(n).ok().and_then(|v| Likert::new(v).ok()).ok_or_else(|| {
                        self.reject(row, i, RejectReason::AnswerOutOfRange, format!("q{} must be 1 to 5 or n/a", q + 1))
                    })?;
                    Some(V1Answer::Score(l))
                }
                None => {
                    return Err(self.reject(
                        row,
                        i,
                        RejectReason::UnknownLabel,
                        "not a number and not a label in the mapping",
                    ))
                }
            };
        }
        V1Answers::new(answers).map_err(|e| Rejection {
            line: row.line,
            field: None,
            raw: String::new(),
            // A partial response that answered nothing is no respondent's answer: excluded, as a
            // preview is, not a fault of the file.
            reason: if unfinished {
                fedcx_model::Exclusion::UnfinishedResponse.into()
            } else {
                RejectReason::NoAnswers.into()
            },
            detail: if unfinished {
                format!("a partial response (Finished = False) that answered no question: {e}")
            } else {
                e.to_string()
            },
        })
    }

    fn v2_answers(&self, row: &Row<'_>, unfinished: bool) -> Result<V2Answers, Rejection> {
        let r = &self.resolved;
        self.forbid_other_version(row, r.v1.iter().flatten(), "version 2")?;
        let scale = match &r.survey_type {
            Slot::Column(i) => {
                let t = self.get(row, *i)?;
                if t.is_empty() {
                    return Err(self.reject(
                        row,
                        *i,
                        RejectReason::MissingValue,
                        "a version-2 row needs its survey_type",
                    ));
                }
                t.parse().map_err(|e: fedcx_model::survey::UnknownTrustScale| {
                    self.reject(row, *i, RejectReason::UnknownSurveyType, e.to_string())
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
                reason: RejectReason::MissingTrustAnswer.into(),
                detail: "a version-2 row needs question_1, and the mapping names no column for it".into(),
            });
        };
        let trust = match self.cell(self.get(row, ti)?) {
            Some(Cell::Number(n)) => TrustAnswer::from_value(scale, n)
                .map_err(|e| self.reject(row, ti, RejectReason::AnswerOutOfRange, e.to_string()))?,
            Some(Cell::Empty | Cell::Null | Cell::Na) if unfinished => {
                // The respondent left before the trust question: not an answer to count, and not
                // a fault of the export (every Qualtrics export holds such responses), so excluded.
                return Err(self.reject(
                    row,
                    ti,
                    fedcx_model::Exclusion::UnfinishedResponse,
                    "a partial response (Finished = False) that left question_1 (trust) unanswered, counted as excluded",
                ));
            }
            Some(Cell::Empty | Cell::Null | Cell::Na) => {
                return Err(self.reject(
                    row,
                    ti,
                    RejectReason::MissingTrustAnswer,
                    "question_1 (trust) is required in version 2",
                ))
            }
            None => {
                return Err(self.reject(
                    row,
                    ti,
                    RejectReason::UnknownLabel,
                    "not a number and not a label in the mapping",
                ))
            }
        };
        let mut ticks = [[Tick::NotShown; INDICATOR_COUNT]; 2];
        for p in Polarity::ALL {
            for ind in Indicator::ALL {
                let Some(i) = r.indicators[p.index()][ind.index()] else { continue };
                let t = self.get(row, i)?;
                let choice = self.choice_labels.get(i).and_then(Option::as_deref);
                ticks[p.index()][ind.index()] = if choice.is_some_and(|c| !t.is_empty() && c.eq_ignore_ascii_case(t)) {
                    // A choice-text export writes the choice's own label in a ticked box.
                    Tick::Ticked
                } else {
                    match self.cell(t) {
                        Some(Cell::Number(1)) => Tick::Ticked,
                        Some(Cell::Number(0)) => Tick::Unticked,
                        Some(Cell::Null) => Tick::NotShown,
                        Some(Cell::Empty) => Tick::Blank,
                        Some(Cell::Number(_) | Cell::Na) => {
                            let expected = match choice {
                                Some(c) => format!("expected 1, 0, null, blank or the choice's label {c:?}"),
                                None => "expected 1, 0, null or blank".to_owned(),
                            };
                            return Err(self.reject(row, i, RejectReason::BadIndicatorValue, expected));
                        }
                        None => {
                            return Err(self.reject(
                                row,
                                i,
                                RejectReason::UnknownLabel,
                                "not 1, 0, null, a choice label or a label in the mapping",
                            ))
                        }
                    }
                };
            }
        }
        let states = self.indicator_states(&ticks, trust.follow_up(), unfinished);
        let [positive, negative] = states;
        V2Answers::new(trust, positive, negative).map_err(|e| {
            let field = match &e {
                fedcx_model::AnswerError::IndicatorAgainstTrust { column, .. } => column.clone(),
                _ => String::new(),
            };
            let i = row_header_index(&self.mapping, &field, &self.resolved).unwrap_or(ti);
            self.reject(row, i, RejectReason::IndicatorAgainstTrust, e.to_string())
        })
    }

    /// What each indicator cell means. A blank is not selected only where the mapping says so, under
    /// the follow-up question the trust answer showed (`shown`), and, for a partial response, only
    /// when the respondent answered that question at all (else they may have left before it):
    /// everywhere else a blank is not offered.
    fn indicator_states(
        &self,
        ticks: &[[Tick; INDICATOR_COUNT]; 2],
        shown: Polarity,
        unfinished: bool,
    ) -> [IndicatorStates; 2] {
        let mut states: [IndicatorStates; 2] = [[IndicatorState::NotOffered; INDICATOR_COUNT]; 2];
        for p in Polarity::ALL {
            let row = &ticks[p.index()];
            let reached = !unfinished || row.iter().any(|t| matches!(t, Tick::Ticked | Tick::Unticked));
            for ind in Indicator::ALL {
                states[p.index()][ind.index()] = match row[ind.index()] {
                    Tick::Ticked => IndicatorState::Selected,
                    Tick::Unticked => IndicatorState::NotSelected,
                    Tick::NotShown => IndicatorState::NotOffered,
                    Tick::Blank => {
                        let rule = self.blank[p.index()][ind.index()];
                        if rule == BlankIndicator::NotSelected && p == shown && reached {
                            IndicatorState::NotSelected
                        } else {
                            IndicatorState::NotOffered
                        }
                    }
                };
            }
        }
        states
    }

    fn forbid_other_version<'c>(
        &self,
        row: &Row<'_>,
        columns: impl Iterator<Item = &'c usize>,
        version: &str,
    ) -> Result<(), Rejection> {
        for &i in columns {
            let t = self.get(row, i)?;
            // "null" is how version-2 exports mark indicators that were not offered; it carries no answer.
            if !t.is_empty() && !t.eq_ignore_ascii_case("null") {
                return Err(self.reject(
                    row,
                    i,
                    RejectReason::AnswersOfOtherVersion,
                    format!("a {version} row must leave the other version's questions empty"),
                ));
            }
        }
        Ok(())
    }
}

fn row_header_index(mapping: &Mapping, field: &str, r: &Resolved) -> Option<usize> {
    mapping.column_of(field)?;
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
    /// What was read, with the tool's extra header rows moved from records to header lines.
    fn produced(&self) -> Produced {
        let mut p = self.rows.produced();
        p.records -= self.extra_header.records;
        p.record_lines -= self.extra_header.record_lines;
        p.header_lines += self.extra_header.record_lines;
        p
    }

    fn limit_record_lines(&mut self, n: u64) {
        self.rows.set_max_record_lines(n);
    }
}

impl<R: Read> ResponseSource for MappedCsvSource<'_, R> {
    type Error = IngestError;

    fn next_item(&mut self) -> Result<Option<SourceItem>, IngestError> {
        let Some(row) = self.rows.next_row()? else { return Ok(None) };
        Ok(Some(match self.parser.parse_row(&row, &mut self.notes) {
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
    }
    out.push(r.comment.clone().unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{IngestConfig, Ingestor, Reader};

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{}/tests/fixtures/tools/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    /// A shipped mapping with the service and channel of the fixtures (passport renewal, online),
    /// as `fedcx ingest --service --channel` gives them.
    fn example(name: &str) -> Mapping {
        let mut m = Mapping::preset(name.trim_end_matches(".toml")).unwrap();
        m.constants.insert("service_id".into(), "dos-ca-passport-renewal".into());
        m.constants.insert("channel".into(), "website".into());
        m
    }

    #[test]
    fn every_preset_reads_and_only_presets_are_found() {
        for (name, _) in PRESETS {
            assert!(Mapping::preset(name).is_some(), "{name}");
        }
        assert!(Mapping::preset("excel").is_none());
    }

    /// Issue 21: the qualtrics and surveymonkey presets booked every export to State's passport
    /// renewal on the website, the medallia ones to VA outpatient care. A preset names a tool's
    /// conventions only: no service and no channel, as a column, a constant or a value map.
    #[test]
    fn no_preset_names_a_service_or_a_channel() {
        let registry = Registry::bundled();
        for (name, text) in PRESETS {
            let m = Mapping::preset(name).unwrap();
            assert_eq!(m.unassigned(), ["service_id", "channel"], "{name}");
            assert!(m.services.is_empty() && m.channels.is_empty(), "{name}");
            for s in registry.services() {
                assert!(!text.contains(s.id.as_str()), "{name} names {}", s.id);
            }
        }
    }

    /// The summary and counts of one file read with `threads` workers and chunks of `chunk` bytes.
    fn ingest(bytes: &[u8], mapping: &Mapping, threads: usize, chunk: usize) -> (String, String) {
        let registry = Registry::bundled();
        let mut ing = Ingestor::builder(&registry, IngestConfig { threads, ..IngestConfig::default() })
            .chunk_bytes(chunk)
            .build()
            .unwrap();
        ing.ingest_bytes(Path::new("in.csv"), bytes, &Reader::Mapped(mapping.clone())).unwrap();
        let result = ing.finish().unwrap();
        let mut summary = crate::pipeline::summary_json(&result);
        summary["files"][0]["reconciliation"]["warnings"] = serde_json::json!(result.files[0].reconciliation.warnings);
        (summary.to_string(), serde_json::to_string(&result.total.counts).unwrap())
    }

    #[test]
    fn tool_exports_read_the_same_on_one_thread_and_in_chunks() {
        for (file, mapping) in [
            ("qualtrics-3row.csv", "qualtrics.toml"),
            ("qualtrics-2row.csv", "qualtrics.toml"),
            ("surveymonkey.csv", "surveymonkey.toml"),
        ] {
            let (bytes, mapping) = (fixture(file), example(mapping));
            let one = ingest(&bytes, &mapping, 1, 1 << 20);
            assert!(one.0.contains("\"physical\":") && one.0.contains("\"excluded\":"), "{}", one.0);
            for chunk in [1, 50, 700] {
                assert_eq!(ingest(&bytes, &mapping, 2, chunk), one, "{file}, chunk {chunk}");
            }
        }
    }

    /// Reads `rows` (after the Qualtrics header rows of `header`) and returns each response's
    /// positive and negative indicator states, or the rejection's reason.
    fn states(mapping: &Mapping, header: &str, rows: &[&str]) -> Vec<Result<[IndicatorStates; 2], &'static str>> {
        let registry = Registry::bundled();
        let text = format!("{header}{}", rows.iter().map(|r| format!("{r}\n")).collect::<String>());
        let mut src = MappedCsvSource::new(Path::new("t.csv"), text.as_bytes(), mapping.clone(), &registry).unwrap();
        let mut out = Vec::new();
        while let Some(item) = src.next_item().unwrap() {
            out.push(match item {
                SourceItem::Response(_, r) => match r.answers {
                    Answers::V2(a) => Ok([*a.indicators(Polarity::Positive), *a.indicators(Polarity::Negative)]),
                    _ => Err("not version 2"),
                },
                SourceItem::Rejected(rej) => Err(rej.reason.code()),
                _ => Err("unexpected item"),
            });
        }
        out
    }

    #[test]
    fn a_blank_box_is_not_selected_only_under_the_follow_up_shown_and_reached() {
        use IndicatorState::{NotOffered as O, NotSelected as N, Selected as S};
        let header = "ResponseId,EndDate,Status,Finished,Q1,P1,P2,N1,N2\n\
                      Response ID,End Date,Response Type,Finished,Trust,What went well? - Need,What went well? - Easy,\
                      What didn't? - Need,What didn't? - Easy\n";
        let mut mapping = Mapping {
            tool: Some(Tool::Qualtrics),
            columns: [
                ("question_1", "Q1"),
                ("positive_effectiveness", "P1"),
                ("positive_ease", "P2"),
                ("negative_effectiveness", "N1"),
                ("negative_ease", "N2"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
            constants: [("service_id", "dos-ca-passport-renewal"), ("channel", "website"), ("survey_version", "v2")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            ..Mapping::default()
        };
        mapping.indicators.blank = BlankIndicator::NotSelected;
        let rest = [O; INDICATOR_COUNT - 2];
        let with = |a: IndicatorState, b: IndicatorState| {
            let mut s = [O; INDICATOR_COUNT];
            s[0] = a;
            s[1] = b;
            debug_assert_eq!(s[2..], rest);
            s
        };
        let rows = [
            // Agree: "what went well" shown; its blank box is not selected, the hidden question's stay not offered.
            "R_1,2024-02-05 09:00:00,IP Address,True,Agree,,easy,,",
            // Disagree: the other way round; the choice's text or 1 both tick a box.
            "R_2,2024-02-05 09:00:00,IP Address,True,Disagree,,,1,",
            // Finished, nothing ticked: both boxes of the shown question are not selected.
            "R_3,2024-02-05 09:00:00,IP Address,True,Agree,,,,",
            // Partial, nothing ticked: the respondent may have left before the question.
            "R_4,2024-02-05 09:00:00,IP Address,False,Agree,,,,",
            // Partial with a box ticked: the question was reached.
            "R_5,2024-02-05 09:00:00,IP Address,False,Agree,1,,,",
            // Partial without the trust answer; a preview; a status fedcx does not know.
            "R_6,2024-02-05 09:00:00,IP Address,False,,,,,",
            "R_7,2024-02-05 09:00:00,Survey Preview,True,Agree,1,,,",
            "R_8,2024-02-05 09:00:00,Bot,True,Agree,1,,,",
            // A box of another question's wording is neither ticked nor blank.
            "R_9,2024-02-05 09:00:00,IP Address,True,Agree,,Need,,",
        ];
        let got = states(&mapping, header, &rows);
        assert_eq!(got[0], Ok([with(N, S), with(O, O)]));
        assert_eq!(got[1], Ok([with(O, O), with(S, N)]));
        assert_eq!(got[2], Ok([with(N, N), with(O, O)]));
        assert_eq!(got[3], Ok([with(O, O), with(O, O)]));
        assert_eq!(got[4], Ok([with(S, N), with(O, O)]));
        assert_eq!(got[5], Err(fedcx_model::Exclusion::UnfinishedResponse.code()));
        assert_eq!(got[6], Err(fedcx_model::Exclusion::SurveyPreview.code()));
        assert_eq!(got[7], Err(RejectReason::UnknownStatus.code()));
        assert_eq!(got[8], Err(RejectReason::UnknownLabel.code()));
        // Without the rule a blank box is not offered anywhere (Touchpoints' reading), and per field
        // the rule can be turned back.
        mapping.indicators.fields.insert("positive_effectiveness".into(), BlankIndicator::NotOffered);
        assert_eq!(states(&mapping, header, &rows[..1])[0], Ok([with(O, S), with(O, O)]));
        mapping.indicators = IndicatorRules::default();
        assert_eq!(states(&mapping, header, &rows[..1])[0], Ok([with(O, S), with(O, O)]));
    }

    /// A version-1 partial response that answered nothing is excluded (issue 21), as the
    /// version-2 one without its trust answer is; a finished one with no answer stays rejected.
    #[test]
    fn a_partial_version_one_response_with_no_answer_is_excluded() {
        let registry = Registry::bundled();
        let mut mapping = example("qualtrics");
        mapping.columns = [("q1", "Q1"), ("q2", "Q2")].into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
        mapping.constants.insert("survey_version".into(), "v1".into());
        mapping.constants.remove("survey_type");
        let text = "ResponseId,EndDate,Status,Finished,Q1,Q2\n\
                    R_1,2022-02-05 09:00:00,IP Address,False,,\n\
                    R_2,2022-02-05 09:00:00,IP Address,False,4,\n\
                    R_3,2022-02-05 09:00:00,IP Address,True,,\n";
        let mut src = MappedCsvSource::new(Path::new("v1.csv"), text.as_bytes(), mapping, &registry).unwrap();
        let mut got = Vec::new();
        while let Some(item) = src.next_item().unwrap() {
            got.push(match item {
                SourceItem::Response(..) => "accepted",
                SourceItem::Rejected(rej) => rej.reason.code(),
                _ => "unexpected item",
            });
        }
        assert_eq!(got, ["unfinished_response", "accepted", "no_answers"]);
    }

    /// Records end where the csv parser ends them: LF, CRLF (both bytes) or a lone CR, never
    /// inside quotes; the byte read after a lone CR goes back with the rest.
    #[test]
    fn read_records_ends_records_where_csv_does() {
        let read = |bytes: &[u8], max| {
            let ahead = read_records(&mut &bytes[..], max).unwrap();
            let records: Vec<String> =
                ahead.records.iter().map(|(b, _)| String::from_utf8_lossy(b).into_owned()).collect();
            (records, String::from_utf8_lossy(&ahead.leftover).into_owned())
        };
        let rest = |s: &str| s.to_owned();
        assert_eq!(read(b"a,b\nc,d\ne,f\n", 2), (vec![rest("a,b\n"), rest("c,d\n")], rest("")));
        assert_eq!(read(b"a,b\r\nc,d\r\ne,f\r\n", 2), (vec![rest("a,b\r\n"), rest("c,d\r\n")], rest("")));
        assert_eq!(read(b"a,b\rc,d\re,f\r", 2), (vec![rest("a,b\r"), rest("c,d\r")], rest("e")));
        assert_eq!(read(b"a,b\rc,d", 1), (vec![rest("a,b\r")], rest("c")));
        assert_eq!(read(b"\"a\rb\",c\rd", 1), (vec![rest("\"a\rb\",c\r")], rest("d")));
        assert_eq!(read(b"\n\r\na,b\r", 3), (vec![rest("\n\r\na,b\r")], rest("")));
    }

    #[test]
    fn the_export_time_zone_is_used_and_a_contradicting_mapping_is_refused() {
        let registry = Registry::bundled();
        let bytes = fixture("qualtrics-3row.csv");
        let mut mapping = example("qualtrics.toml");
        let src = MappedCsvSource::new(Path::new("q.csv"), bytes.as_slice(), mapping.clone(), &registry).unwrap();
        assert_eq!(src.parser.zone, chrono_tz::America::New_York);
        mapping.timestamp.time_zone = Some("America/Denver".into());
        let err =
            MappedCsvSource::new(Path::new("q.csv"), bytes.as_slice(), mapping, &registry).unwrap_err().to_string();
        assert!(
            err.contains("q.csv: bad header for format csv: ImportId header row, column \"EndDate\": the export says its times are in America/New_York, but the mapping's [timestamp] time_zone is America/Denver"),
            "{err}"
        );
    }

    #[test]
    fn mapping_files_with_a_tool_are_checked() {
        let check =
            |text: &str| Mapping::from_toml_str(Path::new("m.toml"), text).map(|_| ()).map_err(|e| e.to_string());
        // A tool names the id and date columns itself.
        assert_eq!(check("tool = 'qualtrics'\n[columns]\nquestion_1 = 'Q1'\n[constants]\nservice_id = 'x'\nchannel = 'website'\n"), Ok(()));
        let err = check(
            "tool = 'surveymonkey'\n[indicators]\nblank = 'not_selected'\n[indicators.fields]\npositive_mood = 'not_offered'\n\
             [columns]\nquestion_1 = 'Q1'\n[constants]\nservice_id = 'x'\nchannel = 'website'\n",
        )
        .unwrap_err();
        assert!(err.contains("[indicators.fields] names \"positive_mood\""), "{err}");
        assert!(err.contains("tool = \"surveymonkey\": its exports carry no time zone"), "{err}");
        let err = check("tool = 'typeform'\n").unwrap_err();
        assert!(err.contains("unknown variant `typeform`") && err.contains("qualtrics"), "{err}");
        let err = check("[indicators]\nblank = 'maybe'\n").unwrap_err();
        assert!(err.contains("unknown variant `maybe`") && err.contains("not_selected"), "{err}");
    }

    /// An ImportId that several columns share (an export writing a question's ImportId over each
    /// of its choices without a choiceId) names none of them: reading the first would put every
    /// choice's answers in one column's.
    #[test]
    fn an_import_id_of_several_columns_is_refused() {
        let registry = Registry::bundled();
        let mut mapping = example("qualtrics");
        mapping.columns = [("question_1", "QID1"), ("positive_ease", "QID2")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let input = "ResponseId,EndDate,Q1,Q2_1,Q2_2\n\
                     {\"ImportId\":\"_recordId\"},{\"ImportId\":\"endDate\"},{\"ImportId\":\"QID1\"},\
                     {\"ImportId\":\"QID2\"},{\"ImportId\":\"QID2\"}\n";
        let err =
            MappedCsvSource::new(Path::new("q.csv"), input.as_bytes(), mapping, &registry).unwrap_err().to_string();
        assert!(err.contains("ImportId \"QID2\" names 2 columns (Q2_1, Q2_2)"), "{err}");
    }

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
