//! performance.gov's published A-11 data, read as published (issue 22): GSA/HISP-CX-Data's merged
//! CSV and long file, and the JSON:API document rebuilt from Touchpoints' serializer, all verbatim
//! in crates/fedcx-ingest/tests/fixtures/performance-gov-cx/ (README.source.md there cites the
//! repository, paths and commits). Line numbers below are the merged CSV's physical lines.
//!
//! The expected numbers are not fedcx's: the government-wide counts are the output of
//! scripts/public_data_reference.py (stdlib Python, written from the A-11 rules, not from fedcx's
//! code), and the per-provider counts are summed here straight from the files with the `csv`
//! crate.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{json, TestDir};

fn published(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/fedcx-ingest/tests/fixtures/performance-gov-cx").join(name)
}

const MERGED: &str = "mergedcxdata-2023-05-21.csv";
const LONG: &str = "trust_survey_counts_quick_flattened_data_transformed - trust_survey_counts_quick.csv";
const JSON_API: &str = "omb_cx_reporting_collections.json";

/// scripts/public_data_reference.py on the merged CSV: per quarter, satisfaction (q1) and trust
/// (q2) as (agree, answers), 10-point questions left out, yes/no counted with "yes" agreeing.
/// A share's (agree, answers).
type Agree = (u64, u64);

const REFERENCE: [(&str, Agree, Agree); 9] = [
    ("FY2021Q1", (977_166, 1_155_343), (751_433, 969_987)),
    ("FY2021Q2", (1_009_200, 1_229_858), (814_218, 1_111_607)),
    ("FY2021Q3", (833_325, 994_722), (680_022, 900_657)),
    ("FY2021Q4", (465_829, 565_373), (440_194, 568_451)),
    ("FY2022Q1", (1_066_805, 1_247_633), (843_949, 1_080_908)),
    ("FY2022Q2", (1_006_705, 1_185_759), (783_323, 1_025_313)),
    ("FY2022Q3", (873_085, 1_029_073), (723_596, 967_217)),
    ("FY2022Q4", (840_651, 969_166), (682_985, 893_908)),
    ("FY2023Q1", (1_201_690, 1_357_665), (957_081, 1_176_746)),
];

/// Ingests `file` into `store`, with the summary, and returns the summary and stderr.
fn ingest(t: &TestDir, file: &Path, store: &str) -> (serde_json::Value, String) {
    let summary = t.path(&format!("{store}.summary.json"));
    let out = t.run(&[
        "--store",
        t.path(store).to_str().unwrap(),
        "ingest",
        file.to_str().unwrap(),
        "--summary",
        summary.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "ingest {} failed:\n{stderr}", file.display());
    (json(&summary), stderr)
}

/// Writes the report of `quarter` from `store` and returns its report.json.
fn report(t: &TestDir, store: &str, quarter: &str, extra: &[&str]) -> serde_json::Value {
    let out = t.path("out");
    let store = t.path(store);
    let mut args = vec![
        "-q",
        "--store",
        store.to_str().unwrap(),
        "report",
        "--quarter",
        quarter,
        "--out",
        out.to_str().unwrap(),
        "--bootstrap",
        "0",
    ];
    args.extend(extra);
    t.ok_all(&args);
    json(&out.join(quarter).join("report.json"))
}

/// A question's (agree, answers) in a report's scores block.
fn agree_of(scores: &serde_json::Value, question: u64) -> (u64, u64) {
    let q = scores["v1"].as_array().unwrap().iter().find(|q| q["question"] == question);
    q.map_or((0, 0), |q| (q["agree"]["count"].as_u64().unwrap(), q["n"].as_u64().unwrap()))
}

fn warnings(summary: &serde_json::Value, kind: &str) -> u64 {
    summary["warnings"][kind].as_u64().unwrap_or(0)
}

/// The notices of a summary's first file of one kind, as (line, detail).
fn notices(summary: &serde_json::Value, kind: &str) -> Vec<(u64, String)> {
    summary["files"][0]["notices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == kind)
        .map(|n| (n["line"].as_u64().unwrap(), n["detail"].as_str().unwrap().to_owned()))
        .collect()
}

#[test]
fn the_merged_csv_is_read_with_no_edit_every_record_accepted() {
    let t = TestDir::new();
    let (s, stderr) = ingest(&t, &published(MERGED), "s.db");
    assert_eq!(s["files"][0]["format"], "touchpoints-v1", "detected from the attributes_ header");
    assert_eq!((s["read"].as_u64(), s["accepted"].as_u64(), s["rejected"].as_u64()), (Some(481), Some(481), Some(0)));
    // The sum of volume_of_respondents over the 481 records is 10,738,927; line 182 (HUD FY2021
    // Q1) reports 0 respondents beside 67 answers, which are counted as its respondents.
    assert_eq!(s["respondents_counted"].as_u64(), Some(10_738_927 + 67));
    assert_eq!(notices(&s, "respondents_from_answers"), [(182, notices(&s, "respondents_from_answers")[0].1.clone())]);

    // Line 2 (VHA FY2021 Q2, 320,979 respondents): q4 has 320,980 answers. Kept, warned, and the
    // respondents stay the agency's.
    let over = notices(&s, "answers_exceed_respondents");
    assert!(over.iter().any(|(l, d)| *l == 2 && d.contains("q4 has 320980 answers, 1 (0.00%) more")), "{over:?}");
    assert_eq!(warnings(&s, "answers_exceed_respondents"), 164);
    // Line 444 is far above (688 answers, 567 respondents): one plausibility line for the record.
    assert_eq!(stderr.matches("line 444:").count(), 1, "{stderr}");
    assert!(stderr.contains("line 444: q1, q2, q3, q4, q5, q8 have up to 688 answers against 567 respondents"));

    // Blank channels (lines 15, 178, 179, ...): kept as not_reported.
    let blank: Vec<u64> = notices(&s, "channel_not_reported").into_iter().map(|(l, _)| l).collect();
    assert_eq!(blank.len(), 5);
    assert!(blank.starts_with(&[15, 178, 179]), "{blank:?}");
    // Control numbers inside decoration, cleaned: line 449 "OMB Control Number 1090-0007".
    let cleaned = notices(&s, "omb_control_number_cleaned");
    assert!(cleaned.iter().any(|(l, d)| *l == 449 && d.contains("read as 1090-0007")), "{cleaned:?}");
    // An offered volume of 0 beside respondents (line 180) is unknown, not a failed check.
    assert!(notices(&s, "offered_zero_read_as_unknown").iter().any(|(l, _)| *l == 180));
    // BTFA: line 641 has exactly the counts of line 597, filed under another service.
    let same = notices(&s, "same_counts_under_another_service");
    assert!(same.iter().any(|(l, d)| *l == 641 && d.contains("line 597")), "{same:?}");
    // The terminal names each kind with its count and the first lines.
    assert!(stderr.contains("warning: 5 record(s) had a blank channel"), "{stderr}");
    assert!(stderr.contains(":15 attributes_channel: no channel given"), "{stderr}");
}

#[test]
fn government_wide_satisfaction_and_trust_equal_the_independent_computation() {
    let t = TestDir::new();
    ingest(&t, &published(MERGED), "s.db");
    for (quarter, sat, trust) in REFERENCE {
        let r = report(&t, "s.db", quarter, &[]);
        assert_eq!(agree_of(&r["government"], 1), sat, "{quarter} satisfaction");
        assert_eq!(agree_of(&r["government"], 2), trust, "{quarter} trust");
    }
}

#[test]
fn the_json_api_document_gives_the_same_store_as_the_flattened_csv() {
    let t = TestDir::new();
    let (s, _) = ingest(&t, &published(JSON_API), "json.db");
    assert_eq!(s["files"][0]["format"], "touchpoints-v1-json");
    assert_eq!((s["read"].as_u64(), s["accepted"].as_u64()), (Some(481), Some(481)));
    ingest(&t, &published(MERGED), "csv.db");
    for store in ["json.db", "csv.db"] {
        t.ok(&["-q", "--store", t.path(store).to_str().unwrap(), "export", "--out", &format!("{store}.csv")]);
    }
    let (a, b) = (std::fs::read(t.path("json.db.csv")).unwrap(), std::fs::read(t.path("csv.db.csv")).unwrap());
    assert!(a.len() > 1000 && a == b, "the two stores' exports differ");
}

/// Touchpoints' provider ids to registry slugs, from the bundled registry's data file.
fn provider_slugs() -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/fedcx-model/data/hisps.toml");
    let reg: toml::Value = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    reg["provider"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| Some((p.get("touchpoints_id")?.as_integer()?.to_string(), p["slug"].as_str()?.to_owned())))
        .collect()
}

/// Per (provider slug, quarter), the trust question's five counts summed from a published file,
/// leaving out records whose trust wording states a 10-point scale.
fn trust_by_provider(path: &Path, long: bool) -> BTreeMap<(String, String), [u64; 5]> {
    let slugs = provider_slugs();
    let mut rd = csv::Reader::from_path(path).unwrap();
    let header = rd.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("{name}"));
    let whole = |s: &str| if s.trim().is_empty() { 0 } else { s.trim().parse::<f64>().unwrap() as u64 };
    let mut out: BTreeMap<(String, String), [u64; 5]> = BTreeMap::new();
    for row in rd.records() {
        let row = row.unwrap();
        let (year, quarter, provider, text, counts): (&str, &str, &str, &str, [u64; 5]) = if long {
            if &row[col("question_id")] != "2" {
                continue;
            }
            let names = ["strongly_disagree_num", "disagree_num", "neutral_num", "agree_num", "strongly_agree_num"];
            (
                &row[col("fiscal_year")],
                &row[col("quarter")],
                &row[col("service_provider_id")],
                &row[col("question_text")],
                names.map(|n| whole(&row[col(n)])),
            )
        } else {
            (
                &row[col("attributes_collection_year")],
                &row[col("attributes_collection_quarter")],
                &row[col("attributes_service_provider_id")],
                &row[col("attributes_q2_text")],
                std::array::from_fn(|k| whole(&row[col(&format!("attributes_q2_{}", k + 1))])),
            )
        };
        let ten_point =
            ["10=", "10 =", "10-point", "1 to 10", "0 to 10", "0-10", "1-10"].iter().any(|w| text.contains(w));
        if ten_point {
            continue;
        }
        let slug = slugs.get(provider).unwrap_or_else(|| panic!("provider {provider} is not in the registry"));
        let e = out.entry((slug.clone(), format!("FY{year}Q{quarter}"))).or_default();
        for k in 0..5 {
            e[k] += counts[k];
        }
    }
    out
}

/// Every provider-quarter with 30 or more trust answers carries the file's own counts.
fn provider_quarters_hold_the_published_counts(file: &str, long: bool) {
    let t = TestDir::new();
    ingest(&t, &published(file), "s.db");
    let want = trust_by_provider(&published(file), long);
    let mut checked = 0;
    for (quarter, _, _) in REFERENCE {
        let r = report(&t, "s.db", quarter, &[]);
        for p in r["providers"].as_array().unwrap() {
            let Some(counts) = want.get(&(p["slug"].as_str().unwrap().to_owned(), quarter.to_owned())) else {
                continue;
            };
            if counts.iter().sum::<u64>() < 30 {
                continue;
            }
            let q2 = p["scores"]["v1"].as_array().unwrap().iter().find(|q| q["question"] == 2);
            let got: Vec<u64> = q2.unwrap()["counts"].as_array().unwrap().iter().map(|n| n.as_u64().unwrap()).collect();
            assert_eq!(got, counts, "{} {quarter}", p["slug"]);
            checked += 1;
        }
    }
    // Every one of them: a provider missing from the report would leave its counts unchecked.
    let expected = want.values().filter(|c| c.iter().sum::<u64>() >= 30).count();
    assert_eq!(checked, expected, "provider-quarters compared");
    assert!(checked > 150, "{checked}");
}

#[test]
fn provider_quarters_of_the_merged_csv_hold_its_trust_counts() {
    provider_quarters_hold_the_published_counts(MERGED, false);
}

#[test]
fn provider_quarters_of_the_long_file_hold_its_trust_counts() {
    let t = TestDir::new();
    let (s, _) = ingest(&t, &published(LONG), "long.db");
    assert_eq!(s["files"][0]["format"], "touchpoints-v1-long");
    assert_eq!((s["read"].as_u64(), s["accepted"].as_u64()), (Some(478), Some(478)));
    provider_quarters_hold_the_published_counts(LONG, true);
}

#[test]
fn the_nrcs_and_the_department_of_state_appear_as_themselves() {
    let t = TestDir::new();
    ingest(&t, &published(MERGED), "s.db");
    let r = report(&t, "s.db", "FY2022Q3", &[]);
    let respondents = |slug: &str| {
        let p = r["providers"].as_array().unwrap().iter().find(|p| p["slug"] == slug).unwrap();
        p["scores"]["respondents_v1"].as_u64().unwrap()
    };
    // Line 712: NRCS (provider 2), Touchpoints service 3, 614 respondents; FSA (provider 36) has
    // its own 140 (line 711), not 754.
    assert_eq!(respondents("usda-nrcs"), 614);
    assert_eq!(respondents("usda-fsa"), 140);
    // Passport Services (provider 40, service 25): lines 802 and 803, 615 + 6,684 respondents.
    assert_eq!(respondents("dos-ca"), 615 + 6_684);
}

#[test]
fn ten_point_questions_stay_out_of_the_five_point_counts() {
    let t = TestDir::new();
    let (s, _) = ingest(&t, &published(MERGED), "s.db");
    assert_eq!(warnings(&s, "question_not_on_5_point_scale"), 135);
    t.ok(&["-q", "--store", t.path("s.db").to_str().unwrap(), "export", "--out", "e.csv"]);
    let export = std::fs::read_to_string(t.path("e.csv")).unwrap();
    // Line 155: USPTO patents by email, FY2021 Q3, q4 "(1=strongly disagree, 10=strongly agree)".
    assert!(!export.contains("doc-uspto-patent-application,email,FY2021Q3,q4,"));
    assert!(export.contains("doc-uspto-patent-application,email,FY2021Q3,q3,"));
    // Line 224: its phone survey's trust question, FY2021 Q1, on the same 10-point wording.
    assert!(!export.contains("doc-uspto-patent-application,phone,FY2021Q1,q2,"));
    assert!(export.contains("doc-uspto-patent-application,phone,FY2021Q1,q1,"));
}

#[test]
fn the_records_fedcx_writes_from_the_published_data_read_back() {
    let t = TestDir::new();
    ingest(&t, &published(MERGED), "s.db");
    report(&t, "s.db", "FY2022Q3", &[]);
    let records = t.path("out/FY2022Q3/omb_cx_reporting_collections.csv");
    let (s, _) = ingest(&t, &records, "again.db");
    assert_eq!(s["rejected"].as_u64(), Some(0), "{}", s["rejected_by_reason"]);
    assert!(s["accepted"].as_u64().unwrap() > 40);
}

#[test]
fn a_quarter_with_no_data_is_an_error_unless_allowed() {
    let t = TestDir::new();
    ingest(&t, &published(MERGED), "s.db");
    let store = t.path("s.db");
    let err = t.fails(&["--store", store.to_str().unwrap(), "report", "--quarter", "FY2023Q2", "--out", "out"]);
    assert!(err.contains("error: no data for FY2023Q2") && err.contains("FY2023Q1"), "{err}");
    assert_eq!(t.run(&["--store", store.to_str().unwrap(), "report", "--quarter", "FY2023Q2"]).status.code(), Some(1));
    assert!(!t.path("out/FY2023Q2").exists(), "nothing written");
    report(&t, "s.db", "FY2023Q2", &["--allow-empty"]);
    assert!(t.path("out/FY2023Q2/report.md").exists());
}

#[test]
fn a_registry_rebuilt_from_the_published_data_alone_reads_it_whole() {
    let t = TestDir::new();
    let base = t.write("empty.toml", b"sources = []\n");
    let merged = published(MERGED);
    // CBP's service 10 never names a channel (lines 178, 179, 373): without a channel for new
    // services its records are rejected, and said to be.
    let out = t.ok_all(&[
        "registry",
        "import",
        "--published",
        merged.to_str().unwrap(),
        "--base",
        base.to_str().unwrap(),
        "-o",
        "r.toml",
    ]);
    assert!(out.contains("481 read, 478 accepted, 3 rejected") && out.contains("no_channels 3"), "{out}");
    let out = t.ok_all(&[
        "registry",
        "import",
        "--published",
        merged.to_str().unwrap(),
        "--base",
        base.to_str().unwrap(),
        "--new-service-channels",
        "phone",
        "-o",
        "r.toml",
    ]);
    assert!(out.contains("providers: 0 matched") && out.contains("28 added") && out.contains("48 added"), "{out}");
    let summary = t.path("s.json");
    t.ok_all(&[
        "--registry",
        "r.toml",
        "--store",
        "s.db",
        "ingest",
        published(JSON_API).to_str().unwrap(),
        "--summary",
        summary.to_str().unwrap(),
    ]);
    assert_eq!(json(&summary)["accepted"].as_u64(), Some(481));
    let out = t.path("out");
    t.ok_all(&[
        "-q",
        "--registry",
        "r.toml",
        "--store",
        "s.db",
        "report",
        "--quarter",
        "FY2022Q3",
        "--out",
        out.to_str().unwrap(),
        "--bootstrap",
        "0",
    ]);
    let r = json(&out.join("FY2022Q3/report.json"));
    let (_, sat, trust) = REFERENCE[6];
    assert_eq!((agree_of(&r["government"], 1), agree_of(&r["government"], 2)), (sat, trust));
}

#[test]
fn the_same_records_in_another_form_are_duplicates_not_counted_twice() {
    let t = TestDir::new();
    let (csv, json_api) = (published(MERGED), published(JSON_API));
    ingest(&t, &csv, "s.db");
    t.ok(&["-q", "--store", t.path("s.db").to_str().unwrap(), "export", "--out", "before.csv"]);
    // The JSON:API document holds the same 481 records (ids 1 to 481): each a duplicate, named in
    // the reject file with the file that gave it first.
    let (s, _) = ingest(&t, &json_api, "s.db");
    assert_eq!((s["read"].as_u64(), s["accepted"].as_u64(), s["duplicates"].as_u64()), (Some(481), Some(0), Some(481)));
    t.ok(&["-q", "--store", t.path("s.db").to_str().unwrap(), "export", "--out", "after.csv"]);
    assert_eq!(std::fs::read(t.path("before.csv")).unwrap(), std::fs::read(t.path("after.csv")).unwrap());
    // In one command too: the second file's records are the first's.
    let rejects = t.path("r.csv");
    let out = t.run(&[
        "ingest",
        "--no-store",
        csv.to_str().unwrap(),
        json_api.to_str().unwrap(),
        "--rejects",
        rejects.to_str().unwrap(),
    ]);
    let said = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("total: 962 read = 481 accepted + 0 rejected + 481 duplicates"), "{said}");
    let rejects = std::fs::read_to_string(rejects).unwrap();
    assert_eq!(rejects.lines().filter(|l| l.contains(",duplicate_record,")).count(), 481);
    assert!(
        rejects.contains("record 1 (va-vha-outpatient-care, FY2021 Q2) was already ingested from a file read earlier")
    );
    // Replacing the CSV by the document takes the CSV's records out first: none is a duplicate.
    ingest(&t, &csv, "s2.db");
    let store = t.path("s2.db");
    let out = t.run(&[
        "--store",
        store.to_str().unwrap(),
        "ingest",
        json_api.to_str().unwrap(),
        "--replace",
        csv.to_str().unwrap(),
    ]);
    let said = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && said.contains("481 read, 481 accepted"), "{said}");
    t.ok(&["-q", "--store", store.to_str().unwrap(), "export", "--out", "replaced.csv"]);
    assert_eq!(std::fs::read(t.path("before.csv")).unwrap(), std::fs::read(t.path("replaced.csv")).unwrap());
}

#[test]
fn groups_with_responses_but_no_detail_are_named_on_the_terminal() {
    let t = TestDir::new();
    // The demo's first 2,000 responses (FY2022 Q1-Q2), with no collection-detail export.
    let demo = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo/responses.csv")).unwrap();
    let head: String = demo.lines().take(2001).map(|l| format!("{l}\n")).collect();
    t.write("a.csv", head.as_bytes());
    t.ok(&["-q", "ingest", "a.csv"]);
    let out = t.run(&["-q", "report", "--quarter", "FY2022Q1", "--out", "out", "--bootstrap", "0"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let line = stderr.lines().find(|l| l.contains("no collection detail")).unwrap_or_else(|| panic!("{stderr}"));
    assert!(
        line.starts_with("warning: 234 group(s) with 1875 respondents have no collection detail for FY2022Q1"),
        "{line}"
    );
    assert!(line.contains("dhs-cbp-port-of-entry / in_person (25)") && line.contains("and 231 more"), "{line}");
    assert_eq!(stderr.lines().filter(|l| l.contains("no collection detail")).count(), 1, "one line, not one per group");
}
