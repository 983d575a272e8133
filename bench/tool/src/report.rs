//! Turning measurements into the two outputs: lines for people and, with
//! `--json`, one JSON object per run for scripts (`bench/run.sh`).

use hdrhistogram::Histogram;
use serde_json::{json, Value};

/// Latencies are recorded in microseconds; 60 s is far beyond any run.
const HIGHEST_US: u64 = 60_000_000;
/// Three significant digits: 0.1 % resolution, ample for percentiles.
const SIGNIFICANT_DIGITS: u8 = 3;

/// An empty latency histogram in microseconds.
pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, HIGHEST_US, SIGNIFICANT_DIGITS)
        .expect("constant histogram bounds are valid")
}

/// Records a latency given in nanoseconds; out-of-range values are clamped
/// rather than dropped, so a pathological sample still shows in `max`.
pub fn record_ns(hist: &mut Histogram<u64>, ns: u64) {
    let us = (ns / 1_000).clamp(1, HIGHEST_US);
    hist.record(us).expect("clamped into the histogram's range");
}

/// Percentiles of a latency histogram, in microseconds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Latency {
    pub count: u64,
    pub p50: u64,
    pub p90: u64,
    /// The figure for the board at a past moment is a p95.
    pub p95: u64,
    pub p99: u64,
    pub p999: u64,
    pub max: u64,
}

impl Latency {
    pub fn of(hist: &Histogram<u64>) -> Self {
        if hist.is_empty() {
            return Latency::default();
        }
        Latency {
            count: hist.len(),
            p50: hist.value_at_quantile(0.50),
            p90: hist.value_at_quantile(0.90),
            p95: hist.value_at_quantile(0.95),
            p99: hist.value_at_quantile(0.99),
            p999: hist.value_at_quantile(0.999),
            max: hist.max(),
        }
    }

    /// `p50 84 µs  p90 …` for people.
    pub fn line(&self) -> String {
        format!(
            "p50 {}  p90 {}  p99 {}  p99.9 {}  max {}",
            us(self.p50),
            us(self.p90),
            us(self.p99),
            us(self.p999),
            us(self.max)
        )
    }

    /// The same figures as JSON fields `p50_us`, ….
    pub fn json(&self) -> Value {
        json!({
            "samples": self.count,
            "p50_us": self.p50,
            "p90_us": self.p90,
            "p95_us": self.p95,
            "p99_us": self.p99,
            "p999_us": self.p999,
            "max_us": self.max,
        })
    }
}

/// A duration in µs, shown in ms once it is large.
pub fn us(value: u64) -> String {
    if value >= 10_000 {
        format!("{:.1} ms", value as f64 / 1_000.0)
    } else {
        format!("{value} µs")
    }
}

/// A byte count for people.
pub fn bytes(n: usize) -> String {
    if n >= 1024 * 1024 {
        format!("{:.2} MiB", n as f64 / (1024.0 * 1024.0))
    } else if n >= 1024 {
        format!("{:.1} KiB", n as f64 / 1024.0)
    } else {
        format!("{n} B")
    }
}

/// The median of some measurements (the lower one of an even count).
pub fn median(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[(sorted.len() - 1) / 2]
}

/// Prints a scenario's result: the human lines on stdout, or with `--json`
/// the lines on stderr and one JSON object on stdout, so a script can read
/// stdout as is and a person still sees the run.
pub fn emit(as_json: bool, human: &str, value: &Value) {
    if as_json {
        eprintln!("{human}");
        println!("{value}");
    } else {
        println!("{human}");
    }
}

/// Progress for a person watching a long run; always on stderr.
pub fn progress(message: &str) {
    eprintln!("  … {message}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_come_out_in_microseconds() {
        let mut hist = histogram();
        for ns in (1..=1000).map(|i| i * 1_000) {
            record_ns(&mut hist, ns);
        }
        let lat = Latency::of(&hist);
        assert_eq!(lat.count, 1000);
        assert_eq!(lat.p50, 500);
        assert_eq!(lat.max, 1000);
    }

    #[test]
    fn the_median_is_the_middle_value() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.0);
        assert!(median(&[]).is_nan());
    }
}
