//! `coco-bench history`: the board at past moments of a big room.
//!
//! Starts a host in this process (a temporary data directory, loopback),
//! draws a room of `--changes` changes over `--strokes` strokes through the
//! WebSocket (every change acknowledged, so on disk), then times
//! `GET /api/rooms/{room}/history/board?rev=N` at random revisions, against
//! the same route at the current revision (a board read whole, no replay:
//! the floor any past moment is compared with). Reports the history's size
//! on disk, and after thinning to `--thin-mb` when given.

use std::time::Instant;

use clap::Args;
use futures_util::{SinkExt, StreamExt};
use rand::Rng;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::client::{fail, BenchResult};
use crate::report::{emit, histogram, progress, record_ns, Latency};

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Changes to make (the first `--strokes` add strokes, the rest update them).
    #[arg(long, default_value_t = 10_000)]
    pub(crate) changes: usize,
    /// Strokes on the board.
    #[arg(long, default_value_t = 2_000)]
    pub(crate) strokes: usize,
    /// Points per stroke.
    #[arg(long, default_value_t = 40)]
    pub(crate) points: usize,
    /// Boards fetched at random past revisions.
    #[arg(long, default_value_t = 300)]
    pub(crate) samples: usize,
    /// Then thin the history to this budget (MiB) and report its size.
    #[arg(long)]
    pub(crate) thin_mb: Option<u64>,
}

fn stroke(id: usize, points: usize, dx: usize) -> Value {
    let pts: Vec<Value> = (0..points)
        .map(|i| json!({"x": (id % 50) * 20 + i * 3 + dx, "y": (id / 50) * 20 + i * 2}))
        .collect();
    json!({"id": format!("s{id}"), "type": "pencil", "points": pts,
           "style": {"strokeColor": "#1971c2", "fillColor": "transparent", "strokeWidth": 2, "opacity": 1},
           "isSelected": false})
}

/// Draws the room: adds, then updates that move strokes, acknowledged in windows.
pub(crate) async fn draw(ws_url: &str, args: &HistoryArgs) -> Run<()> {
    let (mut ws, _) = tokio_tungstenite::connect_async(ws_url).await?;
    let join = json!({"type": "JOIN_ROOM", "payload": {"userId": "bench", "username": "Bench"}});
    ws.send(Message::Text(join.to_string().into())).await?;
    let window = 256;
    let mut sent = 0;
    // Kept under the host's per-socket message rate: past it the host drops
    // messages (and says `rate_limited`), so their acks would never come.
    let pace = f64::from(coco::protocol::limits::MAX_MESSAGES_PER_SEC) * 0.8;
    let started = std::time::Instant::now();
    while sent < args.changes {
        let due = std::time::Duration::from_secs_f64(sent as f64 / pace);
        tokio::time::sleep(due.saturating_sub(started.elapsed())).await;
        let end = (sent + window).min(args.changes);
        for n in sent..end {
            let frame = if n < args.strokes {
                json!({"type": "SHAPE_ADDED", "payload": {"shape": stroke(n, args.points, 0), "opId": format!("o{n}")}})
            } else {
                let id = (n * 7919) % args.strokes;
                let points = stroke(id, args.points, n % 97)["points"].clone();
                json!({"type": "SHAPE_UPDATED", "payload": {"shapeId": format!("s{id}"), "updates": {"points": points}, "opId": format!("o{n}")}})
            };
            ws.send(Message::Text(frame.to_string().into())).await?;
        }
        let mut acked = 0;
        while acked < end - sent {
            acked += acks_in(&next_frame(&mut ws).await?)?;
        }
        sent = end;
    }
    Ok(())
}

/// How long the bench waits for the host's next message before it gives
/// up and says so (a lost ack must end the run, not hang it).
const SILENCE_LIMIT: std::time::Duration = std::time::Duration::from_secs(60);

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The next text message from the host, or an error when the socket closes
/// or stays silent past [`SILENCE_LIMIT`].
async fn next_frame(ws: &mut Socket) -> Run<Value> {
    loop {
        let msg = tokio::time::timeout(SILENCE_LIMIT, ws.next())
            .await
            .map_err(|_| format!("no message from the host for {SILENCE_LIMIT:?}"))?
            .ok_or("the host closed the socket")??;
        if let Message::Text(text) = msg {
            return Ok(serde_json::from_str(&text)?);
        }
    }
}

/// How many ops a message acknowledges; an `ERROR` ends the run with its words.
fn acks_in(v: &Value) -> Run<usize> {
    match v["type"].as_str() {
        Some("ACK") => Ok(v["payload"]["opIds"].as_array().map_or(0, Vec::len)),
        Some("ERROR") => Err(format!("the host refused a change: {}", v["payload"]).into()),
        _ => Ok(0),
    }
}

/// One `GET` over a fresh loopback connection (the way a browser's slider
/// asks): the status and the body.
pub(crate) async fn get(addr: std::net::SocketAddr, path: &str) -> Run<(u16, Vec<u8>)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no HTTP head")?;
    let head = String::from_utf8_lossy(&answer[..split]);
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or("no HTTP status")?;
    Ok((status, answer[split + 4..].to_vec()))
}

async fn time_board(addr: std::net::SocketAddr, base: &str, rev: u64) -> Run<u64> {
    let started = Instant::now();
    let (status, _) = get(addr, &format!("{base}/history/board?rev={rev}")).await?;
    if status != 200 {
        return Err(format!("board at {rev}: {status}").into());
    }
    Ok(started.elapsed().as_nanos() as u64)
}

/// Any failure of a run, said in words.
pub(crate) type Run<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

pub async fn main(args: HistoryArgs, as_json: bool) -> BenchResult<()> {
    match run(args, as_json).await {
        Ok(()) => Ok(()),
        Err(e) => fail(e.to_string()),
    }
}

async fn run(args: HistoryArgs, as_json: bool) -> Run<()> {
    let tmp = tempfile::tempdir()?;
    let room = "history-bench";
    let host = coco::host::Host::start(coco::config::Config::ephemeral(tmp.path())).await?;
    let started = Instant::now();
    progress(&format!(
        "drawing {} changes over {} strokes",
        args.changes, args.strokes
    ));
    draw(&format!("ws://{}/?room={room}", host.ws_addr()), &args).await?;
    let draw_s = started.elapsed().as_secs_f64();
    let base = format!("/api/rooms/{room}");
    let http = host.http_addr();
    let range: Value =
        serde_json::from_slice(&get(http, &format!("{base}/history?limit=1")).await?.1)?;
    let current = range["range"]["currentRev"].as_u64().unwrap_or(0);
    let keyframes = range["range"]["keyframes"].as_array().map_or(0, Vec::len);
    let (mut past, mut now) = (histogram(), histogram());
    let mut rng = rand::rng();
    for _ in 0..args.samples {
        record_ns(
            &mut past,
            time_board(http, &base, rng.random_range(0..=current)).await?,
        );
        record_ns(&mut now, time_board(http, &base, current).await?);
    }
    host.shutdown().await;
    let store = coco::store::Store::open(tmp.path())?;
    let bytes = store.history_state(room)?.map_or(0, |s| s.meta.total_bytes);
    drop(store);
    let thinned = match args.thin_mb {
        Some(mb) => {
            let mut config = coco::config::Config::ephemeral(tmp.path());
            config.history_budget = mb * 1024 * 1024;
            let host = coco::host::Host::start(config).await?;
            // One more change makes the room thin itself to its budget.
            let (mut ws, _) =
                tokio_tungstenite::connect_async(format!("ws://{}/?room={room}", host.ws_addr()))
                    .await?;
            let join =
                json!({"type": "JOIN_ROOM", "payload": {"userId": "thin", "username": "Thin"}});
            ws.send(Message::Text(join.to_string().into())).await?;
            let op = json!({"type": "SHAPE_UPDATED", "payload": {"shapeId": "s0", "updates": {"x": 1}, "opId": "thin-1"}});
            ws.send(Message::Text(op.to_string().into())).await?;
            while acks_in(&next_frame(&mut ws).await?)? == 0 {}
            drop(ws);
            host.shutdown().await;
            let store = coco::store::Store::open(tmp.path())?;
            Some(store.history_state(room)?.map_or(0, |s| s.meta.total_bytes))
        }
        None => None,
    };
    let (past, now) = (Latency::of(&past), Latency::of(&now));
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    let mut human = format!(
        "history: {} changes, {} strokes, drawn in {draw_s:.1} s; {keyframes} keyframes\n  board at a random past revision: {}\n  board at the current revision:   {}\n  history on disk: {:.1} MiB",
        args.changes, args.strokes, past.line(), now.line(), mib(bytes)
    );
    if let Some(t) = thinned {
        human.push_str(&format!(
            ", after thinning to {} MiB: {:.1} MiB",
            args.thin_mb.unwrap_or(0),
            mib(t)
        ));
    }
    let value = json!({
        "scenario": "history", "changes": args.changes, "strokes": args.strokes,
        "keyframes": keyframes, "past": past.json(), "current": now.json(),
        "history_bytes": bytes, "thinned_bytes": thinned,
    });
    emit(as_json, &human, &value);
    Ok(())
}
