//! The host: binds the ports, starts every task, and stops them together.
//!
//! One [`CancellationToken`] stops everything: the listeners stop accepting,
//! each session sends a close frame, then the store writer writes what is
//! queued and flushes. Only then does [`Host::shutdown`] return.

pub mod admin;
mod bind;
pub mod listen;
mod signal;
pub mod terminal;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::ai::{self, slot::GeminiSlot};
use crate::api::{self, AppParts, AppState};
use crate::auth::Gate;
use crate::config::Config;
use crate::discovery::{self, Discovery, DiscoveryHandle, Live};
use crate::jobs::kinds::enhance::{self, Enhancer};
use crate::jobs::kinds::timelapse::{self, TimelapseMaker};
use crate::jobs::kinds::video::{self as video_job, VideoMaker};
use crate::jobs::{EventSink, JobRecord, Jobs};
use crate::media::images::ImageError;
use crate::media::pictures::Pictures;
use crate::media::video_store::{VideoStore, VideoStoreError};
use crate::protocol::frame;
use crate::protocol::limits::SEATS_PER_ROOM;
use crate::room::{Rooms, SeatEvent};
use crate::store::{self, Store, StoreError};
use crate::storyboard::{ChangeSink, StoryboardEvent, Storyboards};

pub use bind::BindError;
pub use signal::stop_requested;

/// How long shutdown waits for sessions to say goodbye.
const SESSION_DRAIN: Duration = Duration::from_secs(3);
/// A room nobody has been in for this long is unloaded from memory (it
/// stays on disk and is read back on the next join).
pub const ROOM_IDLE_UNLOAD: Duration = Duration::from_secs(120);
/// Enhancements run at once; more wait in the lane's queue.
pub const ENHANCE_WORKERS: usize = 2;
/// Videos rendered at once: one render already uses every core.
pub const VIDEO_WORKERS: usize = 1;
/// Timelapses rendered at once, in a lane of their own so that a long
/// replay never holds up storyboard videos (and the reverse).
pub const TIMELAPSE_WORKERS: usize = 1;
/// How often idle rooms are looked for.
const ROOM_SWEEP_INTERVAL: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum HostError {
    #[error("could not create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Bind(#[from] BindError),
    #[error(transparent)]
    Images(#[from] ImageError),
    #[error("could not open the videos: {0}")]
    Videos(#[from] VideoStoreError),
}

/// A running host.
pub struct Host {
    http_addr: SocketAddr,
    ws_addr: SocketAddr,
    gate: Gate,
    name: String,
    notices: Vec<String>,
    shutdown: CancellationToken,
    sessions: TaskTracker,
    servers: Vec<JoinHandle<()>>,
    writer_finish: CancellationToken,
    writer: JoinHandle<()>,
    store: Store,
    discovery: Discovery,
    jobs: Jobs,
    rooms: Rooms,
    data_dir: PathBuf,
}

impl Host {
    /// Opens the store, binds both ports and starts serving.
    pub async fn start(config: Config) -> Result<Host, HostError> {
        std::fs::create_dir_all(&config.data_dir).map_err(|source| HostError::DataDir {
            path: config.data_dir.display().to_string(),
            source,
        })?;
        let dir = config.data_dir.clone();
        let store = tokio::task::spawn_blocking(move || Store::open(&dir))
            .await
            .expect("store open task")?;
        let code = store.join_code()?;
        let mut notices = Vec::new();
        let http = bind::listen(config.bind, config.http_port, "HTTP", &mut notices).await?;
        let ws = bind::listen(config.bind, config.ws_port, "WebSocket", &mut notices).await?;
        let http_addr = http.local_addr().map_err(BindError::from)?;
        let ws_addr = ws.local_addr().map_err(BindError::from)?;

        let shutdown = CancellationToken::new();
        let writer_finish = CancellationToken::new();
        let (writer_handle, writer) = store::spawn_writer(store.clone(), writer_finish.clone());
        let keeper = store.clone();
        let gate = Gate::new(code, config.open).persist_with(Arc::new(move |code: &str| {
            keeper.set_join_code(code).map_err(|e| e.to_string())
        }));
        let sessions = TaskTracker::new();
        let rooms = Rooms::with_history(store.clone(), writer_handle, config.history_budget);
        let pictures = Pictures::open(&config.data_dir, &store)?;
        let jobs = Jobs::open(&store, job_events(rooms.clone()))?;
        jobs.add_lane(enhance::KIND, ENHANCE_WORKERS);
        jobs.add_lane(video_job::KIND, VIDEO_WORKERS);
        jobs.add_lane(timelapse::KIND, TIMELAPSE_WORKERS);
        let slot = GeminiSlot::new(
            ai::gemini_config(&config.ai),
            config.ai.key_source,
            config.ai.key_file.clone(),
        );
        let enhancer = Enhancer::new(slot.clone(), pictures.clone());
        enhancer.check_model_in_background();
        let storyboards =
            Storyboards::open(&store, pictures.clone(), storyboard_events(rooms.clone()))?;
        let videos = VideoStore::open(&config.data_dir, &store)?;
        let timelapses = TimelapseMaker::new(store.clone(), videos.clone());
        let videos = VideoMaker::new(storyboards.clone(), store.clone(), videos, slot);
        let discovery = if config.mdns {
            let settings = discovery::Settings {
                name: config.name.clone(),
                bind: config.bind,
                http_port: http_addr.port(),
                ws_port: ws_addr.port(),
            };
            let occupancy = rooms.occupancy();
            let (rooms, gate) = (rooms.clone(), gate.clone());
            let live = std::sync::Arc::new(move || Live {
                free_seats: SEATS_PER_ROOM
                    - rooms
                        .find(crate::room::DEFAULT_ROOM)
                        .map_or(0, |room| room.member_count()),
                code_required: gate.code_required(),
            });
            Discovery::start(settings, live, occupancy, &shutdown).await
        } else {
            Discovery::off("announcing and finding sessions is turned off (--no-mdns)")
        };
        let state = AppState::new(AppParts {
            rooms: rooms.clone(),
            gate: gate.clone(),
            pictures,
            jobs: jobs.clone(),
            enhancer,
            storyboards,
            videos,
            timelapses,
            discovery: discovery.handle(),
            name: config.name.clone(),
            http_addr,
            ws_port: ws_addr.port(),
            shutdown: shutdown.clone(),
            sessions: sessions.clone(),
        });
        let admin_file = admin::AdminFile {
            addr: loopback_view(http_addr),
            secret: gate.admin_secret().to_string(),
        };
        if let Err(e) = admin::write(&config.data_dir, &admin_file) {
            notices.push(format!(
                "`coco rotate-code` will not reach this host: could not write {}: {e}",
                admin::path(&config.data_dir).display()
            ));
        }
        let connections =
            listen::Connections::new(listen::lan_connection_cap(listen::raise_open_files_limit()));
        let servers = vec![
            listen::serve(
                http,
                api::http_router(state.clone()),
                connections.clone(),
                shutdown.clone(),
            ),
            listen::serve(ws, api::ws_router(state), connections, shutdown.clone()),
            relay_nearby(rooms.clone(), discovery.handle(), shutdown.clone()),
            sweep_idle_rooms(rooms.clone(), shutdown.clone()),
            tokio::spawn(crate::room::follow_storage(
                rooms.clone(),
                store.health().clone(),
                shutdown.clone(),
            )),
        ];
        Ok(Host {
            http_addr,
            ws_addr,
            gate,
            name: config.name,
            notices,
            shutdown,
            sessions,
            servers,
            writer_finish,
            writer,
            store,
            discovery,
            jobs,
            rooms,
            data_dir: config.data_dir,
        })
    }

    pub fn http_addr(&self) -> SocketAddr {
        self.http_addr
    }

    pub fn ws_addr(&self) -> SocketAddr {
        self.ws_addr
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn join_code(&self) -> Arc<str> {
        self.gate.code()
    }

    /// Follows the join code as the host panel or `coco rotate-code` changes it.
    pub fn code_changes(&self) -> watch::Receiver<Arc<str>> {
        self.gate.code_changes()
    }

    /// The UI on this machine with the admin secret: it shows the host
    /// panel. For the desktop window and the person at the host's terminal.
    pub fn admin_url(&self) -> String {
        format!("{}?admin={}", self.local_url(), self.gate.admin_secret())
    }

    /// Messages about the start-up a person should see (a busy port moved).
    pub fn notices(&self) -> &[String] {
        &self.notices
    }

    /// Why the session is not announced on the LAN (or others not found).
    pub fn mdns_error(&self) -> Option<String> {
        self.discovery.error()
    }

    /// The sessions seen on the LAN and the state of mDNS.
    pub fn discovery(&self) -> DiscoveryHandle {
        self.discovery.handle()
    }

    /// Who takes or leaves a seat, from now on.
    pub fn seat_events(&self) -> broadcast::Receiver<SeatEvent> {
        self.rooms.seat_events()
    }

    /// Changes whenever a seat is taken or freed in any room.
    pub fn occupancy(&self) -> watch::Receiver<u64> {
        self.rooms.occupancy()
    }

    /// People seated in the room the UI joins.
    pub fn seats_taken(&self) -> usize {
        self.rooms.seated(crate::room::DEFAULT_ROOM)
    }

    /// The rooms, to follow who is seated (the desktop window's title).
    pub fn rooms(&self) -> Rooms {
        self.rooms.clone()
    }

    /// What a person needs to invite others: the URLs, the code, and any
    /// start-up notice. Printed on stdout by headless and desktop mode alike.
    pub fn banner(&self) -> String {
        let mut out = String::new();
        for notice in &self.notices {
            out.push_str(&format!("note: {notice}\n"));
        }
        out.push_str(&format!(
            "CoCo host \u{201c}{}\u{201d} is ready\n",
            self.name
        ));
        out.push_str(&format!("  on this machine: {}\n", self.local_url()));
        out.push_str(&format!(
            "  admin link:      {} (the host panel; keep it to yourself)\n",
            self.admin_url()
        ));
        out.push_str(&self.code_lines());
        out.push_str(&format!(
            "  WebSocket:       {} (compatibility port)\n",
            self.local_ws_url()
        ));
        if let Some(e) = self.mdns_error() {
            out.push_str(&format!(
                "  not announced on the network ({e}); share the URL above instead\n"
            ));
        }
        out
    }

    /// The network URL and the join code: printed at start and again
    /// whenever the code changes.
    pub fn code_lines(&self) -> String {
        let mut out = String::new();
        match self.join_url() {
            Some(url) => out.push_str(&format!("  on the network:  {url}\n")),
            None => out.push_str("  on the network:  (listening on this machine only)\n"),
        }
        out.push_str(&format!("  join code:       {}\n", self.join_code()));
        out
    }

    /// The UI on this machine.
    pub fn local_url(&self) -> String {
        format!("http://{}/", loopback_view(self.http_addr))
    }

    /// The compatibility WebSocket on this machine.
    pub fn local_ws_url(&self) -> String {
        format!("ws://{}/", loopback_view(self.ws_addr))
    }

    /// The URL LAN peers open, with the join code when one is needed.
    pub fn join_url(&self) -> Option<String> {
        discovery::join_url(self.http_addr, self.gate.required_code().as_deref())
    }

    /// A token cancelled when the host begins to shut down.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Stops accepting, closes every session, flushes the store.
    pub async fn shutdown(self) {
        self.shutdown.cancel();
        // The goodbye goes out first: nobody can join any more.
        let goodbye = tokio::spawn(self.discovery.shutdown());
        for server in self.servers {
            let _ = server.await;
        }
        self.sessions.close();
        if tokio::time::timeout(SESSION_DRAIN, self.sessions.wait())
            .await
            .is_err()
        {
            tracing::warn!("some connections did not close in time");
        }
        // Running jobs are cancelled and recorded as interrupted.
        self.jobs.shutdown().await;
        self.writer_finish.cancel();
        let _ = self.writer.await;
        let store = self.store;
        let _ = tokio::task::spawn_blocking(move || store.flush()).await;
        admin::remove(&self.data_dir);
        let _ = goodbye.await;
    }
}

/// The address to show for this machine: loopback when listening on all interfaces.
fn loopback_view(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(Ipv4Addr::LOCALHOST.into(), addr.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(Ipv4Addr::LOCALHOST.into(), addr.port())
        }
        _ => addr,
    }
}

/// Sends `SESSIONS_NEARBY` to everyone seated whenever the list changes.
fn relay_nearby(
    rooms: Rooms,
    discovery: DiscoveryHandle,
    shutdown: CancellationToken,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut changes = discovery.subscribe();
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                changed = changes.changed() => {
                    if changed.is_err() {
                        return;
                    }
                }
            }
            let sessions = changes.borrow_and_update().clone();
            rooms.broadcast(&discovery::nearby_frame(&sessions));
        }
    })
}

/// Job updates go to everyone in the job's room, if it is loaded.
fn job_events(rooms: Rooms) -> EventSink {
    std::sync::Arc::new(move |room: &str, record: &JobRecord| {
        if let Some(room) = rooms.find(room) {
            let record = crate::protocol::payloads::record(record);
            room.broadcast(&frame(&crate::protocol::ServerMessage::JobUpdated(&record)));
        }
    })
}

/// Storyboard changes go to everyone in the storyboard's room, if it is loaded.
fn storyboard_events(rooms: Rooms) -> ChangeSink {
    std::sync::Arc::new(move |room: &str, event: StoryboardEvent<'_>| {
        if let Some(room) = rooms.find(room) {
            room.broadcast(&event.to_frame());
        }
    })
}

fn sweep_idle_rooms(rooms: Rooms, shutdown: CancellationToken) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(ROOM_SWEEP_INTERVAL);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tick.tick() => {
                    let unloaded = rooms.sweep(ROOM_IDLE_UNLOAD);
                    if unloaded > 0 {
                        tracing::debug!("unloaded {unloaded} idle rooms");
                    }
                }
            }
        }
    })
}
