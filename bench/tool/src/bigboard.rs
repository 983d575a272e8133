//! `bigboard`: how fast a newcomer gets a large drawing, and how small a
//! reconnecting peer's catch-up is.

use std::time::Duration;

use clap::Args;
use futures_util::StreamExt;
use serde_json::json;

use crate::board::{self, SyncReply};
use crate::client::{self, BenchResult, Ws};
use crate::loader::{load_shapes, Confirmation, Load, Loader};
use crate::report;

#[derive(Debug, Clone, Args)]
pub struct BigboardArgs {
    /// WebSocket URL of the server.
    #[arg(long)]
    pub url: String,
    /// Shapes on the board.
    #[arg(long, default_value_t = 2000)]
    pub shapes: usize,
    /// Points per pencil shape.
    #[arg(long, default_value_t = 50)]
    pub points: usize,
    /// Timed full syncs (the median is reported).
    #[arg(long, default_value_t = 10)]
    pub repeat: usize,
    /// Operations applied before the delta sync.
    #[arg(long, default_value_t = 100)]
    pub delta_ops: usize,
    /// Room to draw in (default: a new `bigboard-XXXXXXXX`).
    #[arg(long)]
    pub room: Option<String>,
}

/// Connects with a large read buffer (boards arrive whole) and joins.
pub async fn joined(url: &str, user_id: &str) -> BenchResult<Ws> {
    let mut ws = client::connect_bulk(url).await?;
    client::join(&mut ws, user_id).await?;
    Ok(ws)
}

/// `repeat` timed syncs on a quiet socket; returns every reply.
async fn timed_syncs(
    ws: &mut Ws,
    user_id: &str,
    since: Option<u64>,
    repeat: usize,
) -> BenchResult<Vec<SyncReply>> {
    board::drain(ws, Duration::from_millis(200), Duration::from_secs(5)).await?;
    let mut replies = Vec::with_capacity(repeat);
    for _ in 0..repeat.max(1) {
        replies.push(board::request_sync(ws, user_id, since).await?);
    }
    Ok(replies)
}

/// Median of some replies' timings, in ms.
fn median_ms(replies: &[SyncReply], pick: fn(&SyncReply) -> u64) -> f64 {
    let values: Vec<f64> = replies.iter().map(|r| pick(r) as f64 / 1e6).collect();
    report::median(&values)
}

/// Every figure of one `bigboard` run.
struct BoardRun {
    url: String,
    load_secs: f64,
    load: Load,
    /// Timed full syncs of the board as loaded.
    full: Vec<SyncReply>,
    /// Timed `since` syncs after the extra operations.
    delta: Vec<SyncReply>,
    /// A full sync at the delta's revision: what a peer would get without `since`.
    full_now: SyncReply,
}

impl BoardRun {
    fn full_last(&self) -> &SyncReply {
        self.full.last().expect("at least one sync")
    }

    fn delta_last(&self) -> &SyncReply {
        self.delta.last().expect("at least one sync")
    }
}

/// `bigboard`: load, full sync, delta sync, printed.
pub async fn main(args: BigboardArgs, as_json: bool) -> BenchResult<()> {
    let tag = client::run_tag();
    let room = args
        .room
        .clone()
        .unwrap_or_else(|| format!("bigboard-{tag}"));
    let url = client::room_url(&args.url, &room);
    let writer_id = format!("bbw-{tag}");
    let reader_id = format!("bbr-{tag}");
    let loader = Loader {
        user_id: &writer_id,
        tag: &tag,
        points: args.points,
    };

    let mut writer = joined(&url, &writer_id).await?;
    report::progress(&format!(
        "loading {} shapes × {} points into room {room}",
        args.shapes, args.points
    ));
    let (mut first_load, load_secs) =
        load_shapes(&loader, &mut writer, 0..args.shapes, None).await?;
    let acks = first_load.confirmation == Confirmation::Acked;

    let mut reader = joined(&url, &reader_id).await?;
    let full = timed_syncs(&mut reader, &reader_id, None, args.repeat).await?;
    let full_last = full.last().expect("at least one sync");
    if full_last.shapes < args.shapes {
        return client::fail(format!(
            "full sync had {} of {} shapes",
            full_last.shapes, args.shapes
        ));
    }
    let since = full_last.rev.unwrap_or(0);
    report::progress(&format!(
        "applying {} more operations, then REQUEST_SYNC since {since}",
        args.delta_ops
    ));
    let more = args.shapes..args.shapes + args.delta_ops;
    let (more_load, _) = load_shapes(&loader, &mut writer, more, Some(acks)).await?;
    first_load.errors.merge(&more_load.errors);
    first_load.resends += more_load.resends;
    let delta = timed_syncs(&mut reader, &reader_id, Some(since), args.repeat).await?;
    let full_now = board::request_sync(&mut reader, &reader_id, None).await?;
    client::close(writer.split().0).await;
    client::close(reader.split().0).await;

    let run = BoardRun {
        url,
        load_secs,
        load: first_load,
        full,
        delta,
        full_now,
    };
    print_run(&args, &room, since, &run, as_json);
    Ok(())
}

fn print_run(args: &BigboardArgs, room: &str, since: u64, run: &BoardRun, as_json: bool) {
    let full = run.full_last();
    let delta = run.delta_last();
    let full_ms = median_ms(&run.full, |r| r.parsed_ns);
    let full_frame_ms = median_ms(&run.full, |r| r.frame_ns);
    let delta_ms = median_ms(&run.delta, |r| r.parsed_ns);
    let ratio_pct = 100.0 * delta.bytes as f64 / run.full_now.bytes as f64;
    let ratio_first_pct = 100.0 * delta.bytes as f64 / full.bytes as f64;
    let acked = run.load.confirmation == Confirmation::Acked;
    let confirmation = if acked {
        "every op acknowledged"
    } else {
        "server sent no ACK; counted with REQUEST_SYNC"
    };
    let rev = full
        .rev
        .map_or("none (the server reports no revision)".into(), |r| {
            r.to_string()
        });
    let delta_kind = match delta.full {
        Some(false) => "a delta (full: false)",
        Some(true) => "a full resync (full: true)",
        None if delta.shapes >= args.shapes => "everything: the server ignored `since`",
        None => "no `full` flag",
    };
    let human = format!(
        "bigboard  {}\n  load: {} shapes × {} points in {:.2} s ({:.0} ops/s), {confirmation}; \
         errors: {}; resent: {}\n  full sync: {}, {} shapes, rev {rev}: median {full_ms:.2} ms \
         to parsed ({full_frame_ms:.2} ms to the whole frame) over {} requests\n  \
         delta after {} ops (since {since}): {}, {} shapes, {} deleted ids, {delta_kind}; \
         median {delta_ms:.2} ms\n  delta bytes: {ratio_pct:.2} % of a full sync at the same \
         revision ({}), {ratio_first_pct:.2} % of the first full sync",
        run.url,
        args.shapes,
        args.points,
        run.load_secs,
        args.shapes as f64 / run.load_secs,
        run.load.errors,
        run.load.resends,
        report::bytes(full.bytes),
        full.shapes,
        run.full.len(),
        args.delta_ops,
        report::bytes(delta.bytes),
        delta.shapes,
        delta.deleted,
        report::bytes(run.full_now.bytes),
    );
    let value = json!({
        "scenario": "bigboard",
        "url": args.url,
        "room": room,
        "shapes": args.shapes,
        "points": args.points,
        "acked": acked,
        "load_secs": run.load_secs,
        "load_ops_per_sec": args.shapes as f64 / run.load_secs,
        "errors": run.load.errors.to_json(),
        "resent": run.load.resends,
        "full_bytes": full.bytes,
        "full_shapes": full.shapes,
        "full_ms": full_ms,
        "full_frame_ms": full_frame_ms,
        "rev": full.rev,
        "delta_ops": args.delta_ops,
        "delta_since": since,
        "delta_bytes": delta.bytes,
        "delta_shapes": delta.shapes,
        "delta_full": delta.full,
        "delta_ms": delta_ms,
        "full_now_bytes": run.full_now.bytes,
        "delta_ratio_pct": ratio_pct,
        "delta_ratio_first_full_pct": ratio_first_pct,
    });
    report::emit(as_json, &human, &value);
}
