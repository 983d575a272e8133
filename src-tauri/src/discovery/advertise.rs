//! Announcing this session: the service record, and its TXT kept current as
//! people come and go or the host opens the session.
//!
//! The TXT says whether a code is needed, never the code itself: anyone on
//! the network can read it.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use mdns_sd::{ServiceDaemon, ServiceInfo};
use tokio::sync::{watch, Notify};
use tokio_util::sync::CancellationToken;

use super::{Shared, PROTOCOL_VERSION, SERVICE_TYPE};

/// Longest DNS label (RFC 1035 §2.3.4): the instance name must fit in one.
pub const MAX_INSTANCE_LABEL_BYTES: usize = 63;
/// Longest session name carried in TXT `name`. A TXT string holds 255 bytes
/// including its key, and a peer keeps no more than this either.
pub const MAX_TXT_NAME_BYTES: usize = 200;
/// RFC 6762 §6: a record is multicast at most once a second on a link (the
/// daemon drops a faster repeat), so changes closer together go out as one
/// announcement of the latest state.
pub const REANNOUNCE_INTERVAL: Duration = Duration::from_millis(1_000);

/// What changes while the session runs, read again on every change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Live {
    /// Free seats in the room the join link opens.
    pub free_seats: usize,
    /// Whether LAN peers need the join code.
    pub code_required: bool,
}

/// Reads the current [`Live`] state from the rooms and the gate.
pub type LiveFn = Arc<dyn Fn() -> Live + Send + Sync>;

/// Where the session can be reached, from the address the host listens on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Listening on every interface: announce each LAN interface's own address.
    AllInterfaces,
    /// Listening on one address: announce only it.
    Only(IpAddr),
}

impl Reach {
    /// `None` for a loopback bind: no other machine could connect.
    pub fn from_bind(bind: IpAddr) -> Option<Reach> {
        if bind.is_unspecified() {
            Some(Reach::AllInterfaces)
        } else if bind.is_loopback() {
            None
        } else {
            Some(Reach::Only(bind))
        }
    }
}

/// The `.local` host name announced for `instance_id` (without the final dot).
pub fn mdns_host(instance_id: &str) -> String {
    format!("coco-{instance_id}.local")
}

/// Everything the announcement says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    /// Random per run: tells our own record apart from the others.
    pub instance_id: String,
    pub name: String,
    pub http_port: u16,
    pub ws_port: u16,
    pub live: Live,
    /// Counts re-announcements (TXT `r`). Every announcement's TXT differs
    /// from all earlier ones, so a browser that cached an earlier TXT with
    /// the same seats (4 → 3 → 4) still sees a new record and re-resolves.
    pub revision: u64,
}

impl Announcement {
    /// The TXT key/value pairs.
    pub fn txt(&self) -> Vec<(&'static str, String)> {
        vec![
            ("v", PROTOCOL_VERSION.to_string()),
            ("id", self.instance_id.clone()),
            ("name", truncate(&self.name, MAX_TXT_NAME_BYTES).to_string()),
            ("ws", self.ws_port.to_string()),
            ("seats", self.live.free_seats.to_string()),
            (
                "code",
                if self.live.code_required { "1" } else { "0" }.to_string(),
            ),
            ("r", self.revision.to_string()),
        ]
    }

    /// `NAME [id]`: unique on the network even when two sessions share a
    /// name, and within one DNS label.
    pub fn instance_name(&self) -> String {
        let suffix = format!(" [{}]", self.instance_id);
        let room = MAX_INSTANCE_LABEL_BYTES.saturating_sub(suffix.len());
        let name: String = truncate(&self.name, room)
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        format!("{name}{suffix}")
    }

    fn service_info(&self, reach: Reach) -> Result<ServiceInfo, String> {
        let host = format!("{}.", mdns_host(&self.instance_id));
        let instance = self.instance_name();
        let txt = self.txt();
        let mut info = match reach {
            Reach::AllInterfaces => {
                ServiceInfo::new(SERVICE_TYPE, &instance, &host, (), self.http_port, &txt[..])
                    .map(ServiceInfo::enable_addr_auto)
            }
            Reach::Only(ip) => {
                ServiceInfo::new(SERVICE_TYPE, &instance, &host, ip, self.http_port, &txt[..])
            }
        }
        .map_err(|e| format!("the mDNS record was refused: {e}"))?;
        // The name was probed at the first registration and is ours (it
        // holds our random id): an update goes out at once, not after
        // another 750 ms of probing.
        info.set_requires_probe(self.revision == 0);
        Ok(info)
    }

    /// Registers (or re-registers, which re-announces) the record; returns
    /// its full DNS name.
    pub fn register(&self, daemon: &ServiceDaemon, reach: Reach) -> Result<String, String> {
        let info = self.service_info(reach)?;
        let fullname = info.get_fullname().to_string();
        daemon
            .register(info)
            .map_err(|e| format!("mDNS registration failed: {e}"))?;
        Ok(fullname)
    }
}

/// The longest prefix of `s` within `max` bytes, cut on a character boundary.
pub fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Re-announces whenever the seats or the join policy change, at most once
/// per [`REANNOUNCE_INTERVAL`], until shutdown.
pub(super) struct Keeper {
    pub daemon: ServiceDaemon,
    pub announcement: Announcement,
    pub reach: Reach,
    pub live: LiveFn,
    pub occupancy: watch::Receiver<u64>,
    pub nudge: Arc<Notify>,
    pub shared: Arc<Shared>,
    pub shutdown: CancellationToken,
}

impl Keeper {
    pub async fn run(mut self) {
        let mut rooms_gone = false;
        loop {
            tokio::select! {
                _ = self.shutdown.cancelled() => return,
                changed = self.occupancy.changed(), if !rooms_gone => {
                    // Without rooms only the host panel can still nudge.
                    rooms_gone = changed.is_err();
                }
                _ = self.nudge.notified() => {}
            }
            let live = (self.live)();
            if live == self.announcement.live {
                continue;
            }
            self.announcement.live = live;
            self.announcement.revision += 1;
            match self.announcement.register(&self.daemon, self.reach) {
                Ok(_) => tracing::debug!(
                    "re-announced: {} seats free, code {}",
                    live.free_seats,
                    if live.code_required {
                        "needed"
                    } else {
                        "not needed"
                    }
                ),
                Err(e) => self.shared.report(e),
            }
            tokio::select! {
                _ = self.shutdown.cancelled() => return,
                _ = tokio::time::sleep(REANNOUNCE_INTERVAL) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn announcement(name: &str) -> Announcement {
        Announcement {
            instance_id: "a1b2c3d4".into(),
            name: name.into(),
            http_port: 5001,
            ws_port: 8080,
            live: Live {
                free_seats: 3,
                code_required: true,
            },
            revision: 0,
        }
    }

    #[test]
    fn the_txt_says_whether_a_code_is_needed_never_the_code() {
        let txt = announcement("Art class").txt();
        let get = |k: &str| {
            txt.iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("v"), Some(PROTOCOL_VERSION));
        assert_eq!(get("name"), Some("Art class"));
        assert_eq!(get("seats"), Some("3"));
        assert_eq!(get("code"), Some("1"));
        assert_eq!(get("ws"), Some("8080"));
        assert_eq!(get("id"), Some("a1b2c3d4"));
        assert_eq!(get("r"), Some("0"));
        assert_eq!(txt.len(), 7, "nothing else, and so never the code");
    }

    #[test]
    fn the_instance_name_fits_one_dns_label_at_and_past_the_limit() {
        let suffix = " [a1b2c3d4]".len();
        let at = "x".repeat(MAX_INSTANCE_LABEL_BYTES - suffix);
        assert_eq!(
            announcement(&at).instance_name(),
            format!("{at} [a1b2c3d4]")
        );
        assert_eq!(
            announcement(&at).instance_name().len(),
            MAX_INSTANCE_LABEL_BYTES
        );
        let past = format!("{at}é");
        let name = announcement(&past).instance_name();
        assert_eq!(name, format!("{at} [a1b2c3d4]"));
        // A multi-byte character across the limit is dropped whole.
        let wide = "é".repeat(MAX_INSTANCE_LABEL_BYTES);
        let name = announcement(&wide).instance_name();
        assert!(name.len() <= MAX_INSTANCE_LABEL_BYTES, "{name}");
        assert!(name.ends_with(" [a1b2c3d4]"));
    }

    #[test]
    fn the_txt_name_is_cut_at_its_limit() {
        let at = "n".repeat(MAX_TXT_NAME_BYTES);
        let txt = announcement(&at).txt();
        assert_eq!(txt[2].1, at);
        let past = announcement(&format!("{at}!")).txt();
        assert_eq!(past[2].1, at);
    }

    #[test]
    fn a_loopback_bind_is_not_announced() {
        assert_eq!(Reach::from_bind([127, 0, 0, 1].into()), None);
        assert_eq!(
            Reach::from_bind([0, 0, 0, 0].into()),
            Some(Reach::AllInterfaces)
        );
        let lan: IpAddr = [10, 0, 0, 7].into();
        assert_eq!(Reach::from_bind(lan), Some(Reach::Only(lan)));
    }
}
