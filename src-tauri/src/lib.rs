//! CoCo: up to four people draw on one canvas over a local network.
//!
//! One process is the host. It owns every piece of state and is the single
//! authority on the order of operations. The modules, from the wire inwards:
//!
//! - [`config`]: command-line flags and the settings derived from them
//!   (the Gemini key is a [`config::ApiKey`], never printed).
//! - [`host`]: binds the ports, builds every part and wires every task to
//!   one shutdown signal.
//! - [`api`]: axum routes: the UI, health, the WebSocket upgrade, and the
//!   data routes (`api/common.rs` holds what they share: body parsing, the
//!   room a request names, blocking work).
//! - [`auth`]: join code, loopback trust, `Origin` checks, throttling of
//!   wrong codes, the admin header.
//! - [`session`]: one task per WebSocket connection: frames in, frames out.
//! - [`protocol`]: message shapes, validation and limits; no I/O. Also
//!   [`protocol::picture::PictureRef`], the one way anything names a
//!   picture of this host.
//! - [`room`]: seats, members, watchers beyond the seats, shapes in memory,
//!   revisions and fan-out (and [`room::DEFAULT_ROOM`]); the host's lock of
//!   the board and of single shapes; each change's history entry (who, when)
//!   and the checkpoints; the live relays that are never stored (cursors,
//!   views, laser trails) are coalesced per sender.
//! - [`store`]: everything on disk, behind one boundary: the room log (group
//!   commit, op-id dedupe, delta-sync history), each room's op log with its
//!   keyframes and thinning (written in the same batch as the change), and
//!   typed tables for the rest, under one durability policy. Nothing else
//!   names the database.
//! - [`jobs`]: background work with progress, in a table: the lanes and
//!   their runner, and in [`jobs::kinds`] the kinds of work, `enhance` (a
//!   sketch into a picture), `video` (a storyboard into an MP4 or GIF, with
//!   Gemini's story and narration) and `timelapse` (a room's history into
//!   an MP4).
//! - [`media`]: the host's pictures ([`media::pictures::Pictures`]: uploads
//!   and enhanced, content-addressed files with their sizes in tables), the
//!   video renderer (H.264 MP4 and GIF), the rendered videos, and the
//!   thumbnails of past boards.
//! - [`storyboard`]: each room's storyboards in a table, every change checked.
//! - [`ai`]: the providers: Gemini over REST (keys, retries, error codes),
//!   the offline enhancer, a storyboard's story and narration.
//! - [`discovery`]: announcing the session on the LAN over mDNS, finding
//!   the others, and the join link LAN peers open.
//! - [`desktop`]: the Tauri window around the same UI (feature `desktop`), and
//!   the rules it follows (one instance, downloads, title) in every build.
//!
//! Imports run one way: from the wire inwards (`host` → `api` → `jobs` →
//! `storyboard`/`ai`/`media` → `store`/`protocol`); no two modules import
//! each other. The load tool (`bench/tool`, package `coco-bench`) is a
//! separate package of the workspace that uses this library.

pub mod ai;
pub mod api;
pub mod auth;
pub mod config;
pub mod desktop;
pub mod discovery;
pub mod host;
pub mod jobs;
pub mod media;
pub mod protocol;
pub mod room;
pub mod session;
pub mod socket;
pub mod store;
pub mod storyboard;

/// The version reported by `/api/health` (the mDNS record carries the protocol version).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
