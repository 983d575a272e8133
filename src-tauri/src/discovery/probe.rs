//! Checking the sessions nearby: does a CoCo host answer at the address a
//! record announced, as the instance the record names? Those that do are
//! listed first; those that do not are marked, and give way to new records
//! when the list is full (see [`super::browse::Nearby::upsert`]).
//!
//! The check is one `GET /api/health` (a route anyone may ask) at the
//! announced `IP:PORT`, a plain HTTP/1.1 request with no redirects, proxies
//! or retries. It answers when the status is 200 and the JSON says
//! `status: "ok"` and `instanceId` is the record's TXT `id`: a record that
//! copies a real session's address but not its id (or its id but not its
//! address) does not pass. It is not proof against a spoofer that runs its
//! own server and answers with the id it announced: the address shown next
//! to every session, and the same-name mark, are what tell a person that.
//!
//! Only addresses on one of this machine's own IPv4 subnets are asked: mDNS
//! is link-local, so a session on the LAN is there, and a record naming any
//! other address is marked as not answering without a connection. Every
//! bound is a constant here: at most [`MAX_PROBES_AT_ONCE`] checks at once,
//! each within [`PROBE_TIMEOUT`] and reading at most
//! [`MAX_PROBE_ANSWER_BYTES`]; a listed session is checked again every
//! [`PROBE_INTERVAL`], and rounds start at least [`PROBE_ROUND_GAP`] apart,
//! so a churn of records makes at most [`super::MAX_SESSIONS_PER_ADDRESS`]
//! requests to one address per gap.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::browse::ProbeTarget;
use super::Shared;

/// How often a listed session is checked again.
pub const PROBE_INTERVAL: Duration = Duration::from_secs(15);
/// Connecting, asking and reading the answer, all together.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(2);
/// Most checks in flight at once.
pub const MAX_PROBES_AT_ONCE: usize = 4;
/// Longest answer read (status line, headers and body); the health answer
/// is about 300 bytes.
pub const MAX_PROBE_ANSWER_BYTES: usize = 4096;
/// Least time from the start of one round of checks to the next.
pub const PROBE_ROUND_GAP: Duration = Duration::from_secs(1);

/// Asks `address` for `/api/health`; true if it answers as instance `id`.
pub async fn probe(address: SocketAddr, id: &str) -> bool {
    match tokio::time::timeout(PROBE_TIMEOUT, ask(address)).await {
        Ok(Ok(answer)) => answers_as(&answer, id),
        _ => false,
    }
}

async fn ask(address: SocketAddr) -> std::io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(address).await?;
    let request = format!(
        "GET /api/health HTTP/1.1\r\nHost: {address}\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    // One byte past the limit tells a too-long answer from one at it.
    stream
        .take(MAX_PROBE_ANSWER_BYTES as u64 + 1)
        .read_to_end(&mut answer)
        .await?;
    Ok(answer)
}

/// Whether a raw HTTP answer is a CoCo health answer from instance `id`.
pub fn answers_as(raw: &[u8], id: &str) -> bool {
    if raw.len() > MAX_PROBE_ANSWER_BYTES || id.is_empty() {
        return false;
    }
    let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let (head, body) = (&raw[..split], &raw[split + 4..]);
    let status = |code: &str| {
        head.starts_with(format!("HTTP/1.1 {code} ").as_bytes())
            || head.starts_with(format!("HTTP/1.0 {code} ").as_bytes())
    };
    let Ok(json) = serde_json::from_slice::<Value>(body) else {
        return false;
    };
    // A host that cannot save (503) still answers: it is there to join.
    let answering = (status("200") && json["status"] == "ok")
        || (status("503") && json["status"] == "storage_failed");
    answering && json["instanceId"] == id
}

/// This machine's IPv4 subnets (address and prefix length), loopback left out.
pub fn own_subnets() -> Vec<(Ipv4Addr, u8)> {
    if_addrs::get_if_addrs()
        .map(|ifs| {
            ifs.into_iter()
                .filter(|i| !i.is_loopback())
                .filter_map(|i| match i.addr {
                    if_addrs::IfAddr::V4(v4) => Some((v4.ip, v4.prefixlen)),
                    if_addrs::IfAddr::V6(_) => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Whether `ip` lies on one of `subnets`: the only addresses asked.
pub fn on_subnets(ip: IpAddr, subnets: &[(Ipv4Addr, u8)]) -> bool {
    let IpAddr::V4(ip) = ip else { return false };
    if ip.is_loopback() {
        return false;
    }
    subnets.iter().any(|(net, len)| {
        let mask = u32::MAX
            .checked_shl(32 - u32::from(*len).min(32))
            .unwrap_or(0);
        u32::from(ip) & mask == u32::from(*net) & mask
    })
}

/// Checks every listed session when it appears and every [`PROBE_INTERVAL`]
/// after, until shutdown.
pub(super) async fn run(shared: Arc<Shared>, shutdown: CancellationToken) {
    let mut changes = shared.list.subscribe();
    let mut last_round: Option<Instant> = None;
    loop {
        let wake = shared.next_probe_due(PROBE_INTERVAL);
        let wake = match (wake, last_round) {
            (Some(due), Some(last)) => Some(due.max(last + PROBE_ROUND_GAP)),
            (due, _) => due,
        };
        tokio::select! {
            _ = shutdown.cancelled() => return,
            changed = changes.changed() => {
                if changed.is_err() {
                    return;
                }
                continue;
            }
            _ = sleep_until(wake) => {}
        }
        last_round = Some(Instant::now());
        let due = shared.probes_due(Instant::now(), PROBE_INTERVAL);
        let subnets = own_subnets();
        let mut asked = JoinSet::new();
        for target in due {
            if !on_subnets(target.address.ip(), &subnets) {
                shared.record_probe(&target, false);
                continue;
            }
            while asked.len() >= MAX_PROBES_AT_ONCE {
                if !collect(&mut asked, &shared, &shutdown).await {
                    return;
                }
            }
            asked.spawn(async move {
                let answers = probe(target.address, &target.id).await;
                (target, answers)
            });
        }
        while !asked.is_empty() {
            if !collect(&mut asked, &shared, &shutdown).await {
                return;
            }
        }
    }
}

/// Records the next finished check; false on shutdown.
async fn collect(
    asked: &mut JoinSet<(ProbeTarget, bool)>,
    shared: &Shared,
    shutdown: &CancellationToken,
) -> bool {
    tokio::select! {
        _ = shutdown.cancelled() => false,
        done = asked.join_next() => {
            if let Some(Ok((target, answers))) = done {
                shared.record_probe(&target, answers);
            }
            true
        }
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    fn health(id: &str) -> Vec<u8> {
        let body = serde_json::json!({"status": "ok", "name": "Art", "instanceId": id}).to_string();
        format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    }

    #[test]
    fn only_a_health_answer_naming_the_instance_counts() {
        assert!(answers_as(&health("abc"), "abc"));
        assert!(!answers_as(&health("abc"), "abd"), "another instance");
        assert!(!answers_as(&health(""), ""), "no id to match");
        let not_found = String::from_utf8(health("abc"))
            .unwrap()
            .replace("200 OK", "404 Not Found");
        assert!(!answers_as(not_found.as_bytes(), "abc"));
        assert!(!answers_as(b"HTTP/1.1 200 OK\r\n\r\nnot json", "abc"));
        assert!(!answers_as(b"SSH-2.0-OpenSSH_9.6\r\n", "abc"));
        let old = b"HTTP/1.1 200 OK\r\n\r\n{\"status\":\"ok\"}";
        assert!(!answers_as(old, "abc"), "no instanceId");
        let full_disk = String::from_utf8(health("abc"))
            .unwrap()
            .replace("200 OK", "503 Service Unavailable")
            .replace("\"ok\"", "\"storage_failed\"");
        assert!(
            answers_as(full_disk.as_bytes(), "abc"),
            "a host that cannot save"
        );
        let unavailable = String::from_utf8(health("abc"))
            .unwrap()
            .replace("200 OK", "503 Service Unavailable");
        assert!(!answers_as(unavailable.as_bytes(), "abc"), "503 saying ok");
    }

    #[test]
    fn an_answer_at_the_size_limit_counts_and_one_past_it_does_not() {
        let short = health("abc");
        let pad = MAX_PROBE_ANSWER_BYTES - short.len();
        let at = String::from_utf8(short).unwrap().replace(
            "\r\n\r\n",
            &format!("\r\nx-pad: {}\r\n\r\n", "p".repeat(pad - 9)),
        );
        assert_eq!(at.len(), MAX_PROBE_ANSWER_BYTES);
        assert!(answers_as(at.as_bytes(), "abc"));
        let past = at.replacen("x-pad: ", "x-pad: p", 1);
        assert_eq!(past.len(), MAX_PROBE_ANSWER_BYTES + 1);
        assert!(!answers_as(past.as_bytes(), "abc"));
    }

    #[test]
    fn only_addresses_on_this_machines_subnets_are_asked() {
        let subnets = [
            (Ipv4Addr::new(192, 168, 1, 20), 24),
            (Ipv4Addr::new(10, 0, 0, 1), 8),
        ];
        assert!(on_subnets([192, 168, 1, 7].into(), &subnets));
        assert!(on_subnets([10, 200, 3, 4].into(), &subnets));
        assert!(!on_subnets([192, 168, 2, 7].into(), &subnets));
        assert!(!on_subnets([8, 8, 8, 8].into(), &subnets));
        assert!(!on_subnets(
            [127, 0, 0, 1].into(),
            &[(Ipv4Addr::new(127, 0, 0, 1), 8)]
        ));
        assert!(!on_subnets("fe80::1".parse().unwrap(), &subnets));
        assert!(on_subnets(
            [1, 2, 3, 4].into(),
            &[(Ipv4Addr::new(9, 9, 9, 9), 0)]
        ));
        assert!(!on_subnets(
            [192, 168, 1, 21].into(),
            &[(Ipv4Addr::new(192, 168, 1, 20), 32)]
        ));
    }

    /// A server on loopback that answers every connection with `answer`
    /// after `delay`.
    async fn server(answer: Vec<u8>, delay: Duration) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let answer = answer.clone();
                tokio::spawn(async move {
                    let mut buf = [0u8; 1024];
                    let _ = stream.read(&mut buf).await;
                    tokio::time::sleep(delay).await;
                    let _ = stream.write_all(&answer).await;
                });
            }
        });
        addr
    }

    #[tokio::test]
    async fn a_probe_asks_health_and_gives_up_at_its_limits() {
        let good = server(health("abc"), Duration::ZERO).await;
        assert!(probe(good, "abc").await);
        assert!(!probe(good, "other").await);
        // Past the size limit: a stream of bytes is not read to its end.
        let huge = server(vec![b'x'; MAX_PROBE_ANSWER_BYTES * 4], Duration::ZERO).await;
        assert!(!probe(huge, "abc").await);
        // Nothing listening.
        let closed = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap()
        };
        assert!(!probe(closed, "abc").await);
    }

    #[tokio::test]
    async fn a_probe_that_answers_after_the_timeout_did_not_answer() {
        let slow = server(health("abc"), PROBE_TIMEOUT + Duration::from_secs(1)).await;
        let asked = Instant::now();
        assert!(!probe(slow, "abc").await);
        let took = asked.elapsed();
        assert!(took >= PROBE_TIMEOUT, "{took:?}");
        assert!(
            took < PROBE_TIMEOUT + Duration::from_millis(500),
            "{took:?}"
        );
    }
}
