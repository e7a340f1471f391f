//! The balanced scorecard and digital adoption per HISP: the customer leg (A-11 trust, computed by
//! the caller from counts), the employee leg (OPM's EEI and GSI for the FEVS unit the registry's
//! crosswalk names, year by year), the business leg (the provider's own operational measures this
//! quarter against the previous one), the association of trust with engagement across providers,
//! and per service and provider the digital share of customers beside digital-minus-assisted trust
//! and the websites' IDEA criteria. Pure computation over model types.
//!
//! # Rules
//!
//! - **Never zero for "no data".** An employee value the crosswalk does not cover, a unit the survey
//!   did not reach, an index nobody answered is [`Measured::NotMeasured`] with its reason.
//! - **A parent agency's value says so.** Where the crosswalk names the parent agency
//!   ([`FevsMatch::ParentAgency`]), the value is shown marked [`EmployeeYear::parent_agency`]; it is
//!   left out of the association across providers, where it would give several providers one
//!   agency's number (and is listed as [`LeftOut::ParentAgencyOnly`]).
//! - **The association** uses the latest FEVS year at or before the quarter's fiscal year, one point
//!   per provider with both a shown trust share and its own EEI. It is an association across
//!   agencies, not an effect ([`ASSOCIATION_CAVEAT`]).
//! - **Business direction** follows [`BusinessMetric::lower_is_better`]; a metric whose better
//!   direction depends, a unit that changed between the quarters, or a quarter without a value
//!   gives no direction, each its own [`Direction`].

use std::collections::BTreeMap;

use fedcx_model::balanced::SiteSnapshot;
use fedcx_model::business::{BusinessMeasure, Metric as BusinessMetric, Unit};
use fedcx_model::fevs::{
    link_for, FevsCounts, FevsMatch, FevsResult, FevsUnit, Measured, NotMeasured, Percent, SurveyYear,
};
use fedcx_model::website::IdeaRules;
use fedcx_model::{
    ChannelClassification, CollectionDetail, Delivery, FiscalQuarter, GroupKey, ProviderSlug, Registry, ResponseCounts,
    ServiceId,
};
use serde::Serialize;

use crate::association::{associate, Association};
use crate::digital::{digital_shares, DigitalConfig, DigitalShare};
use crate::scores::{change, Comparison, Metric, TrendPoint};
use crate::stats::Share;
use crate::websites::score_websites;

/// What every report says beside the trust-engagement correlation.
pub const ASSOCIATION_CAVEAT: &str = "One point per provider: an association across agencies, not an effect. \
     Agencies that engage their staff may differ in many other ways, and the two surveys ask different people.";

/// The customer leg of one provider, as the report computed it from counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerLeg {
    /// The provider.
    pub provider: ProviderSlug,
    /// Trust agreement this quarter, `None` when no answers or below the suppression threshold
    /// (the caller applies it: a suppressed share is not a point).
    pub trust: Option<Share>,
    /// Trust over the report's quarters.
    pub trend: Vec<TrendPoint>,
}

/// What [`scorecard`] computes from.
#[derive(Debug, Clone, Copy)]
pub struct ScorecardInput<'a> {
    /// The registry, for each provider's FEVS crosswalk and services.
    pub registry: &'a Registry,
    /// The report's quarter.
    pub quarter: FiscalQuarter,
    /// One entry per provider shown, in the order rows are wanted.
    pub customers: &'a [CustomerLeg],
    /// FEVS weighted counts, one per survey year.
    pub fevs: &'a [FevsCounts],
    /// Business results, any services and quarters.
    pub business: &'a [BusinessMeasure],
}

/// One provider's employee results for one FEVS year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmployeeYear {
    /// The survey year.
    pub year: SurveyYear,
    /// The unit whose results stand for the provider, when the crosswalk names one.
    pub unit: Option<FevsUnit>,
    /// Whether that unit is the provider's parent agency, not the provider itself.
    pub parent_agency: bool,
    /// Employee Engagement Index, 0-100.
    pub eei: Measured<Percent>,
    /// Global Satisfaction Index, 0-100.
    pub gsi: Measured<Percent>,
    /// The crosswalk entry's source, when there is one.
    pub crosswalk_source: Option<String>,
}

/// Which way a business measure moved from the previous quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Moved the better way.
    Better,
    /// Moved the worse way.
    Worse,
    /// The same value.
    Unchanged,
    /// Moved, but whether up is better depends (transactions completed, a provider's own metric).
    NoBetterWay,
    /// No value for the previous quarter.
    NoPrevious,
    /// No value for this quarter (the previous quarter's is shown).
    NotThisQuarter,
    /// The two quarters are in different units.
    UnitsDiffer,
}

impl Direction {
    /// For people: "better", "worse", ...
    pub fn label(self) -> &'static str {
        match self {
            Direction::Better => "better",
            Direction::Worse => "worse",
            Direction::Unchanged => "unchanged",
            Direction::NoBetterWay => "changed (no better direction)",
            Direction::NoPrevious => "no previous quarter",
            Direction::NotThisQuarter => "not given this quarter",
            Direction::UnitsDiffer => "units differ between quarters",
        }
    }
}

/// One business measure of one service: this quarter against the previous.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BusinessRow {
    /// The service.
    pub service: ServiceId,
    /// The metric.
    pub metric: BusinessMetric,
    /// This quarter's unit (the previous quarter's when this quarter has none).
    pub unit: Unit,
    /// This quarter's value.
    pub current: Option<f64>,
    /// The previous quarter's value.
    pub previous: Option<f64>,
    /// Which way it moved.
    pub direction: Direction,
    /// Where the values come from (each distinct source, this quarter's first).
    pub sources: Vec<String>,
}

/// One provider's three legs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProviderScorecard {
    /// The customer leg.
    pub customer: CustomerLeg,
    /// The employee leg, one entry per FEVS year given, oldest first.
    pub employee: Vec<EmployeeYear>,
    /// The business leg, by service then metric.
    pub business: Vec<BusinessRow>,
}

/// Why a provider is not a point of the association.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LeftOut {
    /// No trust share shown this quarter (no answers, or suppressed).
    NoTrust,
    /// Only its parent agency's EEI is known.
    ParentAgencyOnly,
    /// No EEI, for this reason.
    NotMeasured(NotMeasured),
}

/// One provider's point: trust and EEI, both 0-100.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrustPoint {
    /// The provider.
    pub provider: ProviderSlug,
    /// Trust agreement, percent.
    pub trust: f64,
    /// EEI, percent.
    pub eei: f64,
}

/// Trust against employee engagement across providers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrustEngagement {
    /// The FEVS year used: the latest at or before the quarter's fiscal year.
    pub year: Option<SurveyYear>,
    /// The points.
    pub points: Vec<TrustPoint>,
    /// Every other provider of the scorecard, with why it is not a point.
    pub left_out: Vec<(ProviderSlug, LeftOut)>,
    /// Pearson's r with its interval and Spearman's rho, or why none.
    pub association: Association,
    /// [`ASSOCIATION_CAVEAT`].
    pub caveat: &'static str,
}

/// The balanced scorecard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scorecard {
    /// The FEVS years given, oldest first.
    pub fevs_years: Vec<SurveyYear>,
    /// One row per provider, in the input's order.
    pub providers: Vec<ProviderScorecard>,
    /// Trust against engagement across providers.
    pub trust_engagement: TrustEngagement,
}

/// Computes the scorecard.
pub fn scorecard(input: &ScorecardInput<'_>) -> Scorecard {
    let mut fevs: Vec<&FevsCounts> = input.fevs.iter().collect();
    fevs.sort_by_key(|c| c.year);
    // Each year's results once, not once per provider.
    let results: Vec<(SurveyYear, BTreeMap<FevsUnit, FevsResult>)> = fevs
        .iter()
        .map(|c| (c.year, crate::engagement::results(c).into_iter().map(|r| (r.unit, r)).collect()))
        .collect();
    let providers: Vec<ProviderScorecard> = input
        .customers
        .iter()
        .map(|c| ProviderScorecard {
            customer: c.clone(),
            employee: results
                .iter()
                .map(|(year, by_unit)| employee_year(input.registry, &c.provider, *year, by_unit))
                .collect(),
            business: business_rows(input.registry, &c.provider, input.quarter, input.business),
        })
        .collect();
    let year = results.iter().map(|(y, _)| *y).filter(|y| y.get() <= input.quarter.year()).max();
    let mut points = Vec::new();
    let mut left_out = Vec::new();
    // Without a FEVS year at or before the quarter there is nothing to correlate, and nobody to list.
    for p in providers.iter().filter(|_| year.is_some()) {
        let slug = p.customer.provider.clone();
        let employee = year.and_then(|y| p.employee.iter().find(|e| e.year == y));
        let why = match (&p.customer.trust, employee) {
            (None, _) => Some(LeftOut::NoTrust),
            // Every provider has an entry for every year given; kept total for the match.
            (Some(_), None) => Some(LeftOut::NotMeasured(NotMeasured::NoCrosswalk)),
            (Some(_), Some(e)) if e.parent_agency => Some(LeftOut::ParentAgencyOnly),
            (Some(_), Some(e)) => match e.eei {
                Measured::Value(_) => None,
                Measured::NotMeasured(why) => Some(LeftOut::NotMeasured(why)),
            },
        };
        match (why, &p.customer.trust, employee.and_then(|e| e.eei.value())) {
            (None, Some(t), Some(eei)) => {
                points.push(TrustPoint { provider: slug, trust: 100.0 * t.value, eei: eei.get() })
            }
            (Some(why), _, _) => left_out.push((slug, why)),
            (None, _, _) => left_out.push((slug, LeftOut::NoTrust)),
        }
    }
    let xy: Vec<(f64, f64)> = points.iter().map(|p| (p.trust, p.eei)).collect();
    let association = associate(&xy).expect("shares and Percent values are finite by construction");
    Scorecard {
        fevs_years: results.iter().map(|(y, _)| *y).collect(),
        providers,
        trust_engagement: TrustEngagement { year, points, left_out, association, caveat: ASSOCIATION_CAVEAT },
    }
}

/// The provider's employee results for a year, through the crosswalk.
fn employee_year(
    registry: &Registry,
    provider: &ProviderSlug,
    year: SurveyYear,
    by_unit: &BTreeMap<FevsUnit, FevsResult>,
) -> EmployeeYear {
    let link = registry.provider(provider).and_then(|p| link_for(&p.fevs, year));
    let not = |why| EmployeeYear {
        year,
        unit: None,
        parent_agency: false,
        eei: Measured::NotMeasured(why),
        gsi: Measured::NotMeasured(why),
        crosswalk_source: link.map(|l| l.source.clone()),
    };
    let Some(l) = link else { return not(NotMeasured::NoCrosswalk) };
    let unit = match l.unit {
        FevsMatch::Agency(a) | FevsMatch::ParentAgency(a) => FevsUnit::Agency(a),
        FevsMatch::SubAgency(s) => FevsUnit::SubAgency(s),
        FevsMatch::NotSurveyed => return not(NotMeasured::NotSurveyed),
    };
    let (eei, gsi) = match by_unit.get(&unit) {
        Some(r) => (
            match r.engagement {
                Measured::Value(e) => Measured::Value(e.eei),
                Measured::NotMeasured(why) => Measured::NotMeasured(why),
            },
            r.global_satisfaction,
        ),
        // The unit is not in the year's counts: the survey did not reach it.
        None => (Measured::NotMeasured(NotMeasured::NotSurveyed), Measured::NotMeasured(NotMeasured::NotSurveyed)),
    };
    EmployeeYear {
        year,
        unit: Some(unit),
        parent_agency: l.unit.is_parent(),
        eei,
        gsi,
        crosswalk_source: Some(l.source.clone()),
    }
}

/// The provider's services' measures this quarter and the previous one, by service then metric;
/// where a file gives one (service, quarter, metric) twice, the first in input order is kept.
fn business_rows(
    registry: &Registry,
    provider: &ProviderSlug,
    quarter: FiscalQuarter,
    business: &[BusinessMeasure],
) -> Vec<BusinessRow> {
    let prev = quarter.prev();
    let mine = |m: &BusinessMeasure| registry.provider_of(m.service()).is_some_and(|p| &p.slug == provider);
    let mut by: BTreeMap<(&ServiceId, &BusinessMetric), [Option<&BusinessMeasure>; 2]> = BTreeMap::new();
    for m in business.iter().filter(|m| mine(m)) {
        let slot = if m.quarter() == quarter {
            0
        } else if Some(m.quarter()) == prev {
            1
        } else {
            continue;
        };
        by.entry((m.service(), m.metric())).or_default()[slot].get_or_insert(m);
    }
    by.into_iter()
        .filter_map(|((service, metric), [now, before])| {
            let shown = now.or(before)?;
            let direction = match (now, before) {
                (None, _) => Direction::NotThisQuarter,
                (Some(_), None) => Direction::NoPrevious,
                (Some(n), Some(b)) if n.unit() != b.unit() => Direction::UnitsDiffer,
                (Some(n), Some(b)) => direction(metric, b.value(), n.value()),
            };
            let mut sources: Vec<String> = Vec::new();
            for m in [now, before].into_iter().flatten() {
                if !sources.iter().any(|s| s == m.source()) {
                    sources.push(m.source().to_owned());
                }
            }
            Some(BusinessRow {
                service: service.clone(),
                metric: metric.clone(),
                unit: shown.unit(),
                current: now.map(BusinessMeasure::value),
                previous: before.map(BusinessMeasure::value),
                direction,
                sources,
            })
        })
        .collect()
}

fn direction(metric: &BusinessMetric, before: f64, now: f64) -> Direction {
    if now == before {
        return Direction::Unchanged;
    }
    match metric.lower_is_better() {
        Some(lower) if lower == (now < before) => Direction::Better,
        Some(_) => Direction::Worse,
        None => Direction::NoBetterWay,
    }
}

// ---------------------------------------------------------------------------------------------
// Digital adoption
// ---------------------------------------------------------------------------------------------

/// What [`digital_adoption`] computes from.
#[derive(Debug, Clone, Copy)]
pub struct AdoptionInput<'a> {
    /// The registry: services, channels, domains.
    pub registry: &'a Registry,
    /// The report's quarter.
    pub quarter: FiscalQuarter,
    /// The providers to report, in order.
    pub providers: &'a [ProviderSlug],
    /// Response counts (trust by channel).
    pub counts: &'a ResponseCounts,
    /// Collection details (volumes by channel).
    pub details: &'a [CollectionDetail],
    /// Which channels are digital.
    pub classification: &'a ChannelClassification,
    /// Site Scanning snapshots, any order (the latest two by date are used).
    pub snapshots: &'a [SiteSnapshot],
    /// How sites are judged.
    pub rules: &'a IdeaRules,
}

/// One service's digital adoption in the quarter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceAdoption {
    /// The provider.
    pub provider: ProviderSlug,
    /// The service.
    pub service: ServiceId,
    /// Its digital share, when it has collection details this quarter.
    pub share: Option<DigitalShare>,
    /// Digital minus assisted trust under the classification (`from` assisted, `to` digital),
    /// when both sides have answers; the caller applies suppression.
    pub trust_gap: Option<Comparison>,
}

/// Criteria met out of scored for a provider's live sites in one snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CriteriaCount {
    /// The snapshot's date.
    pub taken: chrono::NaiveDate,
    /// Criteria met.
    pub met: usize,
    /// Criteria judged.
    pub scored: usize,
    /// Live sites scored.
    pub sites: usize,
}

/// One provider's digital adoption.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProviderAdoption {
    /// The provider.
    pub provider: ProviderSlug,
    /// Customers on digital channels, summed over its services with a share.
    pub digital_customers: u64,
    /// Customers on all channels, likewise.
    pub customers: u64,
    /// `digital_customers / customers`, when any customer is known.
    pub share: Option<f64>,
    /// Whether every service counted had full coverage and every service reported this year had
    /// collection details.
    pub complete: bool,
    /// Digital minus assisted trust over all its services.
    pub trust_gap: Option<Comparison>,
    /// IDEA criteria in the latest snapshot, when one has a site of the provider.
    pub website: Option<CriteriaCount>,
    /// The same in the snapshot before it.
    pub website_before: Option<CriteriaCount>,
}

/// Digital adoption per service and provider.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Adoption {
    /// Per service with a share or answers, by provider then service.
    pub services: Vec<ServiceAdoption>,
    /// Per provider, in the input's order.
    pub providers: Vec<ProviderAdoption>,
}

/// Digital minus assisted trust among the groups `keep` accepts, with channels split by
/// `classification` (version 1's `mixed` on neither side).
pub fn classified_gap(
    counts: &ResponseCounts,
    classification: &ChannelClassification,
    keep: impl Fn(&GroupKey) -> bool,
) -> Option<Comparison> {
    let side = |d: Delivery| counts.sum_where(|k| keep(k) && classification.delivery(k.channel) == d);
    change(Metric::Trust, &side(Delivery::Assisted), &side(Delivery::Digital))
}

/// Computes digital adoption.
pub fn digital_adoption(input: &AdoptionInput<'_>) -> Adoption {
    let q = input.quarter;
    let config = DigitalConfig { classification: input.classification.clone(), ..DigitalConfig::default() };
    let in_q: Vec<CollectionDetail> = input.details.iter().filter(|d| d.quarter == q).cloned().collect();
    let mut shares: BTreeMap<ServiceId, DigitalShare> =
        digital_shares(&in_q, input.registry, &config).into_iter().map(|s| (s.service.clone(), s)).collect();
    let mut snapshots: Vec<&SiteSnapshot> = input.snapshots.iter().collect();
    snapshots.sort_by_key(|s| s.taken);
    let scored: Vec<(chrono::NaiveDate, crate::websites::WebsiteScores)> = snapshots
        .iter()
        .rev()
        .take(2)
        .map(|s| (s.taken, score_websites(input.registry, &s.scans, input.rules)))
        .collect();
    let criteria = |i: usize, slug: &ProviderSlug| {
        let (taken, scores) = scored.get(i)?;
        let p = scores.provider(slug)?;
        Some(CriteriaCount { taken: *taken, met: p.criteria_met(), scored: p.criteria_scored(), sites: p.sites.len() })
    };
    let mut services = Vec::new();
    let mut providers = Vec::new();
    for slug in input.providers {
        let of_p = |k: &GroupKey| input.registry.provider_of(&k.service).is_some_and(|p| &p.slug == slug);
        let (mut digital, mut customers, mut complete) = (0u64, 0u64, true);
        for s in input.registry.services_of(slug) {
            let share = shares.remove(&s.id);
            let gap = classified_gap(input.counts, input.classification, |k| k.quarter == q && k.service == s.id);
            match &share {
                Some(sh) => {
                    digital += sh.digital_customers;
                    customers += sh.customers;
                    complete &= sh.coverage.is_complete();
                }
                None => complete &= !s.reported_in(q.year()),
            }
            if share.is_some() || gap.is_some() {
                services.push(ServiceAdoption { provider: slug.clone(), service: s.id.clone(), share, trust_gap: gap });
            }
        }
        providers.push(ProviderAdoption {
            provider: slug.clone(),
            digital_customers: digital,
            customers,
            share: (customers > 0).then(|| digital as f64 / customers as f64),
            complete,
            trust_gap: classified_gap(input.counts, input.classification, |k| k.quarter == q && of_p(k)),
            website: criteria(0, slug),
            website_before: criteria(1, slug),
        });
    }
    Adoption { services, providers }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fedcx_model::fevs::{FevsAnswer, FevsPoint, ItemNumber};

    fn year(y: u16) -> SurveyYear {
        SurveyYear::new(y).unwrap()
    }

    fn slug(s: &str) -> ProviderSlug {
        ProviderSlug::new(s).unwrap()
    }

    /// Adds `unit` to `c` with every EEI and GSI item at `pct` percent positive: weight `pct` on
    /// answer 5, `100 - pct` on answer 1, so each item's percent positive is exactly `pct`, every
    /// subindex is `pct` and so are the EEI and the GSI.
    fn with_unit(c: &mut FevsCounts, unit: &str, pct: f64) {
        let unit = if unit.len() == 2 {
            FevsUnit::Agency(unit.parse().unwrap())
        } else {
            FevsUnit::SubAgency(unit.parse().unwrap())
        };
        let map = fedcx_model::fevs::item_map(c.year).unwrap();
        for q in map.all_items().collect::<Vec<ItemNumber>>() {
            let w = c.items.entry(unit).or_default().entry(q).or_default();
            w.add(FevsAnswer::Scale(FevsPoint::new(5).unwrap()), pct);
            w.add(FevsAnswer::Scale(FevsPoint::new(1).unwrap()), 100.0 - pct);
        }
        c.respondents.insert(unit, (1, 100.0));
    }

    fn trust(agree: u64, n: u64) -> Option<Share> {
        Share::wilson(agree, n)
    }

    fn leg(provider: &str, t: Option<Share>) -> CustomerLeg {
        CustomerLeg { provider: slug(provider), trust: t, trend: Vec::new() }
    }

    #[test]
    fn employee_leg_marks_parent_agency_and_not_surveyed_never_zero() {
        let registry = Registry::bundled();
        let mut c = FevsCounts::new(year(2023));
        // Treasury (TR) 70%; the bundled crosswalk gives IRS its parent agency TR in 2020-2023.
        with_unit(&mut c, "TR", 70.0);
        // VHA has no 2023 unit ("not_surveyed"); VA in the counts must not stand in for it.
        with_unit(&mut c, "VA", 99.0);
        let customers = [leg("treasury-irs", trust(60, 100)), leg("va-vha", trust(80, 100)), leg("ssa", None)];
        let input = ScorecardInput {
            registry: &registry,
            quarter: "FY2024 Q2".parse().unwrap(),
            customers: &customers,
            fevs: std::slice::from_ref(&c),
            business: &[],
        };
        let card = scorecard(&input);
        let irs = &card.providers[0].employee[0];
        assert!(irs.parent_agency);
        assert_eq!(irs.unit, Some(FevsUnit::Agency("TR".parse().unwrap())));
        // Every item 70% positive: each subindex 70, EEI (70 + 70 + 70) / 3 = 70, GSI 70.
        assert_eq!(irs.eei.value().map(|p| p.get()), Some(70.0));
        assert_eq!(irs.gsi.value().map(|p| p.get()), Some(70.0));
        let vha = &card.providers[1].employee[0];
        assert_eq!(vha.eei, Measured::NotMeasured(NotMeasured::NotSurveyed));
        assert_eq!(vha.unit, None);
        // SSA is crosswalked to SZ, absent from these counts: not surveyed, not 0.
        let ssa = &card.providers[2].employee[0];
        assert_eq!(ssa.eei, Measured::NotMeasured(NotMeasured::NotSurveyed));
        let te = &card.trust_engagement;
        assert_eq!(te.year, Some(year(2023)));
        assert!(te.points.is_empty());
        assert_eq!(
            te.left_out,
            [
                (slug("treasury-irs"), LeftOut::ParentAgencyOnly),
                (slug("va-vha"), LeftOut::NotMeasured(NotMeasured::NotSurveyed)),
                (slug("ssa"), LeftOut::NoTrust),
            ]
        );
        assert_eq!(te.association, Association::NotEnoughProviders { n: 0 });
    }

    /// Five providers with their own FEVS unit in 2024 (bundled crosswalk): IRS TR93, SSA SZ,
    /// USCIS HS01, CBP HS02, FEMA HS04. Points (trust %, EEI %):
    /// (60, 60), (70, 65), (80, 75), (50, 62), (90, 80).
    ///
    /// By hand: mean x = 350/5 = 70, mean y = 342/5 = 68.4.
    /// dx = -10, 0, 10, -20, 20; dy = -8.4, -3.4, 6.6, -6.4, 11.6.
    /// Sxy = 84 + 0 + 66 + 128 + 232 = 510; Sxx = 100 + 0 + 100 + 400 + 400 = 1000;
    /// Syy = 70.56 + 11.56 + 43.56 + 40.96 + 134.56 = 301.2.
    /// r = 510 / sqrt(1000 * 301.2) = 510 / 548.8169 = 0.929272.
    /// Fisher: z = atanh(0.929272) = 1.653026; se = 1/sqrt(5 - 3) = 0.707107;
    /// lo = tanh(1.653026 - 1.959964 * 0.707107) = tanh(0.267097) = 0.260945,
    /// hi = tanh(1.653026 + 1.385904) = tanh(3.038930) = 0.995424.
    /// Spearman: ranks x 2,3,4,1,5; y 1,3,4,2,5; d = 1,0,0,-1,0; rho = 1 - 6*2/(5*24) = 0.9.
    /// The same numbers from an independent few lines of Python (standard library only):
    /// ```python
    /// import math
    /// x=[60,70,80,50,90]; y=[60,65,75,62,80]
    /// n=len(x); mx=sum(x)/n; my=sum(y)/n
    /// sxy=sum((a-mx)*(b-my) for a,b in zip(x,y)); sxx=sum((a-mx)**2 for a in x); syy=sum((b-my)**2 for b in y)
    /// r=sxy/math.sqrt(sxx*syy); z=math.atanh(r); se=1/math.sqrt(n-3)
    /// print(r, math.tanh(z-1.959964*se), math.tanh(z+1.959964*se))
    /// # 0.9292716592757296 0.26094473639016874 0.9954243312955394
    /// ```
    #[test]
    fn trust_and_engagement_correlate_across_four_or_more_providers() {
        let registry = Registry::bundled();
        let mut c = FevsCounts::new(year(2024));
        let rows = [
            ("treasury-irs", "TR93", 60, 60.0),
            ("ssa", "SZ", 70, 65.0),
            ("dhs-uscis", "HS01", 80, 75.0),
            ("dhs-cbp", "HS02", 50, 62.0),
            ("dhs-fema", "HS04", 90, 80.0),
        ];
        let mut customers = Vec::new();
        for (p, unit, agree, eei) in rows {
            with_unit(&mut c, unit, eei);
            customers.push(leg(p, trust(agree, 100)));
        }
        // An older year is given too, but FY2025's latest year at or before is 2024.
        let older = FevsCounts::new(year(2023));
        let fevs = [older, c];
        let input = ScorecardInput {
            registry: &registry,
            quarter: "FY2025 Q1".parse().unwrap(),
            customers: &customers,
            fevs: &fevs,
            business: &[],
        };
        let card = scorecard(&input);
        assert_eq!(card.fevs_years, [year(2023), year(2024)]);
        assert_eq!(card.trust_engagement.year, Some(year(2024)));
        assert_eq!(card.trust_engagement.points.len(), 5);
        let Association::Estimated(r) = card.trust_engagement.association else { panic!("estimated") };
        assert_eq!(r.n, 5);
        assert!((r.pearson - 0.929_271_659).abs() < 1e-8, "{}", r.pearson);
        assert!((r.lo - 0.260_944_736).abs() < 1e-6, "{}", r.lo);
        assert!((r.hi - 0.995_424_331).abs() < 1e-6, "{}", r.hi);
        assert!((r.spearman - 0.9).abs() < 1e-12);
        // The 2023 counts are empty: every provider not surveyed that year, never 0.
        assert!(card.providers.iter().all(|p| p.employee[0].eei.value().is_none()));
    }

    #[test]
    fn business_rows_read_direction_from_the_metric() {
        let registry = Registry::bundled();
        let m = |q: &str, metric: BusinessMetric, v: f64, unit: Unit| {
            BusinessMeasure::new(
                ServiceId::new("treasury-irs-file-return").unwrap(),
                q.parse().unwrap(),
                metric,
                v,
                unit,
                "IRS Data Book",
            )
            .unwrap()
        };
        let business = [
            // Wait 12 -> 9 minutes: lower is better, so better.
            m("FY2025 Q2", BusinessMetric::WaitTime, 9.0, Unit::Minutes),
            m("FY2025 Q1", BusinessMetric::WaitTime, 12.0, Unit::Minutes),
            // Level of service 80 -> 70 percent: higher is better, so worse.
            m("FY2025 Q2", BusinessMetric::LevelOfService, 70.0, Unit::Percent),
            m("FY2025 Q1", BusinessMetric::LevelOfService, 80.0, Unit::Percent),
            // Transactions: no better direction.
            m("FY2025 Q2", BusinessMetric::Transactions, 5.0, Unit::Count),
            m("FY2025 Q1", BusinessMetric::Transactions, 4.0, Unit::Count),
            // Backlog only last quarter.
            m("FY2025 Q1", BusinessMetric::Backlog, 100.0, Unit::Count),
            // Processing time in another unit last quarter.
            m("FY2025 Q2", BusinessMetric::ProcessingTime, 3.0, Unit::Days),
            m("FY2025 Q1", BusinessMetric::ProcessingTime, 1.0, Unit::Months),
            // Two quarters back: ignored.
            m("FY2024 Q4", BusinessMetric::Accuracy, 90.0, Unit::Percent),
        ];
        let rows = business_rows(&registry, &slug("treasury-irs"), "FY2025 Q2".parse().unwrap(), &business);
        let got: Vec<(&str, Option<f64>, Option<f64>, Direction)> =
            rows.iter().map(|r| (r.metric.as_str(), r.current, r.previous, r.direction)).collect();
        assert_eq!(
            got,
            [
                ("wait_time", Some(9.0), Some(12.0), Direction::Better),
                ("processing_time", Some(3.0), Some(1.0), Direction::UnitsDiffer),
                ("backlog", None, Some(100.0), Direction::NotThisQuarter),
                ("transactions", Some(5.0), Some(4.0), Direction::NoBetterWay),
                ("level_of_service", Some(70.0), Some(80.0), Direction::Worse),
            ]
        );
        assert!(business_rows(&registry, &slug("ssa"), "FY2025 Q2".parse().unwrap(), &business).is_empty());
    }

    #[test]
    fn digital_share_and_gap_follow_the_classification() {
        use fedcx_model::{Channel, TransactionPoint};
        let registry = Registry::bundled();
        let q: FiscalQuarter = "FY2025 Q2".parse().unwrap();
        let service = ServiceId::new("treasury-irs-file-return").unwrap();
        let detail = |id: &str, channel, customers: u64| {
            let volume = customers.to_string();
            crate::digital::tests::detail(
                id,
                service.as_str(),
                q,
                TransactionPoint::PostInteraction,
                channel,
                None,
                &volume,
            )
        };
        // Computer 620, phone 300, kiosk 80: fedcx counts the kiosk as digital, (620 + 80) / 1000
        // = 70%; Touchpoints does not, 620 / 1000 = 62%.
        let details = [
            detail("1", Channel::Computer, 620),
            detail("2", Channel::Phone, 300),
            detail("3", Channel::SelfServiceKiosk, 80),
        ];
        let mut counts = ResponseCounts::default();
        let key = |channel| GroupKey { service: service.clone(), channel, quarter: q };
        let tally = |agree: u64, n: u64| {
            let mut t = fedcx_model::Tally::default();
            for i in 0..n {
                t.add(&fedcx_model::Answers::V2(
                    fedcx_model::V2Answers::new(
                        fedcx_model::TrustAnswer::ThumbsUpDown(i < agree),
                        [fedcx_model::IndicatorState::NotOffered; fedcx_model::survey::INDICATOR_COUNT],
                        [fedcx_model::IndicatorState::NotOffered; fedcx_model::survey::INDICATOR_COUNT],
                    )
                    .unwrap(),
                ));
            }
            t
        };
        // Computer 80/100, phone 36/50, kiosk 10/50.
        counts.add_tally(&key(Channel::Computer), &tally(80, 100));
        counts.add_tally(&key(Channel::Phone), &tally(36, 50));
        counts.add_tally(&key(Channel::SelfServiceKiosk), &tally(10, 50));
        let run = |c: &ChannelClassification| {
            digital_adoption(&AdoptionInput {
                registry: &registry,
                quarter: q,
                providers: &[slug("treasury-irs")],
                counts: &counts,
                details: &details,
                classification: c,
                snapshots: &[],
                rules: &IdeaRules::default(),
            })
        };
        let fedcx = run(&ChannelClassification::fedcx());
        let p = &fedcx.providers[0];
        assert_eq!((p.digital_customers, p.customers), (700, 1000));
        // fedcx: digital (80 + 10) / 150 = 60%, assisted 36 / 50 = 72%: -12 points.
        let gap = p.trust_gap.as_ref().unwrap();
        assert!((gap.difference.value - (0.6 - 0.72)).abs() < 1e-12);
        let tp = run(&ChannelClassification::touchpoints());
        let p = &tp.providers[0];
        assert_eq!((p.digital_customers, p.customers), (620, 1000));
        assert_eq!(p.share, Some(0.62));
        // Touchpoints: digital 80 / 100 = 80%, assisted (36 + 10) / 100 = 46%: +34 points.
        let gap = p.trust_gap.as_ref().unwrap();
        assert!((gap.difference.value - (0.8 - 0.46)).abs() < 1e-12);
        assert_eq!(tp.services.len(), 1);
        assert!(p.website.is_none());
    }

    proptest::proptest! {
        /// Swapping the two quarters swaps "better" and "worse", and keeps every other direction:
        /// the direction depends only on the metric and the order of the two values.
        #[test]
        fn direction_is_antisymmetric(before in 0.0f64..1e6, now in 0.0f64..1e6, k in 0usize..8) {
            let metric = &BusinessMetric::KNOWN[k];
            let there = direction(metric, before, now);
            let back = direction(metric, now, before);
            let expected = match there {
                Direction::Better => Direction::Worse,
                Direction::Worse => Direction::Better,
                other => other,
            };
            proptest::prop_assert_eq!(back, expected);
            proptest::prop_assert_eq!(there == Direction::Unchanged, before == now);
        }
    }
}
