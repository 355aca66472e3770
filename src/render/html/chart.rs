//! Hand-written inline SVG charts: line charts with axes, units and
//! `<title>` tooltips, and sparklines for tables. Every text that reaches the
//! SVG goes through [`esc`]; numbers are written by [`crate::units`]
//! (bytes: ticks at powers of two, binary units; counts: ticks at 1, 2,
//! 5 × 10ⁿ).

use crate::analysis::Series;
use crate::model::time::rfc3339;
use crate::text::visible;
use crate::units::{Quantity, bytes_tick};
use std::fmt::Write;

/// Escapes text for SVG/HTML content and attribute values, after making
/// control and bidi characters visible ([`crate::text::visible`]).
pub fn esc(s: &str) -> String {
    let s = visible(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One line of a chart.
#[derive(Clone, Copy, Debug)]
pub struct Line<'a> {
    /// Legend name.
    pub name: &'a str,
    /// Stroke colour (CSS colour literal).
    pub color: &'a str,
    /// The data.
    pub series: &'a Series,
}

/// Tick step for bytes: the smallest power of two giving at most 5 steps.
pub fn bytes_step(max: f64) -> f64 {
    let mut step = 1.0f64;
    while max / step > 5.0 && step < 1e30 {
        step *= 2.0;
    }
    step
}

/// Tick step for counts: 1, 2 or 5 × 10ⁿ giving at most 5 steps (at least 1).
pub fn count_step(max: f64) -> f64 {
    let mut base = 1.0f64;
    loop {
        for m in [1.0, 2.0, 5.0] {
            let step = m * base;
            if max / step <= 5.0 || step > 1e30 {
                return step;
            }
        }
        base *= 10.0;
    }
}

const TIME_STEPS_S: [i64; 22] = [
    1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
    172_800, 604_800, 2_592_000, 31_536_000,
];

fn time_step_ns(span_ns: i64) -> i64 {
    for s in TIME_STEPS_S {
        let ns = s.saturating_mul(1_000_000_000);
        if span_ns / ns <= 6 {
            return ns;
        }
    }
    31_536_000i64 * 1_000_000_000 * ((span_ns / 31_536_000_000_000_000) / 6 + 1)
}

/// `HH:MM:SS` of a time (UTC).
pub fn clock(t: i64) -> String {
    rfc3339(t).get(11..19).unwrap_or("?").to_string()
}

/// `YYYY-MM-DD` of a time (UTC).
pub fn date(t: i64) -> String {
    rfc3339(t).get(0..10).unwrap_or("?").to_string()
}

const W: f64 = 560.0;
const H: f64 = 240.0;
const LEFT: f64 = 74.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 30.0;
const BOTTOM: f64 = 40.0;

/// What the x values are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeAxis {
    /// Real times (Unix ns): `HH:MM:SS` labels, plus the date when the span
    /// crosses days.
    Clock,
    /// No real times: the analysis placed snapshot *i* at *i* hours from 0;
    /// labels are `#1`, `#2`, …
    Sequence,
}

const HOUR_NS: i64 = 3_600_000_000_000;

impl TimeAxis {
    fn label(self, t: i64) -> String {
        match self {
            TimeAxis::Clock => clock(t),
            TimeAxis::Sequence => format!("#{}", t.div_euclid(HOUR_NS) + 1),
        }
    }
    fn when(self, t: i64) -> String {
        match self {
            TimeAxis::Clock => rfc3339(t),
            TimeAxis::Sequence => format!("snapshot {}", self.label(t)),
        }
    }
    fn step(self, span: i64) -> i64 {
        match self {
            TimeAxis::Clock => time_step_ns(span),
            TimeAxis::Sequence => HOUR_NS * (span / HOUR_NS / 8 + 1),
        }
    }
}

/// The (time, value) points of a series with a finite value.
fn finite_points(series: &Series) -> Vec<(i64, f64)> {
    series
        .times
        .iter()
        .copied()
        .zip(series.values.iter().copied())
        .filter(|(_, v)| v.is_finite())
        .collect()
}

/// Where a chart's values land: the plot area's scales.
struct Frame {
    tmin: i64,
    span: i64,
    lo: f64,
    hi: f64,
    step: f64,
}

impl Frame {
    fn x(&self, t: i64) -> f64 {
        let pw = W - LEFT - RIGHT;
        if self.span == 0 {
            LEFT + pw / 2.0
        } else {
            LEFT + pw * ((t - self.tmin) as f64 / self.span as f64)
        }
    }

    fn y(&self, v: f64) -> f64 {
        let ph = H - TOP - BOTTOM;
        TOP + ph * (1.0 - (v - self.lo) / (self.hi - self.lo))
    }
}

/// A line chart, or `None` when no line has a point.
pub fn line_chart(
    title: &str,
    unit: Quantity,
    axis: TimeAxis,
    lines: &[Line<'_>],
) -> Option<String> {
    line_chart_marked(title, unit, axis, lines, &[])
}

/// A line chart with a dashed vertical mark at each of `restarts` (times
/// of process restarts inside the plotted span), or `None` when no line has
/// a point.
pub fn line_chart_marked(
    title: &str,
    unit: Quantity,
    axis: TimeAxis,
    lines: &[Line<'_>],
    restarts: &[i64],
) -> Option<String> {
    line_chart_zoomed(title, unit, axis, lines, restarts).map(|c| c.svg)
}

/// A drawn chart and where its y axis starts.
#[derive(Clone, Debug)]
pub struct Chart {
    /// The SVG markup.
    pub svg: String,
    /// The value the y axis starts at when it does not start at 0 (the
    /// change would look flat from 0), formatted; `None` from 0.
    pub zoomed_from: Option<String>,
}

/// True when drawing from 0 would hide a real change: every value is
/// positive, the change between the lowest and highest is under half of the
/// highest (it would fill less than half the height), and it is large enough
/// to matter (10 goroutines, 1 MiB: the analysis' default thresholds), so
/// that the noise of a flat line is not blown up.
fn wants_zoom(vmin: f64, vmax: f64, unit: Quantity) -> bool {
    let matters = match unit {
        Quantity::Count => 10.0,
        Quantity::Bytes => 1024.0 * 1024.0,
    };
    vmin > 0.0 && vmax - vmin >= matters && vmax - vmin < 0.5 * vmax
}

/// [`line_chart`], telling whether the y axis was zoomed. A zoomed axis
/// starts at a tick just below the lowest value, marks the break on the
/// axis and says so in the chart.
pub fn line_chart_zoomed(
    title: &str,
    unit: Quantity,
    axis: TimeAxis,
    lines: &[Line<'_>],
    restarts: &[i64],
) -> Option<Chart> {
    let per_line: Vec<Vec<(i64, f64)>> = lines.iter().map(|l| finite_points(l.series)).collect();
    let pts: Vec<(i64, f64)> = per_line.concat();
    if pts.is_empty() {
        return None;
    }
    let tmin = pts.iter().map(|p| p.0).min().unwrap_or(0);
    let tmax = pts.iter().map(|p| p.0).max().unwrap_or(0);
    let vmax = pts.iter().map(|p| p.1).fold(0.0f64, f64::max);
    let data_min = pts.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let zoom = wants_zoom(data_min, vmax, unit);
    let vmin = if zoom { data_min } else { data_min.min(0.0) };
    let step = match unit {
        Quantity::Bytes => bytes_step((vmax - vmin).max(1.0)),
        Quantity::Count => count_step((vmax - vmin).max(1.0)),
    };
    let lo = (vmin / step).floor() * step;
    let frame = Frame {
        tmin,
        span: (tmax - tmin).max(0),
        lo,
        hi: ((vmax / step).ceil() * step).max(lo + step),
        step,
    };

    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {W} {H}" width="100%" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title>"#,
        t = esc(title)
    );
    y_grid(&mut s, &frame, unit);
    x_ticks(&mut s, &frame, axis, tmax);
    // Axes.
    let _ = write!(
        s,
        r##"<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{yb}" stroke="#888" shape-rendering="crispEdges"/><line x1="{LEFT}" x2="{xr}" y1="{yb}" y2="{yb}" stroke="#888" shape-rendering="crispEdges"/>"##,
        yb = H - BOTTOM,
        xr = W - RIGHT
    );
    let zoomed_from = (zoom && frame.lo > 0.0).then(|| match unit {
        Quantity::Bytes => bytes_tick(frame.lo, frame.hi),
        Quantity::Count => unit.format(frame.lo),
    });
    if let Some(from) = &zoomed_from {
        // A break mark on the y axis and the words.
        let yb = H - BOTTOM;
        let _ = write!(
            s,
            r##"<path d="M{a:.1},{b1:.1} L{c:.1},{b2:.1} M{a:.1},{b3:.1} L{c:.1},{b4:.1}" stroke="#a04000" stroke-width="1.5"/><text x="{tx}" y="{ty}" text-anchor="end" font-size="11" fill="#a04000">zoomed: the axis starts at {f}, not 0</text>"##,
            a = LEFT - 5.0,
            c = LEFT + 5.0,
            b1 = yb - 8.0,
            b2 = yb - 12.0,
            b3 = yb - 4.0,
            b4 = yb - 8.0,
            tx = W - RIGHT,
            ty = TOP - 4.0,
            f = esc(from)
        );
    }
    restart_marks(&mut s, &frame, axis, restarts);
    plot_lines(&mut s, &frame, (unit, axis), lines, &per_line);
    s.push_str("</svg>");
    Some(Chart {
        svg: s,
        zoomed_from,
    })
}

/// Dashed vertical lines at process restarts, labelled `restart`.
fn restart_marks(s: &mut String, f: &Frame, axis: TimeAxis, restarts: &[i64]) {
    for &t in restarts {
        if t < f.tmin || t > f.tmin.saturating_add(f.span) {
            continue;
        }
        let xx = f.x(t).round() + 0.5;
        let _ = write!(
            s,
            r##"<g class="restart"><line x1="{xx}" x2="{xx}" y1="{TOP}" y2="{y2}" stroke="#c0392b" stroke-width="1.5" stroke-dasharray="4 3"/><text x="{tx}" y="{ty}" font-size="10" fill="#c0392b">restart</text><title>process restart at {when}</title></g>"##,
            y2 = H - BOTTOM,
            tx = xx + 3.0,
            ty = TOP + 10.0,
            when = esc(&axis.when(t))
        );
    }
}

/// Horizontal grid and y labels.
fn y_grid(s: &mut String, f: &Frame, unit: Quantity) {
    let mut v = f.lo;
    let mut guard = 0;
    while v <= f.hi + f.step / 2.0 && guard < 50 {
        let yy = f.y(v).round() + 0.5;
        let label = match unit {
            Quantity::Bytes => bytes_tick(v, f.hi),
            Quantity::Count => unit.format(v),
        };
        let _ = write!(
            s,
            r##"<line x1="{LEFT}" x2="{x2}" y1="{yy}" y2="{yy}" stroke="#d0d4d9" shape-rendering="crispEdges"/><text x="{lx}" y="{ty:.1}" text-anchor="end" font-size="11" fill="#444">{l}</text>"##,
            x2 = W - RIGHT,
            lx = LEFT - 6.0,
            ty = yy + 4.0,
            l = esc(&label)
        );
        v += f.step;
        guard += 1;
    }
}

/// X ticks and labels (with dates when the span crosses days).
fn x_ticks(s: &mut String, f: &Frame, axis: TimeAxis, tmax: i64) {
    let crosses_days = axis == TimeAxis::Clock && date(f.tmin) != date(tmax);
    if f.span == 0 {
        let _ = write!(
            s,
            r##"<text x="{xx:.1}" y="{ty}" text-anchor="middle" font-size="11" fill="#444">{l}</text>"##,
            xx = f.x(f.tmin),
            ty = H - BOTTOM + 16.0,
            l = esc(&axis.label(f.tmin))
        );
        return;
    }
    let st = axis.step(f.span);
    let mut t = f.tmin.div_euclid(st) * st;
    if t < f.tmin {
        t += st;
    }
    let mut guard = 0;
    while t <= tmax && guard < 40 {
        let xx = f.x(t).round() + 0.5;
        // A label at the right edge would be cut off: end-align it there.
        let anchor = if xx + 28.0 > W { "end" } else { "middle" };
        let _ = write!(
            s,
            r##"<line x1="{xx}" x2="{xx}" y1="{TOP}" y2="{y2}" stroke="#eceef1" shape-rendering="crispEdges"/><text x="{xx}" y="{ty}" text-anchor="{anchor}" font-size="11" fill="#444">{l}</text>"##,
            y2 = H - BOTTOM,
            ty = H - BOTTOM + 16.0,
            l = esc(&axis.label(t))
        );
        if crosses_days {
            let _ = write!(
                s,
                r##"<text x="{xx}" y="{ty}" text-anchor="middle" font-size="10" fill="#666">{d}</text>"##,
                ty = H - BOTTOM + 29.0,
                d = esc(&date(t))
            );
        }
        t += st;
        guard += 1;
    }
}

/// Lines, points with tooltips, and the legend.
fn plot_lines(
    s: &mut String,
    f: &Frame,
    (unit, axis): (Quantity, TimeAxis),
    lines: &[Line<'_>],
    per_line: &[Vec<(i64, f64)>],
) {
    let mut lx = LEFT;
    for (l, p) in lines.iter().zip(per_line) {
        if p.is_empty() {
            continue;
        }
        // Escaped once per line, not once per point.
        let (c, n) = (esc(l.color), esc(l.name));
        let mut d = String::new();
        for (i, (t, v)) in p.iter().enumerate() {
            let _ = write!(
                d,
                "{}{:.1},{:.1}",
                if i == 0 { "M" } else { " L" },
                f.x(*t),
                f.y(*v)
            );
        }
        let _ = write!(
            s,
            r#"<path d="{d}" fill="none" stroke="{c}" stroke-width="2"/>"#
        );
        for (t, v) in p {
            let _ = write!(
                s,
                r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{c}"><title>{n} at {when}: {val}</title></circle>"#,
                f.x(*t),
                f.y(*v),
                when = esc(&axis.when(*t)),
                val = esc(&unit.format(*v))
            );
        }
        let _ = write!(
            s,
            r##"<rect x="{lx}" y="8" width="14" height="4" fill="{c}"/><text x="{tx}" y="14" font-size="12" fill="#222">{n}</text>"##,
            tx = lx + 18.0
        );
        lx += 30.0 + 7.0 * l.name.chars().count() as f64;
    }
}

/// A small trend line for tables and findings, or `None` with no points.
pub fn sparkline(series: &Series, unit: Quantity) -> Option<String> {
    let p = finite_points(series);
    let (first, last) = (p.first()?, p.last()?);
    let (w, h, pad) = (120.0f64, 28.0f64, 3.0f64);
    let vmin = p.iter().map(|q| q.1).fold(f64::INFINITY, f64::min);
    let vmax = p.iter().map(|q| q.1).fold(f64::NEG_INFINITY, f64::max);
    let n = p.len();
    let span = last.0 - first.0;
    let x = |i: usize, t: i64| -> f64 {
        if span > 0 {
            pad + (w - 2.0 * pad) * ((t - first.0) as f64 / span as f64)
        } else if n > 1 {
            pad + (w - 2.0 * pad) * (i as f64 / (n - 1) as f64)
        } else {
            w / 2.0
        }
    };
    let y = |v: f64| -> f64 {
        if vmax > vmin {
            h - pad - (h - 2.0 * pad) * ((v - vmin) / (vmax - vmin))
        } else {
            h / 2.0
        }
    };
    let mut pts = String::new();
    for (i, (t, v)) in p.iter().enumerate() {
        if i > 0 {
            pts.push(' ');
        }
        let _ = write!(pts, "{:.1},{:.1}", x(i, *t), y(*v));
    }
    let title = format!(
        "{} → {} over {} points",
        unit.format(first.1),
        unit.format(last.1),
        n
    );
    // Red when it ends higher than it started, grey otherwise.
    let c = if last.1 > first.1 {
        "#c0392b"
    } else {
        "#7f8c8d"
    };
    Some(format!(
        r##"<svg class="spark" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title><polyline points="{pts}" fill="none" stroke="{c}" stroke-width="1.5"/><circle cx="{lx:.1}" cy="{ly:.1}" r="2.5" fill="{c}"/></svg>"##,
        t = esc(&title),
        lx = x(n - 1, last.0),
        ly = y(last.1)
    ))
}

/// A sparkline with a dashed mark at each restart inside its span.
pub fn sparkline_marked(series: &Series, unit: Quantity, restarts: &[i64]) -> Option<String> {
    let svg = sparkline(series, unit)?;
    let p = finite_points(series);
    let (first, last) = (p.first()?.0, p.last()?.0);
    let span = last - first;
    // The geometry of `sparkline`: 120 wide, 3 of padding, 28 high.
    let (w, h, pad) = (120.0f64, 28.0f64, 3.0f64);
    let mut marks = String::new();
    for &t in restarts
        .iter()
        .filter(|&&t| span > 0 && t > first && t <= last)
    {
        let xx = pad + (w - 2.0 * pad) * ((t - first) as f64 / span as f64);
        let _ = write!(
            marks,
            r##"<line class="restart" x1="{xx:.1}" x2="{xx:.1}" y1="0" y2="{h}" stroke="#c0392b" stroke-width="1" stroke-dasharray="2 2"/>"##
        );
    }
    Some(match svg.strip_suffix("</svg>") {
        Some(body) if !marks.is_empty() => format!("{body}{marks}</svg>"),
        _ => svg,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: f64 = 1024.0 * 1024.0;

    fn series(vals: &[f64]) -> Series {
        Series {
            times: (0..vals.len() as i64)
                .map(|i| 1_795_000_000_000_000_000 + i * 60_000_000_000)
                .collect(),
            values: vals.to_vec(),
        }
    }

    #[test]
    fn small_change_on_a_high_base_zooms_the_axis() {
        // 1,000 → 1,060 goroutines: a 6 % leak that looks flat from 0.
        let s = series(&[1000.0, 1020.0, 1040.0, 1060.0]);
        let line = [Line {
            name: "goroutines",
            color: "#000",
            series: &s,
        }];
        let c =
            line_chart_zoomed("g", Quantity::Count, TimeAxis::Clock, &line, &[]).expect("chart");
        assert_eq!(c.zoomed_from.as_deref(), Some("1,000"));
        assert!(c.svg.contains("zoomed: the axis starts at 1,000, not 0"));
        // Growth from near 0 is drawn from 0, as before.
        let s = series(&[10.0, 500.0, 1000.0]);
        let line = [Line {
            name: "goroutines",
            color: "#000",
            series: &s,
        }];
        let c =
            line_chart_zoomed("g", Quantity::Count, TimeAxis::Clock, &line, &[]).expect("chart");
        assert!(c.zoomed_from.is_none());
        assert!(!c.svg.contains("zoomed"));
        // Noise on a flat line (20 → 21 → 20) is not blown up.
        let s = series(&[20.0, 21.0, 20.0]);
        let line = [Line {
            name: "goroutines",
            color: "#000",
            series: &s,
        }];
        let c =
            line_chart_zoomed("g", Quantity::Count, TimeAxis::Clock, &line, &[]).expect("chart");
        assert!(c.zoomed_from.is_none());
    }

    #[test]
    fn byte_ticks_are_powers_of_two() {
        assert_eq!(bytes_step(250.0 * MIB), 64.0 * MIB);
        assert_eq!(bytes_step(1000.0), 256.0);
    }

    #[test]
    fn count_ticks_are_1_2_5() {
        assert_eq!(count_step(3.0), 1.0);
        assert_eq!(count_step(9.0), 2.0);
        assert_eq!(count_step(240.0), 50.0);
        assert_eq!(count_step(1000.0), 200.0);
    }

    #[test]
    fn time_steps_and_labels() {
        assert_eq!(time_step_ns(10 * 60 * 1_000_000_000), 120 * 1_000_000_000);
        assert_eq!(clock(1_795_000_000_123_456_789), "11:06:40");
        assert_eq!(date(1_795_000_000_123_456_789), "2026-11-18");
    }

    #[test]
    fn chart_has_axes_points_and_escaped_titles() {
        let s = series(&[10.0 * MIB, 40.0 * MIB, 90.0 * MIB]);
        let svg = line_chart(
            "<b>mem</b>",
            Quantity::Bytes,
            TimeAxis::Clock,
            &[Line {
                name: "Heap<in>",
                color: "#000",
                series: &s,
            }],
        )
        .expect("chart");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("&lt;b&gt;mem&lt;/b&gt;"));
        assert!(svg.contains("Heap&lt;in&gt;"));
        assert!(!svg.contains("<b>"));
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.contains(">32 MiB<"), "{svg}");
        assert!(
            svg.contains(">11:06:40<") || svg.contains(">11:08:00<"),
            "{svg}"
        );
        assert!(svg.contains("<path d=\"M"));
    }

    #[test]
    fn dates_appear_when_the_span_crosses_days() {
        let s = Series {
            times: vec![
                1_795_000_000_000_000_000,
                1_795_000_000_000_000_000 + 86_400_000_000_000,
            ],
            values: vec![1.0, 2.0],
        };
        let svg = line_chart(
            "x",
            Quantity::Count,
            TimeAxis::Clock,
            &[Line {
                name: "a",
                color: "#000",
                series: &s,
            }],
        )
        .expect("chart");
        assert!(
            svg.contains(">2026-11-18<") || svg.contains(">2026-11-19<"),
            "{svg}"
        );
        let same_day = series(&[1.0, 2.0]);
        let svg = line_chart(
            "x",
            Quantity::Count,
            TimeAxis::Clock,
            &[Line {
                name: "a",
                color: "#000",
                series: &same_day,
            }],
        )
        .expect("chart");
        assert!(!svg.contains(">2026-11-18<"));
    }

    #[test]
    fn sequence_axis_numbers_snapshots() {
        let s = Series {
            times: vec![0, HOUR_NS, 2 * HOUR_NS],
            values: vec![1.0, 2.0, 3.0],
        };
        let svg = line_chart(
            "x",
            Quantity::Count,
            TimeAxis::Sequence,
            &[Line {
                name: "a",
                color: "#000",
                series: &s,
            }],
        )
        .expect("chart");
        assert!(svg.contains(">#1<") && svg.contains(">#3<"), "{svg}");
        assert!(svg.contains("a at snapshot #2: 2"));
        assert!(!svg.contains("1970"));
    }

    #[test]
    fn empty_chart_is_none_and_single_point_works() {
        assert!(
            line_chart(
                "x",
                Quantity::Count,
                TimeAxis::Clock,
                &[Line {
                    name: "a",
                    color: "#000",
                    series: &Series::default()
                }]
            )
            .is_none()
        );
        let s = series(&[5.0]);
        let svg = line_chart(
            "x",
            Quantity::Count,
            TimeAxis::Clock,
            &[Line {
                name: "a",
                color: "#000",
                series: &s,
            }],
        )
        .expect("one point");
        assert_eq!(svg.matches("<circle").count(), 1);
    }

    #[test]
    fn sparkline_title_shows_first_and_last() {
        let s = series(&[1.0, 5.0, 9.0]);
        let svg = sparkline(&s, Quantity::Count).expect("spark");
        assert!(svg.contains("1 → 9 over 3 points"));
        assert!(sparkline(&Series::default(), Quantity::Count).is_none());
    }

    #[test]
    fn esc_handles_markup_and_controls() {
        assert_eq!(
            esc("<a href='x'>&\"\x07\u{202e}"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;\\x07\\u202e"
        );
    }
}
