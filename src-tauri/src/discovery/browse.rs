//! Finding the other sessions on the network: every `_coco._tcp` record
//! seen, minus our own, until its goodbye or its expiry.
//!
//! Records come from anyone on the LAN, so every TXT field is checked and
//! bounded before it reaches a page, and the list itself is capped.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use mdns_sd::{ResolvedService, ServiceEvent};
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use super::advertise::{truncate, MAX_TXT_NAME_BYTES};
use super::Shared;
use crate::protocol::limits::SEATS_PER_ROOM;

/// Most sessions listed at once; records past it are ignored until one of
/// the listed ones goes away, so a flood of fake records cannot grow memory.
pub const MAX_NEARBY_SESSIONS: usize = 32;
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
    pub addresses: Vec<IpAddr>,
    pub port: u16,
    pub ws_port: Option<u16>,
    /// Protocol version (TXT `v`); empty when not given.
    pub version: String,
    /// Free seats in its main room, when it says.
    pub free_seats: Option<u8>,
    /// Assumed when the record does not say.
    pub code_required: bool,
    /// When the record last arrived or changed (ms since the Unix epoch).
    #[serde(skip)]
    pub last_seen_ms: u64,
}

impl NearbySession {
    /// Builds an entry from a record's parts; `None` when it cannot be used
    /// (no IPv4 address, port 0).
    pub fn from_record(
        fullname: &str,
        port: u16,
        addresses: impl IntoIterator<Item = IpAddr>,
        txt: impl Fn(&str) -> Option<String>,
    ) -> Option<NearbySession> {
        let mut addresses: Vec<IpAddr> = addresses.into_iter().collect();
        addresses.sort();
        addresses.dedup();
        addresses.truncate(MAX_ADDRESSES_PER_SESSION);
        let first_v4 = addresses.iter().find(|a| a.is_ipv4())?;
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
            addresses,
            port,
            ws_port: txt("ws").and_then(|p| p.parse().ok()).filter(|p| *p != 0),
            version: token("v").unwrap_or_default(),
            free_seats: txt("seats")
                .and_then(|s| s.parse::<u8>().ok())
                .filter(|s| usize::from(*s) <= SEATS_PER_ROOM),
            code_required: txt("code").as_deref() != Some("0"),
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
}

/// Bounded, printable, without control characters.
fn clean(s: &str, max: usize) -> String {
    let printable: String = s.chars().filter(|c| !c.is_control()).collect();
    truncate(printable.trim(), max).to_string()
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
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
    pub fn upsert(&mut self, fullname: &str, session: NearbySession) -> bool {
        if session.id == self.own_id {
            return false;
        }
        let key = fullname.to_lowercase();
        let full = self.sessions.len() >= MAX_NEARBY_SESSIONS;
        match self.sessions.get_mut(&key) {
            Some(known) => {
                let changed = !known.same_as(&session);
                *known = session;
                changed
            }
            None if full => false,
            None => {
                self.sessions.insert(key, session);
                true
            }
        }
    }

    /// Forgets a session that said goodbye or expired; true if it was listed.
    pub fn remove(&mut self, fullname: &str) -> bool {
        self.sessions.remove(&fullname.to_lowercase()).is_some()
    }

    /// Every listed session, by name.
    pub fn list(&self) -> Vec<NearbySession> {
        let mut list: Vec<NearbySession> = self.sessions.values().cloned().collect();
        list.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
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
mod tests {
    use super::*;

    fn txt(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |key| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }

    fn record(id: &str, seats: &str) -> NearbySession {
        NearbySession::from_record(
            &format!("Art [{id}]._coco._tcp.local."),
            5001,
            ["10.0.0.7".parse().unwrap(), "fe80::1".parse().unwrap()],
            txt(&[
                ("v", "1"),
                ("id", id),
                ("name", "Art"),
                ("seats", seats),
                ("code", "0"),
                ("ws", "8080"),
            ]),
        )
        .unwrap()
    }

    #[test]
    fn a_record_becomes_a_session_with_a_url_on_its_ipv4_address() {
        let s = record("abc", "2");
        assert_eq!(s.url, "http://10.0.0.7:5001/");
        assert_eq!(s.name, "Art");
        assert_eq!(s.free_seats, Some(2));
        assert!(!s.code_required);
        assert_eq!(s.ws_port, Some(8080));
        assert_eq!(s.version, "1");
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["freeSeats"], 2);
        assert_eq!(json["codeRequired"], false);
    }

    #[test]
    fn bad_txt_values_are_bounded_or_dropped() {
        let long = "x".repeat(MAX_TXT_NAME_BYTES + 50);
        let s = NearbySession::from_record(
            "odd._coco._tcp.local.",
            5001,
            ["10.0.0.8".parse().unwrap()],
            txt(&[
                ("name", &format!("{long}\u{7}")),
                ("seats", "9"),
                ("ws", "x"),
            ]),
        )
        .unwrap();
        assert_eq!(s.name.len(), MAX_TXT_NAME_BYTES);
        assert_eq!(s.free_seats, None, "more seats than a room has");
        assert_eq!(s.ws_port, None);
        assert!(s.code_required, "assumed when not said");
        assert_eq!(s.id, "odd._coco._tcp.local.", "no id: the DNS name");
        // No IPv4 address or no port: nothing a browser could open.
        let v6 = NearbySession::from_record("x", 5001, ["fe80::1".parse().unwrap()], txt(&[]));
        assert!(v6.is_none());
        let no_port = NearbySession::from_record("x", 0, ["10.0.0.1".parse().unwrap()], txt(&[]));
        assert!(no_port.is_none());
    }

    #[test]
    fn our_own_record_is_never_listed() {
        let mut nearby = Nearby::new("me");
        assert!(!nearby.upsert("Art [me]._coco._tcp.local.", record("me", "4")));
        assert!(nearby.list().is_empty());
    }

    #[test]
    fn a_change_is_reported_once_and_a_goodbye_removes() {
        let mut nearby = Nearby::new("me");
        let name = "Art [abc]._coco._tcp.local.";
        assert!(nearby.upsert(name, record("abc", "4")));
        assert!(!nearby.upsert(name, record("abc", "4")), "nothing new");
        assert!(nearby.upsert(name, record("abc", "3")));
        assert_eq!(nearby.list()[0].free_seats, Some(3));
        assert!(nearby.remove(&name.to_uppercase()), "DNS names ignore case");
        assert!(!nearby.remove(name));
        assert!(nearby.list().is_empty());
    }

    #[test]
    fn the_list_is_capped_at_the_limit_and_past_it() {
        let mut nearby = Nearby::new("me");
        for i in 0..MAX_NEARBY_SESSIONS {
            assert!(nearby.upsert(&format!("s{i}"), record(&format!("id{i}"), "4")));
        }
        assert_eq!(nearby.list().len(), MAX_NEARBY_SESSIONS);
        assert!(!nearby.upsert("one-more", record("extra", "4")));
        assert_eq!(nearby.list().len(), MAX_NEARBY_SESSIONS);
        // A listed one still updates; once one leaves, a new one fits.
        assert!(nearby.upsert("s0", record("id0", "1")));
        assert!(nearby.remove("s1"));
        assert!(nearby.upsert("one-more", record("extra", "4")));
    }
}
