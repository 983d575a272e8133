//! One task per WebSocket connection.
//!
//! The socket is split: this task reads and applies frames, a writer task
//! drains the connection's [`Outbox`] into the socket. Nothing in the read
//! path waits on another peer's socket, so a stalled reader only ever stalls
//! itself (and is cut off once its backlog overflows).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::{Frame as WireFrame, FrameHeader};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};
use tokio_util::sync::CancellationToken;

use crate::discovery::{nearby_frame, DiscoveryHandle};
use crate::protocol::limits::{
    MAX_FRAME_BYTES, MAX_MESSAGES_PER_SEC, MESSAGE_BURST, RATE_LIMIT_PENALTY_MS,
};
use crate::protocol::{
    self, error_frame, error_frame_for_op, ClientMessage, ErrorCode, Frame, ProtocolError,
};
use crate::room::{
    Author, Claim, Claimed, CloseReason, Conn, Joined, LaserPace, Outbox, Room, Rooms, Watched,
    SECRETLESS_TAKEOVER_WAIT,
};
use crate::socket::{Socket, DEFLATE_OFFLOAD_BYTES};

/// How long the writer may take to send the last frames (an error, the
/// close frame) after the reader is done.
const WRITER_GRACE: Duration = Duration::from_secs(2);
/// How long a socket may stay open without joining a room. Every client
/// sends `JOIN_ROOM` as soon as the socket opens; a socket that does not is
/// holding a place for nothing.
pub const JOIN_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the host pings each socket. Browsers and WebSocket libraries
/// answer by themselves, so a quiet person still answers.
pub const PING_INTERVAL: Duration = Duration::from_secs(5);
/// How long a peer may send nothing at all (not even a pong) before the
/// host takes it for gone: a tablet that left the Wi-Fi or went to sleep
/// never closes its socket. Its seat is freed (`USER_LEFT`) and kept for
/// its return, as after any disconnect.
pub const PEER_SILENCE_LIMIT: Duration = Duration::from_secs(20);

/// Where a connection is in its room.
enum Place {
    /// Holds a seat: draws, points, is acknowledged.
    Seated(Arc<Room>, Joined),
    /// Watches from beyond the seats, under this user id.
    Watching(Arc<Room>, Arc<str>),
}

/// What a connection needs from the host.
pub struct Session {
    pub rooms: Rooms,
    /// Sessions nearby: sent once after the join (changes are broadcast).
    pub nearby: DiscoveryHandle,
    pub room: String,
    pub conn_id: u64,
    /// Where the peer connects from: an unbound seat comes back only to it.
    pub peer: IpAddr,
    pub shutdown: CancellationToken,
    /// The host's own page (the admin secret, from this machine): it
    /// changes the board even while the host has locked it.
    pub author: Author,
}

impl Session {
    /// Serves one socket; `deflate` when the peer agreed to
    /// permessage-deflate, and frames to it may be compressed.
    pub async fn run(self, socket: Socket, deflate: bool) {
        let (sink, stream) = socket.split();
        let conn = Conn {
            id: self.conn_id,
            outbox: Arc::new(Outbox::new()),
        };
        let writer = tokio::spawn(write_loop(sink, conn.outbox.clone(), deflate));
        match self.read_loop(stream, &conn).await {
            Some(Place::Seated(room, joined)) => room.leave(&joined.user_id, conn.id),
            Some(Place::Watching(room, _)) => room.unwatch(conn.id),
            None => {}
        }
        conn.outbox.close(CloseReason {
            code: 1000,
            reason: String::new(),
        });
        if tokio::time::timeout(WRITER_GRACE, writer).await.is_err() {
            conn.outbox.kill();
        }
    }

    async fn read_loop(&self, mut stream: SplitStream<Socket>, conn: &Conn) -> Option<Place> {
        let outbox = &conn.outbox;
        let mut limiter = RateLimiter::new();
        let mut laser_pace = LaserPace::default();
        let mut joined: Option<Place> = None;
        // Made once: re-creating them per frame would re-register a waiter
        // on the host-wide shutdown token for every message of every peer.
        let shutdown = self.shutdown.cancelled();
        let killed = outbox.killed();
        let join_deadline = tokio::time::sleep(JOIN_TIMEOUT);
        tokio::pin!(shutdown, killed, join_deadline);
        // Checked on a timer rather than reset per frame: a frame only
        // stores the time it arrived, which the rate limiter reads anyway.
        let mut last_heard = Instant::now();
        let mut silence_check = tokio::time::interval(PING_INTERVAL);
        loop {
            let next = tokio::select! {
                biased;
                _ = &mut shutdown => {
                    outbox.close(CloseReason { code: 1001, reason: "the host is shutting down".into() });
                    break;
                }
                _ = &mut killed => break,
                _ = &mut join_deadline, if joined.is_none() => {
                    outbox.push(error_frame(
                        ErrorCode::NotJoined,
                        &format!("no JOIN_ROOM within {} s; the connection is closed", JOIN_TIMEOUT.as_secs()),
                    ));
                    outbox.close(CloseReason { code: 1008, reason: "no JOIN_ROOM".into() });
                    break;
                }
                _ = silence_check.tick() => {
                    if last_heard.elapsed() >= PEER_SILENCE_LIMIT {
                        tracing::debug!("no answer from {} for {PEER_SILENCE_LIMIT:?}; freeing its seat", self.peer);
                        outbox.close(CloseReason { code: 1001, reason: "no answer from this device".into() });
                        break;
                    }
                    continue;
                }
                next = stream.next() => next,
            };
            let now = Instant::now();
            last_heard = now;
            let text = match next {
                Some(Ok(Message::Text(text))) => text,
                Some(Ok(Message::Binary(_))) => {
                    outbox.push(error_frame(
                        ErrorCode::BadJson,
                        "frames must be JSON text, not binary",
                    ));
                    continue;
                }
                Some(Ok(Message::Close(_))) | None => break,
                Some(Ok(_)) => continue,
                Some(Err(e)) => {
                    // tungstenite refuses a message over its own cap before we see it.
                    let message = format!("the connection failed: {e}");
                    outbox.push(error_frame(ErrorCode::TooLarge, &message));
                    break;
                }
            };
            match limiter.check(now) {
                Verdict::Allow => {}
                Verdict::Trip => {
                    outbox.push(error_frame(
                        ErrorCode::RateLimited,
                        &format!(
                            "more than {MAX_MESSAGES_PER_SEC} messages a second; messages are dropped for {RATE_LIMIT_PENALTY_MS} ms"
                        ),
                    ));
                    continue;
                }
                Verdict::Drop => continue,
            }
            let msg = match protocol::parse(&text) {
                Ok(msg) => msg,
                Err(e) => {
                    let op_id = protocol::refused_op_id(&text);
                    outbox.push(error_frame_for_op(e.code, &e.message, op_id.as_deref()));
                    if e.code == ErrorCode::TooLarge {
                        outbox.close(CloseReason {
                            code: 1009,
                            reason: "message too large".into(),
                        });
                        break;
                    }
                    continue;
                }
            };
            if matches!(msg, ClientMessage::Laser(_)) && !laser_pace.allow(now) {
                continue;
            }
            if let (
                Some(Place::Seated(room, _) | Place::Watching(room, _)),
                ClientMessage::RequestSync(request),
            ) = (&joined, &msg)
            {
                room.prepare_sync(request).await;
            }
            let op_id = msg.op_id().map(str::to_owned);
            let watching = matches!(joined, Some(Place::Watching(..)));
            let first = joined.is_none();
            let result = match (&joined, msg) {
                (
                    _,
                    ClientMessage::JoinRoom {
                        user_id,
                        watch: true,
                        ..
                    },
                ) => self.watch(conn, &joined, &user_id).await.map(Some),
                (
                    _,
                    ClientMessage::JoinRoom {
                        user_id,
                        username,
                        position,
                        secret,
                        watch: false,
                    },
                ) => self
                    .join(
                        conn,
                        &joined,
                        Claim {
                            user_id: &user_id,
                            username,
                            position,
                            secret: secret.as_deref(),
                            peer: self.peer,
                            patient: true,
                        },
                    )
                    .await
                    .map(|(room, j)| Some(Place::Seated(room, j))),
                (None, _) => Err(ProtocolError::new(
                    ErrorCode::NotJoined,
                    "send JOIN_ROOM before any other message",
                )),
                (Some(Place::Seated(room, j)), msg) => room
                    .handle_as(conn, &j.user_id, msg, self.author)
                    .map(|()| None),
                (Some(Place::Watching(room, _)), msg) => {
                    room.handle_watcher(conn, msg).map(|()| None)
                }
            };
            match result {
                Ok(Some(place)) => {
                    let sessions = self.nearby.sessions();
                    if first && !sessions.is_empty() {
                        outbox.push(nearby_frame(&sessions));
                    }
                    joined = Some(place);
                }
                Ok(None) => {}
                Err(e) => {
                    outbox.push(error_frame_for_op(e.code, &e.message, op_id.as_deref()));
                    let close = match e.code {
                        // A watcher that asked for a seat in vain goes on watching.
                        ErrorCode::RoomFull if watching => None,
                        ErrorCode::RoomFull => Some((1013, "room full")),
                        ErrorCode::Removed => Some((4001, "removed by the host")),
                        _ => None,
                    };
                    if let Some((code, reason)) = close {
                        outbox.close(CloseReason {
                            code,
                            reason: reason.into(),
                        });
                        break;
                    }
                }
            }
        }
        joined
    }

    /// This connection's room, loaded if it was not.
    async fn room(&self) -> Result<Arc<Room>, ProtocolError> {
        self.rooms
            .get(&self.room)
            .await
            .map_err(|e| ProtocolError::invalid(e.to_string()))
    }

    /// Watches the room from beyond its seats.
    async fn watch(
        &self,
        conn: &Conn,
        current: &Option<Place>,
        user_id: &str,
    ) -> Result<Place, ProtocolError> {
        same_user(current, user_id)?;
        if matches!(current, Some(Place::Seated(..))) {
            return Err(ProtocolError::invalid(
                "this connection holds a seat; it cannot also watch",
            ));
        }
        loop {
            let room = self.room().await?;
            if room.watch(conn, user_id)? == Watched::Watching {
                return Ok(Place::Watching(room, user_id.into()));
            }
        }
    }

    async fn join(
        &self,
        conn: &Conn,
        current: &Option<Place>,
        claim: Claim<'_>,
    ) -> Result<(Arc<Room>, Joined), ProtocolError> {
        same_user(current, claim.user_id)?;
        // Seats freed anywhere bump this: a seat held by a closing
        // connection of the same client is asked for again when it goes.
        let mut freed = self.rooms.occupancy();
        let patience = tokio::time::Instant::now() + SECRETLESS_TAKEOVER_WAIT;
        let mut claim = claim;
        loop {
            let room = self.room().await?;
            freed.mark_unchanged();
            match room.claim(conn, claim.clone())? {
                Claimed::Joined(joined) => return Ok((room, joined)),
                Claimed::Retired => {}
                Claimed::Busy => {
                    let changed = tokio::time::timeout_at(patience, freed.changed()).await;
                    if !matches!(changed, Ok(Ok(()))) {
                        claim.patient = false;
                    }
                }
            }
        }
    }
}

/// One connection is one person: a later `JOIN_ROOM` (to take a seat
/// after watching, or after a reconnect) names the same user.
fn same_user(current: &Option<Place>, user_id: &str) -> Result<(), ProtocolError> {
    let held = match current {
        Some(Place::Seated(_, j)) => &j.user_id,
        Some(Place::Watching(_, id)) => id,
        None => return Ok(()),
    };
    if &**held != user_id {
        return Err(ProtocolError::invalid(format!(
            "this connection already joined as {:?}",
            &**held
        )));
    }
    Ok(())
}

async fn write_loop(mut sink: SplitSink<Socket, Message>, outbox: Arc<Outbox>, deflate: bool) {
    let killed = outbox.killed();
    tokio::pin!(killed);
    let mut ping =
        tokio::time::interval_at(tokio::time::Instant::now() + PING_INTERVAL, PING_INTERVAL);
    loop {
        tokio::select! {
            biased;
            _ = &mut killed => return,
            _ = outbox.ready() => {}
            _ = ping.tick() => {
                // A peer that does not read makes this wait; the reader's
                // silence check ends the connection meanwhile.
                let sent = tokio::select! {
                    biased;
                    _ = &mut killed => return,
                    sent = sink.send(Message::Ping(Default::default())) => sent,
                };
                if sent.is_err() {
                    return;
                }
                continue;
            }
        }
        let drained = outbox.drain();
        let send = async {
            for frame in drained.frames {
                // What is queued goes out before a long compression: the
                // first part of a board in parts must not wait for the rest.
                if deflate && compressed_off_workers(&frame) {
                    sink.flush().await?;
                }
                sink.feed(message_of(frame, deflate).await).await?;
            }
            if let Some(close) = drained.close {
                sink.send(Message::Close(Some(CloseFrame {
                    code: close.code.into(),
                    reason: close.reason.into(),
                })))
                .await?;
                // The host ended this connection (kicked, replaced, room
                // full): the reader must not wait for the peer to answer
                // the close frame, or the seat would stay taken.
                outbox.kill();
                return Ok(true);
            }
            sink.flush().await?;
            Ok::<bool, tokio_tungstenite::tungstenite::Error>(false)
        };
        let done = tokio::select! {
            biased;
            _ = &mut killed => true,
            sent = send => sent.unwrap_or(true),
        };
        if done {
            return;
        }
    }
}

/// A frame as it goes to this peer: compressed (RSV1 set, the shared
/// compressed payload) when the peer agreed to it and the frame is long
/// enough, else as text. A long frame is compressed on the blocking pool.
async fn message_of(frame: Frame, deflate: bool) -> Message {
    if !deflate {
        return Message::Text(text_of(frame));
    }
    let deflated = match frame.deflated_ready() {
        Some(ready) => Some(ready),
        None if compressed_off_workers(&frame) => {
            let shared = frame.clone();
            tokio::task::spawn_blocking(move || shared.deflated())
                .await
                .ok()
                .flatten()
        }
        None => frame.deflated(),
    };
    match deflated {
        Some(payload) if payload.len() < frame.len() => {
            let header = FrameHeader {
                is_final: true,
                rsv1: true,
                rsv2: false,
                rsv3: false,
                opcode: OpCode::Data(Data::Text),
                mask: None,
            };
            Message::Frame(WireFrame::from_payload(header, payload))
        }
        _ => Message::Text(text_of(frame)),
    }
}

/// Whether compressing `frame` for a peer is still to do and long enough to
/// go to the blocking pool.
fn compressed_off_workers(frame: &Frame) -> bool {
    frame.len() >= DEFLATE_OFFLOAD_BYTES && frame.deflated_ready().is_none()
}

/// A frame as the WebSocket library takes it: the same bytes, shared, not
/// copied. The library checks that they are UTF-8 (a frame always is), one
/// pass over bytes that are about to be written to the socket anyway.
fn text_of(frame: Frame) -> Utf8Bytes {
    Utf8Bytes::try_from(frame.into_bytes()).expect("a frame is UTF-8")
}

/// Token bucket of [`MAX_MESSAGES_PER_SEC`] with a burst of [`MESSAGE_BURST`].
struct RateLimiter {
    tokens: f64,
    last: Instant,
    penalty_until: Option<Instant>,
}

#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Allow,
    /// Just ran out: tell the sender once.
    Trip,
    /// Still serving the penalty.
    Drop,
}

impl RateLimiter {
    fn new() -> Self {
        RateLimiter {
            tokens: f64::from(MESSAGE_BURST),
            last: Instant::now(),
            penalty_until: None,
        }
    }

    fn check(&mut self, now: Instant) -> Verdict {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens =
            (self.tokens + elapsed * f64::from(MAX_MESSAGES_PER_SEC)).min(f64::from(MESSAGE_BURST));
        if let Some(until) = self.penalty_until {
            if now < until {
                return Verdict::Drop;
            }
            self.penalty_until = None;
        }
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Verdict::Allow;
        }
        self.penalty_until = Some(now + Duration::from_millis(RATE_LIMIT_PENALTY_MS));
        Verdict::Trip
    }
}

/// The socket-level cap handed to the WebSocket library: above
/// [`MAX_FRAME_BYTES`] so that an oversized frame still gets a `too_large`
/// answer, bounded so that it is never buffered without limit.
pub const SOCKET_MESSAGE_CAP: usize = 2 * MAX_FRAME_BYTES;

/// Read chunk per connection. The library's default (128 KiB) costs 100 MB
/// across 800 sockets; almost every frame (a cursor, a stroke) is far smaller.
pub const SOCKET_READ_BUFFER: usize = 8 * 1024;

/// Bytes gathered before a write reaches the socket (a flush always writes).
pub const SOCKET_WRITE_BUFFER: usize = 16 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_allows_a_burst_then_trips_once_then_drops() {
        let mut limiter = RateLimiter::new();
        let now = Instant::now();
        for _ in 0..MESSAGE_BURST {
            assert_eq!(limiter.check(now), Verdict::Allow);
        }
        assert_eq!(limiter.check(now), Verdict::Trip);
        assert_eq!(limiter.check(now), Verdict::Drop);
        let later = now + Duration::from_millis(RATE_LIMIT_PENALTY_MS + 1);
        assert_eq!(limiter.check(later), Verdict::Allow);
    }
}
