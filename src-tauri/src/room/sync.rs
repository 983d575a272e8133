//! Answering `REQUEST_SYNC` without holding the room long.
//!
//! A sync in parts reads each shape's box (to order by distance from the
//! view) and, when asked, its packed points. Both are kept per shape once
//! made, but the first such sync after a room loads makes them for every
//! shape: ~300 ms for a 10,000-stroke board, during which nobody else in
//! the room could draw or point if it ran under the lock. So the
//! connection makes them first, on a blocking thread, from the shapes'
//! shared caches ([`Room::prepare_sync`]); the answer, still cut under the
//! lock from one snapshot, then only finds them made.

use super::*;
use crate::protocol::SyncRequest;

/// Below this many shapes to read, the answer makes them under the lock
/// (a millisecond or two): a thread hand-off would cost more.
pub const SYNC_WORK_OFFLOAD_MIN: usize = 256;

impl Room {
    /// Makes, outside the room's lock, what answering `request` would
    /// otherwise make under it. Changes made meanwhile are made by the
    /// answer itself, as before.
    pub async fn prepare_sync(&self, request: &SyncRequest) {
        let work = self.lock().doc.sync_work(request);
        if work.len() < SYNC_WORK_OFFLOAD_MIN {
            return;
        }
        // A failed hand-off only leaves the work to the answer.
        let _ = tokio::task::spawn_blocking(move || work.run()).await;
    }

    /// The whole board with packed points, for a page on the join screen
    /// (`GET /api/rooms/{room}/board`): made like a sync in parts, off the
    /// lock first.
    pub async fn packed_board(&self) -> String {
        let request = SyncRequest {
            parts: true,
            packed: true,
            ..SyncRequest::default()
        };
        self.prepare_sync(&request).await;
        self.lock().doc.packed_board()
    }

    /// A live shape's revision and JSON ("bring back" of a shape that is
    /// on the board answers with it as it is).
    pub fn live_shape(&self, id: &str) -> Option<(u64, Arc<str>)> {
        self.lock().doc.live_shape(id)
    }
}
