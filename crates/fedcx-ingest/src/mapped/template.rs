//! A mapping to fill in, written from a survey tool's export header (`fedcx template mapping`):
//! every column listed with what the header rows say of it (Qualtrics: the question text of row 2
//! and the ImportId of row 3; SurveyMonkey: the question and answer label), and the columns whose
//! A-11 wording is unmistakable filled in, marked as guesses to check.

use std::fmt::Write as _;
use std::io::Read;
use std::path::Path;

use fedcx_model::survey::{Indicator, Polarity};

use super::tool::{self, Tool};
use super::NATIVE_HEADER;
use crate::error::IngestError;

/// The A-11 version-2 form's choices under "What went well?", in [`Indicator::ALL`] order.
const POSITIVE_CHOICES: [&str; 7] = [
    "My need was addressed",
    "It was easy to complete what I needed to do",
    "It took a reasonable amount of time to do what I needed to do",
    "It was clear what to expect",
    "I was treated with respect",
    "Employees I interacted with were helpful",
    "Other",
];

/// The choices under "What didn't go so well?", likewise.
const NEGATIVE_CHOICES: [&str; 7] = [
    "My need was not addressed",
    "It was difficult to complete what I needed to do",
    "It took too long to do what I needed to do",
    "It was unclear what to expect",
    "I was not treated with respect",
    "Employees I interacted with were not helpful",
    "Other",
];

/// Qualtrics' own columns (before the questions) and what fedcx does with each.
const QUALTRICS_METADATA: [(&str, &str); 17] = [
    ("StartDate", "not read (submitted_at is EndDate)"),
    ("EndDate", "submitted_at, by the tool's conventions"),
    ("Status", "read by the tool's conventions: previews, tests and spam are excluded"),
    ("IPAddress", "personal data, not read"),
    ("Progress", "not read"),
    ("Duration (in seconds)", "not read"),
    ("Finished", "read by the tool's conventions: partial responses"),
    ("RecordedDate", "not read"),
    ("ResponseId", "response_id, by the tool's conventions"),
    ("RecipientLastName", "personal data, not read"),
    ("RecipientFirstName", "personal data, not read"),
    ("RecipientEmail", "personal data, not read"),
    ("ExternalReference", "not read"),
    ("LocationLatitude", "personal data, not read"),
    ("LocationLongitude", "personal data, not read"),
    ("DistributionChannel", "not read (how the survey was sent, not the service's channel)"),
    ("UserLanguage", "not read"),
];

/// SurveyMonkey's respondent columns, likewise.
const SURVEYMONKEY_METADATA: [(&str, &str); 9] = [
    ("Respondent ID", "response_id, by the tool's conventions"),
    ("Collector ID", "not read"),
    ("Start Date", "not read (submitted_at is End Date)"),
    ("End Date", "submitted_at, by the tool's conventions"),
    ("IP Address", "personal data, not read"),
    ("Email Address", "personal data, not read"),
    ("First Name", "personal data, not read"),
    ("Last Name", "personal data, not read"),
    ("Custom Data 1", "not read"),
];

/// A mapping template and what went into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// The mapping file's text (TOML, commented).
    pub text: String,
    /// How many columns the export has.
    pub columns: usize,
    /// How many fields were filled in from the A-11 wording (each to be checked).
    pub guessed: usize,
}

/// One column of the export as the header rows describe it.
struct Column {
    /// The name a mapping uses (row 1; SurveyMonkey: question / answer label).
    name: String,
    /// Qualtrics' question text (row 2).
    text: Option<String>,
    /// Qualtrics' ImportId name (row 3).
    import_id: Option<String>,
    /// The zone the ImportId row names for the column's times.
    zone: Option<String>,
    /// The question the column belongs to and the choice it stands for, when it is a choice.
    question: Option<String>,
    choice: Option<String>,
}

/// Writes a mapping to fill in for the export read from `input` (named `path` in messages and in
/// the file's first comment), with `tool`'s conventions.
pub fn template<R: Read>(path: &Path, mut input: R, tool: Tool) -> Result<Template, IngestError> {
    let io = |source| IngestError::Io { path: path.to_owned(), source };
    let ahead = super::read_records(&mut input, tool.max_header_records()).map_err(io)?;
    let records: Vec<Vec<String>> = ahead.records.into_iter().map(|(_, c)| c).collect();
    if records.first().is_none_or(|r| r.is_empty()) {
        return Err(IngestError::Empty {
            path: path.to_owned(),
            expected: format!("a {} export's header", tool.as_str()),
        });
    }
    let id_column = tool.default_column("response_id").unwrap_or("");
    let count = tool::header_record_count(Some(tool), id_column, &records);
    let rows = &records[..count];
    let info = tool::header_info(Some(tool), rows).map_err(|why| IngestError::BadHeader {
        path: path.to_owned(),
        format: "csv",
        why,
    })?;
    let texts = match tool {
        Tool::Qualtrics => rows.iter().skip(1).find(|r| !tool::is_import_id_row(r)),
        Tool::SurveyMonkey | Tool::Medallia => None,
    };
    let columns: Vec<Column> = (0..info.names.len())
        .map(|i| {
            let text = texts.and_then(|r| r.get(i)).filter(|t| !t.is_empty()).cloned();
            let (question, choice) = match tool {
                // "What went well? - It was easy": the question, then the choice.
                Tool::Qualtrics => match text.as_deref().and_then(|t| t.rsplit_once(" - ")) {
                    Some((q, c)) => (Some(q.trim().to_owned()), Some(c.trim().to_owned())),
                    None => (None, None),
                },
                Tool::SurveyMonkey => match (info.names[i].rsplit_once(" / "), &info.choice_labels[i]) {
                    (Some((q, _)), Some(c)) => (Some(q.to_owned()), Some(c.clone())),
                    _ => (None, None),
                },
                Tool::Medallia => (None, None),
            };
            Column {
                name: info.names[i].clone(),
                text,
                import_id: info.aliases[i].clone(),
                zone: info.zones[i].clone(),
                question,
                choice,
            }
        })
        .collect();
    let guesses = guess(tool, &columns);
    let mut out = String::new();
    let file = one_line(&path.file_name().map_or_else(|| path.to_string_lossy(), |n| n.to_string_lossy()));
    let tool_name = tool.label();
    let _ = writeln!(
        out,
        "# Mapping for {file}, a {tool_name} export, written by `fedcx template mapping --tool {}` from its header.",
        tool.as_str()
    );
    out.push_str(
        "# Fill it in, then: fedcx ingest EXPORT.csv --mapping THIS-FILE.toml. Every key: docs/mapping.md.\n\
         #\n\
         # [columns] lists every column of the export, in order, each under a comment saying what its header\n\
         # rows hold. A field fedcx could tell from the A-11 wording is filled in and marked \"guessed\": check\n\
         # it. Every other column is commented out: to read it, uncomment its line and put the fedcx field it\n\
         # holds on the left; a column fedcx does not need stays commented out.\n",
    );
    if tool == Tool::Qualtrics {
        out.push_str(
            "# A column is named by its id (row 1); its ImportId (row 3, in the comment) names it too, and does\n\
             # not change when questions are renumbered.\n",
        );
    }
    let _ = writeln!(out, "tool = \"{}\"\n", tool.as_str());
    out.push_str(
        "# An unticked box is blank in the export: \"not selected\" under the follow-up question the trust\n\
         # answer showed, \"not offered\" under the other.\n\
         [indicators]\nblank = \"not_selected\"\n\n",
    );
    if tool == Tool::SurveyMonkey {
        out.push_str(
            "# The export's times carry no zone: name the zone of the account that exported it (required).\n\
             [timestamp]\n# time_zone = \"America/New_York\"\n\n",
        );
    }
    let mut line = String::from("# The fields:");
    for (k, field) in NATIVE_HEADER.iter().enumerate() {
        let sep = if k + 1 == NATIVE_HEADER.len() { "." } else { "," };
        if line.len() + field.len() + 2 > 100 {
            out.push_str(&line);
            out.push('\n');
            line = String::from("#");
        }
        let _ = write!(line, " {field}{sep}");
    }
    out.push_str(&line);
    out.push_str("\n# q1..q11 are the version-1 questions (FY2019-FY2023), question_1 the version-2 trust question.\n");
    out.push_str("[columns]\n");
    let metadata: &[(&str, &str)] = match tool {
        Tool::Qualtrics => &QUALTRICS_METADATA,
        Tool::SurveyMonkey => &SURVEYMONKEY_METADATA,
        Tool::Medallia => &[],
    };
    for (i, c) in columns.iter().enumerate() {
        let mut about = Vec::new();
        if let Some(t) = &c.text {
            about.push(format!("\"{}\"", one_line(t)));
        }
        match (&c.import_id, &c.zone) {
            (Some(id), Some(z)) => about.push(format!("ImportId {id}, times in {z}")),
            (Some(id), None) => about.push(format!("ImportId {id}")),
            (None, _) => {}
        }
        let known = metadata.iter().find(|(n, _)| n.eq_ignore_ascii_case(&c.name)).map(|(_, what)| *what);
        let _ = write!(out, "# column {}: {}", i + 1, one_line(&c.name));
        if !about.is_empty() {
            let _ = write!(out, " ({})", about.join("; "));
        }
        if let Some(what) = known {
            let _ = write!(out, ": {what}");
        }
        out.push('\n');
        let quoted = toml::Value::String(c.name.clone()).to_string();
        match guesses.iter().find(|(at, _, _)| *at == i) {
            Some((_, field, why)) => {
                let _ = writeln!(out, "{field} = {quoted}   # guessed: {why}");
            }
            None if known.is_some() => {}
            None => {
                let _ = writeln!(out, "# FIELD = {quoted}");
            }
        }
    }
    let has_trust = guesses.iter().any(|(_, f, _)| *f == "question_1");
    out.push_str(
        "\n# The service and channel every row is about. Name the columns holding them under [columns]\n\
         # (service_id = \"...\", channel = \"...\") with [services] / [channels] maps of the export's names,\n\
         # or set them here, or give `--service ID --channel CHANNEL` when ingesting. Services:\n\
         # `fedcx hisps --services`; channels: website, phone, in_person, mobile_app, email, ...\n\
         [constants]\n# service_id = \"\"\n# channel = \"\"\n",
    );
    if has_trust {
        out.push_str(
            "# The trust question is version 2's; survey_type is likert_scale (5 points) or thumbs_up_down.\n\
             survey_version = \"v2\"\nsurvey_type = \"likert_scale\"\n",
        );
    } else {
        out.push_str(
            "# survey_version: v1 (FY2019-FY2023) or v2; without it, each response's quarter decides.\n\
             # survey_version = \"v2\"\n# survey_type = \"likert_scale\"\n",
        );
    }
    if tool == Tool::Medallia {
        out.push_str(
            "\n# Answer labels (matched ignoring case) to values; the A-11 agreement labels are known.\n\
             [labels]\n# \"Does not apply\" = \"n/a\"\n",
        );
    }
    Ok(Template { text: out, columns: columns.len(), guessed: guesses.len() })
}

/// The fields told from the A-11 wording: (column, field, why). Each field goes to one column at
/// most, and a text that could be either polarity's (`Other`) goes by its question's other choices.
fn guess(tool: Tool, columns: &[Column]) -> Vec<(usize, String, &'static str)> {
    let same = |a: &str, b: &str| a.trim().trim_end_matches('.').eq_ignore_ascii_case(b.trim().trim_end_matches('.'));
    let mut out: Vec<(usize, String, &'static str)> = Vec::new();
    // The trust question: the A-11 wording says "I trust".
    let trust_text = |c: &Column| match tool {
        Tool::Qualtrics => c.text.clone(),
        Tool::SurveyMonkey | Tool::Medallia => Some(c.name.clone()),
    };
    let trust: Vec<usize> = (0..columns.len())
        .filter(|&i| columns[i].choice.is_none())
        .filter(|&i| trust_text(&columns[i]).is_some_and(|t| t.to_ascii_lowercase().contains("i trust")))
        .collect();
    if let [i] = trust[..] {
        out.push((i, "question_1".into(), "the question says \"I trust\""));
    }
    // A question's polarity: the A-11 choices it holds other than "Other".
    let polarity_of = |question: &str| -> Option<Polarity> {
        let choices =
            columns.iter().filter(|c| c.question.as_deref() == Some(question)).filter_map(|c| c.choice.as_deref());
        let mut found = None;
        for choice in choices {
            for (p, list) in [(Polarity::Positive, &POSITIVE_CHOICES), (Polarity::Negative, &NEGATIVE_CHOICES)] {
                if list[..6].iter().any(|w| same(w, choice)) {
                    if found.is_some_and(|f| f != p) {
                        return None;
                    }
                    found = Some(p);
                }
            }
        }
        found
    };
    for (i, c) in columns.iter().enumerate() {
        let (Some(question), Some(choice)) = (&c.question, &c.choice) else { continue };
        let Some(p) = polarity_of(question) else { continue };
        let list = if p == Polarity::Positive { &POSITIVE_CHOICES } else { &NEGATIVE_CHOICES };
        let Some(k) = list.iter().position(|w| same(w, choice)) else { continue };
        let field = Indicator::ALL[k].column(p);
        if out.iter().any(|(_, f, _)| *f == field) {
            continue;
        }
        out.push((i, field, "the A-11 choice's wording"));
    }
    // The comment box: the one free-text question outside the follow-ups (Qualtrics: a _TEXT
    // ImportId; SurveyMonkey: an open-ended answer), or the one whose text says "comment".
    let free_text: Vec<usize> = (0..columns.len())
        .filter(|&i| columns[i].choice.is_none() && !trust.contains(&i))
        .filter(|&i| {
            let c = &columns[i];
            let says = |t: &str| t.to_ascii_lowercase().contains("comment");
            match tool {
                Tool::Qualtrics => {
                    c.import_id.as_deref().is_some_and(|id| id.ends_with("_TEXT") && id.starts_with("QID"))
                }
                Tool::SurveyMonkey | Tool::Medallia => says(&c.name),
            }
        })
        .collect();
    if let [i] = free_text[..] {
        out.push((i, "comment".into(), "the one free-text question"));
    }
    out.sort_by_key(|(i, _, _)| *i);
    out
}

/// Text on one line, for a comment: control characters as spaces, and cut short.
fn one_line(text: &str) -> String {
    let flat: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let flat = flat.trim();
    if flat.chars().count() > 160 {
        format!("{}…", flat.chars().take(160).collect::<String>())
    } else {
        flat.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Mapping;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{}/tests/fixtures/tools/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    /// The template of the hand-built Qualtrics export, its service and channel filled in, is the
    /// shipped qualtrics mapping: the same columns, the same rules.
    #[test]
    fn a_qualtrics_template_guesses_the_a11_columns() {
        let t = template(Path::new("qualtrics-3row.csv"), fixture("qualtrics-3row.csv").as_slice(), Tool::Qualtrics)
            .unwrap();
        assert_eq!((t.columns, t.guessed), (27, 16), "{}", t.text);
        // Every column is listed, with its question text and ImportId.
        assert_eq!(t.text.matches("\n# column ").count(), 27, "{}", t.text);
        assert!(
            t.text.contains(
                "# column 13: Q2_1 (\"What went well? - My need was addressed\"; ImportId QID2_1)\n\
                 positive_effectiveness = \"Q2_1\"   # guessed: the A-11 choice's wording\n"
            ),
            "{}",
            t.text
        );
        assert!(
            t.text.contains(
                "# column 2: EndDate (\"End Date\"; ImportId endDate, times in America/New_York): submitted_at"
            ),
            "{}",
            t.text
        );
        assert!(
            t.text.contains("# column 27: Q4 (\"Additional comments\"; ImportId QID4_TEXT)\ncomment = \"Q4\""),
            "{}",
            t.text
        );
        let filled = t
            .text
            .replace("# service_id = \"\"", "service_id = \"dos-ca-passport-renewal\"")
            .replace("# channel = \"\"", "channel = \"website\"");
        let m = Mapping::from_toml_str(Path::new("t.toml"), &filled).unwrap();
        let mut shipped = Mapping::preset("qualtrics").unwrap();
        shipped.constants.insert("service_id".into(), "dos-ca-passport-renewal".into());
        shipped.constants.insert("channel".into(), "website".into());
        assert_eq!(m, shipped);
    }

    #[test]
    fn a_surveymonkey_template_names_columns_by_question_and_label() {
        let t = template(Path::new("sm.csv"), fixture("surveymonkey.csv").as_slice(), Tool::SurveyMonkey).unwrap();
        assert!(
            t.text.contains("positive_ease = \"What went well? / It was easy to complete what I needed to do\""),
            "{}",
            t.text
        );
        assert!(t.text.contains("[timestamp]\n# time_zone = "), "{}", t.text);
        let filled = t
            .text
            .replace("# time_zone", "time_zone")
            .replace("# service_id = \"\"", "service_id = \"dos-ca-passport-renewal\"")
            .replace("# channel = \"\"", "channel = \"website\"");
        let m = Mapping::from_toml_str(Path::new("t.toml"), &filled).unwrap();
        let shipped = Mapping::preset("surveymonkey").unwrap();
        assert_eq!(m.columns, shipped.columns, "{}", t.text);
    }

    /// A question text with quotes, a backslash and a line break stays one comment line, and the
    /// column's name is a valid TOML string.
    #[test]
    fn awkward_texts_make_valid_toml() {
        let input = "ResponseId,EndDate,\"Q\"\"1\\\"\nResponse ID,End Date,\"I trust \"\"them\"\"\nfully\"\n";
        let t = template(Path::new("x.csv"), input.as_bytes(), Tool::Qualtrics).unwrap();
        assert!(t.text.contains("# column 3: Q\"1\\ (\"I trust \"them\" fully\")\n"), "{}", t.text);
        let filled = t
            .text
            .replace("# service_id = \"\"", "service_id = \"x\"")
            .replace("# channel = \"\"", "channel = \"website\"");
        let m = Mapping::from_toml_str(Path::new("t.toml"), &filled).unwrap();
        assert_eq!(m.columns["question_1"], "Q\"1\\");
        let err = template(Path::new("e.csv"), &b""[..], Tool::Qualtrics).unwrap_err().to_string();
        assert!(err.contains("e.csv: the file is empty"), "{err}");
    }
}
