//! Survey tools' exports read through mappings, and the messages an analyst meets on the way
//! (issue 21): the shipped presets, the mapping template, detection, mapping errors, quarters.

use super::{tool_fixture, TestDir};

/// Issue 21: `fedcx ingest qualtrics-export.csv --mapping qualtrics` booked every response to
/// State's passport renewal on the website, exit 0, whatever agency's export it was. Each shipped
/// mapping now names no service or channel, and ingesting without them is refused, saying how.
#[test]
fn a_shipped_mapping_books_nothing_without_service_and_channel() {
    let t = TestDir::new();
    let q = tool_fixture("qualtrics-3row.csv");
    // The exact command of the issue.
    let err = t.fails(&["ingest", &q, "--mapping", "qualtrics"]);
    assert!(
        err.contains(
            "the mapping qualtrics names no service_id and no channel: give --service ID and --channel CHANNEL"
        ),
        "{err}"
    );
    assert!(err.contains("fedcx hisps --services") && err.contains("website, mobile_app"), "{err}");
    assert!(!t.path("fedcx.db").exists(), "nothing was stored");
    for preset in ["qualtrics-v2", "surveymonkey", "medallia", "medallia-v1"] {
        let err = t.fails(&["ingest", &q, "--format", "csv", "--mapping", preset, "--no-store"]);
        assert!(err.contains(&format!("the mapping {preset} names no service_id and no channel")), "{preset}: {err}");
    }
    // One of the two given: the other is still asked for.
    let err = t.fails(&["ingest", &q, "--mapping", "qualtrics", "--channel", "phone", "--no-store"]);
    assert!(err.contains("names no service_id: give --service ID (every row"), "{err}");

    // Given, the rows are booked to the service and channel named, nowhere else.
    t.ok(&["ingest", &q, "--mapping", "qualtrics", "--service", "ssa-retirement-benefits", "--channel", "phone"]);
    t.ok(&["export", "--out", "e.csv"]);
    let export = std::fs::read_to_string(t.path("e.csv")).unwrap();
    assert!(export.lines().skip(1).all(|l| l.starts_with("ssa-retirement-benefits,phone,FY2024Q2,")), "{export}");
    assert!(!export.contains("passport"), "{export}");
}

/// --service is checked against the registry, --channel against the channels, and neither may
/// contradict a mapping that reads the field from a column.
#[test]
fn service_and_channel_on_the_command_line_are_checked() {
    let t = TestDir::new();
    let q = tool_fixture("qualtrics-3row.csv");
    let run = |extra: &[&str]| t.fails(&[&["ingest", &q, "--mapping", "qualtrics", "--no-store"][..], extra].concat());
    let err = run(&["--service", "dos-passport", "--channel", "website"]);
    assert!(err.contains("--service \"dos-passport\": no such service in the registry"), "{err}");
    let err = run(&["--service", "ssa-retirement-benefits", "--channel", "web"]);
    assert!(err.contains("\"web\" is not a channel (expected one of: computer, mobile"), "{err}");
    let err = t.fails(&["ingest", &q, "--service", "ssa-retirement-benefits", "--no-store"]);
    assert!(err.contains("--mapping"), "--service goes with --mapping: {err}");
    let data = super::fixture("qualtrics-v2.csv");
    let mapping = super::fixture("qualtrics-v2.toml");
    let err = t.fails(&[
        "ingest",
        data.to_str().unwrap(),
        "--format",
        "csv",
        "--mapping",
        mapping.to_str().unwrap(),
        "--service",
        "ssa-retirement-benefits",
        "--no-store",
    ]);
    assert!(err.contains("reads service_id from the column \"Service\"; give one or the other"), "{err}");
}

/// Issue 21: checkbox columns named by ImportId in the split form the new export format writes,
/// `{"ImportId":"QID2","choiceId":"1"}`, were all missing. qualtrics-choiceid.source.md has the
/// hand-computed numbers.
#[test]
fn checkbox_columns_are_named_by_import_id_and_choice_id() {
    let t = TestDir::new();
    let out = t.ok(&[
        "ingest",
        "--strict",
        &tool_fixture("qualtrics-choiceid.csv"),
        "--mapping",
        &tool_fixture("qualtrics-choiceid.toml"),
    ]);
    assert!(out.contains("qualtrics-choiceid.csv (csv): 4 read, 4 accepted, 0 rejected, 0 duplicates"), "{out}");
    let c = super::exported(&t, "dos-ca-passport-renewal,website,FY2024Q2");
    assert_eq!(c[&("respondents".into(), "v2".into())], 4);
    for (item, want) in [
        ("positive_effectiveness", (1, 2)),
        ("positive_ease", (1, 2)),
        ("positive_employee", (1, 2)),
        ("positive_efficiency", (0, 2)),
        ("positive_other", (0, 2)),
        ("negative_ease", (1, 2)),
        ("negative_other", (1, 2)),
        ("negative_effectiveness", (0, 2)),
    ] {
        assert_eq!(super::share(&c, item), want, "{item}");
    }
    // The question's ImportId alone names no column: refused, not read from the first choice's.
    let text = std::fs::read_to_string(tool_fixture("qualtrics-choiceid.toml")).unwrap();
    let mapping = t.write("bare.toml", text.replace("\"QID2_2\"", "\"QID2\"").as_bytes());
    let err = t.fails(&[
        "ingest",
        &tool_fixture("qualtrics-choiceid.csv"),
        "--mapping",
        mapping.to_str().unwrap(),
        "--no-store",
    ]);
    assert!(err.contains("the header lacks required column(s) QID2 for format csv"), "{err}");
}

/// Issue 21: `fedcx template mapping --tool qualtrics FILE` did not exist. It writes a mapping
/// from the export's header: every column under a comment with its question text (row 2) and
/// ImportId (row 3); filled in with a service and channel, it reads the export as the shipped
/// mapping does.
#[test]
fn template_mapping_writes_a_mapping_from_the_exports_header() {
    let t = TestDir::new();
    let q = tool_fixture("qualtrics-choiceid.csv");
    let out = t.ok(&["template", "mapping", "--tool", "qualtrics", &q]);
    assert!(out.contains("(27 columns, 16 field(s) guessed from the A-11 wording: check them) written to qualtrics-choiceid.mapping.toml"), "{out}");
    let text = std::fs::read_to_string(t.path("qualtrics-choiceid.mapping.toml")).unwrap();
    assert_eq!(text.matches("\n# column ").count(), 27, "{text}");
    assert!(text.contains("# column 12: Q5 (\"Based on my experience today, I trust the agency to deliver on its mission.\"; ImportId QID1)\nquestion_1 = \"Q5\""), "{text}");
    assert!(
        text.contains(
            "# column 26: Q7_9 (\"What didn't go so well? - Other\"; ImportId QID3_9)\nnegative_other = \"Q7_9\""
        ),
        "{text}"
    );
    assert!(
        text.contains("# column 4: IPAddress (\"IP Address\"; ImportId ipAddress): personal data, not read\n"),
        "{text}"
    );
    // A second run does not overwrite the file being filled in.
    let err = t.fails(&["template", "mapping", "--tool", "qualtrics", &q]);
    assert!(err.contains("qualtrics-choiceid.mapping.toml exists: pass --out"), "{err}");
    // As written, the mapping names no service or channel; given them, it reads what the
    // ImportId mapping of the fixture reads.
    let err = t.fails(&["ingest", &q, "--mapping", "qualtrics-choiceid.mapping.toml"]);
    assert!(err.contains("names no service_id and no channel"), "{err}");
    t.ok(&[
        "ingest",
        &q,
        "--mapping",
        "qualtrics-choiceid.mapping.toml",
        "--service",
        "dos-ca-passport-renewal",
        "--channel",
        "website",
        "--strict",
    ]);
    let by_template = super::exported(&t, "dos-ca-passport-renewal,website,FY2024Q2");
    let other = TestDir::new();
    other.ok(&["ingest", &q, "--mapping", &tool_fixture("qualtrics-choiceid.toml")]);
    assert_eq!(by_template, super::exported(&other, "dos-ca-passport-renewal,website,FY2024Q2"));
    let help = t.ok(&["template", "--help"]);
    assert!(help.contains("mapping") && help.contains("from the export's own header"), "{help}");
}

/// Issue 21: `fedcx ingest` of a Qualtrics export without a mapping said only that the format
/// could not be told, and listed formats none of which reads it. The error names the tool and
/// gives the commands that do.
#[test]
fn an_undetected_tool_export_is_named_with_the_command() {
    let t = TestDir::new();
    let q = tool_fixture("qualtrics-3row.csv");
    let err = t.fails(&["ingest", &q]);
    assert!(
        err.contains("it is a Qualtrics export (its header has StartDate, EndDate, Status, Finished, ResponseId)"),
        "{err}"
    );
    assert!(err.contains(&format!("`fedcx ingest {q} --mapping qualtrics --service ID --channel CHANNEL`")), "{err}");
    assert!(err.contains(&format!("`fedcx template mapping --tool qualtrics {q}`")), "{err}");
    let sm = tool_fixture("surveymonkey.csv");
    let err = t.fails(&["ingest", &sm, "--no-store"]);
    assert!(err.contains("it is a SurveyMonkey export") && err.contains("--mapping surveymonkey"), "{err}");
    // Given as the error says (with a service and channel), it is read.
    t.ok(&["ingest", &q, "--mapping", "qualtrics", "--service", "dos-ca-passport-renewal", "--channel", "website"]);
}

/// Issue 21: a mapping's problems were printed on one line with `\n` between them, a wrong
/// channel did not say which are valid, problems of several keys took several runs to see (the
/// first TOML error hid the rest), and a missing file's OS error was printed twice.
#[test]
fn mapping_errors_are_listed_at_once_one_a_line() {
    let t = TestDir::new();
    let q = tool_fixture("qualtrics-3row.csv");
    let mapping = t.write(
        "bad.toml",
        b"tool = 'qualtrix'\nbogus = 1\n[columns]\nquestion_1 = 'Q1'\nfoo = 'x'\nq2 = 5\n[channels]\nWeb = 'web'\n\
          [constants]\nchannel = 'web'\nsurvey_version = 'v3'\n[labels]\nKinda = 'maybe'\n[indicators]\nblank = 'maybe'\n",
    );
    let err = t.fails(&["ingest", &q, "--mapping", mapping.to_str().unwrap(), "--no-store"]);
    assert!(!err.contains("\\n"), "real line breaks: {err}");
    let lines: Vec<&str> = err.lines().collect();
    assert!(lines[0].ends_with("bad.toml: 9 problem(s):"), "{err}");
    assert_eq!(lines.len(), 10, "one problem a line: {err}");
    for (line, part) in lines[1..].iter().zip([
        "unknown key \"bogus\" (a mapping has: tool, indicators, columns",
        "[columns] \"q2\" must be a string, not integer",
        "[indicators]: unknown variant `maybe`, expected `not_offered` or `not_selected`",
        "[labels] \"Kinda\" = \"maybe\": expected a number",
        "tool: unknown variant `qualtrix`, expected one of `qualtrics`, `surveymonkey`, `medallia`",
        "[columns] names unknown field \"foo\"",
        "[channels] \"Web\" maps to \"web\", which is not a channel (expected one of: computer, mobile,",
        "[constants] channel: \"web\" is not a channel (expected one of: computer, mobile,",
        "[constants] survey_version: \"v3\" is not a survey version (expected v1 or v2)",
    ]) {
        assert!(line.starts_with("  - ") && line.contains(part), "{part}: {err}");
    }
    // A syntax error is one line, with where it is.
    let syntax = t.write("syntax.toml", b"tool = 'qualtrics'\n[columns\nq = 'x'\n");
    let err = t.fails(&["ingest", &q, "--mapping", syntax.to_str().unwrap(), "--no-store"]);
    assert!(err.contains("syntax.toml: 1 problem(s):\n  - line 2, column 9: invalid table header"), "{err}");
    // A missing file's OS error, once.
    let err = t.fails(&["ingest", "missing.csv", "--no-store"]);
    assert_eq!(err.trim_end(), "error: missing.csv: No such file or directory (os error 2)");
    let err = t.fails(&["--registry", "nope.toml", "hisps"]);
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
}

/// Issue 21: `--quarter 2026Q4` was read as FY2026 Q4 (July to September 2026) without a word,
/// though an analyst may mean the calendar quarter (FY2027 Q1). Without `FY` it is refused, with
/// both readings; with `FY` it is read.
#[test]
fn a_quarter_without_fy_is_refused_with_both_readings() {
    let t = TestDir::new();
    let hint = "\"2026Q4\" names no fiscal year: did you mean FY2026 Q4 (2026-07 to 2026-09) or FY2027 Q1 \
                (calendar 2026 Q4, 2026-10 to 2026-12)? fedcx reads fiscal quarters: write --quarter FY2026Q4 or \
                --quarter FY2027Q1";
    for args in [
        &["report", "--quarter", "2026Q4"][..],
        &["report", "--fy", "2026", "--quarter", "2026Q4"],
        &["template", "details", "--quarter", "2026Q4", "--out", "-"],
        &["provenance", "--service", "dos-ca-passport-renewal", "--quarter", "2026Q4"],
    ] {
        let err = t.fails(args);
        assert!(err.contains(hint), "{args:?}: {err}");
    }
    let err = t.fails(&["template", "details", "--quarter", "2025 q1", "--out", "-"]);
    assert!(err.contains("did you mean FY2025 Q1 (2024-10 to 2024-12) or FY2025 Q2 (calendar 2025 Q1"), "{err}");
    for quarter in ["FY2026Q4", "FY2026 Q4", "fy2026-q4"] {
        let out = t.ok(&["template", "details", "--quarter", quarter, "--out", "-"]);
        assert!(out.contains(",2026,4,CX Quarterly Reporting,"), "{quarter}: {out}");
    }
}

/// Issue 21: `report --help` said the bundled demo data is used when no file is given; it never
/// is. Without files the report reads the store, and without a store it fails, saying how to get
/// data in.
#[test]
fn report_help_says_what_a_report_without_files_reads() {
    let t = TestDir::new();
    let help = t.ok(&["report", "--help"]);
    assert!(!help.contains("the bundled demo data is used"), "{help}");
    assert!(help.contains("With neither files nor --data, the report is made from the history store"), "{help}");
    assert!(help.contains("nothing is made from the bundled demo data, which only `fedcx demo` uses"), "{help}");
    // As it says: no files and no store is an error, and nothing is written.
    let err = t.fails(&["report", "--quarter", "FY2024Q2", "--out", "out"]);
    assert!(err.contains("no data: no files were given and there is no store at fedcx.db"), "{err}");
    assert!(!t.path("out").exists() && !t.path("fedcx.db").exists());
    // Files given are read for the report and not stored; without files, the store is read.
    let (details, upload) = (super::tp("v2/details.csv"), super::tp("v2/5102.csv"));
    t.ok(&["report", "--quarter", "FY2024Q2", "--out", "out", &details, &upload]);
    assert!(!t.path("fedcx.db").exists(), "a report's files are not stored");
    t.ok(&["ingest", &details, &upload]);
    let out = t.ok(&["report", "--quarter", "FY2024Q2", "--out", "out2"]);
    assert!(out.contains("reading counts from the store fedcx.db"), "{out}");
}

/// Issue 21: a partial Qualtrics response without the trust answer (Finished = False, Q1 blank),
/// which every real export holds, was rejected as `unfinished`, so `--strict` failed on a normal
/// export. It is excluded, as a preview is: counted apart, not a reject.
#[test]
fn a_partial_response_without_trust_is_excluded_so_strict_passes() {
    let t = TestDir::new();
    let out = t.ok(&[
        "ingest",
        "--strict",
        &tool_fixture("qualtrics-3row.csv"),
        "--mapping",
        "qualtrics",
        "--service",
        "dos-ca-passport-renewal",
        "--channel",
        "website",
        "--summary",
        "s.json",
    ]);
    assert!(out.contains("10 read, 7 accepted, 0 rejected, 0 duplicates, 3 excluded"), "{out}");
    let s = super::json(&t.path("s.json"));
    assert_eq!(s["excluded_by_reason"]["unfinished_response"].as_u64(), Some(1), "{s}");
    assert_eq!(s["rejected"].as_u64(), Some(0), "{s}");
}

/// Issue 21: on a 5-point survey with display logic, every negative box ranked first at about -2,
/// its "not selected" group averaging about 4.1: the 4-5 answers, never shown those boxes, were
/// counted as offered them. tests/fixtures/drivers/display-logic.source.md has the hand-computed
/// values; the indicator shares count the same offered set.
#[test]
fn drivers_of_trust_count_only_the_follow_up_the_trust_answer_showed() {
    let t = TestDir::new();
    let file = super::fixture("drivers/display-logic.csv");
    t.ok(&[
        "report",
        "--quarter",
        "FY2024Q2",
        "--out",
        "r",
        "--min-responses",
        "2",
        "--bootstrap",
        "0",
        file.to_str().unwrap(),
    ]);
    let report = super::json(&t.path("r/FY2024Q2/report.json"));
    let drivers = report["drivers"].as_array().unwrap();
    assert_eq!(drivers.len(), 2, "{drivers:?}");
    let get = |polarity: &str| drivers.iter().find(|d| d["polarity"] == polarity && d["indicator"] == "ease").unwrap();
    let close = |v: &serde_json::Value, want: f64| (v.as_f64().unwrap() - want).abs() < 1e-12;
    let neg = get("negative");
    assert_eq!((neg["selected"][0].as_u64(), neg["not_selected"][0].as_u64()), (Some(2), Some(3)), "{neg}");
    assert!(close(&neg["selected"][1], 1.5) && close(&neg["not_selected"][1], 8.0 / 3.0), "{neg}");
    assert!(close(&neg["difference"], -7.0 / 6.0), "{neg}");
    let pos = get("positive");
    assert_eq!((pos["selected"][0].as_u64(), pos["not_selected"][0].as_u64()), (Some(3), Some(3)), "{pos}");
    assert!(close(&pos["selected"][1], 14.0 / 3.0) && close(&pos["not_selected"][1], 13.0 / 3.0), "{pos}");
    assert!(close(&pos["difference"], 1.0 / 3.0), "{pos}");
    // The drivers now count the offered set the shares always counted: each box offered to its
    // own side of the trust answer only, 6 and 5, not 11.
    t.ok(&["ingest", file.to_str().unwrap()]);
    t.ok(&["export", "--out", "e.csv"]);
    let export = std::fs::read_to_string(t.path("e.csv")).unwrap();
    for (item, offered) in [("positive_ease", 6), ("negative_ease", 5), ("negative_other", 5)] {
        let row = format!("treasury-irs-file-return,website,FY2024Q2,{item},offered,{offered}");
        assert!(export.lines().any(|l| l == row), "{row}: {export}");
    }
}
