//! Accepting connections on both ports, within limits that no peer on the
//! network can exhaust.
//!
//! Why our own accept loop rather than `axum::serve`: that one has no
//! header-read timeout and no connection cap, so ~1,000 idle sockets from
//! one LAN machine used up the host's file descriptors and nobody else could
//! join (the database's own files failed next). Here every connection:
//!
//! - counts against [`MAX_CONNECTIONS_PER_ADDRESS`] for its address and
//!   against the total for all other machines ([`lan_connection_cap`]);
//!   the host's own machine (loopback) is not capped, so the desktop window
//!   always gets in. A connection past a cap is answered at once with `503
//!   too_many_connections` (JSON, `Retry-After`) and closed;
//! - must send its request headers within [`HEADER_READ_TIMEOUT`], also
//!   between requests on a kept-alive connection;
//! - keeps its place while it is a WebSocket: the count is held by the
//!   socket itself, so it is freed when the socket closes.
//!
//! A WebSocket that never joins a room is closed by the session
//! (`session::JOIN_TIMEOUT`), one whose peer stops answering pings too
//! (`session::PEER_SILENCE_LIMIT`).

use std::collections::HashMap;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

/// Most connections (HTTP and WebSocket, both ports) from one address other
/// than this machine. A browser uses about seven (six HTTP and its socket);
/// a class of four on one machine, each with a few tabs, stays well inside.
pub const MAX_CONNECTIONS_PER_ADDRESS: usize = 64;
/// Most connections from all other machines together, before the file
/// descriptor limit lowers it (see [`lan_connection_cap`]).
pub const MAX_LAN_CONNECTIONS: usize = 1_024;
/// File descriptors kept for everything that is not a peer's socket: the
/// database, pictures and videos being written, mDNS, the runtime.
pub const FDS_KEPT_FREE: u64 = 256;
/// How long a connection may take to send a request's headers, counted
/// from when the host starts waiting for them (also while a kept-alive
/// connection sits idle between requests).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long shutdown waits for connections still answering a request.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a refusal may take to write before the socket is dropped.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(2);
/// The pause after the process ran out of file descriptors, before the next
/// accept (the kernel keeps the waiting connections meanwhile).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// The cap on connections from other machines: [`MAX_LAN_CONNECTIONS`], or
/// fewer when the process may open fewer files (`fd_limit` less
/// [`FDS_KEPT_FREE`], at least one address's worth).
pub fn lan_connection_cap(fd_limit: u64) -> usize {
    let room = fd_limit.saturating_sub(FDS_KEPT_FREE) as usize;
    room.clamp(MAX_CONNECTIONS_PER_ADDRESS, MAX_LAN_CONNECTIONS)
}

/// Raises the process's soft limit on open files to its hard limit (a
/// desktop session often starts programs with 1,024 of a hard 500,000 or
/// more), and returns the soft limit now in force.
pub fn raise_open_files_limit() -> u64 {
    #[cfg(unix)]
    {
        use nix::sys::resource::{getrlimit, setrlimit, Resource};
        match getrlimit(Resource::RLIMIT_NOFILE) {
            Ok((soft, hard)) if soft < hard => {
                match setrlimit(Resource::RLIMIT_NOFILE, hard, hard) {
                    Ok(()) => hard,
                    Err(e) => {
                        tracing::warn!(
                            "could not raise the open-files limit from {soft} to {hard}: {e}"
                        );
                        soft
                    }
                }
            }
            Ok((soft, _)) => soft,
            Err(_) => MAX_LAN_CONNECTIONS as u64 + FDS_KEPT_FREE,
        }
    }
    #[cfg(not(unix))]
    {
        MAX_LAN_CONNECTIONS as u64 + FDS_KEPT_FREE
    }
}

/// Who holds how many connections, shared by both ports. Cheap to clone.
#[derive(Clone)]
pub struct Connections {
    inner: Arc<Mutex<Counts>>,
    lan_cap: usize,
}

#[derive(Default)]
struct Counts {
    lan: usize,
    per_address: HashMap<IpAddr, usize>,
}

/// Why a connection is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// This address holds [`MAX_CONNECTIONS_PER_ADDRESS`] already.
    Address,
    /// Other machines hold the total already.
    Total,
}

impl Connections {
    pub fn new(lan_cap: usize) -> Connections {
        Connections {
            inner: Arc::default(),
            lan_cap,
        }
    }

    /// A place for a connection from `ip`, held until the returned slot drops.
    pub fn admit(&self, ip: IpAddr) -> Result<Slot, Refusal> {
        let ip = canonical(ip);
        if ip.is_loopback() {
            return Ok(Slot { owner: None });
        }
        let mut counts = self.inner.lock().expect("connections lock");
        let mine = counts.per_address.get(&ip).copied().unwrap_or(0);
        if mine >= MAX_CONNECTIONS_PER_ADDRESS {
            return Err(Refusal::Address);
        }
        if counts.lan >= self.lan_cap {
            return Err(Refusal::Total);
        }
        counts.lan += 1;
        *counts.per_address.entry(ip).or_default() += 1;
        Ok(Slot {
            owner: Some((self.clone(), ip)),
        })
    }

    /// Connections other machines hold now.
    pub fn lan_count(&self) -> usize {
        self.inner.lock().expect("connections lock").lan
    }

    fn release(&self, ip: IpAddr) {
        let mut counts = self.inner.lock().expect("connections lock");
        counts.lan -= 1;
        if let Some(n) = counts.per_address.get_mut(&ip) {
            *n -= 1;
            if *n == 0 {
                counts.per_address.remove(&ip);
            }
        }
    }
}

/// An IPv4 peer on a dual-stack socket arrives as `::ffff:a.b.c.d`.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// One connection's place; freed on drop.
pub struct Slot {
    owner: Option<(Connections, IpAddr)>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some((connections, ip)) = self.owner.take() {
            connections.release(ip);
        }
    }
}

/// A socket that holds its [`Slot`]: after a WebSocket upgrade the socket
/// lives on in the session, and so does its place.
struct Counted {
    io: TcpStream,
    _slot: Slot,
}

impl AsyncRead for Counted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// Serves `router` on `listener` until `shutdown`, then lets the requests
/// in progress finish (for at most [`DRAIN_TIMEOUT`]).
pub fn serve(
    listener: TcpListener,
    router: axum::Router,
    connections: Connections,
    shutdown: CancellationToken,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let tracker = TaskTracker::new();
        let mut out_of_files_logged = false;
        loop {
            let accepted = tokio::select! {
                biased;
                _ = shutdown.cancelled() => break,
                accepted = listener.accept() => accepted,
            };
            let (tcp, peer) = match accepted {
                Ok(pair) => {
                    out_of_files_logged = false;
                    pair
                }
                Err(e) => {
                    if is_out_of_files(&e) {
                        if !out_of_files_logged {
                            tracing::error!("out of file descriptors; accepting more slowly: {e}");
                            out_of_files_logged = true;
                        }
                        tokio::time::sleep(ACCEPT_BACKOFF).await;
                    }
                    continue;
                }
            };
            // Cursor frames are tiny and latency-bound: never let Nagle hold them back.
            let _ = tcp.set_nodelay(true);
            let slot = match connections.admit(peer.ip()) {
                Ok(slot) => slot,
                Err(why) => {
                    tracing::debug!("refused a connection from {peer}: {why:?}");
                    tokio::spawn(refuse(tcp, why));
                    continue;
                }
            };
            let io = TokioIo::new(Counted {
                io: tcp,
                _slot: slot,
            });
            let service = router.clone().map_request(
                move |mut req: axum::extract::Request<hyper::body::Incoming>| {
                    req.extensions_mut().insert(ConnectInfo(peer));
                    req.map(axum::body::Body::new)
                },
            );
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .serve_connection(io, TowerToHyperService::new(service))
                .with_upgrades();
            let stop = shutdown.clone();
            tracker.spawn(async move {
                tokio::pin!(conn);
                let ended = tokio::select! {
                    ended = conn.as_mut() => ended,
                    _ = stop.cancelled() => {
                        // Finish the request in progress, take no other.
                        conn.as_mut().graceful_shutdown();
                        conn.await
                    }
                };
                if let Err(e) = ended {
                    tracing::trace!("connection from {peer} ended: {e}");
                }
            });
        }
        drop(listener);
        tracker.close();
        if tokio::time::timeout(DRAIN_TIMEOUT, tracker.wait())
            .await
            .is_err()
        {
            tracing::debug!("requests still running after {DRAIN_TIMEOUT:?}; stopping anyway");
        }
    })
}

fn is_out_of_files(e: &io::Error) -> bool {
    // EMFILE (this process) and ENFILE (the whole system).
    matches!(e.raw_os_error(), Some(24) | Some(23))
}

/// The answer to a connection past a cap: a short JSON `503` that says
/// why, then the socket is closed.
async fn refuse(mut tcp: TcpStream, why: Refusal) {
    let message = match why {
        Refusal::Address => format!(
            "too many connections from your address (at most {MAX_CONNECTIONS_PER_ADDRESS}); close some tabs or try again shortly"
        ),
        Refusal::Total => {
            "the host has too many connections from the network; try again shortly".to_string()
        }
    };
    let body = serde_json::json!({
        "success": false,
        "error": message,
        "code": "too_many_connections",
    })
    .to_string();
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nretry-after: 5\r\nx-content-type-options: nosniff\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(REFUSAL_TIMEOUT, async {
        // Take what the peer already sent, so closing does not reset the
        // connection before it reads the answer.
        let mut scratch = [0u8; 4096];
        let _ = tokio::time::timeout(Duration::from_millis(50), tcp.read(&mut scratch)).await;
        tcp.write_all(response.as_bytes()).await?;
        tcp.shutdown().await
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_holds_at_most_its_cap_and_the_total_holds_for_everyone() {
        let connections = Connections::new(MAX_CONNECTIONS_PER_ADDRESS + 2);
        let a: IpAddr = "10.0.0.7".parse().unwrap();
        let b: IpAddr = "10.0.0.8".parse().unwrap();
        let mut held: Vec<Slot> = (0..MAX_CONNECTIONS_PER_ADDRESS)
            .map(|_| connections.admit(a).expect("within the cap"))
            .collect();
        assert_eq!(
            connections.admit(a).err(),
            Some(Refusal::Address),
            "one past"
        );
        // The same address as IPv4-mapped IPv6 is the same address.
        let mapped: IpAddr = "::ffff:10.0.0.7".parse().unwrap();
        assert_eq!(connections.admit(mapped).err(), Some(Refusal::Address));
        held.push(connections.admit(b).unwrap());
        held.push(connections.admit(b).unwrap());
        assert_eq!(connections.admit(b).err(), Some(Refusal::Total));
        // This machine is never refused.
        let local: Vec<Slot> = (0..1_000)
            .map(|_| connections.admit("127.0.0.1".parse().unwrap()).unwrap())
            .collect();
        assert_eq!(connections.lan_count(), MAX_CONNECTIONS_PER_ADDRESS + 2);
        drop(local);
        held.pop();
        assert!(connections.admit(b).is_ok(), "a freed place is taken again");
        held.clear();
        assert_eq!(connections.lan_count(), 0);
    }

    #[test]
    fn the_total_follows_the_file_limit() {
        assert_eq!(lan_connection_cap(1_000_000), MAX_LAN_CONNECTIONS);
        assert_eq!(lan_connection_cap(1_024), 1_024 - FDS_KEPT_FREE as usize);
        assert_eq!(lan_connection_cap(100), MAX_CONNECTIONS_PER_ADDRESS);
    }
}
