//! The report as one self-contained HTML file: inline CSS and inline SVG charts, no scripts, fonts,
//! images or links to load, so it opens from an e-mail attachment. Each chart has an accessible name
//! and the table of its numbers right below it (Section 508).

use std::fmt::Write;

use fedcx_index::scores::{Comparison, GroupScores, TrendPoint};
use fedcx_index::stats::Share;
use fedcx_model::survey::V1_QUESTIONS;

use crate::charts::{self, ChartError};
use crate::escape::html as h;
use crate::markdown::{p_text, trust_text};
use crate::report::{
    change_text, interval_text, share_text, suppressed, QuarterReport, INDEX_NOT_ESTIMATED, PUBLISHED_MEAN_LABEL,
};

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#1b1b1b;line-height:1.45}\
h1{font-size:1.7em;border-bottom:3px solid #0072b2;padding-bottom:.2em}h2{margin-top:2em;border-bottom:1px solid #ccc}\
h3{margin-top:1.6em}table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.92em}\
th,td{border:1px solid #bbb;padding:.25em .6em;text-align:left;vertical-align:top}th{background:#eef3f8}\
td.num{text-align:right;font-variant-numeric:tabular-nums}.note{color:#555;font-size:.9em}\
.sup{color:#555;font-style:italic}figure{margin:1em 0}figure svg{max-width:100%;height:auto}figcaption{font-size:.9em;color:#444}\
details{margin:.4em 0 1em}summary{cursor:pointer;font-weight:600}nav ol{columns:2}\
table{display:block;max-width:100%;overflow-x:auto}.scroll{max-width:100%;overflow-x:auto}td.num{white-space:nowrap}\
figure{overflow-x:auto}figure svg{min-width:560px}\
.status{background:#fff4e5;border-left:4px solid #e69f00;padding:.4em .8em}\
@media (max-width:480px){body{margin:1em auto;font-size:.95em}nav ol{columns:1}h1{font-size:1.35em}}\
@media print{nav{display:none}body{max-width:none;margin:0}a{color:inherit;text-decoration:none}\
table{display:table;overflow:visible}section{break-inside:avoid-page}}";

/// Renders the report.
pub fn render(r: &QuarterReport) -> Result<String, ChartError> {
    let min = r.min_responses;
    let mut s = String::new();
    let title = r.title();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n",
        h(&title),
        h(&title)
    );
    let _ = writeln!(
        s,
        "<p class=\"note\">Survey version {}. Shares are the percentage who agree (4-5 on the 5-point scale, or thumbs up), \
         with 95% Wilson intervals in brackets. Groups with fewer than {min} responses show \u{201c}{}\u{201d} instead of a number.</p>",
        h(r.version.as_str().trim_start_matches('v')),
        h(&suppressed(min))
    );
    for line in crate::markdown::status_lines(r) {
        let _ = writeln!(s, "<p class=\"status\" role=\"status\"><strong>{}</strong></p>", h(&line));
    }
    if !r.findings.is_empty() {
        let _ = writeln!(s, "<section id=\"summary\"><h2>Summary</h2><ul>");
        for f in &r.findings {
            let _ = writeln!(s, "<li>{} <a href=\"#{}\">(table)</a></li>", h(&f.sentence), h(&f.section));
        }
        let _ = writeln!(s, "</ul></section>");
    }
    let _ = writeln!(
        s,
        "<nav aria-label=\"Contents\"><h2>Contents</h2><ol><li><a href=\"#government\">{}</a></li>",
        h(&r.overall_heading())
    );
    let _ = writeln!(
        s,
        "<li><a href=\"#balanced\">Balanced measures</a></li><li><a href=\"#digital\">Digital adoption</a></li>"
    );
    for p in &r.providers {
        let _ = writeln!(s, "<li><a href=\"#{}\">{}</a></li>", h(&p.slug), h(&p.name));
    }
    let _ = writeln!(s, "</ol></nav>");

    government_html(&mut s, r, min)?;
    channels_and_drivers_html(&mut s, r, min)?;
    index_html(&mut s, r)?;
    quarter_notes_html(&mut s, r)?;
    drops_html(&mut s, r, min)?;
    balanced_html(&mut s, r)?;
    digital_html(&mut s, r)?;
    providers_html(&mut s, r, min)?;
    for line in crate::markdown::closing_lines(r, h) {
        let _ = writeln!(s, "<p>{line}</p>");
    }
    let _ = writeln!(s, "</main>\n</body>\n</html>");
    Ok(s)
}

/// The all-groups section: scores, trust trend, published history, digital against assisted.
fn government_html(s: &mut String, r: &QuarterReport, min: u64) -> Result<(), ChartError> {
    let _ = writeln!(s, "<section id=\"government\"><h2>{}</h2>", h(&r.overall_heading()));
    scores_html(s, &r.government, min);
    let alt = format!(
        "Line chart of the share of respondents who trust, government-wide, {} to {}",
        first_q(&r.trust_trend),
        r.quarter
    );
    figure(s, &charts::trend("Trust, government-wide", &r.trust_trend, min, &alt)?, &alt);
    trend_table(s, &r.trust_trend, min, "Trust by quarter");
    if r.satisfaction_trend.iter().any(|p| p.share.is_some()) {
        let alt = "Line chart of the share of respondents satisfied (version-1 q1) by quarter";
        figure(s, &charts::trend("Satisfaction (version 1, q1)", &r.satisfaction_trend, min, alt)?, alt);
        let _ = writeln!(s, "<p class=\"note\">Version 2 of the survey (FY2024 on) does not ask satisfaction.</p>");
        trend_table(s, &r.satisfaction_trend, min, "Satisfaction by quarter");
    } else {
        let _ = writeln!(s, "<p class=\"note\">No satisfaction answers in these quarters: version 2 of the survey (FY2024 on) does not ask it.</p>");
    }

    published_html(s, r);
    let _ = writeln!(s, "<h3>Digital and assisted channels</h3>");
    if let Some(c) = &r.delivery {
        let bars = vec![("Digital".to_owned(), Some(c.to)), ("Assisted".to_owned(), Some(c.from))];
        let alt = "Bar chart of trust on digital and on assisted channels, government-wide";
        figure(s, &charts::bars("Trust by kind of channel", &bars, charts::BarColours::Alternating, min, alt)?, alt);
    }
    gap_html(s, r.delivery.as_ref(), min);
    Ok(())
}

/// Trust by channel and the drivers of trust.
fn channels_and_drivers_html(s: &mut String, r: &QuarterReport, min: u64) -> Result<(), ChartError> {
    if !r.channels.is_empty() {
        let _ = writeln!(s, "<div class=\"scroll\"><table id=\"channels\"><caption>Trust by channel</caption><tr><th scope=\"col\">channel</th><th scope=\"col\">side</th><th scope=\"col\">trust % agree [95% CI]</th><th scope=\"col\">answers</th></tr>");
        for c in &r.channels {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                h(c.channel.label()),
                crate::markdown::delivery_label(c.delivery),
                h(&share_text(Some(&c.trust), min)),
                c.trust.n
            );
        }
        let _ = writeln!(
            s,
            "</table></div><p class=\"note\">Channels with fewer than {min} answers are not shown, nor, when only one is hidden, the smallest other channel (it would give the hidden one back by subtraction from the total). Digital channels: {}.</p>",
            h(&crate::report::digital_channels().join(", "))
        );
    }

    if !r.drivers.is_empty() {
        let _ = writeln!(
            s,
            "<h3 id=\"drivers\">Drivers of trust</h3><p class=\"note\">{}</p>",
            h(crate::report::DRIVERS_METHOD)
        );
        let _ = writeln!(s, "<table><caption>Drivers of trust</caption><tr><th scope=\"col\">indicator</th><th scope=\"col\">selected: n, mean</th><th scope=\"col\">not selected: n, mean</th><th scope=\"col\">difference [95% CI]</th></tr>");
        for d in &r.drivers {
            let [indicator, selected, not_selected, difference] = crate::report::driver_cells(d);
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td class=\"num\">{selected}</td><td class=\"num\">{not_selected}</td><td class=\"num\">{difference}</td></tr>",
                h(&indicator)
            );
        }
        let _ = writeln!(s, "</table>");
    }
    Ok(())
}

/// The ACSI-style index against its benchmarks.
fn index_html(s: &mut String, r: &QuarterReport) -> Result<(), ChartError> {
    let _ = writeln!(s, "<h3 id=\"index\">ACSI-style satisfaction index</h3>");
    match &r.index {
        Some(i) => {
            let alt = format!("Bar chart of the fedcx index, {:.1}, beside the ACSI benchmarks", i.value);
            figure(s, &charts::index("Index against benchmarks", i, &r.benchmarks, &alt)?, &alt);
            let interval = interval_text(i);
            let _ = writeln!(
                s,
                "<p>{}: <strong>{:.1}</strong>{interval} on 0-100, from {} respondents.</p>",
                h(&i.label),
                i.value,
                i.respondents
            );
        }
        None => {
            let _ = writeln!(s, "<p>{INDEX_NOT_ESTIMATED}</p>");
        }
    }
    benchmarks_html(s, r);

    Ok(())
}

/// The reflection, response rates and what the records could not reconcile.
fn quarter_notes_html(s: &mut String, r: &QuarterReport) -> Result<(), ChartError> {
    if let Some(text) = &r.reflection {
        let _ = writeln!(s, "<h3>Reflection on the quarter</h3>");
        for para in text.split("\n\n").filter(|p| !p.trim().is_empty()) {
            let _ = writeln!(s, "<p>{}</p>", h(para.trim()));
        }
    }
    if !r.volumes.is_empty() {
        use crate::markdown::{count_text, percent_text};
        let _ = writeln!(s, "<table id=\"volumes\"><caption>Response rate and coverage</caption><tr><th scope=\"col\">service</th><th scope=\"col\">channel</th><th scope=\"col\">customers</th><th scope=\"col\">offered</th><th scope=\"col\">respondents</th><th scope=\"col\">response rate</th><th scope=\"col\">coverage</th></tr>");
        for v in &r.volumes {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                h(v.service.as_str()),
                h(v.channel.as_str()),
                count_text(v.customers),
                count_text(v.offered),
                count_text(v.respondents),
                percent_text(v.response_rate),
                percent_text(v.coverage)
            );
        }
        let _ = writeln!(s, "</table>");
    }
    if !r.record_notes.is_empty() {
        let _ = writeln!(s, "<h3>What the records could not reconcile</h3><ul>");
        for n in &r.record_notes {
            let _ = writeln!(s, "<li>{}</li>", h(n));
        }
        let _ = writeln!(s, "</ul>");
    }
    Ok(())
}

/// The largest drops in trust from the previous quarter.
fn drops_html(s: &mut String, r: &QuarterReport, min: u64) -> Result<(), ChartError> {
    let _ = writeln!(s, "<h3 id=\"drops\">Largest drops in trust from the previous quarter</h3>");
    if r.largest_drops.is_empty() {
        let _ = writeln!(s, "<p>No HISP with at least {min} responses in both quarters lost trust.</p>");
    } else {
        let _ = writeln!(s, "<table><tr><th scope=\"col\">HISP</th><th scope=\"col\">previous</th><th scope=\"col\">this quarter</th><th scope=\"col\">change (points) [95% CI]</th><th scope=\"col\">p</th></tr>");
        for (_, name, c) in &r.largest_drops {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                h(name),
                h(&share_text(Some(&c.from), min)),
                h(&share_text(Some(&c.to), min)),
                change_text(&c.difference),
                h(&p_text(c.difference.p_value))
            );
        }
        let _ = writeln!(s, "</table>");
    }
    Ok(())
}

/// Trust by HISP and a section per HISP.
fn providers_html(s: &mut String, r: &QuarterReport, min: u64) -> Result<(), ChartError> {
    let mut bars: Vec<(String, Option<Share>)> = r
        .providers
        .iter()
        .map(|p| {
            let share = p
                .scores
                .trust_v2
                .as_ref()
                .and_then(|t| t.agree)
                .or_else(|| p.scores.v1.iter().find(|q| q.question == 2).and_then(|q| q.agree));
            (format!("{} ({})", p.name, p.agency), share)
        })
        .collect();
    // Highest trust first; suppressed and empty groups last, so no hidden value is hinted at by its rank.
    let shown = |b: &(String, Option<Share>)| b.1.filter(|s| s.n >= min).map(|s| s.value);
    bars.sort_by(|a, b| match (shown(a), shown(b)) {
        (Some(x), Some(y)) => y.total_cmp(&x).then_with(|| a.0.cmp(&b.0)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.0.cmp(&b.0),
    });
    let alt = format!("Bar chart of trust by HISP in {}, highest first", r.quarter);
    figure(s, &charts::bars("Trust by HISP", &bars, charts::BarColours::Uniform, min, &alt)?, &alt);
    let _ = writeln!(s, "<table><caption>Trust by HISP, {}</caption><tr><th scope=\"col\">HISP</th><th scope=\"col\">trust (agree) [95% CI]</th></tr>", r.quarter);
    for (label, share) in &bars {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td class=\"num\">{}</td></tr>",
            h(label),
            cell(&share_text(share.as_ref(), min))
        );
    }
    let _ = writeln!(s, "</table>");
    let _ = writeln!(s, "</section>");

    for p in &r.providers {
        let _ = writeln!(
            s,
            "<section id=\"{}\"><h2>{} <span class=\"note\">({})</span></h2>",
            h(&p.slug),
            h(&p.name),
            h(&p.agency)
        );
        scores_html(s, &p.scores, min);
        let _ = writeln!(s, "<details><summary>Trust over the last {} quarters</summary>", p.trust_trend.len());
        trend_table(s, &p.trust_trend, min, &format!("Trust by quarter, {}", p.name));
        let _ = writeln!(s, "</details>");
        gap_html(s, p.delivery_gap.as_ref(), min);
        for q in &p.questions_asked {
            let _ = writeln!(s, "<p>Trust question asked: <q>{}</q></p>", h(q));
        }
        if let Some((domain, visits)) = &p.web_visits {
            let _ = writeln!(s, "<p>Web traffic ({}): {visits} visits this quarter.</p>", h(domain));
        }
        let _ = writeln!(s, "<table><caption>Services</caption><tr><th scope=\"col\">service</th><th scope=\"col\">respondents</th><th scope=\"col\">trust (agree)</th></tr>");
        for (_, name, g) in &p.services {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                h(name),
                g.respondents_v1 + g.respondents_v2,
                cell(&trust_text(g, min))
            );
        }
        let _ = writeln!(s, "</table></section>");
    }
    Ok(())
}

fn first_q(points: &[TrendPoint]) -> String {
    points.first().map_or_else(String::new, |p| p.quarter.to_string())
}

/// A cell's text, styled when it is a suppression notice.
fn cell(text: &str) -> String {
    if text.starts_with("suppressed") {
        format!("<span class=\"sup\">{}</span>", h(text))
    } else {
        h(text)
    }
}

fn figure(s: &mut String, svg: &str, alt: &str) {
    let _ =
        writeln!(s, "<figure>{svg}<figcaption>{}. The numbers are in the table below.</figcaption></figure>", h(alt));
}

fn scores_html(s: &mut String, g: &GroupScores, min: u64) {
    let _ = writeln!(s, "<p>Respondents: {}.</p>", g.respondents_v1 + g.respondents_v2);
    if g.suppressed {
        let _ = writeln!(s, "<p>Scores: {}.</p>", cell(&suppressed(min)));
        return;
    }
    if !g.v1.is_empty() {
        let _ = writeln!(s, "<table><caption>A-11 drivers (version 1)</caption><tr><th scope=\"col\">question</th><th scope=\"col\">driver</th><th scope=\"col\">answers</th><th scope=\"col\">N/A</th><th scope=\"col\">agree [95% CI]</th><th scope=\"col\">mean (1-5)</th></tr>");
        for q in &g.v1 {
            let def = &V1_QUESTIONS[usize::from(q.question - 1)];
            let mean = match q.mean {
                Some(m) if q.n >= min => format!("{m:.2}"),
                Some(_) => suppressed(min),
                None => "-".to_owned(),
            };
            let _ = writeln!(
                s,
                "<tr><td>q{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                q.question,
                h(def.driver.label()),
                q.n,
                q.not_applicable,
                cell(&share_text(q.agree.as_ref(), min)),
                cell(&mean)
            );
        }
        let _ = writeln!(s, "</table>");
    }
    if let Some(t) = &g.trust_v2 {
        let mean = t.mean.map_or(String::new(), |m| format!(", mean {m:.2} on the 5-point answers"));
        let _ = writeln!(s, "<p>Trust (agree): {}{}.</p>", cell(&share_text(t.agree.as_ref(), min)), h(&mean));
        if !g.indicators.is_empty() {
            let _ = writeln!(s, "<table><caption>What went well and what didn't (share of those asked who chose each)</caption><tr><th scope=\"col\">indicator</th><th scope=\"col\">went well</th><th scope=\"col\">didn't go well</th></tr>");
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
                let _ = writeln!(
                    s,
                    "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                    h(ind.as_str()),
                    cell(&share_text(pos, min)),
                    cell(&share_text(neg, min))
                );
            }
            let _ = writeln!(s, "</table>");
        }
    }
}

fn trend_table(s: &mut String, points: &[TrendPoint], min: u64, caption: &str) {
    let _ = writeln!(s, "<table><caption>{}</caption><tr><th scope=\"col\">quarter</th><th scope=\"col\">survey</th><th scope=\"col\">agree [95% CI]</th><th scope=\"col\">answers</th><th scope=\"col\">note</th></tr>", h(caption));
    for p in points {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            p.quarter,
            p.version,
            cell(&share_text(p.share.as_ref(), min)),
            p.share.as_ref().map_or(0, |x| x.n),
            if p.version_change { "survey version changed" } else { "" }
        );
    }
    let _ = writeln!(s, "</table>");
}

fn gap_html(s: &mut String, c: Option<&Comparison>, min: u64) {
    match c {
        Some(c) if c.from.n >= min && c.to.n >= min => {
            let _ = writeln!(
                s,
                "<table><caption>Trust by kind of channel</caption><tr><th scope=\"col\">channels</th><th scope=\"col\">trust (agree)</th></tr>\
                 <tr><td>digital</td><td class=\"num\">{}</td></tr><tr><td>assisted</td><td class=\"num\">{}</td></tr></table>\
                 <p>Gap (digital minus assisted): {:+.1} points [{:+.1}, {:+.1}], p {}.</p>",
                h(&share_text(Some(&c.to), min)),
                h(&share_text(Some(&c.from), min)),
                100.0 * c.difference.value,
                100.0 * c.difference.lo,
                100.0 * c.difference.hi,
                h(&p_text(c.difference.p_value))
            );
        }
        Some(_) => {
            let _ = writeln!(s, "<p>Digital vs assisted: {} on one side.</p>", cell(&suppressed(min)));
        }
        None => {
            let _ = writeln!(s, "<p>Digital vs assisted: only one kind of channel has answers.</p>");
        }
    }
}

/// The ACSI lines, each labelled with its year and source, and what the index is not.
fn benchmarks_html(s: &mut String, r: &QuarterReport) {
    let _ = writeln!(s, "<p class=\"note\">{}</p>", h(r.index_note));
    let _ = writeln!(
        s,
        "<table><caption>Benchmarks</caption><tr><th scope=\"col\">benchmark</th><th scope=\"col\">index (0-100)</th><th scope=\"col\">basis</th><th scope=\"col\">source</th></tr>"
    );
    for b in &r.benchmarks {
        let basis = if b.note.is_empty() { b.status.clone() } else { format!("{}; {}", b.status, b.note) };
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td class=\"num\">{:.1}</td><td>{}</td><td>{}</td></tr>",
            h(&b.label),
            b.value,
            h(&basis),
            h(&b.source)
        );
    }
    let _ = writeln!(s, "</table>");
}

/// performance.gov's published means for the trend's quarters, labelled as means.
fn published_html(s: &mut String, r: &QuarterReport) {
    if r.published_means.is_empty() {
        return;
    }
    let _ = writeln!(s, "<h3>Published history (performance.gov, {PUBLISHED_MEAN_LABEL})</h3>");
    let _ = writeln!(
        s,
        "<p class=\"note\">The figures performance.gov published for these quarters, before Touchpoints: each driver\u{2019}s \
         <strong>{PUBLISHED_MEAN_LABEL}</strong>, not the percentage who agree, so they cannot be compared with the shares above.</p>"
    );
    let drivers = crate::report::published_drivers(&r.published_means);
    let _ = write!(
        s,
        "<table><caption>performance.gov published means ({PUBLISHED_MEAN_LABEL})</caption><tr><th scope=\"col\">quarter</th>\
         <th scope=\"col\">service</th><th scope=\"col\">survey</th><th scope=\"col\">surveyed</th><th scope=\"col\">respondents</th>"
    );
    for (_, label) in &drivers {
        let _ = write!(s, "<th scope=\"col\">{} (mean)</th>", h(label));
    }
    let _ = writeln!(s, "</tr>");
    for row in crate::report::published_cells(r, &drivers) {
        let _ = write!(s, "<tr>");
        for (i, cell) in row.iter().enumerate() {
            // Quarter, service and survey are text; the counts and means are numbers.
            let class = if i < 3 { "" } else { " class=\"num\"" };
            let _ = write!(s, "<td{class}>{}</td>", h(cell));
        }
        let _ = writeln!(s, "</tr>");
    }
    let _ = writeln!(s, "</table>");
    if !r.published_notes.is_empty() {
        let _ = writeln!(s, "<ul>");
        for n in &r.published_notes {
            let _ = writeln!(s, "<li>{}</li>", h(n));
        }
        let _ = writeln!(s, "</ul>");
    }
}

/// The "Balanced measures" section: findings, the scorecard table, business results, the scatter
/// of trust against engagement with its table, sources.
fn balanced_html(s: &mut String, r: &QuarterReport) -> Result<(), ChartError> {
    use crate::report::{association_sentence, business_value_text, fevs_text, left_out_text};
    let b = &r.balanced;
    let min = r.min_responses;
    let _ = writeln!(s, "<section id=\"balanced\"><h2>Balanced measures</h2>");
    let _ = writeln!(
        s,
        "<p class=\"note\">Customer, employee and business results side by side for each HISP with respondents this \
         quarter or business results: trust (A-11), the Employee Engagement Index and Global Satisfaction Index (OPM \
         FEVS, 0-100) of the FEVS unit the registry's crosswalk names, and the provider's own operational measures.</p>"
    );
    list_html(s, &b.findings);
    if !b.rows.is_empty() {
        let _ = writeln!(s, "<div class=\"scroll\"><table><caption>Balanced scorecard</caption><tr><th scope=\"col\">HISP</th><th scope=\"col\">trust (agree)</th><th scope=\"col\">FEVS year</th><th scope=\"col\">FEVS unit</th><th scope=\"col\">EEI</th><th scope=\"col\">GSI</th></tr>");
        for row in &b.rows {
            let trust = crate::report::leg_trust_text(&row.card.customer, min);
            if row.card.employee.is_empty() {
                let _ = writeln!(
                    s,
                    "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td><td>-</td><td>-</td><td>not given</td><td>not given</td></tr>",
                    h(&row.name),
                    cell(&trust)
                );
            }
            for e in &row.card.employee {
                let _ = writeln!(
                    s,
                    "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                    h(&row.name),
                    cell(&trust),
                    e.year,
                    h(&e.unit.map_or_else(|| "-".to_owned(), |u| u.to_string())),
                    h(&fevs_text(&e.eei, e.parent_agency)),
                    h(&fevs_text(&e.gsi, e.parent_agency))
                );
            }
        }
        let _ = writeln!(s, "</table></div>");
    }
    if b.rows.iter().any(|r| !r.card.business.is_empty()) {
        let prev = r.quarter.prev().map_or_else(|| "previous".to_owned(), |q| q.to_string());
        let _ = writeln!(s, "<h3>Business results</h3><div class=\"scroll\"><table><caption>Business results, {} and {}</caption><tr><th scope=\"col\">HISP</th><th scope=\"col\">service</th><th scope=\"col\">measure</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">direction</th><th scope=\"col\">source</th></tr>", r.quarter, h(&prev), r.quarter, h(&prev));
        for row in &b.rows {
            for m in &row.card.business {
                let _ = writeln!(
                    s,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
                    h(&row.name),
                    h(m.service.as_str()),
                    h(m.metric.label()),
                    h(&business_value_text(m.current, m.unit)),
                    h(&business_value_text(m.previous, m.unit)),
                    m.direction.label(),
                    h(&m.sources.join("; "))
                );
            }
        }
        let _ = writeln!(s, "</table></div>");
    }
    if let Some(te) = b.trust_engagement.as_ref().filter(|_| b.fevs_given) {
        let _ = writeln!(s, "<h3>Trust and employee engagement across HISPs</h3>");
        let sentence = association_sentence(te);
        let name_of = |slug: &fedcx_model::ProviderSlug| {
            b.rows
                .iter()
                .find(|r| &r.card.customer.provider == slug)
                .map_or_else(|| slug.to_string(), |r| r.name.clone())
        };
        let points: Vec<(String, f64, f64)> =
            te.points.iter().map(|p| (name_of(&p.provider), p.trust, p.eei)).collect();
        let note = match te.association {
            fedcx_index::association::Association::Estimated(c) => {
                format!("r = {:.2} [{:.2}, {:.2}], n = {}", c.pearson, c.lo, c.hi, c.n)
            }
            fedcx_index::association::Association::NotEnoughProviders { n } => {
                format!("n = {n}: too few providers for a correlation")
            }
            fedcx_index::association::Association::NoVariation { n } => format!("n = {n}: no variation"),
        };
        let year = te.year.map_or_else(|| "no year".to_owned(), |y| y.to_string());
        let alt = format!(
            "Scatter chart of trust this quarter against employee engagement (EEI, FEVS {year}), one point per HISP"
        );
        figure(
            s,
            &charts::scatter("Trust and employee engagement", &points, ("trust, % agree", "EEI (FEVS)"), &note, &alt)?,
            &alt,
        );
        let _ = writeln!(s, "<p>{}</p>", h(&sentence));
        let _ = writeln!(s, "<table><caption>Trust and EEI per HISP</caption><tr><th scope=\"col\">HISP</th><th scope=\"col\">trust (agree, %)</th><th scope=\"col\">EEI</th></tr>");
        for (name, x, y) in &points {
            let _ =
                writeln!(s, "<tr><td>{}</td><td class=\"num\">{x:.1}</td><td class=\"num\">{y:.1}</td></tr>", h(name));
        }
        let _ = writeln!(s, "</table>");
        if !te.left_out.is_empty() {
            let left: Vec<String> =
                te.left_out.iter().map(|(p, why)| format!("{} ({})", name_of(p), left_out_text(why))).collect();
            let _ = writeln!(s, "<p class=\"note\">Not in the correlation: {}.</p>", h(&left.join(", ")));
        }
        let _ = writeln!(s, "<p class=\"note\">{}</p>", h(te.caveat));
    }
    sources_html(s, &b.sources);
    let _ = writeln!(s, "</section>");
    Ok(())
}

/// The "Digital adoption" section: findings, a bar chart of digital shares, the per-HISP and
/// per-service tables, sources.
fn digital_html(s: &mut String, r: &QuarterReport) -> Result<(), ChartError> {
    let d = &r.digital;
    let min = r.min_responses;
    let _ = writeln!(s, "<section id=\"digital\"><h2>Digital adoption</h2>");
    let _ = writeln!(s, "<p class=\"note\">{}</p>", h(crate::report::DIGITAL_SHARE_RULE));
    list_html(s, &d.findings);
    if d.rows.is_empty() {
        let _ = writeln!(
            s,
            "<p>No HISP has volumes, digital and assisted answers, a scanned website or web visits this quarter.</p>"
        );
    } else {
        let bars: Vec<(String, Option<f64>)> = d.rows.iter().map(|r| (r.name.clone(), r.adoption.share)).collect();
        let alt = format!(
            "Bar chart of the share of customers served on digital channels per HISP, {} ({} classification)",
            r.quarter, d.classification
        );
        figure(
            s,
            &charts::share_bars("Customers served digitally", &bars, "% of customers", "no volumes", &alt)?,
            &alt,
        );
        let _ = writeln!(s, "<div class=\"scroll\"><table><caption>Digital adoption per HISP</caption><tr><th scope=\"col\">HISP</th><th scope=\"col\">digital share</th><th scope=\"col\">coverage</th><th scope=\"col\">digital - assisted trust (points)</th><th scope=\"col\">website criteria met</th><th scope=\"col\">web visits</th><th scope=\"col\">trust (agree)</th></tr>");
        for row in &d.rows {
            let [share, coverage, gap, website, visits, trust] = row.cells(min);
            let _ = writeln!(
                s,
                "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td><td>{coverage}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{visits}</td><td class=\"num\">{}</td></tr>",
                h(&row.name),
                h(&share),
                cell(&gap),
                h(&website),
                h(&trust)
            );
        }
        let _ = writeln!(s, "</table></div>");
    }
    if !d.services.is_empty() {
        let _ = writeln!(s, "<h3>By service</h3><div class=\"scroll\"><table><caption>Digital adoption per service</caption><tr><th scope=\"col\">service</th><th scope=\"col\">digital customers</th><th scope=\"col\">customers</th><th scope=\"col\">digital share</th><th scope=\"col\">coverage notes</th><th scope=\"col\">digital - assisted trust (points)</th></tr>");
        for sv in &d.services {
            let [dc, c, share, notes, gap] = crate::report::service_adoption_cells(sv, min);
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td class=\"num\">{dc}</td><td class=\"num\">{c}</td><td class=\"num\">{share}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                h(sv.service.as_str()),
                h(&notes),
                cell(&gap)
            );
        }
        let _ = writeln!(s, "</table></div>");
    }
    sources_html(s, &d.sources);
    let _ = writeln!(s, "</section>");
    Ok(())
}

fn list_html(s: &mut String, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(s, "<ul>");
    for f in items {
        let _ = writeln!(s, "<li>{}</li>", h(f));
    }
    let _ = writeln!(s, "</ul>");
}

fn sources_html(s: &mut String, sources: &[String]) {
    let _ = writeln!(s, "<h3>Sources</h3>");
    list_html(s, sources);
}
