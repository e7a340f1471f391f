//! The report as an XLSX workbook for analysts: one sheet per table with the header frozen, an
//! autofilter and fitted widths; shares as numbers in a percent format with one decimal, a
//! suppressed share as empty cells with the reason in a status column (never text in a numeric
//! column); volumes as numbers; and a fixed creation date so the same inputs give the same bytes.

use fedcx_index::stats::Share;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use crate::records::Table;
use crate::report::{suppressed, QuarterReport};

fn header(ws: &mut Worksheet, cols: &[&str], bold: &Format) -> Result<(), XlsxError> {
    for (c, name) in cols.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *name, bold)?;
    }
    Ok(())
}

/// Writes a share as three numeric cells (share, low, high) formatted as percentages with one
/// decimal, and a status cell: blank when the share is shown, else why not. A suppressed share
/// leaves its numeric cells empty, never text in a numeric column.
fn share_cells(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    share: Option<&Share>,
    min: u64,
    pct: &Format,
) -> Result<(), XlsxError> {
    match share {
        Some(s) if s.n >= min => {
            ws.write_number_with_format(row, col, s.value, pct)?;
            ws.write_number_with_format(row, col + 1, s.lo, pct)?;
            ws.write_number_with_format(row, col + 2, s.hi, pct)?;
        }
        Some(_) => {
            ws.write_string(row, col + 3, suppressed(min))?;
        }
        None => {
            ws.write_string(row, col + 3, "no answers")?;
        }
    }
    Ok(())
}

/// The header row frozen, an autofilter over the table, and columns as wide as their contents.
fn finish_sheet(ws: &mut Worksheet, widths: &[usize], rows: u32) -> Result<(), XlsxError> {
    ws.set_freeze_panes(1, 0)?;
    if !widths.is_empty() {
        ws.autofilter(0, 0, rows, widths.len() as u16 - 1)?;
    }
    for (c, w) in widths.iter().enumerate() {
        // Room for the filter button; long free text is capped.
        ws.set_column_width(c as u16, (*w as f64 + 3.0).min(60.0))?;
    }
    Ok(())
}

/// Column widths from a header and rows of text.
fn widths_of<'a>(header: &[&str], rows: impl Iterator<Item = Vec<&'a str>>) -> Vec<usize> {
    let mut w: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (c, v) in r.iter().enumerate() {
            if let Some(x) = w.get_mut(c) {
                *x = (*x).max(v.chars().count());
            }
        }
    }
    w
}

/// Renders the workbook.
pub fn render(r: &QuarterReport, records: &[&Table]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let end = r.quarter.end_date();
    let created = ExcelDateTime::from_ymd(
        end.format("%Y").to_string().parse().unwrap_or(2000),
        end.format("%m").to_string().parse().unwrap_or(1),
        end.format("%d").to_string().parse().unwrap_or(1),
    )?;
    wb.set_properties(
        &DocProperties::new().set_title(format!("A-11 CX report {}", r.quarter)).set_creation_datetime(&created),
    );
    let f = Formats { bold: Format::new().set_bold(), pct: Format::new().set_num_format("0.0%") };
    if r.demo {
        // First, so the workbook opens on it.
        let ws = wb.add_worksheet().set_name("Note")?;
        ws.write_string_with_format(0, 0, crate::report::DEMO_NOTICE, &f.bold)?;
    }
    summary_sheet(&mut wb, r, &f)?;
    channels_sheet(&mut wb, r, &f)?;
    drivers_sheet(&mut wb, r, &f)?;
    trend_sheet(&mut wb, r, &f)?;
    hisps_sheet(&mut wb, r, &f)?;
    services_sheet(&mut wb, r, &f)?;
    balanced_sheet(&mut wb, r, &f)?;
    digital_sheet(&mut wb, r, &f)?;
    problems_sheet(&mut wb, r, &f)?;
    record_sheets(&mut wb, records, &f)?;
    wb.save_to_buffer()
}

/// The cell formats every sheet shares.
struct Formats {
    bold: Format,
    pct: Format,
}

/// The summary sentences, each with its section.
fn summary_sheet(wb: &mut Workbook, r: &QuarterReport, f: &Formats) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet().set_name("Summary")?;
    header(ws, &["finding", "section"], &f.bold)?;
    for (i, f) in r.findings.iter().enumerate() {
        ws.write_string(i as u32 + 1, 0, &f.sentence)?;
        ws.write_string(i as u32 + 1, 1, &f.section)?;
    }
    finish_sheet(
        ws,
        &widths_of(&["finding", "section"], r.findings.iter().map(|f| vec![f.sentence.as_str(), f.section.as_str()])),
        r.findings.len() as u32,
    )?;
    Ok(())
}

/// Trust per channel.
fn channels_sheet(wb: &mut Workbook, r: &QuarterReport, f: &Formats) -> Result<(), XlsxError> {
    let min = r.min_responses;
    let ws = wb.add_worksheet().set_name("Channels")?;
    let cols = ["channel", "side", "trust agree", "low", "high", "trust status", "answers"];
    header(ws, &cols, &f.bold)?;
    for (i, c) in r.channels.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_string(row, 0, c.channel.as_str())?;
        ws.write_string(row, 1, crate::markdown::delivery_label(c.delivery))?;
        share_cells(ws, row, 2, Some(&c.trust), min, &f.pct)?;
        ws.write_number(row, 6, c.trust.n as f64)?;
    }
    finish_sheet(
        ws,
        &widths_of(&cols, std::iter::once(vec!["self_service_kiosk", "neither (mixed)"])),
        r.channels.len() as u32,
    )?;
    Ok(())
}

/// The drivers of trust.
fn drivers_sheet(wb: &mut Workbook, r: &QuarterReport, f: &Formats) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet().set_name("Drivers")?;
    let cols = [
        "indicator",
        "selected n",
        "selected mean",
        "not selected n",
        "not selected mean",
        "difference",
        "low",
        "high",
    ];
    header(ws, &cols, &f.bold)?;
    let two = Format::new().set_num_format("0.00");
    for (i, d) in r.drivers.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_string(row, 0, d.indicator.column(d.polarity))?;
        ws.write_number(row, 1, d.selected.0 as f64)?;
        ws.write_number_with_format(row, 2, d.selected.1, &two)?;
        ws.write_number(row, 3, d.not_selected.0 as f64)?;
        ws.write_number_with_format(row, 4, d.not_selected.1, &two)?;
        ws.write_number_with_format(row, 5, d.difference, &two)?;
        ws.write_number_with_format(row, 6, d.interval.0, &two)?;
        ws.write_number_with_format(row, 7, d.interval.1, &two)?;
    }
    finish_sheet(ws, &widths_of(&cols, std::iter::once(vec!["negative_transparency"])), r.drivers.len() as u32)?;
    Ok(())
}

/// Trust and satisfaction over the trend window.
fn trend_sheet(wb: &mut Workbook, r: &QuarterReport, f: &Formats) -> Result<(), XlsxError> {
    let min = r.min_responses;
    let ws = wb.add_worksheet().set_name("Trend")?;
    let cols = [
        "quarter",
        "survey",
        "trust agree",
        "low",
        "high",
        "trust status",
        "answers",
        "satisfaction agree",
        "low",
        "high",
        "satisfaction status",
        "answers",
    ];
    header(ws, &cols, &f.bold)?;
    for (i, (t, sat)) in r.trust_trend.iter().zip(&r.satisfaction_trend).enumerate() {
        let row = i as u32 + 1;
        ws.write_string(row, 0, t.quarter.to_string())?;
        ws.write_string(row, 1, t.version.as_str())?;
        share_cells(ws, row, 2, t.share.as_ref(), min, &f.pct)?;
        ws.write_number(row, 6, t.share.as_ref().map_or(0.0, |s| s.n as f64))?;
        share_cells(ws, row, 7, sat.share.as_ref(), min, &f.pct)?;
        ws.write_number(row, 11, sat.share.as_ref().map_or(0.0, |s| s.n as f64))?;
    }
    finish_sheet(
        ws,
        &widths_of(&cols, std::iter::once(vec!["FY2025 Q2", "suppressed (n < 30)"])),
        r.trust_trend.len() as u32,
    )?;
    Ok(())
}

/// Trust and the digital gap per HISP.
fn hisps_sheet(wb: &mut Workbook, r: &QuarterReport, f: &Formats) -> Result<(), XlsxError> {
    let min = r.min_responses;
    let ws = wb.add_worksheet().set_name("HISPs")?;
    let cols = [
        "HISP",
        "agency",
        "respondents",
        "trust agree",
        "low",
        "high",
        "trust status",
        "digital - assisted (points)",
        "p",
        "gap status",
    ];
    header(ws, &cols, &f.bold)?;
    for (i, p) in r.providers.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_string(row, 0, &p.name)?;
        ws.write_string(row, 1, &p.agency)?;
        ws.write_number(row, 2, (p.scores.respondents_v1 + p.scores.respondents_v2) as f64)?;
        let trust = p
            .scores
            .trust_v2
            .as_ref()
            .and_then(|t| t.agree)
            .or_else(|| p.scores.v1.iter().find(|q| q.question == 2).and_then(|q| q.agree));
        share_cells(ws, row, 3, trust.as_ref(), min, &f.pct)?;
        match &p.delivery_gap {
            Some(c) if c.from.n >= min && c.to.n >= min => {
                ws.write_number(row, 7, 100.0 * c.difference.value)?;
                ws.write_number(row, 8, c.difference.p_value)?;
            }
            Some(_) => {
                ws.write_string(row, 9, suppressed(min))?;
            }
            None => {
                ws.write_string(row, 9, "no comparison")?;
            }
        }
    }
    finish_sheet(
        ws,
        &widths_of(&cols, r.providers.iter().map(|p| vec![p.name.as_str(), p.agency.as_str()])),
        r.providers.len() as u32,
    )?;
    Ok(())
}

/// Trust per service.
fn services_sheet(wb: &mut Workbook, r: &QuarterReport, f: &Formats) -> Result<(), XlsxError> {
    let min = r.min_responses;
    let ws = wb.add_worksheet().set_name("Services")?;
    let cols = ["HISP", "service id", "service", "respondents", "trust agree", "low", "high", "trust status"];
    header(ws, &cols, &f.bold)?;
    let mut row = 1;
    for p in &r.providers {
        for (id, name, g) in &p.services {
            ws.write_string(row, 0, &p.name)?;
            ws.write_string(row, 1, id)?;
            ws.write_string(row, 2, name)?;
            ws.write_number(row, 3, (g.respondents_v1 + g.respondents_v2) as f64)?;
            let trust = g
                .trust_v2
                .as_ref()
                .and_then(|t| t.agree)
                .or_else(|| g.v1.iter().find(|q| q.question == 2).and_then(|q| q.agree));
            if g.suppressed && g.respondents_v1 + g.respondents_v2 > 0 {
                // Small, or suppressed as the complement of a small one (`report::complement`).
                ws.write_string(row, 7, suppressed(min))?;
            } else {
                share_cells(ws, row, 4, trust.as_ref(), min, &f.pct)?;
            }
            row += 1;
        }
    }
    let service_rows = r
        .providers
        .iter()
        .flat_map(|p| p.services.iter().map(move |(id, n, _)| vec![p.name.as_str(), id.as_str(), n.as_str()]));
    finish_sheet(ws, &widths_of(&cols, service_rows), row - 1)?;
    Ok(())
}

/// The groups withheld from the records.
fn problems_sheet(wb: &mut Workbook, r: &QuarterReport, f: &Formats) -> Result<(), XlsxError> {
    if !r.withheld.is_empty() {
        let ws = wb.add_worksheet().set_name("Problems")?;
        let cols = ["service", "channel", "kind", "detail"];
        header(ws, &cols, &f.bold)?;
        for (i, p) in r.withheld.iter().enumerate() {
            let row = i as u32 + 1;
            ws.write_string(row, 0, p.service.as_str())?;
            ws.write_string(row, 1, p.channel.as_str())?;
            ws.write_string(row, 2, p.kind)?;
            ws.write_string(row, 3, crate::records::neutralise(&p.detail))?;
        }
        let rows = r.withheld.iter().map(|p| vec![p.service.as_str(), p.channel.as_str(), p.kind, p.detail.as_str()]);
        finish_sheet(ws, &widths_of(&cols, rows), r.withheld.len() as u32)?;
    }
    Ok(())
}

/// The A-11 records, one sheet per table, volumes as numbers.
fn record_sheets(wb: &mut Workbook, records: &[&Table], f: &Formats) -> Result<(), XlsxError> {
    for t in records {
        let name: String = t.name.chars().take(31).collect();
        let ws = wb.add_worksheet().set_name(&name)?;
        header(ws, &t.columns, &f.bold)?;
        for (i, r) in t.rows.iter().enumerate() {
            for (c, v) in r.iter().enumerate() {
                let kind =
                    t.columns.get(c).map_or(crate::records::ColumnKind::Text, |n| crate::records::ColumnKind::of(n));
                match (kind, v.parse::<u64>()) {
                    // Volumes, counts and Touchpoints' integer ids as numbers.
                    (crate::records::ColumnKind::Integer, Ok(n)) if n <= fedcx_model::MAX_COUNT => {
                        ws.write_number(i as u32 + 1, c as u16, n as f64)?;
                    }
                    // Anything else as text: an identifier such as 0412-0609 must not become a
                    // number or a formula.
                    _ => {
                        ws.write_string(i as u32 + 1, c as u16, v)?;
                    }
                }
            }
        }
        let rows = t.rows.iter().map(|r| r.iter().map(String::as_str).collect());
        finish_sheet(ws, &widths_of(&t.columns, rows), t.rows.len() as u32)?;
    }
    Ok(())
}

/// The balanced scorecard in long form: one row per provider and measure (trust, each FEVS year's
/// EEI and GSI, each business measure), then the association across providers. Shares and FEVS
/// indices are fractions in the percent format; business values are numbers in their unit; a value
/// that is not there leaves its cell empty and says why in the status column.
fn balanced_sheet(wb: &mut Workbook, r: &QuarterReport, f: &Formats) -> Result<(), XlsxError> {
    use crate::report::left_out_text;
    use fedcx_model::fevs::Measured;
    let min = r.min_responses;
    let b = &r.balanced;
    let ws = wb.add_worksheet().set_name("Balanced measures")?;
    let cols = ["HISP", "leg", "measure", "period", "value", "low", "high", "previous", "unit", "status", "source"];
    header(ws, &cols, &f.bold)?;
    let mut texts: Vec<Vec<String>> = Vec::new();
    let mut row = 1u32;
    let mut text_row = |ws: &mut Worksheet, row: u32, cells: [(u16, String); 6]| -> Result<(), XlsxError> {
        let mut shown = vec![String::new(); cols.len()];
        for (c, t) in cells {
            if !t.is_empty() {
                ws.write_string(row, c, &t)?;
            }
            shown[usize::from(c)] = t;
        }
        texts.push(shown);
        Ok(())
    };
    let prev = r.quarter.prev().map_or_else(String::new, |q| q.to_string());
    for p in &b.rows {
        let c = &p.card.customer;
        match &c.trust {
            Some(t) => {
                ws.write_number_with_format(row, 4, t.value, &f.pct)?;
                ws.write_number_with_format(row, 5, t.lo, &f.pct)?;
                ws.write_number_with_format(row, 6, t.hi, &f.pct)?;
            }
            None => {
                ws.write_string(row, 9, "not shown (no answers or suppressed)")?;
            }
        }
        let earlier = c.trend.iter().rev().skip(1).find_map(|t| t.share.filter(|s| s.n >= min));
        if let Some(e) = earlier {
            ws.write_number_with_format(row, 7, e.value, &f.pct)?;
        }
        text_row(
            ws,
            row,
            [
                (0, p.name.clone()),
                (1, "customer".into()),
                (2, "trust (agree)".into()),
                (3, r.quarter.to_string()),
                (8, "%".into()),
                (10, "A-11 responses".into()),
            ],
        )?;
        row += 1;
        for e in &p.card.employee {
            for (name, v) in [("EEI", &e.eei), ("GSI", &e.gsi)] {
                let status = match v {
                    Measured::Value(x) => {
                        ws.write_number_with_format(row, 4, x.get() / 100.0, &f.pct)?;
                        if e.parent_agency {
                            "parent agency".to_owned()
                        } else {
                            String::new()
                        }
                    }
                    Measured::NotMeasured(why) => why.to_string(),
                };
                text_row(
                    ws,
                    row,
                    [
                        (0, p.name.clone()),
                        (1, "employee".into()),
                        (2, format!("{name} ({})", e.unit.map_or_else(|| "no unit".to_owned(), |u| u.to_string()))),
                        (3, format!("FEVS {}", e.year)),
                        (9, status),
                        (10, e.crosswalk_source.clone().unwrap_or_default()),
                    ],
                )?;
                row += 1;
            }
        }
        if p.card.employee.is_empty() {
            text_row(
                ws,
                row,
                [
                    (0, p.name.clone()),
                    (1, "employee".into()),
                    (2, "EEI".into()),
                    (3, String::new()),
                    (9, "not given".into()),
                    (10, String::new()),
                ],
            )?;
            row += 1;
        }
        for m in &p.card.business {
            if let Some(v) = m.current {
                ws.write_number(row, 4, v)?;
            }
            if let Some(v) = m.previous {
                ws.write_number(row, 7, v)?;
            }
            text_row(
                ws,
                row,
                [
                    (0, p.name.clone()),
                    (1, "business".into()),
                    (2, format!("{} ({})", m.metric.label(), m.service)),
                    (3, format!("{} (previous {prev})", r.quarter)),
                    (9, m.direction.label().to_owned()),
                    (10, m.sources.join("; ")),
                ],
            )?;
            ws.write_string(row, 8, m.unit.as_str())?;
            row += 1;
        }
    }
    if let Some(te) = b.trust_engagement.as_ref().filter(|_| b.fevs_given) {
        let status = match te.association {
            fedcx_index::association::Association::Estimated(c) => {
                ws.write_number(row, 4, c.pearson)?;
                ws.write_number(row, 5, c.lo)?;
                ws.write_number(row, 6, c.hi)?;
                format!("n = {}; Spearman {:.3}; {}", c.n, c.spearman, te.caveat)
            }
            fedcx_index::association::Association::NotEnoughProviders { n } => {
                format!("not estimated: {n} provider(s) with both measures, at least 4 needed")
            }
            fedcx_index::association::Association::NoVariation { n } => {
                format!("not estimated: no variation across {n} providers")
            }
        };
        let left: Vec<String> = te.left_out.iter().map(|(p, why)| format!("{p} ({})", left_out_text(why))).collect();
        text_row(
            ws,
            row,
            [
                (0, "across HISPs".into()),
                (1, "association".into()),
                (2, "Pearson r, trust and EEI".into()),
                (3, te.year.map_or_else(String::new, |y| format!("FEVS {y}"))),
                (9, status),
                (10, if left.is_empty() { String::new() } else { format!("not in it: {}", left.join(", ")) }),
            ],
        )?;
        row += 1;
    }
    for s in &b.sources {
        text_row(
            ws,
            row,
            [
                (0, String::new()),
                (1, "source".into()),
                (2, String::new()),
                (3, String::new()),
                (9, String::new()),
                (10, s.clone()),
            ],
        )?;
        row += 1;
    }
    let widths = widths_of(&cols, texts.iter().map(|t| t.iter().map(String::as_str).collect()));
    finish_sheet(ws, &widths, row - 1)?;
    Ok(())
}

/// Digital adoption: one row per HISP ("all services"), then one per service.
fn digital_sheet(wb: &mut Workbook, r: &QuarterReport, f: &Formats) -> Result<(), XlsxError> {
    use crate::markdown::coverage_notes;
    let min = r.min_responses;
    let d = &r.digital;
    let ws = wb.add_worksheet().set_name("Digital adoption")?;
    let cols = [
        "HISP",
        "service",
        "digital share",
        "digital customers",
        "customers",
        "coverage",
        "digital - assisted (points)",
        "low",
        "high",
        "p",
        "gap status",
        "criteria met",
        "criteria scored",
        "previous met",
        "previous scored",
        "snapshot",
        "web visits",
        "trust agree",
        "trust status",
        "classification",
    ];
    header(ws, &cols, &f.bold)?;
    let mut texts: Vec<Vec<String>> = Vec::new();
    let gap = |ws: &mut Worksheet, row: u32, c: Option<&fedcx_index::scores::Comparison>| -> Result<(), XlsxError> {
        match c {
            Some(c) if c.from.n >= min && c.to.n >= min => {
                ws.write_number(row, 6, 100.0 * c.difference.value)?;
                ws.write_number(row, 7, 100.0 * c.difference.lo)?;
                ws.write_number(row, 8, 100.0 * c.difference.hi)?;
                ws.write_number(row, 9, c.difference.p_value)?;
            }
            Some(_) => {
                ws.write_string(row, 10, suppressed(min))?;
            }
            None => {
                ws.write_string(row, 10, "no comparison")?;
            }
        }
        Ok(())
    };
    let mut row = 1u32;
    for p in &d.rows {
        let a = &p.adoption;
        ws.write_string(row, 0, &p.name)?;
        ws.write_string(row, 1, "all services")?;
        if let Some(v) = a.share {
            ws.write_number_with_format(row, 2, v, &f.pct)?;
            ws.write_number(row, 3, a.digital_customers as f64)?;
            ws.write_number(row, 4, a.customers as f64)?;
            ws.write_string(row, 5, if a.complete { "complete" } else { "partial" })?;
        } else {
            ws.write_string(row, 5, "no volumes")?;
        }
        gap(ws, row, a.trust_gap.as_ref())?;
        if let Some(w) = &a.website {
            ws.write_number(row, 11, w.met as f64)?;
            ws.write_number(row, 12, w.scored as f64)?;
            ws.write_string(row, 15, w.taken.to_string())?;
        }
        if let Some(w) = &a.website_before {
            ws.write_number(row, 13, w.met as f64)?;
            ws.write_number(row, 14, w.scored as f64)?;
        }
        if let Some(v) = p.web_visits {
            ws.write_number(row, 16, v as f64)?;
        }
        match &p.trust {
            Some(t) => {
                ws.write_number_with_format(row, 17, t.value, &f.pct)?;
            }
            None => {
                ws.write_string(row, 18, "not shown (no answers or suppressed)")?;
            }
        }
        ws.write_string(row, 19, &d.classification)?;
        texts.push(vec![p.name.clone(), "all services".into()]);
        row += 1;
    }
    for sv in &d.services {
        let name = d
            .rows
            .iter()
            .find(|r| r.adoption.provider == sv.provider)
            .map_or_else(|| sv.provider.to_string(), |r| r.name.clone());
        ws.write_string(row, 0, &name)?;
        ws.write_string(row, 1, sv.service.as_str())?;
        let notes = match &sv.share {
            Some(sh) => {
                if let Some(v) = sh.share {
                    ws.write_number_with_format(row, 2, v, &f.pct)?;
                }
                ws.write_number(row, 3, sh.digital_customers as f64)?;
                ws.write_number(row, 4, sh.customers as f64)?;
                coverage_notes(&sh.coverage)
            }
            None => "no collection detail".to_owned(),
        };
        ws.write_string(row, 5, &notes)?;
        gap(ws, row, sv.trust_gap.as_ref())?;
        ws.write_string(row, 19, &d.classification)?;
        texts.push(vec![name, sv.service.to_string(), String::new(), String::new(), String::new(), notes]);
        row += 1;
    }
    let widths = widths_of(&cols, texts.iter().map(|t| t.iter().map(String::as_str).collect()));
    finish_sheet(ws, &widths, row - 1)?;
    Ok(())
}
