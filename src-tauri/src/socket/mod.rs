//! The WebSocket beneath the protocol: the upgrade, and permessage-deflate
//! (RFC 7692) for the peers that offer it.
//!
//! A full sync of a 2,000-stroke board is 2.4 MiB of JSON; over school
//! Wi-Fi that is a second before a late joiner sees anything. Every browser
//! and most WebSocket libraries offer `permessage-deflate`, which shrinks
//! that JSON about five times. The WebSocket library the host uses
//! (tungstenite) has no compression of its own, so this module adds it
//! around the library:
//!
//! - the upgrade ([`upgrade`]) negotiates the extension per connection; a
//!   client that does not offer it gets exactly the frames it always got;
//! - frames the host sends are compressed once and shared by every receiver
//!   that negotiated it (see [`crate::protocol::Frame::deflated`]), and sent
//!   as raw frames with the RSV1 bit;
//! - frames a client compressed are inflated below the library
//!   ([`inflate_io`]) before it parses them, since it refuses RSV1.
//!
//! Both directions use no context takeover: every message stands alone.
//! That costs a little ratio on small messages, and buys three things: one
//! compression of a broadcast serves every receiver, no connection keeps a
//! compression window (a deflate context is some 300 KiB; a room has up to
//! 4 seats and [`MAX_WATCHERS_PER_ROOM`](crate::room) watchers, and the host
//! up to a thousand sockets), and the contexts that do the work are one per
//! worker thread ([`codec`]).

pub mod codec;
pub mod inflate_io;
pub mod negotiate;
pub mod upgrade;

pub use codec::{deflate, inflate, DEFLATE_LEVEL, DEFLATE_MIN_BYTES, DEFLATE_OFFLOAD_BYTES};
pub use inflate_io::{Inflating, Role};
pub use negotiate::{negotiate, DEFLATE_OFFER, DEFLATE_RESPONSE};
pub use upgrade::{Socket, Upgrade};
