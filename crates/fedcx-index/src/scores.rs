//! A-11 driver scores computed from counts alone: shares agreeing and disagreeing with Wilson
//! intervals, means, version-2 indicator shares, roll-ups, the trust trend across survey versions,
//! and comparisons between quarters and between digital and assisted channels.

use std::collections::BTreeMap;

use fedcx_model::survey::{Indicator, Polarity, V1_QUESTION_COUNT};
use fedcx_model::{
    Delivery, FiscalQuarter, GroupKey, Likert, ProviderSlug, Registry, ResponseCounts, ScaleCounts, ServiceId,
    SurveyVersion, Tally,
};
use serde::Serialize;

use crate::stats::{difference, Difference, Share};

/// The default minimum number of responses below which a group is suppressed in reports.
pub const DEFAULT_MIN_RESPONSES: u64 = 30;

/// Settings for scoring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScoreConfig {
    /// Groups with fewer responses than this are flagged for suppression.
    pub min_responses: u64,
}

impl Default for ScoreConfig {
    fn default() -> ScoreConfig {
        ScoreConfig { min_responses: DEFAULT_MIN_RESPONSES }
    }
}

/// Scores of one 5-point question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionScore {
    /// Question number (1-11 in version 1).
    pub question: u8,
    /// Answers on the scale (N/A excluded).
    pub n: u64,
    /// Answers of "not applicable", counted apart.
    pub not_applicable: u64,
    /// Share answering 4 or 5.
    pub agree: Option<Share>,
    /// Share answering 1 or 2.
    pub disagree: Option<Share>,
    /// Mean on the 1-5 scale.
    pub mean: Option<f64>,
    /// Counts at each point, 1 to 5.
    pub counts: ScaleCounts,
}

impl QuestionScore {
    fn from_counts(question: u8, counts: &ScaleCounts, not_applicable: u64) -> QuestionScore {
        let n: u64 = counts.iter().sum();
        QuestionScore {
            question,
            n,
            not_applicable,
            agree: Share::wilson(counts[3] + counts[4], n),
            disagree: Share::wilson(counts[0] + counts[1], n),
            mean: Likert::mean_of(counts),
            counts: *counts,
        }
    }
}

/// Scores of the version-2 trust question, both scales together.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrustScore {
    /// All trust answers.
    pub n: u64,
    /// Answers on the thumbs scale.
    pub thumbs_n: u64,
    /// Answers on the 5-point scale.
    pub likert_n: u64,
    /// Share agreeing: thumbs up, or 4-5.
    pub agree: Option<Share>,
    /// Share disagreeing: thumbs down, or 1-2.
    pub disagree: Option<Share>,
    /// Mean of the 5-point answers; thumbs answers have no mean.
    pub mean: Option<f64>,
}

/// How often one indicator was chosen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorScore {
    /// The indicator.
    pub indicator: Indicator,
    /// Under which question.
    pub polarity: Polarity,
    /// Among the respondents it was offered to, the share who selected it.
    pub selected: Option<Share>,
}

/// Every score of one group of counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupScores {
    /// Version-1 respondents.
    pub respondents_v1: u64,
    /// Version-2 respondents.
    pub respondents_v2: u64,
    /// Fewer responses than the minimum: reports show "suppressed" instead of numbers.
    pub suppressed: bool,
    /// Version-1 questions that were answered at all, in order.
    pub v1: Vec<QuestionScore>,
    /// The version-2 trust question, when any version-2 response was counted.
    pub trust_v2: Option<TrustScore>,
    /// Version-2 indicators that were offered at all.
    pub indicators: Vec<IndicatorScore>,
}

/// Scores one tally.
pub fn score(t: &Tally, config: &ScoreConfig) -> GroupScores {
    let v1 = (0..V1_QUESTION_COUNT)
        .filter(|&i| t.v1.scores[i].iter().sum::<u64>() + t.v1.not_applicable[i] > 0)
        .map(|i| QuestionScore::from_counts(i as u8 + 1, &t.v1.scores[i], t.v1.not_applicable[i]))
        .collect();
    let trust_v2 = (t.v2.respondents > 0).then(|| trust_score(t));
    let mut indicators = Vec::new();
    for p in Polarity::ALL {
        for ind in Indicator::ALL {
            let it = t.v2.indicator(p, ind);
            if it.offered > 0 {
                indicators.push(IndicatorScore {
                    indicator: ind,
                    polarity: p,
                    selected: Share::wilson(it.selected, it.offered),
                });
            }
        }
    }
    GroupScores {
        respondents_v1: t.v1.respondents,
        respondents_v2: t.v2.respondents,
        suppressed: t.respondents() < config.min_responses,
        v1,
        trust_v2,
        indicators,
    }
}

fn trust_score(t: &Tally) -> TrustScore {
    let thumbs_n = t.v2.thumbs[0] + t.v2.thumbs[1];
    let l = &t.v2.likert;
    let likert_n: u64 = l.iter().sum();
    let n = thumbs_n + likert_n;
    TrustScore {
        n,
        thumbs_n,
        likert_n,
        agree: Share::wilson(t.v2.thumbs[1] + l[3] + l[4], n),
        disagree: Share::wilson(t.v2.thumbs[0] + l[0] + l[1], n),
        mean: Likert::mean_of(l),
    }
}

/// A share that can be compared across groups and quarters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Metric {
    /// Trust agreement: version-1 q2 and version-2 question_1 together, so trends span both versions.
    Trust,
    /// Satisfaction agreement (version-1 q1).
    Satisfaction,
    /// Agreement with one version-1 question, by number.
    V1Question(fedcx_model::V1Question),
}

impl Metric {
    /// The metric's share in a tally, or `None` when nobody answered.
    pub fn share(self, t: &Tally) -> Option<Share> {
        let (agree, n) = self.agree_and_n(t);
        Share::wilson(agree, n)
    }

    fn agree_and_n(self, t: &Tally) -> (u64, u64) {
        let v1 = |q: usize| {
            let c = &t.v1.scores[q];
            (c[3] + c[4], c.iter().sum::<u64>())
        };
        match self {
            Metric::Trust => {
                let (a1, n1) = v1(1);
                let l = &t.v2.likert;
                let a2 = t.v2.thumbs[1] + l[3] + l[4];
                let n2 = t.v2.thumbs[0] + t.v2.thumbs[1] + l.iter().sum::<u64>();
                (a1 + a2, n1 + n2)
            }
            Metric::Satisfaction => v1(0),
            Metric::V1Question(q) => v1(q.index()),
        }
    }

    /// A label for people.
    pub fn label(self) -> String {
        match self {
            Metric::Trust => "Trust (agree)".to_owned(),
            Metric::Satisfaction => "Satisfaction (agree)".to_owned(),
            Metric::V1Question(q) => format!("q{} (agree)", q.number()),
        }
    }
}

/// The level counts are rolled up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// One service on one channel.
    ServiceChannel,
    /// One service, all channels.
    Service,
    /// One HISP.
    Provider,
    /// One department or independent agency.
    Agency,
    /// All of government.
    Government,
    /// Digital or assisted channels, government-wide.
    Delivery,
}

/// The label of the group a count belongs to at a level (a service id, a provider slug, ...).
pub fn group_label(key: &GroupKey, level: Level, registry: &Registry) -> String {
    match level {
        Level::ServiceChannel => format!("{}/{}", key.service, key.channel),
        Level::Service => key.service.to_string(),
        Level::Provider => {
            registry.provider_of(&key.service).map_or_else(|| "unknown".to_owned(), |p| p.slug.to_string())
        }
        Level::Agency => registry
            .provider_of(&key.service)
            .map_or_else(|| "unknown".to_owned(), |p| registry.department_of(&p.organization).to_string()),
        Level::Government => "government".to_owned(),
        Level::Delivery => match key.channel.delivery() {
            Delivery::Digital => "digital".to_owned(),
            Delivery::Assisted => "assisted".to_owned(),
            Delivery::Mixed => "mixed".to_owned(),
            Delivery::Unknown => "unknown".to_owned(),
        },
    }
}

/// Response-weighted roll-up: the tallies of every group at `level`, per quarter.
pub fn rollup(counts: &ResponseCounts, level: Level, registry: &Registry) -> BTreeMap<(String, FiscalQuarter), Tally> {
    let mut out: BTreeMap<(String, FiscalQuarter), Tally> = BTreeMap::new();
    for (k, t) in counts.iter() {
        out.entry((group_label(k, level, registry), k.quarter)).or_default().merge(t);
    }
    out
}

/// A service-weighted share: each service counts once, whatever its number of responses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceWeighted {
    /// The mean of the services' shares.
    pub value: f64,
    /// How many services had any answer.
    pub services: usize,
    /// How many of them had at least the minimum number of responses.
    pub services_above_minimum: usize,
}

/// The service-weighted share of `metric` over the groups `keep` accepts: each service's share over
/// its channels is computed first, then the services' shares are averaged with equal weight.
pub fn service_weighted(
    counts: &ResponseCounts,
    metric: Metric,
    config: &ScoreConfig,
    mut keep: impl FnMut(&GroupKey) -> bool,
) -> Option<ServiceWeighted> {
    let mut by_service: BTreeMap<&ServiceId, Tally> = BTreeMap::new();
    for (k, t) in counts.iter() {
        if keep(k) {
            by_service.entry(&k.service).or_default().merge(t);
        }
    }
    let mut shares = Vec::new();
    let mut above = 0;
    for t in by_service.values() {
        if let Some(s) = metric.share(t) {
            shares.push(s.value);
            if t.respondents() >= config.min_responses {
                above += 1;
            }
        }
    }
    if shares.is_empty() {
        return None;
    }
    Some(ServiceWeighted {
        value: shares.iter().sum::<f64>() / shares.len() as f64,
        services: shares.len(),
        services_above_minimum: above,
    })
}

/// One quarter of a trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendPoint {
    /// The quarter.
    pub quarter: FiscalQuarter,
    /// The survey version in force that quarter.
    pub version: SurveyVersion,
    /// Whether the survey version changed from the previous point: values either side are not
    /// strictly comparable.
    pub version_change: bool,
    /// The share, when anyone answered.
    pub share: Option<Share>,
    /// Whether the quarter has fewer responses than the minimum.
    pub suppressed: bool,
}

/// The trend of `metric` over the given quarters, over the groups `keep` accepts.
pub fn trend(
    counts: &ResponseCounts,
    metric: Metric,
    quarters: &[FiscalQuarter],
    config: &ScoreConfig,
    mut keep: impl FnMut(&GroupKey) -> bool,
) -> Vec<TrendPoint> {
    let mut out: Vec<TrendPoint> = Vec::with_capacity(quarters.len());
    for &q in quarters {
        let t = counts.sum_where(|k| k.quarter == q && keep(k));
        let version = SurveyVersion::for_quarter(q);
        let version_change = out.last().is_some_and(|p| p.version != version);
        let share = metric.share(&t);
        let n = share.map_or(0, |s| s.n);
        out.push(TrendPoint { quarter: q, version, version_change, share, suppressed: n < config.min_responses });
    }
    out
}

/// A comparison of two shares.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The baseline.
    pub from: Share,
    /// The value compared with it.
    pub to: Share,
    /// to - from, with its interval and test.
    pub difference: Difference,
}

/// The change of `metric` between two tallies (e.g. two quarters of one service).
pub fn change(metric: Metric, from: &Tally, to: &Tally) -> Option<Comparison> {
    let (a, b) = (metric.share(from)?, metric.share(to)?);
    Some(Comparison { from: a, to: b, difference: difference(&a, &b) })
}

/// The gap between digital and assisted channels in the groups `keep` accepts: digital minus assisted.
pub fn delivery_gap(
    counts: &ResponseCounts,
    metric: Metric,
    mut keep: impl FnMut(&GroupKey) -> bool,
) -> Option<Comparison> {
    // Version-1 `mixed` rows are on neither side.
    let assisted = counts.sum_where(|k| keep(k) && k.channel.delivery() == Delivery::Assisted);
    let digital = counts.sum_where(|k| keep(k) && k.channel.delivery() == Delivery::Digital);
    change(metric, &assisted, &digital)
}

/// Providers ranked by their change of `metric` from the previous quarter, largest drop first.
/// Providers below the minimum in either quarter are left out: their changes are noise.
pub fn largest_drops(
    counts: &ResponseCounts,
    metric: Metric,
    quarter: FiscalQuarter,
    registry: &Registry,
    config: &ScoreConfig,
) -> Vec<(ProviderSlug, Comparison)> {
    let Some(prev) = quarter.prev() else { return Vec::new() };
    let mut out = Vec::new();
    for p in registry.providers() {
        let of = |q: FiscalQuarter| {
            counts.sum_where(|k| k.quarter == q && registry.provider_of(&k.service).is_some_and(|sp| sp.slug == p.slug))
        };
        let (a, b) = (of(prev), of(quarter));
        if let Some(c) = change(metric, &a, &b) {
            if c.from.n >= config.min_responses && c.to.n >= config.min_responses {
                out.push((p.slug.clone(), c));
            }
        }
    }
    out.sort_by(|x, y| x.1.difference.value.total_cmp(&y.1.difference.value).then_with(|| x.0.cmp(&y.0)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use fedcx_model::{Channel, IndicatorTally};

    fn fq(s: &str) -> FiscalQuarter {
        s.parse().unwrap()
    }

    fn v1_tally(q1: ScaleCounts, q2: ScaleCounts, na2: u64) -> Tally {
        let mut t = Tally::default();
        t.v1.scores[0] = q1;
        t.v1.scores[1] = q2;
        t.v1.not_applicable[1] = na2;
        t.v1.respondents = q1.iter().sum();
        t
    }

    #[test]
    fn version_one_question_by_hand() {
        // q1: 2x1, 3x2, 5x3, 20x4, 10x5 = 40 answers; agree 30/40, disagree 5/40,
        // mean (2 + 6 + 15 + 80 + 50) / 40 = 153 / 40 = 3.825.
        let t = v1_tally([2, 3, 5, 20, 10], [0, 0, 0, 0, 0], 0);
        let s = score(&t, &ScoreConfig::default());
        let q1 = &s.v1[0];
        assert_eq!((q1.n, q1.agree.unwrap().count, q1.disagree.unwrap().count), (40, 30, 5));
        assert!((q1.mean.unwrap() - 3.825).abs() < 1e-12);
        assert!((q1.agree.unwrap().value - 0.75).abs() < 1e-12);
        assert!(!s.suppressed);
    }

    #[test]
    fn not_applicable_is_excluded_from_the_denominator() {
        let t = v1_tally([0, 0, 0, 5, 5], [1, 0, 0, 4, 0], 5);
        let s = score(&t, &ScoreConfig::default());
        let q2 = &s.v1[1];
        assert_eq!((q2.n, q2.not_applicable), (5, 5));
        assert!((q2.agree.unwrap().value - 0.8).abs() < 1e-12);
        assert!(s.suppressed, "10 respondents are below the default minimum of 30");
        let lenient = score(&t, &ScoreConfig { min_responses: 10 });
        assert!(!lenient.suppressed);
    }

    #[test]
    fn version_two_trust_combines_scales_and_indicators_use_offered() {
        let mut t = Tally::default();
        t.v2.respondents = 20;
        t.v2.thumbs = [4, 6];
        t.v2.likert = [1, 1, 2, 3, 3];
        t.v2.indicators[Polarity::Positive.index()][Indicator::Ease.index()] =
            IndicatorTally { offered: 12, selected: 3 };
        let s = score(&t, &ScoreConfig::default());
        let trust = s.trust_v2.unwrap();
        assert_eq!((trust.n, trust.agree.unwrap().count, trust.disagree.unwrap().count), (20, 12, 6));
        assert!((trust.mean.unwrap() - 3.6).abs() < 1e-12, "the mean uses the 5-point answers only");
        assert_eq!(s.indicators.len(), 1);
        assert!((s.indicators[0].selected.unwrap().value - 0.25).abs() < 1e-12);
    }

    fn counts_for(entries: &[(&str, Channel, &str, Tally)]) -> ResponseCounts {
        entries
            .iter()
            .map(|(s, c, q, t)| {
                (GroupKey { service: ServiceId::new(s).unwrap(), channel: *c, quarter: fq(q) }, t.clone())
            })
            .collect()
    }

    fn trust_tally(agree: u64, other: u64, version: SurveyVersion) -> Tally {
        match version {
            SurveyVersion::V1 => v1_tally([0; 5], [other, 0, 0, agree, 0], 0),
            SurveyVersion::V2 => {
                let mut t = Tally::default();
                t.v2.thumbs = [other, agree];
                t.v2.respondents = agree + other;
                t
            }
        }
    }

    #[test]
    fn trend_spans_both_versions_and_marks_the_change() {
        let c = counts_for(&[
            ("treasury-irs-file-return", Channel::Website, "FY2023 Q4", trust_tally(60, 40, SurveyVersion::V1)),
            ("treasury-irs-file-return", Channel::Website, "FY2024 Q1", trust_tally(70, 30, SurveyVersion::V2)),
        ]);
        let t = trend(&c, Metric::Trust, &[fq("FY2023 Q4"), fq("FY2024 Q1")], &ScoreConfig::default(), |_| true);
        assert_eq!(t.len(), 2);
        assert!(!t[0].version_change && t[1].version_change);
        assert!((t[0].share.unwrap().value - 0.6).abs() < 1e-12);
        assert!((t[1].share.unwrap().value - 0.7).abs() < 1e-12);
    }

    #[test]
    fn delivery_gap_and_service_weighting() {
        let registry = Registry::bundled();
        let c = counts_for(&[
            ("treasury-irs-file-return", Channel::Website, "FY2024 Q1", trust_tally(90, 10, SurveyVersion::V2)),
            ("treasury-irs-file-return", Channel::Phone, "FY2024 Q1", trust_tally(30, 20, SurveyVersion::V2)),
            ("ssa-replacement-card", Channel::InPerson, "FY2024 Q1", trust_tally(5, 5, SurveyVersion::V2)),
        ]);
        let gap = delivery_gap(&c, Metric::Trust, |_| true).unwrap();
        // Digital 90/100 against assisted 35/60.
        assert!((gap.difference.value - (0.9 - 35.0 / 60.0)).abs() < 1e-12);
        assert!(gap.difference.p_value < 0.001);
        // Response-weighted: 125/160; service-weighted: mean of 120/150 and 5/10.
        let all = Metric::Trust.share(&c.sum_where(|_| true)).unwrap();
        assert!((all.value - 125.0 / 160.0).abs() < 1e-12);
        let sw = service_weighted(&c, Metric::Trust, &ScoreConfig::default(), |_| true).unwrap();
        assert!((sw.value - (0.8 + 0.5) / 2.0).abs() < 1e-12);
        assert_eq!((sw.services, sw.services_above_minimum), (2, 1));
        let by_provider = rollup(&c, Level::Provider, &registry);
        assert_eq!(by_provider.len(), 2);
        assert_eq!(by_provider[&("treasury-irs".to_owned(), fq("FY2024 Q1"))].respondents(), 150);
        let by_agency = rollup(&c, Level::Agency, &registry);
        assert!(by_agency.contains_key(&("treasury".to_owned(), fq("FY2024 Q1"))));
    }

    #[test]
    fn largest_drops_rank_by_change() {
        let registry = Registry::bundled();
        let c = counts_for(&[
            ("treasury-irs-file-return", Channel::Website, "FY2024 Q1", trust_tally(80, 20, SurveyVersion::V2)),
            ("treasury-irs-file-return", Channel::Website, "FY2024 Q2", trust_tally(50, 50, SurveyVersion::V2)),
            ("ssa-replacement-card", Channel::Website, "FY2024 Q1", trust_tally(50, 50, SurveyVersion::V2)),
            ("ssa-replacement-card", Channel::Website, "FY2024 Q2", trust_tally(55, 45, SurveyVersion::V2)),
        ]);
        let d = largest_drops(&c, Metric::Trust, fq("FY2024 Q2"), &registry, &ScoreConfig::default());
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].0.as_str(), "treasury-irs");
        assert!((d[0].1.difference.value + 0.3).abs() < 1e-12);
    }
}
