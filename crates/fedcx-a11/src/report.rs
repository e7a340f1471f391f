//! The numbers of the human report, computed once from counts and index results; every output
//! format renders this same structure, so they cannot disagree.

use std::collections::BTreeMap;

use fedcx_index::scores::{self, Comparison, GroupScores, Metric, ScoreConfig, TrendPoint};
use fedcx_index::stats::Share;
use fedcx_model::{BenchmarkPoint, FiscalQuarter, Registry, ResponseCounts, SurveyVersion};
use serde::Serialize;

/// How many quarters trends show.
pub const TREND_QUARTERS: usize = 8;

/// The ACSI-style index, estimated elsewhere (fedcx-index), as the report shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndexSummary {
    /// What was estimated on what data, e.g. "A-11 PLS model, FY2023 version-1 responses".
    pub label: String,
    /// The index, 0-100.
    pub value: f64,
    /// Bootstrap 95% interval, when computed.
    pub interval: Option<(f64, f64)>,
    /// Respondents the model was estimated on.
    pub respondents: usize,
}

/// A benchmark line for the index chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchmarkLine {
    /// For people, e.g. "Federal government (ACSI, 2021)".
    pub label: String,
    /// The value, 0-100.
    pub value: f64,
}

/// One HISP's section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProviderSection {
    /// Slug.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Department abbreviation.
    pub agency: String,
    /// Scores for the quarter, all services and channels.
    pub scores: GroupScores,
    /// Trust trend.
    pub trust_trend: Vec<TrendPoint>,
    /// Digital minus assisted trust, when both have answers.
    pub delivery_gap: Option<Comparison>,
    /// Each service's scores for the quarter.
    pub services: Vec<(String, String, GroupScores)>,
    /// Web visits in the quarter's months to hosts under the provider's registered domains, and
    /// the domains that had any (comma-separated), when DAP data covers one of them.
    pub web_visits: Option<(String, u64)>,
}

/// Everything the human report shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuarterReport {
    /// The quarter.
    pub quarter: FiscalQuarter,
    /// The survey version in force.
    pub version: SurveyVersion,
    /// Groups below this many responses are suppressed.
    pub min_responses: u64,
    /// Government-wide scores for the quarter.
    pub government: GroupScores,
    /// Government-wide trust trend over the last eight quarters.
    pub trust_trend: Vec<TrendPoint>,
    /// Government-wide satisfaction trend (version-1 q1; version 2 does not ask it).
    pub satisfaction_trend: Vec<TrendPoint>,
    /// Trust on digital and on assisted channels, government-wide.
    pub delivery: Option<Comparison>,
    /// The ACSI-style index.
    pub index: Option<IndexSummary>,
    /// Benchmark lines for the index.
    pub benchmarks: Vec<BenchmarkLine>,
    /// HISPs with the largest drop in trust from the previous quarter, largest first (at most five).
    pub largest_drops: Vec<(String, String, Comparison)>,
    /// Per HISP.
    pub providers: Vec<ProviderSection>,
    /// The provider's reflection on the quarter, as given with `--reflection`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reflection: Option<String>,
    /// Web visits in the quarter's months to hosts no provider's domains cover, by host, most
    /// visited first: listed, not dropped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unattributed_web_visits: Vec<(String, u64)>,
    /// What the records could not reconcile (declared respondents against those counted, responses
    /// without a detail), each naming its detail or group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub record_notes: Vec<String>,
}

/// Builds the report's numbers.
pub fn build(
    registry: &Registry,
    counts: &ResponseCounts,
    quarter: FiscalQuarter,
    config: &ScoreConfig,
    index: Option<IndexSummary>,
    benchmarks: &[BenchmarkPoint],
    web_traffic: &BTreeMap<(String, String), u64>,
) -> QuarterReport {
    let quarters = quarter.trailing(TREND_QUARTERS);
    let in_q = |k: &fedcx_model::GroupKey| k.quarter == quarter;
    let government = scores::score(&counts.sum_where(in_q), config);
    let trust_trend = scores::trend(counts, Metric::Trust, &quarters, config, |_| true);
    let satisfaction_trend = scores::trend(counts, Metric::Satisfaction, &quarters, config, |_| true);
    let delivery = scores::delivery_gap(counts, Metric::Trust, in_q);
    let months = quarter_months(quarter);
    let (mut web, unattributed_web_visits) = web_rollup(registry, web_traffic, &months);
    let mut providers = Vec::new();
    for p in registry.providers() {
        let of_p = |k: &fedcx_model::GroupKey| registry.provider_of(&k.service).is_some_and(|sp| sp.slug == p.slug);
        let dept = registry.department_of(&p.organization);
        // A service listed for other years (retired, or not yet designated) appears only if it
        // has answers this quarter, so retired entries do not show as empty rows.
        let services = registry
            .services_of(&p.slug)
            .filter(|s| {
                s.reported_in(quarter.year()) || counts.iter().any(|(k, _)| k.quarter == quarter && k.service == s.id)
            })
            .map(|s| {
                let t = counts.sum_where(|k| k.quarter == quarter && k.service == s.id);
                (s.id.to_string(), s.name.clone(), scores::score(&t, config))
            })
            .collect();
        let web_visits = web.remove(p.slug.as_str()).map(|(matched, visits)| {
            let listed: Vec<&str> = p.domains.iter().map(String::as_str).filter(|d| matched.contains(d)).collect();
            (listed.join(", "), visits)
        });
        providers.push(ProviderSection {
            slug: p.slug.to_string(),
            name: p.name.clone(),
            agency: registry.organization(dept).map_or_else(|| dept.to_string(), |o| o.abbreviation.clone()),
            scores: scores::score(&counts.sum_where(|k| k.quarter == quarter && of_p(k)), config),
            trust_trend: scores::trend(counts, Metric::Trust, &quarters, config, of_p),
            delivery_gap: scores::delivery_gap(counts, Metric::Trust, |k| k.quarter == quarter && of_p(k)),
            services,
            web_visits,
        });
    }
    let largest_drops = scores::largest_drops(counts, Metric::Trust, quarter, registry, config)
        .into_iter()
        .filter(|(_, c)| c.difference.value < 0.0)
        .take(5)
        .map(|(slug, c)| {
            let name = registry.provider(&slug).map_or_else(|| slug.to_string(), |p| p.name.clone());
            (slug.to_string(), name, c)
        })
        .collect();
    QuarterReport {
        quarter,
        version: SurveyVersion::for_quarter(quarter),
        min_responses: config.min_responses,
        government,
        trust_trend,
        satisfaction_trend,
        delivery,
        index,
        benchmarks: benchmark_lines(benchmarks),
        largest_drops,
        providers,
        reflection: None,
        record_notes: Vec::new(),
        unattributed_web_visits,
    }
}

/// Per provider slug: the domains of its `domains` that matched a host, and the visits.
type ProviderVisits<'r> = BTreeMap<&'r str, (std::collections::BTreeSet<&'r str>, u64)>;

/// Rolls the web visits of the quarter's months up to providers: each host counts for the
/// provider whose registered domain is its longest suffix on a dot boundary
/// ([`Registry::provider_of_host`]). Returns, by provider slug, the domains that matched and the
/// visits; and the hosts no provider owns with their visits, most visited first. Every visit of
/// those months lands in exactly one of the two.
fn web_rollup<'r>(
    registry: &'r Registry,
    web_traffic: &BTreeMap<(String, String), u64>,
    months: &[String],
) -> (ProviderVisits<'r>, Vec<(String, u64)>) {
    let mut by_provider = ProviderVisits::new();
    let mut unattributed: BTreeMap<String, u64> = BTreeMap::new();
    for ((host, month), visits) in web_traffic {
        if !months.contains(month) {
            continue;
        }
        match registry.provider_of_host(host) {
            Some((p, domain)) => {
                let entry = by_provider.entry(p.slug.as_str()).or_default();
                entry.0.insert(domain);
                entry.1 = entry.1.saturating_add(*visits);
            }
            None => {
                let shown = fedcx_model::registry::normalize_host(host).unwrap_or_else(|| host.clone());
                let total = unattributed.entry(shown).or_default();
                *total = total.saturating_add(*visits);
            }
        }
    }
    let mut unattributed: Vec<(String, u64)> = unattributed.into_iter().collect();
    unattributed.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    (by_provider, unattributed)
}

/// The federal and private-sector lines: the latest ingested value of each ACSI series, or the
/// published figures (federal government 63.4 in 2021; private business services 71.9 in 1999).
fn benchmark_lines(points: &[BenchmarkPoint]) -> Vec<BenchmarkLine> {
    let latest = |series: &str| points.iter().filter(|p| p.series == series).max_by_key(|p| p.year);
    let federal = latest("acsi_federal_government")
        .map(|p| (p.year, p.value.to_string().parse().unwrap_or(f64::NAN)))
        .unwrap_or((2021, 63.4));
    let private = latest("acsi_private_business_services")
        .map(|p| (p.year, p.value.to_string().parse().unwrap_or(f64::NAN)))
        .unwrap_or((1999, 71.9));
    vec![
        BenchmarkLine { label: format!("Federal government (ACSI, {})", federal.0), value: federal.1 },
        BenchmarkLine { label: format!("Private business services (ACSI, {})", private.0), value: private.1 },
    ]
}

/// The `YYYY-MM` months of a fiscal quarter.
fn quarter_months(q: FiscalQuarter) -> Vec<String> {
    let start = q.start_date();
    (0..3)
        .map(|i| {
            let m0 = start.format("%m").to_string().parse::<u32>().unwrap_or(1) - 1 + i;
            let y: i32 = start.format("%Y").to_string().parse().unwrap_or(0) + (m0 / 12) as i32;
            format!("{y:04}-{:02}", m0 % 12 + 1)
        })
        .collect()
}

/// A share as people read it: "72.4% [70.1, 74.6]", or the suppression notice.
pub fn share_text(share: Option<&Share>, min: u64) -> String {
    match share {
        Some(s) if s.n >= min => format!("{:.1}% [{:.1}, {:.1}]", 100.0 * s.value, 100.0 * s.lo, 100.0 * s.hi),
        Some(_) => suppressed(min),
        None => "no answers".to_owned(),
    }
}

/// An index's bootstrap interval as text, " [lo, hi]", or nothing when none was computed.
pub fn interval_text(index: &IndexSummary) -> String {
    index.interval.map_or(String::new(), |(lo, hi)| format!(" [{lo:.1}, {hi:.1}]"))
}

/// A change in points with its interval: "-19.2 [-36.1, -0.6]".
pub fn change_text(d: &fedcx_index::stats::Difference) -> String {
    format!("{:+.1} [{:+.1}, {:+.1}]", 100.0 * d.value, 100.0 * d.lo, 100.0 * d.hi)
}

/// What the report says when no index could be estimated.
pub const INDEX_NOT_ESTIMATED: &str = "Not estimated: no respondent-level version-1 answers were ingested.";

/// The suppression notice.
pub fn suppressed(min: u64) -> String {
    format!("suppressed (n < {min})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_of_quarters() {
        assert_eq!(quarter_months("FY2025 Q1".parse().unwrap()), ["2024-10", "2024-11", "2024-12"]);
        assert_eq!(quarter_months("FY2025 Q2".parse().unwrap()), ["2025-01", "2025-02", "2025-03"]);
    }

    #[test]
    fn web_visits_roll_up_to_the_provider_owning_the_longest_domain_suffix() {
        let registry = Registry::bundled();
        let q = |m: &str| m.to_owned();
        let traffic = BTreeMap::from([
            // www. and subdomains of irs.gov are IRS's; notirs.gov is not.
            ((q("irs.gov"), q("2024-01")), 100),
            ((q("sa.www4.irs.gov"), q("2024-02")), 20),
            ((q("notirs.gov"), q("2024-01")), 7),
            // benefits.va.gov is VBA's; va.gov itself no bureau's (VA's department-wide site).
            ((q("benefits.va.gov"), q("2024-03")), 30),
            ((q("www.benefits.va.gov"), q("2024-03")), 3),
            ((q("va.gov"), q("2024-01")), 50),
            // Outside the quarter: not counted anywhere.
            ((q("irs.gov"), q("2024-04")), 1_000),
            // A key stored before hosts were normalised is normalised here.
            ((q("WWW.SSA.GOV"), q("2024-01")), 9),
        ]);
        let months = quarter_months("FY2024 Q2".parse().unwrap());
        let (by_provider, unattributed) = web_rollup(&registry, &traffic, &months);
        let got = |slug: &str| by_provider.get(slug).map(|(d, v)| (d.iter().copied().collect::<Vec<_>>(), *v));
        assert_eq!(got("treasury-irs"), Some((vec!["irs.gov"], 120)));
        assert_eq!(got("va-vba"), Some((vec!["benefits.va.gov"], 33)));
        assert_eq!(got("ssa"), Some((vec!["ssa.gov"], 9)));
        assert_eq!(got("va-vha"), None);
        assert_eq!(unattributed, [(q("va.gov"), 50), (q("notirs.gov"), 7)]);
        let attributed: u64 = by_provider.values().map(|(_, v)| v).sum();
        let listed: u64 = unattributed.iter().map(|(_, v)| v).sum();
        assert_eq!(attributed + listed, 100 + 20 + 7 + 30 + 3 + 50 + 9, "every visit of the quarter lands once");
    }

    #[test]
    fn suppression_text() {
        let s = Share::wilson(10, 20).unwrap();
        assert_eq!(share_text(Some(&s), 30), "suppressed (n < 30)");
        assert_eq!(share_text(Some(&s), 20), "50.0% [29.9, 70.1]");
        assert_eq!(share_text(None, 30), "no answers");
    }
}
