//! Frames rendered in parallel, consumed in order.
//!
//! Workers (one per core) claim frame numbers and render them; the calling
//! thread receives them through a bounded channel, puts them back in order
//! and hands each to the encoder. A worker may run at most [`window`] frames
//! ahead of the encoder, so memory holds a fixed number of frames however
//! long the video is. Cancellation is checked before every frame, by every
//! thread.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Condvar, Mutex, PoisonError};
use std::thread;

use super::{RenderProgress, VideoError};

/// Most render threads, whatever the core count: beyond this the single
/// encoder thread is the bottleneck anyway.
pub const MAX_RENDER_THREADS: usize = 8;

/// How the two sides of a pipeline meet.
pub(crate) struct Pipeline<'a> {
    pub total: u64,
    pub progress: &'a (dyn Fn(RenderProgress) + Sync),
    pub cancel: &'a AtomicBool,
}

/// Shared between the encoder and the workers.
struct Shared<'a> {
    next_claim: AtomicU64,
    /// Frames consumed so far; workers wait while too far ahead of it.
    consumed: Mutex<u64>,
    advanced: Condvar,
    stop: AtomicBool,
    cancel: &'a AtomicBool,
    window: u64,
}

impl Shared<'_> {
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed) || self.cancel.load(Ordering::Relaxed)
    }

    /// Blocks until frame `index` may be rendered; false if the run stopped.
    fn wait_turn(&self, index: u64) -> bool {
        let mut consumed = self.consumed.lock().unwrap_or_else(PoisonError::into_inner);
        while index >= *consumed + self.window && !self.stopped() {
            consumed = self
                .advanced
                .wait(consumed)
                .unwrap_or_else(PoisonError::into_inner);
        }
        !self.stopped()
    }

    fn halt(&self) {
        self.stop.store(true, Ordering::Relaxed);
        let _guard = self.consumed.lock().unwrap_or_else(PoisonError::into_inner);
        self.advanced.notify_all();
    }
}

/// The number of render threads for this machine.
pub(crate) fn render_threads() -> usize {
    thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, MAX_RENDER_THREADS)
}

/// How many frames may be rendered ahead of the encoder.
fn window(threads: usize) -> u64 {
    threads as u64 * 2 + 2
}

impl Pipeline<'_> {
    /// Renders frames `0..total` with `produce` (on worker threads, each with
    /// its own `S`) and hands them in order to `consume` (on this thread).
    pub fn run<T, S>(
        &self,
        produce: &(dyn Fn(u64, &mut S) -> T + Sync),
        consume: &mut dyn FnMut(u64, T) -> Result<(), VideoError>,
    ) -> Result<(), VideoError>
    where
        T: Send,
        S: Default,
    {
        let threads = render_threads();
        let shared = Shared {
            next_claim: AtomicU64::new(0),
            consumed: Mutex::new(0),
            advanced: Condvar::new(),
            stop: AtomicBool::new(false),
            cancel: self.cancel,
            window: window(threads),
        };
        let (sender, receiver) = sync_channel::<(u64, T)>(threads * 2);
        thread::scope(|scope| {
            for _ in 0..threads {
                let sender = sender.clone();
                let shared = &shared;
                scope.spawn(move || {
                    let mut state = S::default();
                    loop {
                        let index = shared.next_claim.fetch_add(1, Ordering::Relaxed);
                        if index >= self.total || !shared.wait_turn(index) {
                            break;
                        }
                        if sender.send((index, produce(index, &mut state))).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(sender);
            let result = self.consume_in_order(receiver, &shared, consume);
            shared.halt();
            result
        })
    }

    fn consume_in_order<T>(
        &self,
        receiver: Receiver<(u64, T)>,
        shared: &Shared<'_>,
        consume: &mut dyn FnMut(u64, T) -> Result<(), VideoError>,
    ) -> Result<(), VideoError> {
        let mut pending = BTreeMap::new();
        let mut next = 0;
        while next < self.total {
            if self.cancel.load(Ordering::Relaxed) {
                return Err(VideoError::Cancelled);
            }
            let Some(frame) = pending.remove(&next) else {
                let (index, frame) = receiver
                    .recv()
                    .map_err(|_| VideoError::Encode("a render thread stopped".into()))?;
                pending.insert(index, frame);
                continue;
            };
            consume(next, frame)?;
            next += 1;
            {
                let mut consumed = shared
                    .consumed
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                *consumed = next;
                shared.advanced.notify_all();
            }
            (self.progress)(RenderProgress {
                frames_done: next,
                frames_total: self.total,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn frames_arrive_in_order_and_progress_counts_them() {
        let cancel = AtomicBool::new(false);
        let last = AtomicU64::new(0);
        let progress = |p: RenderProgress| last.store(p.frames_done, Ordering::Relaxed);
        let pipeline = Pipeline {
            total: 500,
            progress: &progress,
            cancel: &cancel,
        };
        let mut seen = Vec::new();
        pipeline
            .run::<u64, ()>(&|i, _| i * 2, &mut |i, v| {
                seen.push((i, v));
                Ok(())
            })
            .expect("runs");
        assert_eq!(seen, (0..500).map(|i| (i, i * 2)).collect::<Vec<_>>());
        assert_eq!(last.load(Ordering::Relaxed), 500);
    }

    #[test]
    fn workers_stay_within_the_window() {
        let cancel = AtomicBool::new(false);
        let rendered = AtomicUsize::new(0);
        let pipeline = Pipeline {
            total: 1000,
            progress: &|_| {},
            cancel: &cancel,
        };
        let limit = window(render_threads()) as usize;
        pipeline
            .run::<(), ()>(
                &|_, _| {
                    rendered.fetch_add(1, Ordering::SeqCst);
                },
                &mut |i, ()| {
                    let ahead = rendered.load(Ordering::SeqCst) - i as usize;
                    assert!(ahead <= limit + 1, "{ahead} frames ahead");
                    Ok(())
                },
            )
            .expect("runs");
    }

    #[test]
    fn an_error_or_a_cancel_stops_the_run() {
        let cancel = AtomicBool::new(false);
        let pipeline = Pipeline {
            total: 1_000_000,
            progress: &|_| {},
            cancel: &cancel,
        };
        let failed = pipeline.run::<(), ()>(&|_, _| {}, &mut |i, ()| {
            if i == 10 {
                return Err(VideoError::Encode("boom".into()));
            }
            Ok(())
        });
        assert!(matches!(failed, Err(VideoError::Encode(_))));
        let cancelled = pipeline.run::<(), ()>(&|_, _| {}, &mut |i, ()| {
            if i == 10 {
                cancel.store(true, Ordering::Relaxed);
            }
            Ok(())
        });
        assert!(matches!(cancelled, Err(VideoError::Cancelled)));
    }
}
