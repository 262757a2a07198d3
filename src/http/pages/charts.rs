//! Chart geometry for the server-rendered SVG charts. The numbers come from
//! the dashboard and the snapshots; this only places them. Templates draw
//! the shapes (escaped like any other text) and a table of the same figures
//! for screen readers.

use serde::Serialize;

use crate::domain::metrics::{FunnelStage, Week};

#[derive(Debug, Serialize, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub note: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Chart {
    pub width: f64,
    pub height: f64,
    pub bars: Vec<Bar>,
    pub lines: Vec<Line>,
    pub ticks: Vec<Tick>,
}

#[derive(Debug, Serialize)]
pub struct Line {
    pub name: String,
    pub class: String,
    pub points: String,
    pub last: String,
}

/// An axis label. `anchor` is the SVG `text-anchor`; a `minor` label is
/// hidden at phone width, where the labels are drawn larger (app.css).
#[derive(Debug, Serialize)]
pub struct Tick {
    pub label: String,
    pub x: f64,
    pub y: f64,
    pub anchor: &'static str,
    pub minor: bool,
}

/// Room for the stage names left of the funnel's bars, at the phone font size.
const LABEL_WIDTH: f64 = 140.0;

/// Horizontal bars, one per funnel stage, as wide as its share of the first.
pub fn funnel(stages: &[FunnelStage]) -> Chart {
    let (width, row) = (440.0, 36.0);
    let max = stages.iter().map(|s| s.count).max().unwrap_or(0).max(1) as f64;
    let room = width - LABEL_WIDTH - 50.0;
    let bars = stages
        .iter()
        .enumerate()
        .map(|(i, s)| Bar {
            label: super::filters::label(s.stage.as_str()),
            value: s.count,
            x: LABEL_WIDTH,
            y: i as f64 * row + 4.0,
            width: (s.count as f64 / max * room).max(if s.count > 0 { 2.0 } else { 0.0 }),
            height: row - 12.0,
            note: s
                .rate_from_previous
                .map(|r| format!("{:.0}% of the previous stage", r * 100.0)),
        })
        .collect();
    Chart {
        width,
        height: stages.len() as f64 * row,
        bars,
        lines: Vec::new(),
        ticks: Vec::new(),
    }
}

/// Vertical bars per week: applications sent, interviews and offers side by
/// side. A margin on each side keeps the first and last date labels whole.
pub fn weekly(weeks: &[Week]) -> Chart {
    let (width, height, base, margin) = (480.0, 190.0, 160.0, 24.0);
    let slot = (width - 2.0 * margin) / weeks.len().max(1) as f64;
    let max = weeks
        .iter()
        .flat_map(|w| [w.applied, w.interviews, w.offers])
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let scale = (base - 10.0) / max;
    let bar = (slot - 8.0) / 3.0;
    let mut bars = Vec::new();
    let mut ticks = Vec::new();
    for (i, w) in weeks.iter().enumerate() {
        let x0 = margin + i as f64 * slot + 4.0;
        for (k, (label, value)) in [
            ("applied", w.applied),
            ("interviews", w.interviews),
            ("offers", w.offers),
        ]
        .into_iter()
        .enumerate()
        {
            let h = value as f64 * scale;
            bars.push(Bar {
                label: label.to_owned(),
                value,
                x: x0 + k as f64 * bar,
                y: base - h,
                width: bar - 1.0,
                height: h,
                note: Some(crate::domain::time::format_date(w.week_start)),
            });
        }
        if i % 2 == 0 || weeks.len() <= 6 {
            ticks.push(Tick {
                label: day_month(w.week_start),
                x: margin + (i as f64 + 0.5) * slot,
                y: base + 20.0,
                anchor: "middle",
                minor: weeks.len() > 6 && i % 4 == 2,
            });
        }
    }
    Chart {
        width,
        height,
        bars,
        lines: Vec::new(),
        ticks,
    }
}

/// "14 Sep": a short date for axis labels.
pub fn day_month(d: time::Date) -> String {
    d.format(DAY_MONTH).unwrap_or_default()
}

const DAY_MONTH: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[day padding:none] [month repr:short]");

/// Lines of rates (0–1) over a series of periods, oldest first. Margins
/// keep the percentages left of the plot and the first and last date
/// labels (centred under their point) inside the chart.
pub fn rates(labels: &[String], series: &[(&str, &str, Vec<f64>)]) -> Chart {
    let (width, height, left, right, top, bottom) = (600.0, 240.0, 90.0, 44.0, 20.0, 190.0);
    let n = labels.len().max(1);
    let step = if n > 1 {
        (width - left - right) / (n - 1) as f64
    } else {
        0.0
    };
    let x = |i: usize| left + i as f64 * step;
    let y = |v: f64| bottom - v.clamp(0.0, 1.0) * (bottom - top);
    let lines = series
        .iter()
        .map(|(name, class, values)| Line {
            name: (*name).to_owned(),
            class: (*class).to_owned(),
            points: values
                .iter()
                .enumerate()
                .map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v)))
                .collect::<Vec<_>>()
                .join(" "),
            last: values
                .last()
                .map(|v| format!("{:.0}%", v * 100.0))
                .unwrap_or_default(),
        })
        .collect();
    let every = (n / 6).max(1);
    let mut ticks: Vec<Tick> = labels
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .enumerate()
        .map(|(k, (i, l))| Tick {
            label: l.clone(),
            x: x(i),
            y: bottom + 34.0,
            anchor: "middle",
            minor: k % 2 == 1,
        })
        .collect();
    for pct in [0.0, 0.5, 1.0] {
        ticks.push(Tick {
            label: format!("{:.0}%", pct * 100.0),
            x: left - 10.0,
            y: y(pct) + 5.0,
            anchor: "end",
            minor: false,
        });
    }
    Chart {
        width,
        height,
        bars: Vec::new(),
        lines,
        ticks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::metrics::Stage;

    #[test]
    fn funnel_bars_are_as_wide_as_their_share_of_the_widest() {
        let stages = vec![
            FunnelStage {
                stage: Stage::Applied,
                count: 10,
                rate_from_previous: None,
            },
            FunnelStage {
                stage: Stage::Screening,
                count: 5,
                rate_from_previous: Some(0.5),
            },
            FunnelStage {
                stage: Stage::Offer,
                count: 0,
                rate_from_previous: Some(0.0),
            },
        ];
        let c = funnel(&stages);
        assert_eq!(c.bars[1].width * 2.0, c.bars[0].width);
        assert_eq!(c.bars[2].width, 0.0);
        assert_eq!(c.bars[1].note.as_deref(), Some("50% of the previous stage"));
        assert!(c.bars.iter().all(|b| b.x + b.width <= c.width));
    }

    #[test]
    fn an_empty_funnel_draws_no_bars_but_does_not_divide_by_zero() {
        let stages = vec![FunnelStage {
            stage: Stage::Applied,
            count: 0,
            rate_from_previous: None,
        }];
        assert_eq!(funnel(&stages).bars[0].width, 0.0);
    }

    /// Where a label reaches left and right, at `size` chart units and an
    /// average glyph of 0.6 em (the browser test measures the real text).
    fn reach(t: &Tick, size: f64) -> (f64, f64) {
        let w = t.label.chars().count() as f64 * 0.6 * size;
        match t.anchor {
            "middle" => (t.x - w / 2.0, t.x + w / 2.0),
            "end" => (t.x - w, t.x),
            _ => (t.x, t.x + w),
        }
    }

    #[test]
    fn axis_labels_fit_inside_the_charts_at_the_phone_font_size() {
        let start = time::macros::date!(2026 - 09 - 14);
        let weeks: Vec<Week> = (0..12)
            .map(|i| Week {
                week_start: start + time::Duration::weeks(i),
                applied: i,
                interviews: 0,
                offers: 0,
            })
            .collect();
        let c = weekly(&weeks);
        assert_eq!(c.ticks[0].label, "14 Sep");
        for t in &c.ticks {
            let (left, right) = reach(t, 20.0);
            assert!(left >= 0.0 && right <= c.width, "{} at {}", t.label, t.x);
        }
        let labels: Vec<String> = weeks.iter().map(|w| day_month(w.week_start)).collect();
        let c = rates(&labels, &[("Response", "response", vec![0.5; 12])]);
        for t in &c.ticks {
            let (left, right) = reach(t, 24.0);
            assert!(left >= 0.0 && right <= c.width, "{} at {}", t.label, t.x);
        }
    }

    #[test]
    fn rate_lines_stay_inside_the_chart() {
        let labels: Vec<String> = (0..5).map(|i| format!("w{i}")).collect();
        let c = rates(
            &labels,
            &[("Response", "a", vec![0.0, 0.5, 1.0, 2.0, -1.0])],
        );
        for point in c.lines[0].points.split(' ') {
            let (x, y) = point.split_once(',').unwrap();
            let (x, y): (f64, f64) = (x.parse().unwrap(), y.parse().unwrap());
            assert!(
                (0.0..=c.width).contains(&x) && (0.0..=c.height).contains(&y),
                "{point}"
            );
        }
    }
}
