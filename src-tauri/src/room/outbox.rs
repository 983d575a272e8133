//! The outbound queue of one connection.
//!
//! Fan-out never waits on a socket: senders push into the receiver's outbox
//! and return. Document updates queue in order up to
//! [`MAX_OUTBOX_BYTES`]; past that the receiver is stuck and is cut off (it
//! resyncs when it reconnects), so one slow peer never delays the others.
//! Cursor moves are not queued but coalesced: only the latest position per
//! sender waits, so a slow reader sees fewer, never older, cursor frames.
//! The other live messages (a view, a stretch of laser trail) are
//! coalesced the same way, each kind in its own slot per sender.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::protocol::limits::MAX_OUTBOX_BYTES;
use crate::protocol::Frame;

/// Why the host ends a connection, sent in the WebSocket close frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseReason {
    /// WebSocket close code (1000 normal, 1001 going away, 1008 policy, 1009 too big, 1013 try later).
    pub code: u16,
    pub reason: String,
}

/// Frames waiting for one connection's writer.
#[derive(Debug)]
pub struct Outbox {
    inner: Mutex<Inner>,
    ready: Notify,
    /// Cancelled when the connection must end now, without flushing.
    killed: CancellationToken,
    /// The same fact as a plain flag: checking the token takes a lock, and
    /// the fan-out path checks it for every frame.
    dead: AtomicBool,
}

#[derive(Debug, Default)]
struct Inner {
    docs: VecDeque<Frame>,
    doc_bytes: usize,
    /// Latest live frame per sender id and kind.
    latest: Vec<(std::sync::Arc<str>, Live, Frame)>,
    /// Set once: after the queued frames, close the socket with this reason.
    closing: Option<CloseReason>,
}

/// The kinds of live frame coalesced per sender: a newer one of the same
/// kind from the same sender replaces one not yet sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Live {
    Cursor,
    Viewport,
    /// A receiver that falls behind loses a stretch of the trail (drawn as
    /// a straight line between what it got), never sees it late.
    Laser,
}

/// What the writer takes from the outbox in one go.
#[derive(Debug, Default)]
pub struct Drained {
    pub frames: Vec<Frame>,
    pub close: Option<CloseReason>,
}

impl Default for Outbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Outbox {
    pub fn new() -> Self {
        Outbox {
            inner: Mutex::new(Inner::default()),
            ready: Notify::new(),
            killed: CancellationToken::new(),
            dead: AtomicBool::new(false),
        }
    }

    /// Queues a document frame. Returns false when the connection is closing
    /// or was just cut off for falling too far behind.
    pub fn push(&self, frame: Frame) -> bool {
        self.enqueue(frame.len(), std::iter::once(frame))
    }

    /// Queues document frames as one: nothing can come between them (a
    /// sync in parts, then the changes made after its snapshot), and like
    /// one frame they always fit into an empty queue, so a board sent in
    /// parts is never cut off where the same board in one frame is not.
    pub fn push_all(&self, frames: Vec<Frame>) -> bool {
        self.enqueue(frames.iter().map(Frame::len).sum(), frames)
    }

    /// Queues `frames` (`bytes` long together) unless the receiver is stuck.
    fn enqueue(&self, bytes: usize, frames: impl IntoIterator<Item = Frame>) -> bool {
        let mut inner = self.inner.lock().expect("outbox lock");
        if inner.closing.is_some() || self.is_killed() {
            return false;
        }
        // What is pushed at once always fits into an empty queue: a full
        // sync of a big board may be larger than the budget on its own.
        if inner.doc_bytes > 0 && inner.doc_bytes + bytes > MAX_OUTBOX_BYTES {
            drop(inner);
            tracing::info!("disconnecting a peer that stopped reading");
            self.kill();
            return false;
        }
        inner.doc_bytes += bytes;
        inner.docs.extend(frames);
        drop(inner);
        self.ready.notify_one();
        true
    }

    /// Replaces the pending cursor frame of `sender`, or queues one.
    pub fn push_cursor(&self, sender: &std::sync::Arc<str>, frame: Frame) {
        self.push_latest(sender, Live::Cursor, frame);
    }

    /// Replaces the pending `kind` frame of `sender`, or queues one.
    pub fn push_latest(&self, sender: &std::sync::Arc<str>, kind: Live, frame: Frame) {
        let mut inner = self.inner.lock().expect("outbox lock");
        if inner.closing.is_some() {
            return;
        }
        match inner
            .latest
            .iter_mut()
            .find(|(id, k, _)| *k == kind && id == sender)
        {
            Some(slot) => slot.2 = frame,
            None => inner.latest.push((sender.clone(), kind, frame)),
        }
        drop(inner);
        self.ready.notify_one();
    }

    /// Sends what is queued, then closes the socket with `reason`.
    pub fn close(&self, reason: CloseReason) {
        let mut inner = self.inner.lock().expect("outbox lock");
        if inner.closing.is_none() {
            inner.closing = Some(reason);
        }
        drop(inner);
        self.ready.notify_one();
    }

    /// Ends the connection at once, dropping what is queued.
    pub fn kill(&self) {
        self.dead.store(true, Ordering::Release);
        self.killed.cancel();
    }

    pub fn is_killed(&self) -> bool {
        self.dead.load(Ordering::Acquire)
    }

    /// Resolves when the connection was cut off.
    pub async fn killed(&self) {
        self.killed.cancelled().await
    }

    /// Resolves when there may be something to drain.
    pub async fn ready(&self) {
        self.ready.notified().await
    }

    /// Takes everything queued: document frames first, in order, then the
    /// latest live frames of each sender.
    pub fn drain(&self) -> Drained {
        let mut inner = self.inner.lock().expect("outbox lock");
        let mut frames = Vec::with_capacity(inner.docs.len() + inner.latest.len());
        frames.extend(inner.docs.drain(..));
        frames.extend(inner.latest.drain(..).map(|(_, _, f)| f));
        inner.doc_bytes = 0;
        Drained {
            frames,
            close: inner.closing.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn cursor_moves_are_coalesced_per_sender() {
        let outbox = Outbox::new();
        let (a, b): (Arc<str>, Arc<str>) = ("a".into(), "b".into());
        outbox.push_cursor(&a, "a1".into());
        outbox.push_cursor(&b, "b1".into());
        outbox.push_cursor(&a, "a2".into());
        let drained = outbox.drain();
        let texts: Vec<&str> = drained.frames.iter().map(|f| f.as_str()).collect();
        assert_eq!(texts, ["a2", "b1"]);
    }

    #[test]
    fn each_live_kind_is_coalesced_apart() {
        let outbox = Outbox::new();
        let a: Arc<str> = "a".into();
        outbox.push_latest(&a, Live::Cursor, "c1".into());
        outbox.push_latest(&a, Live::Laser, "l1".into());
        outbox.push_latest(&a, Live::Viewport, "v1".into());
        outbox.push_latest(&a, Live::Laser, "l2".into());
        outbox.push_latest(&a, Live::Cursor, "c2".into());
        let drained = outbox.drain();
        let texts: Vec<&str> = drained.frames.iter().map(|f| f.as_str()).collect();
        assert_eq!(texts, ["c2", "l2", "v1"]);
    }

    #[test]
    fn documents_keep_their_order_before_cursors() {
        let outbox = Outbox::new();
        let a: Arc<str> = "a".into();
        outbox.push_cursor(&a, "c".into());
        assert!(outbox.push("d1".into()));
        assert!(outbox.push("d2".into()));
        let texts: Vec<String> = outbox
            .drain()
            .frames
            .iter()
            .map(|f| f.to_string())
            .collect();
        assert_eq!(texts, ["d1", "d2", "c"]);
    }

    #[test]
    fn a_reader_that_falls_too_far_behind_is_cut_off() {
        let outbox = Outbox::new();
        let big: Frame = "x".repeat(1024 * 1024).into();
        let fits = MAX_OUTBOX_BYTES / big.len();
        for _ in 0..fits {
            assert!(outbox.push(big.clone()));
        }
        assert!(!outbox.is_killed());
        assert!(!outbox.push(big));
        assert!(outbox.is_killed());
    }

    #[test]
    fn one_frame_larger_than_the_budget_still_goes_out() {
        let outbox = Outbox::new();
        assert!(outbox.push("x".repeat(MAX_OUTBOX_BYTES + 1).into()));
        assert!(!outbox.push("y".into()));
        assert!(outbox.is_killed());
    }

    #[test]
    fn frames_pushed_together_fit_an_empty_queue_like_one_frame() {
        let outbox = Outbox::new();
        let half: Frame = "x".repeat(MAX_OUTBOX_BYTES / 2 + 1).into();
        assert!(outbox.push_all(vec![half.clone(), half.clone(), half.clone()]));
        assert!(!outbox.is_killed());
        assert_eq!(outbox.drain().frames.len(), 3);
        assert!(outbox.push("d".into()));
        assert!(!outbox.push_all(vec![half.clone(), half]));
        assert!(outbox.is_killed());
    }

    #[test]
    fn draining_frees_the_budget() {
        let outbox = Outbox::new();
        let big: Frame = "x".repeat(MAX_OUTBOX_BYTES).into();
        assert!(outbox.push(big.clone()));
        outbox.drain();
        assert!(outbox.push(big));
        assert!(!outbox.is_killed());
    }

    #[test]
    fn nothing_is_queued_after_close() {
        let outbox = Outbox::new();
        outbox.close(CloseReason {
            code: 1000,
            reason: "bye".into(),
        });
        assert!(!outbox.push("late".into()));
        let drained = outbox.drain();
        assert!(drained.frames.is_empty());
        assert_eq!(drained.close.unwrap().code, 1000);
    }
}
