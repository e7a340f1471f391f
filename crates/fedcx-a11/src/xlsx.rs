//! The report as an XLSX workbook for analysts: one sheet per table, numbers as numbers, suppressed
//! groups as the suppression notice (never a number), and a fixed creation date so the same inputs
//! give the same bytes.

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

/// Writes a share as three numeric cells (share, low, high) in percent, or the notice in the first.
fn share_cells(ws: &mut Worksheet, row: u32, col: u16, share: Option<&Share>, min: u64) -> Result<(), XlsxError> {
    match share {
        Some(s) if s.n >= min => {
            ws.write_number(row, col, 100.0 * s.value)?;
            ws.write_number(row, col + 1, 100.0 * s.lo)?;
            ws.write_number(row, col + 2, 100.0 * s.hi)?;
        }
        Some(_) => {
            ws.write_string(row, col, suppressed(min))?;
        }
        None => {
            ws.write_string(row, col, "no answers")?;
        }
    }
    Ok(())
}

/// Renders the workbook.
pub fn render(r: &QuarterReport, records: &[&Table]) -> Result<Vec<u8>, XlsxError> {
    let min = r.min_responses;
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
    let bold = Format::new().set_bold();

    if r.demo {
        // First, so the workbook opens on it.
        let ws = wb.add_worksheet().set_name("Note")?;
        ws.write_string_with_format(0, 0, crate::report::DEMO_NOTICE, &bold)?;
    }
    let ws = wb.add_worksheet().set_name("Trend")?;
    header(
        ws,
        &[
            "quarter",
            "survey",
            "trust % agree",
            "low",
            "high",
            "answers",
            "satisfaction % agree",
            "low",
            "high",
            "answers",
        ],
        &bold,
    )?;
    for (i, (t, sat)) in r.trust_trend.iter().zip(&r.satisfaction_trend).enumerate() {
        let row = i as u32 + 1;
        ws.write_string(row, 0, t.quarter.to_string())?;
        ws.write_string(row, 1, t.version.as_str())?;
        share_cells(ws, row, 2, t.share.as_ref(), min)?;
        ws.write_number(row, 5, t.share.as_ref().map_or(0.0, |s| s.n as f64))?;
        share_cells(ws, row, 6, sat.share.as_ref(), min)?;
        ws.write_number(row, 9, sat.share.as_ref().map_or(0.0, |s| s.n as f64))?;
    }

    let ws = wb.add_worksheet().set_name("HISPs")?;
    header(
        ws,
        &["HISP", "agency", "respondents", "trust % agree", "low", "high", "digital - assisted (points)", "p"],
        &bold,
    )?;
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
        share_cells(ws, row, 3, trust.as_ref(), min)?;
        match &p.delivery_gap {
            Some(c) if c.from.n >= min && c.to.n >= min => {
                ws.write_number(row, 6, 100.0 * c.difference.value)?;
                ws.write_number(row, 7, c.difference.p_value)?;
            }
            Some(_) => {
                ws.write_string(row, 6, suppressed(min))?;
            }
            None => {}
        }
    }

    let ws = wb.add_worksheet().set_name("Services")?;
    header(ws, &["HISP", "service id", "service", "respondents", "trust % agree", "low", "high"], &bold)?;
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
            share_cells(ws, row, 4, trust.as_ref(), min)?;
            row += 1;
        }
    }

    for t in records {
        let name: String = t.name.chars().take(31).collect();
        let ws = wb.add_worksheet().set_name(&name)?;
        header(ws, &t.columns, &bold)?;
        for (i, r) in t.rows.iter().enumerate() {
            for (c, v) in r.iter().enumerate() {
                // Written as text: an identifier such as 0412-0609 must not become a number or a formula.
                ws.write_string(i as u32 + 1, c as u16, v)?;
            }
        }
    }
    wb.save_to_buffer()
}
