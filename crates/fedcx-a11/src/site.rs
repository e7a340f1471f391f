//! The government-wide site: every HISP, every stored quarter, as static pages.
//!
//! [`build_site`] turns the whole store's counts and collection details into a map of relative
//! paths to bytes (HTML pages with their CSV downloads), so the same pages can be written to a
//! directory (`fedcx site`) or served from memory (`fedcx serve`). The pages are self-contained:
//! no external fonts, scripts, styles or requests; the one script only sorts and filters the HISP
//! table, which is whole without it. Every chart has its data in a table beside it, and every
//! group with fewer answers than the minimum is shown as suppressed, in the pages and the CSVs
//! alike. The pages never present themselves as an official government site.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use fedcx_index::scores::Metric;
use fedcx_index::stats::{difference, Share};
use fedcx_model::{CollectionDetail, FiscalQuarter, ProviderSlug, Registry, ResponseCounts, SurveyVersion};

use crate::escape::html as esc;
use crate::records::{write_csv, Table};
use crate::A11Error;

/// The trust share the HISP table checks each provider against, unless the user sets another.
pub const DEFAULT_TRUST_BENCHMARK: f64 = 0.70;

/// A change smaller than this (in share, 0.02 = 2 percentage points) is "no meaningful change",
/// whatever its p-value: at a million answers a 0.4-point change is "significant" and means
/// nothing to a reader.
pub const MEANINGFUL_CHANGE: f64 = 0.02;

/// How the site is built.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SiteConfig {
    /// Groups with fewer answers are suppressed.
    pub min_responses: u64,
    /// The trust share a HISP meets or does not (0 to 1).
    pub trust_benchmark: f64,
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            min_responses: fedcx_index::scores::DEFAULT_MIN_RESPONSES,
            trust_benchmark: DEFAULT_TRUST_BENCHMARK,
        }
    }
}

/// What the site is built from.
#[derive(Debug, Clone, Copy)]
pub struct SiteInput<'a> {
    /// The registry the counts' services belong to.
    pub registry: &'a Registry,
    /// Every stored count, all quarters.
    pub counts: &'a ResponseCounts,
    /// Every stored collection detail, all quarters (for response rates).
    pub details: &'a [CollectionDetail],
    /// Where the data came from, in words ("the store fedcx.db"), shown on every page.
    pub source: &'a str,
    /// Suppression and the benchmark.
    pub config: SiteConfig,
}

/// The site's pages: relative path (`index.html`, `hisp/dhs-cbp.html`, ...) to bytes.
pub type Site = BTreeMap<String, Vec<u8>>;

/// Builds every page and its CSV download.
pub fn build_site(input: &SiteInput<'_>) -> Result<Site, A11Error> {
    let b = Builder::new(input);
    let mut site = Site::new();
    let (html, csv) = b.front_page()?;
    site.insert("index.html".into(), html.into_bytes());
    site.insert("index.csv".into(), csv);
    let (html, csv) = b.matrix_page()?;
    site.insert("matrix.html".into(), html.into_bytes());
    site.insert("matrix.csv".into(), csv);
    for slug in &b.providers {
        let (html, csv) = b.provider_page(slug)?;
        site.insert(format!("hisp/{slug}.html"), html.into_bytes());
        site.insert(format!("hisp/{slug}.csv"), csv);
    }
    for &q in &b.quarters {
        let (html, csv) = b.quarter_page(q)?;
        site.insert(format!("quarter/{}.html", q.compact()), html.into_bytes());
        site.insert(format!("quarter/{}.csv", q.compact()), csv);
    }
    Ok(site)
}

/// The indexes every page is built from.
struct Builder<'a> {
    input: &'a SiteInput<'a>,
    /// Every quarter with counts, oldest first.
    quarters: Vec<FiscalQuarter>,
    /// Providers with any answer, by agency then name.
    providers: Vec<ProviderSlug>,
}

/// One share as the pages show it.
#[derive(Clone, Copy)]
enum Cell {
    /// Nobody answered.
    Empty,
    /// Fewer answers than the minimum: no number.
    Suppressed(u64),
    /// A share with its interval.
    Shown(Share),
}

impl<'a> Builder<'a> {
    fn new(input: &'a SiteInput<'a>) -> Builder<'a> {
        let quarters: BTreeSet<FiscalQuarter> = input.counts.iter().map(|(k, _)| k.quarter).collect();
        let reg = input.registry;
        let mut providers: Vec<&fedcx_model::ServiceProvider> =
            reg.providers()
                .filter(|p| {
                    input.counts.iter().any(|(k, t)| {
                        t.respondents() > 0 && reg.provider_of(&k.service).is_some_and(|o| o.slug == p.slug)
                    })
                })
                .collect();
        providers.sort_by(|a, b| {
            (reg.department_of(&a.organization), &a.name).cmp(&(reg.department_of(&b.organization), &b.name))
        });
        Builder {
            input,
            quarters: quarters.into_iter().collect(),
            providers: providers.into_iter().map(|p| p.slug.clone()).collect(),
        }
    }

    fn min(&self) -> u64 {
        self.input.config.min_responses
    }

    /// A metric over the groups `keep` accepts in one quarter.
    fn cell(&self, metric: Metric, q: FiscalQuarter, keep: impl Fn(&fedcx_model::GroupKey) -> bool) -> Cell {
        let t = self.input.counts.sum_where(|k| k.quarter == q && keep(k));
        match metric.share(&t) {
            None => Cell::Empty,
            Some(s) if s.n < self.min() => Cell::Suppressed(s.n),
            Some(s) => Cell::Shown(s),
        }
    }

    fn of_provider(&self, slug: &ProviderSlug) -> impl Fn(&fedcx_model::GroupKey) -> bool + '_ {
        let slug = slug.clone();
        move |k| self.input.registry.provider_of(&k.service).is_some_and(|p| p.slug == slug)
    }

    /// Respondents and customers offered the survey in a quarter's details of the groups `keep`
    /// accepts; the rate only where every detail declares both.
    fn response_rate(&self, q: FiscalQuarter, keep: impl Fn(&fedcx_model::GroupKey) -> bool) -> Option<f64> {
        let ds: Vec<&CollectionDetail> = self
            .input
            .details
            .iter()
            .filter(|d| {
                d.quarter == q
                    && keep(&fedcx_model::GroupKey { service: d.service.clone(), channel: d.channel, quarter: q })
            })
            .collect();
        if ds.is_empty() {
            return None;
        }
        let mut r = 0u64;
        let mut o = 0u64;
        for d in ds {
            r = r.checked_add(d.volume_of_respondents?)?;
            o = o.checked_add(d.volume_of_customers_provided_survey_opportunity?)?;
        }
        (o > 0).then(|| r as f64 / o as f64)
    }

    fn provider_name(&self, slug: &ProviderSlug) -> (String, String) {
        let reg = self.input.registry;
        match reg.provider(slug) {
            Some(p) => {
                let dept = reg.department_of(&p.organization);
                let agency = reg.organization(dept).map_or_else(|| dept.to_string(), |o| o.abbreviation.clone());
                (p.name.clone(), agency)
            }
            None => (slug.to_string(), String::new()),
        }
    }

    fn front_page(&self) -> Result<(String, Vec<u8>), A11Error> {
        let mut body = String::new();
        let all = |_: &fedcx_model::GroupKey| true;
        let trust: Vec<(FiscalQuarter, Cell)> =
            self.quarters.iter().map(|&q| (q, self.cell(Metric::Trust, q, all))).collect();
        let sat: Vec<(FiscalQuarter, Cell)> =
            self.quarters.iter().map(|&q| (q, self.cell(Metric::Satisfaction, q, all))).collect();
        let _ = write!(
            body,
            "<p class=\"lead\">Customers' trust in {} High Impact Service Providers (HISPs: the federal programs with the most \
             customer contact, named under OMB Circular A-11 Section 280) over {} quarter(s), from {}.</p>",
            self.providers.len(),
            self.quarters.len(),
            esc(self.input.source)
        );
        if let Some((q, Cell::Shown(s))) = trust.iter().rev().find(|(_, c)| matches!(c, Cell::Shown(_))) {
            let _ = write!(
                body,
                "<p class=\"headline\"><strong>{}</strong> of customers agreed they trust the service they used in {}.</p>",
                pct(s.value),
                q
            );
        }
        body.push_str("<h2 id=\"trend\">Government-wide trust and satisfaction</h2>");
        body.push_str(&line_chart("Government-wide trust, % agree, by quarter", &trust));
        let mut rows = Vec::new();
        for ((q, t), (_, s)) in trust.iter().zip(&sat) {
            rows.push(vec![
                Html::text(q.to_string()),
                Html::text(version_label(SurveyVersion::for_quarter(*q))),
                cell_html(*t),
                answers(*t),
                if SurveyVersion::for_quarter(*q) == SurveyVersion::V1 {
                    cell_html(*s)
                } else {
                    Html::text("not asked in version 2")
                },
                answers(*s),
            ]);
        }
        body.push_str(&table(
            "Government-wide trust and satisfaction by quarter (the chart's data)",
            &[
                "Quarter",
                "Survey",
                "Trust, % agree [95% interval]",
                "Trust answers",
                "Satisfaction, % agree [95% interval]",
                "Satisfaction answers",
            ],
            &rows,
            None,
        ));
        // The HISP table.
        let mut csv = Table { name: "index".into(), columns: HISP_COLUMNS.to_vec(), rows: Vec::new() };
        let mut rows = Vec::new();
        let mut agencies = BTreeSet::new();
        for slug in &self.providers {
            let keep = self.of_provider(slug);
            let (name, agency) = self.provider_name(slug);
            agencies.insert(agency.clone());
            let points: Vec<(FiscalQuarter, Cell)> =
                self.quarters.iter().map(|&q| (q, self.cell(Metric::Trust, q, &keep))).collect();
            let latest = points.iter().rposition(|(_, c)| !matches!(c, Cell::Empty));
            let Some(i) = latest else { continue };
            let (q, c) = points[i];
            let before = points[..i].iter().rev().find(|(_, c)| matches!(c, Cell::Shown(_)));
            let change = match (c, before) {
                (Cell::Shown(now), Some((bq, Cell::Shown(then)))) => Some((*bq, change_words(then, &now))),
                _ => None,
            };
            let respondents = self.input.counts.sum_where(|k| k.quarter == q && keep(k)).respondents();
            let rate = self.response_rate(q, &keep);
            let benchmark = match c {
                Cell::Shown(s) if s.value >= self.input.config.trust_benchmark => "met",
                Cell::Shown(_) => "not met",
                _ => "not known",
            };
            let value = match c {
                Cell::Shown(s) => format!("{:.1}", 100.0 * s.value),
                _ => String::new(),
            };
            rows.push((
                agency.clone(),
                vec![
                    Html::raw(format!("<a href=\"hisp/{slug}.html\">{}</a>", esc(&name))),
                    Html::text(agency.clone()),
                    Html::text(q.to_string()),
                    cell_html(c).with_sort(value.clone()),
                    Html::text(change.as_ref().map_or_else(
                        || "no earlier quarter to compare".to_owned(),
                        |(bq, w)| format!("{w} (from {bq})"),
                    )),
                    Html::text(thousands(respondents)).with_sort(respondents.to_string()),
                    Html::text(rate.map_or_else(|| "not known".to_owned(), pct)),
                    Html::text(benchmark),
                ],
            ));
            csv.rows.push(vec![
                slug.to_string(),
                name,
                agency,
                q.compact(),
                value,
                match c {
                    Cell::Suppressed(_) => "suppressed".into(),
                    _ => String::new(),
                },
                change.map(|(_, w)| w).unwrap_or_default(),
                respondents.to_string(),
                rate.map_or(String::new(), |r| format!("{:.4}", r)),
                benchmark.to_owned(),
            ]);
        }
        let _ = write!(
            body,
            "<h2 id=\"hisps\">HISPs, latest quarter</h2><p>The trust benchmark is {} agree (set with \
             <code>--trust-benchmark</code>). A change is called meaningful only when it is at least {:.0} points and its \
             95% interval excludes zero.</p>",
            pct(self.input.config.trust_benchmark),
            100.0 * MEANINGFUL_CHANGE
        );
        let filter = {
            let mut f = String::from(
                "<div class=\"filter\"><label for=\"agency\">Show agency</label> <select id=\"agency\" data-filter=\"hisp-table\"><option value=\"\">All agencies</option>",
            );
            for a in &agencies {
                let _ = write!(f, "<option value=\"{0}\">{0}</option>", esc(a));
            }
            f.push_str("</select></div>");
            f
        };
        body.push_str(&filter);
        let tagged: Vec<Vec<Html>> = rows.iter().map(|(_, r)| r.clone()).collect();
        let agency_of: Vec<String> = rows.iter().map(|(a, _)| a.clone()).collect();
        body.push_str(&table(
            "HISPs: latest trust, its change, respondents, response rate and the benchmark",
            &[
                "HISP",
                "Agency",
                "Quarter",
                "Trust, % agree [95% interval]",
                "Change",
                "Respondents",
                "Response rate",
                "Benchmark",
            ],
            &tagged,
            Some(("hisp-table", &agency_of)),
        ));
        body.push_str("<p><a href=\"index.csv\">Download this table (CSV)</a> · <a href=\"matrix.html\">Trust by HISP and quarter</a></p>");
        body.push_str("<h2 id=\"quarters\">Quarters</h2><ul class=\"quarters\">");
        for q in self.quarters.iter().rev() {
            let _ = write!(body, "<li><a href=\"quarter/{}.html\">{q}</a></li>", q.compact());
        }
        body.push_str("</ul>");
        Ok((page("Customer experience with federal services", "", &body, true), to_csv(&csv)?))
    }

    fn matrix_page(&self) -> Result<(String, Vec<u8>), A11Error> {
        // The quarters are the columns, so the header is built here rather than a `Table`'s.
        let mut columns: Vec<String> = vec!["hisp".into(), "name".into()];
        columns.extend(self.quarters.iter().map(|q| q.compact()));
        let mut csv_rows: Vec<Vec<String>> = Vec::new();
        let mut rows = Vec::new();
        for slug in &self.providers {
            let keep = self.of_provider(slug);
            let (name, _) = self.provider_name(slug);
            let mut row = vec![Html::raw(format!("<a href=\"hisp/{slug}.html\">{}</a>", esc(&name)))];
            let mut line = vec![slug.to_string(), name];
            for &q in &self.quarters {
                let c = self.cell(Metric::Trust, q, &keep);
                row.push(cell_html(c));
                line.push(cell_csv(c));
            }
            rows.push(row);
            csv_rows.push(line);
        }
        let mut header: Vec<String> = vec!["HISP".into()];
        header.extend(self.quarters.iter().map(|q| q.to_string()));
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        let mut body = String::from(
            "<p>Trust, % who agree, for every HISP in every stored quarter. A blank cell: no answers that quarter.</p>",
        );
        body.push_str(&table("Trust by HISP and quarter", &header, &rows, None));
        body.push_str("<p><a href=\"matrix.csv\">Download this table (CSV)</a></p>");
        Ok((page("Trust by HISP and quarter", "", &body, false), rows_csv("matrix", &columns, &csv_rows)?))
    }

    fn provider_page(&self, slug: &ProviderSlug) -> Result<(String, Vec<u8>), A11Error> {
        let reg = self.input.registry;
        let (name, agency) = self.provider_name(slug);
        let keep = self.of_provider(slug);
        let mut body = String::new();
        let trust: Vec<(FiscalQuarter, Cell)> =
            self.quarters.iter().map(|&q| (q, self.cell(Metric::Trust, q, &keep))).collect();
        let _ = write!(body, "<p class=\"lead\">{} · {}</p>", esc(&agency), esc(&name));
        body.push_str("<h2 id=\"trust\">Trust over time</h2>");
        body.push_str(&line_chart(&format!("{name}: trust, % agree, by quarter"), &trust));
        let mut csv = Table { name: format!("hisp-{slug}"), columns: SERVICE_COLUMNS.to_vec(), rows: Vec::new() };
        let mut rows = Vec::new();
        let groups: BTreeSet<(fedcx_model::ServiceId, fedcx_model::Channel)> =
            self.input.counts.iter().filter(|(k, _)| keep(k)).map(|(k, _)| (k.service.clone(), k.channel)).collect();
        for (service, channel) in &groups {
            let sname = reg.service(service).map_or_else(|| service.to_string(), |s| s.name.clone());
            for &q in &self.quarters {
                let here = |k: &fedcx_model::GroupKey| k.service == *service && k.channel == *channel;
                let t = self.input.counts.sum_where(|k| k.quarter == q && here(k));
                if t.respondents() == 0 {
                    continue;
                }
                let tc = self.cell(Metric::Trust, q, here);
                let sc = self.cell(Metric::Satisfaction, q, here);
                let rate = self.response_rate(q, here);
                rows.push(vec![
                    Html::text(sname.clone()),
                    Html::text(channel.label()),
                    Html::text(q.to_string()),
                    cell_html(tc),
                    if SurveyVersion::for_quarter(q) == SurveyVersion::V1 {
                        cell_html(sc)
                    } else {
                        Html::text("not asked")
                    },
                    Html::text(thousands(t.respondents())),
                    Html::text(rate.map_or_else(|| "not known".to_owned(), pct)),
                ]);
                // Counts only where the share is shown: a suppressed group's are not published.
                let (ta, tn) = match tc {
                    Cell::Shown(s) => (s.count.to_string(), s.n.to_string()),
                    Cell::Suppressed(_) | Cell::Empty => (String::new(), String::new()),
                };
                let (tv, sv) = (cell_csv(tc), cell_csv(sc));
                csv.rows.push(vec![
                    service.to_string(),
                    channel.as_str().to_owned(),
                    q.compact(),
                    tv,
                    ta,
                    tn,
                    sv,
                    t.respondents().to_string(),
                    rate.map_or(String::new(), |r| format!("{:.4}", r)),
                ]);
            }
        }
        body.push_str("<h2 id=\"services\">Each service and channel</h2>");
        body.push_str(&table(
            &format!("{name}: trust and satisfaction by service, channel and quarter"),
            &[
                "Service",
                "Channel",
                "Quarter",
                "Trust, % agree [95% interval]",
                "Satisfaction, % agree",
                "Respondents",
                "Response rate",
            ],
            &rows,
            None,
        ));
        let _ = write!(body, "<p><a href=\"{slug}.csv\">Download this table (CSV)</a></p>");
        // Where the provider's facts come from.
        if let Some(p) = reg.provider(slug) {
            body.push_str("<h2 id=\"provenance\">Sources</h2><ul>");
            if let Some(id) = p.touchpoints_id {
                let _ = write!(body, "<li>Touchpoints service provider {id}</li>");
            }
            for s in reg.services_of(slug) {
                if !s.touchpoints_ids.is_empty() {
                    let ids: Vec<String> = s.touchpoints_ids.iter().map(u32::to_string).collect();
                    let _ = write!(body, "<li>{}: Touchpoints service {}</li>", esc(&s.name), ids.join(", "));
                }
            }
            if let Some(src) = &p.source {
                let _ = write!(body, "<li>Registry: {}</li>", esc(src));
            }
            body.push_str("</ul>");
        }
        Ok((page(&name, "../", &body, false), to_csv(&csv)?))
    }

    fn quarter_page(&self, q: FiscalQuarter) -> Result<(String, Vec<u8>), A11Error> {
        let mut csv =
            Table { name: format!("quarter-{}", q.compact()), columns: QUARTER_COLUMNS.to_vec(), rows: Vec::new() };
        let mut rows = Vec::new();
        for slug in &self.providers {
            let keep = self.of_provider(slug);
            let t = self.input.counts.sum_where(|k| k.quarter == q && keep(k));
            if t.respondents() == 0 {
                continue;
            }
            let (name, agency) = self.provider_name(slug);
            let tc = self.cell(Metric::Trust, q, &keep);
            let sc = self.cell(Metric::Satisfaction, q, &keep);
            rows.push(vec![
                Html::raw(format!("<a href=\"../hisp/{slug}.html\">{}</a>", esc(&name))),
                Html::text(agency.clone()),
                cell_html(tc),
                if SurveyVersion::for_quarter(q) == SurveyVersion::V1 {
                    cell_html(sc)
                } else {
                    Html::text("not asked")
                },
                Html::text(thousands(t.respondents())),
            ]);
            csv.rows.push(vec![
                slug.to_string(),
                name,
                agency,
                cell_csv(tc),
                cell_csv(sc),
                t.respondents().to_string(),
            ]);
        }
        let mut body = format!(
            "<p>Every HISP with answers in {q}. The quarter's full A-11 records and report: <code>fedcx report --quarter {}</code>.</p>",
            q.compact()
        );
        body.push_str(&table(
            &format!("HISPs in {q}"),
            &["HISP", "Agency", "Trust, % agree [95% interval]", "Satisfaction, % agree", "Respondents"],
            &rows,
            None,
        ));
        let _ = write!(body, "<p><a href=\"{}.csv\">Download this table (CSV)</a></p>", q.compact());
        Ok((page(&q.to_string(), "../", &body, false), to_csv(&csv)?))
    }
}

const HISP_COLUMNS: [&str; 10] = [
    "hisp",
    "name",
    "agency",
    "quarter",
    "trust_pct",
    "suppressed",
    "change",
    "respondents",
    "response_rate",
    "benchmark",
];
const SERVICE_COLUMNS: [&str; 9] = [
    "service",
    "channel",
    "quarter",
    "trust_pct",
    "trust_agree",
    "trust_answers",
    "satisfaction_pct",
    "respondents",
    "response_rate",
];
const QUARTER_COLUMNS: [&str; 6] = ["hisp", "name", "agency", "trust_pct", "satisfaction_pct", "respondents"];

/// CSV of rows under a header built at run time, every cell neutralised as [`write_csv`] does.
fn rows_csv(name: &str, columns: &[String], rows: &[Vec<String>]) -> Result<Vec<u8>, A11Error> {
    let err = |e: csv::Error| A11Error::Io {
        path: std::path::PathBuf::from(format!("{name}.csv")),
        source: std::io::Error::other(e.to_string()),
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(columns).map_err(err)?;
    for row in rows {
        w.write_record(row.iter().map(|c| crate::records::neutralise(c).into_owned())).map_err(err)?;
    }
    w.into_inner().map_err(|e| err(e.into_error().into()))
}

fn to_csv(t: &Table) -> Result<Vec<u8>, A11Error> {
    let mut out = Vec::new();
    write_csv(t, &mut out).map_err(|e| A11Error::Io {
        path: std::path::PathBuf::from(format!("{}.csv", t.name)),
        source: std::io::Error::other(e.to_string()),
    })?;
    Ok(out)
}

/// A table cell's markup, with an optional sort key for the table's script.
#[derive(Clone)]
struct Html {
    markup: String,
    sort: Option<String>,
}

impl Html {
    fn text(t: impl AsRef<str>) -> Html {
        Html { markup: esc(t.as_ref()), sort: None }
    }
    fn raw(markup: String) -> Html {
        Html { markup, sort: None }
    }
    fn with_sort(mut self, key: String) -> Html {
        self.sort = Some(key);
        self
    }
}

fn pct(v: f64) -> String {
    format!("{:.1}%", 100.0 * v)
}

/// A count with thousands separators.
fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn version_label(v: SurveyVersion) -> &'static str {
    match v {
        SurveyVersion::V1 => "version 1 (FY2019-23)",
        SurveyVersion::V2 => "version 2 (FY2024 on)",
    }
}

/// A share as the CSV downloads write it: the percentage, `suppressed`, or blank for no answers.
fn cell_csv(c: Cell) -> String {
    match c {
        Cell::Shown(s) => format!("{:.1}", 100.0 * s.value),
        Cell::Suppressed(_) => "suppressed".into(),
        Cell::Empty => String::new(),
    }
}

fn cell_html(c: Cell) -> Html {
    match c {
        Cell::Empty => Html::text("no answers"),
        Cell::Suppressed(n) => Html::text(format!("suppressed ({n} answers, fewer than the minimum)")),
        Cell::Shown(s) => Html::text(format!("{} [{:.1}, {:.1}]", pct(s.value), 100.0 * s.lo, 100.0 * s.hi)),
    }
}

fn answers(c: Cell) -> Html {
    match c {
        Cell::Empty => Html::text("0"),
        Cell::Suppressed(n) => Html::text(thousands(n)),
        Cell::Shown(s) => Html::text(thousands(s.n)),
    }
}

/// A change in words: its size in points, and whether it is meaningful (at least
/// [`MEANINGFUL_CHANGE`] and its interval excludes zero).
fn change_words(then: &Share, now: &Share) -> String {
    let d = difference(then, now);
    let points = 100.0 * d.value;
    let p = if d.p_value < 0.001 { "p < 0.001".to_owned() } else { format!("p = {:.3}", d.p_value) };
    let meaningful = d.value.abs() >= MEANINGFUL_CHANGE && (d.lo > 0.0 || d.hi < 0.0);
    let words = if !meaningful {
        "no meaningful change"
    } else if d.value > 0.0 {
        "up"
    } else {
        "down"
    };
    format!("{words}, {points:+.1} points ({p})")
}

/// An accessible table: a caption, header cells with scope, and a scroll region that can be reached
/// from the keyboard and says it scrolls. `filter` tags each row with its agency for the filter.
fn table(caption: &str, header: &[&str], rows: &[Vec<Html>], filter: Option<(&str, &[String])>) -> String {
    let mut s = String::new();
    let id = filter.map(|(id, _)| id);
    s.push_str("<p class=\"scroll-hint\" aria-hidden=\"true\">Scroll the table sideways to see every column.</p>");
    let _ = write!(
        s,
        "<div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"{} (scrolls sideways on narrow screens)\">\
         <table{}><caption>{}</caption><thead><tr>",
        esc(caption),
        id.map(|i| format!(" id=\"{i}\" class=\"sortable\"")).unwrap_or_default(),
        esc(caption)
    );
    for (i, h) in header.iter().enumerate() {
        if id.is_some() {
            let _ = write!(s, "<th scope=\"col\"><button type=\"button\" data-col=\"{i}\">{}</button></th>", esc(h));
        } else {
            let _ = write!(s, "<th scope=\"col\">{}</th>", esc(h));
        }
    }
    s.push_str("</tr></thead><tbody>");
    for (r, row) in rows.iter().enumerate() {
        match filter {
            Some((_, tags)) => {
                let _ = write!(s, "<tr data-agency=\"{}\">", esc(tags.get(r).map_or("", String::as_str)));
            }
            None => s.push_str("<tr>"),
        }
        for (i, c) in row.iter().enumerate() {
            let sort = c.sort.as_ref().map(|k| format!(" data-sort=\"{}\"", esc(k))).unwrap_or_default();
            if i == 0 {
                let _ = write!(s, "<th scope=\"row\"{sort}>{}</th>", c.markup);
            } else {
                let _ = write!(s, "<td{sort}>{}</td>", c.markup);
            }
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></div>");
    s
}

/// A line chart of shares over quarters that scales to its column (a `viewBox`, no fixed width),
/// with each quarter's 95% interval as a bar; suppressed and empty quarters are gaps.
fn line_chart(title: &str, points: &[(FiscalQuarter, Cell)]) -> String {
    let (w, h, left, bottom, top) = (640.0_f64, 280.0_f64, 64.0_f64, 44.0_f64, 14.0_f64);
    let n = points.len().max(1);
    let x = |i: usize| left + (w - left - 12.0) * if n == 1 { 0.5 } else { i as f64 / (n - 1) as f64 };
    let y = |v: f64| top + (h - top - bottom) * (1.0 - v);
    let mut s = format!(
        "<figure><svg viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"chart-title\" preserveAspectRatio=\"xMidYMid meet\">\
         <title id=\"chart-title\">{}</title>",
        esc(title)
    );
    for v in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let _ = write!(
            s,
            "<line x1=\"{left}\" x2=\"{0}\" y1=\"{1:.1}\" y2=\"{1:.1}\" class=\"grid\"/><text x=\"{2}\" y=\"{3:.1}\" class=\"axis\" text-anchor=\"end\">{4:.0}%</text>",
            w - 12.0,
            y(v),
            left - 8.0,
            y(v) + 6.0,
            100.0 * v
        );
    }
    let mut path = String::new();
    for (i, (_, c)) in points.iter().enumerate() {
        if let Cell::Shown(sh) = c {
            let _ = write!(
                s,
                "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{1:.1}\" y2=\"{2:.1}\" class=\"ci\"/>",
                x(i),
                y(sh.lo),
                y(sh.hi)
            );
            let _ = write!(path, "{}{:.1},{:.1} ", if path.is_empty() { "M" } else { "L" }, x(i), y(sh.value));
            let _ = write!(s, "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" class=\"point\"/>", x(i), y(sh.value));
        } else {
            path.push(' ');
        }
    }
    if !path.trim().is_empty() {
        let _ = write!(s, "<path d=\"{}\" class=\"line\"/>", path.trim());
    }
    // At most 5 labels (first and last always, anchored inwards so they are never clipped); on a
    // phone only those two, so labels never overlap at any width.
    let step = n.div_ceil(5).max(1);
    for (i, (q, _)) in points.iter().enumerate() {
        let (first, last) = (i == 0, i + 1 == n);
        if first || last || i % step == 0 {
            let anchor = if first && n > 1 {
                "start"
            } else if last && n > 1 {
                "end"
            } else {
                "middle"
            };
            let class = if first || last { "axis" } else { "axis minor" };
            let dx = if first && n > 1 {
                -8.0
            } else if last && n > 1 {
                8.0
            } else {
                0.0
            };
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" class=\"{class}\" text-anchor=\"{anchor}\">{}</text>",
                x(i) + dx,
                h - 10.0,
                q.compact()
            );
        }
    }
    s.push_str("</svg><figcaption>The table below has the chart's numbers.</figcaption></figure>");
    s
}

/// USWDS design tokens (colour, type scale, spacing, focus), system fonts only.
const STYLE: &str = "\
:root{--ink:#1b1b1b;--base:#565c65;--primary:#005ea2;--primary-dark:#1a4480;--light:#f0f0f0;--line:#dfe1e2;--focus:#2491ff}\
*{box-sizing:border-box}body{margin:0;color:var(--ink);font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:1.06rem;line-height:1.5}\
.banner{background:var(--light);border-bottom:1px solid var(--line);padding:.5rem 1rem;font-size:.93rem}\
.wrap,main,footer{max-width:64rem;margin:0 auto;padding:0 1rem}h1{font-size:2.13rem;line-height:1.2;margin:1.5rem 0 .5rem}\
h2{font-size:1.46rem;margin:2rem 0 .5rem}a{color:var(--primary)}a:visited{color:#54278f}\
a:focus,button:focus,select:focus,[tabindex]:focus{outline:.25rem solid var(--focus);outline-offset:0}\
nav ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:1rem}.lead{font-size:1.34rem}.headline{font-size:1.46rem}\
.scroll{overflow-x:auto;max-width:100%;margin:1rem 0;border:1px solid var(--line)}\
table{border-collapse:collapse;width:100%;font-size:.93rem}caption{text-align:left;font-weight:700;padding:.5rem}\
th,td{border-top:1px solid var(--line);padding:.5rem;text-align:left;vertical-align:top}thead th{background:var(--light)}\
th button{font:inherit;font-weight:700;background:none;border:0;padding:0;color:var(--primary-dark);cursor:pointer;text-align:left}\
figure{margin:1rem 0}svg{width:100%;height:auto;max-width:40rem}.grid{stroke:var(--line)}.axis{font-size:18px;fill:var(--base)}.scroll-hint{display:none;font-size:.93rem;color:var(--base);margin:.5rem 0 0}@media (max-width:40em){.axis.minor{display:none}.scroll-hint{display:block}}\
.line{fill:none;stroke:var(--primary);stroke-width:2.5}.point{fill:var(--primary)}.ci{stroke:var(--primary-dark);stroke-width:1.5}\
.filter{margin:.5rem 0}select{font:inherit;padding:.25rem}ul.quarters{columns:10rem}footer{margin-top:3rem;border-top:1px solid var(--line);color:var(--base);font-size:.93rem;padding-bottom:2rem}";

/// Sorts a table by a column's header button and filters the HISP table by agency; the page
/// works without it.
const SCRIPT: &str = "\
document.querySelectorAll('table.sortable').forEach(function(t){t.querySelectorAll('th button').forEach(function(b){\
b.addEventListener('click',function(){var c=+b.dataset.col,asc=b.dataset.dir!=='asc';b.dataset.dir=asc?'asc':'desc';\
var rows=Array.prototype.slice.call(t.tBodies[0].rows);rows.sort(function(x,y){var a=x.cells[c],d=y.cells[c];\
var p=a.dataset.sort||a.textContent,q=d.dataset.sort||d.textContent,m=parseFloat(p),n=parseFloat(q);\
var r=(!isNaN(m)&&!isNaN(n))?m-n:p.localeCompare(q);return asc?r:-r;});rows.forEach(function(r){t.tBodies[0].appendChild(r);});});});});\
document.querySelectorAll('select[data-filter]').forEach(function(s){function f(){\
var t=document.getElementById(s.dataset.filter);Array.prototype.forEach.call(t.tBodies[0].rows,function(r){\
r.hidden=s.value!==''&&r.dataset.agency!==s.value;});}['change','input','keyup'].forEach(function(e){s.addEventListener(e,f);});});";

/// A page: the not-official banner, the navigation, the body and a footer naming the source.
fn page(title: &str, root: &str, body: &str, script: bool) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t} · fedcx</title><style>{STYLE}</style></head><body>\
         <header><div class=\"banner\" role=\"note\">Not an official U.S. government website. Built with fedcx from data loaded by its \
         user; check figures against the agencies' own publications.</div><nav aria-label=\"Site\" class=\"wrap\"><ul><li><a href=\"{root}index.html\">All HISPs</a></li><li><a href=\"{root}matrix.html\">HISP by quarter</a></li>\
         <li><a href=\"{root}index.html#quarters\">Quarters</a></li></ul></nav></header>\
         <main><h1>{t}</h1>{body}</main><footer><p>Shares are the percentage of answers that agree (4 or 5 on the 5-point scale, or a thumbs up), \
         with 95% Wilson score intervals. Groups with fewer answers than the minimum are suppressed.</p></footer>{s}</body></html>\n",
        t = esc(title),
        s = if script { format!("<script>{SCRIPT}</script>") } else { String::new() }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_and_changes_read_as_people_write_them() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_080_908), "1,080,908");
        // 0.4 points at a million answers: significant, not meaningful.
        let a = Share::wilson(780_000, 1_000_000).unwrap();
        let b = Share::wilson(784_000, 1_000_000).unwrap();
        let w = change_words(&a, &b);
        assert!(w.starts_with("no meaningful change, +0.4 points (p < 0.001)"), "{w}");
        let c = Share::wilson(820_000, 1_000_000).unwrap();
        assert!(change_words(&a, &c).starts_with("up, +4.0 points"));
    }
}
