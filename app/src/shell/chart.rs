//! Charts drawn on the server as SVG, each with a text alternative that carries the same numbers
//! (a sentence for a screen reader, and the values as a table under a disclosure).

use leptos::prelude::*;

/// One point of a series: its label (a day) and its value in percent (0–100).
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    pub label: String,
    pub percent: f64,
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 200.0;
const LEFT: f64 = 40.0;
const RIGHT: f64 = 10.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 24.0;

fn pct(v: f64) -> String {
    format!("{:.1}%", v)
}

/// The sentence that says what the chart shows.
pub fn summary(what: &str, points: &[Point]) -> String {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return format!("No {what} has been recorded yet.");
    };
    if points.len() == 1 {
        return format!("{what} on {}: {}.", first.label, pct(first.percent));
    }
    let (lo, hi) = points.iter().fold((f64::MAX, f64::MIN), |(lo, hi), p| {
        (lo.min(p.percent), hi.max(p.percent))
    });
    format!(
        "{what} over {} days: {} on {}, {} on {}; lowest {}, highest {}.",
        points.len(),
        pct(first.percent),
        first.label,
        pct(last.percent),
        last.label,
        pct(lo),
        pct(hi)
    )
}

/// The SVG `points` of a polyline through `points`, spread over the plot's width.
pub fn polyline(points: &[Point]) -> String {
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let n = points.len();
    points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let x = if n <= 1 {
                LEFT + plot_w / 2.0
            } else {
                LEFT + plot_w * i as f64 / (n - 1) as f64
            };
            let y = TOP + plot_h * (1.0 - p.percent.clamp(0.0, 100.0) / 100.0);
            format!("{x:.1},{y:.1}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A line chart of percentages with its text alternative. `id` must be unique on the page.
pub fn line_chart(id: &str, title: &str, points: &[Point]) -> impl IntoView + use<> {
    let sentence = summary(title, points);
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let labelled = format!("{title_id} {desc_id}");
    let line = polyline(points);
    let plot_h = HEIGHT - TOP - BOTTOM;
    let grid = [0.0, 50.0, 100.0]
        .into_iter()
        .map(|v| {
            let y = TOP + plot_h * (1.0 - v / 100.0);
            view! {
                <line x1=LEFT x2=WIDTH - RIGHT y1=y y2=y class="grid" />
                <text x=LEFT - 6.0 y=y + 4.0 text-anchor="end" class="axis">{format!("{v:.0}%")}</text>
            }
        })
        .collect_view();
    let first = points.first().map(|p| p.label.clone()).unwrap_or_default();
    let last = points.last().map(|p| p.label.clone()).unwrap_or_default();
    let dot = points.last().map(|_| {
        let (x, y) = line
            .rsplit(' ')
            .next()
            .and_then(|xy| xy.split_once(','))
            .map(|(x, y)| (x.to_owned(), y.to_owned()))
            .unwrap_or_default();
        view! { <circle cx=x cy=y r="3.5" class="dot" /> }
    });
    let rows = points
        .iter()
        .rev()
        .map(|p| view! { <tr><td>{p.label.clone()}</td><td>{pct(p.percent)}</td></tr> })
        .collect_view();
    view! {
        <figure class="chart">
            <svg
                viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                role="img"
                aria-labelledby=labelled
                preserveAspectRatio="xMidYMid meet"
            >
                <title id=title_id>{title.to_owned()}</title>
                <desc id=desc_id.clone()>{sentence.clone()}</desc>
                {grid}
                <polyline points=line fill="none" class="series" />
                {dot}
                <text x=LEFT y=HEIGHT - 6.0 class="axis">{first}</text>
                <text x=WIDTH - RIGHT y=HEIGHT - 6.0 text-anchor="end" class="axis">{last}</text>
            </svg>
            <figcaption>{sentence}</figcaption>
            <details>
                <summary>{format!("{title}: the values")}</summary>
                <table class="compact">
                    <thead><tr><th scope="col">"Day"</th><th scope="col">{title.to_owned()}</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </details>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(label: &str, percent: f64) -> Point {
        Point {
            label: label.into(),
            percent,
        }
    }

    #[test]
    fn the_sentence_carries_the_first_last_lowest_and_highest_values() {
        let points = [
            p("2026-11-01", 40.0),
            p("2026-11-02", 35.5),
            p("2026-11-03", 52.25),
        ];
        assert_eq!(
            summary("Secure Score", &points),
            "Secure Score over 3 days: 40.0% on 2026-11-01, 52.2% on 2026-11-03; lowest 35.5%, highest 52.2%."
        );
        assert_eq!(
            summary("Secure Score", &[]),
            "No Secure Score has been recorded yet."
        );
    }

    #[test]
    fn the_line_spans_the_plot_and_higher_values_sit_higher() {
        let line = polyline(&[p("a", 0.0), p("b", 100.0)]);
        let pts: Vec<(f64, f64)> = line
            .split(' ')
            .filter_map(|xy| xy.split_once(','))
            .map(|(x, y)| (x.parse().unwrap_or(-1.0), y.parse().unwrap_or(-1.0)))
            .collect();
        assert_eq!(pts.len(), 2);
        assert_eq!(pts[0].0, LEFT);
        assert_eq!(pts[1].0, WIDTH - RIGHT);
        assert!(pts[1].1 < pts[0].1, "100% is drawn above 0%");
        assert_eq!(pts[1].1, TOP);
    }
}
