//! Charts as inline SVG, drawn with plotters' SVG backend. Colours come from the Okabe-Ito palette
//! (safe for colour-blind readers) and every series also differs in marker or lightness, so the
//! charts read in grey-scale. Suppressed values are never drawn: the chart says "suppressed" instead.

use fedcx_index::scores::TrendPoint;
use fedcx_index::stats::Share;
use plotters::coord::ranged1d::SegmentedCoord;
use plotters::coord::types::{RangedCoordf64, RangedCoordi32};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

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
            .caption(title, (FONT, 22))
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
            .y_label_formatter(&|v| format!("{v:.0}%"))
            .label_style((FONT, 15))
            .axis_desc_style((FONT, 15))
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
                        (FONT, 15).into_font(),
                    )])
                    .map_err(err(title))?;
            }
            let hidden = p.share.as_ref().is_none_or(|s| s.n < min);
            if hidden {
                let note = if p.share.is_some() { suppressed(min) } else { "no data".to_owned() };
                chart
                    .draw_series([Text::new(note, (x - 0.45, 8.0), (FONT, 14).into_font().color(&GREY))])
                    .map_err(err(title))?;
            }
        }
        root.present().map_err(err(title))?;
    }
    Ok(label_svg(svg, alt))
}

/// Text anchored at its left end and vertical middle, so it sits centred beside a bar.
fn left_middle(size: u32) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font()).pos(Pos::new(HPos::Left, VPos::Center))
}

/// The label of a bar at a segment's centre; bars are listed top to bottom, the axis counts up.
fn segment_label(labels: &[String], v: &SegmentValue<i32>) -> String {
    match v {
        SegmentValue::CenterOf(i) if *i >= 0 && (*i as usize) < labels.len() => {
            labels[labels.len() - 1 - *i as usize].clone()
        }
        _ => String::new(),
    }
}

/// A horizontal chart: values 0-100 across, one labelled segment per bar down, top to bottom.
type HorizontalChart<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, SegmentedCoord<RangedCoordi32>>>;

/// Draws the frame both horizontal charts share: white background, caption, axes, the bars' labels.
fn horizontal_frame<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
    title: &str,
    labels: &[String],
    x_desc: &str,
    x_format: &dyn Fn(&f64) -> String,
) -> Result<HorizontalChart<'a, 'b>, ChartError> {
    root.fill(&WHITE).map_err(err(title))?;
    let n = labels.len().max(1);
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 22))
        .margin(12)
        // Room for half of the last tick label ("100%"), which is centred on the right edge.
        .margin_right(28)
        .x_label_area_size(40)
        .y_label_area_size(330)
        .build_cartesian_2d(0f64..100f64, (0i32..n as i32).into_segmented())
        .map_err(err(title))?;
    chart
        .configure_mesh()
        .y_labels(n)
        .y_label_formatter(&|v| segment_label(labels, v))
        .x_desc(x_desc)
        .x_label_formatter(x_format)
        .label_style((FONT, 15))
        .axis_desc_style((FONT, 15))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(err(title))?;
    Ok(chart)
}

/// Whether bar colours carry meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BarColours {
    /// One colour: the bars are items of one kind (e.g. HISPs).
    Uniform,
    /// Alternating dark and light: the bars are different kinds (e.g. digital and assisted).
    Alternating,
}

/// Horizontal bars of shares with 95% intervals: one bar per label, top to bottom.
pub fn bars(
    title: &str,
    bars: &[(String, Option<Share>)],
    colours: BarColours,
    min: u64,
    alt: &str,
) -> Result<String, ChartError> {
    let mut svg = String::new();
    let n = bars.len().max(1);
    let height = (70 + 30 * n).max(170) as u32;
    {
        let root = SVGBackend::with_string(&mut svg, (760, height)).into_drawing_area();
        let labels: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
        let mut chart = horizontal_frame(&root, title, &labels, "% agree", &|v| format!("{v:.0}%"))?;
        for (i, (_, share)) in bars.iter().enumerate() {
            let y = (n - 1 - i) as i32;
            let centre = SegmentValue::CenterOf(y);
            match share {
                Some(s) if s.n >= min => {
                    let colour = if colours == BarColours::Alternating && i % 2 == 1 { ORANGE } else { BLUE };
                    let mut bar = Rectangle::new(
                        [(0.0, SegmentValue::Exact(y)), (100.0 * s.value, SegmentValue::Exact(y + 1))],
                        colour.filled(),
                    );
                    bar.set_margin(5, 5, 0, 0);
                    chart.draw_series([bar]).map_err(err(title))?;
                    chart
                        .draw_series([ErrorBar::new_horizontal(
                            centre.clone(),
                            100.0 * s.lo,
                            100.0 * s.value,
                            100.0 * s.hi,
                            BLACK.stroke_width(1),
                            8,
                        )])
                        .map_err(err(title))?;
                    // The value goes inside the bar, where no whisker can cover it; short bars get it outside.
                    let (x, style) = if s.value > 0.15 {
                        (1.5, left_middle(15).color(if colour == BLUE { &WHITE } else { &BLACK }))
                    } else {
                        (100.0 * s.hi + 1.0, left_middle(15))
                    };
                    chart
                        .draw_series([Text::new(format!("{:.1}%", 100.0 * s.value), (x, centre), style)])
                        .map_err(err(title))?;
                }
                other => {
                    let note = if other.is_some() { suppressed(min) } else { "no answers".to_owned() };
                    chart
                        .draw_series([Text::new(note, (1.0, centre), left_middle(14).color(&GREY))])
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
        let root = SVGBackend::with_string(&mut svg, (760, (80 + 46 * n) as u32)).into_drawing_area();
        let mut labels = vec![format!("fedcx index ({})", index.label)];
        labels.extend(lines.iter().map(|l| l.label.clone()));
        let mut chart = horizontal_frame(&root, title, &labels, "index (0-100)", &|v| format!("{v:.0}"))?;
        let values: Vec<(f64, RGBColor)> = std::iter::once((index.value, BLUE))
            .chain(lines.iter().enumerate().map(|(i, l)| (l.value, if i % 2 == 0 { VERMILLION } else { ORANGE })))
            .collect();
        for (i, (value, colour)) in values.iter().enumerate() {
            let y = (n - 1 - i) as i32;
            let mut bar =
                Rectangle::new([(0.0, SegmentValue::Exact(y)), (*value, SegmentValue::Exact(y + 1))], colour.filled());
            bar.set_margin(8, 8, 0, 0);
            chart.draw_series([bar]).map_err(err(title))?;
            let mut label_x = value + 1.0;
            if i == 0 {
                if let Some((lo, hi)) = index.interval {
                    chart
                        .draw_series([ErrorBar::new_horizontal(
                            SegmentValue::CenterOf(y),
                            lo,
                            *value,
                            hi,
                            BLACK.stroke_width(1),
                            8,
                        )])
                        .map_err(err(title))?;
                    label_x = hi + 1.8;
                }
            }
            chart
                .draw_series([Text::new(format!("{value:.1}"), (label_x, SegmentValue::CenterOf(y)), left_middle(15))])
                .map_err(err(title))?;
        }
        root.present().map_err(err(title))?;
    }
    Ok(label_svg(svg, alt))
}

/// A scatter of one point per provider (x and y on 0-100), each labelled, with a note line under
/// the title (the correlation and its interval, or why there is none).
pub fn scatter(
    title: &str,
    points: &[(String, f64, f64)],
    (x_desc, y_desc): (&str, &str),
    note: &str,
    alt: &str,
) -> Result<String, ChartError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 440)).into_drawing_area();
        root.fill(&WHITE).map_err(err(title))?;
        let range = |v: &mut dyn Iterator<Item = f64>| {
            let (lo, hi) = v.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| (lo.min(x), hi.max(x)));
            if lo.is_finite() {
                ((lo - 5.0).max(0.0).floor(), (hi + 5.0).min(100.0).ceil())
            } else {
                (0.0, 100.0)
            }
        };
        let (x0, x1) = range(&mut points.iter().map(|p| p.1));
        let (y0, y1) = range(&mut points.iter().map(|p| p.2));
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 22))
            .margin(12)
            .margin_right(28)
            .x_label_area_size(48)
            .y_label_area_size(56)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(err(title))?;
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc(y_desc)
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .label_style((FONT, 15))
            .axis_desc_style((FONT, 15))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(err(title))?;
        chart
            .draw_series(points.iter().map(|(_, x, y)| Circle::new((*x, *y), 6, BLUE.filled())))
            .map_err(err(title))?;
        chart
            .draw_series(
                points
                    .iter()
                    .map(|(label, x, y)| Text::new(label.clone(), (*x + 0.015 * (x1 - x0), *y), left_middle(14))),
            )
            .map_err(err(title))?;
        let note_x = x0 + 0.02 * (x1 - x0);
        let note_y = y1 - 0.04 * (y1 - y0);
        chart
            .draw_series([Text::new(note.to_owned(), (note_x, note_y), left_middle(14).color(&GREY))])
            .map_err(err(title))?;
        if points.is_empty() {
            chart
                .draw_series([Text::new(
                    "no provider has both measures".to_owned(),
                    (note_x, (y0 + y1) / 2.0),
                    left_middle(15).color(&GREY),
                )])
                .map_err(err(title))?;
        }
        root.present().map_err(err(title))?;
    }
    Ok(label_svg(svg, alt))
}

/// Horizontal bars of plain shares (0 to 1, no interval), one per label, top to bottom; `None`
/// is written as `missing` instead of a bar.
pub fn share_bars(
    title: &str,
    bars: &[(String, Option<f64>)],
    x_desc: &str,
    missing: &str,
    alt: &str,
) -> Result<String, ChartError> {
    let mut svg = String::new();
    let n = bars.len().max(1);
    let height = (70 + 30 * n).max(170) as u32;
    {
        let root = SVGBackend::with_string(&mut svg, (760, height)).into_drawing_area();
        let labels: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
        let mut chart = horizontal_frame(&root, title, &labels, x_desc, &|v| format!("{v:.0}%"))?;
        for (i, (_, share)) in bars.iter().enumerate() {
            let y = (n - 1 - i) as i32;
            let centre = SegmentValue::CenterOf(y);
            match share {
                Some(v) => {
                    let mut bar = Rectangle::new(
                        [(0.0, SegmentValue::Exact(y)), (100.0 * v, SegmentValue::Exact(y + 1))],
                        BLUE.filled(),
                    );
                    bar.set_margin(5, 5, 0, 0);
                    chart.draw_series([bar]).map_err(err(title))?;
                    let (x, style) = if *v > 0.15 {
                        (1.5, left_middle(15).color(&WHITE))
                    } else {
                        (100.0 * v + 1.0, left_middle(15))
                    };
                    chart
                        .draw_series([Text::new(format!("{:.1}%", 100.0 * v), (x, centre), style)])
                        .map_err(err(title))?;
                }
                None => {
                    chart
                        .draw_series([Text::new(missing.to_owned(), (1.0, centre), left_middle(14).color(&GREY))])
                        .map_err(err(title))?;
                }
            }
        }
        root.present().map_err(err(title))?;
    }
    Ok(label_svg(svg, alt))
}
