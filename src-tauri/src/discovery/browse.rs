//! Finding the other sessions on the network: every `_coco._tcp` record
//! seen, minus our own, until its goodbye or its expiry.
//!
//! Records come from anyone on the LAN, so every TXT field is checked and
//! bounded before it reaches a page, and the list itself is capped: in all
//! ([`MAX_NEARBY_SESSIONS`]) and per announcing address
//! ([`MAX_SESSIONS_PER_ADDRESS`]), so one machine flooding fake records
//! cannot push the others out.
//!
//! The "announcing address" is the address a session's link opens (its
//! lowest announced IPv4 address, the one in `url` and `address`). mdns-sd
//! does not pass the source address of the packet to a browser (its
//! `ResolvedService` holds only the announced addresses), and the announced
//! address is anyway the one that matters: it is where a person's code would
//! go. A spoofer can announce any address, so this bound alone only holds a
//! flood to few records per address; records that were checked and did not
//! answer (see [`super::probe`]) also give way to new ones when a bound is
//! reached, so fake records on many made-up addresses cannot keep a real
//! session out for long either.
//!
//! Two sessions may carry the same name (a spoofer copying a real one, or
//! two classes both called "Art"): both are listed, with their addresses,
//! and marked (`sameName`), so a person checks the address before typing a
//! code. Sessions that answered the check come first.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use mdns_sd::{ResolvedService, ServiceEvent};
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use super::advertise::{truncate, MAX_TXT_NAME_BYTES};
use super::Shared;
use crate::protocol::limits::SEATS_PER_ROOM;
use crate::protocol::now_ms;

/// Most sessions listed at once; records past it are ignored (unless a
/// listed one did not answer, see [`Nearby::upsert`]) until one of the
/// listed ones goes away, so a flood of fake records cannot grow memory.
pub const MAX_NEARBY_SESSIONS: usize = 32;
/// Most sessions listed from one announcing address (the address their link
/// opens). Several real sessions can share a machine (one per port), but
/// hardly more than this; a flood from one address stops here and leaves
/// the rest of [`MAX_NEARBY_SESSIONS`] to the other machines.
pub const MAX_SESSIONS_PER_ADDRESS: usize = 4;
/// Longest protocol version or instance id kept from a TXT record.
pub const MAX_TXT_TOKEN_BYTES: usize = 32;
/// Most addresses kept per session.
pub const MAX_ADDRESSES_PER_SESSION: usize = 8;

/// Another session on the network, as `GET /api/discovery` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NearbySession {
    /// The session's random instance id (TXT `id`), else its DNS name.
    pub id: String,
    pub name: String,
    /// Its web UI, at the first IPv4 address it announced.
    pub url: String,
    /// `IP:PORT` of `url`: where choosing it goes, and the address it is
    /// counted against for [`MAX_SESSIONS_PER_ADDRESS`].
    pub address: SocketAddr,
    pub addresses: Vec<IpAddr>,
    pub port: u16,
    pub ws_port: Option<u16>,
    /// Protocol version (TXT `v`); empty when not given.
    pub version: String,
    /// Free seats in its main room, when it says.
    pub free_seats: Option<u8>,
    /// Assumed when the record does not say.
    pub code_required: bool,
    /// Another listed session has the same name (ignoring case and
    /// surrounding spaces): the address tells them apart.
    pub same_name: bool,
    /// Whether a CoCo host answered at `address` as this session (its
    /// `/api/health` named this instance id); `null` until checked.
    pub answers: Option<bool>,
    /// When `answers` was last found out.
    #[serde(skip)]
    pub checked_at: Option<Instant>,
    /// When the record last arrived or changed (ms since the Unix epoch).
    #[serde(skip)]
    pub last_seen_ms: u64,
}

impl NearbySession {
    /// Builds an entry from a record's parts; `None` when it cannot be used
    /// (no IPv4 address another machine could be at, port 0). Loopback,
    /// unspecified, multicast and broadcast addresses are dropped: a record
    /// from the LAN naming them points at the reader's own machine or at
    /// nobody.
    pub fn from_record(
        fullname: &str,
        port: u16,
        addresses: impl IntoIterator<Item = IpAddr>,
        txt: impl Fn(&str) -> Option<String>,
    ) -> Option<NearbySession> {
        let mut addresses: Vec<IpAddr> = addresses.into_iter().filter(reachable).collect();
        addresses.sort();
        addresses.dedup();
        addresses.truncate(MAX_ADDRESSES_PER_SESSION);
        let first_v4 = *addresses.iter().find(|a| a.is_ipv4())?;
        if port == 0 {
            return None;
        }
        let token = |key: &str| {
            txt(key)
                .map(|v| clean(&v, MAX_TXT_TOKEN_BYTES))
                .filter(|v| !v.is_empty())
        };
        let instance = fullname.split("._").next().unwrap_or(fullname);
        Some(NearbySession {
            id: token("id").unwrap_or_else(|| clean(fullname, MAX_TXT_NAME_BYTES)),
            name: txt("name")
                .map(|n| clean(&n, MAX_TXT_NAME_BYTES))
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| clean(instance, MAX_TXT_NAME_BYTES)),
            url: format!("http://{first_v4}:{port}/"),
            address: SocketAddr::new(first_v4, port),
            addresses,
            port,
            ws_port: txt("ws").and_then(|p| p.parse().ok()).filter(|p| *p != 0),
            version: token("v").unwrap_or_default(),
            free_seats: txt("seats")
                .and_then(|s| s.parse::<u8>().ok())
                .filter(|s| usize::from(*s) <= SEATS_PER_ROOM),
            code_required: txt("code").as_deref() != Some("0"),
            same_name: false,
            answers: None,
            checked_at: None,
            last_seen_ms: now_ms(),
        })
    }

    fn resolved(service: &ResolvedService) -> Option<NearbySession> {
        NearbySession::from_record(
            service.get_fullname(),
            service.get_port(),
            service.get_addresses().iter().map(|a| a.to_ip_addr()),
            |key| service.get_property_val_str(key).map(str::to_owned),
        )
    }

    /// Equal apart from when it was seen.
    fn same_as(&self, other: &NearbySession) -> bool {
        NearbySession {
            last_seen_ms: 0,
            ..self.clone()
        } == NearbySession {
            last_seen_ms: 0,
            ..other.clone()
        }
    }

    /// The announcing address: the one its link opens.
    pub fn announced_from(&self) -> IpAddr {
        self.address.ip()
    }

    /// What was checked: the same instance at the same address.
    fn same_target(&self, other: &NearbySession) -> bool {
        self.address == other.address && self.id == other.id
    }

    fn did_not_answer(&self) -> bool {
        self.answers == Some(false)
    }
}

/// An address another machine on the LAN could be reached at.
fn reachable(ip: &IpAddr) -> bool {
    let broadcast = matches!(ip, IpAddr::V4(v4) if v4.is_broadcast());
    !(ip.is_loopback() || ip.is_unspecified() || ip.is_multicast() || broadcast)
}

/// Names compared as a person reads them.
fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Bounded, printable, without control characters.
fn clean(s: &str, max: usize) -> String {
    let printable: String = s.chars().filter(|c| !c.is_control()).collect();
    truncate(printable.trim(), max).to_string()
}

/// A listed session to check: where, and which instance should answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeTarget {
    /// The key in [`Nearby`] (lower-cased DNS name).
    pub key: String,
    pub id: String,
    pub address: SocketAddr,
}

/// The sessions seen, by lower-cased DNS name.
#[derive(Debug)]
pub struct Nearby {
    own_id: String,
    sessions: BTreeMap<String, NearbySession>,
}

impl Nearby {
    pub fn new(own_id: &str) -> Nearby {
        Nearby {
            own_id: own_id.to_string(),
            sessions: BTreeMap::new(),
        }
    }

    /// Records a resolved (new or changed) session; true if the list changed.
    ///
    /// A new session (or one that moved to another address) is refused when
    /// its address already has [`MAX_SESSIONS_PER_ADDRESS`] sessions or the
    /// list has [`MAX_NEARBY_SESSIONS`], unless a session there (at that
    /// address, or anywhere for the overall bound) was checked and did not
    /// answer: of those, the one whose record arrived longest ago gives way.
    /// One that answered or is not checked yet is never pushed out. A refused
    /// record is considered again when it next changes (mdns-sd reports a
    /// record once, and again only when it changes).
    pub fn upsert(&mut self, fullname: &str, mut session: NearbySession) -> bool {
        if session.id == self.own_id {
            return false;
        }
        let key = fullname.to_lowercase();
        let mut changed = false;
        if let Some(known) = self.sessions.get_mut(&key) {
            if known.address == session.address {
                if known.same_target(&session) {
                    session.answers = known.answers;
                    session.checked_at = known.checked_at;
                }
                let changed = !known.same_as(&session);
                *known = session;
                return changed;
            }
            // Moved: it counts against its new address like a new one.
            self.sessions.remove(&key);
            changed = true;
        }
        let from = session.announced_from();
        let at_address = self
            .sessions
            .values()
            .filter(|s| s.announced_from() == from)
            .count();
        let room = if at_address >= MAX_SESSIONS_PER_ADDRESS {
            self.give_way(|s| s.announced_from() == from)
        } else if self.sessions.len() >= MAX_NEARBY_SESSIONS {
            self.give_way(|_| true)
        } else {
            true
        };
        if room {
            self.sessions.insert(key, session);
            changed = true;
        }
        changed
    }

    /// Removes, among `which`, the session that did not answer whose record
    /// arrived longest ago; false when there is none.
    fn give_way(&mut self, which: impl Fn(&NearbySession) -> bool) -> bool {
        let victim = self
            .sessions
            .iter()
            .filter(|(_, s)| which(s) && s.did_not_answer())
            .min_by_key(|(key, s)| (s.last_seen_ms, key.to_string()))
            .map(|(key, _)| key.clone());
        victim.is_some_and(|key| self.sessions.remove(&key).is_some())
    }

    /// Forgets a session that said goodbye or expired; true if it was listed.
    pub fn remove(&mut self, fullname: &str) -> bool {
        self.sessions.remove(&fullname.to_lowercase()).is_some()
    }

    /// The listed sessions not checked yet, or last checked `interval` or
    /// more before `now`.
    pub fn due(&self, now: Instant, interval: std::time::Duration) -> Vec<ProbeTarget> {
        self.sessions
            .iter()
            .filter(|(_, s)| {
                s.checked_at
                    .is_none_or(|at| now.saturating_duration_since(at) >= interval)
            })
            .map(|(key, s)| ProbeTarget {
                key: key.clone(),
                id: s.id.clone(),
                address: s.address,
            })
            .collect()
    }

    /// When the next listed session is due (`None`: nothing is listed).
    pub fn next_due(&self, interval: std::time::Duration) -> Option<Instant> {
        self.sessions
            .values()
            .map(|s| s.checked_at.map(|at| at + interval))
            .min()
            .map(|at| at.unwrap_or_else(Instant::now))
    }

    /// Records a check's outcome, if the session is still the one checked
    /// (same instance at the same address); true if the list changed.
    pub fn checked(&mut self, target: &ProbeTarget, answers: bool, at: Instant) -> bool {
        let Some(session) = self.sessions.get_mut(&target.key) else {
            return false;
        };
        if session.address != target.address || session.id != target.id {
            return false;
        }
        session.checked_at = Some(at);
        let changed = session.answers != Some(answers);
        session.answers = Some(answers);
        changed
    }

    /// Every listed session: those that answered first, then those not
    /// checked yet, then those that did not answer; by name and address
    /// within each. Sessions sharing a name are marked.
    pub fn list(&self) -> Vec<NearbySession> {
        let mut names: BTreeMap<String, usize> = BTreeMap::new();
        for s in self.sessions.values() {
            *names.entry(name_key(&s.name)).or_default() += 1;
        }
        let mut list: Vec<NearbySession> = self
            .sessions
            .values()
            .map(|s| NearbySession {
                same_name: names[&name_key(&s.name)] > 1,
                ..s.clone()
            })
            .collect();
        let rank = |s: &NearbySession| match s.answers {
            Some(true) => 0,
            None => 1,
            Some(false) => 2,
        };
        list.sort_by(|a, b| {
            rank(a)
                .cmp(&rank(b))
                .then_with(|| name_key(&a.name).cmp(&name_key(&b.name)))
                .then_with(|| a.address.cmp(&b.address))
                .then_with(|| a.id.cmp(&b.id))
        });
        list
    }
}

/// Applies the daemon's browse events to the shared list until shutdown.
pub(super) async fn follow(
    events: mdns_sd::Receiver<ServiceEvent>,
    shared: Arc<Shared>,
    shutdown: CancellationToken,
) {
    loop {
        let event = tokio::select! {
            _ = shutdown.cancelled() => return,
            event = events.recv_async() => event,
        };
        let Ok(event) = event else {
            shared.set_browsing(false);
            return;
        };
        match event {
            ServiceEvent::ServiceResolved(service) => {
                if let Some(session) = NearbySession::resolved(&service) {
                    shared.update_nearby(|n| n.upsert(service.get_fullname(), session));
                }
            }
            ServiceEvent::ServiceRemoved(_, fullname) => {
                shared.update_nearby(|n| n.remove(&fullname));
            }
            ServiceEvent::SearchStarted(_) => shared.set_browsing(true),
            ServiceEvent::SearchStopped(_) => shared.set_browsing(false),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests;
