//! Website modernization per HISP: each scanned site scored against the IDEA criteria
//! ([`fedcx_model::website::Criterion`]), sites joined to the registry's providers and services by
//! host name, per-provider scores, and what changed between two snapshots. Pure computation over
//! [`SiteScan`] records (fedcx-ingest's `site_scan` reads them).
//!
//! # Rules
//!
//! - **A site is a host name** (the scanner's `name`: the final URL's host without `www.`). Rows
//!   of one snapshot that reach the same site (`socialsecurity.gov` and `secure.ssa.gov` both
//!   redirecting to `www.ssa.gov`) are one site, scored on one row: the row scanned from the site's
//!   own host (`initial_domain == name`) when there is one, else the first in file order. The
//!   others are listed in [`SiteScore::reached_from`].
//! - **Join by host name, never by registrant.** The scan's `agency` and `bureau` say who
//!   registered the domain, not which HISP serves the public on it. A site belongs to (1) the
//!   provider of the registry services whose `url` has the site's host, when they are all one
//!   provider's; else (2) the provider listing the longest dot-boundary suffix of the host in its
//!   `domains` ([`Registry::provider_of_host`]); else (3) the provider whose own `url` has the
//!   host. Otherwise the site is unattributed.
//! - **Only live sites are scored** for a provider (`live` true); the others are listed apart.
//! - **A provider meets a criterion** when every live site of it that the scan could judge meets
//!   it (and at least one could); it does not when any such site does not; "not scanned" when no
//!   site could be judged. [`ProviderWebsites::criteria_met`] out of
//!   [`ProviderWebsites::criteria_scored`] is the "5 of 7 website criteria met" of a report;
//!   [`ProviderWebsites::checks_met`] out of [`ProviderWebsites::checks_scored`] counts site ×
//!   criterion pairs instead.

use std::collections::{BTreeMap, BTreeSet};

use fedcx_model::registry::normalize_host;
use fedcx_model::website::{Criterion, HostName, IdeaRules, Outcome, SiteScan};
use fedcx_model::{ProviderSlug, Registry, ServiceId};
use serde::Serialize;

/// One site's outcomes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteScore {
    /// The site.
    pub name: HostName,
    /// Whether its page answered (the scored row's `live`).
    pub live: Option<bool>,
    /// The initial domains of every row that reached the site, the scored row's first.
    pub reached_from: Vec<HostName>,
    /// Each criterion's outcome, in [`Criterion::ALL`]'s order.
    pub outcomes: [(Criterion, Outcome); 7],
}

impl SiteScore {
    /// The outcome of one criterion.
    pub fn outcome(&self, criterion: Criterion) -> Outcome {
        self.outcomes[criterion.index()].1
    }

    /// Whether the site counts for its provider's scores.
    pub fn is_live(&self) -> bool {
        self.live == Some(true)
    }
}

/// Scores every site of a snapshot, one per host name (see the module's rules), sorted by name.
pub fn score_sites(scans: &[SiteScan], rules: &IdeaRules) -> Vec<SiteScore> {
    let mut by_name: BTreeMap<&HostName, Vec<&SiteScan>> = BTreeMap::new();
    for s in scans {
        by_name.entry(&s.name).or_default().push(s);
    }
    by_name
        .into_iter()
        .map(|(name, rows)| {
            let chosen = rows.iter().position(|r| r.initial_domain.as_ref() == Some(name)).unwrap_or(0);
            let scored = rows[chosen];
            let mut reached_from: Vec<HostName> = scored.initial_domain.iter().cloned().collect();
            for (i, r) in rows.iter().enumerate() {
                if i != chosen {
                    if let Some(d) = &r.initial_domain {
                        if !reached_from.contains(d) {
                            reached_from.push(d.clone());
                        }
                    }
                }
            }
            SiteScore { name: name.clone(), live: scored.live, reached_from, outcomes: scored.outcomes(rules) }
        })
        .collect()
}

/// How a site was joined to its provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinedBy {
    /// A service's `url` is on the site's host.
    ServiceUrl,
    /// The provider's `domains` list a suffix of the host.
    ProviderDomain,
    /// The provider's own `url` is on the host.
    ProviderUrl,
}

/// The provider (and services) a site belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attribution {
    /// The provider.
    pub provider: ProviderSlug,
    /// The provider's services whose `url` is on the site's host (often none: a provider's
    /// services share its main site, or the registry has no service URL).
    pub services: Vec<ServiceId>,
    /// Which rule joined them.
    pub joined_by: JoinedBy,
}

/// The provider a host belongs to, by the module's join rules; `None` when no rule matches.
pub fn attribute(registry: &Registry, host: &HostName) -> Option<Attribution> {
    let on_host = |url: &Option<String>| url.as_deref().and_then(normalize_host).as_deref() == Some(host.as_str());
    let services: Vec<(&ProviderSlug, &ServiceId)> =
        registry.services().filter(|s| on_host(&s.url)).map(|s| (&s.provider, &s.id)).collect();
    let providers: BTreeSet<&ProviderSlug> = services.iter().map(|(p, _)| *p).collect();
    let (provider, joined_by) = match providers.iter().next() {
        Some(p) if providers.len() == 1 => ((*p).clone(), JoinedBy::ServiceUrl),
        _ => {
            if let Some((p, _)) = registry.provider_of_host(host.as_str()) {
                (p.slug.clone(), JoinedBy::ProviderDomain)
            } else {
                let p = registry.providers().find(|p| on_host(&p.url))?;
                (p.slug.clone(), JoinedBy::ProviderUrl)
            }
        }
    };
    let services = services.into_iter().filter(|(p, _)| **p == provider).map(|(_, s)| s.clone()).collect();
    Some(Attribution { provider, services, joined_by })
}

/// How many sites met, did not meet, or could not be judged on one criterion.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CriterionTally {
    /// Sites meeting it.
    pub met: u32,
    /// Sites not meeting it.
    pub not_met: u32,
    /// Sites the scan could not judge.
    pub not_scanned: u32,
}

impl CriterionTally {
    /// Sites judged: met or not.
    pub fn scored(&self) -> u32 {
        self.met + self.not_met
    }

    fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Met => self.met += 1,
            Outcome::NotMet => self.not_met += 1,
            Outcome::NotScanned => self.not_scanned += 1,
        }
    }

    /// The provider-level outcome: met when every judged site meets it, and at least one was judged.
    pub fn outcome(&self) -> Outcome {
        if self.not_met > 0 {
            Outcome::NotMet
        } else if self.met > 0 {
            Outcome::Met
        } else {
            Outcome::NotScanned
        }
    }
}

/// One provider's websites and their scores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProviderWebsites {
    /// The provider.
    pub provider: ProviderSlug,
    /// Its live sites, scored, by name.
    pub sites: Vec<HostName>,
    /// Its sites that were not live (or whose liveness the scan did not record): not scored.
    pub not_live: Vec<HostName>,
    /// Per criterion, over its live sites.
    pub by_criterion: [(Criterion, CriterionTally); 7],
}

impl ProviderWebsites {
    /// The provider-level outcome of each criterion ([`CriterionTally::outcome`]).
    pub fn criteria(&self) -> [(Criterion, Outcome); 7] {
        self.by_criterion.map(|(c, t)| (c, t.outcome()))
    }

    /// Criteria the provider meets.
    pub fn criteria_met(&self) -> usize {
        self.criteria().iter().filter(|(_, o)| *o == Outcome::Met).count()
    }

    /// Criteria that could be judged for the provider (met or not).
    pub fn criteria_scored(&self) -> usize {
        self.criteria().iter().filter(|(_, o)| *o != Outcome::NotScanned).count()
    }

    /// Site × criterion pairs met.
    pub fn checks_met(&self) -> u32 {
        self.by_criterion.iter().map(|(_, t)| t.met).sum()
    }

    /// Site × criterion pairs judged.
    pub fn checks_scored(&self) -> u32 {
        self.by_criterion.iter().map(|(_, t)| t.scored()).sum()
    }
}

/// A snapshot scored and joined to the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebsiteScores {
    /// Every site with its provider, if any, by name.
    pub sites: Vec<(SiteScore, Option<Attribution>)>,
    /// Providers with at least one site, by slug.
    pub providers: Vec<ProviderWebsites>,
    /// Sites no provider claims, by name.
    pub unattributed: Vec<HostName>,
}

impl WebsiteScores {
    /// A provider's scores, if it has a site.
    pub fn provider(&self, slug: &ProviderSlug) -> Option<&ProviderWebsites> {
        self.providers.iter().find(|p| &p.provider == slug)
    }
}

/// Scores a snapshot's sites and rolls them up to providers.
pub fn score_websites(registry: &Registry, scans: &[SiteScan], rules: &IdeaRules) -> WebsiteScores {
    let mut providers: BTreeMap<ProviderSlug, ProviderWebsites> = BTreeMap::new();
    let mut unattributed = Vec::new();
    let mut sites = Vec::new();
    for site in score_sites(scans, rules) {
        let attribution = attribute(registry, &site.name);
        match &attribution {
            Some(a) => {
                let entry = providers.entry(a.provider.clone()).or_insert_with(|| ProviderWebsites {
                    provider: a.provider.clone(),
                    sites: Vec::new(),
                    not_live: Vec::new(),
                    by_criterion: Criterion::ALL.map(|c| (c, CriterionTally::default())),
                });
                if site.is_live() {
                    entry.sites.push(site.name.clone());
                    for (c, o) in site.outcomes {
                        entry.by_criterion[c.index()].1.add(o);
                    }
                } else {
                    entry.not_live.push(site.name.clone());
                }
            }
            None => unattributed.push(site.name.clone()),
        }
        sites.push((site, attribution));
    }
    WebsiteScores { sites, providers: providers.into_values().collect(), unattributed }
}

/// One site's outcome on one criterion, before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutcomeChange {
    /// The site.
    pub name: HostName,
    /// The criterion.
    pub criterion: Criterion,
    /// In the earlier snapshot.
    pub before: Outcome,
    /// In the later one.
    pub after: Outcome,
}

/// One provider's tally on one criterion, before and after (zero where it had no site).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TallyChange {
    /// The provider.
    pub provider: ProviderSlug,
    /// The criterion.
    pub criterion: Criterion,
    /// In the earlier snapshot.
    pub before: CriterionTally,
    /// In the later one.
    pub after: CriterionTally,
}

/// What changed between two scored snapshots.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SnapshotChange {
    /// Sites only in the later snapshot, by name.
    pub added: Vec<HostName>,
    /// Sites only in the earlier one, by name.
    pub removed: Vec<HostName>,
    /// Sites in both whose outcome on a criterion differs, by name then criterion.
    pub changed: Vec<OutcomeChange>,
    /// Provider tallies that differ, by provider then criterion.
    pub providers: Vec<TallyChange>,
}

/// Compares two scored snapshots criterion by criterion.
pub fn compare(before: &WebsiteScores, after: &WebsiteScores) -> SnapshotChange {
    let index = |s: &WebsiteScores| -> BTreeMap<HostName, [(Criterion, Outcome); 7]> {
        s.sites.iter().map(|(site, _)| (site.name.clone(), site.outcomes)).collect()
    };
    let (b, a) = (index(before), index(after));
    let mut change = SnapshotChange {
        added: a.keys().filter(|k| !b.contains_key(*k)).cloned().collect(),
        removed: b.keys().filter(|k| !a.contains_key(*k)).cloned().collect(),
        ..SnapshotChange::default()
    };
    for (name, was) in &b {
        let Some(now) = a.get(name) else { continue };
        for ((criterion, before), (_, after)) in was.iter().zip(now) {
            if before != after {
                change.changed.push(OutcomeChange {
                    name: name.clone(),
                    criterion: *criterion,
                    before: *before,
                    after: *after,
                });
            }
        }
    }
    let tallies = |s: &WebsiteScores| -> BTreeMap<ProviderSlug, [(Criterion, CriterionTally); 7]> {
        s.providers.iter().map(|p| (p.provider.clone(), p.by_criterion)).collect()
    };
    let (tb, ta) = (tallies(before), tallies(after));
    let empty = Criterion::ALL.map(|c| (c, CriterionTally::default()));
    let slugs: BTreeSet<&ProviderSlug> = tb.keys().chain(ta.keys()).collect();
    for slug in slugs {
        let was = tb.get(slug).unwrap_or(&empty);
        let now = ta.get(slug).unwrap_or(&empty);
        for ((criterion, before), (_, after)) in was.iter().zip(now) {
            if before != after {
                change.providers.push(TallyChange {
                    provider: slug.clone(),
                    criterion: *criterion,
                    before: *before,
                    after: *after,
                });
            }
        }
    }
    change
}

#[cfg(test)]
mod tests {
    use super::*;
    use fedcx_model::website::ScanStatus;

    /// Two providers of one department: `a` lists `a.gov`, and its service `a-apply` lives on
    /// `apply.b.gov`, a host under `b`'s domain; `c` lists no domain, only its own URL.
    const REGISTRY: &str = r#"
        [[organization]]
        id = "dept"
        name = "Dept"
        abbreviation = "D"

        [[provider]]
        slug = "a"
        name = "A"
        organization = "dept"
        bureau_abbreviation = "A"
        year_designated = 2022
        url = "https://www.a.gov"
        domains = ["a.gov"]

        [[provider]]
        slug = "b"
        name = "B"
        organization = "dept"
        bureau_abbreviation = "B"
        year_designated = 2022
        domains = ["b.gov"]

        [[provider]]
        slug = "c"
        name = "C"
        organization = "dept"
        bureau_abbreviation = "C"
        year_designated = 2022
        url = "https://portal.c-agency.gov/home"

        [[service]]
        id = "a-apply"
        provider = "a"
        name = "Apply"
        kind = "Benefits"
        channels = ["computer"]
        url = "https://apply.b.gov/start"
    "#;

    fn registry() -> Registry {
        Registry::from_toml_str(REGISTRY).unwrap()
    }

    fn host(s: &str) -> HostName {
        HostName::parse(s).unwrap()
    }

    /// A live, completed scan of `name` (reached from `initial`) with the given criterion values.
    fn scan(
        name: &str,
        initial: &str,
        live: bool,
        https: Option<bool>,
        uswds: Option<u32>,
        dap: Option<bool>,
    ) -> SiteScan {
        SiteScan {
            name: host(name),
            initial_domain: Some(host(initial)),
            final_url: None,
            scan_date: chrono::NaiveDate::from_ymd_opt(2026, 8, 1).unwrap(),
            agency: None,
            bureau: None,
            live: Some(live),
            primary_scan_status: ScanStatus::Completed,
            accessibility_scan_status: None,
            https_enforced: https,
            hsts: https,
            uswds_count: uswds,
            viewport_meta_tag: None,
            site_search: None,
            search_dot_gov: None,
            sitemap_xml_detected: None,
            robots_txt_detected: None,
            accessibility_violations: None,
            dap,
            visits: None,
            pageviews: None,
            feedback_links: None,
        }
    }

    #[test]
    fn joins_by_service_url_then_domains_then_provider_url() {
        let r = registry();
        let a = attribute(&r, &host("apply.b.gov")).unwrap();
        // The service URL beats b's domain list.
        assert_eq!((a.provider.as_str(), a.joined_by), ("a", JoinedBy::ServiceUrl));
        assert_eq!(a.services.iter().map(|s| s.as_str()).collect::<Vec<_>>(), ["a-apply"]);
        let b = attribute(&r, &host("www.forms.b.gov")).unwrap();
        assert_eq!((b.provider.as_str(), b.joined_by), ("b", JoinedBy::ProviderDomain));
        assert!(b.services.is_empty());
        let c = attribute(&r, &host("portal.c-agency.gov")).unwrap();
        assert_eq!((c.provider.as_str(), c.joined_by), ("c", JoinedBy::ProviderUrl));
        // A dot boundary: nota.gov is not a.gov; and no registrant text is ever consulted.
        assert_eq!(attribute(&r, &host("nota.gov")), None);
        assert_eq!(attribute(&r, &host("c-agency.gov")), None);
    }

    #[test]
    fn one_site_per_host_scored_on_the_row_scanned_from_it() {
        let rules = IdeaRules::default();
        // x.a.gov redirects to a.gov; its row comes first but the direct row is the one scored.
        let rows = [
            scan("a.gov", "x.a.gov", true, Some(false), Some(0), Some(false)),
            scan("a.gov", "a.gov", true, Some(true), Some(150), Some(true)),
        ];
        let sites = score_sites(&rows, &rules);
        assert_eq!(sites.len(), 1);
        assert_eq!(sites[0].reached_from, [host("a.gov"), host("x.a.gov")]);
        assert_eq!(sites[0].outcome(Criterion::Secure), Outcome::Met);
        assert_eq!(sites[0].outcome(Criterion::Measured), Outcome::Met);
        // Without a direct row, the first in file order.
        let sites = score_sites(&rows[..1], &rules);
        assert_eq!(sites[0].outcome(Criterion::Secure), Outcome::NotMet);
    }

    #[test]
    fn provider_scores_by_hand() {
        let r = registry();
        let rules = IdeaRules::default();
        let rows = [
            // a: two live sites and a dead one.
            scan("a.gov", "a.gov", true, Some(true), Some(150), Some(true)),
            scan("apply.b.gov", "apply.b.gov", true, Some(true), Some(40), None),
            scan("old.a.gov", "old.a.gov", false, Some(false), None, None),
            // b: one site.
            scan("b.gov", "b.gov", true, Some(false), None, Some(true)),
            // nobody's.
            scan("other.gov", "other.gov", true, Some(true), Some(0), Some(true)),
        ];
        let s = score_websites(&r, &rows, &rules);
        assert_eq!(s.unattributed, [host("other.gov")]);
        let a = s.provider(&ProviderSlug::new("a").unwrap()).unwrap();
        assert_eq!(a.sites, [host("a.gov"), host("apply.b.gov")]);
        assert_eq!(a.not_live, [host("old.a.gov")]);
        // Secure: a.gov met, apply.b.gov met -> 2 met, provider met.
        // Consistent: 150 >= 100 met, 40 < 100 not met -> provider not met.
        // Measured: a.gov met, apply.b.gov not scanned -> 1 met, 1 not scanned, provider met.
        // The other four criteria: nothing in these rows -> 2 not scanned each.
        let t = |c: Criterion| a.by_criterion[c.index()].1;
        assert_eq!(t(Criterion::Secure), CriterionTally { met: 2, not_met: 0, not_scanned: 0 });
        assert_eq!(t(Criterion::Consistent), CriterionTally { met: 1, not_met: 1, not_scanned: 0 });
        assert_eq!(t(Criterion::Measured), CriterionTally { met: 1, not_met: 0, not_scanned: 1 });
        assert_eq!(t(Criterion::Feedback), CriterionTally { met: 0, not_met: 0, not_scanned: 2 });
        // Criteria: Secure and Measured met, Consistent not: 2 of 3 judged.
        assert_eq!((a.criteria_met(), a.criteria_scored()), (2, 3));
        // Checks: met 2 + 1 + 1 = 4 of judged 2 + 2 + 1 = 5.
        assert_eq!((a.checks_met(), a.checks_scored()), (4, 5));
        let b = s.provider(&ProviderSlug::new("b").unwrap()).unwrap();
        // Secure not met (https false), Consistent not scanned, Measured met: 1 of 2.
        assert_eq!((b.criteria_met(), b.criteria_scored()), (1, 2));
    }

    #[test]
    fn changes_criterion_by_criterion_and_sites_added_or_removed() {
        let r = registry();
        let rules = IdeaRules::default();
        let before = score_websites(
            &r,
            &[
                scan("a.gov", "a.gov", true, Some(false), Some(150), None),
                scan("gone.a.gov", "gone.a.gov", true, None, None, None),
            ],
            &rules,
        );
        let after = score_websites(
            &r,
            &[
                scan("a.gov", "a.gov", true, Some(true), Some(150), Some(true)),
                scan("new.b.gov", "new.b.gov", true, None, None, None),
            ],
            &rules,
        );
        let c = compare(&before, &after);
        assert_eq!(c.added, [host("new.b.gov")]);
        assert_eq!(c.removed, [host("gone.a.gov")]);
        let changed: Vec<(Criterion, Outcome, Outcome)> =
            c.changed.iter().map(|x| (x.criterion, x.before, x.after)).collect();
        assert_eq!(
            changed,
            [
                (Criterion::Secure, Outcome::NotMet, Outcome::Met),
                (Criterion::Measured, Outcome::NotScanned, Outcome::Met)
            ]
        );
        // Provider a: Secure 0/1 met (+1 not scanned for gone.a.gov) -> 1 met; every criterion's
        // not-scanned count drops with gone.a.gov. Provider b appears with 7 not-scanned tallies.
        let a_secure =
            c.providers.iter().find(|t| t.provider.as_str() == "a" && t.criterion == Criterion::Secure).unwrap();
        assert_eq!(a_secure.before, CriterionTally { met: 0, not_met: 1, not_scanned: 1 });
        assert_eq!(a_secure.after, CriterionTally { met: 1, not_met: 0, not_scanned: 0 });
        assert_eq!(c.providers.iter().filter(|t| t.provider.as_str() == "b").count(), 7);
    }

    fn opt_bool() -> impl proptest::strategy::Strategy<Value = Option<bool>> {
        proptest::option::of(proptest::bool::ANY)
    }

    proptest::proptest! {
        /// Every site is attributed or not, exactly once; each provider's tally of each criterion
        /// counts each of its live sites once; a provider meets a criterion only if no judged
        /// site fails it.
        #[test]
        fn every_site_is_counted_once(
            rows in proptest::collection::vec(
                (0usize..6, 0usize..6, proptest::bool::ANY, opt_bool(), proptest::option::of(0u32..300), opt_bool()),
                0..20,
            ),
        ) {
            const HOSTS: [&str; 6] = ["a.gov", "x.a.gov", "apply.b.gov", "b.gov", "portal.c-agency.gov", "other.gov"];
            let scans: Vec<SiteScan> =
                rows.iter().map(|&(n, i, live, https, uswds, dap)| scan(HOSTS[n], HOSTS[i], live, https, uswds, dap)).collect();
            let s = score_websites(&registry(), &scans, &IdeaRules::default());
            let distinct: BTreeSet<&str> = rows.iter().map(|r| HOSTS[r.0]).collect();
            let in_providers: usize = s.providers.iter().map(|p| p.sites.len() + p.not_live.len()).sum();
            proptest::prop_assert_eq!(in_providers + s.unattributed.len(), distinct.len());
            proptest::prop_assert_eq!(s.sites.len(), distinct.len());
            for p in &s.providers {
                for (c, t) in p.by_criterion {
                    proptest::prop_assert_eq!((t.scored() + t.not_scanned) as usize, p.sites.len(), "{}", c);
                    if t.outcome() == Outcome::Met {
                        proptest::prop_assert_eq!(t.not_met, 0);
                    }
                }
                proptest::prop_assert!(p.criteria_met() <= p.criteria_scored());
                proptest::prop_assert!(p.checks_met() <= p.checks_scored());
            }
            let same = compare(&s, &s);
            proptest::prop_assert_eq!(same, SnapshotChange::default());
        }
    }
}
