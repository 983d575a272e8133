//! Who may join: loopback is trusted, LAN peers need the join code, and web
//! pages from other origins may not open a socket at all. Who is the host:
//! whoever presents the admin secret (the desktop window, the admin link the
//! host prints), from this machine; a loopback page without it is a seat
//! like any other.
//!
//! The join code can be rotated while the session runs: every clone of the
//! [`Gate`] sees the new code at once, so the old link stops working for new
//! requests while people already seated stay.
//!
//! Wrong codes are throttled per address: after [`MAX_CODE_FAILURES`]
//! different wrong codes an address is refused for a while (doubling each
//! time), so the code cannot be guessed by brute force. Only guesses count:
//! a request without a code (a page opened without the link makes several)
//! and the same wrong code sent again (a page retrying it) are refused but do
//! not lock a person out.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use tokio::sync::watch;

/// Different wrong codes an address may try before it is locked out.
pub const MAX_CODE_FAILURES: u32 = 5;
/// First lock-out; each further miss while locked doubles it.
pub const LOCKOUT: Duration = Duration::from_secs(30);
/// Longest lock-out.
pub const MAX_LOCKOUT: Duration = Duration::from_secs(15 * 60);
/// Addresses tracked at once; the table is cleared of stale entries past it.
const MAX_TRACKED_ADDRESSES: usize = 4_096;

/// Why a peer is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No code, or a wrong one.
    Unauthorized,
    /// Too many wrong codes from this address; try again after this long.
    Throttled(Duration),
}

#[derive(Debug, Default)]
struct Failures {
    count: u32,
    /// Hashes of the wrong codes tried since the last lock-out (at most
    /// [`MAX_CODE_FAILURES`]): trying one again is not a new guess.
    tried: Vec<u64>,
    locked_until: Option<Instant>,
    lockout: Duration,
}

/// The header that carries the admin secret (the host panel's requests).
pub const ADMIN_HEADER: &str = "x-coco-admin";

/// Random bytes in a seat secret or the admin secret (128 bits).
pub const SECRET_BYTES: usize = 16;

/// Keeps a rotated join code (on disk), so a restart does not revive the old one.
pub type PersistCode = Arc<dyn Fn(&str) -> Result<(), String> + Send + Sync>;

/// The session's join policy. Cheap to clone.
#[derive(Clone)]
pub struct Gate {
    /// The current code; every clone reads the same one, and anyone may
    /// follow its changes (the terminal banner).
    code: Arc<watch::Sender<Arc<str>>>,
    /// Shared by every clone: the host panel may open or close the session.
    open: Arc<AtomicBool>,
    failures: Arc<Mutex<HashMap<IpAddr, Failures>>>,
    /// The host panel's key, new at every start (never stored by the host
    /// beyond its run; see `host::admin`).
    admin: Arc<str>,
    persist: Option<PersistCode>,
}

impl Gate {
    pub fn new(code: String, open: bool) -> Gate {
        Gate {
            code: Arc::new(watch::Sender::new(code.into())),
            open: Arc::new(AtomicBool::new(open)),
            failures: Arc::default(),
            admin: random_secret().into(),
            persist: None,
        }
    }

    /// Where a rotated code is kept; set before the gate is cloned.
    pub fn persist_with(mut self, persist: PersistCode) -> Gate {
        self.persist = Some(persist);
        self
    }

    /// The join code now.
    pub fn code(&self) -> Arc<str> {
        self.code.borrow().clone()
    }

    /// The code a LAN peer must send, or none when the session is open.
    pub fn required_code(&self) -> Option<Arc<str>> {
        self.code_required().then(|| self.code())
    }

    /// Follows the join code as it is rotated.
    pub fn code_changes(&self) -> watch::Receiver<Arc<str>> {
        self.code.subscribe()
    }

    /// Replaces the join code with a new random one and returns it. People
    /// seated stay; the old code is refused from now on. Fails (and keeps
    /// the old code) when the new one cannot be stored.
    pub fn rotate_code(&self) -> Result<Arc<str>, String> {
        let code = loop {
            let code = crate::store::new_join_code();
            if *code != *self.code() {
                break code;
            }
        };
        if let Some(persist) = &self.persist {
            persist(&code)?;
        }
        let code: Arc<str> = code.into();
        self.code.send_replace(code.clone());
        tracing::info!("the join code was changed");
        Ok(code)
    }

    /// The admin secret: it makes a page the host panel.
    pub fn admin_secret(&self) -> &str {
        &self.admin
    }

    /// Whether this request is the host's: from this machine and with the
    /// admin secret (compared in constant time).
    pub fn is_admin(&self, peer: IpAddr, secret: Option<&str>) -> bool {
        is_loopback(peer)
            && secret.is_some_and(|s| constant_time_eq(s.trim().as_bytes(), self.admin.as_bytes()))
    }

    /// Whether LAN peers need the code.
    pub fn code_required(&self) -> bool {
        !self.open.load(Ordering::Relaxed)
    }

    /// Opens the session to everyone on the network, or closes it again.
    pub fn set_open(&self, open: bool) {
        self.open.store(open, Ordering::Relaxed);
    }

    /// Lets `peer` in if it is on this machine, the session is open, or it
    /// presents the right code (in `code`, checked in constant time).
    pub fn admit(&self, peer: IpAddr, code: Option<&str>) -> Result<(), Refusal> {
        if is_loopback(peer) || !self.code_required() {
            return Ok(());
        }
        let now = Instant::now();
        let mut failures = self.failures.lock().expect("gate lock");
        if let Some(until) = failures.get(&peer).and_then(|f| f.locked_until) {
            if until > now {
                return Err(Refusal::Throttled(until - now));
            }
        }
        let Some(code) = code.map(str::trim) else {
            return Err(Refusal::Unauthorized);
        };
        if constant_time_eq(code.as_bytes(), self.code().as_bytes()) {
            failures.remove(&peer);
            return Ok(());
        }
        if failures.len() >= MAX_TRACKED_ADDRESSES {
            failures.retain(|_, f| f.locked_until.is_some_and(|u| u > now));
        }
        let entry = failures.entry(peer).or_default();
        let guess = hash_of(code);
        if entry.tried.contains(&guess) {
            return Err(Refusal::Unauthorized);
        }
        entry.tried.push(guess);
        entry.count += 1;
        if entry.count >= MAX_CODE_FAILURES {
            entry.tried.clear();
            entry.lockout = if entry.lockout.is_zero() {
                LOCKOUT
            } else {
                (entry.lockout * 2).min(MAX_LOCKOUT)
            };
            entry.locked_until = Some(now + entry.lockout);
            tracing::warn!(%peer, "too many wrong join codes; refusing this address for {:?}", entry.lockout);
            return Err(Refusal::Throttled(entry.lockout));
        }
        Err(Refusal::Unauthorized)
    }
}

/// Loopback, including IPv4 addresses mapped into IPv6.
pub fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// A wrong code, remembered as a hash: the table keeps no attacker's text.
fn hash_of(code: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    code.hash(&mut hasher);
    hasher.finish()
}

/// A fresh secret of [`SECRET_BYTES`] random bytes, in hex, from the
/// thread's CSPRNG (ChaCha seeded by the OS).
pub fn random_secret() -> String {
    use std::fmt::Write as _;
    let bytes: [u8; SECRET_BYTES] = rand::random();
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Equality whose time does not depend on where the inputs differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether a WebSocket upgrade's `Origin` may open a socket: no origin (not a
/// browser), the host's own pages, the desktop window, or a page served from
/// this machine (`localhost` dev servers of the existing client).
pub fn origin_allowed(headers: &HeaderMap, http_port: u16) -> bool {
    let Some(origin) = headers.get("origin") else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    if matches!(
        origin,
        "tauri://localhost" | "http://tauri.localhost" | "https://tauri.localhost"
    ) {
        return true;
    }
    let Some((scheme, authority)) = origin.split_once("://") else {
        return false;
    };
    if !matches!(scheme, "http" | "https") {
        return false;
    }
    let (origin_host, origin_port) = split_host_port(authority);
    if matches!(origin_host, "localhost" | "127.0.0.1" | "[::1]") {
        return true;
    }
    let Some(host) = headers.get("host").and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let (req_host, req_port) = split_host_port(host);
    let default_port = if scheme == "https" { 443 } else { 80 };
    let origin_port = origin_port.unwrap_or(default_port);
    // Same host, and the page came from this host's HTTP port or this very port.
    origin_host.eq_ignore_ascii_case(req_host)
        && (origin_port == http_port || Some(origin_port) == req_port)
}

fn split_host_port(authority: &str) -> (&str, Option<u16>) {
    let authority = authority.trim_end_matches('/');
    match authority.rfind(':') {
        Some(i) if !authority[i..].contains(']') => {
            (&authority[..i], authority[i + 1..].parse().ok())
        }
        _ => (authority, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    const LAN: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 7));

    #[test]
    fn loopback_needs_no_code() {
        let gate = Gate::new("ABC234".into(), false);
        assert_eq!(gate.admit("127.0.0.1".parse().unwrap(), None), Ok(()));
        assert_eq!(
            gate.admit("::ffff:127.0.0.1".parse().unwrap(), None),
            Ok(())
        );
    }

    #[test]
    fn a_lan_peer_needs_the_right_code() {
        let gate = Gate::new("ABC234".into(), false);
        assert_eq!(gate.admit(LAN, None), Err(Refusal::Unauthorized));
        assert_eq!(gate.admit(LAN, Some("WRONG1")), Err(Refusal::Unauthorized));
        assert_eq!(gate.admit(LAN, Some("ABC234")), Ok(()));
    }

    #[test]
    fn an_open_session_admits_anyone() {
        let gate = Gate::new("ABC234".into(), true);
        assert_eq!(gate.admit(LAN, None), Ok(()));
    }

    #[test]
    fn opening_and_closing_applies_to_every_clone() {
        let gate = Gate::new("ABC234".into(), false);
        let clone = gate.clone();
        gate.set_open(true);
        assert_eq!(clone.admit(LAN, None), Ok(()));
        gate.set_open(false);
        assert_eq!(clone.admit(LAN, None), Err(Refusal::Unauthorized));
    }

    #[test]
    fn a_rotated_code_replaces_the_old_one_in_every_clone() {
        let gate = Gate::new("ABC234".into(), false);
        let clone = gate.clone();
        let changes = clone.code_changes();
        let new = gate.rotate_code().unwrap();
        assert_ne!(&*new, "ABC234");
        assert_eq!(clone.code(), new);
        assert!(changes.has_changed().unwrap());
        assert_eq!(clone.admit(LAN, Some("ABC234")), Err(Refusal::Unauthorized));
        assert_eq!(clone.admit(LAN, Some(&new)), Ok(()));
    }

    #[test]
    fn a_code_that_cannot_be_kept_is_not_rotated() {
        let gate = Gate::new("ABC234".into(), false)
            .persist_with(Arc::new(|_| Err("disk full".to_string())));
        assert_eq!(gate.rotate_code(), Err("disk full".to_string()));
        assert_eq!(&*gate.code(), "ABC234");
    }

    #[test]
    fn the_admin_secret_counts_only_from_this_machine() {
        let gate = Gate::new("ABC234".into(), false);
        let secret = gate.admin_secret().to_string();
        assert_eq!(secret.len(), 2 * SECRET_BYTES);
        let here: IpAddr = "127.0.0.1".parse().unwrap();
        assert!(gate.is_admin(here, Some(&secret)));
        assert!(!gate.is_admin(here, None));
        assert!(!gate.is_admin(here, Some("0")));
        assert!(!gate.is_admin(LAN, Some(&secret)));
        assert_ne!(Gate::new("ABC234".into(), false).admin_secret(), secret);
    }

    #[test]
    fn repeated_wrong_codes_lock_the_address_out() {
        let gate = Gate::new("ABC234".into(), false);
        for i in 1..MAX_CODE_FAILURES {
            assert_eq!(
                gate.admit(LAN, Some(&format!("NOPE{i}"))),
                Err(Refusal::Unauthorized)
            );
        }
        assert!(matches!(
            gate.admit(LAN, Some("NOPE")),
            Err(Refusal::Throttled(_))
        ));
        // Even the right code waits out the lock-out.
        assert!(matches!(
            gate.admit(LAN, Some("ABC234")),
            Err(Refusal::Throttled(_))
        ));
        // Another address is not affected.
        assert_eq!(
            gate.admit("10.0.0.8".parse().unwrap(), Some("ABC234")),
            Ok(())
        );
    }

    #[test]
    fn only_new_wrong_codes_count_as_guesses() {
        let gate = Gate::new("ABC234".into(), false);
        // A page opened without the link asks many times with no code, and a
        // page given a wrong code sends it with every request.
        for _ in 0..10 * MAX_CODE_FAILURES {
            assert_eq!(gate.admit(LAN, None), Err(Refusal::Unauthorized));
            assert_eq!(gate.admit(LAN, Some("AAAAAA")), Err(Refusal::Unauthorized));
        }
        assert_eq!(gate.admit(LAN, Some("ABC234")), Ok(()));
        // Up to the limit, different guesses are refused but not locked out.
        for i in 1..MAX_CODE_FAILURES {
            assert_eq!(
                gate.admit(LAN, Some(&format!("GUESS{i}"))),
                Err(Refusal::Unauthorized)
            );
        }
        assert_eq!(gate.admit(LAN, Some("ABC234")), Ok(()), "at the limit");
    }

    fn headers(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(o) = origin {
            h.insert("origin", HeaderValue::from_str(o).unwrap());
        }
        h.insert("host", HeaderValue::from_str(host).unwrap());
        h
    }

    #[test]
    fn origins() {
        assert!(origin_allowed(&headers(None, "10.0.0.2:5001"), 5001));
        assert!(origin_allowed(
            &headers(Some("http://10.0.0.2:5001"), "10.0.0.2:5001"),
            5001
        ));
        assert!(origin_allowed(
            &headers(Some("http://10.0.0.2:5001"), "10.0.0.2:8080"),
            5001
        ));
        assert!(origin_allowed(
            &headers(Some("http://localhost:5173"), "127.0.0.1:8080"),
            5001
        ));
        assert!(origin_allowed(
            &headers(Some("tauri://localhost"), "127.0.0.1:5001"),
            5001
        ));
        assert!(!origin_allowed(
            &headers(Some("http://evil.example"), "10.0.0.2:5001"),
            5001
        ));
        assert!(!origin_allowed(
            &headers(Some("http://10.0.0.2:9999"), "10.0.0.2:8080"),
            5001
        ));
        assert!(!origin_allowed(
            &headers(Some("null"), "10.0.0.2:5001"),
            5001
        ));
    }
}
