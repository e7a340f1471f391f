//! Digital share of transactions: per service and fiscal quarter, the customers served on digital
//! channels as a share of the customers served on all channels, from the volumes collection
//! details declare.
//!
//! # The counting rule
//!
//! A collection detail is one survey on one channel at one transaction point (and, where the
//! provider defined stages, one stage) of a service in a quarter, and its `volume_of_customers` is
//! the customers the service served *through that channel* in the quarter. Two details of the same
//! channel at different stages or transaction points therefore describe the same customers (the
//! website's visitors who started an application and those who finished it), and summing them
//! counts people twice. So:
//!
//! * [`StageRule::ChannelMaximum`] (the default): a channel's customers are the largest volume any
//!   of its details declares, whatever the stage or transaction point; the channels then sum.
//!   Every channel with a known volume enters, and no customer is counted twice within a channel.
//! * [`StageRule::LargestStage`]: one stage per service and quarter, the stage whose channels
//!   (each at its largest volume) add up to the most customers (details without a stage form one
//!   group of their own; a tie goes to the stage named first in byte order, the unstaged group
//!   before any name). Details of the other stages are set aside and listed. This reads a share
//!   at one step of the journey, at the price of leaving out channels surveyed at other steps.
//!
//! Either way a customer who used two channels is counted once on each: the details cannot tell
//! who did. That is a property of the data, stated with the share.
//!
//! # Partial coverage
//!
//! A blank volume is unknown, never zero ([`CollectionDetail::volume_of_customers`]). A channel
//! whose every detail is blank stays out of both sides of the share and is listed, as are the
//! details with blank volumes and the channels the registry lists for the service that have no
//! detail in the quarter. Version 1's `mixed` (several channels reported together) is on neither
//! side under any classification; its customers are left out and given apart.

use std::collections::BTreeMap;

use fedcx_model::{
    Channel, ChannelClassification, CollectionDetail, Delivery, DetailId, FiscalQuarter, Registry, ServiceId,
};
use serde::Serialize;

/// How details of several stages of one service are combined (see the module's documentation).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StageRule {
    /// Each channel at the largest volume any of its details declares; channels sum.
    #[default]
    ChannelMaximum,
    /// Only the stage with the most customers; the other stages' details are set aside.
    LargestStage,
}

/// What [`digital_shares`] computes with.
#[derive(Debug, Clone, Default)]
pub struct DigitalConfig {
    /// Which channels are digital (fedcx's own by default).
    pub classification: ChannelClassification,
    /// How stages are combined.
    pub rule: StageRule,
}

/// One channel's part in a share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChannelCustomers {
    /// The channel.
    pub channel: Channel,
    /// Its side under the classification used.
    pub delivery: Delivery,
    /// The customers counted for it: the largest known volume among its details; `None` when every
    /// detail's volume is blank.
    pub customers: Option<u64>,
    /// The detail whose volume was counted (the first in input order among equal volumes).
    pub counted_detail: Option<DetailId>,
}

/// Where a share's data is incomplete. Empty lists mean full coverage.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// Details (counted stage only, under [`StageRule::LargestStage`]) whose `volume_of_customers`
    /// is blank.
    pub unknown_volume: Vec<DetailId>,
    /// Channels with details, none of which declares a volume: in neither side of the share.
    pub channels_unknown: Vec<Channel>,
    /// Channels the registry lists for the service with no detail in the quarter.
    pub channels_without_detail: Vec<Channel>,
    /// Customers on version 1's `mixed` channel, on neither side.
    pub mixed_customers: Option<u64>,
    /// Customers on details whose channel was not reported (`not_reported`), on neither side.
    pub unreported_customers: Option<u64>,
    /// Details of stages [`StageRule::LargestStage`] did not pick.
    pub set_aside: Vec<DetailId>,
}

impl Coverage {
    /// Whether every channel the service has (per the registry and the details) entered the share
    /// with a known volume.
    pub fn is_complete(&self) -> bool {
        self.unknown_volume.is_empty()
            && self.channels_unknown.is_empty()
            && self.channels_without_detail.is_empty()
            && self.mixed_customers.is_none()
            && self.unreported_customers.is_none()
    }
}

/// A service's digital share of transactions in one quarter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DigitalShare {
    /// The service.
    pub service: ServiceId,
    /// The fiscal quarter.
    pub quarter: FiscalQuarter,
    /// The classification's name (`fedcx`, `touchpoints`, ...).
    pub classification: String,
    /// The rule used.
    pub rule: StageRule,
    /// The stage counted under [`StageRule::LargestStage`] (`Some(None)`: the details without a
    /// stage); `None` under [`StageRule::ChannelMaximum`].
    pub stage: Option<Option<String>>,
    /// Customers counted on digital channels.
    pub digital_customers: u64,
    /// Customers counted on digital and assisted channels.
    pub customers: u64,
    /// `digital_customers / customers`, 0 to 1; `None` when no customers are known.
    pub share: Option<f64>,
    /// Each channel with a detail, in Touchpoints' channel order.
    pub channels: Vec<ChannelCustomers>,
    /// What is missing.
    pub coverage: Coverage,
}

/// The digital share of every (service, quarter) that has details, in service then quarter order.
/// `registry` supplies each service's channels, to flag those without a detail.
pub fn digital_shares(details: &[CollectionDetail], registry: &Registry, config: &DigitalConfig) -> Vec<DigitalShare> {
    let mut groups: BTreeMap<(&ServiceId, FiscalQuarter), Vec<&CollectionDetail>> = BTreeMap::new();
    for d in details {
        groups.entry((&d.service, d.quarter)).or_default().push(d);
    }
    groups.into_iter().map(|((service, quarter), group)| share_of(service, quarter, &group, registry, config)).collect()
}

/// Per channel, the detail with the largest known volume (first among equals) or, when none is
/// known, the channel with no volume. `Channel::ALL` order.
fn channel_maxima<'a>(details: &[&'a CollectionDetail]) -> BTreeMap<Channel, Option<&'a CollectionDetail>> {
    let mut best: BTreeMap<Channel, Option<&CollectionDetail>> = BTreeMap::new();
    for &d in details {
        let slot = best.entry(d.channel).or_default();
        if let Some(v) = d.volume_of_customers {
            if slot.and_then(|b| b.volume_of_customers).is_none_or(|b| v > b) {
                *slot = Some(d);
            }
        }
    }
    best
}

fn total(maxima: &BTreeMap<Channel, Option<&CollectionDetail>>) -> u64 {
    maxima.values().filter_map(|d| d.and_then(|d| d.volume_of_customers)).sum()
}

fn share_of(
    service: &ServiceId,
    quarter: FiscalQuarter,
    group: &[&CollectionDetail],
    registry: &Registry,
    config: &DigitalConfig,
) -> DigitalShare {
    let mut coverage = Coverage::default();
    let (counted, stage): (Vec<&CollectionDetail>, Option<Option<String>>) = match config.rule {
        StageRule::ChannelMaximum => (group.to_vec(), None),
        StageRule::LargestStage => {
            let mut stages: BTreeMap<Option<&str>, Vec<&CollectionDetail>> = BTreeMap::new();
            for &d in group {
                stages.entry(d.service_stage.as_deref()).or_default().push(d);
            }
            // BTreeMap order puts the unstaged group first and names in byte order, so keeping
            // only a strictly larger total breaks ties as documented.
            let mut chosen: Option<(Option<&str>, u64)> = None;
            for (name, ds) in &stages {
                let t = total(&channel_maxima(ds));
                if chosen.is_none_or(|(_, best)| t > best) {
                    chosen = Some((*name, t));
                }
            }
            let name = chosen.and_then(|(n, _)| n);
            coverage.set_aside =
                group.iter().filter(|d| d.service_stage.as_deref() != name).map(|d| d.id.clone()).collect();
            let kept = group.iter().copied().filter(|d| d.service_stage.as_deref() == name).collect();
            (kept, Some(name.map(str::to_owned)))
        }
    };
    coverage.unknown_volume =
        counted.iter().filter(|d| d.volume_of_customers.is_none()).map(|d| d.id.clone()).collect();
    let maxima = channel_maxima(&counted);
    let (mut digital, mut customers) = (0u64, 0u64);
    let mut channels = Vec::with_capacity(maxima.len());
    for (&channel, best) in &maxima {
        let delivery = config.classification.delivery(channel);
        let volume = best.and_then(|d| d.volume_of_customers);
        match (delivery, volume) {
            (_, None) => coverage.channels_unknown.push(channel),
            (Delivery::Digital, Some(v)) => {
                digital += v;
                customers += v;
            }
            (Delivery::Assisted, Some(v)) => customers += v,
            (Delivery::Mixed, Some(v)) => coverage.mixed_customers = Some(v),
            (Delivery::Unknown, Some(v)) => coverage.unreported_customers = Some(v),
        }
        channels.push(ChannelCustomers {
            channel,
            delivery,
            customers: volume,
            counted_detail: best.map(|d| d.id.clone()),
        });
    }
    let seen: Vec<Channel> = group.iter().map(|d| d.channel).collect();
    if let Some(s) = registry.service(service) {
        coverage.channels_without_detail = s.channels.iter().copied().filter(|c| !seen.contains(c)).collect();
    }
    DigitalShare {
        service: service.clone(),
        quarter,
        classification: config.classification.name().to_owned(),
        rule: config.rule,
        stage,
        digital_customers: digital,
        customers,
        share: (customers > 0).then(|| digital as f64 / customers as f64),
        channels,
        coverage,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use fedcx_model::{Quarter, TransactionPoint};

    const IRS_FILE: &str = "treasury-irs-file-return";

    /// The four details of the workspace's tests/fixtures/touchpoints/v2/details.csv (a real
    /// Touchpoints layout; see its .source.md), with the columns this computation reads: id, fiscal
    /// year and quarter, transaction point, channel, stage and volume of customers. Written out here
    /// because this crate is packaged alone and cannot read the workspace's files. Touchpoints'
    /// service 59 is the registry's `treasury-irs-file-return` (`touchpoints_ids = [59]`).
    fn fixture_details() -> Vec<CollectionDetail> {
        const ROWS: [(&str, &str, &str, Option<&str>, &str); 4] = [
            ("5101", "post_interaction", "website", Some("end"), "48211"),
            ("5102", "post_interaction", "phone", Some("process"), "2730462"),
            ("5103", "post_service_journey", "in_person", None, ""),
            ("5104", "post_interaction", "mobile_app", Some("end"), "61200"),
        ];
        let quarter = FiscalQuarter::new(2024, Quarter::Q2).unwrap();
        ROWS.iter()
            .map(|(id, tp, ch, stage, vol)| {
                detail(id, IRS_FILE, quarter, tp.parse().unwrap(), ch.parse().unwrap(), stage.map(str::to_owned), vol)
            })
            .collect()
    }

    /// A collection detail with only what the digital share reads (also for `scorecard`'s tests).
    pub(crate) fn detail(
        id: &str,
        service: &str,
        quarter: FiscalQuarter,
        transaction_point: TransactionPoint,
        channel: Channel,
        stage: Option<String>,
        volume: &str,
    ) -> CollectionDetail {
        CollectionDetail {
            id: DetailId::new(id).unwrap(),
            service: ServiceId::new(service).unwrap(),
            quarter,
            transaction_point,
            channel,
            service_stage: stage,
            volume_of_customers: (!volume.is_empty()).then(|| volume.parse().unwrap()),
            volume_of_customers_provided_survey_opportunity: None,
            volume_of_respondents: None,
            omb_control_number: String::new(),
            federal_register_url: String::new(),
            survey_type: None,
            survey_title: String::new(),
            trust_question_text: String::new(),
            touchpoints: Default::default(),
        }
    }

    fn ids(list: &[DetailId]) -> Vec<&str> {
        list.iter().map(DetailId::as_str).collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn fixture_share_by_channel_maximum_under_both_classifications() {
        let registry = Registry::bundled();
        let details = fixture_details();
        let shares = digital_shares(&details, &registry, &DigitalConfig::default());
        assert_eq!(shares.len(), 1);
        let s = &shares[0];
        assert_eq!(s.quarter.to_string(), "FY2024 Q2");
        // By hand from details.csv: website 48,211 (5101, stage end) and mobile_app 61,200 (5104,
        // stage end) are digital; phone 2,730,462 (5102, stage process) is assisted; in_person
        // (5103) has a blank volume. Digital 48,211 + 61,200 = 109,411; all 109,411 + 2,730,462 =
        // 2,839,873; share 109,411 / 2,839,873 = 0.03852672... (3.85%).
        assert_eq!(s.digital_customers, 109_411);
        assert_eq!(s.customers, 2_839_873);
        assert!(close(s.share.unwrap(), 109_411.0 / 2_839_873.0));
        assert!((s.share.unwrap() - 0.038_526_72).abs() < 1e-8);
        // Partial coverage: 5103's volume is blank, so in_person is on neither side; the registry
        // lists website, mobile_app, phone, postal_mail and in_person, and postal_mail has no detail.
        assert_eq!(ids(&s.coverage.unknown_volume), ["5103"]);
        assert_eq!(s.coverage.channels_unknown, [Channel::InPerson]);
        assert_eq!(s.coverage.channels_without_detail, [Channel::PostalMail]);
        assert!(!s.coverage.is_complete());
        assert!(s.coverage.set_aside.is_empty());

        // Touchpoints' available_digitally? counts computer, mobile, email and chatbot only: none
        // of these channels, so 0 of 2,839,873.
        let tp = DigitalConfig { classification: ChannelClassification::touchpoints(), ..DigitalConfig::default() };
        let s = &digital_shares(&details, &registry, &tp)[0];
        assert_eq!((s.digital_customers, s.customers, s.share), (0, 2_839_873, Some(0.0)));
        assert_eq!(s.classification, "touchpoints");
    }

    #[test]
    fn fixture_largest_stage_reads_one_step_and_sets_the_rest_aside() {
        // Stages by hand: "end" = 48,211 + 61,200 = 109,411; "process" = 2,730,462; no stage
        // (5103) = 0 known. "process" wins: 0 digital of 2,730,462.
        let config = DigitalConfig { rule: StageRule::LargestStage, ..DigitalConfig::default() };
        let s = &digital_shares(&fixture_details(), &Registry::bundled(), &config)[0];
        assert_eq!(s.stage, Some(Some("process".to_owned())));
        assert_eq!((s.digital_customers, s.customers, s.share), (0, 2_730_462, Some(0.0)));
        assert_eq!(ids(&s.coverage.set_aside), ["5101", "5103", "5104"]);
        assert!(s.coverage.unknown_volume.is_empty());
    }

    #[test]
    fn two_stages_and_two_transaction_points_count_each_customer_once_per_channel() {
        let q = FiscalQuarter::new(2025, Quarter::Q1).unwrap();
        let (pi, rel) = (TransactionPoint::PostInteraction, TransactionPoint::Relational);
        let apply = || Some("Apply".to_owned());
        let decide = || Some("Decide".to_owned());
        let details = vec![
            detail("a1", IRS_FILE, q, pi, Channel::Website, apply(), "1000"),
            detail("a2", IRS_FILE, q, rel, Channel::Website, apply(), "800"),
            detail("a3", IRS_FILE, q, pi, Channel::Phone, apply(), "400"),
            detail("d1", IRS_FILE, q, pi, Channel::Website, decide(), "600"),
            detail("d2", IRS_FILE, q, pi, Channel::Phone, decide(), "500"),
            detail("d3", IRS_FILE, q, pi, Channel::PostalMail, decide(), ""),
        ];
        let registry = Registry::bundled();
        // Channel maximum: website max(1000, 800, 600) = 1000, phone max(400, 500) = 500; postal
        // mail unknown. 1000 / 1500 = 2/3. (Summing every detail would give 2400 / 3300 = 0.727.)
        let s = &digital_shares(&details, &registry, &DigitalConfig::default())[0];
        assert_eq!((s.digital_customers, s.customers), (1000, 1500));
        assert!(close(s.share.unwrap(), 2.0 / 3.0));
        let counted: Vec<_> =
            s.channels.iter().map(|c| (c.channel, c.counted_detail.as_ref().map(DetailId::as_str))).collect();
        assert_eq!(
            counted,
            [(Channel::Phone, Some("d2")), (Channel::PostalMail, None), (Channel::Website, Some("a1"))]
        );
        assert_eq!(s.coverage.channels_unknown, [Channel::PostalMail]);
        assert_eq!(s.coverage.channels_without_detail, [Channel::MobileApp, Channel::InPerson]);
        // Largest stage: Apply = max(1000, 800) + 400 = 1400; Decide = 600 + 500 = 1100. Apply:
        // 1000 / 1400 = 5/7 = 0.714285...; Decide's three details are set aside (so its blank
        // postal mail is not flagged as an unknown volume of the counted stage).
        let config = DigitalConfig { rule: StageRule::LargestStage, ..DigitalConfig::default() };
        let s = &digital_shares(&details, &registry, &config)[0];
        assert_eq!(s.stage, Some(Some("Apply".to_owned())));
        assert_eq!((s.digital_customers, s.customers), (1000, 1400));
        assert!(close(s.share.unwrap(), 5.0 / 7.0));
        assert_eq!(ids(&s.coverage.set_aside), ["d1", "d2", "d3"]);
        assert!(s.coverage.unknown_volume.is_empty());
    }

    #[test]
    fn no_known_volume_is_no_share_and_mixed_is_on_neither_side() {
        let q = FiscalQuarter::new(2022, Quarter::Q2).unwrap();
        let pi = TransactionPoint::PostInteraction;
        let blank = [detail("b1", IRS_FILE, q, pi, Channel::Website, None, "")];
        let s = &digital_shares(&blank, &Registry::bundled(), &DigitalConfig::default())[0];
        assert_eq!((s.customers, s.share), (0, None));
        let with_mixed = [
            detail("m1", IRS_FILE, q, pi, Channel::Website, None, "30"),
            detail("m2", IRS_FILE, q, pi, Channel::Mixed, None, "70"),
            detail("m3", IRS_FILE, q, pi, Channel::Phone, None, "10"),
        ];
        // 30 / (30 + 10) = 0.75; mixed's 70 given apart.
        let s = &digital_shares(&with_mixed, &Registry::bundled(), &DigitalConfig::default())[0];
        assert!(close(s.share.unwrap(), 0.75));
        assert_eq!(s.coverage.mixed_customers, Some(70));
    }
}
