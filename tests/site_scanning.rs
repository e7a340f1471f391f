//! Site Scanning end to end on the fixtures in crates/fedcx-ingest/tests/fixtures/site-scanning/: the real SSA rows of
//! January 2025 (pre-2025 layout) and hand-built rows in the current layout, read by
//! fedcx-ingest's `site_scan`, scored and joined to the bundled registry by fedcx-index's
//! `websites`. Every number is worked out by hand in the comments.

use std::path::Path;

use fedcx_index::websites::{compare, score_websites, CriterionTally, JoinedBy};
use fedcx_ingest::site_scan::read_snapshot;
use fedcx_model::website::{Criterion, HostName, IdeaRules, Outcome};
use fedcx_model::{ProviderSlug, Registry};

fn snapshot(name: &str) -> Vec<fedcx_model::SiteScan> {
    let path = format!("{}/crates/fedcx-ingest/tests/fixtures/site-scanning/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap();
    let s = read_snapshot(Path::new(&path), &bytes[..]).unwrap();
    assert!(s.summary.balances());
    assert_eq!(s.summary.reconciliation.rejected, 0, "{:?}", s.rejections);
    s.scans
}

fn host(s: &str) -> HostName {
    HostName::parse(s).unwrap()
}

fn slug(s: &str) -> ProviderSlug {
    ProviderSlug::new(s).unwrap()
}

use Outcome::{Met as M, NotMet as N, NotScanned as U};

#[test]
fn real_ssa_rows_of_january_2025_are_one_site_of_ssa() {
    let registry = Registry::bundled();
    let scores = score_websites(&registry, &snapshot("ssa_rows_key_columns.csv"), &IdeaRules::default());
    // Four rows, all redirecting to https://www.ssa.gov/: one site, scored on the row scanned
    // from ssa.gov itself (the second), joined through SSA's `domains` (ssa.gov).
    assert_eq!(scores.sites.len(), 1);
    let (site, joined) = &scores.sites[0];
    assert_eq!(site.name, host("ssa.gov"));
    assert_eq!(
        site.reached_from,
        [host("ssa.gov"), host("secure.ssa.gov"), host("faq.ssa.gov"), host("socialsecurity.gov")]
    );
    let joined = joined.as_ref().unwrap();
    assert_eq!((joined.provider.as_str(), joined.joined_by), ("ssa", JoinedBy::ProviderDomain));
    // Row 2: https_enforced True, hsts True; uswds_count 132.0 >= 100; viewport True; site_search
    // True but sitemap/robots not in the slice; accessibility counts not in the slice; dap True;
    // no feedback column.
    let outcomes: Vec<Outcome> = site.outcomes.iter().map(|(_, o)| *o).collect();
    assert_eq!(outcomes, [M, M, M, U, U, M, U]);
    let ssa = scores.provider(&slug("ssa")).unwrap();
    // One site: 4 criteria met of 4 judged.
    assert_eq!((ssa.criteria_met(), ssa.criteria_scored()), (4, 4));
    assert!(scores.unattributed.is_empty());
}

#[test]
fn current_layout_rows_scored_per_provider_and_compared_with_2025() {
    let registry = Registry::bundled();
    let rules = IdeaRules::default();
    let now = score_websites(&registry, &snapshot("current_layout_2026_08.csv"), &rules);
    let names: Vec<&str> = now.sites.iter().map(|(s, _)| s.name.as_str()).collect();
    assert_eq!(names, ["blog.ssa.gov", "irs.gov", "la.www4.irs.gov", "search.gov", "ssa.gov"]);
    // search.gov is GSA's, not a HISP's: registered by "General Services Administration", which
    // is never used to join.
    assert_eq!(now.unattributed, [host("search.gov")]);

    // SSA: ssa.gov  = Secure M, Consistent M (132), Mobile M, Searchable M, Accessible N (3
    //                 violations), Measured M, Feedback M (contact, help);
    //      blog.ssa.gov = M, N (0), M, N (no search), M (completed, none found), N (no DAP),
    //                 N (empty list in August 2026).
    let ssa = now.provider(&slug("ssa")).unwrap();
    assert_eq!(ssa.sites, [host("blog.ssa.gov"), host("ssa.gov")]);
    let t = |c: Criterion| ssa.by_criterion[c.index()].1;
    assert_eq!(t(Criterion::Secure), CriterionTally { met: 2, not_met: 0, not_scanned: 0 });
    assert_eq!(t(Criterion::Consistent), CriterionTally { met: 1, not_met: 1, not_scanned: 0 });
    assert_eq!(t(Criterion::Accessible), CriterionTally { met: 1, not_met: 1, not_scanned: 0 });
    // A provider meets a criterion when all its judged sites do: Secure and Mobile only -> 2 of 7.
    assert_eq!((ssa.criteria_met(), ssa.criteria_scored()), (2, 7));
    // Site x criterion checks: met 2+1+2+1+1+1+1 = 9 of 7 x 2 = 14 judged.
    assert_eq!((ssa.checks_met(), ssa.checks_scored()), (9, 14));

    // IRS: irs.gov = M, N (57 < 100), M, M, U (accessibility scan page_frame_not_ready), M, M;
    // la.www4.irs.gov did not resolve: not live, not scored -> 5 of 6 judged.
    let irs = now.provider(&slug("treasury-irs")).unwrap();
    assert_eq!(irs.sites, [host("irs.gov")]);
    assert_eq!(irs.not_live, [host("la.www4.irs.gov")]);
    assert_eq!((irs.criteria_met(), irs.criteria_scored()), (5, 6));
    assert_eq!(irs.criteria()[Criterion::Accessible.index()].1, U);

    // January 2025 (the real full rows) -> August 2026: blog.ssa.gov, irs.gov, la.www4.irs.gov
    // and search.gov added; intws.ssa.gov and vdi.ssa.gov gone; ssa.gov changed only on
    // Feedback, which the 2025 scanner did not look for (U -> M).
    let then = score_websites(&registry, &snapshot("ssa_full_rows_2025_01_16.csv"), &rules);
    let change = compare(&then, &now);
    assert_eq!(change.added, [host("blog.ssa.gov"), host("irs.gov"), host("la.www4.irs.gov"), host("search.gov")]);
    assert_eq!(change.removed, [host("intws.ssa.gov"), host("vdi.ssa.gov")]);
    let changed: Vec<(&str, Criterion, Outcome, Outcome)> =
        change.changed.iter().map(|c| (c.name.as_str(), c.criterion, c.before, c.after)).collect();
    assert_eq!(changed, [("ssa.gov", Criterion::Feedback, U, M)]);
    // SSA's tallies over live sites: then ssa.gov alone, now ssa.gov and blog.ssa.gov.
    // Secure 1 met -> 2 met; Consistent 1/0 -> 1/1; Feedback 0/0/1 -> 1/1/0.
    let ssa_change = |c: Criterion| {
        let t = change.providers.iter().find(|t| t.provider.as_str() == "ssa" && t.criterion == c).unwrap();
        (t.before, t.after)
    };
    assert_eq!(
        ssa_change(Criterion::Secure),
        (CriterionTally { met: 1, not_met: 0, not_scanned: 0 }, CriterionTally { met: 2, not_met: 0, not_scanned: 0 })
    );
    assert_eq!(
        ssa_change(Criterion::Feedback),
        (CriterionTally { met: 0, not_met: 0, not_scanned: 1 }, CriterionTally { met: 1, not_met: 1, not_scanned: 0 })
    );
    // IRS had no site in the SSA slice: its seven tallies are new.
    assert_eq!(change.providers.iter().filter(|t| t.provider.as_str() == "treasury-irs").count(), 7);
}

#[test]
fn real_full_rows_of_january_2025_in_every_pre_2025_column() {
    let registry = Registry::bundled();
    let path = format!(
        "{}/crates/fedcx-ingest/tests/fixtures/site-scanning/ssa_full_rows_2025_01_16.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(&path).unwrap();
    let s = read_snapshot(Path::new(&path), &bytes[..]).unwrap();
    // All 100 columns of the old layout are known (renamed through the alias table or deprecated).
    assert!(s.summary.unknown_columns.is_empty(), "{:?}", s.summary.unknown_columns);
    assert_eq!(
        (s.summary.reconciliation.read, s.summary.reconciliation.accepted, s.summary.reconciliation.rejected),
        (6, 6, 0)
    );
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    let rows: Vec<(&str, Vec<Outcome>)> =
        s.scans.iter().map(|x| (x.name.as_str(), x.outcomes(&IdeaRules::default()).map(|(_, o)| o).to_vec())).collect();
    // (Secure, Consistent, Mobile, Searchable, Accessible, Measured, Feedback), from the cells:
    // vdi: https/hsts False; nothing else scanned (DNS error).
    // intws: https/hsts True; uswds 0.0; viewport False; search False and sitemap/robots False;
    //   {"page-titled":1,"language":1} = 2 violations; dap False.
    // secure (-> www.ssa.gov): 132.0; site_search True, robots True; accessibility
    //   page_frame_not_ready.
    // ssa.gov: robots True (sitemap empty); {"images":1} = 1 violation.
    // faq (-> www.ssa.gov/faqs/en/): uswds 0.0; site_search False and search_dot_gov empty, so
    //   on-site search unknown; {"link-purpose":1}.
    // socialsecurity (-> www.ssa.gov): accessibility unknown_error.
    // No feedback column before 2026: not scanned everywhere.
    assert_eq!(
        rows,
        [
            ("vdi.ssa.gov", vec![N, U, U, U, U, U, U]),
            ("intws.ssa.gov", vec![M, N, N, N, N, N, U]),
            ("ssa.gov", vec![M, M, M, M, U, M, U]),
            ("ssa.gov", vec![M, M, M, M, N, M, U]),
            ("ssa.gov", vec![M, N, M, U, N, M, U]),
            ("ssa.gov", vec![M, M, M, M, U, M, U]),
        ]
    );
    let scores = score_websites(&registry, &s.scans, &IdeaRules::default());
    let ssa = scores.provider(&slug("ssa")).unwrap();
    // Scored on the row scanned from ssa.gov itself (the fourth); intws (500) and vdi (no DNS)
    // are not live. 5 of 6 judged criteria met: all but Accessible; Feedback not scanned.
    assert_eq!(ssa.sites, [host("ssa.gov")]);
    assert_eq!(ssa.not_live, [host("intws.ssa.gov"), host("vdi.ssa.gov")]);
    assert_eq!((ssa.criteria_met(), ssa.criteria_scored()), (5, 6));
}
