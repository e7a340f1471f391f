//! The numbers of the human report, computed once from counts and index results; every output
//! format renders this same structure, so they cannot disagree.

use std::collections::BTreeMap;

use fedcx_index::scores::{self, Comparison, GroupScores, Metric, TrendPoint};
use fedcx_index::stats::Share;
use fedcx_model::{BenchmarkPoint, Driver, FiscalQuarter, PublishedMeans, Registry, ResponseCounts, SurveyVersion};
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

/// A benchmark line for the index chart: the latest published year at or before the quarter's end.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchmarkLine {
    /// For people, with the year, e.g. "ACSI federal government 2022".
    pub label: String,
    /// The value, 0-100.
    pub value: f64,
    /// The ACSI data year.
    pub year: u16,
    /// `reported`, `derived` (back-computed from a reported change) or `ingested`.
    pub status: String,
    /// Where the value was published.
    pub source: String,
    /// Anything a reader should know about the value.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// What every report says about the index and the ACSI lines beside it.
pub const INDEX_METHOD_NOTE: &str = "fedcx's index is estimated from the A-11 survey questions with ACSI's method \
     (a PLS path model scored 0-100). It is not ACSI's own survey, sample or model, so the ACSI lines are \
     context, not a like-for-like comparison.";

/// How every published performance.gov figure is labelled: a mean, not a share who agree.
pub const PUBLISHED_MEAN_LABEL: &str = "published mean, 1-5 scale";

/// One driver's published mean.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedMean {
    /// The driver.
    pub driver: Driver,
    /// Its name for people.
    pub label: &'static str,
    /// The mean on the 1-5 answer scale, as published.
    pub mean: f64,
}

/// performance.gov's published figures for one service, quarter and survey (FY2019-20).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedRow {
    /// The quarter.
    pub quarter: FiscalQuarter,
    /// The service id.
    pub service: String,
    /// The service's name.
    pub service_name: String,
    /// The survey the figures come from; empty when the source names none.
    pub touchpoint: String,
    /// Always [`PUBLISHED_MEAN_LABEL`]: these are means, never % agree.
    pub measure: &'static str,
    /// Customers served, when published.
    pub customers: Option<u64>,
    /// Surveys offered, when published.
    pub surveyed: Option<u64>,
    /// Respondents, when published.
    pub respondents: Option<u64>,
    /// Each driver's published mean, in survey order.
    pub means: Vec<PublishedMean>,
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
    /// The trust question as the provider's surveys asked it this quarter: the agency's own text
    /// from its collection details, else the standard A-11 wording.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub questions_asked: Vec<String>,
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
    /// What the index is and is not ([`INDEX_METHOD_NOTE`]).
    pub index_note: &'static str,
    /// performance.gov's published means for the trend's quarters (FY2019-20 history), labelled
    /// [`PUBLISHED_MEAN_LABEL`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub published_means: Vec<PublishedRow>,
    /// Where published figures for the same service, quarter and survey disagree (the first is shown).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub published_notes: Vec<String>,
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
    /// Volumes, response rate and coverage per service and channel, from the collection details.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<crate::records::VolumeRow>,
    /// Whether any collection detail (volumes) was given for the quarter.
    pub volumes_provided: bool,
    /// What the report covers when it is not government-wide, e.g. "U.S. Customs and Border
    /// Protection": it titles the report, and providers without data are only listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The summary a leader reads first: plain sentences made from the numbers, each naming the
    /// section with its table.
    #[serde(default)]
    pub findings: Vec<Finding>,
    /// Trust per channel with at least `min_responses` answers, with its side of the
    /// digital-versus-assisted comparison.
    #[serde(default)]
    pub channels: Vec<ChannelRow>,
    /// Drivers of trust (version 2, 5-point answers, respondent-level data only): each indicator's
    /// selected-minus-not-selected mean trust, largest first.
    #[serde(default)]
    pub drivers: Vec<fedcx_index::drivers::DriverEffect>,
    /// In a scoped report, the providers in scope without data this quarter (names).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub providers_without_data: Vec<String>,
    /// Whether the report is made from fedcx's synthetic demo data.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub demo: bool,
    /// Groups withheld from the A-11 records, and why (also in `problems.csv`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withheld: Vec<crate::records::Problem>,
    /// Customer, employee and business results side by side ([`QuarterReport::balance`]).
    pub balanced: BalancedSection,
    /// How digital each HISP is, beside how well its digital channels do ([`QuarterReport::balance`]).
    pub digital: DigitalSection,
}

impl QuarterReport {
    /// The report as `report.json` publishes it, with the suppression rule the other formats
    /// apply: the JSON is the report serialised, then every share below `min_responses` and every
    /// comparison with either side below it is replaced by `{"suppressed": true}`, and a
    /// suppressed group keeps only its respondent counts and the flag. The rule works on the
    /// serialised shapes (a share is an object with `count`, `n`, `value`, `lo`, `hi`; a
    /// comparison one with `from`, `to`, `difference`), so a share added to the report later is
    /// covered without anyone remembering to: serialising the structure raw published a
    /// suppressed digital side's exact count and n (issue 21).
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).expect("the report serialises");
        suppress_json(&mut v, self.min_responses);
        v
    }
}

/// Complementary suppression: given the sizes of the parts of a shown total (the parts with no
/// answers count as none), which further part to suppress, if exactly one part is below `min`:
/// then the total minus the parts shown would give it back, so the smallest part at or above
/// `min` is suppressed with it. With two or more parts suppressed, none is a subtraction away.
pub fn complement(parts: &[u64], min: u64) -> Option<usize> {
    let hidden: Vec<bool> = parts.iter().map(|&n| n < min).collect();
    complement_hidden(parts, &hidden)
}

/// [`complement`] with the suppressed parts given (some are suppressed by an earlier pass).
fn complement_hidden(parts: &[u64], hidden: &[bool]) -> Option<usize> {
    // A part with no answers discloses nothing.
    let small = (0..parts.len()).filter(|&i| hidden[i] && parts[i] > 0).count();
    if small != 1 {
        return None;
    }
    (0..parts.len()).filter(|&i| !hidden[i]).min_by_key(|&i| (parts[i], i))
}

/// What the published JSON shows in place of a suppressed share or comparison.
fn suppressed_marker() -> serde_json::Value {
    serde_json::json!({ "suppressed": true })
}

/// Whether `v` is a serialised share ([`Share`]) below `min`, or the marker already.
fn below(v: &serde_json::Value, min: u64) -> bool {
    match v.as_object() {
        Some(o) if o.get("suppressed") == Some(&serde_json::Value::Bool(true)) && o.len() == 1 => true,
        Some(o) if is_share(o) => o["n"].as_u64().is_none_or(|n| n < min),
        _ => false,
    }
}

fn is_share(o: &serde_json::Map<String, serde_json::Value>) -> bool {
    ["count", "n", "value", "lo", "hi"].iter().all(|k| o.contains_key(*k)) && o.len() == 5
}

/// Applies the suppression rule to a serialised report in place (see [`QuarterReport::to_json`]).
fn suppress_json(v: &mut serde_json::Value, min: u64) {
    use serde_json::Value;
    let replace = match v {
        Value::Object(o) => {
            if is_share(o) {
                below(v, min)
            } else if o.contains_key("from") && o.contains_key("to") && o.contains_key("difference") {
                // Either side small: the whole comparison goes, since its other side and the
                // difference give the small side back by subtraction.
                below(&o["from"], min) || below(&o["to"], min)
            } else {
                false
            }
        }
        _ => false,
    };
    if replace {
        *v = suppressed_marker();
        return;
    }
    match v {
        Value::Object(o) => {
            // A question's or the trust question's scores with few answers: their counts at
            // each point and mean give the suppressed share back, so only the number of the
            // question and the flag stay.
            let scored = o.contains_key("mean") && (o.contains_key("counts") || o.contains_key("likert_n"));
            if scored && o.get("n").and_then(Value::as_u64).is_some_and(|n| n < min) {
                o.retain(|k, _| k == "question");
                o.insert("suppressed".into(), Value::Bool(true));
                return;
            }
            let group = o.contains_key("respondents_v1") && o.contains_key("respondents_v2");
            if group && o.get("suppressed") == Some(&Value::Bool(true)) {
                // Its questions' counts and means are as small as the group: the respondents and
                // the flag are what the other formats show of it too.
                o.retain(|k, _| matches!(k.as_str(), "respondents_v1" | "respondents_v2" | "suppressed"));
                return;
            }
            for x in o.values_mut() {
                suppress_json(x, min);
            }
        }
        Value::Array(a) => {
            for x in a {
                suppress_json(x, min);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {}
    }
}

/// One sentence of the summary, and the section that holds its table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The sentence.
    pub sentence: String,
    /// The id of the section with the numbers (`government`, `channels`, `drops`, `volumes`, ...).
    pub section: String,
}

/// Trust on one channel in the quarter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelRow {
    /// The channel.
    pub channel: fedcx_model::Channel,
    /// Digital, assisted, or (version 1's `mixed`) neither.
    pub delivery: fedcx_model::Delivery,
    /// Trust agreement.
    pub trust: Share,
}

/// How the drivers of trust are computed, in a sentence for the report.
pub const DRIVERS_METHOD: &str = "For each indicator, the mean trust answer (1-5) of respondents who \
     selected it minus that of respondents who were offered it and did not, with a Welch 95% interval; \
     5-point answers only (after a thumbs answer the form shows each follow-up to one answer only, so \
     thumbs give no contrast), both groups at or above the suppression threshold. An association, \
     not a cause.";

/// The channels that count as digital, for the sentence that says so.
pub fn digital_channels() -> Vec<&'static str> {
    fedcx_model::Channel::CURRENT.iter().filter(|c| c.is_digital()).map(|c| c.as_str()).collect()
}

/// A change for people: "up 4.2 points (significant, p = 0.012)" or "not a significant change
/// (-1.0 points, p = 0.61)". Significant means the 95% interval of the difference excludes 0.
pub fn change_sentence(c: &Comparison) -> String {
    let d = &c.difference;
    let points = 100.0 * d.value;
    if d.lo > 0.0 || d.hi < 0.0 {
        let dir = if points > 0.0 { "up" } else { "down" };
        format!(
            "{dir} {:.1} points [{:+.1}, {:+.1}] (significant, p = {:.3})",
            points.abs(),
            100.0 * d.lo,
            100.0 * d.hi,
            d.p_value
        )
    } else {
        format!(
            "not a significant change ({points:+.1} points [{:+.1}, {:+.1}], p = {:.2})",
            100.0 * d.lo,
            100.0 * d.hi,
            d.p_value
        )
    }
}

impl QuarterReport {
    /// Fills the per-channel table and the summary from the quarter's counts (already narrowed to
    /// the report's scope) and what the report holds: headline trust (and, in version-1 quarters,
    /// satisfaction) with its change from the previous quarter and from the same quarter a year
    /// before, the response rate, the index against the federal benchmark, the largest drop.
    pub fn summarise(&mut self, counts: &ResponseCounts) {
        let q = self.quarter;
        let min = self.min_responses;
        let in_q = |quarter: FiscalQuarter| counts.sum_where(|k| k.quarter == quarter);
        let now = in_q(q);
        let rows: Vec<ChannelRow> = fedcx_model::Channel::ALL
            .iter()
            .filter_map(|&c| {
                let trust = Metric::Trust.share(&counts.sum_where(|k| k.quarter == q && k.channel == c))?;
                Some(ChannelRow { channel: c, delivery: c.delivery(), trust })
            })
            .collect();
        // Complementary suppression: the government total and the digital and assisted sides of
        // `delivery` are each a sum of channels, so a single hidden channel under a shown total
        // is that total minus the channels shown; the smallest other channel under it is hidden
        // too. Hiding one can leave another total with one hidden part, hence the loop.
        let mut hidden: Vec<bool> = rows.iter().map(|r| r.trust.n < min).collect();
        let total_shown = Metric::Trust.share(&now).is_some_and(|s| s.n >= min);
        let delivery_shown = self.delivery.as_ref().is_some_and(|c| c.from.n >= min && c.to.n >= min);
        loop {
            let mut changed = false;
            // Each total and the side its channels are on (`None`: every channel).
            let groups = [
                (total_shown, None),
                (delivery_shown, Some(fedcx_model::Delivery::Digital)),
                (delivery_shown, Some(fedcx_model::Delivery::Assisted)),
            ];
            for (shown, side) in groups {
                if !shown {
                    continue;
                }
                let idx: Vec<usize> = (0..rows.len()).filter(|&i| side.is_none_or(|d| rows[i].delivery == d)).collect();
                let parts: Vec<u64> = idx.iter().map(|&i| rows[i].trust.n).collect();
                let hidden_now: Vec<bool> = idx.iter().map(|&i| hidden[i]).collect();
                if let Some(j) = complement_hidden(&parts, &hidden_now) {
                    hidden[idx[j]] = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        self.channels = rows.into_iter().zip(hidden).filter(|(_, h)| !h).map(|(r, _)| r).collect();
        let mut findings = Vec::new();
        let year_before = FiscalQuarter::new(q.year().saturating_sub(1), q.quarter()).ok();
        let mut headline = |metric: Metric, name: &str| {
            let Some(share) = metric.share(&now) else { return };
            if share.n < min {
                findings.push(Finding {
                    sentence: format!("{name}: fewer than {min} answers this quarter, so no share is shown."),
                    section: "government".into(),
                });
                return;
            }
            let mut sentence = format!(
                "{name}: {:.1}% agree [{:.1}, {:.1}] of {} answers in {q}",
                100.0 * share.value,
                100.0 * share.lo,
                100.0 * share.hi,
                share.n
            );
            for (label, other) in [("the previous quarter", q.prev()), ("a year before", year_before)] {
                let Some(other) = other else { continue };
                match scores::change(metric, &in_q(other), &now) {
                    Some(c) if c.from.n >= min => {
                        sentence.push_str(&format!("; from {label} ({other}): {}", change_sentence(&c)))
                    }
                    Some(c) => {
                        sentence.push_str(&format!("; no comparison with {label} ({other}): {} answers then", c.from.n))
                    }
                    None => sentence.push_str(&format!("; no comparison with {label} ({other}): no answers then")),
                }
            }
            sentence.push('.');
            findings.push(Finding { sentence, section: "government".into() });
        };
        headline(Metric::Trust, "Trust");
        if SurveyVersion::for_quarter(q) == SurveyVersion::V1 {
            headline(Metric::Satisfaction, "Satisfaction");
        }
        let (mut respondents, mut offered) = (0u64, 0u64);
        let mut unknown = 0;
        for v in &self.volumes {
            match (v.respondents, v.offered) {
                (Some(r), Some(o)) => {
                    respondents += r;
                    offered += o;
                }
                _ => unknown += 1,
            }
        }
        if offered > 0 {
            let mut sentence = format!(
                "Response rate: {:.2}% ({respondents} respondents of {offered} customers offered the survey)",
                100.0 * respondents as f64 / offered as f64
            );
            if unknown > 0 {
                sentence
                    .push_str(&format!("; {unknown} service-channel group(s) left volumes blank and are not in it"));
            }
            sentence.push('.');
            findings.push(Finding { sentence, section: "volumes".into() });
        } else if !self.volumes_provided {
            findings.push(Finding {
                sentence: "Response rate: unknown, no collection detail gives the volumes.".into(),
                section: "volumes".into(),
            });
        }
        if let (Some(index), Some(federal)) = (&self.index, self.benchmarks.first()) {
            let side = if index.value >= federal.value { "at or above" } else { "below" };
            findings.push(Finding {
                sentence: format!(
                    "The ACSI-style index, {:.1}, is {side} the {} ({:.1}).",
                    index.value, federal.label, federal.value
                ),
                section: "index".into(),
            });
        }
        if let Some((_, name, c)) = self.largest_drops.first() {
            findings.push(Finding {
                sentence: format!("Largest drop in trust: {name}, {}.", change_sentence(c)),
                section: "drops".into(),
            });
        }
        self.findings = findings;
    }

    /// Names, per provider, the trust question its surveys asked this quarter: the distinct texts of
    /// its collection details, else (version 2) the standard wording with the service's name.
    pub fn record_wordings(&mut self, registry: &Registry, details: &[fedcx_model::CollectionDetail]) {
        let q = self.quarter;
        for p in &mut self.providers {
            let mut texts: Vec<String> = details
                .iter()
                .filter(|d| {
                    d.quarter == q && registry.provider_of(&d.service).is_some_and(|sp| sp.slug.as_str() == p.slug)
                })
                .map(|d| d.trust_question_text.trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect();
            texts.sort();
            texts.dedup();
            let answered = p.scores.respondents_v1 + p.scores.respondents_v2 > 0;
            if texts.is_empty() && answered && SurveyVersion::for_quarter(q) != SurveyVersion::V1 {
                let agency = p.name.clone();
                texts.push(
                    fedcx_model::survey::V2_TRUST_WORDING
                        .replace("[Service]", "this service")
                        .replace("[Agency]", &agency)
                        + " (standard A-11 wording; the collection details give no text of their own)",
                );
            }
            p.questions_asked = texts;
        }
    }

    /// The report's title: the scope (or "A-11 Section 280 customer experience report") and quarter.
    pub fn title(&self) -> String {
        match &self.scope {
            Some(scope) => format!("{scope}, {}: A-11 Section 280 customer experience report", self.quarter),
            None => format!("A-11 Section 280 customer experience report: {}", self.quarter),
        }
    }

    /// The heading of the all-groups section: "Government-wide", or the scope's name.
    pub fn overall_heading(&self) -> String {
        self.scope.clone().unwrap_or_else(|| "Government-wide".to_owned())
    }

    /// Narrows a report to a scope: the label titles it, providers out of scope are left out, and
    /// those in scope without any respondent in the quarter are listed at the end instead of
    /// showing empty sections.
    pub fn scope_to(&mut self, label: String, in_scope: &[fedcx_model::ProviderSlug]) {
        self.scope = Some(label);
        let (with, without): (Vec<ProviderSection>, Vec<ProviderSection>) = std::mem::take(&mut self.providers)
            .into_iter()
            .filter(|p| in_scope.iter().any(|s| s.as_str() == p.slug))
            .partition(|p| p.scores.respondents_v1 + p.scores.respondents_v2 > 0);
        self.providers = with;
        self.providers_without_data = without.into_iter().map(|p| p.name).collect();
    }
}

/// What every output made from the demo data says first.
pub const DEMO_NOTICE: &str = "DEMO DATA: this report is made from fedcx's bundled synthetic responses, \
     not from any agency's survey. Its numbers describe no real service.";

/// Builds the report's numbers from the counts, series and index of `input` (the records and the
/// narrowing to a scope are added by [`crate::render_quarter`]).
pub fn build(input: &crate::ReportInput<'_>) -> QuarterReport {
    let (registry, counts, quarter, config) = (input.registry, input.counts, input.quarter, &input.scores);
    let (index, benchmarks, web_traffic) = (input.index.cloned(), input.benchmarks, input.web_traffic);
    let quarters = quarter.trailing(TREND_QUARTERS);
    let in_q = |k: &fedcx_model::GroupKey| k.quarter == quarter;
    let government = scores::score(&counts.sum_where(in_q), config);
    let trust_trend = scores::trend(counts, Metric::Trust, &quarters, config, |_| true);
    let satisfaction_trend = scores::trend(counts, Metric::Satisfaction, &quarters, config, |_| true);
    let delivery = scores::delivery_gap(counts, Metric::Trust, in_q);
    let months = quarter.months();
    let (mut web, unattributed_web_visits) = web_rollup(registry, web_traffic, &months);
    let mut providers = Vec::new();
    for p in registry.providers() {
        let of_p = |k: &fedcx_model::GroupKey| registry.provider_of(&k.service).is_some_and(|sp| sp.slug == p.slug);
        let dept = registry.department_of(&p.organization);
        // A service listed for other years (retired, or not yet designated) appears only if it
        // has answers this quarter, so retired entries do not show as empty rows.
        let mut services: Vec<(String, String, GroupScores)> = registry
            .services_of(&p.slug)
            .filter(|s| {
                s.reported_in(quarter.year()) || counts.iter().any(|(k, _)| k.quarter == quarter && k.service == s.id)
            })
            .map(|s| {
                let t = counts.sum_where(|k| k.quarter == quarter && k.service == s.id);
                (s.id.to_string(), s.name.clone(), scores::score(&t, config))
            })
            .collect();
        let scores = scores::score(&counts.sum_where(|k| k.quarter == quarter && of_p(k)), config);
        if !scores.suppressed {
            // The provider's total is shown: one suppressed service would be the total minus the
            // others, so the smallest other one is suppressed with it.
            let parts: Vec<u64> = services.iter().map(|(_, _, g)| g.respondents_v1 + g.respondents_v2).collect();
            if let Some(i) = complement(&parts, config.min_responses) {
                services[i].2.suppressed = true;
            }
        }
        let web_visits = web.remove(p.slug.as_str()).map(|(matched, visits)| {
            let listed: Vec<&str> = p.domains.iter().map(String::as_str).filter(|d| matched.contains(d)).collect();
            (listed.join(", "), visits)
        });
        providers.push(ProviderSection {
            slug: p.slug.to_string(),
            name: p.name.clone(),
            agency: registry.organization(dept).map_or_else(|| dept.to_string(), |o| o.abbreviation.clone()),
            scores,
            trust_trend: scores::trend(counts, Metric::Trust, &quarters, config, of_p),
            delivery_gap: scores::delivery_gap(counts, Metric::Trust, |k| k.quarter == quarter && of_p(k)),
            services,
            web_visits,
            questions_asked: Vec::new(),
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
        benchmarks: benchmark_lines(benchmarks, quarter),
        index_note: INDEX_METHOD_NOTE,
        published_means: Vec::new(),
        published_notes: Vec::new(),
        largest_drops,
        providers,
        reflection: None,
        record_notes: Vec::new(),
        volumes: Vec::new(),
        volumes_provided: true,
        scope: None,
        findings: Vec::new(),
        channels: Vec::new(),
        drivers: Vec::new(),
        providers_without_data: Vec::new(),
        demo: false,
        withheld: Vec::new(),
        unattributed_web_visits,
        balanced: BalancedSection::default(),
        digital: DigitalSection::default(),
    }
}

/// The federal and private-sector lines: for each, the latest data year at or before the quarter's
/// end, from the bundled series ([`crate::benchmarks`]) with ingested values replacing bundled ones.
fn benchmark_lines(points: &[BenchmarkPoint], quarter: FiscalQuarter) -> Vec<BenchmarkLine> {
    let values = crate::benchmarks::merged(points);
    crate::benchmarks::SHOWN
        .iter()
        .filter_map(|(series, name)| {
            let v = crate::benchmarks::latest_at_or_before(&values, series, quarter)?;
            Some(BenchmarkLine {
                label: format!("{name} {}", v.year),
                value: v.value,
                year: v.year,
                status: v.status.clone(),
                source: v.source.clone(),
                note: v.note.clone(),
            })
        })
        .collect()
}

/// performance.gov's published figures for the quarters of the trend window ending at `quarter`,
/// one row per (service, quarter, survey): the rows of a source that publishes volumes and each
/// driver apart are combined. Where two sources give different values for the same row, the first
/// is kept and the disagreement is returned as a note.
pub fn published_history(
    registry: &Registry,
    published: &[PublishedMeans],
    quarter: FiscalQuarter,
) -> (Vec<PublishedRow>, Vec<String>) {
    let window = quarter.trailing(TREND_QUARTERS);
    let mut rows: BTreeMap<(String, FiscalQuarter, String), PublishedMeans> = BTreeMap::new();
    let mut notes = Vec::new();
    for p in published.iter().filter(|p| window.contains(&p.quarter)) {
        let key = (p.service.to_string(), p.quarter, p.touchpoint.clone());
        let Some(row) = rows.get_mut(&key) else {
            rows.insert(key, p.clone());
            continue;
        };
        let what = format!("{} {}", p.service, p.quarter);
        for (name, kept, new) in [
            ("customers", &mut row.customers, p.customers),
            ("surveyed", &mut row.surveyed, p.surveyed),
            ("respondents", &mut row.respondents, p.respondents),
        ] {
            match (*kept, new) {
                (None, Some(n)) => *kept = Some(n),
                (Some(k), Some(n)) if k != n => notes.push(format!("{what}: {name} published as {k} and as {n}")),
                _ => {}
            }
        }
        for (driver, mean) in &p.means {
            match row.means.get(driver) {
                None => {
                    row.means.insert(*driver, *mean);
                }
                Some(k) if k != mean => {
                    notes.push(format!("{what}: {} mean published as {k} and as {mean}", driver.label()))
                }
                Some(_) => {}
            }
        }
    }
    let out = rows
        .into_values()
        .map(|p| PublishedRow {
            quarter: p.quarter,
            service_name: registry.service(&p.service).map_or_else(|| p.service.to_string(), |s| s.name.clone()),
            service: p.service.to_string(),
            touchpoint: p.touchpoint,
            measure: PUBLISHED_MEAN_LABEL,
            customers: p.customers,
            surveyed: p.surveyed,
            respondents: p.respondents,
            means: p
                .means
                .iter()
                .filter_map(|(d, m)| {
                    m.to_string().parse().ok().map(|mean| PublishedMean { driver: *d, label: d.label(), mean })
                })
                .collect(),
        })
        .collect();
    (out, notes)
}

/// A row of the drivers-of-trust table as text, the same in every format (each escapes it its own
/// way): indicator, selected (n, mean), not selected (n, mean), difference with its 95% interval.
pub(crate) fn driver_cells(d: &fedcx_index::drivers::DriverEffect) -> [String; 4] {
    [
        d.indicator.column(d.polarity),
        format!("{}, {:.2}", d.selected.0, d.selected.1),
        format!("{}, {:.2}", d.not_selected.0, d.not_selected.1),
        format!("{:+.2} [{:+.2}, {:+.2}]", d.difference, d.interval.0, d.interval.1),
    ]
}

/// The published-means table as text, the same in every format (each escapes it its own way): per
/// row the quarter, service, survey, surveyed, respondents, then each of `drivers`' means ("-"
/// where the row has none).
pub(crate) fn published_cells(r: &QuarterReport, drivers: &[(Driver, &str)]) -> Vec<Vec<String>> {
    let count = |n: Option<u64>| n.map_or("-".to_owned(), |n| n.to_string());
    r.published_means
        .iter()
        .map(|row| {
            let mut cells = vec![
                row.quarter.to_string(),
                row.service_name.clone(),
                row.touchpoint.clone(),
                count(row.surveyed),
                count(row.respondents),
            ];
            cells.extend(drivers.iter().map(|(d, _)| {
                row.means.iter().find(|m| m.driver == *d).map_or("-".to_owned(), |m| format!("{:.2}", m.mean))
            }));
            cells
        })
        .collect()
}

/// The drivers any published row has a mean for, in survey order, with their names.
pub fn published_drivers(rows: &[PublishedRow]) -> Vec<(Driver, &'static str)> {
    let mut drivers: Vec<(Driver, &'static str)> =
        rows.iter().flat_map(|r| r.means.iter().map(|m| (m.driver, m.label))).collect();
    drivers.sort_unstable();
    drivers.dedup();
    drivers
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
    web_traffic: &BTreeMap<(String, fedcx_model::Month), u64>,
    months: &[fedcx_model::Month],
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

// ---------------------------------------------------------------------------------------------
// Balanced measures and digital adoption
// ---------------------------------------------------------------------------------------------

/// What the balanced-measures and digital-adoption sections are computed from, beside the report.
#[derive(Debug, Clone, Copy)]
pub struct BalanceInput<'a> {
    /// The registry (crosswalk, services, domains).
    pub registry: &'a Registry,
    /// Counts of every ingested response (trust by channel).
    pub counts: &'a ResponseCounts,
    /// Collection details (volumes by channel).
    pub details: &'a [fedcx_model::CollectionDetail],
    /// FEVS counts, business results, site snapshots.
    pub balanced: &'a fedcx_model::balanced::BalancedInputs,
    /// Which channels are digital.
    pub classification: &'a fedcx_model::ChannelClassification,
}

/// One provider's row of the balanced scorecard, with its name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BalancedRow {
    /// The provider's name.
    pub name: String,
    /// Its three legs.
    pub card: fedcx_index::scorecard::ProviderScorecard,
}

/// The "Balanced measures" section: customer, employee and business results side by side.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BalancedSection {
    /// Whether FEVS results were given.
    pub fevs_given: bool,
    /// Whether business results were given.
    pub business_given: bool,
    /// The FEVS years given, oldest first.
    pub fevs_years: Vec<u16>,
    /// Providers with respondents this quarter or business results this or last quarter.
    pub rows: Vec<BalancedRow>,
    /// Trust against employee engagement across the rows' providers.
    pub trust_engagement: Option<fedcx_index::scorecard::TrustEngagement>,
    /// Where each input comes from, and its dates.
    pub sources: Vec<String>,
    /// The findings in plain sentences.
    pub findings: Vec<String>,
}

/// One provider's digital adoption, with its name, trust and web visits beside it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DigitalRow {
    /// The provider's name.
    pub name: String,
    /// Share, digital-minus-assisted trust, website criteria.
    pub adoption: fedcx_index::scorecard::ProviderAdoption,
    /// Trust agreement this quarter, when shown (at or above the threshold).
    pub trust: Option<Share>,
    /// DAP web visits this quarter to its registered domains.
    pub web_visits: Option<u64>,
}

impl DigitalRow {
    /// The row's cells as text, the same in every format (each escapes them its own way): share,
    /// coverage, digital-minus-assisted trust, website criteria, web visits, trust.
    pub(crate) fn cells(&self, min: u64) -> [String; 6] {
        let a = &self.adoption;
        let share = a.share.map_or_else(
            || "unknown".to_owned(),
            |v| format!("{:.1}% ({} of {})", 100.0 * v, a.digital_customers, a.customers),
        );
        let coverage = match (a.share, a.complete) {
            (None, _) => "-",
            (Some(_), true) => "complete",
            (Some(_), false) => "partial",
        };
        let website = website_phrase(a.website.as_ref(), a.website_before.as_ref())
            .map_or_else(|| "not scanned".to_owned(), |w| w.replace(" website criteria met", ""));
        [
            share,
            coverage.to_owned(),
            crate::markdown::gap_cell(a.trust_gap.as_ref(), min),
            website,
            self.web_visits.map_or_else(|| "no DAP data".to_owned(), |v| v.to_string()),
            self.trust.as_ref().map_or_else(|| "not shown".to_owned(), |t| share_text(Some(t), min)),
        ]
    }
}

/// One service's digital share as text, the same in every format: digital customers, customers,
/// share, coverage notes, digital-minus-assisted trust.
pub(crate) fn service_adoption_cells(sv: &fedcx_index::scorecard::ServiceAdoption, min: u64) -> [String; 5] {
    let (dc, c, share, notes) = match &sv.share {
        Some(sh) => (
            sh.digital_customers.to_string(),
            sh.customers.to_string(),
            sh.share.map_or_else(|| "unknown".to_owned(), |v| format!("{:.1}%", 100.0 * v)),
            crate::markdown::coverage_notes(&sh.coverage),
        ),
        None => ("-".into(), "-".into(), "unknown".into(), "no collection detail".to_owned()),
    };
    [dc, c, share, notes, crate::markdown::gap_cell(sv.trust_gap.as_ref(), min)]
}

/// The "Digital adoption" section: how digital each HISP is, and how well digital does.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DigitalSection {
    /// The channel classification's name.
    pub classification: String,
    /// Where the classification comes from.
    pub classification_source: String,
    /// Whether any collection detail (volumes) covers the quarter.
    pub volumes_given: bool,
    /// Whether any Site Scanning snapshot was given.
    pub scans_given: bool,
    /// Per service with a share or answers on both sides.
    pub services: Vec<fedcx_index::scorecard::ServiceAdoption>,
    /// Per provider with anything to show.
    pub rows: Vec<DigitalRow>,
    /// Where each input comes from, and its dates.
    pub sources: Vec<String>,
    /// The findings in plain sentences.
    pub findings: Vec<String>,
}

/// How the digital share is counted, for the section's note.
pub const DIGITAL_SHARE_RULE: &str = "Digital share = customers served on digital channels / customers served \
     on all channels, from the collection details' volume of customers. A channel counts once, at the largest \
     volume any of its details declares, so customers are not counted twice across stages or transaction \
     points; a customer who used two channels is counted on each. A blank volume is unknown, never zero: \
     such channels are left out of both sides and the coverage is marked partial.";

/// What the report says when FEVS results were not given.
pub const FEVS_NOT_GIVEN: &str = "Employee engagement (FEVS): not given. No FEVS results were ingested, so the \
     employee leg is not measured.";

/// What the report says when business results were not given.
pub const BUSINESS_NOT_GIVEN: &str = "Business results: not given. No business-results file was ingested.";

/// What the report says when no Site Scanning snapshot was given.
pub const SCANS_NOT_GIVEN: &str = "Website scans (GSA Site Scanning): not given. No snapshot was ingested, so \
     no website criteria are scored.";

/// A provider's trust share as shown: agreement at or above the threshold, else none.
pub fn shown_trust(g: &GroupScores, min: u64) -> Option<Share> {
    g.trust_v2
        .as_ref()
        .and_then(|t| t.agree)
        .or_else(|| g.v1.iter().find(|q| q.question == 2).and_then(|q| q.agree))
        .filter(|s| s.n >= min)
}

/// The customer leg's trust as people read it: the share, or whether it was suppressed or had no
/// answers (read from the trend's point for the quarter, which keeps a suppressed share's n).
pub fn leg_trust_text(c: &fedcx_index::scorecard::CustomerLeg, min: u64) -> String {
    match (&c.trust, c.trend.last()) {
        (Some(t), _) => share_text(Some(t), min),
        (None, Some(p)) => share_text(p.share.as_ref(), min),
        (None, None) => "no answers".to_owned(),
    }
}

/// A percentage 0-100 from a FEVS value, or why there is none: "64.3", "64.3 (parent agency)",
/// "not measured: not in the survey that year".
pub fn fevs_text(v: &fedcx_model::fevs::Measured<fedcx_model::fevs::Percent>, parent_agency: bool) -> String {
    match v {
        fedcx_model::fevs::Measured::Value(p) if parent_agency => format!("{:.1} (parent agency)", p.get()),
        fedcx_model::fevs::Measured::Value(p) => format!("{:.1}", p.get()),
        fedcx_model::fevs::Measured::NotMeasured(why) => why.to_string(),
    }
}

/// A business value with its unit: "12.5 minutes", "80.0%", "$14.20".
pub fn business_value_text(v: Option<f64>, unit: fedcx_model::business::Unit) -> String {
    use fedcx_model::business::Unit;
    let Some(v) = v else { return "-".to_owned() };
    match unit {
        Unit::Percent => format!("{v:.1}%"),
        Unit::Dollars => format!("${v:.2}"),
        Unit::Count => format!("{v}"),
        Unit::Seconds | Unit::Minutes | Unit::Hours | Unit::Days | Unit::Months => format!("{v} {unit}"),
    }
}

/// The association as a sentence.
pub fn association_sentence(te: &fedcx_index::scorecard::TrustEngagement) -> String {
    use fedcx_index::association::{Association, MIN_PROVIDERS};
    let Some(year) = te.year else {
        return "Trust and employee engagement: no FEVS year at or before the quarter's fiscal year was given, so no \
                association is estimated."
            .to_owned();
    };
    match te.association {
        Association::NotEnoughProviders { n } => format!(
            "Trust and employee engagement (FEVS {year}): {n} provider(s) have both a shown trust share and their \
             own EEI; at least {MIN_PROVIDERS} are needed, so no correlation is estimated."
        ),
        Association::NoVariation { n } => format!(
            "Trust and employee engagement (FEVS {year}): across {n} providers one of the measures does not vary, \
             so no correlation is estimated."
        ),
        Association::Estimated(c) => format!(
            "Across {} providers, trust this quarter and employee engagement (EEI, FEVS {year}) correlate at \
             r = {:.2} [95% CI {:.2} to {:.2}], Spearman rho = {:.2}: an association across agencies, not an effect.",
            c.n, c.pearson, c.lo, c.hi, c.spearman
        ),
    }
}

/// Why a provider is not a point of the association, for people.
pub fn left_out_text(why: &fedcx_index::scorecard::LeftOut) -> String {
    use fedcx_index::scorecard::LeftOut;
    match why {
        LeftOut::NoTrust => "no trust share shown this quarter".to_owned(),
        LeftOut::ParentAgencyOnly => "only its parent agency's EEI is known".to_owned(),
        LeftOut::NotMeasured(n) => n.to_string(),
    }
}

/// The digital-versus-assisted difference as a phrase: "digital trust 8 points above assisted".
pub fn gap_phrase(c: Option<&Comparison>, min: u64) -> String {
    match c {
        Some(c) if c.from.n >= min && c.to.n >= min => {
            let d = 100.0 * c.difference.value;
            let side = if d >= 0.0 { "above" } else { "below" };
            let significant = c.difference.lo > 0.0 || c.difference.hi < 0.0;
            format!(
                "digital trust {:.0} points {side} assisted{}",
                d.abs(),
                if significant { "" } else { " (not a significant difference)" }
            )
        }
        Some(_) => format!("digital vs assisted trust {}", suppressed(min)),
        None => "no digital-assisted trust comparison (one side has no answers)".to_owned(),
    }
}

/// The website criteria as a phrase: "5 of 7 website criteria met (up from 4 of 7 on 2025-01-10)".
pub fn website_phrase(
    now: Option<&fedcx_index::scorecard::CriteriaCount>,
    before: Option<&fedcx_index::scorecard::CriteriaCount>,
) -> Option<String> {
    let now = now?;
    let mut s = format!("{} of {} website criteria met", now.met, now.scored);
    if let Some(b) = before {
        let change = match now.met.cmp(&b.met) {
            std::cmp::Ordering::Greater => "up from",
            std::cmp::Ordering::Less => "down from",
            std::cmp::Ordering::Equal => "as",
        };
        s.push_str(&format!(" ({change} {} of {} on {})", b.met, b.scored, b.taken));
    }
    Some(s)
}

impl QuarterReport {
    /// Fills the "Balanced measures" and "Digital adoption" sections for the providers the report
    /// shows (call after [`QuarterReport::scope_to`]).
    pub fn balance(&mut self, input: &BalanceInput<'_>) {
        use fedcx_index::scorecard::{self as sc, CustomerLeg};
        let q = self.quarter;
        let min = self.min_responses;
        let b = input.balanced;
        let prev = q.prev();
        let has_business = |slug: &str| {
            b.business.iter().any(|m| {
                (m.quarter() == q || Some(m.quarter()) == prev)
                    && input.registry.provider_of(m.service()).is_some_and(|p| p.slug.as_str() == slug)
            })
        };
        let mut names = BTreeMap::new();
        let customers: Vec<CustomerLeg> = self
            .providers
            .iter()
            .filter(|p| p.scores.respondents_v1 + p.scores.respondents_v2 > 0 || has_business(&p.slug))
            .filter_map(|p| {
                let provider = fedcx_model::ProviderSlug::new(&p.slug).ok()?;
                names.insert(p.slug.clone(), p.name.clone());
                Some(CustomerLeg { provider, trust: shown_trust(&p.scores, min), trend: p.trust_trend.clone() })
            })
            .collect();
        let card = sc::scorecard(&sc::ScorecardInput {
            registry: input.registry,
            quarter: q,
            customers: &customers,
            fevs: &b.fevs,
            business: &b.business,
        });
        let name_of = |slug: &str| names.get(slug).cloned().unwrap_or_else(|| slug.to_owned());
        let mut balanced = BalancedSection {
            fevs_given: !b.fevs.is_empty(),
            business_given: !b.business.is_empty(),
            fevs_years: card.fevs_years.iter().map(|y| y.get()).collect(),
            rows: card
                .providers
                .into_iter()
                .map(|c| BalancedRow { name: name_of(c.customer.provider.as_str()), card: c })
                .collect(),
            trust_engagement: Some(card.trust_engagement),
            sources: Vec::new(),
            findings: Vec::new(),
        };
        balanced.sources = balanced_sources(self, b, &balanced.fevs_years);
        balanced.findings = balanced_findings(&balanced, min);
        self.balanced = balanced;

        let slugs: Vec<fedcx_model::ProviderSlug> =
            self.providers.iter().filter_map(|p| fedcx_model::ProviderSlug::new(&p.slug).ok()).collect();
        let rules = fedcx_model::website::IdeaRules::default();
        let adoption = sc::digital_adoption(&sc::AdoptionInput {
            registry: input.registry,
            quarter: q,
            providers: &slugs,
            counts: input.counts,
            details: input.details,
            classification: input.classification,
            snapshots: &b.site_snapshots,
            rules: &rules,
        });
        let rows: Vec<DigitalRow> = adoption
            .providers
            .into_iter()
            .zip(&self.providers)
            .filter_map(|(a, p)| {
                let trust = shown_trust(&p.scores, min);
                let web_visits = p.web_visits.as_ref().map(|(_, v)| *v);
                let any = a.share.is_some() || a.trust_gap.is_some() || a.website.is_some() || web_visits.is_some();
                any.then(|| DigitalRow { name: p.name.clone(), adoption: a, trust, web_visits })
            })
            .collect();
        let in_q = input.details.iter().filter(|d| d.quarter == q).count();
        let mut digital = DigitalSection {
            classification: input.classification.name().to_owned(),
            classification_source: input.classification.source().to_owned(),
            volumes_given: in_q > 0,
            scans_given: !b.site_snapshots.is_empty(),
            services: adoption.services,
            rows,
            sources: Vec::new(),
            findings: Vec::new(),
        };
        digital.sources = digital_sources(self, &digital, b, in_q);
        digital.findings = digital_findings(&digital, min);
        self.digital = digital;
    }
}

/// The inputs of the balanced section with their dates.
fn balanced_sources(r: &QuarterReport, b: &fedcx_model::balanced::BalancedInputs, years: &[u16]) -> Vec<String> {
    let mut out = Vec::new();
    let first = r.trust_trend.first().map_or_else(|| r.quarter.to_string(), |p| p.quarter.to_string());
    out.push(format!("Customer: A-11 Section 280 responses, trust for {} with its trend from {first}.", r.quarter));
    if years.is_empty() {
        out.push(FEVS_NOT_GIVEN.to_owned());
    } else {
        let ys: Vec<String> = years.iter().map(u16::to_string).collect();
        out.push(format!(
            "Employee: OPM Federal Employee Viewpoint Survey, survey year(s) {}; EEI and GSI computed from the \
             weighted answers with each year's item map; providers matched to FEVS units through the registry's \
             curated crosswalk (each entry names its source).",
            ys.join(", ")
        ));
    }
    if b.business.is_empty() {
        out.push(BUSINESS_NOT_GIVEN.to_owned());
    } else {
        let mut by_source: BTreeMap<&str, std::collections::BTreeSet<FiscalQuarter>> = BTreeMap::new();
        for m in &b.business {
            by_source.entry(m.source()).or_default().insert(m.quarter());
        }
        for (source, quarters) in by_source {
            let qs: Vec<String> = quarters.iter().map(|q| q.to_string()).collect();
            out.push(format!("Business results: {source} ({}).", qs.join(", ")));
        }
    }
    out
}

/// The balanced section's sentences: per provider, the three legs; across providers, the association.
fn balanced_findings(s: &BalancedSection, min: u64) -> Vec<String> {
    let mut out = Vec::new();
    let latest = s.fevs_years.last().copied();
    for row in &s.rows {
        let c = &row.card.customer;
        let mut parts = Vec::new();
        match &c.trust {
            Some(t) => {
                let mut p = format!("trust {:.0}%", 100.0 * t.value);
                let earlier = c.trend.iter().rev().skip(1).find(|p| p.share.as_ref().is_some_and(|x| x.n >= min));
                if let Some(e) = earlier.and_then(|e| e.share.as_ref().map(|x| (e.quarter, x))) {
                    p.push_str(&format!(" (was {:.0}% in {})", 100.0 * e.1.value, e.0));
                }
                parts.push(p);
            }
            None => parts.push("trust not shown this quarter".to_owned()),
        }
        if let Some(e) = latest.and_then(|y| row.card.employee.iter().find(|e| e.year.get() == y)) {
            parts.push(format!("EEI {} {}", e.year, fevs_text(&e.eei, e.parent_agency)));
        }
        // A provider's services each report their own measures: the sentence counts how they
        // moved (the table names each service and metric), so one service's wait time is never
        // read as another's.
        let given: Vec<&fedcx_index::scorecard::BusinessRow> =
            row.card.business.iter().filter(|b| b.current.is_some()).collect();
        let one_service = given.windows(2).all(|w| w[0].service == w[1].service);
        if !given.is_empty() && one_service {
            let moved: Vec<String> =
                given.iter().map(|b| format!("{} {}", b.metric.label().to_lowercase(), b.direction.label())).collect();
            parts.push(moved.join(", "));
        } else if !given.is_empty() {
            let mut by_direction: BTreeMap<&str, usize> = BTreeMap::new();
            for b in &given {
                *by_direction.entry(b.direction.label()).or_default() += 1;
            }
            let moved: Vec<String> = by_direction.iter().map(|(d, n)| format!("{n} {d}")).collect();
            parts.push(format!("business measures this quarter: {} of {}", moved.join(", "), given.len()));
        }
        out.push(format!("{}: {}.", row.name, parts.join("; ")));
    }
    if let Some(te) = &s.trust_engagement {
        if s.fevs_given {
            out.push(association_sentence(te));
        }
    }
    out
}

/// The inputs of the digital section with their dates.
fn digital_sources(
    r: &QuarterReport,
    d: &DigitalSection,
    b: &fedcx_model::balanced::BalancedInputs,
    details: usize,
) -> Vec<String> {
    let mut out = vec![format!("Channel classification: {} ({}).", d.classification, d.classification_source)];
    if details > 0 {
        out.push(format!(
            "Digital share: {details} collection detail(s) for {} (volume of customers by channel).",
            r.quarter
        ));
    } else {
        out.push(format!("Digital share: no collection detail (volumes) for {}, so no share is known.", r.quarter));
    }
    if b.site_snapshots.is_empty() {
        out.push(SCANS_NOT_GIVEN.to_owned());
    } else {
        let mut snaps: Vec<&fedcx_model::balanced::SiteSnapshot> = b.site_snapshots.iter().collect();
        snaps.sort_by_key(|s| s.taken);
        for s in snaps {
            out.push(format!(
                "Website scan: GSA Site Scanning snapshot of {} ({} site(s)), {}.",
                s.taken,
                s.scans.len(),
                s.source
            ));
        }
    }
    let months: Vec<String> = r.quarter.months().iter().map(|m| m.to_string()).collect();
    if r.providers.iter().any(|p| p.web_visits.is_some()) {
        out.push(format!("Web visits: Digital Analytics Program, months {}.", months.join(", ")));
    } else {
        out.push("Web visits: no Digital Analytics Program data for the quarter's months.".to_owned());
    }
    out
}

/// The digital section's sentences, one per provider: "IRS: 62% of customers served digitally;
/// digital trust 8 points above assisted; 5 of 7 website criteria met".
fn digital_findings(d: &DigitalSection, min: u64) -> Vec<String> {
    d.rows
        .iter()
        .filter(|r| r.adoption.share.is_some() || r.adoption.trust_gap.is_some() || r.adoption.website.is_some())
        .map(|r| {
            let a = &r.adoption;
            let mut parts = Vec::new();
            match a.share {
                Some(s) => parts.push(format!(
                    "{:.0}% of customers served digitally{}",
                    100.0 * s,
                    if a.complete { "" } else { " (partial coverage)" }
                )),
                None => parts.push("digital share not known (no volumes)".to_owned()),
            }
            parts.push(gap_phrase(a.trust_gap.as_ref(), min));
            if let Some(w) = website_phrase(a.website.as_ref(), a.website_before.as_ref()) {
                parts.push(w);
            }
            format!("{}: {}.", r.name, parts.join("; "))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_visits_roll_up_to_the_provider_owning_the_longest_domain_suffix() {
        let registry = Registry::bundled();
        let q = |m: &str| m.to_owned();
        let m = |m: &str| m.parse::<fedcx_model::Month>().unwrap();
        let traffic = BTreeMap::from([
            // www. and subdomains of irs.gov are IRS's; notirs.gov is not.
            ((q("irs.gov"), m("2024-01")), 100),
            ((q("sa.www4.irs.gov"), m("2024-02")), 20),
            ((q("notirs.gov"), m("2024-01")), 7),
            // benefits.va.gov is VBA's; va.gov itself no bureau's (VA's department-wide site).
            ((q("benefits.va.gov"), m("2024-03")), 30),
            ((q("www.benefits.va.gov"), m("2024-03")), 3),
            ((q("va.gov"), m("2024-01")), 50),
            // Outside the quarter: not counted anywhere.
            ((q("irs.gov"), m("2024-04")), 1_000),
            // A key stored before hosts were normalised is normalised here.
            ((q("WWW.SSA.GOV"), m("2024-01")), 9),
        ]);
        let months = "FY2024 Q2".parse::<FiscalQuarter>().unwrap().months();
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

    fn published(
        quarter: &str,
        touchpoint: &str,
        respondents: Option<u64>,
        means: &[(Driver, &str)],
    ) -> PublishedMeans {
        PublishedMeans {
            service: fedcx_model::ServiceId::new("va-vha-outpatient-care").unwrap(),
            quarter: quarter.parse().unwrap(),
            touchpoint: touchpoint.into(),
            customers: None,
            surveyed: None,
            respondents,
            means: means.iter().map(|(d, m)| (*d, m.parse().unwrap())).collect(),
        }
    }

    #[test]
    fn published_history_combines_rows_keeps_the_window_and_notes_disagreements() {
        let registry = Registry::bundled();
        let input = [
            published("FY2019 Q4", "", Some(310_992), &[]),
            published("FY2019 Q4", "", None, &[(Driver::Trust, "4.39")]),
            published("FY2019 Q4", "", None, &[(Driver::Satisfaction, "4.7")]),
            published("FY2020 Q1", "", None, &[(Driver::Trust, "4.42")]),
            published("FY2020 Q1", "", None, &[(Driver::Trust, "4.27")]),
            published("FY2020 Q1", "Post-visit email survey", Some(304_687), &[(Driver::Trust, "4.27")]),
            // Outside the eight quarters ending FY2020 Q2.
            published("FY2018 Q2", "", Some(1), &[(Driver::Trust, "4.0")]),
        ];
        let (rows, notes) = published_history(&registry, &input, "FY2020 Q2".parse().unwrap());
        let shown: Vec<String> = rows
            .iter()
            .map(|r| {
                let means: Vec<String> = r.means.iter().map(|m| format!("{:?} {}", m.driver, m.mean)).collect();
                format!("{} [{}] {:?}: {}", r.quarter, r.touchpoint, r.respondents, means.join(", "))
            })
            .collect();
        assert_eq!(
            shown,
            [
                "FY2019 Q4 [] Some(310992): Satisfaction 4.7, Trust 4.39",
                "FY2020 Q1 [] None: Trust 4.42",
                "FY2020 Q1 [Post-visit email survey] Some(304687): Trust 4.27",
            ]
        );
        assert!(rows.iter().all(|r| r.measure == "published mean, 1-5 scale"));
        assert_eq!(rows[0].service_name, registry.service(&input[0].service).unwrap().name);
        assert_eq!(notes, ["va-vha-outpatient-care FY2020 Q1: Trust / confidence mean published as 4.42 and as 4.27"]);
    }

    #[test]
    fn benchmark_lines_carry_their_year_in_the_label() {
        let lines = benchmark_lines(&[], "FY2025 Q2".parse().unwrap());
        let shown: Vec<(&str, f64)> = lines.iter().map(|l| (l.label.as_str(), l.value)).collect();
        assert_eq!(shown, [("ACSI federal government 2024", 69.7), ("ACSI private business services 1999", 71.9)]);
        let lines = benchmark_lines(&[], "FY2023 Q2".parse().unwrap());
        assert_eq!((lines[0].label.as_str(), lines[0].status.as_str()), ("ACSI federal government 2023", "derived"));
    }

    #[test]
    fn complement_suppresses_the_smallest_other_part_only_when_one_part_is_small() {
        // One small part (7) under a shown total: the smallest other (35) goes with it.
        assert_eq!(complement(&[40, 35, 7], 30), Some(1));
        // No answers disclose nothing; two small parts are not a subtraction away from either.
        assert_eq!(complement(&[40, 35, 0], 30), None);
        assert_eq!(complement(&[40, 7, 1], 30), None);
        assert_eq!(complement(&[40, 35], 30), None);
        // The one respondent of issue 21 is a small part too.
        assert_eq!(complement(&[50, 1], 30), Some(0));
    }

    #[test]
    fn published_json_keeps_no_count_of_a_small_question_or_share() {
        let mut v = serde_json::json!({
            "v1": [
                {"question": 2, "n": 7, "not_applicable": 0, "agree": {"count": 3, "n": 7, "value": 0.43, "lo": 0.1, "hi": 0.8},
                 "disagree": null, "mean": 3.1, "counts": [1, 1, 2, 2, 1]},
                {"question": 3, "n": 40, "not_applicable": 0, "agree": null, "disagree": null, "mean": 3.0,
                 "counts": [8, 8, 8, 8, 8]}
            ],
            "trust_v2": {"n": 1, "thumbs_n": 1, "likert_n": 0, "agree": null, "disagree": null, "mean": null},
            "gap": {"from": {"count": 30, "n": 40, "value": 0.75, "lo": 0.6, "hi": 0.86},
                    "to": {"count": 0, "n": 1, "value": 0.0, "lo": 0.0, "hi": 0.79}, "difference": {}}
        });
        suppress_json(&mut v, 30);
        assert_eq!(v["v1"][0], serde_json::json!({"question": 2, "suppressed": true}));
        assert_eq!(v["v1"][1]["counts"], serde_json::json!([8, 8, 8, 8, 8]), "40 answers stay");
        assert_eq!(v["trust_v2"], serde_json::json!({"suppressed": true}));
        assert_eq!(v["gap"], serde_json::json!({"suppressed": true}));
    }

    #[test]
    fn suppression_text() {
        let s = Share::wilson(10, 20).unwrap();
        assert_eq!(share_text(Some(&s), 30), "suppressed (n < 30)");
        assert_eq!(share_text(Some(&s), 20), "50.0% [29.9, 70.1]");
        assert_eq!(share_text(None, 30), "no answers");
    }

    #[test]
    fn digital_sentences_read_share_gap_and_website_together() {
        use fedcx_index::scorecard::{CriteriaCount, ProviderAdoption};
        let date = |d: &str| d.parse::<chrono::NaiveDate>().unwrap();
        // Digital 900 of 1,000 agree, assisted 820 of 1,000: +8 points; standard error
        // sqrt(0.9 * 0.1 / 1000 + 0.82 * 0.18 / 1000) = 0.0154, so the interval excludes 0.
        let (assisted, digital) = (Share::wilson(820, 1000).unwrap(), Share::wilson(900, 1000).unwrap());
        let gap =
            Comparison { from: assisted, to: digital, difference: fedcx_index::stats::difference(&assisted, &digital) };
        let row = |share, complete, gap: Option<Comparison>, website| DigitalRow {
            name: "Internal Revenue Service".into(),
            adoption: ProviderAdoption {
                provider: fedcx_model::ProviderSlug::new("treasury-irs").unwrap(),
                digital_customers: 620,
                customers: 1000,
                share,
                complete,
                trust_gap: gap,
                website,
                website_before: Some(CriteriaCount { taken: date("2025-01-10"), met: 4, scored: 7, sites: 2 }),
            },
            trust: None,
            web_visits: None,
        };
        let now = CriteriaCount { taken: date("2025-03-15"), met: 5, scored: 7, sites: 2 };
        let section = DigitalSection {
            rows: vec![
                // 620 / 1000 = 62%.
                row(Some(0.62), true, Some(gap.clone()), Some(now.clone())),
                // Nothing to say (only web visits or trust elsewhere): no sentence.
                row(None, false, None, None),
                // A small assisted side: suppressed, never a number.
                row(Some(0.62), false, Some(Comparison { from: Share::wilson(5, 10).unwrap(), ..gap }), None),
            ],
            ..DigitalSection::default()
        };
        assert_eq!(
            digital_findings(&section, 30),
            [
                "Internal Revenue Service: 62% of customers served digitally; digital trust 8 points above assisted; \
                 5 of 7 website criteria met (up from 4 of 7 on 2025-01-10).",
                "Internal Revenue Service: 62% of customers served digitally (partial coverage); digital vs assisted \
                 trust suppressed (n < 30).",
            ]
        );
        // Digital 85 of 100 against assisted 82 of 100: +3 points, interval across 0.
        let (a, d) = (Share::wilson(82, 100).unwrap(), Share::wilson(85, 100).unwrap());
        let small = Comparison { from: a, to: d, difference: fedcx_index::stats::difference(&a, &d) };
        assert_eq!(
            gap_phrase(Some(&small), 30),
            "digital trust 3 points above assisted (not a significant difference)"
        );
    }
}
