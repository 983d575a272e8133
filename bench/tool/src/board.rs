//! Shapes as the existing CoCo client draws them, and the document requests
//! the board scenarios share: add shapes, wait for them, ask for a sync.

use std::borrow::Cow;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde::de::IgnoredAny;
use serde::Deserialize;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use crate::client::{self, BenchResult, Envelope, Ws};

/// How long a server may take to answer one `REQUEST_SYNC`.
pub const SYNC_TIMEOUT: Duration = Duration::from_secs(30);
/// How long `wait_stored` polls before giving up.
const STORE_TIMEOUT: Duration = Duration::from_secs(60);
/// Pause between two polls of `wait_stored`.
const STORE_POLL: Duration = Duration::from_millis(100);

/// A small deterministic generator (xorshift), so every run draws the same
/// strokes without seeding a library generator.
struct Strokes(u64);

impl Strokes {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A step in -4.0..=4.0 with one decimal.
    fn step(&mut self) -> f64 {
        (self.next() % 81) as f64 / 10.0 - 4.0
    }
}

/// A pencil stroke of `points` points in the client's shape format, as JSON.
pub fn pencil_shape(id: &str, points: usize, seed: u64) -> String {
    let mut rng = Strokes(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let (mut x, mut y) = ((rng.next() % 1600) as f64, (rng.next() % 900) as f64);
    let mut json = String::with_capacity(160 + points * 24);
    json.push_str(r#"{"id":""#);
    json.push_str(id);
    json.push_str(r#"","type":"pencil","points":["#);
    for i in 0..points {
        if i > 0 {
            json.push(',');
        }
        x += rng.step();
        y += rng.step();
        json.push_str(&format!(r#"{{"x":{x:.1},"y":{y:.1}}}"#));
    }
    json.push_str(
        r##"],"style":{"strokeColor":"#1e1e1e","fillColor":"transparent","strokeWidth":2,"opacity":1},"isSelected":false}"##,
    );
    json
}

/// `SHAPE_ADDED` carrying `shape` (JSON) and an op id.
pub fn shape_added(shape: &str, user_id: &str, op_id: &str) -> String {
    format!(
        r#"{{"type":"SHAPE_ADDED","payload":{{"shape":{shape},"userId":"{user_id}","opId":"{op_id}"}}}}"#
    )
}

/// `SHAPES_DELETED` of one shape, with an op id.
pub fn shape_deleted(shape_id: &str, user_id: &str, op_id: &str) -> String {
    format!(
        r#"{{"type":"SHAPES_DELETED","payload":{{"shapeIds":["{shape_id}"],"userId":"{user_id}","opId":"{op_id}"}}}}"#
    )
}

/// One answer to `REQUEST_SYNC`, timed from the request.
#[derive(Debug, Clone)]
pub struct SyncReply {
    pub bytes: usize,
    /// Request sent → whole frame received.
    pub frame_ns: u64,
    /// Request sent → frame parsed (every shape read).
    pub parsed_ns: u64,
    pub shapes: usize,
    pub deleted: usize,
    pub rev: Option<u64>,
    pub full: Option<bool>,
}

#[derive(Deserialize)]
struct SyncPayload<'a> {
    #[serde(borrow)]
    shapes: Vec<ShapeId<'a>>,
    #[serde(default)]
    rev: Option<u64>,
    #[serde(default)]
    full: Option<bool>,
    #[serde(rename = "deletedIds", default)]
    deleted_ids: Vec<IgnoredAny>,
}

/// A shape, of which only the id is kept; the rest is still parsed (and so
/// checked to be valid JSON) as a client would.
#[derive(Deserialize)]
struct ShapeId<'a> {
    #[serde(borrow)]
    #[allow(dead_code)]
    id: Cow<'a, str>,
}

/// Sends `REQUEST_SYNC` (with `since` if given) and times the answer.
/// Whatever else arrives meanwhile is skipped.
pub async fn request_sync(
    ws: &mut Ws,
    user_id: &str,
    since: Option<u64>,
) -> BenchResult<SyncReply> {
    request_sync_within(ws, user_id, since, SYNC_TIMEOUT).await
}

/// [`request_sync`] on any stream, waiting at most `timeout` (a slow link
/// takes far longer than loopback).
pub async fn request_sync_within<S>(
    ws: &mut WebSocketStream<S>,
    user_id: &str,
    since: Option<u64>,
    timeout: Duration,
) -> BenchResult<SyncReply>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let frame = match since {
        Some(rev) => {
            format!(r#"{{"type":"REQUEST_SYNC","payload":{{"userId":"{user_id}","since":{rev}}}}}"#)
        }
        None => format!(r#"{{"type":"REQUEST_SYNC","payload":{{"userId":"{user_id}"}}}}"#),
    };
    let start = client::now_ns();
    ws.send(Message::text(frame)).await?;
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let text = match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => return client::fail(format!("no SYNC_SHAPES within {timeout:?}")),
            Ok(None) => return client::fail("socket closed while waiting for SYNC_SHAPES"),
            Ok(Some(Err(e))) => return Err(e.into()),
            Ok(Some(Ok(Message::Text(text)))) => text,
            Ok(Some(Ok(_))) => continue,
        };
        match client::message_type(&text) {
            Some("SYNC_SHAPES") => {
                let received = client::now_ns();
                let sync: Envelope<SyncPayload> = serde_json::from_str(&text)?;
                let parsed = client::now_ns();
                return Ok(SyncReply {
                    bytes: text.len(),
                    frame_ns: received - start,
                    parsed_ns: parsed - start,
                    shapes: sync.payload.shapes.len(),
                    deleted: sync.payload.deleted_ids.len(),
                    rev: sync.payload.rev,
                    full: sync.payload.full,
                });
            }
            Some("ERROR") => return client::fail(format!("REQUEST_SYNC refused: {text}")),
            _ => {}
        }
    }
}

/// For a server that never acknowledges: polls `REQUEST_SYNC` until the room
/// holds at least `count` shapes.
pub async fn wait_stored(ws: &mut Ws, user_id: &str, count: usize) -> BenchResult<SyncReply> {
    let deadline = tokio::time::Instant::now() + STORE_TIMEOUT;
    loop {
        let reply = request_sync(ws, user_id, None).await?;
        if reply.shapes >= count {
            return Ok(reply);
        }
        if tokio::time::Instant::now() >= deadline {
            return client::fail(format!(
                "the room holds {} of {count} shapes after {STORE_TIMEOUT:?}",
                reply.shapes
            ));
        }
        tokio::time::sleep(STORE_POLL).await;
    }
}

/// Reads and drops whatever arrives until the socket has been quiet for
/// `quiet` (at most `limit` in all), so a timed request starts clean.
pub async fn drain(ws: &mut Ws, quiet: Duration, limit: Duration) -> BenchResult<usize> {
    let deadline = tokio::time::Instant::now() + limit;
    let mut dropped = 0;
    while tokio::time::Instant::now() < deadline {
        match tokio::time::timeout(quiet, ws.next()).await {
            Err(_) => break,
            Ok(None) => return client::fail("socket closed"),
            Ok(Some(Err(e))) => return Err(e.into()),
            Ok(Some(Ok(_))) => dropped += 1,
        }
    }
    Ok(dropped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pencil_shape_is_valid_json_in_the_client_format() {
        let shape: serde_json::Value = serde_json::from_str(&pencil_shape("s1", 50, 7)).unwrap();
        assert_eq!(shape["id"], "s1");
        assert_eq!(shape["type"], "pencil");
        assert_eq!(shape["points"].as_array().unwrap().len(), 50);
        assert_eq!(shape["style"]["strokeWidth"], 2);
        assert_eq!(shape["isSelected"], false);
        let frame: serde_json::Value =
            serde_json::from_str(&shape_added(&pencil_shape("s1", 2, 1), "u", "op-1")).unwrap();
        assert_eq!(frame["payload"]["opId"], "op-1");
    }

    #[test]
    fn the_same_seed_draws_the_same_stroke() {
        assert_eq!(pencil_shape("a", 10, 3), pencil_shape("a", 10, 3));
        assert_ne!(pencil_shape("a", 10, 3), pencil_shape("a", 10, 4));
    }
}
