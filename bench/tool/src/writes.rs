//! `writes`: durable shape operations as fast as the server acknowledges
//! them. Each writer keeps a window of operations in flight and measures
//! send → `ACK` naming its op id.
//!
//! A writer adds shapes until it owns `--live` of them, then alternates
//! deleting its oldest and adding a new one, so a long run stays far below
//! the host's shapes-per-room limit while every operation is still a
//! durable, acknowledged shape operation.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use clap::Args;
use futures_util::stream::{self, StreamExt, TryStreamExt};
use futures_util::SinkExt;
use hdrhistogram::Histogram;
use serde_json::json;
use tokio::time::MissedTickBehavior;
use tokio_tungstenite::tungstenite::Message;

use crate::board;
use crate::client::{self, BenchResult, ErrorTally, Ws};
use crate::report::{self, Latency};

/// A server that has acknowledged nothing this long after the first send
/// does not acknowledge at all (the baseline).
const ACK_PROBE: Duration = Duration::from_secs(3);
/// An operation unacknowledged this long is sent again (same op id; the
/// server must not apply it twice). Covers messages dropped by rate limiting.
const RESEND_AFTER: Duration = Duration::from_secs(2);
/// How often in-flight operations are checked for resending.
const RESEND_CHECK: Duration = Duration::from_millis(250);
/// After the measured window, how long writers wait for outstanding acks.
const DRAIN: Duration = Duration::from_secs(3);
const START_DELAY: Duration = Duration::from_millis(100);
/// Step of the pacing clock with `--rate`.
const PACE: Duration = Duration::from_millis(1);

#[derive(Debug, Clone, Args)]
pub struct WritesArgs {
    /// WebSocket URL of the server.
    #[arg(long)]
    pub url: String,
    /// Writing clients.
    #[arg(long, default_value_t = 4)]
    pub writers: usize,
    /// Rooms the writers are spread over (round robin, `?room=writes-N`).
    #[arg(long, default_value_t = 1)]
    pub rooms: usize,
    /// Measured seconds.
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
    /// Seconds of writing before measuring starts.
    #[arg(long, default_value_t = 1.0)]
    pub warmup: f64,
    /// Unacknowledged operations each writer keeps in flight.
    #[arg(long, default_value_t = 64)]
    pub window: usize,
    /// Shapes a writer owns before it starts deleting its oldest.
    #[arg(long, default_value_t = 500)]
    pub live: usize,
    /// Points per pencil shape.
    #[arg(long, default_value_t = 10)]
    pub points: usize,
    /// Offered operations per second, all writers together (paced in 1 ms
    /// steps, still capped by the window); 0 sends as fast as acks allow.
    #[arg(long, default_value_t = 0.0)]
    pub rate: f64,
}

#[derive(Debug, Clone, Copy)]
struct Plan {
    warm_start: u64,
    measure_start: u64,
    measure_end: u64,
    window: usize,
    live: usize,
    points: usize,
    /// Operations per second of one writer; 0 for as fast as acks allow.
    writer_rate: f64,
}

impl Plan {
    /// How many operations a writer should have issued by `now`.
    fn due(&self, now: u64) -> u64 {
        if self.writer_rate <= 0.0 {
            return u64::MAX;
        }
        (now.saturating_sub(self.warm_start) as f64 * self.writer_rate / 1e9) as u64 + 1
    }
}

struct InFlight {
    first_sent: u64,
    last_sent: u64,
    frame: Message,
}

struct WriterStats {
    latency: Histogram<u64>,
    sent_in_window: u64,
    acked_in_window: u64,
    acks_seen: u64,
    resent: u64,
    errors: ErrorTally,
    disconnected: bool,
    unacked_at_end: usize,
}

impl WriterStats {
    fn new() -> Self {
        WriterStats {
            latency: report::histogram(),
            sent_in_window: 0,
            acked_in_window: 0,
            acks_seen: 0,
            resent: 0,
            errors: ErrorTally::default(),
            disconnected: false,
            unacked_at_end: 0,
        }
    }

    fn absorb(&mut self, other: &WriterStats) {
        self.latency.add(&other.latency).expect("same bounds");
        self.sent_in_window += other.sent_in_window;
        self.acked_in_window += other.acked_in_window;
        self.acks_seen += other.acks_seen;
        self.resent += other.resent;
        self.errors.merge(&other.errors);
        self.disconnected |= other.disconnected;
        self.unacked_at_end += other.unacked_at_end;
    }
}

/// One writer's operation stream: op ids `w-TAG-SEQ`, shapes `wr-TAG-SEQ`.
struct Ops {
    prefix: String,
    user_id: String,
    live: VecDeque<u64>,
    seq: u64,
}

impl Ops {
    fn next(&mut self, plan: &Plan) -> (u64, Message) {
        self.seq += 1;
        let seq = self.seq;
        let op_id = format!("w-{}-{seq}", self.prefix);
        let frame = match self.live.front() {
            Some(&oldest) if self.live.len() >= plan.live => {
                self.live.pop_front();
                board::shape_deleted(
                    &format!("wr-{}-{oldest}", self.prefix),
                    &self.user_id,
                    &op_id,
                )
            }
            _ => {
                self.live.push_back(seq);
                let shape =
                    board::pencil_shape(&format!("wr-{}-{seq}", self.prefix), plan.points, seq);
                board::shape_added(&shape, &self.user_id, &op_id)
            }
        };
        (seq, Message::text(frame))
    }

    fn seq_of(&self, op_id: &str) -> Option<u64> {
        let (prefix, seq) = op_id.rsplit_once('-')?;
        if prefix.strip_prefix("w-")? != self.prefix {
            return None;
        }
        seq.parse().ok()
    }
}

async fn write(prefix: String, ws: Ws, plan: Plan) -> WriterStats {
    let (mut sink, mut stream) = ws.split();
    let mut ops = Ops {
        user_id: prefix.clone(),
        prefix,
        live: VecDeque::new(),
        seq: 0,
    };
    let mut stats = WriterStats::new();
    let mut in_flight: HashMap<u64, InFlight> = HashMap::new();
    let mut resend = tokio::time::interval(RESEND_CHECK);
    let mut pace = tokio::time::interval(PACE);
    pace.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let paced = plan.writer_rate > 0.0;
    let stop = tokio::time::sleep_until(client::instant_at(
        plan.measure_end + DRAIN.as_nanos() as u64,
    ));
    tokio::pin!(stop);
    tokio::time::sleep_until(client::instant_at(plan.warm_start)).await;
    let probe_end = plan.warm_start + ACK_PROBE.as_nanos() as u64;
    loop {
        let now = client::now_ns();
        if stats.acks_seen == 0 && now > probe_end {
            break;
        }
        let due = plan.due(now);
        while now < plan.measure_end && in_flight.len() < plan.window && ops.seq < due {
            let (seq, frame) = ops.next(&plan);
            if sink.send(frame.clone()).await.is_err() {
                stats.disconnected = true;
                break;
            }
            let sent = client::now_ns();
            if (plan.measure_start..plan.measure_end).contains(&sent) {
                stats.sent_in_window += 1;
            }
            in_flight.insert(
                seq,
                InFlight {
                    first_sent: sent,
                    last_sent: sent,
                    frame,
                },
            );
        }
        if stats.disconnected || (now >= plan.measure_end && in_flight.is_empty()) {
            break;
        }
        tokio::select! {
            biased;
            message = stream.next() => match message {
                Some(Ok(Message::Text(text))) => {
                    let now = client::now_ns();
                    match client::message_type(&text) {
                        Some("ACK") => {
                            stats.acks_seen += 1;
                            for op_id in client::ack_op_ids(&text) {
                                let Some(op) = ops.seq_of(&op_id).and_then(|s| in_flight.remove(&s)) else {
                                    continue;
                                };
                                if (plan.measure_start..plan.measure_end).contains(&now) {
                                    stats.acked_in_window += 1;
                                    report::record_ns(&mut stats.latency, now - op.first_sent);
                                }
                            }
                        }
                        Some("ERROR") => stats.errors.add(&client::error_code(&text), 1),
                        _ => {}
                    }
                }
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => {
                    stats.disconnected = true;
                    break;
                }
                Some(Ok(_)) => {}
            },
            _ = resend.tick() => {
                let now = client::now_ns();
                let stale = RESEND_AFTER.as_nanos() as u64;
                let due = |op: &&mut InFlight| stats.acks_seen > 0 && now - op.last_sent > stale;
                for op in in_flight.values_mut().filter(due) {
                    if sink.send(op.frame.clone()).await.is_err() {
                        stats.disconnected = true;
                        break;
                    }
                    op.last_sent = now;
                    stats.resent += 1;
                }
            }
            _ = pace.tick(), if paced => {}
            _ = &mut stop => break,
        }
    }
    stats.unacked_at_end = in_flight.len();
    client::close(sink).await;
    stats
}

/// `writes`: the run, printed.
pub async fn main(args: WritesArgs, as_json: bool) -> BenchResult<()> {
    if args.writers == 0
        || args.rooms == 0
        || args.window == 0
        || args.live == 0
        || args.seconds <= 0.0
    {
        return client::fail("writers, rooms, window, live and seconds must be positive");
    }
    let tag = client::run_tag();
    let sockets: Vec<(String, Ws)> = stream::iter(0..args.writers)
        .map(|k| {
            let url = client::room_url(&args.url, &format!("writes-{}", k % args.rooms));
            let user_id = format!("{tag}{k}");
            async move {
                let mut ws = client::connect(&url).await?;
                client::join(&mut ws, &user_id).await?;
                Ok::<_, client::BenchError>((user_id, ws))
            }
        })
        .buffer_unordered(8)
        .try_collect()
        .await?;
    let warm_start = client::now_ns() + START_DELAY.as_nanos() as u64;
    let measure_start = warm_start + (args.warmup * 1e9) as u64;
    let plan = Plan {
        warm_start,
        measure_start,
        measure_end: measure_start + (args.seconds * 1e9) as u64,
        window: args.window,
        live: args.live,
        points: args.points,
        writer_rate: args.rate / args.writers as f64,
    };
    let tasks: Vec<_> = sockets
        .into_iter()
        .map(|(user_id, ws)| tokio::spawn(write(user_id, ws, plan)))
        .collect();
    let mut total = WriterStats::new();
    for task in tasks {
        let stats = task
            .await
            .map_err(|e| client::BenchError(format!("writer failed: {e}")))?;
        total.absorb(&stats);
    }
    report_run(&args, &total, as_json);
    Ok(())
}

fn report_run(args: &WritesArgs, total: &WriterStats, as_json: bool) {
    let acked = total.acks_seen > 0;
    let per_sec = total.acked_in_window as f64 / args.seconds;
    let sent_per_sec = total.sent_in_window as f64 / args.seconds;
    let latency = Latency::of(&total.latency);
    let pacing = if args.rate > 0.0 {
        format!("offered {} ops/s (sent {sent_per_sec:.0}/s)", args.rate)
    } else {
        "as fast as acks allow".to_string()
    };
    let head = format!(
        "writes  {}\n  {} writers in {} room(s), {} in flight each at most, {pacing}, \
         {} s measured after {} s warm-up",
        args.url, args.writers, args.rooms, args.window, args.seconds, args.warmup
    );
    let human = if acked {
        format!(
            "{head}\n  acked {per_sec:.0} ops/s ({} ops in the window; adds, then add/delete pairs past {} live shapes per writer)\n  \
             ack latency: {}\n  server errors: {}; resent: {}; unacked at the end: {}; disconnected: {}",
            total.acked_in_window,
            args.live,
            latency.line(),
            total.errors,
            total.resent,
            total.unacked_at_end,
            total.disconnected,
        )
    } else {
        format!(
            "{head}\n  the server sent no ACK within {ACK_PROBE:?}: it does not acknowledge operations, \
             so there is no durable write rate to measure; server errors: {}",
            total.errors
        )
    };
    let value = json!({
        "scenario": "writes",
        "url": args.url,
        "writers": args.writers,
        "rooms": args.rooms,
        "window": args.window,
        "seconds": args.seconds,
        "rate": args.rate,
        "sent_per_sec": sent_per_sec,
        "acked": acked,
        "acked_per_sec": per_sec,
        "latency": latency.json(),
        "errors": total.errors.to_json(),
        "resent": total.resent,
        "unacked_at_end": total.unacked_at_end,
        "disconnected": total.disconnected,
    });
    report::emit(as_json, &human, &value);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writers_add_then_pair_deletes_with_adds() {
        let plan = Plan {
            warm_start: 0,
            measure_start: 0,
            measure_end: 0,
            window: 4,
            live: 2,
            points: 3,
            writer_rate: 0.0,
        };
        let mut ops = Ops {
            prefix: "abc0".into(),
            user_id: "abc0".into(),
            live: VecDeque::new(),
            seq: 0,
        };
        let kinds: Vec<String> = (0..5)
            .map(|_| {
                client::message_type(ops.next(&plan).1.to_text().unwrap())
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "SHAPE_ADDED",
                "SHAPE_ADDED",
                "SHAPES_DELETED",
                "SHAPE_ADDED",
                "SHAPES_DELETED"
            ]
        );
        assert_eq!(ops.seq_of("w-abc0-17"), Some(17));
        assert_eq!(ops.seq_of("w-abc1-17"), None);
        assert_eq!(ops.seq_of("garbage"), None);
    }
}
