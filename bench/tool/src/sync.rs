//! `sync`: join a room and time one full sync. `bench/run.sh` uses it after
//! restarting the host, to check that the big board came back whole and how
//! long the first reader waits for it.

use std::time::Instant;

use clap::Args;
use futures_util::StreamExt;
use serde_json::json;

use crate::bigboard::joined;
use crate::board;
use crate::client::{self, BenchResult};
use crate::report;

#[derive(Debug, Clone, Args)]
pub struct SyncArgs {
    /// WebSocket URL of the server.
    #[arg(long)]
    pub url: String,
    /// Room to read.
    #[arg(long)]
    pub room: String,
    /// Fail unless the room holds at least this many shapes.
    #[arg(long, default_value_t = 0)]
    pub expect: usize,
}

pub async fn main(args: SyncArgs, as_json: bool) -> BenchResult<()> {
    let user_id = format!("sync-{}", client::run_tag());
    let started = Instant::now();
    let mut ws = joined(&client::room_url(&args.url, &args.room), &user_id).await?;
    let join_ms = started.elapsed().as_secs_f64() * 1e3;
    let reply = board::request_sync(&mut ws, &user_id, None).await?;
    client::close(ws.split().0).await;
    let sync_ms = reply.parsed_ns as f64 / 1e6;
    let human = format!(
        "sync  {} room {}\n  connect + join {join_ms:.2} ms, then {} shapes ({}) in {sync_ms:.2} ms",
        args.url,
        args.room,
        reply.shapes,
        report::bytes(reply.bytes)
    );
    let value = json!({
        "scenario": "sync",
        "url": args.url,
        "room": args.room,
        "join_ms": join_ms,
        "sync_ms": sync_ms,
        "shapes": reply.shapes,
        "bytes": reply.bytes,
    });
    report::emit(as_json, &human, &value);
    if reply.shapes < args.expect {
        return client::fail(format!(
            "expected at least {} shapes, got {}",
            args.expect, reply.shapes
        ));
    }
    Ok(())
}
