//! The session on the LAN over mDNS (`_coco._tcp.local.`): announcing this
//! one, and finding the others.
//!
//! Best-effort by design: a network that drops multicast (guest Wi-Fi, VPN,
//! firewall) must never stop the host, since a typed join URL always works.
//! A failure is logged once and reported (the banner, `GET /api/discovery`).
//! One daemon does both jobs; its browse sees our own record too, which is
//! told apart by the random instance id in TXT `id`.
//!
//! - [`advertise`]: the record and its TXT, re-announced as seats change.
//! - [`browse`]: the sessions nearby, minus ours, until goodbye or expiry,
//!   bounded in all and per announcing address; same names marked.
//! - [`probe`]: whether each listed session answers at its address, so
//!   those that do come first.

pub mod advertise;
pub mod browse;
pub mod probe;

use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use mdns_sd::{DaemonEvent, IfKind, ServiceDaemon};
use serde::Serialize;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use advertise::{Announcement, Live, LiveFn, Reach};
pub use browse::{Nearby, NearbySession, MAX_NEARBY_SESSIONS, MAX_SESSIONS_PER_ADDRESS};

/// The DNS-SD service type of a CoCo session.
pub const SERVICE_TYPE: &str = "_coco._tcp.local.";
/// Protocol version announced in TXT `v`.
pub const PROTOCOL_VERSION: &str = "1";
/// The host-originated WebSocket message that carries the list.
pub const SESSIONS_NEARBY: &str = "SESSIONS_NEARBY";
/// How long shutdown waits for the daemon to send the goodbye and stop.
const DAEMON_STOP_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// What `GET /api/discovery` says about mDNS itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MdnsStatus {
    pub advertising: bool,
    pub browsing: bool,
    /// Why it is not working (or not fully), for a person to read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// State shared by the discovery tasks and the request handlers.
pub(crate) struct Shared {
    /// This run's instance id (TXT `id`, and `instanceId` in `/api/health`);
    /// empty when discovery is off.
    own_id: String,
    status: Mutex<MdnsStatus>,
    nearby: Mutex<Nearby>,
    list: watch::Sender<Arc<Vec<NearbySession>>>,
    nudge: Arc<Notify>,
    /// Our own `.local` name, while we announce one.
    mdns_host: Option<String>,
}

impl Shared {
    fn new(own_id: &str, status: MdnsStatus) -> Arc<Shared> {
        Arc::new(Shared {
            own_id: own_id.to_string(),
            status: Mutex::new(status),
            nearby: Mutex::new(Nearby::new(own_id)),
            list: watch::channel(Arc::new(Vec::new())).0,
            nudge: Arc::new(Notify::new()),
            mdns_host: (!own_id.is_empty()).then(|| advertise::mdns_host(own_id)),
        })
    }

    /// Records a failure: the first is logged as a warning and shown.
    fn report(&self, error: String) {
        let mut status = self.status.lock().expect("discovery lock");
        if status.error.is_none() {
            tracing::warn!("LAN discovery: {error}; the join link still works");
            status.error = Some(error);
        } else {
            tracing::debug!("LAN discovery: {error}");
        }
    }

    fn set_browsing(&self, browsing: bool) {
        self.status.lock().expect("discovery lock").browsing = browsing;
    }

    /// Applies `change`; publishes the new list if it says something changed.
    fn update_nearby(&self, change: impl FnOnce(&mut Nearby) -> bool) {
        let mut nearby = self.nearby.lock().expect("discovery lock");
        if change(&mut nearby) {
            self.list.send_replace(Arc::new(nearby.list()));
        }
    }

    fn probes_due(
        &self,
        now: std::time::Instant,
        interval: std::time::Duration,
    ) -> Vec<browse::ProbeTarget> {
        self.nearby
            .lock()
            .expect("discovery lock")
            .due(now, interval)
    }

    fn next_probe_due(&self, interval: std::time::Duration) -> Option<std::time::Instant> {
        self.nearby
            .lock()
            .expect("discovery lock")
            .next_due(interval)
    }

    fn record_probe(&self, target: &browse::ProbeTarget, answers: bool) {
        let at = std::time::Instant::now();
        self.update_nearby(|n| n.checked(target, answers, at));
    }
}

/// What discovery needs to know about this host.
#[derive(Debug, Clone)]
pub struct Settings {
    pub name: String,
    /// The address the host listens on: decides where it is announced.
    pub bind: IpAddr,
    pub http_port: u16,
    pub ws_port: u16,
}

/// `SESSIONS_NEARBY {sessions}`: the same list as `GET /api/discovery`.
pub fn nearby_frame(sessions: &[NearbySession]) -> crate::protocol::Frame {
    use crate::protocol::payloads::{record, SessionsNearby};
    use crate::protocol::ServerMessage;
    let sessions = record(&sessions);
    crate::protocol::frame(&ServerMessage::SessionsNearby(SessionsNearby {
        sessions: &sessions,
    }))
}

/// A cheap handle for request handlers and the WebSocket relay.
#[derive(Clone)]
pub struct DiscoveryHandle {
    shared: Arc<Shared>,
}

impl DiscoveryHandle {
    pub fn status(&self) -> MdnsStatus {
        self.shared.status.lock().expect("discovery lock").clone()
    }

    /// The `.local` name this host announces (`coco-ID.local`), if any: a
    /// name the host answers to.
    pub fn mdns_host(&self) -> Option<&str> {
        self.shared.mdns_host.as_deref()
    }

    /// This run's instance id, as announced in TXT `id`; `None` when
    /// discovery is off. `/api/health` says it, so a browser that checks a
    /// record's address can tell this session from another at that address.
    pub fn instance_id(&self) -> Option<&str> {
        Some(self.shared.own_id.as_str()).filter(|id| !id.is_empty())
    }

    /// Every other session seen on the network now.
    pub fn sessions(&self) -> Arc<Vec<NearbySession>> {
        self.shared.list.borrow().clone()
    }

    /// Changes whenever a session appears, changes or goes away.
    pub fn subscribe(&self) -> watch::Receiver<Arc<Vec<NearbySession>>> {
        self.shared.list.subscribe()
    }

    /// Reads the seats and the join policy again and re-announces if they
    /// changed (seat changes are noticed by themselves; the host panel's
    /// open/closed switch calls this).
    pub fn refresh(&self) {
        self.shared.nudge.notify_one();
    }
}

/// The running discovery: the daemon and its tasks.
pub struct Discovery {
    shared: Arc<Shared>,
    daemon: Option<ServiceDaemon>,
    fullname: Option<String>,
    tasks: Vec<JoinHandle<()>>,
    /// False when turned off on purpose (`--no-mdns`): nothing to warn about.
    wanted: bool,
}

impl Discovery {
    /// Discovery turned off (`--no-mdns`): nothing announced or browsed.
    pub fn off(reason: &str) -> Discovery {
        let status = MdnsStatus {
            error: Some(reason.to_string()),
            ..MdnsStatus::default()
        };
        Discovery {
            shared: Shared::new("", status),
            daemon: None,
            fullname: None,
            tasks: Vec::new(),
            wanted: false,
        }
    }

    /// Starts the daemon, announces the session (unless it listens on
    /// loopback only) and browses for the others. Never fails: what did not
    /// work is in [`Discovery::error`].
    ///
    /// `occupancy` changes whenever a seat is taken or freed; `live` then
    /// says what to announce.
    pub async fn start(
        settings: Settings,
        live: LiveFn,
        occupancy: watch::Receiver<u64>,
        shutdown: &CancellationToken,
    ) -> Discovery {
        let instance_id = format!("{:08x}", rand::random::<u32>());
        let shared = Shared::new(&instance_id, MdnsStatus::default());
        let daemon = match tokio::task::spawn_blocking(new_daemon).await {
            Ok(Ok(daemon)) => daemon,
            Ok(Err(e)) => return Discovery::failed(shared, e),
            Err(e) => return Discovery::failed(shared, e.to_string()),
        };
        let mut discovery = Discovery {
            shared: shared.clone(),
            daemon: Some(daemon.clone()),
            fullname: None,
            tasks: Vec::new(),
            wanted: true,
        };
        if let Ok(monitor) = daemon.monitor() {
            discovery
                .tasks
                .push(tokio::spawn(log_daemon_errors(monitor, shutdown.clone())));
        }
        match daemon.browse(SERVICE_TYPE) {
            Ok(events) => {
                shared.set_browsing(true);
                discovery.tasks.push(tokio::spawn(browse::follow(
                    events,
                    shared.clone(),
                    shutdown.clone(),
                )));
                discovery
                    .tasks
                    .push(tokio::spawn(probe::run(shared.clone(), shutdown.clone())));
            }
            Err(e) => shared.report(format!("could not look for other sessions: {e}")),
        }
        let Some(reach) = Reach::from_bind(settings.bind) else {
            shared.report(format!(
                "this host listens on {} only, which other computers cannot reach",
                settings.bind
            ));
            return discovery;
        };
        let announcement = Announcement {
            instance_id,
            name: settings.name,
            http_port: settings.http_port,
            ws_port: settings.ws_port,
            live: live(),
            revision: 0,
        };
        match announcement.register(&daemon, reach) {
            Ok(fullname) => {
                shared.status.lock().expect("discovery lock").advertising = true;
                discovery.fullname = Some(fullname);
                let keeper = advertise::Keeper {
                    daemon,
                    announcement,
                    reach,
                    live,
                    occupancy,
                    nudge: shared.nudge.clone(),
                    shared: shared.clone(),
                    shutdown: shutdown.clone(),
                };
                discovery.tasks.push(tokio::spawn(keeper.run()));
            }
            Err(e) => shared.report(e),
        }
        discovery
    }

    fn failed(shared: Arc<Shared>, error: String) -> Discovery {
        shared.report(error);
        Discovery {
            shared,
            daemon: None,
            fullname: None,
            tasks: Vec::new(),
            wanted: true,
        }
    }

    pub fn handle(&self) -> DiscoveryHandle {
        DiscoveryHandle {
            shared: self.shared.clone(),
        }
    }

    /// Why discovery is not (fully) working although it was asked to run.
    /// `None` when it was turned off (`GET /api/discovery` still says so).
    pub fn error(&self) -> Option<String> {
        if !self.wanted {
            return None;
        }
        self.shared
            .status
            .lock()
            .expect("discovery lock")
            .error
            .clone()
    }

    /// Sends the goodbye (so peers drop the session at once rather than at
    /// expiry) and stops the daemon. Call after the shutdown token is
    /// cancelled, so the tasks are ending.
    pub async fn shutdown(self) {
        for task in self.tasks {
            let _ = task.await;
        }
        let Some(daemon) = self.daemon else { return };
        let fullname = self.fullname;
        let _ = tokio::task::spawn_blocking(move || {
            if let Some(fullname) = fullname {
                if let Ok(done) = daemon.unregister(&fullname) {
                    let _ = done.recv_timeout(DAEMON_STOP_WAIT);
                }
            }
            if let Ok(done) = daemon.shutdown() {
                let _ = done.recv_timeout(DAEMON_STOP_WAIT);
            }
        })
        .await;
        let mut status = self.shared.status.lock().expect("discovery lock");
        status.advertising = false;
        status.browsing = false;
    }
}

/// A daemon on the IPv4 LAN interfaces: loopback is left out (no other
/// machine is there) and so is IPv6 (join URLs are IPv4).
fn new_daemon() -> Result<ServiceDaemon, String> {
    // The daemon starts even when it could not bind its socket (it only logs
    // that), so the bind is tried here first, the way the daemon does it.
    mdns_port_free().map_err(|e| {
        format!("mDNS could not start: UDP port {MDNS_PORT} is not available ({e})")
    })?;
    let daemon = ServiceDaemon::new()
        .map_err(|e| format!("mDNS could not start ({e}); is UDP port 5353 blocked or in use?"))?;
    let _ = daemon.disable_interface(vec![IfKind::LoopbackV4, IfKind::IPv6]);
    Ok(daemon)
}

/// The mDNS port (RFC 6762).
const MDNS_PORT: u16 = 5353;

/// Whether UDP 5353 can be bound as mDNS responders share it (address and
/// port reuse); another program holding it exclusively makes this fail.
fn mdns_port_free() -> std::io::Result<()> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
    socket.set_reuse_address(true)?;
    #[cfg(unix)]
    socket.set_reuse_port(true)?;
    let any = std::net::SocketAddr::from(([0, 0, 0, 0], MDNS_PORT));
    socket.bind(&any.into())
}

async fn log_daemon_errors(monitor: mdns_sd::Receiver<DaemonEvent>, shutdown: CancellationToken) {
    let mut logged = false;
    loop {
        let event = tokio::select! {
            _ = shutdown.cancelled() => return,
            event = monitor.recv_async() => event,
        };
        match event {
            Ok(DaemonEvent::Error(e)) if !logged => {
                logged = true;
                tracing::warn!("mDNS: {e} (further mDNS errors are logged at debug level)");
            }
            Ok(DaemonEvent::Error(e)) => tracing::debug!("mDNS: {e}"),
            Ok(_) => {}
            Err(_) => return,
        }
    }
}

/// The URL LAN peers open for a host listening on `addr`, with the join
/// `code` when one is needed: the first LAN address when it listens on all
/// interfaces, none when only on loopback.
pub fn join_url(addr: std::net::SocketAddr, code: Option<&str>) -> Option<String> {
    let ip = if addr.ip().is_unspecified() {
        *lan_addresses().first()?
    } else if addr.ip().is_loopback() {
        return None;
    } else {
        addr.ip()
    };
    let addr = std::net::SocketAddr::new(ip, addr.port());
    Some(match code {
        Some(code) => format!("http://{addr}/?code={code}"),
        None => format!("http://{addr}/"),
    })
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
