//! A minimal CoCo-protocol WebSocket client: connect, join, and read the few
//! fields the scenarios need without building a JSON tree per message.
//!
//! It depends on nothing but the wire protocol, so the same code drives the
//! CoCo host and the Node baseline.

use std::borrow::Cow;
use std::fmt;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long opening a socket (TCP + upgrade) may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the server may take to confirm a `JOIN_ROOM`.
pub const JOIN_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest message the bench accepts: a big-board sync is several megabytes.
pub const MAX_MESSAGE_BYTES: usize = 512 * 1024 * 1024;

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;
pub type WsSink = SplitSink<Ws, Message>;

/// Why a scenario could not run; printed as is.
#[derive(Debug)]
pub struct BenchError(pub String);

impl fmt::Display for BenchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BenchError {}

impl From<tungstenite::Error> for BenchError {
    fn from(e: tungstenite::Error) -> Self {
        match e {
            tungstenite::Error::Http(response) => {
                let body = response
                    .body()
                    .as_deref()
                    .map(String::from_utf8_lossy)
                    .unwrap_or_default();
                let body: String = body.chars().take(200).collect();
                BenchError(
                    format!("upgrade refused with HTTP {} {body}", response.status())
                        .trim_end()
                        .to_string(),
                )
            }
            other => BenchError(format!("websocket: {other}")),
        }
    }
}

impl From<std::io::Error> for BenchError {
    fn from(e: std::io::Error) -> Self {
        BenchError(format!("io: {e}"))
    }
}

impl From<serde_json::Error> for BenchError {
    fn from(e: serde_json::Error) -> Self {
        BenchError(format!("json: {e}"))
    }
}

pub type BenchResult<T> = Result<T, BenchError>;

/// Shorthand for a failed scenario.
pub fn fail<T>(message: impl Into<String>) -> BenchResult<T> {
    Err(BenchError(message.into()))
}

/// The process-wide clock origin. Senders stamp messages with nanoseconds
/// since it, and receivers in the same process subtract, which gives one-way
/// latency without any clock synchronisation.
fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// Nanoseconds since [`epoch`].
pub fn now_ns() -> u64 {
    epoch().elapsed().as_nanos() as u64
}

/// The tokio instant that corresponds to `ns` on the [`now_ns`] clock.
pub fn instant_at(ns: u64) -> tokio::time::Instant {
    tokio::time::Instant::from_std(epoch() + Duration::from_nanos(ns))
}

/// A short random tag so ids from different runs never collide.
pub fn run_tag() -> String {
    format!("{:08x}", rand::random::<u32>())
}

/// `base` with `room=NAME` added to its query. A URL without a path gets `/`,
/// so that the request line stays valid.
pub fn room_url(base: &str, room: &str) -> String {
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let rest = &base[after_scheme..];
    let mut url = match rest.find(['/', '?']) {
        Some(i) if rest.as_bytes()[i] == b'/' => base.to_string(),
        Some(i) => format!("{}/{}", &base[..after_scheme + i], &rest[i..]),
        None => format!("{base}/"),
    };
    url.push(if url.contains('?') { '&' } else { '?' });
    url.push_str("room=");
    url.push_str(room);
    url
}

/// Read buffer of a socket that carries small messages. tungstenite zeroes
/// its whole read buffer before every read (128 KiB by default), which made
/// that memset the bench's biggest cost; small messages need little.
const CHATTY_READ_BUFFER: usize = 4 * 1024;
/// Read buffer of a socket that receives whole boards.
pub const BULK_READ_BUFFER: usize = 256 * 1024;

/// Opens a WebSocket for small messages (cursors, ops, acks).
pub async fn connect(url: &str) -> BenchResult<Ws> {
    connect_with(url, CHATTY_READ_BUFFER).await
}

/// Opens a WebSocket that will receive multi-megabyte syncs.
pub async fn connect_bulk(url: &str) -> BenchResult<Ws> {
    connect_with(url, BULK_READ_BUFFER).await
}

/// Opens a WebSocket with Nagle off (the bench measures latency, and so does
/// every real client on a LAN).
async fn connect_with(url: &str, read_buffer: usize) -> BenchResult<Ws> {
    let connecting =
        tokio_tungstenite::connect_async_with_config(url, Some(config(read_buffer)), true);
    match tokio::time::timeout(CONNECT_TIMEOUT, connecting).await {
        Ok(Ok((ws, _response))) => Ok(ws),
        Ok(Err(e)) => fail(format!("{url}: {}", BenchError::from(e))),
        Err(_) => fail(format!("{url}: no connection within {CONNECT_TIMEOUT:?}")),
    }
}

/// The socket settings every bench client uses, with this read buffer.
pub fn config(read_buffer: usize) -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(read_buffer)
        .max_message_size(Some(MAX_MESSAGE_BYTES))
        .max_frame_size(Some(MAX_MESSAGE_BYTES))
}

/// The `JOIN_ROOM` frame for `user_id`.
pub fn join_frame(user_id: &str) -> String {
    format!(r#"{{"type":"JOIN_ROOM","payload":{{"userId":"{user_id}","username":"{user_id}"}}}}"#)
}

/// Sends `JOIN_ROOM` and waits for the server to accept it: a `WELCOME`, or
/// the `USER_JOINED` that names us (all the baseline sends).
pub async fn join<S>(ws: &mut WebSocketStream<S>, user_id: &str) -> BenchResult<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    accepted(ws, user_id, join_frame(user_id)).await
}

/// Joins as a watcher (`JOIN_ROOM {watch: true}`, CoCo only): no seat,
/// everything relayed in the room is delivered to it.
pub async fn watch<S>(ws: &mut WebSocketStream<S>, user_id: &str) -> BenchResult<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let frame = format!(
        r#"{{"type":"JOIN_ROOM","payload":{{"userId":"{user_id}","username":"{user_id}","watch":true}}}}"#
    );
    accepted(ws, user_id, frame).await
}

async fn accepted<S>(ws: &mut WebSocketStream<S>, user_id: &str, frame: String) -> BenchResult<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    ws.send(Message::text(frame)).await?;
    let deadline = tokio::time::Instant::now() + JOIN_TIMEOUT;
    loop {
        let text = match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => {
                return fail(format!(
                    "{user_id}: join not confirmed within {JOIN_TIMEOUT:?}"
                ))
            }
            Ok(None) => return fail(format!("{user_id}: socket closed while joining")),
            Ok(Some(Err(e))) => return Err(e.into()),
            Ok(Some(Ok(Message::Text(text)))) => text,
            Ok(Some(Ok(_))) => continue,
        };
        match message_type(&text) {
            Some("WELCOME") | Some("WATCHING") => return Ok(()),
            Some("USER_JOINED") if joined_id(&text).as_deref() == Some(user_id) => return Ok(()),
            Some("ERROR") => return fail(format!("{user_id}: join refused: {text}")),
            _ => {}
        }
    }
}

/// Sends a Close frame and gives the server a moment to see it, so its seat
/// frees before the next run joins the same room.
pub async fn close(mut sink: WsSink) {
    let _ = tokio::time::timeout(Duration::from_millis(500), sink.close()).await;
}

/// Any frame: `{type, payload}` with the payload typed as the caller wants.
#[derive(Deserialize)]
pub struct Envelope<P> {
    pub payload: P,
}

#[derive(Deserialize)]
struct TypeOnly<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
}

/// The `type` of a frame. Servers put it first, so that case is read
/// straight from the bytes; anything else falls back to a real parse.
pub fn message_type(text: &str) -> Option<&str> {
    const PREFIX: &str = r#"{"type":""#;
    if let Some(rest) = text.strip_prefix(PREFIX) {
        let end = rest.find('"')?;
        return Some(&rest[..end]);
    }
    match serde_json::from_str::<TypeOnly>(text).ok()?.kind {
        Cow::Borrowed(kind) => Some(kind),
        Cow::Owned(_) => None,
    }
}

#[derive(Deserialize)]
struct IdPayload {
    #[serde(default)]
    id: Option<String>,
}

fn joined_id(text: &str) -> Option<String> {
    serde_json::from_str::<Envelope<IdPayload>>(text)
        .ok()?
        .payload
        .id
}

/// `ERROR {code}`: the code, or `unknown` when the frame has none.
pub fn error_code(text: &str) -> String {
    #[derive(Deserialize)]
    struct ErrorPayload {
        #[serde(default)]
        code: Option<String>,
    }
    serde_json::from_str::<Envelope<ErrorPayload>>(text)
        .ok()
        .and_then(|m| m.payload.code)
        .unwrap_or_else(|| "unknown".to_string())
}

/// Op ids named in an `ACK {opIds, rev}`.
pub fn ack_op_ids(text: &str) -> Vec<String> {
    #[derive(Deserialize)]
    struct AckPayload {
        #[serde(rename = "opIds", default)]
        op_ids: Vec<String>,
    }
    serde_json::from_str::<Envelope<AckPayload>>(text)
        .map(|m| m.payload.op_ids)
        .unwrap_or_default()
}

/// Error codes seen during a run, with counts, in first-seen order.
#[derive(Debug, Clone, Default)]
pub struct ErrorTally(pub Vec<(String, u64)>);

impl ErrorTally {
    pub fn add(&mut self, code: &str, count: u64) {
        match self.0.iter_mut().find(|(c, _)| c == code) {
            Some((_, n)) => *n += count,
            None => self.0.push((code.to_string(), count)),
        }
    }

    pub fn merge(&mut self, other: &ErrorTally) {
        for (code, n) in &other.0 {
            self.add(code, *n);
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        let map = self
            .0
            .iter()
            .map(|(c, n)| (c.clone(), serde_json::Value::from(*n)))
            .collect::<serde_json::Map<_, _>>();
        serde_json::Value::Object(map)
    }
}

impl fmt::Display for ErrorTally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("none");
        }
        let parts: Vec<String> = self.0.iter().map(|(c, n)| format!("{c} ×{n}")).collect();
        f.write_str(&parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_is_added_to_any_url_shape() {
        assert_eq!(room_url("ws://h:1", "a"), "ws://h:1/?room=a");
        assert_eq!(room_url("ws://h:1/", "a"), "ws://h:1/?room=a");
        assert_eq!(room_url("ws://h:1/ws", "a"), "ws://h:1/ws?room=a");
        assert_eq!(room_url("ws://h:1?code=x", "a"), "ws://h:1/?code=x&room=a");
        assert_eq!(
            room_url("ws://h:1/ws?code=x", "a"),
            "ws://h:1/ws?code=x&room=a"
        );
    }

    #[test]
    fn type_is_read_with_and_without_the_fast_path() {
        assert_eq!(message_type(r#"{"type":"ACK","payload":{}}"#), Some("ACK"));
        assert_eq!(
            message_type(r#"{"payload":{"type":"x"},"type":"ACK"}"#),
            Some("ACK")
        );
        assert_eq!(message_type(r#"{ "type" : "ACK" }"#), Some("ACK"));
        assert_eq!(message_type("not json"), None);
    }

    #[test]
    fn acks_and_errors_are_read() {
        let ack = r#"{"type":"ACK","payload":{"opIds":["a","b"],"rev":3}}"#;
        assert_eq!(ack_op_ids(ack), vec!["a", "b"]);
        let err = r#"{"type":"ERROR","payload":{"code":"rate_limited","message":"slow"}}"#;
        assert_eq!(error_code(err), "rate_limited");
    }
}
