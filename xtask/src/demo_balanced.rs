//! The demo's SYNTHETIC balanced-measures inputs, deterministic from the seed: FEVS respondent
//! rows in OPM's PRDF layout for the two latest survey years fedcx has an item map for, a
//! business-results file for every demo service and quarter, and two GSA Site Scanning snapshots
//! (current layout) of every HISP's domains. Every file's name says SYNTHETIC, and so does every
//! text cell that can (the business results' `source`, the scans' `title`), so nothing taken from
//! them can pass for an agency's figures.

use std::io::Write;

use anyhow::Result;
use fedcx_ingest::site_scan::CURRENT_COLUMNS;
use fedcx_model::fevs::{FevsMatch, SurveyYear, ITEM_MAPS};
use fedcx_model::{FiscalQuarter, Quarter, Registry};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// The two FEVS survey years the demo has: the two latest with an item map.
pub fn fevs_years() -> [SurveyYear; 2] {
    let n = ITEM_MAPS.len();
    [ITEM_MAPS[n - 2].year, ITEM_MAPS[n - 1].year]
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    StandardNormal.sample(rng)
}

/// Respondents per FEVS unit and year.
const FEVS_RESPONDENTS: usize = 30;

/// Writes one survey year's PRDF-layout file: `AGENCY, LEVEL1, Q1..Qn, POSTWT, RandomID`, one
/// row per synthetic respondent of every unit the registry's crosswalk names for the year.
pub fn write_fevs(registry: &Registry, year: SurveyYear, seed: u64, out: &mut dyn Write) -> Result<u64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ u64::from(year.get()));
    let map = ITEM_MAPS.iter().find(|m| m.year == year).expect("a year of ITEM_MAPS");
    let last_item = map
        .leaders_lead
        .iter()
        .chain(&map.supervisors)
        .chain(&map.intrinsic_work_experience)
        .chain(&map.global_satisfaction)
        .map(|i| i.0)
        .max()
        .unwrap_or(1);
    // (AGENCY, LEVEL1) of each unit, once each.
    let mut units: Vec<(String, String)> = Vec::new();
    for p in registry.providers() {
        for link in p.fevs.iter().filter(|l| l.from <= year && year <= l.to) {
            let unit = match &link.unit {
                FevsMatch::Agency(a) | FevsMatch::ParentAgency(a) => (a.as_str().to_owned(), String::new()),
                FevsMatch::SubAgency(s) => (s.agency().as_str().to_owned(), s.as_str().to_owned()),
                FevsMatch::NotSurveyed => continue,
            };
            if !units.contains(&unit) {
                units.push(unit);
            }
        }
    }
    units.sort();
    let items: Vec<String> = (1..=last_item).map(|i| format!("Q{i}")).collect();
    writeln!(out, "AGENCY,LEVEL1,{},POSTWT,RandomID", items.join(","))?;
    let mut rows = 0u64;
    for (k, (agency, level1)) in units.iter().enumerate() {
        // Each unit's engagement level, drifting a little between years.
        let level = 0.5 * normal(&mut rng) + 0.3 * (k % 3) as f64 - 0.3;
        for _ in 0..FEVS_RESPONDENTS {
            let person = level + normal(&mut rng);
            let answers: Vec<String> = (0..last_item)
                .map(|_| {
                    if rng.gen_bool(0.03) {
                        "X".to_owned()
                    } else {
                        let x = person + 0.7 * normal(&mut rng);
                        let v = match x {
                            x if x < -1.6 => 1,
                            x if x < -0.9 => 2,
                            x if x < -0.3 => 3,
                            x if x < 0.8 => 4,
                            _ => 5,
                        };
                        v.to_string()
                    }
                })
                .collect();
            let weight: f64 = rng.gen_range(1.0..6.0);
            rows += 1;
            writeln!(
                out,
                "{agency},{level1},{},{weight:.4},{}",
                answers.join(","),
                900_000_000_000u64 + u64::from(year.get()) * 100_000 + rows
            )?;
        }
    }
    Ok(rows)
}

/// Writes the business results: each service's wait time (minutes) and processing time (days) in
/// every quarter it was reported from `first_year` to `last_year`.
pub fn write_business(registry: &Registry, years: (u16, u16), seed: u64, out: &mut dyn Write) -> Result<u64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xB005);
    writeln!(out, "service_id,fy,quarter,metric,value,unit,source")?;
    let mut rows = 0u64;
    for s in registry.services() {
        let mut wait: f64 = rng.gen_range(3.0..40.0);
        let mut processing: f64 = rng.gen_range(5.0..120.0);
        for fy in years.0..=years.1 {
            if !s.reported_in(fy) {
                continue;
            }
            for q in Quarter::ALL {
                let quarter = FiscalQuarter::new(fy, q)?;
                wait = (wait * rng.gen_range(0.85..1.12)).max(0.5);
                processing = (processing * rng.gen_range(0.88..1.1)).max(1.0);
                let source = "SYNTHETIC demo data from cargo xtask demo-data; not an agency's figures";
                let (year, n) = (quarter.year(), q.number());
                writeln!(out, "{},{year},{n},wait_time,{wait:.1},minutes,{source}", s.id)?;
                writeln!(out, "{},{year},{n},processing_time,{processing:.1},days,{source}", s.id)?;
                rows += 2;
            }
        }
    }
    Ok(rows)
}

/// Writes one Site Scanning snapshot in the current 104-column layout ([`CURRENT_COLUMNS`]): one
/// row per domain the registry's providers list, scanned on `date`. `later` snapshots meet a few
/// more criteria, so the two show a change.
pub fn write_site_scan(
    registry: &Registry,
    date: chrono::NaiveDate,
    later: bool,
    seed: u64,
    out: &mut dyn Write,
) -> Result<u64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5CA7);
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(out);
    w.write_record(CURRENT_COLUMNS)?;
    let mut rows = 0u64;
    for p in registry.providers() {
        for domain in &p.domains {
            // The same draws for both snapshots; the later one improves on some.
            let met: Vec<bool> = (0..9).map(|_| rng.gen_bool(0.7)).collect();
            let fixed: Vec<bool> = (0..9).map(|_| rng.gen_bool(0.4)).collect();
            let ok = |i: usize| (met[i] || (later && fixed[i])).to_string();
            let contrast: u32 = rng.gen_range(0..12);
            let links: u32 = rng.gen_range(0..5);
            let visits: u64 = rng.gen_range(1_000..5_000_000);
            let (contrast, links) = if later { (contrast / 2, links / 2) } else { (contrast, links) };
            let violations = if contrast + links == 0 {
                String::new()
            } else {
                format!("{{\"contrast\":{contrast},\"link-purpose\":{links}}}")
            };
            let time = format!("{date}T0{}:{:02}:{:02}.000Z", rows % 9, rows % 60, (rows * 7) % 60);
            let cell = |col: &str| -> String {
                match col {
                    "name" | "initial_domain" | "initial_base_domain" | "base_domain" => domain.clone(),
                    "initial_url" => format!("https://{domain}"),
                    "initial_top_level_domain" | "top_level_domain" => {
                        domain.rsplit('.').next().unwrap_or("gov").to_owned()
                    }
                    "redirect" => "true".into(),
                    "url" => format!("https://www.{domain}/"),
                    "domain" => format!("www.{domain}"),
                    "live" => "true".into(),
                    "filter" => "false".into(),
                    "status_code" => "200".into(),
                    "media_type" => "text/html".into(),
                    "agency" | "bureau" => p.name.clone(),
                    "branch" => "Executive".into(),
                    "scan_date" => time.clone(),
                    c if c.ends_with("_scan_status") => "completed".into(),
                    "accessibility_violations" => violations.clone(),
                    "visits" => visits.to_string(),
                    "pageviews" => (visits * 2).to_string(),
                    "https_enforced" => ok(0),
                    "hsts" => ok(1),
                    "viewport_meta_tag" => ok(2),
                    "site_search" => ok(3),
                    "search_dot_gov" => ok(4),
                    "sitemap_xml_detected" => ok(5),
                    "robots_txt_detected" => ok(6),
                    "dap" => ok(7),
                    "feedback_links_text" => {
                        if met[8] || (later && fixed[8]) {
                            "[\"contact\"]".into()
                        } else {
                            String::new()
                        }
                    }
                    "uswds_count" => {
                        if met[2] {
                            "132".into()
                        } else {
                            "0".into()
                        }
                    }
                    "title" => format!("SYNTHETIC demo scan of {domain}"),
                    _ => String::new(),
                }
            };
            w.write_record(CURRENT_COLUMNS.iter().map(|c| cell(c)))?;
            rows += 1;
        }
    }
    w.flush()?;
    Ok(rows)
}

/// The files' names under `data/demo/`, and the snapshots' dates.
pub const SNAPSHOT_DATES: [&str; 2] = ["2025-02-03", "2025-08-04"];
