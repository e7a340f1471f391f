//! The report as Markdown.

use std::fmt::Write;

use fedcx_index::scores::{Comparison, GroupScores, TrendPoint};
use fedcx_model::survey::V1_QUESTIONS;

use crate::escape::markdown as md;
use crate::report::{
    association_sentence, business_value_text, change_text, fevs_text, interval_text, left_out_text, share_text,
    suppressed, QuarterReport, DIGITAL_SHARE_RULE, INDEX_NOT_ESTIMATED, PUBLISHED_MEAN_LABEL,
};

/// Renders the report.
pub fn render(r: &QuarterReport) -> String {
    let mut s = String::new();
    let min = r.min_responses;
    let _ = writeln!(s, "# {}\n", md(&r.title()));
    let _ = writeln!(
        s,
        "Survey version {}. Shares are the percentage who agree (4-5 on the 5-point scale, or thumbs up), with \
         95% Wilson intervals in brackets. Groups with fewer than {min} responses show \"{}\" instead of a number.\n",
        r.version.as_str().trim_start_matches('v'),
        suppressed(min)
    );
    for line in status_lines(r) {
        let _ = writeln!(s, "**{}**\n", md(&line));
    }
    if !r.findings.is_empty() {
        let _ = writeln!(s, "## Summary\n");
        for f in &r.findings {
            let _ = writeln!(s, "- {}", md(&f.sentence));
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(s, "## {}\n", md(&r.overall_heading()));
    scores_section(&mut s, &r.government, min);
    let _ = writeln!(s, "### Trust over the last {} quarters\n", r.trust_trend.len());
    trend_table(&mut s, &r.trust_trend, min);
    let _ = writeln!(s, "### Satisfaction over the last {} quarters\n", r.satisfaction_trend.len());
    if r.satisfaction_trend.iter().any(|p| p.share.is_some()) {
        let _ = writeln!(s, "Version 1 asked satisfaction (q1); version 2 (FY2024 on) does not.\n");
        trend_table(&mut s, &r.satisfaction_trend, min);
    } else {
        let _ = writeln!(
            s,
            "No satisfaction answers in these quarters: version 2 of the survey (FY2024 on) does not ask it.\n"
        );
    }
    published_history(&mut s, r);
    let _ = writeln!(s, "### Digital and assisted channels\n");
    gap(&mut s, r.delivery.as_ref(), min);
    channels_table(&mut s, r);
    drivers_table(&mut s, r);
    let _ = writeln!(s, "### ACSI-style satisfaction index\n");
    match &r.index {
        Some(i) => {
            let interval = interval_text(i);
            let _ = writeln!(
                s,
                "{}: **{:.1}**{interval} on 0-100, from {} respondents.\n",
                md(&i.label),
                i.value,
                i.respondents
            );
        }
        None => {
            let _ = writeln!(s, "{INDEX_NOT_ESTIMATED}\n");
        }
    }
    benchmarks(&mut s, r);
    if let Some(text) = &r.reflection {
        let _ = writeln!(s, "\n### Reflection on the quarter\n");
        for para in text.split("\n\n").filter(|p| !p.trim().is_empty()) {
            let _ = writeln!(s, "{}\n", md(para.trim()));
        }
    }
    if !r.volumes.is_empty() {
        let _ = writeln!(s, "\n### Response rate and coverage\n");
        let _ = writeln!(
            s,
            "Response rate = respondents / customers offered the survey; coverage = offered / customers served. \
             \"unknown\" where a collection detail left a volume blank.\n"
        );
        let _ = writeln!(
            s,
            "| service | channel | customers | offered | respondents | response rate | coverage |\n|---|---|---|---|---|---|---|"
        );
        for v in &r.volumes {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} |",
                md(v.service.as_str()),
                md(v.channel.as_str()),
                count_text(v.customers),
                count_text(v.offered),
                count_text(v.respondents),
                percent_text(v.response_rate),
                percent_text(v.coverage)
            );
        }
    }
    if !r.record_notes.is_empty() {
        let _ = writeln!(s, "\n### What the records could not reconcile\n");
        for n in &r.record_notes {
            let _ = writeln!(s, "- {}", md(n));
        }
    }
    let _ = writeln!(s, "\n### Largest drops in trust from the previous quarter\n");
    if r.largest_drops.is_empty() {
        let _ = writeln!(s, "No HISP with at least {min} responses in both quarters lost trust.\n");
    } else {
        let _ = writeln!(s, "| HISP | previous | this quarter | change (points) [95% CI] | p |\n|---|---|---|---|---|");
        for (_, name, c) in &r.largest_drops {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} |",
                md(name),
                share_text(Some(&c.from), min),
                share_text(Some(&c.to), min),
                change_text(&c.difference),
                p_text(c.difference.p_value)
            );
        }
        let _ = writeln!(s);
    }
    balanced_section(&mut s, r);
    digital_section(&mut s, r);
    let _ = writeln!(s, "## High Impact Service Providers\n");
    for p in &r.providers {
        let _ = writeln!(s, "### {} ({})\n", md(&p.name), md(&p.agency));
        scores_section(&mut s, &p.scores, min);
        let _ = writeln!(s, "Trust trend: {}\n", trend_inline(&p.trust_trend, min));
        gap(&mut s, p.delivery_gap.as_ref(), min);
        for q in &p.questions_asked {
            let _ = writeln!(s, "Trust question asked: \"{}\"\n", md(q));
        }
        if let Some((domain, visits)) = &p.web_visits {
            let _ = writeln!(s, "Web traffic ({}): {visits} visits this quarter.\n", md(domain));
        }
        let _ = writeln!(s, "| service | respondents | trust (agree) |\n|---|---|---|");
        for (_, name, g) in &p.services {
            let _ = writeln!(s, "| {} | {} | {} |", md(name), g.respondents_v1 + g.respondents_v2, trust_text(g, min));
        }
        let _ = writeln!(s);
    }
    for line in closing_lines(r, md) {
        let _ = writeln!(s, "\n{line}");
    }
    s
}

/// The ACSI lines, each labelled with its year, and what the index is not.
fn benchmarks(s: &mut String, r: &QuarterReport) {
    let _ = writeln!(s, "{}\n", md(r.index_note));
    let _ = writeln!(s, "| benchmark | index (0-100) | basis |\n|---|---|---|");
    for b in &r.benchmarks {
        let basis = if b.note.is_empty() { b.status.clone() } else { format!("{}; {}", b.status, b.note) };
        let _ = writeln!(s, "| {} | {:.1} | {} |", md(&b.label), b.value, md(&basis));
    }
    if !r.benchmarks.is_empty() {
        let sources: Vec<String> =
            r.benchmarks.iter().map(|b| format!("{}: {}", md(&b.label), md(&b.source))).collect();
        let _ = writeln!(s, "\nSources: {}.", sources.join("; "));
    }
}

/// performance.gov's published means for the trend's quarters, labelled as means.
fn published_history(s: &mut String, r: &QuarterReport) {
    if r.published_means.is_empty() {
        return;
    }
    let _ = writeln!(s, "### Published history (performance.gov, {PUBLISHED_MEAN_LABEL})\n");
    let _ = writeln!(
        s,
        "The figures performance.gov published for these quarters, before Touchpoints: each driver's \
         **{PUBLISHED_MEAN_LABEL}**, not the percentage who agree, so they cannot be compared with the shares above.\n"
    );
    let drivers = crate::report::published_drivers(&r.published_means);
    let _ = write!(s, "| quarter | service | survey | surveyed | respondents |");
    for (_, label) in &drivers {
        let _ = write!(s, " {label} (mean) |");
    }
    let _ = writeln!(s, "\n|---|---|---|---|---|{}", "---|".repeat(drivers.len()));
    for row in crate::report::published_cells(r, &drivers) {
        let _ = write!(s, "|");
        for cell in &row {
            let _ = write!(s, " {} |", md(cell));
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(s);
    for n in &r.published_notes {
        let _ = writeln!(s, "- {}", md(n));
    }
    if !r.published_notes.is_empty() {
        let _ = writeln!(s);
    }
}

pub(crate) fn trust_text(g: &GroupScores, min: u64) -> String {
    // Also set on a group large enough whose share would give a suppressed one back by
    // subtraction (complementary suppression, `report::complement`).
    if g.suppressed && g.respondents_v1 + g.respondents_v2 > 0 {
        return suppressed(min);
    }
    if let Some(t) = &g.trust_v2 {
        return share_text(t.agree.as_ref(), min);
    }
    g.v1.iter().find(|q| q.question == 2).map_or("no answers".to_owned(), |q| share_text(q.agree.as_ref(), min))
}

pub(crate) fn p_text(p: f64) -> String {
    if p < 0.001 {
        "< 0.001".to_owned()
    } else {
        format!("{p:.3}")
    }
}

fn scores_section(s: &mut String, g: &GroupScores, min: u64) {
    let n = g.respondents_v1 + g.respondents_v2;
    let _ = writeln!(s, "Respondents: {n}.\n");
    if g.suppressed {
        let _ = writeln!(s, "Scores: {}.\n", suppressed(min));
        return;
    }
    if !g.v1.is_empty() {
        let _ = writeln!(
            s,
            "| question | driver | answers | N/A | agree [95% CI] | mean (1-5) |\n|---|---|---|---|---|---|"
        );
        for q in &g.v1 {
            let def = &V1_QUESTIONS[usize::from(q.question - 1)];
            let mean = match q.mean {
                Some(m) if q.n >= min => format!("{m:.2}"),
                Some(_) => suppressed(min),
                None => "-".to_owned(),
            };
            let _ = writeln!(
                s,
                "| q{} | {} | {} | {} | {} | {} |",
                q.question,
                def.driver.label(),
                q.n,
                q.not_applicable,
                share_text(q.agree.as_ref(), min),
                mean
            );
        }
        let _ = writeln!(s);
    }
    if let Some(t) = &g.trust_v2 {
        let mean = t.mean.map_or(String::new(), |m| format!(", mean {m:.2} on the 5-point answers"));
        let _ = writeln!(s, "Trust (agree): {}{mean}.\n", share_text(t.agree.as_ref(), min));
        if !g.indicators.is_empty() {
            let _ = writeln!(
                s,
                "| indicator | went well (of those asked) | didn't go well (of those asked) |\n|---|---|---|"
            );
            for ind in fedcx_model::Indicator::ALL {
                let get = |p| {
                    g.indicators
                        .iter()
                        .find(|i| i.indicator == ind && i.polarity == p)
                        .and_then(|i| i.selected.as_ref())
                };
                let (pos, neg) = (get(fedcx_model::Polarity::Positive), get(fedcx_model::Polarity::Negative));
                if pos.is_none() && neg.is_none() {
                    continue;
                }
                let _ = writeln!(s, "| {} | {} | {} |", ind, share_text(pos, min), share_text(neg, min));
            }
            let _ = writeln!(s);
        }
    }
}

fn trend_table(s: &mut String, points: &[TrendPoint], min: u64) {
    let _ = writeln!(s, "| quarter | survey | agree [95% CI] | answers | note |\n|---|---|---|---|---|");
    for p in points {
        let note = if p.version_change { "survey version changed" } else { "" };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {note} |",
            p.quarter,
            p.version,
            share_text(p.share.as_ref(), min),
            p.share.as_ref().map_or(0, |x| x.n)
        );
    }
    let _ = writeln!(s);
}

fn trend_inline(points: &[TrendPoint], min: u64) -> String {
    points
        .iter()
        .map(|p| {
            let v = match &p.share {
                Some(x) if x.n >= min => format!("{:.0}%", 100.0 * x.value),
                Some(_) => "suppressed".to_owned(),
                None => "-".to_owned(),
            };
            format!("{} {v}{}", p.quarter.compact(), if p.version_change { " (new survey)" } else { "" })
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn gap(s: &mut String, c: Option<&Comparison>, min: u64) {
    match c {
        Some(c) if c.from.n >= min && c.to.n >= min => {
            let _ = writeln!(
                s,
                "| channels | trust (agree) |\n|---|---|\n| digital | {} |\n| assisted | {} |\n\nGap (digital minus assisted): \
                 {:+.1} points [{:+.1}, {:+.1}], p {}.\n",
                share_text(Some(&c.to), min),
                share_text(Some(&c.from), min),
                100.0 * c.difference.value,
                100.0 * c.difference.lo,
                100.0 * c.difference.hi,
                p_text(c.difference.p_value)
            );
        }
        Some(_) => {
            let _ = writeln!(s, "Digital vs assisted: {} on one side.\n", suppressed(min));
        }
        None => {
            let _ = writeln!(s, "Digital vs assisted: only one kind of channel has answers.\n");
        }
    }
}

/// A volume for people: the number, or "unknown" when a detail left it blank.
pub(crate) fn count_text(v: Option<u64>) -> String {
    v.map_or_else(|| "unknown".to_owned(), |v| v.to_string())
}

/// A ratio as a percentage with two decimals, or "unknown".
pub(crate) fn percent_text(v: Option<f64>) -> String {
    v.map_or_else(|| "unknown".to_owned(), |v| format!("{:.2}%", v * 100.0))
}

/// What the report lists after every section: web visits no provider owns, and the providers in
/// scope without data. The names in it go through each format's `escape`.
pub(crate) fn closing_lines(r: &QuarterReport, escape: fn(&str) -> String) -> Vec<String> {
    let mut out = Vec::new();
    if !r.unattributed_web_visits.is_empty() {
        let total: u64 = r.unattributed_web_visits.iter().map(|(_, v)| v).sum();
        let shown: Vec<String> =
            r.unattributed_web_visits.iter().take(10).map(|(host, v)| format!("{} ({v})", escape(host))).collect();
        out.push(format!(
            "Web visits to hosts no provider's registered domains cover: {total} in all; the most visited: {}.",
            shown.join(", ")
        ));
    }
    if !r.providers_without_data.is_empty() {
        out.push(format!(
            "Providers in scope with no data this quarter: {}.",
            escape(&r.providers_without_data.join(", "))
        ));
    }
    out
}

/// What a reader must know before any number: volumes missing, groups withheld from the records.
pub(crate) fn status_lines(r: &QuarterReport) -> Vec<String> {
    let mut out = Vec::new();
    if r.demo {
        out.push(crate::report::DEMO_NOTICE.to_owned());
    }
    if !r.volumes_provided {
        out.push(format!(
            "Volumes not provided: no collection detail covers {}, so no A-11 record was written. \
             `fedcx template details --quarter {}` writes the file to fill in.",
            r.quarter,
            r.quarter.compact()
        ));
    }
    if !r.withheld.is_empty() {
        let groups: std::collections::BTreeSet<(&str, &str)> =
            r.withheld.iter().map(|p| (p.service.as_str(), p.channel.as_str())).collect();
        out.push(format!(
            "{} group(s) were withheld from the A-11 records for {} problem(s); see problems.csv. \
             Their numbers are in this report.",
            groups.len(),
            r.withheld.len()
        ));
    }
    out
}

/// Trust per channel with enough answers, with its side of the comparison, and which channels count
/// as digital.
fn channels_table(s: &mut String, r: &QuarterReport) {
    if r.channels.is_empty() {
        return;
    }
    let _ = writeln!(s, "### Trust by channel\n");
    let _ = writeln!(s, "| channel | side | trust % agree [95% CI] | answers |\n|---|---|---|---|");
    for c in &r.channels {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            md(c.channel.label()),
            delivery_label(c.delivery),
            share_text(Some(&c.trust), r.min_responses),
            c.trust.n
        );
    }
    let _ = writeln!(
        s,
        "\nChannels with fewer than {} answers are not shown, nor, when only one is hidden, the smallest other channel (it would give the hidden one back by subtraction from the total). Digital channels: {}.\n",
        r.min_responses,
        crate::report::digital_channels().join(", ")
    );
}

/// The side of the digital-versus-assisted comparison, for people.
pub(crate) fn delivery_label(d: fedcx_model::Delivery) -> &'static str {
    match d {
        fedcx_model::Delivery::Digital => "digital",
        fedcx_model::Delivery::Assisted => "assisted",
        fedcx_model::Delivery::Mixed => "neither (mixed)",
        fedcx_model::Delivery::Unknown => "neither (channel not reported)",
    }
}

/// The drivers of trust, largest first, with the method in a sentence.
fn drivers_table(s: &mut String, r: &QuarterReport) {
    if r.drivers.is_empty() {
        return;
    }
    let _ = writeln!(s, "### Drivers of trust\n");
    let _ = writeln!(s, "{}\n", md(crate::report::DRIVERS_METHOD));
    let _ = writeln!(
        s,
        "| indicator | selected: n, mean | not selected: n, mean | difference [95% CI] |\n|---|---|---|---|"
    );
    for d in &r.drivers {
        let [indicator, selected, not_selected, difference] = crate::report::driver_cells(d);
        let _ = writeln!(s, "| {} | {selected} | {not_selected} | {difference} |", md(&indicator));
    }
    let _ = writeln!(s);
}

/// The "Balanced measures" section: the scorecard table, the association, sources and findings.
fn balanced_section(s: &mut String, r: &QuarterReport) {
    let b = &r.balanced;
    let min = r.min_responses;
    let _ = writeln!(s, "## Balanced measures\n");
    let _ = writeln!(
        s,
        "Customer, employee and business results side by side for each HISP with respondents this quarter or \
         business results: trust (A-11), the Employee Engagement Index and Global Satisfaction Index (OPM FEVS, \
         0-100) of the FEVS unit the registry's crosswalk names, and the provider's own operational measures.\n"
    );
    for f in &b.findings {
        let _ = writeln!(s, "- {}", md(f));
    }
    if !b.findings.is_empty() {
        let _ = writeln!(s);
    }
    if !b.rows.is_empty() {
        let _ = writeln!(
            s,
            "| HISP | trust (agree) | trust trend | FEVS year | FEVS unit | EEI | GSI |\n|---|---|---|---|---|---|---|"
        );
        for row in &b.rows {
            let c = &row.card.customer;
            let trust = crate::report::leg_trust_text(c, min);
            let trend = trend_inline(&c.trend, min);
            if row.card.employee.is_empty() {
                let _ = writeln!(s, "| {} | {} | {} | - | - | not given | not given |", md(&row.name), trust, trend);
            }
            for (i, e) in row.card.employee.iter().enumerate() {
                let (name, trust, trend) = if i == 0 {
                    (md(&row.name), trust.clone(), trend.clone())
                } else {
                    (String::new(), String::new(), String::new())
                };
                let unit = e.unit.map_or_else(|| "-".to_owned(), |u| u.to_string());
                let _ = writeln!(
                    s,
                    "| {name} | {trust} | {trend} | {} | {} | {} | {} |",
                    e.year,
                    md(&unit),
                    md(&fevs_text(&e.eei, e.parent_agency)),
                    md(&fevs_text(&e.gsi, e.parent_agency))
                );
            }
        }
        let _ = writeln!(s);
    }
    if b.rows.iter().any(|r| !r.card.business.is_empty()) {
        let _ = writeln!(s, "### Business results\n");
        let _ = writeln!(
            s,
            "| HISP | service | measure | {} | {} | direction | source |\n|---|---|---|---|---|---|---|",
            r.quarter,
            r.quarter.prev().map_or_else(|| "previous".to_owned(), |q| q.to_string())
        );
        for row in &b.rows {
            for m in &row.card.business {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} | {} | {} | {} |",
                    md(&row.name),
                    md(m.service.as_str()),
                    md(m.metric.label()),
                    md(&business_value_text(m.current, m.unit)),
                    md(&business_value_text(m.previous, m.unit)),
                    m.direction.label(),
                    md(&m.sources.join("; "))
                );
            }
        }
        let _ = writeln!(s);
    }
    if let Some(te) = b.trust_engagement.as_ref().filter(|_| b.fevs_given) {
        let _ = writeln!(s, "### Trust and employee engagement across HISPs\n");
        let _ = writeln!(s, "{}\n", md(&association_sentence(te)));
        if !te.points.is_empty() {
            let _ = writeln!(s, "| HISP | trust (agree, %) | EEI |\n|---|---|---|");
            for p in &te.points {
                let name = b
                    .rows
                    .iter()
                    .find(|r| r.card.customer.provider == p.provider)
                    .map_or(p.provider.as_str(), |r| r.name.as_str());
                let _ = writeln!(s, "| {} | {:.1} | {:.1} |", md(name), p.trust, p.eei);
            }
            let _ = writeln!(s);
        }
        if !te.left_out.is_empty() {
            let name_of = |slug: &fedcx_model::ProviderSlug| {
                b.rows
                    .iter()
                    .find(|r| &r.card.customer.provider == slug)
                    .map_or_else(|| slug.to_string(), |r| r.name.clone())
            };
            let left: Vec<String> =
                te.left_out.iter().map(|(p, why)| format!("{} ({})", name_of(p), left_out_text(why))).collect();
            let _ = writeln!(s, "Not in the correlation: {}.\n", md(&left.join(", ")));
        }
        let _ = writeln!(s, "{}\n", md(te.caveat));
    }
    let _ = writeln!(s, "Sources:\n");
    for src in &b.sources {
        let _ = writeln!(s, "- {}", md(src));
    }
    let _ = writeln!(s);
}

/// The "Digital adoption" section: per HISP and per service, sources and findings.
fn digital_section(s: &mut String, r: &QuarterReport) {
    let d = &r.digital;
    let min = r.min_responses;
    let _ = writeln!(s, "## Digital adoption\n");
    let _ = writeln!(s, "{}\n", md(DIGITAL_SHARE_RULE));
    for f in &d.findings {
        let _ = writeln!(s, "- {}", md(f));
    }
    if !d.findings.is_empty() {
        let _ = writeln!(s);
    }
    if d.rows.is_empty() {
        let _ = writeln!(
            s,
            "No HISP has volumes, digital and assisted answers, a scanned website or web visits this quarter.\n"
        );
    } else {
        let _ = writeln!(
            s,
            "| HISP | digital share | coverage | digital - assisted trust (points) | website criteria met | web visits | trust (agree) |\n|---|---|---|---|---|---|---|"
        );
        for row in &d.rows {
            let [share, coverage, gap, website, visits, trust] = row.cells(min);
            let _ = writeln!(
                s,
                "| {} | {share} | {coverage} | {gap} | {} | {visits} | {trust} |",
                md(&row.name),
                md(&website),
            );
        }
        let _ = writeln!(s);
    }
    if !d.services.is_empty() {
        let _ = writeln!(s, "### By service\n");
        let _ = writeln!(
            s,
            "| service | digital customers | customers | digital share | coverage notes | digital - assisted trust (points) |\n|---|---|---|---|---|---|"
        );
        for sv in &d.services {
            let [dc, c, share, notes, gap] = crate::report::service_adoption_cells(sv, min);
            let _ = writeln!(s, "| {} | {dc} | {c} | {share} | {} | {gap} |", md(sv.service.as_str()), md(&notes));
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(s, "Sources:\n");
    for src in &d.sources {
        let _ = writeln!(s, "- {}", md(src));
    }
    let _ = writeln!(s);
}

/// Digital minus assisted trust in a table cell: "+8.0 [+2.1, +13.9]", or why not.
pub(crate) fn gap_cell(c: Option<&Comparison>, min: u64) -> String {
    match c {
        Some(c) if c.from.n >= min && c.to.n >= min => change_text(&c.difference),
        Some(_) => suppressed(min),
        None => "no comparison".to_owned(),
    }
}

/// What a digital share's coverage lacks, in words; "complete" when nothing.
pub(crate) fn coverage_notes(c: &fedcx_index::digital::Coverage) -> String {
    let mut out = Vec::new();
    let list = |v: &[fedcx_model::Channel]| v.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ");
    if !c.channels_unknown.is_empty() {
        out.push(format!("volume unknown: {}", list(&c.channels_unknown)));
    }
    if !c.channels_without_detail.is_empty() {
        out.push(format!("no detail: {}", list(&c.channels_without_detail)));
    }
    if !c.unknown_volume.is_empty() {
        out.push(format!("{} detail(s) with a blank volume", c.unknown_volume.len()));
    }
    if let Some(m) = c.mixed_customers {
        out.push(format!("{m} customers on version 1's mixed channel, on neither side"));
    }
    if let Some(u) = c.unreported_customers {
        out.push(format!("{u} customers on details with no channel reported, on neither side"));
    }
    if !c.set_aside.is_empty() {
        out.push(format!("{} detail(s) of other stages set aside", c.set_aside.len()));
    }
    if out.is_empty() {
        "complete".to_owned()
    } else {
        out.join("; ")
    }
}
