//! The conventions of survey tools' respondent-level exports, turned on by `tool = "..."` in a
//! mapping: extra header rows, default columns and timestamp formats, Qualtrics' response statuses
//! and completion flag, and the cell that means a multi-select box was ticked. `docs/mapping.md`
//! describes each convention and the documentation page it follows.

use serde::Deserialize;

use crate::reconcile::Exclusion;

/// A survey tool whose export conventions a mapping can turn on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tool {
    /// Qualtrics' CSV/TSV data export: column ids, question texts and (new format) ImportIds as three
    /// header rows; `Status`, `Finished`, `EndDate`, `ResponseId`.
    Qualtrics,
    /// SurveyMonkey's response export: question texts and answer-choice labels as two header rows;
    /// `Respondent ID`, `End Date` as `MM/DD/YYYY hh:mm:ss AM`.
    #[serde(rename = "surveymonkey")]
    SurveyMonkey,
    /// Medallia: one header row and spreadsheet dates; no documented layout was found, so nothing else.
    Medallia,
}

impl Tool {
    /// The name used in mapping files.
    pub fn as_str(self) -> &'static str {
        match self {
            Tool::Qualtrics => "qualtrics",
            Tool::SurveyMonkey => "surveymonkey",
            Tool::Medallia => "medallia",
        }
    }

    /// The tool's name for people.
    pub fn label(self) -> &'static str {
        match self {
            Tool::Qualtrics => "Qualtrics",
            Tool::SurveyMonkey => "SurveyMonkey",
            Tool::Medallia => "Medallia",
        }
    }

    /// The columns of the first header row that mark the tool's own export, as it writes them
    /// (Qualtrics' data export and SurveyMonkey's response export, per docs/mapping.md); none for
    /// Medallia, whose layout no documentation describes.
    pub fn signature(self) -> &'static [&'static str] {
        match self {
            Tool::Qualtrics => &["StartDate", "EndDate", "Status", "Finished", "ResponseId"],
            Tool::SurveyMonkey => &["Respondent ID", "Collector ID", "Start Date", "End Date"],
            Tool::Medallia => &[],
        }
    }

    /// The tool whose own export a first header row (its cells, any letter case) is: every column
    /// of its [`Tool::signature`] is there.
    pub fn of_header<S: AsRef<str>>(columns: &[S]) -> Option<Tool> {
        [Tool::Qualtrics, Tool::SurveyMonkey, Tool::Medallia].into_iter().find(|t| {
            let sig = t.signature();
            !sig.is_empty() && sig.iter().all(|w| columns.iter().any(|c| c.as_ref().trim().eq_ignore_ascii_case(w)))
        })
    }

    /// How many records at the top of an export can be header rows, the column names included.
    pub(crate) fn max_header_records(self) -> usize {
        match self {
            Tool::Qualtrics => 3,
            Tool::SurveyMonkey => 2,
            Tool::Medallia => 1,
        }
    }

    /// The column a field is in when the mapping's `[columns]` does not say.
    pub(crate) fn default_column(self, field: &str) -> Option<&'static str> {
        match (self, field) {
            (Tool::Qualtrics, "response_id") => Some("ResponseId"),
            (Tool::Qualtrics, "submitted_at") => Some("EndDate"),
            (Tool::SurveyMonkey, "response_id") => Some("Respondent ID"),
            (Tool::SurveyMonkey, "submitted_at") => Some("End Date"),
            (Tool::Qualtrics | Tool::SurveyMonkey | Tool::Medallia, _) => None,
        }
    }

    /// Timestamp formats tried when the mapping's `[timestamp] formats` is empty.
    pub(crate) fn default_formats(self) -> &'static [&'static str] {
        match self {
            // The export's own form, then the form a spreadsheet re-saves it in.
            Tool::Qualtrics => &["%Y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M"],
            Tool::SurveyMonkey => &["%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M"],
            Tool::Medallia => &["excel", "rfc3339"],
        }
    }

    /// Whether the export says nothing of its time zone, so the mapping must.
    pub(crate) fn needs_time_zone(self) -> bool {
        match self {
            Tool::SurveyMonkey => true,
            // Qualtrics' third header row names the zone; Medallia's day numbers are local times too,
            // but no documentation says whose, so UTC stays the default as for any mapping.
            Tool::Qualtrics | Tool::Medallia => false,
        }
    }
}

/// The A-11 answer labels every tool's choice-text export writes for the 5-point trust question
/// and the thumbs, used when the mapping's `[labels]` does not name a label.
pub(crate) const STANDARD_LABELS: [(&str, i64); 8] = [
    ("Strongly disagree", 1),
    ("Disagree", 2),
    ("Neither agree nor disagree", 3),
    ("Neutral", 3),
    ("Agree", 4),
    ("Strongly agree", 5),
    ("Thumbs down", 0),
    ("Thumbs up", 1),
];

/// What a Qualtrics `Status` cell means for the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// A response to count (a normal, imported or offline response).
    Keep,
    /// Not a respondent's answer: counted apart under this exclusion reason.
    Exclude(Exclusion),
}

/// The Status values fedcx knows, as the choice-text export writes them and as codes.
pub(crate) const STATUS_VALUES: &str =
    "IP Address (0), Survey Preview (1), Survey Test (2), Imported (4), Spam (8), Preview Spam (9), Imported Spam (12), \
     Offline (16), Offline Survey Preview (17)";

/// Reads a Qualtrics `Status` cell, written as text or as its numeric code; `None` for a value
/// fedcx does not know.
pub(crate) fn qualtrics_status(text: &str) -> Option<Status> {
    let t = text.trim();
    let by_code = |code: &str| -> Option<Status> {
        Some(match code {
            "0" | "4" | "16" => Status::Keep,
            "1" | "17" => Status::Exclude(Exclusion::SurveyPreview),
            "2" => Status::Exclude(Exclusion::SurveyTest),
            "8" | "9" | "12" => Status::Exclude(Exclusion::Spam),
            _ => return None,
        })
    };
    if let Some(s) = by_code(t) {
        return Some(s);
    }
    let lower = t.to_ascii_lowercase();
    Some(match lower.as_str() {
        "ip address" | "imported" | "offline" => Status::Keep,
        "survey preview" | "offline survey preview" => Status::Exclude(Exclusion::SurveyPreview),
        "survey test" => Status::Exclude(Exclusion::SurveyTest),
        "spam" | "preview spam" | "imported spam" => Status::Exclude(Exclusion::Spam),
        _ => return None,
    })
}

/// Reads a Qualtrics `Finished` cell: `True`/`False` (choice text) or `1`/`0` (numeric).
pub(crate) fn qualtrics_finished(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// What the header rows say of each column.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct HeaderInfo {
    /// The name the mapping's columns are matched against (SurveyMonkey: question and answer
    /// label joined by ` / `; everyone else: the first header row).
    pub names: Vec<String>,
    /// Another name a mapping may use (Qualtrics' ImportId, e.g. `QID2_3`).
    pub aliases: Vec<Option<String>>,
    /// The cell text that means a multi-select box was ticked: the choice's own label, which a
    /// choice-text export writes in a ticked box.
    pub choice_labels: Vec<Option<String>>,
    /// The time zone the export says a column's times are in (Qualtrics' ImportId `timeZone`).
    pub zones: Vec<Option<String>>,
}

/// SurveyMonkey's second-row labels that name no choice: the column is the question's only answer.
const GENERIC_SUBLABELS: [&str; 2] = ["response", "open-ended response"];

/// How many of the first records (each a row's cells) are header rows; at least 1. `id_column`
/// is the first row's name of the column holding response ids: a row with a response id there is
/// data, never a header row, so an export whose extra rows were deleted loses no response.
pub(crate) fn header_record_count(tool: Option<Tool>, id_column: &str, records: &[Vec<String>]) -> usize {
    let Some(tool) = tool else { return 1 };
    let Some(first) = records.first() else { return 1 };
    let id_at = first.iter().position(|h| h.eq_ignore_ascii_case(id_column));
    fn cell(row: &[String], at: Option<usize>) -> &str {
        at.and_then(|i| row.get(i)).map_or("", String::as_str)
    }
    let id_blank = |row: &[String]| cell(row, id_at).is_empty();
    let qualtrics_data = |row: &[String]| is_qualtrics_response_id(cell(row, id_at));
    let mut count = 1;
    for row in records.iter().skip(1).take(tool.max_header_records() - 1) {
        if row.is_empty() {
            // Only blank lines: no header row there.
            break;
        }
        let header = match tool {
            // Row 2 holds question texts ("Response ID" under ResponseId), row 3 ImportIds.
            Tool::Qualtrics => is_import_id_row(row) || (count == 1 && !qualtrics_data(row)),
            // The answer-label row leaves the respondent columns blank.
            Tool::SurveyMonkey => id_blank(row),
            Tool::Medallia => false,
        };
        if !header {
            break;
        }
        count += 1;
    }
    count
}

/// A Qualtrics response id: `R_` and letters or digits.
fn is_qualtrics_response_id(text: &str) -> bool {
    text.strip_prefix("R_").is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// Qualtrics' third header row: every cell that is not empty is a JSON object with an `ImportId`.
pub(super) fn is_import_id_row(row: &[String]) -> bool {
    let mut cells = row.iter().filter(|c| !c.is_empty()).peekable();
    cells.peek().is_some() && cells.all(|c| c.starts_with("{\"ImportId\""))
}

/// The name an ImportId cell gives its column: the `ImportId`, joined to the `choiceId` by `_`
/// when there is one. The new export format writes a multiple-answer question's choices in that
/// split form (`{"ImportId":"QID2","choiceId":"1"}`, one ImportId for all of the question's
/// columns), and `QID2_1` is how qualtRics' `read_survey(import_id = TRUE)` names the column.
fn import_id_name(cell: &serde_json::Value) -> Option<String> {
    let id = cell.get("ImportId")?.as_str()?;
    let choice = cell.get("choiceId").and_then(|c| match c {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    Some(match choice {
        Some(c) if !c.is_empty() => format!("{id}_{c}"),
        _ => id.to_owned(),
    })
}

/// Reads what the header rows say. `rows[0]` is the column-name row; the others are the extra
/// header rows [`header_record_count`] found. Fails naming the header line and column of a cell
/// that cannot be read.
pub(crate) fn header_info(tool: Option<Tool>, rows: &[Vec<String>]) -> Result<HeaderInfo, String> {
    let first = rows.first().cloned().unwrap_or_default();
    let n = first.len();
    let mut info =
        HeaderInfo { names: first.clone(), aliases: vec![None; n], choice_labels: vec![None; n], zones: vec![None; n] };
    match tool {
        None | Some(Tool::Medallia) => {}
        Some(Tool::Qualtrics) => {
            for (r, row) in rows.iter().enumerate().skip(1) {
                let import_ids = is_import_id_row(row);
                for (i, cell) in row.iter().enumerate().take(n) {
                    if cell.is_empty() {
                        continue;
                    }
                    if import_ids {
                        let v: serde_json::Value = serde_json::from_str(cell).map_err(|e| {
                            format!(
                                "header line {}, column {:?}: expected an ImportId object such as {{\"ImportId\":\"QID1\"}}, \
                                 found {cell:?} ({e})",
                                r + 1,
                                first[i]
                            )
                        })?;
                        info.aliases[i] = import_id_name(&v);
                        info.zones[i] = v.get("timeZone").and_then(|x| x.as_str()).map(str::to_owned);
                    } else if let Some((_, choice)) = cell.rsplit_once(" - ") {
                        // "What went well? - It was easy": the choice a ticked box names.
                        info.choice_labels[i] = Some(choice.trim().to_owned());
                    }
                }
            }
        }
        Some(Tool::SurveyMonkey) => {
            if let Some(labels) = rows.get(1) {
                // A question's text stands over its first column only (the cells after it were merged).
                let mut question = String::new();
                for (i, own) in first.iter().enumerate() {
                    if !own.is_empty() {
                        question = own.clone();
                    }
                    let label = labels.get(i).map(String::as_str).unwrap_or("");
                    let generic = label.is_empty() || GENERIC_SUBLABELS.iter().any(|g| label.eq_ignore_ascii_case(g));
                    if generic {
                        info.names[i] = question.clone();
                    } else {
                        info.names[i] = format!("{question} / {label}");
                        info.choice_labels[i] = Some(label.to_owned());
                    }
                }
            }
        }
    }
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn qualtrics_header_rows_three_two_or_one() {
        let names = row(&["EndDate", "ResponseId", "Q1"]);
        let texts = row(&["End Date", "Response ID", "I trust the agency"]);
        let ids = row(&[
            r#"{"ImportId":"endDate","timeZone":"America/Denver"}"#,
            r#"{"ImportId":"_recordId"}"#,
            r#"{"ImportId":"QID1"}"#,
        ]);
        let data = row(&["2024-01-05 09:00:00", "R_abc123", "5"]);
        let q = Some(Tool::Qualtrics);
        assert_eq!(header_record_count(q, "ResponseId", &[names.clone(), texts.clone(), ids.clone(), data.clone()]), 3);
        assert_eq!(header_record_count(q, "ResponseId", &[names.clone(), texts.clone(), data.clone()]), 2);
        // The ImportId row alone (the text row deleted) is still a header row.
        assert_eq!(header_record_count(q, "ResponseId", &[names.clone(), ids.clone(), data.clone()]), 2);
        // Both extra rows deleted: the first response is data.
        assert_eq!(header_record_count(q, "ResponseId", &[names.clone(), data.clone(), data.clone()]), 1);
        assert_eq!(header_record_count(None, "ResponseId", &[names.clone(), texts.clone()]), 1);
        let info = header_info(q, &[names, texts, ids]).unwrap();
        assert_eq!(info.aliases[2].as_deref(), Some("QID1"));
        assert_eq!(info.zones[0].as_deref(), Some("America/Denver"));
        let bad = header_info(q, &[row(&["Q1"]), row(&["{\"ImportId\": oops"])]).unwrap_err();
        assert!(bad.contains("header line 2, column \"Q1\"") && bad.contains("expected an ImportId object"), "{bad}");
    }

    /// Issue 21: the new export format writes a checkbox column's ImportId split in two,
    /// `{"ImportId":"QID2","choiceId":"1"}`; each column was named `QID2`, so `QID2_1` named none.
    #[test]
    fn a_split_import_id_names_its_column_with_the_choice() {
        let names = row(&["ResponseId", "Q6_1", "Q6_2", "Q7_9", "Q8"]);
        let ids = row(&[
            r#"{"ImportId":"_recordId"}"#,
            r#"{"ImportId":"QID2","choiceId":"1"}"#,
            r#"{"ImportId":"QID2","choiceId":2}"#,
            r#"{"ImportId":"QID3","choiceId":"9"}"#,
            r#"{"ImportId":"QID4_TEXT"}"#,
        ]);
        let info = header_info(Some(Tool::Qualtrics), &[names, ids]).unwrap();
        let aliases: Vec<Option<&str>> = info.aliases.iter().map(Option::as_deref).collect();
        assert_eq!(aliases, [Some("_recordId"), Some("QID2_1"), Some("QID2_2"), Some("QID3_9"), Some("QID4_TEXT")]);
    }

    #[test]
    fn surveymonkey_names_join_question_and_answer_label() {
        let q = row(&["Respondent ID", "End Date", "I trust the agency", "What went well?", "", "Comments"]);
        let labels = row(&["", "", "Response", "It was easy", "It took a reasonable time", "Open-Ended Response"]);
        assert_eq!(header_record_count(Some(Tool::SurveyMonkey), "Respondent ID", &[q.clone(), labels.clone()]), 2);
        let data = row(&["114", "01/05/2024 09:00:00 AM", "Agree", "It was easy", "", ""]);
        assert_eq!(header_record_count(Some(Tool::SurveyMonkey), "Respondent ID", &[q.clone(), data]), 1);
        let info = header_info(Some(Tool::SurveyMonkey), &[q, labels]).unwrap();
        assert_eq!(
            info.names,
            [
                "Respondent ID",
                "End Date",
                "I trust the agency",
                "What went well? / It was easy",
                "What went well? / It took a reasonable time",
                "Comments"
            ]
        );
        assert_eq!(info.choice_labels[4].as_deref(), Some("It took a reasonable time"));
        assert_eq!(info.choice_labels[2], None);
    }

    #[test]
    fn statuses_as_text_and_codes() {
        for (text, want) in [
            ("IP Address", Some(Status::Keep)),
            ("0", Some(Status::Keep)),
            ("Imported", Some(Status::Keep)),
            ("Survey Preview", Some(Status::Exclude(Exclusion::SurveyPreview))),
            ("1", Some(Status::Exclude(Exclusion::SurveyPreview))),
            ("Survey Test", Some(Status::Exclude(Exclusion::SurveyTest))),
            ("spam", Some(Status::Exclude(Exclusion::Spam))),
            ("8", Some(Status::Exclude(Exclusion::Spam))),
            ("", None),
            ("Bot", None),
        ] {
            assert_eq!(qualtrics_status(text), want, "{text:?}");
        }
        assert_eq!(
            ["True", "false", "1", "0", "yes"].map(qualtrics_finished),
            [Some(true), Some(false), Some(true), Some(false), None]
        );
    }
}
