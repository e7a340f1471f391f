//! Charts as inline SVG, drawn with plotters' SVG backend. Colours come from the Okabe-Ito palette
//! (safe for colour-blind readers) and every series also differs in marker or lightness, so the
//! charts read in grey-scale. Suppressed values are never drawn: the chart says "suppressed" instead.

use fedcx_index::scores::TrendPoint;
use fedcx_index::stats::Share;
use plotters::prelude::*;

use crate::report::{suppressed, BenchmarkLine, IndexSummary};

/// Okabe-Ito blue: dark in grey-scale.
const BLUE: RGBColor = RGBColor(0, 114, 178);
/// Okabe-Ito orange: light in grey-scale.
const ORANGE: RGBColor = RGBColor(230, 159, 0);
/// Okabe-Ito vermillion.
const VERMILLION: RGBColor = RGBColor(213, 94, 0);
const GREY: RGBColor = RGBColor(110, 110, 110);
const FONT: &str = "sans-serif";

/// A chart failed to draw (plotters' error as text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot draw chart {title:?}: {why}")]
pub struct ChartError {
    /// The chart.
    pub title: String,
    /// plotters' message.
    pub why: String,
}

fn err<E: std::fmt::Debug>(title: &str) -> impl Fn(E) -> ChartError + '_ {
    move |e| ChartError { title: title.to_owned(), why: format!("{e:?}") }
}

/// Gives the SVG its accessible name; the caller places the data table beside it.
fn label_svg(svg: String, alt: &str) -> String {
    let alt = crate::escape::html(alt);
    svg.replacen("<svg ", &format!("<svg role=\"img\" aria-label=\"{alt}\" "), 1)
}

/// Trust (or another share) by quarter, with 95% intervals and the survey-version change marked.
pub fn trend(title: &str, points: &[TrendPoint], min: u64, alt: &str) -> Result<String, ChartError> {
    let mut svg = String::new();
    let n = points.len().max(1);
    {
        let root = SVGBackend::with_string(&mut svg, (760, 340)).into_drawing_area();
        root.fill(&WHITE).map_err(err(title))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..100f64)
            .map_err(err(title))?;
        let labels: Vec<String> = points.iter().map(|p| p.quarter.compact()).collect();
        chart
            .configure_mesh()
            .x_labels(n)
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() < 1e-6 && i >= 0.0 {
                    labels.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_desc("% agree")
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(err(title))?;
        let shown: Vec<(f64, &Share)> = points
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.share.as_ref().filter(|s| s.n >= min).map(|s| (i as f64, s)))
            .collect();
        chart
            .draw_series(LineSeries::new(shown.iter().map(|(x, s)| (*x, 100.0 * s.value)), BLUE.stroke_width(2)))
            .map_err(err(title))?;
        chart
            .draw_series(shown.iter().map(|(x, s)| {
                ErrorBar::new_vertical(*x, 100.0 * s.lo, 100.0 * s.value, 100.0 * s.hi, BLUE.stroke_width(1), 10)
            }))
            .map_err(err(title))?;
        chart
            .draw_series(shown.iter().map(|(x, s)| Circle::new((*x, 100.0 * s.value), 5, BLUE.filled())))
            .map_err(err(title))?;
        for (i, p) in points.iter().enumerate() {
            let x = i as f64;
            if p.version_change {
                chart
                    .draw_series(LineSeries::new([(x - 0.5, 0.0), (x - 0.5, 100.0)], GREY.stroke_width(1)))
                    .map_err(err(title))?;
                chart
                    .draw_series([Text::new(
                        format!("survey {} begins", p.version),
                        (x - 0.45, 96.0),
                        (FONT, 12).into_font(),
                    )])
                    .map_err(err(title))?;
            }
            let hidden = p.share.as_ref().is_none_or(|s| s.n < min);
            if hidden {
                let note = if p.share.is_some() { suppressed(min) } else { "no data".to_owned() };
                chart
                    .draw_series([Text::new(note, (x - 0.45, 8.0), (FONT, 11).into_font().color(&GREY))])
                    .map_err(err(title))?;
            }
        }
        root.present().map_err(err(title))?;
    }
    Ok(label_svg(svg, alt))
}

/// Horizontal bars of shares with 95% intervals: one bar per label.
pub fn bars(title: &str, bars: &[(String, Option<Share>)], min: u64, alt: &str) -> Result<String, ChartError> {
    let mut svg = String::new();
    let n = bars.len().max(1);
    let height = (60 + 26 * n).max(160) as u32;
    {
        let root = SVGBackend::with_string(&mut svg, (760, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err(title))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 18))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(300)
            .build_cartesian_2d(0f64..100f64, 0f64..n as f64)
            .map_err(err(title))?;
        let labels: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
        chart
            .configure_mesh()
            .y_labels(n)
            .y_label_formatter(&|y| {
                let i = (y - 0.5).round();
                if (y - 0.5 - i).abs() < 1e-6 && i >= 0.0 {
                    labels.get(n - 1 - i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .x_desc("% agree")
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(err(title))?;
        for (i, (_, share)) in bars.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            match share {
                Some(s) if s.n >= min => {
                    let colour = if i % 2 == 0 { BLUE } else { ORANGE };
                    chart
                        .draw_series([Rectangle::new([(0.0, y + 0.2), (100.0 * s.value, y + 0.8)], colour.filled())])
                        .map_err(err(title))?;
                    chart
                        .draw_series([ErrorBar::new_horizontal(
                            y + 0.5,
                            100.0 * s.lo,
                            100.0 * s.value,
                            100.0 * s.hi,
                            BLACK.stroke_width(1),
                            8,
                        )])
                        .map_err(err(title))?;
                    chart
                        .draw_series([Text::new(
                            format!("{:.1}%", 100.0 * s.value),
                            ((100.0 * s.hi + 1.0).min(92.0), y + 0.35),
                            (FONT, 12).into_font(),
                        )])
                        .map_err(err(title))?;
                }
                other => {
                    let note = if other.is_some() { suppressed(min) } else { "no answers".to_owned() };
                    chart
                        .draw_series([Text::new(note, (1.0, y + 0.35), (FONT, 12).into_font().color(&GREY))])
                        .map_err(err(title))?;
                }
            }
        }
        root.present().map_err(err(title))?;
    }
    Ok(label_svg(svg, alt))
}

/// The ACSI-style index with its interval beside the benchmark lines.
pub fn index(title: &str, index: &IndexSummary, lines: &[BenchmarkLine], alt: &str) -> Result<String, ChartError> {
    let mut svg = String::new();
    let n = lines.len() + 1;
    {
        let root = SVGBackend::with_string(&mut svg, (760, (70 + 40 * n) as u32)).into_drawing_area();
        root.fill(&WHITE).map_err(err(title))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 18))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(300)
            .build_cartesian_2d(0f64..100f64, 0f64..n as f64)
            .map_err(err(title))?;
        let mut labels = vec![format!("fedcx index ({})", index.label)];
        labels.extend(lines.iter().map(|l| l.label.clone()));
        chart
            .configure_mesh()
            .y_labels(n)
            .y_label_formatter(&|y| {
                let i = (y - 0.5).round();
                if (y - 0.5 - i).abs() < 1e-6 && i >= 0.0 {
                    labels.get(n - 1 - i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .x_desc("index (0-100)")
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(err(title))?;
        let top = (n - 1) as f64;
        chart
            .draw_series([Rectangle::new([(0.0, top + 0.2), (index.value, top + 0.8)], BLUE.filled())])
            .map_err(err(title))?;
        if let Some((lo, hi)) = index.interval {
            chart
                .draw_series([ErrorBar::new_horizontal(top + 0.5, lo, index.value, hi, BLACK.stroke_width(1), 8)])
                .map_err(err(title))?;
        }
        chart
            .draw_series([Text::new(
                format!("{:.1}", index.value),
                (index.value + 3.0, top + 0.35),
                (FONT, 12).into_font(),
            )])
            .map_err(err(title))?;
        for (i, l) in lines.iter().enumerate() {
            let y = (n - 2 - i) as f64;
            let colour = if i % 2 == 0 { VERMILLION } else { ORANGE };
            chart
                .draw_series([Rectangle::new([(0.0, y + 0.3), (l.value, y + 0.7)], colour.mix(0.85).filled())])
                .map_err(err(title))?;
            chart
                .draw_series([Text::new(format!("{:.1}", l.value), (l.value + 1.0, y + 0.35), (FONT, 12).into_font())])
                .map_err(err(title))?;
        }
        root.present().map_err(err(title))?;
    }
    Ok(label_svg(svg, alt))
}
