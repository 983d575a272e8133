//! Every limit the host enforces on what peers send, in one place.
//!
//! Each is generous enough for the existing CoCo client (which may inline an
//! image as a data URL inside a shape) and small enough that one peer cannot
//! exhaust the host's memory or disk.

/// Largest WebSocket text frame accepted; a bigger one closes the socket with `too_large`.
pub const MAX_FRAME_BYTES: usize = 2 * 1024 * 1024;

/// Largest serialized shape (after an update is merged); bigger is `invalid`.
pub const MAX_SHAPE_BYTES: usize = 1024 * 1024;

/// Most points in one shape's `points` array.
pub const MAX_POINTS_PER_SHAPE: usize = 10_000;

/// Most live shapes in one room; adding past it is `invalid`.
pub const MAX_SHAPES_PER_ROOM: usize = 20_000;

/// Most bytes of shape JSON in one room. It bounds the memory of a room and
/// the size of a full sync (a 2,000-stroke board is about 3 MB).
pub const MAX_ROOM_BYTES: usize = 48 * 1024 * 1024;

/// Longest shape id, user id, op id or username, in bytes.
pub const MAX_ID_BYTES: usize = 128;

/// Longest room name, in bytes. Room names are `[A-Za-z0-9_.-]`.
pub const MAX_ROOM_NAME_BYTES: usize = 64;

/// Sustained messages per second one connection may send.
///
/// A person never comes near it (a 240 Hz pen plus 60 Hz cursor moves is
/// ~300/s); it is high enough for scripted clients that batch-import drawings,
/// and stops a runaway loop from flooding the room.
pub const MAX_MESSAGES_PER_SEC: u32 = 5_000;

/// Messages a connection may send in a burst above the sustained rate.
pub const MESSAGE_BURST: u32 = 5_000;

/// How long a sender that exceeded its budget has further messages dropped.
pub const RATE_LIMIT_PENALTY_MS: u64 = 1_000;

/// Bytes of document updates (shapes, acks, syncs) queued for one receiver
/// before it is considered stuck and disconnected. It resyncs on reconnect.
pub const MAX_OUTBOX_BYTES: usize = 16 * 1024 * 1024;

/// Deleted-shape records kept per room for delta sync. A `since` older than
/// the oldest kept record gets a full sync instead.
pub const MAX_TOMBSTONES_PER_ROOM: usize = 10_000;

/// Applied op ids remembered per room, so a replay is recognised (also across
/// restarts). Clients replay only operations that were in flight or offline.
pub const MAX_OP_IDS_PER_ROOM: usize = 20_000;

/// Seats per room.
pub const SEATS_PER_ROOM: usize = 4;

/// People who may watch a room beyond its seats (a class around a
/// projector): they see the board, the cursors and the laser live and
/// change nothing. Each costs one more delivery of every relayed message.
pub const MAX_WATCHERS_PER_ROOM: usize = 32;

/// Most rooms held in memory at once; joining another one is refused.
pub const MAX_LOADED_ROOMS: usize = 4_096;

/// Most points in one `LASER` message. The web UI sends a laser pointer's
/// trail about 25 times a second, a few points each; a message with more
/// is `invalid` and not relayed.
pub const MAX_LASER_POINTS: usize = 64;

/// Sustained `LASER` messages per second one connection may send; above it
/// (and its burst, [`LASER_BURST`]) they are dropped without an answer: a
/// trail that fades within a second loses a stretch, and nothing else.
pub const MAX_LASER_MESSAGES_PER_SEC: u32 = 60;

/// `LASER` messages a connection may send at once above the sustained rate.
pub const LASER_BURST: u32 = 30;

/// Largest `LASER` or `VIEWPORT` frame, in bytes. Both are relayed to
/// everyone many times a second, so they are held to what their fields
/// need (64 points are about 2 KB) rather than to [`MAX_FRAME_BYTES`].
pub const MAX_LIVE_FRAME_BYTES: usize = 8 * 1024;

/// Largest magnitude of a coordinate or size in `LASER` and `VIEWPORT`.
pub const MAX_LIVE_COORDINATE: f64 = 1.0e9;

/// Most bytes of shape JSON in the first part of a board sent in parts
/// (`REQUEST_SYNC {parts: true}`): the shapes nearest the asker's view,
/// small enough (about 6 KiB compressed) to cross a slow link in a round
/// trip or two. A board whose sync fits in it is sent as one plain
/// `SYNC_SHAPES`. A single shape larger than this is sent alone.
pub const FIRST_SYNC_PART_BYTES: usize = 32 * 1024;

/// Most bytes of shape JSON in each later part of a board sent in parts:
/// few enough messages that their framing costs nothing, small enough that
/// each is painted while the next one travels.
pub const SYNC_PART_BYTES: usize = 256 * 1024;
