//! One row per measured figure and the markdown table they print as: the crates' bench
//! wrappers print their own part's rows, `testbed bench` prints every part's rows in one
//! table, so both read the same.

/// Which direction of a figure is the good one (for the ratio's note).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    /// Times, sizes, memory.
    Lower,
    /// Throughputs.
    Higher,
}

/// One figure: ours, the peer's when there is a peer, and the ratio between them.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// What is measured, with its unit (`idle RSS (MiB)`).
    pub metric: String,
    /// Our figure.
    pub ours: f64,
    /// The peer's figure, if a peer runs the same measurement.
    pub peer: Option<f64>,
    /// Which direction is better.
    pub better: Better,
}

impl Row {
    /// A figure with a peer to compare with (`peer` may be missing: not installed).
    pub fn compared(
        metric: impl Into<String>,
        ours: f64,
        peer: Option<f64>,
        better: Better,
    ) -> Self {
        Self {
            metric: metric.into(),
            ours,
            peer,
            better,
        }
    }

    /// A figure of ours only.
    pub fn alone(metric: impl Into<String>, ours: f64, better: Better) -> Self {
        Self::compared(metric, ours, None, better)
    }

    /// ours / peer, when both are there and the peer's is not zero.
    pub fn ratio(&self) -> Option<f64> {
        self.peer.filter(|p| *p > 0.0).map(|p| self.ours / p)
    }
}

fn number(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

fn cells(row: &Row) -> [String; 4] {
    let peer = row.peer.map_or_else(|| "-".to_string(), number);
    let ratio = match (row.ratio(), row.better) {
        (None, _) => "-".to_string(),
        (Some(r), Better::Lower) => format!("{r:.2}x (lower is better)"),
        (Some(r), Better::Higher) => format!("{r:.2}x (higher is better)"),
    };
    [row.metric.clone(), number(row.ours), peer, ratio]
}

/// The markdown table of `rows` under the column names `ours` and `peer` (e.g. `upstream
/// Go 0.0.66`); a row without a peer shows `-`.
pub fn markdown(ours: &str, peer: &str, rows: &[Row]) -> String {
    let mut out = format!("| metric | {ours} | {peer} | ours / peer |\n|---|---:|---:|---|\n");
    for row in rows {
        out.push_str(&format!("| {} |\n", cells(row).join(" | ")));
    }
    out
}

/// One table of several parts: a first column names each part and what it is compared with.
pub fn markdown_parts(parts: &[(String, Vec<Row>)]) -> String {
    let mut out = String::from(
        "| component (vs peer) | metric | ours | peer | ours / peer |\n|---|---|---:|---:|---|\n",
    );
    for (part, rows) in parts {
        for row in rows {
            out.push_str(&format!("| {part} | {} |\n", cells(row).join(" | ")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_a_markdown_table_with_ratios() {
        let rows = [
            Row::compared("binary size (MiB)", 50.0, Some(100.0), Better::Lower),
            Row::compared("calls/s", 1234.4, Some(0.0), Better::Higher),
            Row::alone("reports/s", 5.678, Better::Higher),
        ];
        assert_eq!(
            markdown("ours", "Go", &rows),
            "| metric | ours | Go | ours / peer |\n|---|---:|---:|---|\n\
             | binary size (MiB) | 50.0 | 100 | 0.50x (lower is better) |\n\
             | calls/s | 1234 | 0.00 | - |\n\
             | reports/s | 5.68 | - | - |\n"
        );
        let one = markdown_parts(&[("agent".into(), rows[2..].to_vec())]);
        assert!(
            one.ends_with("| agent | reports/s | 5.68 | - | - |\n"),
            "{one}"
        );
    }
}
