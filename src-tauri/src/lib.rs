//! CoCo: up to four people draw on one canvas over a local network.
//!
//! One process is the host. It owns every piece of state and is the single
//! authority on the order of operations. The modules, from the wire inwards:
//!
//! - [`config`]: command-line flags and the settings derived from them.
//! - [`host`]: binds the ports and wires every task to one shutdown signal.
//! - [`api`]: axum routes: the UI, health, the WebSocket upgrade.
//! - [`auth`]: join code, loopback trust, `Origin` checks, throttling of wrong codes.
//! - [`session`]: one task per WebSocket connection: frames in, frames out.
//! - [`protocol`]: message shapes, validation and limits; no I/O.
//! - [`room`]: seats, members, shapes in memory, revisions and fan-out.
//! - [`store`]: everything on disk, behind one boundary: the room log (group
//!   commit, op-id dedupe, delta-sync history) and typed tables for the rest,
//!   under one durability policy.
//! - [`jobs`]: background work (enhancing, rendering) with progress, in a table.
//! - [`media`]: the image store (content-addressed files, sizes in a table),
//!   the storyboard video renderer (H.264 MP4 and GIF) and the rendered videos.
//! - [`storyboard`]: each room's storyboards in a table, and the video job
//!   that renders one.
//! - [`ai`]: Gemini over REST (keys, retries, error codes), the offline
//!   enhancer, and the enhancement job that picks between them.
//! - [`discovery`]: announcing the session on the LAN over mDNS, and finding the others.
//! - [`desktop`]: the Tauri window around the same UI (feature `desktop`), and
//!   the rules it follows (one instance, downloads, title) in every build.

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
pub mod store;
pub mod storyboard;

/// The version reported by `/api/health` (the mDNS record carries the protocol version).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
