//! `cursors`: rooms full of people moving their cursors, the host's hottest
//! path. Each client stamps its `CURSOR_MOVE` with the send time; the other
//! clients of the room, in this same process, subtract it from the receive
//! time, which is the one-way latency through the server.

use std::time::Duration;

use clap::Args;
use futures_util::stream::{self, StreamExt, TryStreamExt};
use futures_util::SinkExt;
use hdrhistogram::Histogram;
use serde::Deserialize;
use serde_json::json;
use tokio::time::MissedTickBehavior;
use tokio_tungstenite::tungstenite::Message;

use crate::client::{self, BenchResult, Envelope, ErrorTally, Ws};
use crate::report::{self, Latency};

/// Sockets opened at once while setting up; more would only queue in the
/// server's accept backlog.
const CONNECT_CONCURRENCY: usize = 32;
/// How long receivers keep reading after the last measured send, so that
/// late messages count as late rather than lost.
const GRACE: Duration = Duration::from_millis(500);
/// Time between setting up the last client and the first send.
const START_DELAY: Duration = Duration::from_millis(100);

#[derive(Debug, Clone, Args)]
pub struct CursorArgs {
    /// WebSocket URL of the server (`ws://127.0.0.1:8080/`).
    #[arg(long)]
    pub url: String,
    /// Rooms, each joined as `?room=PREFIX-N`.
    #[arg(long, default_value_t = 1)]
    pub rooms: usize,
    /// Name of the rooms before `-N`: runs one after another in their own
    /// rooms never meet the seats the last run's people keep.
    #[arg(long, default_value = "bench")]
    pub room_prefix: String,
    /// Clients per room (a room has four seats).
    #[arg(long, default_value_t = 4)]
    pub clients: usize,
    /// Cursor updates per second sent by each client.
    #[arg(long, default_value_t = 60.0)]
    pub hz: f64,
    /// Measured seconds (after the warm-up).
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
    /// Seconds of sending before measuring starts.
    #[arg(long, default_value_t = 1.0)]
    pub warmup: f64,
    /// Watchers per room (CoCo only): they send nothing and receive every
    /// cursor move, so each move costs the host that many more deliveries.
    #[arg(long, default_value_t = 0)]
    pub watchers: usize,
}

/// What one cursor run measured.
#[derive(Debug)]
pub struct CursorOutcome {
    pub latency: Histogram<u64>,
    /// Cursor moves sent inside the measured window.
    pub sent: u64,
    /// Deliveries the window's sends should have caused
    /// (`sent × (clients − 1 + watchers)`).
    pub expected: u64,
    /// Deliveries of the window's sends that arrived before the grace ran out.
    pub received: u64,
    pub window_secs: f64,
    pub errors: ErrorTally,
    /// Clients whose socket closed or failed during the run.
    pub disconnects: u64,
}

impl CursorOutcome {
    pub fn loss_pct(&self) -> f64 {
        if self.expected == 0 {
            return 0.0;
        }
        100.0 * self.expected.saturating_sub(self.received) as f64 / self.expected as f64
    }

    pub fn delivered_per_sec(&self) -> f64 {
        self.received as f64 / self.window_secs
    }
}

/// The clock marks every client of a run shares, on the [`client::now_ns`] clock.
#[derive(Debug, Clone, Copy)]
struct Window {
    warm_start: u64,
    measure_start: u64,
    measure_end: u64,
}

impl Window {
    fn contains(&self, t: u64) -> bool {
        (self.measure_start..self.measure_end).contains(&t)
    }
}

/// Runs one cursor load and returns the raw outcome.
pub async fn run(args: &CursorArgs) -> BenchResult<CursorOutcome> {
    if args.clients < 2 || args.rooms == 0 || args.hz <= 0.0 || args.seconds <= 0.0 {
        return client::fail("need at least 1 room, 2 clients, a positive rate and duration");
    }
    let tag = client::run_tag();
    let people = args.clients + args.watchers;
    let slots: Vec<(usize, usize)> = (0..args.rooms)
        .flat_map(|r| (0..people).map(move |c| (r, c)))
        .collect();
    let sockets: Vec<(String, Ws, bool)> = stream::iter(slots)
        .map(|(room, place)| {
            let url = client::room_url(&args.url, &format!("{}-{room}", args.room_prefix));
            let user_id = format!("cur-{tag}-{room}-{place}");
            let seated = place < args.clients;
            async move {
                let mut ws = client::connect(&url).await?;
                if seated {
                    client::join(&mut ws, &user_id).await?;
                } else {
                    client::watch(&mut ws, &user_id).await?;
                }
                Ok::<_, client::BenchError>((user_id, ws, seated))
            }
        })
        .buffer_unordered(CONNECT_CONCURRENCY)
        .try_collect()
        .await?;

    let warm_start = client::now_ns() + START_DELAY.as_nanos() as u64;
    let measure_start = warm_start + (args.warmup * 1e9) as u64;
    let window = Window {
        warm_start,
        measure_start,
        measure_end: measure_start + (args.seconds * 1e9) as u64,
    };
    let period_ns = (1e9 / args.hz) as u64;
    let tasks: Vec<_> = sockets
        .into_iter()
        .map(|(user_id, ws, seated)| tokio::spawn(drive(user_id, ws, window, period_ns, seated)))
        .collect();

    let mut outcome = CursorOutcome {
        latency: report::histogram(),
        sent: 0,
        expected: 0,
        received: 0,
        window_secs: args.seconds,
        errors: ErrorTally::default(),
        disconnects: 0,
    };
    for task in tasks {
        let stats = task
            .await
            .map_err(|e| client::BenchError(format!("client task failed: {e}")))?;
        outcome.latency.add(&stats.latency).expect("same bounds");
        outcome.sent += stats.sent;
        outcome.expected += stats.sent * (people as u64 - 1);
        outcome.received += stats.received;
        outcome.errors.merge(&stats.errors);
        outcome.disconnects += u64::from(stats.disconnected);
    }
    Ok(outcome)
}

struct ClientStats {
    latency: Histogram<u64>,
    sent: u64,
    received: u64,
    errors: ErrorTally,
    disconnected: bool,
}

/// One client: sends on its own ticker (at a random phase, as real people are
/// not synchronised) unless it only watches, and records every cursor move
/// of the others.
async fn drive(
    user_id: String,
    ws: Ws,
    window: Window,
    period_ns: u64,
    sends: bool,
) -> ClientStats {
    let (mut sink, mut stream) = ws.split();
    let mut stats = ClientStats {
        latency: report::histogram(),
        sent: 0,
        received: 0,
        errors: ErrorTally::default(),
        disconnected: false,
    };
    let phase = rand::random::<u64>() % period_ns;
    let mut ticker = tokio::time::interval_at(
        client::instant_at(window.warm_start + phase),
        Duration::from_nanos(period_ns),
    );
    ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let stop = tokio::time::sleep_until(client::instant_at(
        window.measure_end + GRACE.as_nanos() as u64,
    ));
    tokio::pin!(stop);
    let mut sending = sends;
    let mut seq: u64 = 0;
    loop {
        tokio::select! {
            biased;
            message = stream.next() => match message {
                Some(Ok(Message::Text(text))) => on_text(&text, window, &mut stats),
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => {
                    stats.disconnected = true;
                    break;
                }
                Some(Ok(_)) => {}
            },
            _ = ticker.tick(), if sending => {
                let t = client::now_ns();
                if t >= window.measure_end {
                    sending = false;
                    continue;
                }
                seq += 1;
                if sink.send(Message::text(cursor_frame(&user_id, seq, t))).await.is_err() {
                    stats.disconnected = true;
                    break;
                }
                if window.contains(t) {
                    stats.sent += 1;
                }
            }
            _ = &mut stop => break,
        }
    }
    client::close(sink).await;
    stats
}

fn on_text(text: &str, window: Window, stats: &mut ClientStats) {
    let now = client::now_ns();
    match client::message_type(text) {
        Some("CURSOR_MOVE") => {
            if let Some(t) = sent_at(text) {
                if window.contains(t) {
                    stats.received += 1;
                    report::record_ns(&mut stats.latency, now.saturating_sub(t));
                }
            }
        }
        Some("ERROR") => stats.errors.add(&client::error_code(text), 1),
        _ => {}
    }
}

/// A cursor move that walks a circle, stamped with its send time `t`.
fn cursor_frame(user_id: &str, seq: u64, t: u64) -> String {
    let x = 400 + (seq % 200);
    let y = 300 + (seq * 7 % 200);
    format!(
        r#"{{"type":"CURSOR_MOVE","payload":{{"userId":"{user_id}","position":{{"x":{x},"y":{y},"t":{t}}}}}}}"#
    )
}

#[derive(Deserialize)]
struct CursorPayload {
    position: Stamp,
}

#[derive(Deserialize)]
struct Stamp {
    /// A number either way: a JavaScript relay turns it into a double, which
    /// is exact for any run shorter than 104 days.
    t: f64,
}

/// The send time stamped in a relayed cursor move.
fn sent_at(text: &str) -> Option<u64> {
    let message: Envelope<CursorPayload> = serde_json::from_str(text).ok()?;
    Some(message.payload.position.t as u64)
}

/// `cursors`: one run, printed.
pub async fn main(args: CursorArgs, as_json: bool) -> BenchResult<()> {
    let outcome = run(&args).await?;
    let latency = Latency::of(&outcome.latency);
    let human = format!(
        "cursors  {}\n  {} room(s) × {} clients (+ {} watching) × {} Hz, {} s measured after {} s warm-up\n  \
         one-way latency: {}\n  delivered {:.0} msg/s ({} of {} expected, loss {:.3} %)\n  \
         server errors: {}; disconnects: {}",
        args.url,
        args.rooms,
        args.clients,
        args.watchers,
        args.hz,
        args.seconds,
        args.warmup,
        latency.line(),
        outcome.delivered_per_sec(),
        outcome.received,
        outcome.expected,
        outcome.loss_pct(),
        outcome.errors,
        outcome.disconnects,
    );
    let value = json!({
        "scenario": "cursors",
        "url": args.url,
        "rooms": args.rooms,
        "clients": args.clients,
        "watchers": args.watchers,
        "hz": args.hz,
        "seconds": args.seconds,
        "latency": latency.json(),
        "sent": outcome.sent,
        "expected": outcome.expected,
        "received": outcome.received,
        "loss_pct": outcome.loss_pct(),
        "delivered_per_sec": outcome.delivered_per_sec(),
        "errors": outcome.errors.to_json(),
        "disconnects": outcome.disconnects,
    });
    report::emit(as_json, &human, &value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stamp_survives_a_round_trip() {
        let frame = cursor_frame("u", 3, 123_456_789_012);
        assert_eq!(client::message_type(&frame), Some("CURSOR_MOVE"));
        assert_eq!(sent_at(&frame), Some(123_456_789_012));
        // A JavaScript relay may reorder or respell the number.
        let relayed =
            r#"{"type":"CURSOR_MOVE","payload":{"position":{"t":1.5e3,"x":1,"y":2},"userId":"u"}}"#;
        assert_eq!(sent_at(relayed), Some(1500));
    }
}
