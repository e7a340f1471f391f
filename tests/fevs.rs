//! The employee leg end to end, as library calls: a FEVS respondent file in OPM's 2019 PRDF layout
//! (crates/fedcx-ingest/tests/fixtures/fevs/prdf-2019-layout.csv, rows built by hand; see its .source.md) read by
//! fedcx-ingest, indices computed by fedcx-index, and a HISP joined to its FEVS unit through the
//! bundled registry's crosswalk. Every number is a hand computation written out below.

use std::path::Path;

use fedcx_index::engagement::results;
use fedcx_ingest::fevs::{read_prdf, PrdfConfig};
use fedcx_model::fevs::{link_for, FevsMatch, FevsUnit, Measured, SurveyYear};
use fedcx_model::Registry;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// Used rows (line: unit, Leaders Lead / Supervisors / Intrinsic items, GSI items, POSTWT):
/// 2 TR/TR93 5/5/5, 4, w2; 3 TR/TR93 2/2/2, 2, w1; 4 TR/TR93 X/4/3, blank, w3; 5 TR/TRFD 4/4/4, 5,
/// w1.5; 6 TR 1/1/1, 1, w0.5; 7 HS/HSBC 4/4/4, 3, w2.5. Every item of a subindex has the same
/// answer in a row, so each subindex equals its items' percent positive.
///
/// TR93: Leaders Lead 2 / (2 + 1) = 66.667 (X excluded); Supervisors (2 + 3) / 6 = 83.333;
/// Intrinsic 2 / 6 = 33.333; EEI = (66.667 + 83.333 + 33.333) / 3 = 61.111; GSI 2 / 3 = 66.667
/// (blank excluded).
/// TR: Leaders Lead (2 + 1.5) / 5 = 70; Supervisors (2 + 3 + 1.5) / 8 = 81.25; Intrinsic
/// (2 + 1.5) / 8 = 43.75; EEI = 195 / 3 = 65; GSI (2 + 1.5) / 5 = 70.
/// HS: every EEI item 4 -> 100; every GSI item 3 -> a measured 0, not "not measured".
#[test]
fn fevs_prdf_to_engagement_to_hisp() {
    let path =
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/crates/fedcx-ingest/tests/fixtures/fevs/prdf-2019-layout.csv"));
    let bytes = std::fs::read(path).unwrap();
    let year = SurveyYear::new(2019).unwrap();
    let read = read_prdf(path, bytes.as_slice(), &PrdfConfig { year }).unwrap();
    assert!(read.reconciliation.balances());
    let all = results(&read.counts);
    let of = |code: &str| {
        let unit = if code.len() == 2 {
            FevsUnit::Agency(code.parse().unwrap())
        } else {
            FevsUnit::SubAgency(code.parse().unwrap())
        };
        *all.iter().find(|r| r.unit == unit).unwrap()
    };

    let tr93 = of("TR93");
    let e = tr93.engagement.value().unwrap();
    assert!(close(e.leaders_lead.get(), 200.0 / 3.0));
    assert!(close(e.supervisors.get(), 250.0 / 3.0));
    assert!(close(e.intrinsic_work_experience.get(), 100.0 / 3.0));
    assert!(close(e.eei.get(), 550.0 / 9.0), "{}", e.eei.get());
    assert!(close(tr93.global_satisfaction.value().unwrap().get(), 200.0 / 3.0));

    let tr = of("TR");
    let e = tr.engagement.value().unwrap();
    assert_eq!(
        (e.eei.get(), e.leaders_lead.get(), e.supervisors.get(), e.intrinsic_work_experience.get()),
        (65.0, 70.0, 81.25, 43.75)
    );
    assert!(close(tr.global_satisfaction.value().unwrap().get(), 70.0));

    let hs = of("HS");
    assert_eq!(hs.engagement.value().unwrap().eei.get(), 100.0);
    assert_eq!(hs.global_satisfaction.value().unwrap().get(), 0.0);

    // The IRS is TR93 in 2019 through the registry's crosswalk; in 2021 only Treasury is
    // measured (no LEVEL1 in the 2020-2023 files), shown as the parent.
    let registry = Registry::bundled();
    let irs = registry.provider_by_str("treasury-irs").unwrap();
    let link = link_for(&irs.fevs, year).unwrap();
    assert_eq!(link.unit.unit(), Some(tr93.unit));
    assert!(!link.unit.is_parent());
    let later = link_for(&irs.fevs, SurveyYear::new(2021).unwrap()).unwrap();
    assert!(later.unit.is_parent());
    // VHA: VA took no part in 2019; the scorecard must say "not measured", never 0.
    let vha = registry.provider_by_str("va-vha").unwrap();
    assert_eq!(link_for(&vha.fevs, year).unwrap().unit, FevsMatch::NotSurveyed);
    assert!(!matches!(tr93.engagement, Measured::NotMeasured(_)));
}

/// No other format's real fixture (the workspace's and fedcx-ingest's) looks like a FEVS file, so
/// format detection can ask these helpers without stealing another format's files.
#[test]
fn no_other_fixture_is_detected_as_fevs() {
    use fedcx_ingest::fevs::{looks_like_index_table, looks_like_prdf};
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "csv") {
                out.push(p);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    walk(&root.join("tests/fixtures"), &mut files);
    walk(&root.join("crates/fedcx-ingest/tests/fixtures"), &mut files);
    assert!(files.len() > 10);
    for f in files {
        let Ok(rows) = fedcx_ingest::rows::CsvRows::open(&f, std::fs::File::open(&f).unwrap(), "") else { continue };
        let fevs = f.components().any(|c| c.as_os_str() == "fevs");
        let h = rows.header();
        assert_eq!(looks_like_prdf(h) || looks_like_index_table(h), fevs, "{}", f.display());
    }
}
