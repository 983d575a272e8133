//! The names this host answers to, for the `Host` check in [`super::guard`].
//!
//! Loopback is trusted, so a name that a web page can point at 127.0.0.1
//! after it has loaded (DNS rebinding: `evil.example` first resolves to the
//! attacker's server, then to 127.0.0.1) would hand that page everything the
//! host's own machine may do. A browser always sends the name it resolved in
//! `Host`, so a request is served only when that name is one the page could
//! not have rebound: an address of this machine written as digits, a
//! `localhost` name (browsers resolve those to loopback themselves), this
//! machine's own host name, or the `.local` name the host announces.

use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How often the list of this machine's addresses may be read again when a
/// request names an address that is not on it (a new Wi-Fi lease, say).
pub const ADDRESS_REFRESH: Duration = Duration::from_secs(2);

/// The set of names and addresses the host answers to.
pub struct HostNames {
    /// Lower-case names without a trailing dot.
    names: Vec<String>,
    addresses: Mutex<Addresses>,
}

struct Addresses {
    list: Vec<IpAddr>,
    read_at: Option<Instant>,
}

impl HostNames {
    /// `localhost` names, this machine's host name (bare and `.local`), and
    /// the announced mDNS name; the machine's addresses are read on demand.
    pub fn new(mdns_host: Option<&str>) -> HostNames {
        let mut names = vec!["localhost".to_string()];
        if let Some(host) = gethostname::gethostname().to_str() {
            let host = normalise(host);
            if !host.is_empty() && host.parse::<IpAddr>().is_err() {
                let bare = host.trim_end_matches(".local").to_string();
                names.push(format!("{bare}.local"));
                names.push(bare);
            }
        }
        if let Some(mdns) = mdns_host {
            names.push(normalise(mdns));
        }
        names.dedup();
        HostNames {
            names,
            addresses: Mutex::new(Addresses {
                list: Vec::new(),
                read_at: None,
            }),
        }
    }

    /// Whether `authority` (a `Host` header: `name`, `name:port`, `[v6]:port`)
    /// names this host.
    pub fn answers_to(&self, authority: &str) -> bool {
        let host = host_part(authority);
        if let Some(ip) = parse_ip(host) {
            return self.is_own_address(ip);
        }
        let host = normalise(host);
        host.ends_with(".localhost") || self.names.contains(&host)
    }

    /// Loopback, or an address one of this machine's interfaces has now.
    fn is_own_address(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        if ip.is_loopback() {
            return true;
        }
        let mut cache = self.addresses.lock().expect("host names lock");
        if cache.list.contains(&ip) {
            return true;
        }
        let stale = cache
            .read_at
            .is_none_or(|at| at.elapsed() >= ADDRESS_REFRESH);
        if stale {
            cache.list = interface_addresses();
            cache.read_at = Some(Instant::now());
        }
        cache.list.contains(&ip)
    }
}

/// The host of an authority, without its port (and without IPv6 brackets
/// kept: `[::1]:80` gives `[::1]`, which [`parse_ip`] reads).
pub fn host_part(authority: &str) -> &str {
    let authority = authority.trim();
    if authority.starts_with('[') {
        return match authority.find(']') {
            Some(end) => &authority[..=end],
            None => authority,
        };
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    }
}

fn parse_ip(host: &str) -> Option<IpAddr> {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    bare.parse().ok()
}

fn normalise(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// An IPv4 address mapped into IPv6 is the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

fn interface_addresses() -> Vec<IpAddr> {
    if_addrs::get_if_addrs()
        .map(|ifs| ifs.into_iter().map(|i| canonical(i.ip())).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_and_addresses_are_answered() {
        let names = HostNames::new(Some("coco-1a2b3c4d.local"));
        for ok in [
            "localhost",
            "localhost:5001",
            "LOCALHOST.:5001",
            "tauri.localhost",
            "127.0.0.1:8080",
            "127.0.0.2",
            "[::1]:5001",
            "[::ffff:127.0.0.1]:5001",
            "coco-1a2b3c4d.local:5001",
        ] {
            assert!(names.answers_to(ok), "{ok}");
        }
    }

    #[test]
    fn other_names_and_addresses_are_not() {
        let names = HostNames::new(Some("coco-1a2b3c4d.local"));
        for refused in [
            "evil.example",
            "evil.example:5001",
            "localhost.evil.example",
            "127.0.0.1.nip.io:5001",
            "coco-ffffffff.local",
            "203.0.113.9:5001",
            "0.0.0.0:5001",
            "",
        ] {
            assert!(!names.answers_to(refused), "{refused}");
        }
    }

    #[test]
    fn this_machines_own_addresses_and_name_are_answered() {
        let names = HostNames::new(None);
        for ip in interface_addresses() {
            let authority = match ip {
                IpAddr::V4(v4) => format!("{v4}:5001"),
                IpAddr::V6(v6) => format!("[{v6}]:5001"),
            };
            assert!(names.answers_to(&authority), "{authority}");
        }
        let own = gethostname::gethostname();
        let own = own.to_str().unwrap();
        assert!(names.answers_to(&format!("{own}:5001")));
    }

    #[test]
    fn the_port_is_not_part_of_the_host() {
        assert_eq!(host_part("example:5001"), "example");
        assert_eq!(host_part("[fe80::1]:5001"), "[fe80::1]");
        assert_eq!(host_part("[fe80::1]"), "[fe80::1]");
        assert_eq!(host_part("example"), "example");
    }
}
