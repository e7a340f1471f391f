//! The quarter's outputs on a small fixed data set: golden files for the records and the Markdown,
//! the HTML's self-containment and accessibility, suppression in every format, CSV-injection and
//! markup safety, determinism and atomic replacement. Set UPDATE_GOLDEN=1 to rewrite the golden files
//! after an intended change, then review the diff.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::DateTime;
use fedcx_a11::{render_quarter, write_quarter, A11Error, IndexSummary, ReportInput};
use fedcx_index::scores::ScoreConfig;
use fedcx_model::survey::INDICATOR_COUNT;
use fedcx_model::{
    Answers, Channel, CollectionDetail, IndicatorState, Registry, ResponseCounts, ResponseId, ServiceId,
    SurveyResponse, TransactionPoint, TrustAnswer, TrustScale, V2Answers,
};

struct Fixture {
    registry: Registry,
    counts: ResponseCounts,
    details: Vec<CollectionDetail>,
    responses: Vec<SurveyResponse>,
    traffic: BTreeMap<(String, fedcx_model::Month), u64>,
    index: IndexSummary,
    balanced: fedcx_model::balanced::BalancedInputs,
    classification: fedcx_model::ChannelClassification,
}

fn response(
    id: usize,
    service: &str,
    channel: Channel,
    date: &str,
    trust: TrustAnswer,
    comment: Option<&str>,
) -> SurveyResponse {
    let mut pos = [IndicatorState::NotOffered; INDICATOR_COUNT];
    let mut neg = [IndicatorState::NotOffered; INDICATOR_COUNT];
    for i in 0..3 {
        pos[i] = IndicatorState::NotSelected;
        neg[i] = IndicatorState::NotSelected;
    }
    let shown = if trust.agrees() { &mut pos } else { &mut neg };
    shown[id % 3] = IndicatorState::Selected;
    SurveyResponse {
        id: ResponseId::new(&format!("{service}-{id}")).unwrap(),
        service: ServiceId::new(service).unwrap(),
        channel,
        transaction_point: TransactionPoint::PostInteraction,
        submitted_at: DateTime::parse_from_rfc3339(&format!("{date}T12:00:00-05:00")).unwrap(),
        answers: Answers::V2(V2Answers::new(trust, pos, neg).unwrap()),
        comment: comment.map(str::to_owned),
        detail: None,
        id_generated: false,
    }
}

/// IRS website: 40 responses a quarter (trust falls from 30/40 to 20/40); IRS phone: 12, 7 agreeing (suppressed);
/// Passport Services website: 10, 9 agreeing (suppressed); SSA in person: 35 on the 5-point scale, with a
/// comment that tries spreadsheet and markup injection.
fn fixture() -> Fixture {
    let registry = Registry::bundled();
    let mut responses = Vec::new();
    let mut id = 0;
    for (date, agree_irs) in [("2025-01-10", 20), ("2024-11-10", 30)] {
        for i in 0..40 {
            id += 1;
            responses.push(response(
                id,
                "treasury-irs-file-return",
                Channel::Website,
                date,
                TrustAnswer::ThumbsUpDown(i < agree_irs),
                None,
            ));
        }
        for i in 0..12 {
            id += 1;
            responses.push(response(
                id,
                "treasury-irs-file-return",
                Channel::Phone,
                date,
                TrustAnswer::ThumbsUpDown(i < 7),
                None,
            ));
        }
    }
    for i in 0..10 {
        id += 1;
        responses.push(response(
            id,
            "dos-ca-passport-renewal",
            Channel::Website,
            "2025-03-01",
            TrustAnswer::ThumbsUpDown(i < 9),
            None,
        ));
    }
    for i in 0..35u8 {
        id += 1;
        let trust = TrustAnswer::from_value(TrustScale::LikertScale, i64::from(i % 5 + 1)).unwrap();
        let comment = (i == 0).then_some("=HYPERLINK(\"http://evil\") <script>alert(1)</script>");
        responses.push(response(id, "ssa-replacement-card", Channel::InPerson, "2025-02-01", trust, comment));
    }
    let mut counts = ResponseCounts::default();
    for r in &responses {
        counts.add_response(r).unwrap();
    }
    let detail = |id: &str, service: &str, channel, quarter: &str, n, scale| CollectionDetail {
        id: fedcx_model::DetailId::new(id).unwrap(),
        service: ServiceId::new(service).unwrap(),
        quarter: quarter.parse().unwrap(),
        transaction_point: TransactionPoint::PostInteraction,
        channel,
        service_stage: None,
        volume_of_customers: Some(10_000),
        volume_of_customers_provided_survey_opportunity: Some(1_000),
        volume_of_respondents: Some(n),
        omb_control_number: "1545-0074".into(),
        federal_register_url: String::new(),
        survey_type: Some(scale),
        survey_title: "IRS feedback".into(),
        trust_question_text: "I trust the IRS to deliver on its mission.".into(),
        touchpoints: Default::default(),
    };
    let details = vec![
        detail("101", "treasury-irs-file-return", Channel::Website, "FY2025 Q2", 40, TrustScale::ThumbsUpDown),
        detail("102", "treasury-irs-file-return", Channel::Phone, "FY2025 Q2", 12, TrustScale::ThumbsUpDown),
        detail("201", "ssa-replacement-card", Channel::InPerson, "FY2025 Q2", 35, TrustScale::LikertScale),
        detail("301", "dos-ca-passport-renewal", Channel::Website, "FY2025 Q2", 10, TrustScale::ThumbsUpDown),
        detail("91", "treasury-irs-file-return", Channel::Website, "FY2025 Q1", 40, TrustScale::ThumbsUpDown),
        detail("92", "treasury-irs-file-return", Channel::Phone, "FY2025 Q1", 12, TrustScale::ThumbsUpDown),
    ];
    let traffic = BTreeMap::from([
        (("irs.gov".to_owned(), "2025-01".parse().unwrap()), 1_000_000),
        (("irs.gov".to_owned(), "2025-02".parse().unwrap()), 1_500_000),
    ]);
    let index =
        IndexSummary { label: "test index".into(), value: 70.25, interval: Some((68.0, 72.5)), respondents: 500 };
    Fixture {
        registry,
        counts,
        details,
        responses,
        traffic,
        index,
        balanced: Default::default(),
        classification: fedcx_model::ChannelClassification::fedcx(),
    }
}

fn input<'a>(f: &'a Fixture, details: &'a [CollectionDetail]) -> ReportInput<'a> {
    ReportInput {
        registry: &f.registry,
        counts: &f.counts,
        details,
        responses: &f.responses,
        benchmarks: &[],
        published: &[],
        web_traffic: &f.traffic,
        index: Some(&f.index),
        quarter: "FY2025 Q2".parse().unwrap(),
        scores: ScoreConfig::default(),
        reflection: None,
        strict: false,
        demo: false,
        scope: None,
        balanced: &f.balanced,
        classification: &f.classification,
    }
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Compares an output with its golden file (or rewrites it under UPDATE_GOLDEN=1).
fn check_golden(name: &str, actual: &[u8]) {
    let path = golden_dir().join(name.replace('/', "__"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected =
        std::fs::read(&path).unwrap_or_else(|_| panic!("no golden file {}; run with UPDATE_GOLDEN=1", path.display()));
    if expected != actual {
        panic!(
            "{name} differs from {}:\n--- expected\n{}\n--- actual\n{}",
            path.display(),
            String::from_utf8_lossy(&expected),
            String::from_utf8_lossy(actual)
        );
    }
}

#[test]
fn records_and_markdown_match_the_golden_files() {
    let f = fixture();
    let out = render_quarter(&input(&f, &f.details)).unwrap();
    let names: Vec<&str> = out.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "cx_collection_details.csv",
            "cx_collection_details.json",
            "cx_collections.csv",
            "cx_collections.json",
            "report.html",
            "report.json",
            "report.md",
            "report.xlsx",
            "responses/101.csv",
            "responses/102.csv",
            "responses/201.csv",
            "responses/301.csv",
        ]
    );
    for name in [
        "cx_collections.csv",
        "cx_collections.json",
        "cx_collection_details.csv",
        "cx_collection_details.json",
        "responses/101.csv",
        "responses/201.csv",
        "report.md",
    ] {
        check_golden(name, &out[name]);
    }
}

#[test]
fn headers_are_touchpoints_exactly() {
    let f = fixture();
    let out = render_quarter(&input(&f, &f.details)).unwrap();
    let first_line = |name: &str| String::from_utf8_lossy(&out[name]).lines().next().unwrap().to_owned();
    assert_eq!(first_line("responses/101.csv"), fedcx_model::records::RESPONSE_UPLOAD_COLUMNS.join(","));
    assert_eq!(first_line("cx_collection_details.csv"), fedcx_model::records::DETAIL_EXPORT_COLUMNS.join(","));
    assert_eq!(first_line("cx_collections.csv"), fedcx_a11::records::COLLECTION_COLUMNS.join(","));
}

/// Touchpoints stores the 17-column upload verbatim, so the respondent's words go back as given;
/// the files meant for people (records CSV, report) neutralise formulas and escape markup.
#[test]
fn uploads_keep_the_comment_as_given_and_files_for_people_neutralise_it() {
    let f = fixture();
    let out = render_quarter(&input(&f, &f.details)).unwrap();
    let upload = String::from_utf8_lossy(&out["responses/201.csv"]).into_owned();
    assert!(upload.contains(",\"=HYPERLINK(\"\"http://evil\"\") <script>alert(1)</script>\""), "{upload}");
    let table = fedcx_a11::records::Table {
        name: "t".into(),
        columns: vec!["question_4"],
        rows: vec![vec!["=HYPERLINK(\"http://evil\")".into()]],
    };
    let mut people = Vec::new();
    fedcx_a11::records::write_csv(&table, &mut people).unwrap();
    assert_eq!(String::from_utf8(people).unwrap(), "question_4\n\"'=HYPERLINK(\"\"http://evil\"\")\"\n");
    let html = String::from_utf8(out["report.html"].clone()).unwrap();
    assert!(!html.contains("<script>alert(1)"), "markup never reaches the HTML report");
}

#[test]
fn html_is_self_contained_and_accessible() {
    let f = fixture();
    let out = render_quarter(&input(&f, &f.details)).unwrap();
    let html = String::from_utf8(out["report.html"].clone()).unwrap();
    let doc = scraper::Html::parse_document(&html);
    assert!(doc.errors.is_empty(), "HTML parse errors: {:?}", doc.errors);
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    for forbidden in ["script", "link", "img", "iframe", "object", "embed"] {
        assert_eq!(doc.select(&sel(forbidden)).count(), 0, "<{forbidden}> found");
    }
    for el in doc.select(&sel("*")) {
        for (name, value) in el.value().attrs() {
            if ["src", "href", "xlink:href", "action"].contains(&name) {
                assert!(value.starts_with('#'), "<{}> {name}={value:?} points outside the file", el.value().name());
            }
        }
    }
    assert!(!html.contains("url("), "CSS must not load anything");
    let svgs: Vec<_> = doc.select(&sel("svg")).collect();
    assert!(svgs.len() >= 4, "expected the trend, channel, index and HISP charts");
    for svg in svgs {
        assert_eq!(svg.value().attr("role"), Some("img"));
        assert!(svg.value().attr("aria-label").is_some_and(|a| !a.is_empty()));
    }
    assert!(html.contains("&lt;script&gt;") || !html.contains("<script>alert"), "data text must be escaped");
    assert_eq!(doc.select(&sel("html[lang=en]")).count(), 1);
}

#[test]
fn suppression_rule_holds_in_every_format() {
    let f = fixture();
    let out = render_quarter(&input(&f, &f.details)).unwrap();
    let md = String::from_utf8_lossy(&out["report.md"]).into_owned();
    let html = String::from_utf8_lossy(&out["report.html"]).into_owned();
    // IRS phone has 12 responses, 7 agreeing (58.3%): that share must not appear, only the notice.
    let phone_share = "58.3%";
    assert!(md.contains("suppressed (n < 30)") && html.contains("suppressed (n &lt; 30)"));
    assert!(!md.contains(phone_share) && !html.contains(phone_share), "the 7/12 phone share leaked");
    // Passport Services has 10 responses, 9 agreeing (90.0%): the chart shows the notice, not a bar.
    assert!(!md.contains("90.0%") && !html.contains("90.0%"), "the 9/10 passport share leaked");
    let svg_notices = html.matches("suppressed (n &lt; 30)\n</text>").count();
    assert!(svg_notices >= 1, "the HISP chart shows no suppression notice");
    let report: serde_json::Value = serde_json::from_slice(&out["report.json"]).unwrap();
    let ssa = report["providers"].as_array().unwrap().iter().find(|p| p["slug"] == "ssa").unwrap();
    assert_eq!(ssa["scores"]["suppressed"], false);
    let cbp = report["providers"].as_array().unwrap().iter().find(|p| p["slug"] == "dhs-cbp").unwrap();
    assert_eq!(cbp["scores"]["suppressed"], true);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.xlsx");
    std::fs::write(&path, &out["report.xlsx"]).unwrap();
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
    use calamine::DataType;
    // A suppressed share is empty numeric cells and the reason in the status column; a shown
    // share is a number (a fraction, formatted as a percentage), never text.
    let services = wb.worksheet_range("Services").unwrap();
    let (mut saw_notice, mut saw_share) = (false, false);
    for row in services.rows().skip(1) {
        let service = row.get(1).map(|c| c.to_string()).unwrap_or_default();
        let n = row.get(3).and_then(|c| c.get_float()).unwrap_or(-1.0);
        let trust = row.get(4).unwrap();
        let status = row.get(7).map(|c| c.to_string()).unwrap_or_default();
        if (0.0..30.0).contains(&n) && n > 0.0 {
            assert!(trust.is_empty(), "{service}: {trust:?}");
            assert_eq!(status, "suppressed (n < 30)", "{service}");
            saw_notice = true;
        } else if n >= 30.0 {
            let v = trust.get_float().unwrap_or_else(|| panic!("{service}: {trust:?} is not a number"));
            assert!((0.0..=1.0).contains(&v), "{service}: {v}");
            assert_eq!(status, "");
            saw_share = true;
        }
    }
    assert!(saw_notice && saw_share);
    let hisps = wb.worksheet_range("HISPs").unwrap();
    for row in hisps.rows().skip(1) {
        let n = row.get(2).and_then(|c| c.get_float()).unwrap_or(0.0);
        if n < 30.0 && n > 0.0 {
            assert!(row.get(3).unwrap().is_empty());
            assert_eq!(row.get(6).map(|c| c.to_string()).unwrap_or_default(), "suppressed (n < 30)");
        }
    }
    // Volumes in the records sheets are numbers; control numbers stay text.
    let details = wb.worksheet_range("cx_collection_details").unwrap();
    let header: Vec<String> = details.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let first = details.rows().nth(1).unwrap();
    assert_eq!(first[col("volume_of_customers")].get_float(), Some(10_000.0));
    assert_eq!(first[col("omb_control_number")].get_string(), Some("1545-0074"));
}

#[test]
fn the_same_inputs_give_byte_identical_outputs() {
    let f = fixture();
    let a = render_quarter(&input(&f, &f.details)).unwrap();
    let b = render_quarter(&input(&f, &f.details)).unwrap();
    assert_eq!(a, b);
}

#[test]
fn invalid_records_list_every_problem_and_leave_the_old_report() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let written = write_quarter(dir.path(), &input(&f, &f.details)).unwrap();
    let before = std::fs::read(written.join("report.md")).unwrap();
    let mut bad = f.details.clone();
    bad[1].volume_of_customers_provided_survey_opportunity = Some(20_000); // more than served
    bad[2].omb_control_number = "15450074".into();
    let strict = ReportInput { strict: true, ..input(&f, &bad) };
    let err = write_quarter(dir.path(), &strict).unwrap_err();
    let A11Error::Invalid { problems, .. } = &err else { panic!("{err}") };
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(problems
        .iter()
        .any(|p| p.contains("20000 customers offered the survey is more than the 10000 customers served")));
    assert!(problems.iter().any(|p| p.contains("\"15450074\" is not of the form 0000-0000")));
    assert_eq!(std::fs::read(written.join("report.md")).unwrap(), before, "the old report must survive a failed run");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers, [std::ffi::OsString::from("FY2025Q2")], "no temporary directories are left");
}

/// Touchpoints computes a detail's volume_of_respondents as the number of its uploaded responses,
/// so a disagreement is reported, by detail id, and the record says what was counted.
#[test]
fn respondents_that_do_not_reconcile_are_named_and_the_records_say_what_was_counted() {
    let f = fixture();
    let mut details = f.details.clone();
    details[0].volume_of_respondents = Some(41); // counted: 40
    details.retain(|d| d.id.as_str() != "201"); // SSA's 35 responses now have no detail
    let out = render_quarter(&input(&f, &details)).unwrap();
    let text = String::from_utf8(out["report.md"].clone()).unwrap();
    assert!(text.contains("### What the records could not reconcile"), "{text}");
    let json: serde_json::Value = serde_json::from_slice(&out["report.json"]).unwrap();
    let notes: Vec<&str> = json["record_notes"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
    assert_eq!(notes.len(), 2, "{notes:#?}");
    assert_eq!(
        notes[0],
        "collection detail 101 (treasury-irs-file-return / website): declares 41 respondents in FY2025 Q2 but 40 \
         responses were counted; its record says 40"
    );
    assert!(
        notes[1].starts_with("ssa-replacement-card / in_person has 35 responses in FY2025 Q2 but no collection detail")
    );
    let records = String::from_utf8(out["cx_collection_details.csv"].clone()).unwrap();
    let row = records.lines().find(|l| l.starts_with("101,")).unwrap();
    let cells: Vec<&str> = row.split(',').collect();
    assert_eq!(cells[21], "40", "{row}");
}

/// One group's invalid data never blocks the others: its records are withheld and listed in
/// problems.csv, everything else (and the whole human report) is written.
#[test]
fn an_invalid_group_is_withheld_and_the_rest_is_written() {
    let f = fixture();
    let mut bad = f.details.clone();
    bad[1].volume_of_customers_provided_survey_opportunity = Some(20_000); // IRS phone: more than served
    let out = render_quarter(&input(&f, &bad)).unwrap();
    let problems = String::from_utf8(out["problems.csv"].clone()).unwrap();
    assert_eq!(problems.lines().count(), 2, "{problems}");
    assert!(
        problems.starts_with(
            "provider,service,channel,kind,detail\ntreasury-irs,treasury-irs-file-return,phone,offered_exceed_served,"
        ),
        "{problems}"
    );
    let details = String::from_utf8(out["cx_collection_details.csv"].clone()).unwrap();
    let ids: Vec<&str> = details.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(ids, ["301", "201", "101"], "IRS phone (102) withheld, the rest written");
    assert!(!out.contains_key("responses/102.csv") && out.contains_key("responses/101.csv"));
    let md = String::from_utf8(out["report.md"].clone()).unwrap();
    assert!(md.contains("were withheld from the A-11 records for 1 problem"), "{md}");
    let json: serde_json::Value = serde_json::from_slice(&out["report.json"]).unwrap();
    assert_eq!(json["withheld"][0]["kind"], "offered_exceed_served");
    // Without any detail the report still comes out, marked.
    let none = render_quarter(&input(&f, &[])).unwrap();
    let md = String::from_utf8(none["report.md"].clone()).unwrap();
    assert!(md.contains("Volumes not provided: no collection detail covers FY2025 Q2"), "{md}");
}

/// Demo outputs say so in every format, and the workbook opens on the notice.
#[test]
fn demo_outputs_say_they_are_demo_data() {
    let f = fixture();
    let out = render_quarter(&ReportInput { demo: true, ..input(&f, &f.details) }).unwrap();
    assert!(String::from_utf8_lossy(&out["README.txt"]).starts_with("DEMO DATA"));
    let json: serde_json::Value = serde_json::from_slice(&out["report.json"]).unwrap();
    assert_eq!(json["demo"], true);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.xlsx");
    std::fs::write(&path, &out["report.xlsx"]).unwrap();
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
    assert_eq!(wb.sheet_names()[0], "Note");
    let note = wb.worksheet_range("Note").unwrap();
    assert!(note.get((0, 0)).unwrap().to_string().starts_with("DEMO DATA"));
    let real = render_quarter(&input(&f, &f.details)).unwrap();
    assert!(!real.contains_key("README.txt"));
    assert!(!String::from_utf8_lossy(&real["report.md"]).contains("DEMO DATA"));
}

#[test]
fn a_long_reflection_is_refused() {
    let f = fixture();
    let long = "x".repeat(5001);
    let mut inp = input(&f, &f.details);
    inp.reflection = Some(&long);
    let err = render_quarter(&inp).unwrap_err().to_string();
    assert!(err.contains("the reflection text has 5001 characters; A-11 allows at most 5000"), "{err}");
}

/// Adds `unit` to `c` with the items of each EEI subindex at one percent positive and the GSI items
/// at another: each item gets weight `pct` on answer 5 and `100 - pct` on answer 1, so its percent
/// positive is exactly `pct` (OPM: weighted share answering 4 or 5 among those answering 1-5).
fn fevs_unit(c: &mut fedcx_model::fevs::FevsCounts, unit: &str, [ll, sup, iwe, gsi]: [f64; 4]) {
    use fedcx_model::fevs::{FevsAnswer, FevsPoint, FevsUnit};
    let unit = if unit.len() == 2 {
        FevsUnit::Agency(unit.parse().unwrap())
    } else {
        FevsUnit::SubAgency(unit.parse().unwrap())
    };
    let map = fedcx_model::fevs::item_map(c.year).unwrap();
    let groups = [
        (&map.leaders_lead[..], ll),
        (&map.supervisors[..], sup),
        (&map.intrinsic_work_experience[..], iwe),
        (&map.global_satisfaction[..], gsi),
    ];
    for (items, pct) in groups {
        for q in items {
            let w = c.items.entry(unit).or_default().entry(*q).or_default();
            w.add(FevsAnswer::Scale(FevsPoint::new(5).unwrap()), pct);
            w.add(FevsAnswer::Scale(FevsPoint::new(1).unwrap()), 100.0 - pct);
        }
    }
    c.respondents.insert(unit, (100, 100.0));
}

/// One Site Scanning row for `name` on `date`: every IDEA column set to pass except HSTS, given.
fn site_scan(name: &str, date: &str, hsts: bool) -> fedcx_model::website::SiteScan {
    use fedcx_model::website::{AxeViolations, HostName, ScanStatus, SiteScan};
    SiteScan {
        name: HostName::parse(name).unwrap(),
        initial_domain: Some(HostName::parse(name).unwrap()),
        final_url: Some(format!("https://www.{name}/")),
        scan_date: date.parse().unwrap(),
        agency: None,
        bureau: None,
        live: Some(true),
        primary_scan_status: ScanStatus::Completed,
        accessibility_scan_status: Some(ScanStatus::Completed),
        https_enforced: Some(true),
        hsts: Some(hsts),
        uswds_count: Some(120),
        viewport_meta_tag: Some(true),
        site_search: Some(true),
        search_dot_gov: Some(false),
        sitemap_xml_detected: Some(true),
        robots_txt_detected: Some(true),
        accessibility_violations: Some(AxeViolations::default()),
        dap: Some(true),
        visits: Some(1_000),
        pageviews: Some(3_000),
        // Scanned before the feedback-link scan existed (2026-04-21): not scanned, not "none".
        feedback_links: None,
    }
}

/// Small hand-made balanced inputs for the fixture:
/// - FEVS 2024: IRS's own unit TR93 with Leaders Lead 60, Supervisors 80, Intrinsic Work
///   Experience 70 and GSI 65, so EEI = (60 + 80 + 70) / 3 = 70.0 and GSI = 65.0; SSA (SZ) at 50
///   everywhere, EEI = GSI = 50.0; State (ST), Passport Services' parent agency, at 40, shown
///   as "40.0 (parent agency)".
/// - Business: IRS file-return wait time 12 minutes in FY2025 Q1, 9 in Q2 (lower is better:
///   better); level of service 80% then 70% (higher is better: worse).
/// - Site Scanning: irs.gov on 2025-01-10 meets all six criteria scanned (feedback not scanned
///   before 2026), on 2025-03-15 HSTS is off, so "secure" fails: 5 of 6, down from 6 of 6.
fn balanced_fixture() -> fedcx_model::balanced::BalancedInputs {
    use fedcx_model::balanced::{BalancedInputs, SiteSnapshot};
    use fedcx_model::business::{BusinessMeasure, Metric, Unit};
    let mut fevs = fedcx_model::fevs::FevsCounts::new(fedcx_model::fevs::SurveyYear::new(2024).unwrap());
    fevs_unit(&mut fevs, "TR93", [60.0, 80.0, 70.0, 65.0]);
    fevs_unit(&mut fevs, "SZ", [50.0; 4]);
    fevs_unit(&mut fevs, "ST", [40.0; 4]);
    let measure = |q: &str, metric, value, unit| {
        BusinessMeasure::new(
            ServiceId::new("treasury-irs-file-return").unwrap(),
            q.parse().unwrap(),
            metric,
            value,
            unit,
            "IRS Filing Season Statistics (hand-made for the test)",
        )
        .unwrap()
    };
    BalancedInputs {
        fevs: vec![fevs],
        business: vec![
            measure("FY2025 Q1", Metric::WaitTime, 12.0, Unit::Minutes),
            measure("FY2025 Q2", Metric::WaitTime, 9.0, Unit::Minutes),
            measure("FY2025 Q1", Metric::LevelOfService, 80.0, Unit::Percent),
            measure("FY2025 Q2", Metric::LevelOfService, 70.0, Unit::Percent),
        ],
        site_snapshots: vec![
            SiteSnapshot {
                taken: "2025-01-10".parse().unwrap(),
                source: "site-scanning-2025-01-10.csv".into(),
                scans: vec![site_scan("irs.gov", "2025-01-10", true)],
            },
            SiteSnapshot {
                taken: "2025-03-15".parse().unwrap(),
                source: "site-scanning-2025-03-15.csv".into(),
                scans: vec![site_scan("irs.gov", "2025-03-15", false)],
            },
        ],
    }
}

#[test]
fn balanced_measures_and_digital_adoption_match_the_golden_file_and_the_hand_computation() {
    let mut f = fixture();
    f.balanced = balanced_fixture();
    let out = render_quarter(&input(&f, &f.details)).unwrap();
    check_golden("report_balanced.md", &out["report.md"]);
    let json: serde_json::Value = serde_json::from_slice(&out["report.json"]).unwrap();
    let rows = json["balanced"]["rows"].as_array().unwrap();
    let row = |name: &str| rows.iter().find(|r| r["name"] == name).unwrap();
    let irs = row("Internal Revenue Service");
    // EEI (60 + 80 + 70) / 3 = 70, GSI 65, IRS's own sub-agency.
    assert_eq!(irs["card"]["employee"][0]["eei"]["value"], 70.0);
    assert_eq!(irs["card"]["employee"][0]["gsi"]["value"], 65.0);
    assert_eq!(irs["card"]["employee"][0]["parent_agency"], false);
    let directions: Vec<&str> =
        irs["card"]["business"].as_array().unwrap().iter().map(|b| b["direction"].as_str().unwrap()).collect();
    assert_eq!(directions, ["better", "worse"], "wait 12 -> 9 minutes, level of service 80% -> 70%");
    let passport = row("Bureau of Consular Affairs, Passport Services");
    assert_eq!(passport["card"]["employee"][0]["parent_agency"], true);
    assert_eq!(passport["card"]["employee"][0]["eei"]["value"], 40.0);
    // Two providers with a shown trust share and their own EEI: too few for a correlation.
    let te = &json["balanced"]["trust_engagement"];
    assert_eq!(te["association"]["outcome"], "not_enough_providers");
    assert_eq!(te["association"]["n"], 2);
    let md = String::from_utf8(out["report.md"].clone()).unwrap();
    assert!(md.contains("| Internal Revenue Service | 51.9% [38.7, 64.9] |"), "{md}");
    assert!(md.contains("40.0 \\(parent agency\\)"));
    // IRS's details: website 10,000 and phone 10,000 customers: 50% digital.
    assert!(md.contains(
        "Internal Revenue Service: 50% of customers served digitally \\(partial coverage\\); digital vs assisted \
         trust suppressed \\(n &lt; 30\\); 5 of 6 website criteria met \\(down from 6 of 6 on 2025-01-10\\)."
    ));
    let html = String::from_utf8(out["report.html"].clone()).unwrap();
    assert!(html.contains("<section id=\"balanced\">") && html.contains("<section id=\"digital\">"));
    assert!(html.contains("aria-label=\"Scatter chart of trust this quarter against employee engagement"));
    assert!(html.contains("site-scanning-2025-03-15.csv"));
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(out["report.xlsx"].clone())).unwrap();
    use calamine::Reader as _;
    let names = wb.sheet_names();
    assert!(names.contains(&"Balanced measures".to_owned()) && names.contains(&"Digital adoption".to_owned()));
    let sheet = wb.worksheet_range("Balanced measures").unwrap();
    let eei = sheet.rows().find(|r| r[0] == "Internal Revenue Service" && r[2].to_string().starts_with("EEI")).unwrap();
    assert_eq!(eei[4], calamine::Data::Float(0.7));
}

#[test]
fn without_balanced_inputs_the_sections_say_the_measures_were_not_given() {
    let f = fixture();
    let out = render_quarter(&input(&f, &f.details)).unwrap();
    let md = String::from_utf8(out["report.md"].clone()).unwrap();
    for text in ["## Balanced measures", "## Digital adoption", "not given"] {
        assert!(md.contains(text), "{text}");
    }
    assert!(md.contains("Employee engagement \\(FEVS\\): not given"));
    assert!(md.contains("Business results: not given"));
    assert!(md.contains("Website scans \\(GSA Site Scanning\\): not given"));
    let json: serde_json::Value = serde_json::from_slice(&out["report.json"]).unwrap();
    assert_eq!(json["balanced"]["fevs_given"], false);
    assert_eq!(json["digital"]["scans_given"], false);
    // Never a zero for a value not given.
    assert!(!md.contains("| 0.0 |"));
}

/// Every share-shaped object (`count` and `n`) anywhere in a published JSON value, with its path.
fn shares_in(v: &serde_json::Value, path: &str, out: &mut Vec<(String, u64)>) {
    match v {
        serde_json::Value::Object(o) => {
            if let (Some(_), Some(n)) = (o.get("count"), o.get("n").and_then(|n| n.as_u64())) {
                out.push((path.to_owned(), n));
            }
            for (k, x) in o {
                shares_in(x, &format!("{path}.{k}"), out);
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                shares_in(x, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// Issue 21's leak, by hand: IRS has 40 phone answers (assisted) and 7 website answers, 3
/// agreeing (digital); SSA has 40 in person and 1 website answer, disagreeing. Every digital side
/// is below 30, so `delivery`, each provider's `delivery_gap` and each service's `trust_gap` must
/// be only `{"suppressed": true}` in report.json, with no count or n of the small side anywhere.
#[test]
fn report_json_carries_no_count_or_n_of_a_suppressed_digital_side() {
    let mut f = fixture();
    f.responses.clear();
    let mut id = 0;
    let mut add = |service: &str, channel, agree: usize, n: usize, out: &mut Vec<SurveyResponse>| {
        for i in 0..n {
            id += 1;
            out.push(response(id, service, channel, "2025-02-01", TrustAnswer::ThumbsUpDown(i < agree), None));
        }
    };
    add("treasury-irs-file-return", Channel::Phone, 30, 40, &mut f.responses);
    add("treasury-irs-file-return", Channel::Website, 3, 7, &mut f.responses);
    add("ssa-replacement-card", Channel::InPerson, 20, 40, &mut f.responses);
    add("ssa-replacement-card", Channel::Website, 0, 1, &mut f.responses);
    f.counts = ResponseCounts::default();
    for r in &f.responses {
        f.counts.add_response(r).unwrap();
    }
    let out = render_quarter(&input(&f, &[])).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out["report.json"]).unwrap();
    let marker = serde_json::json!({ "suppressed": true });
    assert_eq!(json["delivery"], marker, "government digital side: 8 answers");
    let providers = json["providers"].as_array().unwrap();
    for slug in ["treasury-irs", "ssa"] {
        let p = providers.iter().find(|p| p["slug"] == slug).unwrap();
        assert_eq!(p["delivery_gap"], marker, "{slug}");
    }
    let services = json["digital"]["services"].as_array().unwrap();
    assert!(services.len() >= 2);
    for s in services {
        assert_eq!(s["trust_gap"], marker, "{}", s["service"]);
    }
    for r in json["digital"]["rows"].as_array().unwrap() {
        assert_eq!(r["adoption"]["trust_gap"], marker, "{}", r["name"]);
    }
    let mut shares = Vec::new();
    shares_in(&json, "", &mut shares);
    let small: Vec<&(String, u64)> = shares.iter().filter(|(_, n)| *n < 30).collect();
    assert!(small.is_empty(), "shares below 30 in report.json: {small:?}");
    let text = String::from_utf8_lossy(&out["report.json"]);
    assert!(!text.contains("\"n\": 7") && !text.contains("\"n\": 1,"), "a small n leaked");
    // The assisted sides (40 each) are shown where they stand alone: the rule removes only what is small.
    assert!(shares.iter().any(|(_, n)| *n == 40), "{shares:?}");
}

/// Complementary suppression, by hand: IRS files returns on the website (40 answers, 30 agree),
/// pays by phone (35, 20 agree) and checks refunds in person (7, 5 agree). The in-person channel
/// and the refund service are suppressed; the IRS total (82) and the government total are shown,
/// so each would be the total minus the rest: the smallest other part (phone, 35; the payment
/// service, 35) is suppressed too, in every format.
#[test]
fn a_single_suppressed_part_under_a_shown_total_takes_the_smallest_other_part_with_it() {
    let mut f = fixture();
    f.responses.clear();
    let mut id = 0;
    let mut add = |service: &str, channel, agree: usize, n: usize, out: &mut Vec<SurveyResponse>| {
        for i in 0..n {
            id += 1;
            out.push(response(id, service, channel, "2025-02-01", TrustAnswer::ThumbsUpDown(i < agree), None));
        }
    };
    add("treasury-irs-file-return", Channel::Website, 30, 40, &mut f.responses);
    add("treasury-irs-payment", Channel::Phone, 20, 35, &mut f.responses);
    add("treasury-irs-refund-status", Channel::InPerson, 5, 7, &mut f.responses);
    f.counts = ResponseCounts::default();
    for r in &f.responses {
        f.counts.add_response(r).unwrap();
    }
    let out = render_quarter(&input(&f, &[])).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out["report.json"]).unwrap();
    let channels: Vec<&str> =
        json["channels"].as_array().unwrap().iter().map(|c| c["channel"].as_str().unwrap()).collect();
    assert_eq!(channels, ["website"], "phone (35) is the complement of in person (7)");
    let irs = json["providers"].as_array().unwrap().iter().find(|p| p["slug"] == "treasury-irs").unwrap();
    assert_eq!(irs["scores"]["suppressed"], false);
    let service = |id: &str| irs["services"].as_array().unwrap().iter().find(|s| s[0] == id).unwrap()[2].clone();
    assert_eq!(service("treasury-irs-refund-status")["suppressed"], true);
    assert_eq!(service("treasury-irs-payment")["suppressed"], true, "the complement of refund status");
    assert!(service("treasury-irs-payment").get("trust_v2").is_none(), "no numbers for the complement");
    assert_eq!(service("treasury-irs-file-return")["suppressed"], false);
    // Payment: 20 of 35 = 57.1%; refund status 5 of 7 = 71.4%: neither anywhere for people.
    let md = String::from_utf8_lossy(&out["report.md"]).into_owned();
    let html = String::from_utf8_lossy(&out["report.html"]).into_owned();
    for share in ["57.1%", "71.4%"] {
        assert!(!md.contains(share) && !html.contains(share), "{share} leaked");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.xlsx");
    std::fs::write(&path, &out["report.xlsx"]).unwrap();
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
    let services = wb.worksheet_range("Services").unwrap();
    use calamine::DataType;
    for id in ["treasury-irs-payment", "treasury-irs-refund-status"] {
        let row = services.rows().find(|r| r.get(1).is_some_and(|c| c.get_string() == Some(id))).unwrap();
        assert!(row[4].is_empty() && row[5].is_empty() && row[6].is_empty(), "{id}: {row:?}");
        assert_eq!(row[7].to_string(), "suppressed (n < 30)", "{id}");
    }
}
