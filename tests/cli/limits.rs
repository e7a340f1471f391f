//! Inputs of a size no real file has (issue 21's red-team pass): each refused early, with the file
//! and field named, and never by reading it whole or failing every later report.

use std::path::Path;

use super::TestDir;

fn tp(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/touchpoints").join(name).to_string_lossy().into_owned()
}

#[test]
fn a_reflection_of_dev_zero_is_refused_after_a_bounded_read() {
    let t = TestDir::new();
    t.ok(&["-q", "ingest", &tp("v2/details.csv"), &tp("v2/5101.csv")]);
    // /dev/zero never ends: read whole it exhausts memory (the red-team run was killed).
    let err = t.fails(&["report", "--quarter", "FY2024Q2", "--out", "out", "--reflection", "/dev/zero"]);
    assert!(err.contains("/dev/zero: the reflection is longer than A-11's 5000 characters"), "{err}");
    assert!(!t.path("out/FY2024Q2").exists());
    let long = t.write("long.txt", "a".repeat(5_001 * 4 + 10).as_bytes());
    let err = t.fails(&["report", "--quarter", "FY2024Q2", "--out", "out", "--reflection", long.to_str().unwrap()]);
    assert!(err.contains("longer than A-11's 5000 characters"), "{err}");
}

#[test]
fn a_40000_character_survey_title_is_rejected_at_ingest_naming_the_field() {
    let t = TestDir::new();
    let details = std::fs::read_to_string(tp("v2/details.csv")).unwrap();
    let title = "T".repeat(40_000);
    let details = details.replacen("IRS.gov Filing Feedback", &title, 1);
    t.write("details.csv", details.as_bytes());
    let out = t.run(&["ingest", "details.csv", "--rejects", "r.csv"]);
    let said = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("text_too_long 1"), "{said}");
    let rejects = std::fs::read_to_string(t.path("r.csv")).unwrap();
    assert!(rejects.contains("details.csv,2,survey_title,") && rejects.contains("40000 characters"), "{rejects}");
    // The quarter's other details still make a report: one bad title no longer blocks them.
    t.ok(&["-q", "ingest", &tp("v2/5102.csv")]);
    t.ok(&["-q", "report", "--quarter", "FY2024Q2", "--out", "out", "--bootstrap", "0"]);
    assert!(t.path("out/FY2024Q2/report.xlsx").exists());
}

/// The red-team input: an LF header, then 399 rows ended by lone CRs, a quote opened in row 2.
/// Before, the CR lines went uncounted, the quote swallowed the rows unseen by
/// `--max-record-lines`, and the file read as 3 rows, all accepted, exit 0.
#[test]
fn cr_rows_after_an_lf_header_are_lines_and_a_swallowing_quote_is_caught() {
    let t = TestDir::new();
    let demo = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo/responses.csv")).unwrap();
    let mut lines: Vec<String> = demo.lines().take(400).map(str::to_owned).collect();
    let header = lines.remove(0);
    let mut row: Vec<&str> = lines[1].split(',').collect();
    *row.last_mut().unwrap() = "\"oops";
    lines[1] = row.join(",");
    let text = format!("{header}\n{}\r", lines.join("\r"));
    t.write("cr.csv", text.as_bytes());
    let out = t.run(&["ingest", "--no-store", "cr.csv"]);
    let said = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("lines: 400 = 1 header + 0 blank + 399 in rows"), "{said}");
    assert!(said.contains("record_too_long 1"), "{said}");
    // Without the stray quote every CR row is a row.
    let clean = format!("{header}\n{}\r", demo.lines().skip(1).take(399).collect::<Vec<_>>().join("\r"));
    t.write("clean.csv", clean.as_bytes());
    let said = t.ok_all(&["ingest", "--no-store", "clean.csv"]);
    assert!(said.contains("clean.csv (csv): 399 read, 399 accepted"), "{said}");
}

/// Distinct service x channel x quarter groups each hold memory while a file is read (the red-team
/// file of 60,000 groups peaked at 272 MB; 342,000 at 1.06 GB): past `--max-groups` (100,000 by
/// default) the ingest stops with a clear error and stores nothing. Measured by hand with the
/// release build: 156,960 groups stop at the default limit with a peak of 455 MB.
#[test]
fn too_many_distinct_groups_stop_the_ingest_with_a_clear_error() {
    let t = TestDir::new();
    let demo = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo/responses.csv")).unwrap();
    let header = demo.lines().next().unwrap();
    let services = ["treasury-irs-file-return", "ssa-replacement-card", "dos-ca-passport-renewal"];
    let channels = ["website", "phone", "in_person", "email", "mobile_app"];
    let mut text = format!("{header}\n");
    let mut n = 0;
    for year in 2019..2023 {
        for month in [1, 4, 7, 10] {
            for s in services {
                for c in channels {
                    n += 1;
                    let mut row = vec![String::new(); header.split(',').count()];
                    row[0] = format!("G{n}");
                    row[1] = format!("{year}-{month:02}-15T12:00:00Z");
                    row[2] = s.into();
                    row[3] = c.into();
                    row[4] = "post_interaction".into();
                    row[5] = "v1".into();
                    for cell in &mut row[7..14] {
                        *cell = "4".into();
                    }
                    text.push_str(&row.join(","));
                    text.push('\n');
                }
            }
        }
    }
    t.write("groups.csv", text.as_bytes());
    // 4 years x 4 quarters x 3 services x 5 channels = 240 groups.
    let ok = t.ok_all(&["ingest", "--no-store", "groups.csv", "--max-groups", "240"]);
    assert!(ok.contains("240 groups"), "{ok}");
    let err = t.fails(&["ingest", "groups.csv", "--max-groups", "100"]);
    assert!(err.contains("groups.csv: more than 100 service x channel x quarter groups in this ingest"), "{err}");
    let export = t.run(&["export", "--out", "e.csv"]);
    assert!(
        !export.status.success() || std::fs::read_to_string(t.path("e.csv")).unwrap().lines().count() <= 1,
        "nothing stored"
    );
}
