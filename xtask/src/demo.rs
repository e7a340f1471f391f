//! The deterministic demo-data generator: realistic A-11 survey responses for every HISP.
//!
//! Each respondent has one latent satisfaction, drawn around their service's level, shifted up on
//! digital channels, drifting by quarter; every answer is that latent plus noise, cut into the
//! 5-point scale. That makes answers correlate across questions the way real CX data does, which
//! the PLS and driver analyses need to find anything.

use std::io::Write;

use anyhow::{Context, Result};
use chrono::{Datelike, FixedOffset, NaiveTime, TimeZone};
use fedcx_model::records::DETAIL_EXPORT_COLUMNS;
use fedcx_model::survey::{Indicator, Polarity, INDICATOR_COUNT};
use fedcx_model::{
    Answers, Channel, FiscalQuarter, IndicatorState, Likert, Quarter, Registry, ResponseId, Service, SurveyResponse,
    SurveyVersion, TransactionPoint, TrustAnswer, TrustScale, V1Answer, V1Answers, V2Answers,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// What to generate.
#[derive(Debug, Clone)]
pub struct DemoConfig {
    /// Total responses.
    pub responses: u64,
    /// The random seed.
    pub seed: u64,
    /// First fiscal year.
    pub first_year: u16,
    /// Last fiscal year.
    pub last_year: u16,
}

impl Default for DemoConfig {
    fn default() -> DemoConfig {
        DemoConfig { responses: 30_000, seed: 2024, first_year: 2022, last_year: 2025 }
    }
}

/// Per-service constants drawn once from the seed.
struct ServicePlan<'a> {
    service: &'a Service,
    level: f64,
    trend: f64,
    /// A shock in the last quarter, so reports have a real drop to find.
    last_quarter_shock: f64,
    weight: f64,
    scale: TrustScale,
    offered: [bool; INDICATOR_COUNT],
    omb_control_number: String,
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    StandardNormal.sample(rng)
}

fn channel_effect(c: Channel) -> f64 {
    match c {
        Channel::Website | Channel::MobileApp => 0.35,
        Channel::Email | Channel::LiveChat | Channel::SelfServiceKiosk => 0.2,
        Channel::InPerson => -0.05,
        Channel::Phone => -0.25,
        Channel::AutomatedPhone => -0.35,
        Channel::PostalMail | Channel::Paper => -0.3,
        _ => 0.0,
    }
}

/// Cuts a standard-normal latent into the 5-point scale; thresholds put about 70% at 4-5, as in
/// published federal CX data.
fn to_likert(x: f64) -> Likert {
    let v = match x {
        x if x < -1.7 => 1,
        x if x < -1.0 => 2,
        x if x < -0.45 => 3,
        x if x < 0.65 => 4,
        _ => 5,
    };
    Likert::new(v).expect("1..=5")
}

const COMMENTS: [&str; 12] = [
    "The online form was clear and quick.",
    "Waited on hold for over an hour before anyone answered.",
    "Staff at the office were friendly and helpful.",
    "I could not find the status of my application anywhere.",
    "Too much paperwork; I had to send the same document twice.",
    "Great experience, done in ten minutes.",
    "The website kept timing out while I uploaded documents.",
    "Nobody explained why my request was denied.",
    "Easy to use on my phone.",
    "The letter I got was confusing.",
    "Appointment was on time and the process was smooth.",
    "I had to call three times to get an answer.",
];

const PII_COMMENTS: [&str; 3] = [
    "Please call me back at 202-555-0143, nobody has.",
    "My SSN 123-45-6789 was rejected by the form twice.",
    "Email me at jane.public@example.com with the decision.",
];

/// Generates responses and collection details, writing both as CSV.
pub fn generate(
    registry: &Registry,
    config: &DemoConfig,
    responses_out: &mut dyn Write,
    details_out: &mut dyn Write,
) -> Result<(u64, u64)> {
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let services: Vec<&Service> = registry.services().collect();
    let mut plans: Vec<ServicePlan<'_>> = Vec::with_capacity(services.len());
    for (k, s) in services.iter().enumerate() {
        let customers = s.estimated_annual_customers.unwrap_or(100_000).max(1_000) as f64;
        let mut offered = [false; INDICATOR_COUNT];
        for (i, slot) in offered.iter_mut().enumerate() {
            let ind = Indicator::ALL[i];
            *slot = ind.required() || rng.gen_bool(0.75);
        }
        let digital_share = s.channels.iter().filter(|c| c.is_digital()).count() as f64 / s.channels.len() as f64;
        plans.push(ServicePlan {
            service: s,
            level: 0.45 * normal(&mut rng),
            trend: 0.03 * normal(&mut rng) + 0.01,
            last_quarter_shock: if k % 9 == 4 { -0.6 } else { 0.0 },
            weight: customers.powf(0.3),
            scale: if digital_share > 0.6 || rng.gen_bool(0.3) {
                TrustScale::ThumbsUpDown
            } else {
                TrustScale::LikertScale
            },
            offered,
            omb_control_number: format!("{:04}-{:04}", 1000 + (k * 37) % 9000, 100 + (k * 113) % 900),
        });
    }
    let quarters: Vec<FiscalQuarter> = (config.first_year..=config.last_year)
        .flat_map(|y| Quarter::ALL.map(|q| FiscalQuarter::new(y, q).expect("demo years are in range")))
        .collect();
    let total_weight: f64 = plans.iter().map(|p| p.weight).sum();
    let mut writer = csv::Writer::from_writer(responses_out);
    writer.write_record(fedcx_ingest::NATIVE_HEADER)?;
    let mut details = csv::Writer::from_writer(details_out);
    details.write_record(DETAIL_EXPORT_COLUMNS)?;
    let per_quarter = config.responses / quarters.len() as u64;
    let mut remainder = config.responses % quarters.len() as u64;
    let mut next_id: u64 = 1;
    let mut detail_rows: u64 = 0;
    for (t, &quarter) in quarters.iter().enumerate() {
        let mut n_quarter = per_quarter;
        if remainder > 0 {
            n_quarter += 1;
            remainder -= 1;
        }
        let version = SurveyVersion::for_quarter(quarter);
        let is_last = t + 1 == quarters.len();
        // Apportion the quarter's responses to services by weight, then to channels.
        let mut allotted = 0u64;
        for (si, plan) in plans.iter().enumerate() {
            let share = plan.weight / total_weight;
            let n_service = if si + 1 == plans.len() {
                n_quarter - allotted
            } else {
                ((n_quarter as f64 * share).round() as u64).min(n_quarter - allotted)
            };
            allotted += n_service;
            let channels = &plan.service.channels;
            let channel_weights: Vec<f64> = channels
                .iter()
                .enumerate()
                .map(|(i, c)| if c.is_digital() { 2.0 } else { 1.0 } / (1.0 + i as f64 * 0.3))
                .collect();
            let cw_total: f64 = channel_weights.iter().sum();
            let mut given = 0u64;
            for (ci, &channel) in channels.iter().enumerate() {
                let n = if ci + 1 == channels.len() {
                    n_service - given
                } else {
                    ((n_service as f64 * channel_weights[ci] / cw_total).round() as u64).min(n_service - given)
                };
                given += n;
                let mean = plan.level
                    + channel_effect(channel)
                    + plan.trend * t as f64
                    + if is_last { plan.last_quarter_shock } else { 0.0 };
                let tp = if plan.service.stages.is_empty() || ci % 3 != 2 {
                    TransactionPoint::PostInteraction
                } else {
                    TransactionPoint::PostServiceJourney
                };
                for _ in 0..n {
                    let r = respondent(&mut rng, plan, channel, quarter, version, mean, tp, next_id)?;
                    next_id += 1;
                    writer.write_record(fedcx_ingest::native_record(&r))?;
                }
                if n > 0 {
                    write_detail(&mut details, &mut rng, registry, plan, quarter, channel, tp, n, detail_rows + 1)?;
                    detail_rows += 1;
                }
            }
        }
    }
    writer.flush().context("writing responses")?;
    details.flush().context("writing collection details")?;
    Ok((next_id - 1, detail_rows))
}

#[allow(clippy::too_many_arguments)]
fn respondent(
    rng: &mut ChaCha8Rng,
    plan: &ServicePlan<'_>,
    channel: Channel,
    quarter: FiscalQuarter,
    version: SurveyVersion,
    mean: f64,
    tp: TransactionPoint,
    id: u64,
) -> Result<SurveyResponse> {
    let theta = mean + normal(rng);
    let item =
        |loading: f64, rng: &mut ChaCha8Rng| loading * theta + (1.0 - loading * loading).sqrt() * 1.1 * normal(rng);
    let answers = match version {
        SurveyVersion::V1 => {
            let mut q = [None; 11];
            let loadings = [0.92, 0.8, 0.85, 0.84, 0.8, 0.7, 0.75];
            for (i, &l) in loadings.iter().enumerate() {
                let employee_absent = i == 6 && channel.is_digital();
                q[i] = if employee_absent && rng.gen_bool(0.8) {
                    Some(V1Answer::NotApplicable)
                } else if i >= 2 && rng.gen_bool(0.02) {
                    None
                } else {
                    Some(V1Answer::Score(to_likert(item(l, rng))))
                };
            }
            Answers::V1(V1Answers::new(q)?)
        }
        _ => {
            let trust_latent = item(0.85, rng);
            let trust = match plan.scale {
                TrustScale::ThumbsUpDown => TrustAnswer::ThumbsUpDown(trust_latent > -0.75),
                TrustScale::LikertScale => TrustAnswer::LikertScale(to_likert(trust_latent)),
            };
            let shown = trust.follow_up();
            let mut states = [[IndicatorState::NotOffered; INDICATOR_COUNT]; 2];
            for ind in Indicator::ALL {
                let offered = plan.offered[ind.index()] && !(ind == Indicator::Employee && channel.is_digital());
                if !offered {
                    continue;
                }
                let driver = item(0.7, rng);
                for p in Polarity::ALL {
                    states[p.index()][ind.index()] = if p != shown {
                        // Under the question the trust answer hid: never on this respondent's
                        // screen, so not offered (V2Answers::new records it so whatever is given;
                        // data/demo/responses.csv was written before, with 0 here).
                        IndicatorState::NotOffered
                    } else {
                        let pick = match p {
                            Polarity::Positive => driver > 0.2 && rng.gen_bool(0.8),
                            Polarity::Negative => driver < -0.2 && rng.gen_bool(0.8),
                        };
                        let other_noise = ind == Indicator::Other && rng.gen_bool(0.7);
                        if pick && !other_noise {
                            IndicatorState::Selected
                        } else {
                            IndicatorState::NotSelected
                        }
                    };
                }
            }
            let [positive, negative] = states;
            Answers::V2(V2Answers::new(trust, positive, negative)?)
        }
    };
    let comment = if rng.gen_bool(0.08) {
        Some(if rng.gen_bool(0.03) {
            PII_COMMENTS[rng.gen_range(0..PII_COMMENTS.len())].to_owned()
        } else {
            COMMENTS[rng.gen_range(0..COMMENTS.len())].to_owned()
        })
    } else {
        None
    };
    let start = quarter.start_date();
    let days = (quarter.end_date() - start).num_days();
    let date = start + chrono::Duration::days(rng.gen_range(0..=days));
    let time = NaiveTime::from_num_seconds_from_midnight_opt(rng.gen_range(6 * 3600..23 * 3600), 0).expect("in range");
    // Eastern time, with daylight saving approximated by month.
    let offset_hours = if (4..=10).contains(&date.month()) { -4 } else { -5 };
    let zone = FixedOffset::east_opt(offset_hours * 3600).expect("valid offset");
    let submitted_at = zone.from_local_datetime(&date.and_time(time)).single().expect("fixed offsets are unambiguous");
    Ok(SurveyResponse {
        id: ResponseId::new(&format!("DEMO-{id:08}"))?,
        service: plan.service.id.clone(),
        channel,
        transaction_point: tp,
        submitted_at,
        answers,
        comment,
        detail: None,
        id_generated: false,
    })
}

#[allow(clippy::too_many_arguments)]
fn write_detail<W: Write>(
    out: &mut csv::Writer<W>,
    rng: &mut ChaCha8Rng,
    registry: &Registry,
    plan: &ServicePlan<'_>,
    quarter: FiscalQuarter,
    channel: Channel,
    tp: TransactionPoint,
    respondents: u64,
    id: u64,
) -> Result<()> {
    let s = plan.service;
    let provider = registry.provider(&s.provider).context("service without provider")?;
    let org = registry.organization(&provider.organization).context("provider without organization")?;
    let response_rate = rng.gen_range(0.03..0.2);
    let offer_rate = rng.gen_range(0.1..0.7);
    let offered = ((respondents as f64 / response_rate).round() as u64).max(respondents);
    let customers = ((offered as f64 / offer_rate).round() as u64).max(offered);
    let collection_id = format!("{}-{}", s.id, quarter.compact());
    let record: Vec<String> = vec![
        id.to_string(),
        org.id.to_string(),
        org.abbreviation.clone(),
        org.name.clone(),
        collection_id,
        quarter.year().to_string(),
        quarter.quarter().number().to_string(),
        "CX Quarterly Reporting".to_owned(),
        provider.slug.to_string(),
        provider.name.clone(),
        provider.slug.to_string(),
        s.id.to_string(),
        s.name.clone(),
        tp.to_string(),
        channel.to_string(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        customers.to_string(),
        offered.to_string(),
        respondents.to_string(),
        plan.omb_control_number.clone(),
        plan.scale.to_string(),
        format!("{} feedback", provider.bureau_abbreviation),
        format!("I trust {} to deliver on its mission.", provider.bureau_abbreviation),
        String::new(),
        String::new(),
    ];
    out.write_record(&record)?;
    Ok(())
}
