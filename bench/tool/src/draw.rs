//! `draw`: people drawing together, as the web UI sends it, and the bytes
//! each one's socket carries. While a stroke is drawn the UI sends a
//! `CURSOR_MOVE` carrying the stroke so far every `DRAFT_INTERVAL_MS` (the
//! others see it grow), then the finished stroke as `SHAPE_ADDED`; everyone
//! else receives all of it. With `--deflate` each person offers
//! permessage-deflate as a browser does.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use clap::Args;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::client::{self, BenchResult};
use crate::join::{connect_counted, Connected};
use crate::report;

/// The web UI's pace for a stroke being drawn (`ui/js/live.js`).
const DRAFT_INTERVAL_MS: u64 = 66;

#[derive(Debug, Clone, Args)]
pub struct DrawArgs {
    /// WebSocket URL of the server (with `?code=` when it asks one).
    #[arg(long)]
    pub url: String,
    #[arg(long)]
    pub room: String,
    /// People drawing at once (a room seats four).
    #[arg(long, default_value_t = 4)]
    pub people: usize,
    /// How long they draw.
    #[arg(long, default_value_t = 60.0)]
    pub seconds: f64,
    /// Points of each stroke: one is added per draft message.
    #[arg(long, default_value_t = 30)]
    pub points: usize,
    /// Pause between two strokes of one person, in ms.
    #[arg(long, default_value_t = 500)]
    pub pause_ms: u64,
    /// Offer permessage-deflate, as browsers do.
    #[arg(long)]
    pub deflate: bool,
}

/// One person's count.
struct Drawn {
    received: u64,
    sent: u64,
    strokes: usize,
    deflated: bool,
}

/// A stroke's points so far: a wobbly line, one decimal, as pointers give.
fn stroke(person: usize, n: usize, points: usize) -> Vec<Value> {
    let (x0, y0) = (100.0 * person as f64, 37.0 * n as f64);
    (0..points)
        .map(|i| {
            let t = i as f64;
            let x = ((x0 + t * 3.1 + (t * 0.7).sin() * 4.0) * 10.0).round() / 10.0;
            let y = ((y0 + t * 1.3 + (t * 0.5).cos() * 6.0) * 10.0).round() / 10.0;
            json!({"x": x, "y": y})
        })
        .collect()
}

fn shape(id: &str, user_id: &str, points: Vec<Value>) -> Value {
    json!({
        "id": id, "type": "pencil", "points": points,
        "style": {"strokeColor": "#1e1e1e", "fillColor": "transparent", "strokeWidth": 3, "opacity": 1},
        "isSelected": false, "createdBy": user_id,
    })
}

async fn person(args: DrawArgs, url: String, index: usize, tag: String) -> BenchResult<Drawn> {
    let user_id = format!("draw-{tag}-{index}");
    let Connected {
        mut ws,
        received,
        sent,
        deflated,
        ..
    } = connect_counted(&url, args.deflate, 64 * 1024, Instant::now()).await?;
    client::join(&mut ws, &user_id).await?;
    let (mut sink, mut stream) = ws.split();
    // Everything the others send is read (and counted) as it comes.
    let reader = tokio::spawn(async move { while let Some(Ok(_)) = stream.next().await {} });
    let deadline = Instant::now() + Duration::from_secs_f64(args.seconds);
    let mut strokes = 0;
    let mut tick = tokio::time::interval(Duration::from_millis(DRAFT_INTERVAL_MS));
    'drawing: loop {
        let id = format!("{user_id}-s{strokes}");
        let points = stroke(index, strokes, args.points);
        for n in 1..=points.len() {
            tick.tick().await;
            if Instant::now() >= deadline {
                break 'drawing;
            }
            let at = &points[n - 1];
            let draft = shape(&id, &user_id, points[..n].to_vec());
            let frame = json!({"type": "CURSOR_MOVE", "payload": {
                "userId": user_id, "position": at, "draft": draft}});
            sink.send(Message::text(frame.to_string())).await?;
        }
        let frame = json!({"type": "SHAPE_ADDED", "payload": {
            "shape": shape(&id, &user_id, points), "userId": user_id, "opId": format!("{id}-op")}});
        sink.send(Message::text(frame.to_string())).await?;
        strokes += 1;
        tokio::time::sleep(Duration::from_millis(args.pause_ms)).await;
    }
    // The others' last messages drain before the count is read.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let drawn = Drawn {
        received: received.load(Ordering::Relaxed),
        sent: sent.load(Ordering::Relaxed),
        strokes,
        deflated,
    };
    let _ = sink.close().await;
    reader.abort();
    Ok(drawn)
}

pub async fn main(args: DrawArgs, as_json: bool) -> BenchResult<()> {
    let url = client::room_url(&args.url, &args.room);
    let tag = client::run_tag();
    let people: Vec<_> = (0..args.people.max(1))
        .map(|i| tokio::spawn(person(args.clone(), url.clone(), i, tag.clone())))
        .collect();
    let mut drawn = Vec::new();
    for p in people {
        match p.await {
            Ok(result) => drawn.push(result?),
            Err(e) => return client::fail(format!("a person's task failed: {e}")),
        }
    }
    let minutes = args.seconds / 60.0;
    let per_minute = |pick: fn(&Drawn) -> u64| {
        drawn.iter().map(pick).sum::<u64>() as f64 / drawn.len() as f64 / minutes
    };
    let received = per_minute(|d| d.received);
    let sent = per_minute(|d| d.sent);
    let deflated = drawn.iter().all(|d| d.deflated);
    let strokes: usize = drawn.iter().map(|d| d.strokes).sum();
    let human = format!(
        "draw  {url}\n  {} people, {:.0} s, {strokes} strokes of {} points: per person per \
         minute {} received, {} sent ({})",
        drawn.len(),
        args.seconds,
        args.points,
        report::bytes(received as usize),
        report::bytes(sent as usize),
        if deflated {
            "compressed"
        } else {
            "uncompressed"
        },
    );
    let value = json!({
        "scenario": "draw",
        "people": drawn.len(),
        "seconds": args.seconds,
        "points": args.points,
        "strokes": strokes,
        "deflate_offered": args.deflate,
        "deflated": deflated,
        "received_bytes_per_person_minute": received,
        "sent_bytes_per_person_minute": sent,
    });
    report::emit(as_json, &human, &value);
    Ok(())
}
