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
//! - [`store`]: sled on disk, group commit, op-id dedupe, delta-sync history.
//! - [`media`]: the image store (content-addressed files, metadata in sled)
//!   and the storyboard video renderer (H.264 MP4 and GIF).
//! - [`discovery`]: announcing the session on the LAN over mDNS.
//! - `desktop` (feature `desktop`): the Tauri window around the same UI.

pub mod api;
pub mod auth;
pub mod config;
#[cfg(feature = "desktop")]
pub mod desktop;
pub mod discovery;
pub mod host;
pub mod media;
pub mod protocol;
pub mod room;
pub mod session;
pub mod store;

/// The version reported by `/api/health` and the mDNS record.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
