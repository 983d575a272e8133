//! `saturate`: the most cursor traffic a server sustains within a latency
//! budget. Rooms double (1, 2, 4, …) until a short run misses the budget,
//! then the last passing and first failing counts are bisected.

use clap::Args;
use serde_json::{json, Value};

use crate::client::BenchResult;
use crate::cursors::{self, CursorArgs};
use crate::report::{self, Latency};

/// Pause between runs, so the server has closed the last run's sockets.
const SETTLE: std::time::Duration = std::time::Duration::from_millis(500);

#[derive(Debug, Clone, Args)]
pub struct SaturateArgs {
    /// WebSocket URL of the server.
    #[arg(long)]
    pub url: String,
    /// Cursor updates per second per client.
    #[arg(long, default_value_t = 60.0)]
    pub hz: f64,
    /// A run passes while its one-way p99 stays at or under this.
    #[arg(long, default_value_t = 5.0)]
    pub max_p99_ms: f64,
    /// A run passes while its loss stays at or under this.
    #[arg(long, default_value_t = 1.0)]
    pub max_loss_pct: f64,
    /// Clients per room.
    #[arg(long, default_value_t = 4)]
    pub clients: usize,
    /// Measured seconds per run.
    #[arg(long, default_value_t = 3.0)]
    pub seconds: f64,
    /// Warm-up seconds per run.
    #[arg(long, default_value_t = 1.0)]
    pub warmup: f64,
    /// Never try more rooms than this.
    #[arg(long, default_value_t = 1024)]
    pub max_rooms: usize,
    /// Never do more runs than this.
    #[arg(long, default_value_t = 16)]
    pub max_runs: usize,
}

/// One run of the search.
#[derive(Debug, Clone)]
struct Step {
    rooms: usize,
    latency: Latency,
    loss_pct: f64,
    delivered_per_sec: f64,
    /// Why the run failed outright (no figures), if it did.
    failure: Option<String>,
    passed: bool,
}

impl Step {
    fn line(&self) -> String {
        let verdict = if self.passed { "pass" } else { "FAIL" };
        match &self.failure {
            Some(why) => format!("  {:>5} rooms  {verdict}  {why}", self.rooms),
            None => format!(
                "  {:>5} rooms  {verdict}  {:>9.0} msg/s  p99 {:>9}  loss {:.3} %",
                self.rooms,
                self.delivered_per_sec,
                report::us(self.latency.p99),
                self.loss_pct
            ),
        }
    }

    fn json(&self) -> Value {
        json!({
            "rooms": self.rooms,
            "passed": self.passed,
            "delivered_per_sec": self.delivered_per_sec,
            "p99_us": self.latency.p99,
            "loss_pct": self.loss_pct,
            "failure": self.failure,
        })
    }
}

async fn measure(args: &SaturateArgs, rooms: usize) -> Step {
    let plan = CursorArgs {
        url: args.url.clone(),
        rooms,
        room_prefix: "bench".to_string(),
        clients: args.clients,
        hz: args.hz,
        seconds: args.seconds,
        warmup: args.warmup,
        watchers: 0,
    };
    let step = match cursors::run(&plan).await {
        Ok(outcome) => {
            let latency = Latency::of(&outcome.latency);
            let loss_pct = outcome.loss_pct();
            let failure = (outcome.disconnects > 0)
                .then(|| format!("{} clients disconnected", outcome.disconnects));
            Step {
                rooms,
                passed: failure.is_none()
                    && latency.count > 0
                    && latency.p99 as f64 <= args.max_p99_ms * 1_000.0
                    && loss_pct <= args.max_loss_pct,
                latency,
                loss_pct,
                delivered_per_sec: outcome.delivered_per_sec(),
                failure: None,
            }
        }
        Err(e) => Step {
            rooms,
            latency: Latency::default(),
            loss_pct: 100.0,
            delivered_per_sec: 0.0,
            failure: Some(e.to_string()),
            passed: false,
        },
    };
    report::progress(step.line().trim_start());
    tokio::time::sleep(SETTLE).await;
    step
}

/// Doubles, then bisects, the room count; returns every run in order.
async fn search(args: &SaturateArgs) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut best = 0usize;
    let mut failed_at: Option<usize> = None;
    let mut rooms = 1usize;
    while steps.len() < args.max_runs {
        let step = measure(args, rooms).await;
        let passed = step.passed;
        steps.push(step);
        if !passed {
            failed_at = Some(rooms);
            break;
        }
        best = rooms;
        if rooms >= args.max_rooms {
            break;
        }
        rooms = (rooms * 2).min(args.max_rooms);
    }
    while let Some(fail) = failed_at {
        // Stop once the answer is known to within about 6 %.
        if fail - best <= (best / 16).max(1) || steps.len() >= args.max_runs {
            break;
        }
        let mid = best + (fail - best) / 2;
        let step = measure(args, mid).await;
        if step.passed {
            best = mid;
        } else {
            failed_at = Some(mid);
        }
        steps.push(step);
    }
    steps
}

/// `saturate`: the search, printed.
pub async fn main(args: SaturateArgs, as_json: bool) -> BenchResult<()> {
    if args.max_rooms == 0 || args.max_runs == 0 {
        return crate::client::fail("--max-rooms and --max-runs must be positive");
    }
    report::progress(&format!(
        "searching {} for the most rooms at {} Hz with p99 ≤ {} ms and loss ≤ {} %",
        args.url, args.hz, args.max_p99_ms, args.max_loss_pct
    ));
    let steps = search(&args).await;
    let best = steps
        .iter()
        .filter(|s| s.passed)
        .max_by(|a, b| a.rooms.cmp(&b.rooms));
    let mut human = format!(
        "saturate  {}\n  {} clients per room × {} Hz, {} s per run; pass = p99 ≤ {} ms and loss ≤ {} %\n",
        args.url, args.clients, args.hz, args.seconds, args.max_p99_ms, args.max_loss_pct
    );
    for step in &steps {
        human.push_str(&step.line());
        human.push('\n');
    }
    match best {
        Some(b) => human.push_str(&format!(
            "  highest sustained: {} rooms, {:.0} msg/s delivered (p99 {})",
            b.rooms,
            b.delivered_per_sec,
            report::us(b.latency.p99)
        )),
        None => human.push_str("  no run passed, not even one room"),
    }
    let capped = best.is_some_and(|b| b.rooms >= args.max_rooms);
    if capped {
        human.push_str(" — the --max-rooms cap, not the server, ended the search");
    }
    let value = json!({
        "scenario": "saturate",
        "url": args.url,
        "hz": args.hz,
        "max_p99_ms": args.max_p99_ms,
        "rooms": best.map_or(0, |b| b.rooms),
        "delivered_per_sec": best.map_or(0.0, |b| b.delivered_per_sec),
        "p99_us": best.map_or(0, |b| b.latency.p99),
        "capped": capped,
        "steps": steps.iter().map(Step::json).collect::<Vec<_>>(),
    });
    report::emit(as_json, &human, &value);
    Ok(())
}
