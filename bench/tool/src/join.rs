//! `join`: late joiners, one after another, joining as the web UI does:
//! open the WebSocket, `JOIN_ROOM`, `REQUEST_SYNC`, and the whole board
//! parsed. Each join is a new TCP connection, so each pays the handshake,
//! the upgrade and TCP's slow start again, as a reload or a reconnect after
//! a dropped link does. The same user joins every time, so it takes back
//! its seat rather than filling the room.
//!
//! Bytes are what the client's socket received from connecting to the
//! board: the upgrade's answer and every WebSocket frame (TCP payload). The
//! IP and TCP headers and the packets sent again below that are the link's
//! to count (`coco-bench link`, or the interface's counters).

use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use clap::Args;
use futures_util::StreamExt;
use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::WebSocketStream;

use coco::socket::{Inflating, Role};

use crate::board;
use crate::client::{self, BenchResult};
use crate::report;

/// How long the closing handshake of one join may take before the next.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Args)]
pub struct JoinArgs {
    /// WebSocket URL of the server (with `?code=` when the server asks one).
    #[arg(long)]
    pub url: String,
    /// Room to join.
    #[arg(long)]
    pub room: String,
    /// Joins, one after another (the median is reported).
    #[arg(long, default_value_t = 5)]
    pub repeat: usize,
    /// Fail unless the room holds at least this many shapes.
    #[arg(long, default_value_t = 0)]
    pub expect: usize,
    /// Longest one join may take, in seconds, connecting to the whole board.
    #[arg(long, default_value_t = 300.0)]
    pub timeout: f64,
    /// Pause between two joins, in ms (the last one's packets drain).
    #[arg(long, default_value_t = 1000)]
    pub pause_ms: u64,
    /// Offer permessage-deflate, as browsers do (the host compresses what
    /// it sends when it takes the offer).
    #[arg(long)]
    pub deflate: bool,
    /// Ask for the changes after this revision (a reconnect's delta)
    /// instead of the whole board.
    #[arg(long)]
    pub since: Option<u64>,
}

/// What a client offers for compression: what Chromium and Node's `ws` send.
pub const DEFLATE_OFFER: &str = "permessage-deflate; client_max_window_bits";

/// A client socket, counted, inflating what the host compressed.
pub type CountedWs = WebSocketStream<Inflating<Counted<TcpStream>>>;

/// A socket to `url` whose bytes on the wire are counted.
pub struct Connected {
    pub ws: CountedWs,
    pub received: Arc<AtomicU64>,
    pub sent: Arc<AtomicU64>,
    /// The host took the offer to compress.
    pub deflated: bool,
    /// When TCP was connected, from `started`.
    pub tcp: Duration,
}

/// A socket to `url` whose bytes on the wire are counted; `deflate` offers
/// compression.
pub async fn connect_counted(
    url: &str,
    deflate: bool,
    read_buffer: usize,
    started: Instant,
) -> BenchResult<Connected> {
    let mut request = url.into_client_request()?;
    if deflate {
        request.headers_mut().insert(
            "Sec-WebSocket-Extensions",
            DEFLATE_OFFER.parse().expect("a header value"),
        );
    }
    let host = request.uri().host().unwrap_or_default();
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = request.uri().port_u16().unwrap_or(80);
    let tcp = TcpStream::connect((host.as_str(), port)).await?;
    let connected = started.elapsed();
    tcp.set_nodelay(true)?;
    let received = Arc::new(AtomicU64::new(0));
    let sent = Arc::new(AtomicU64::new(0));
    let stream = Inflating::plain(Counted {
        inner: tcp,
        received: received.clone(),
        sent: sent.clone(),
    });
    let config = client::config(read_buffer);
    let (mut ws, response) =
        tokio_tungstenite::client_async_with_config(request, stream, Some(config)).await?;
    let agreed = deflate
        && response
            .headers()
            .get("Sec-WebSocket-Extensions")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("permessage-deflate"));
    if agreed {
        // The host sends nothing before JOIN_ROOM, so no frame has been
        // read past the upgrade's answer yet.
        ws.get_mut().start(Role::Client, client::MAX_MESSAGE_BYTES);
    }
    Ok(Connected {
        ws,
        received,
        sent,
        deflated: agreed,
        tcp: connected,
    })
}

/// A stream that counts the bytes read from and written to it.
pub struct Counted<S> {
    inner: S,
    received: Arc<AtomicU64>,
    sent: Arc<AtomicU64>,
}

impl<S: AsyncRead + Unpin> AsyncRead for Counted<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        let read = buf.filled().len() - before;
        self.received.fetch_add(read as u64, Ordering::Relaxed);
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Counted<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = polled {
            self.sent.fetch_add(n as u64, Ordering::Relaxed);
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// One join, each time from the moment `connect` was called.
#[derive(Debug, Clone)]
struct Joined {
    connected: Duration,
    upgraded: Duration,
    welcomed: Duration,
    board: Duration,
    received: u64,
    sent: u64,
    shapes: usize,
    /// The host compressed what it sent.
    deflated: bool,
}

impl Joined {
    fn json(&self) -> Value {
        json!({
            "connect_ms": ms(self.connected),
            "upgrade_ms": ms(self.upgraded),
            "welcome_ms": ms(self.welcomed),
            "board_ms": ms(self.board),
            "received_bytes": self.received,
            "sent_bytes": self.sent,
            "shapes": self.shapes,
            "deflated": self.deflated,
        })
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Connects, joins as `user_id` and receives the whole board (or the
/// changes since `since`).
async fn join_once(
    url: &str,
    user_id: &str,
    args: &JoinArgs,
    timeout: Duration,
) -> BenchResult<Joined> {
    let started = Instant::now();
    let Connected {
        mut ws,
        received,
        sent,
        deflated,
        tcp: connected,
    } = connect_counted(url, args.deflate, client::BULK_READ_BUFFER, started).await?;
    let upgraded = started.elapsed();
    client::join(&mut ws, user_id).await?;
    let welcomed = started.elapsed();
    let reply = board::request_sync_within(&mut ws, user_id, args.since, timeout).await?;
    let board = started.elapsed();
    let joined = Joined {
        connected,
        upgraded,
        welcomed,
        board,
        received: received.load(Ordering::Relaxed),
        sent: sent.load(Ordering::Relaxed),
        shapes: reply.shapes,
        deflated,
    };
    close(ws).await;
    Ok(joined)
}

/// Closes and reads until the server has closed too, so that the seat is
/// free before the same user joins again.
async fn close<S: AsyncRead + AsyncWrite + Unpin>(mut ws: WebSocketStream<S>) {
    let _ = tokio::time::timeout(CLOSE_TIMEOUT, async {
        let _ = ws.close(None).await;
        while let Some(Ok(_)) = ws.next().await {}
    })
    .await;
}

/// The median of one figure over every join.
fn median_of(joins: &[Joined], pick: fn(&Joined) -> f64) -> f64 {
    report::median(&joins.iter().map(pick).collect::<Vec<_>>())
}

/// `join`: `repeat` late joiners, one after another, printed.
pub async fn main(args: JoinArgs, as_json: bool) -> BenchResult<()> {
    let user_id = format!("join-{}", client::run_tag());
    let url = client::room_url(&args.url, &args.room);
    let timeout = Duration::from_secs_f64(args.timeout);
    let mut joins = Vec::with_capacity(args.repeat.max(1));
    for i in 0..args.repeat.max(1) {
        if i > 0 {
            tokio::time::sleep(Duration::from_millis(args.pause_ms)).await;
        }
        let joined =
            match tokio::time::timeout(timeout, join_once(&url, &user_id, &args, timeout)).await {
                Ok(joined) => joined?,
                Err(_) => return client::fail(format!("join {} took over {timeout:?}", i + 1)),
            };
        report::progress(&format!(
            "join {}: board after {:.0} ms, {} received",
            i + 1,
            ms(joined.board),
            report::bytes(joined.received as usize)
        ));
        if joined.shapes < args.expect {
            return client::fail(format!(
                "expected at least {} shapes, got {}",
                args.expect, joined.shapes
            ));
        }
        joins.push(joined);
    }
    let board_ms: Vec<f64> = joins.iter().map(|j| ms(j.board)).collect();
    let max_ms = board_ms.iter().copied().fold(0.0, f64::max);
    let min_ms = board_ms.iter().copied().fold(f64::INFINITY, f64::min);
    let median = json!({
        "connect_ms": median_of(&joins, |j| ms(j.connected)),
        "upgrade_ms": median_of(&joins, |j| ms(j.upgraded)),
        "welcome_ms": median_of(&joins, |j| ms(j.welcomed)),
        "board_ms": median_of(&joins, |j| ms(j.board)),
        "received_bytes": median_of(&joins, |j| j.received as f64),
        "sent_bytes": median_of(&joins, |j| j.sent as f64),
    });
    let human = format!(
        "join  {url}\n  {} joins of {} shapes: connected {:.1} ms, upgraded {:.1} ms, \
         welcomed {:.1} ms, whole board {:.1} ms (median; {min_ms:.1}–{max_ms:.1}), \
         {} received{}",
        joins.len(),
        joins[0].shapes,
        median["connect_ms"].as_f64().unwrap_or(0.0),
        median["upgrade_ms"].as_f64().unwrap_or(0.0),
        median["welcome_ms"].as_f64().unwrap_or(0.0),
        median["board_ms"].as_f64().unwrap_or(0.0),
        report::bytes(median["received_bytes"].as_f64().unwrap_or(0.0) as usize),
        match (args.deflate, joins.iter().all(|j| j.deflated)) {
            (false, _) => " (no compression offered)",
            (true, true) => " (compressed: permessage-deflate)",
            (true, false) => " (compression offered, not taken)",
        },
    );
    let value = json!({
        "scenario": "join",
        "url": args.url,
        "room": args.room,
        "shapes": joins[0].shapes,
        "deflate_offered": args.deflate,
        "deflated": joins.iter().all(|j| j.deflated),
        "since": args.since,
        "median": median,
        "board_ms_min": min_ms,
        "board_ms_max": max_ms,
        "joins": joins.iter().map(Joined::json).collect::<Vec<_>>(),
    });
    report::emit(as_json, &human, &value);
    Ok(())
}
