//! Announcing the session on the LAN over mDNS (`_coco._tcp.local.`).
//!
//! Best-effort by design: a network that drops multicast (guest Wi-Fi, VPN,
//! firewall) must never stop the host, since a typed join URL always works.
//! The TXT record says whether a code is needed, never the code itself.

use std::net::IpAddr;

use mdns_sd::{ServiceDaemon, ServiceInfo};

/// The DNS-SD service type of a CoCo session.
pub const SERVICE_TYPE: &str = "_coco._tcp.local.";
/// Protocol version announced in TXT `v`.
pub const PROTOCOL_VERSION: &str = "1";

/// What the announcement says about the session.
#[derive(Debug, Clone)]
pub struct Announcement {
    pub name: String,
    pub http_port: u16,
    pub ws_port: u16,
    pub code_required: bool,
    pub free_seats: usize,
}

/// A registered service; unregisters when shut down.
pub struct Advertiser {
    daemon: ServiceDaemon,
    fullname: String,
}

impl Advertiser {
    /// Registers the session on every non-loopback IPv4 interface.
    pub fn start(a: &Announcement) -> Result<Advertiser, String> {
        let ips: Vec<IpAddr> = lan_addresses();
        if ips.is_empty() {
            return Err("no network interface to announce the session on".into());
        }
        let daemon = ServiceDaemon::new().map_err(|e| format!("mDNS is unavailable: {e}"))?;
        let host = format!("coco-{}.local.", std::process::id());
        let instance = format!("{} ({})", a.name, a.http_port);
        let props = [
            ("v", PROTOCOL_VERSION.to_string()),
            ("name", a.name.clone()),
            ("ws", a.ws_port.to_string()),
            ("seats", a.free_seats.to_string()),
            ("code", if a.code_required { "1" } else { "0" }.to_string()),
        ];
        let info = ServiceInfo::new(
            SERVICE_TYPE,
            &instance,
            &host,
            &ips[..],
            a.http_port,
            &props[..],
        )
        .map_err(|e| format!("mDNS record refused: {e}"))?;
        let fullname = info.get_fullname().to_string();
        daemon
            .register(info)
            .map_err(|e| format!("mDNS registration failed: {e}"))?;
        Ok(Advertiser { daemon, fullname })
    }

    /// Sends the goodbye and stops the daemon.
    pub fn shutdown(self) {
        if let Ok(done) = self.daemon.unregister(&self.fullname) {
            let _ = done.recv_timeout(std::time::Duration::from_secs(1));
        }
        if let Ok(done) = self.daemon.shutdown() {
            let _ = done.recv_timeout(std::time::Duration::from_secs(1));
        }
    }
}

/// Non-loopback IPv4 addresses of this machine, the ones a LAN peer can reach.
pub fn lan_addresses() -> Vec<IpAddr> {
    if_addrs::get_if_addrs()
        .map(|ifs| {
            ifs.into_iter()
                .filter(|i| !i.is_loopback() && !i.is_link_local())
                .map(|i| i.ip())
                .filter(IpAddr::is_ipv4)
                .collect()
        })
        .unwrap_or_default()
}
