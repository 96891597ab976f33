//! The SVG charts of `docs/benchmarks/`: throughput and latency percentiles of the map cells.

#![allow(clippy::wildcard_imports)]

use super::*;

pub(super) const COLORS: [(&str, &str); 5] = [
    ("rust", "#d9480f"),
    ("wire", "#868e96"),
    ("java", "#1971c2"),
    ("python", "#2f9e44"),
    ("go", "#0c8599"),
];

pub(super) fn color(d: &str) -> &'static str {
    COLORS.iter().find(|(n, _)| *n == d).map_or("#000", |(_, c)| c)
}

pub(super) fn throughput_svg(o: &Opts, cells: &[Cell]) -> String {
    let mut rows: Vec<(String, Option<(String, f64)>)> = Vec::new();
    for &m in &o.topologies {
        for w in WORKLOADS {
            for c in CONCURRENCY {
                rows.push((
                    format!("{m} member{} · {w} · C={c}", if m == 1 { "" } else { "s" }),
                    None,
                ));
                for d in DRIVERS {
                    if let Some(x) = med(cells, m, w, c, d) {
                        rows.push((d.to_owned(), Some((d.to_owned(), x.throughput))));
                    }
                }
            }
        }
    }
    let max = rows
        .iter()
        .filter_map(|r| r.1.as_ref().map(|x| x.1))
        .fold(1.0, f64::max);
    let (left, width, row_h) = (190.0, 560.0, 16.0);
    let h = 40.0 + rows.len() as f64 * row_h;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"11\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">Throughput (ops/s, median) by topology, workload and concurrency</text>\n",
        left + width + 90.0
    );
    let mut y = 36.0;
    for (label, bar) in &rows {
        match bar {
            None => {
                let _ = writeln!(
                    s,
                    "<text x=\"10\" y=\"{:.0}\" font-weight=\"bold\">{label}</text>",
                    y + 12.0
                );
            }
            Some((d, v)) => {
                let w = width * v / max;
                let _ = writeln!(
                    s,
                    "<text x=\"{:.0}\" y=\"{:.0}\" text-anchor=\"end\">{d}</text><rect x=\"{left}\" y=\"{:.0}\" width=\"{w:.1}\" height=\"{:.0}\" fill=\"{}\"/><text x=\"{:.1}\" y=\"{:.0}\">{v:.0}</text>",
                    left - 6.0,
                    y + 11.0,
                    y + 2.0,
                    row_h - 4.0,
                    color(d),
                    left + w + 4.0,
                    y + 11.0
                );
            }
        }
        y += row_h;
    }
    s.push_str("</svg>\n");
    s
}

type LatencyRow = (String, Option<(String, [f64; 4])>);

pub(super) fn latency_svg(o: &Opts, cells: &[Cell]) -> String {
    // Log-scale latency percentiles, get workload, per topology and concurrency.
    let mut rows: Vec<LatencyRow> = Vec::new();
    for &m in &o.topologies {
        for c in CONCURRENCY {
            rows.push((
                format!("{m} member{} · get · C={c}", if m == 1 { "" } else { "s" }),
                None,
            ));
            for d in DRIVERS {
                if let Some(x) = med(cells, m, "get", c, d) {
                    rows.push((d.to_owned(), Some((d.to_owned(), [x.p50, x.p90, x.p99, x.p999]))));
                }
            }
        }
    }
    let (lo, hi) = (10.0f64, 1_000_000.0f64);
    let (left, width, row_h) = (190.0, 560.0, 18.0);
    let xs = |us: f64| left + width * ((us.clamp(lo, hi)).log10() - lo.log10()) / (hi.log10() - lo.log10());
    let h = 70.0 + rows.len() as f64 * row_h;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"11\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">Latency percentiles of get (µs, log scale): bar p50–p99, ticks p90 and p99.9</text>\n",
        left + width + 40.0
    );
    for (i, t) in [10.0, 100.0, 1000.0, 10_000.0, 100_000.0, 1_000_000.0]
        .iter()
        .enumerate()
    {
        let x = xs(*t);
        let label = ["10", "100", "1 ms", "10 ms", "100 ms", "1 s"][i];
        let _ = writeln!(
            s,
            "<line x1=\"{x:.1}\" y1=\"34\" x2=\"{x:.1}\" y2=\"{:.0}\" stroke=\"#ddd\"/><text x=\"{x:.1}\" y=\"{:.0}\" text-anchor=\"middle\">{label}</text>",
            h - 24.0,
            h - 10.0
        );
    }
    let mut y = 36.0;
    for (label, bar) in &rows {
        match bar {
            None => {
                let _ = writeln!(
                    s,
                    "<text x=\"10\" y=\"{:.0}\" font-weight=\"bold\">{label}</text>",
                    y + 13.0
                );
            }
            Some((d, p)) => {
                let (x50, x90, x99, x999) = (xs(p[0]), xs(p[1]), xs(p[2]), xs(p[3]));
                let _ = writeln!(
                    s,
                    "<text x=\"{:.0}\" y=\"{:.0}\" text-anchor=\"end\">{d}</text><rect x=\"{x50:.1}\" y=\"{:.0}\" width=\"{:.1}\" height=\"10\" fill=\"{}\" opacity=\"0.8\"/>\
                     <line x1=\"{x90:.1}\" y1=\"{:.0}\" x2=\"{x90:.1}\" y2=\"{:.0}\" stroke=\"black\"/><line x1=\"{x999:.1}\" y1=\"{:.0}\" x2=\"{x999:.1}\" y2=\"{:.0}\" stroke=\"black\" stroke-dasharray=\"2,1\"/>\
                     <text x=\"{:.1}\" y=\"{:.0}\">{:.0}</text>",
                    left - 6.0,
                    y + 12.0,
                    y + 3.0,
                    (x99 - x50).max(1.5),
                    color(d),
                    y + 1.0,
                    y + 15.0,
                    y + 1.0,
                    y + 15.0,
                    x999 + 4.0,
                    y + 12.0,
                    p[0]
                );
            }
        }
        y += row_h;
    }
    s.push_str("</svg>\n");
    s
}
