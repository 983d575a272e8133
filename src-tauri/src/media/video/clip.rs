//! A scene that plays moving frames (a timelapse clip) inside a video whose
//! other scenes are pictures.
//!
//! The frames of a clip can only be drawn one after another (each applies
//! the next changes onto a running canvas), while [`super::pipeline`] hands
//! frame numbers to every core at once. A [`ClipPlayer`] reconciles the
//! two: the worker that asks for frame `k` draws, under the player's lock,
//! every frame of the clip up to `k`, keeping those another worker has
//! already claimed but not yet asked for. Workers never claim more than the
//! pipeline's window ahead of the encoder, so at most that many frames are
//! kept, and the rest of each frame (caption, crossfade, colour
//! conversion) still runs in parallel.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use super::stream::FrameSource;

/// What a scene plays instead of its still picture.
pub trait Clip: Send + Sync + fmt::Debug {
    /// A source of `frames` frames of `width`×`height` packed RGB, drawn in
    /// order (0, 1, 2, …) from the clip's first moment to its last.
    fn frames(&self, width: u32, height: u32, frames: u64) -> Box<dyn FrameSource>;
}

/// The running state of one clip in one render.
struct Running {
    source: Box<dyn FrameSource>,
    /// The next frame the source will draw.
    next: u64,
    /// The source's canvas, holding frame `next - 1`.
    rgb: Vec<u8>,
    /// Frames drawn on the way to a later one, until their worker asks.
    ready: BTreeMap<u64, Vec<u8>>,
}

/// One clip scene as a render plays it: its frames, drawn once each, in
/// order, whatever order the workers ask in.
pub(crate) struct ClipPlayer {
    clip: Arc<dyn Clip>,
    width: u32,
    height: u32,
    frames: u64,
    running: Mutex<Running>,
}

impl ClipPlayer {
    /// `frames` frames of `width`×`height` (the stage above the caption).
    pub fn new(clip: Arc<dyn Clip>, width: u32, height: u32, frames: u64) -> ClipPlayer {
        let running = Mutex::new(start(&*clip, width, height, frames));
        ClipPlayer {
            clip,
            width,
            height,
            frames,
            running,
        }
    }

    /// Writes frame `k` of the clip into `out` (`width × height × 3` bytes).
    pub fn draw(&self, k: u64, out: &mut [u8]) {
        let k = k.min(self.frames.saturating_sub(1));
        let mut run = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(frame) = run.ready.remove(&k) {
            out.copy_from_slice(&frame);
            return;
        }
        if k + 1 < run.next {
            // Asked again for a frame already handed out (a frame drawn
            // twice, as a test does): play the clip again from its start.
            *run = start(&*self.clip, self.width, self.height, self.frames);
        }
        while run.next <= k {
            let Running {
                source, next, rgb, ..
            } = &mut *run;
            if let Err(e) = source.draw(*next, rgb) {
                // Clip sources draw into memory and do not fail; should one,
                // the scene holds its last frame rather than stop the video.
                tracing::warn!("a clip frame could not be drawn: {e}");
            }
            let drawn = *next;
            *next += 1;
            if drawn < k {
                let copy = run.rgb.clone();
                run.ready.insert(drawn, copy);
            }
        }
        out.copy_from_slice(&run.rgb);
    }

    /// Frames drawn ahead and not yet asked for.
    #[cfg(test)]
    pub fn kept(&self) -> usize {
        self.running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .ready
            .len()
    }
}

fn start(clip: &dyn Clip, width: u32, height: u32, frames: u64) -> Running {
    Running {
        source: clip.frames(width, height, frames),
        next: 0,
        rgb: vec![255; (width * height * 3) as usize],
        ready: BTreeMap::new(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::media::video::VideoError;

    /// A clip whose frame `i` is filled with the value `i`, and which
    /// counts the frames it drew.
    #[derive(Debug, Default)]
    pub struct Counting {
        pub drawn: Arc<std::sync::atomic::AtomicU64>,
    }

    struct Source(Arc<std::sync::atomic::AtomicU64>);

    impl FrameSource for Source {
        fn draw(&mut self, index: u64, rgb: &mut [u8]) -> Result<(), VideoError> {
            self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            rgb.fill(index as u8);
            Ok(())
        }
    }

    impl Clip for Counting {
        fn frames(&self, _: u32, _: u32, _: u64) -> Box<dyn FrameSource> {
            Box::new(Source(self.drawn.clone()))
        }
    }

    #[test]
    fn frames_asked_out_of_order_are_each_drawn_once() {
        let clip = Counting::default();
        let drawn = clip.drawn.clone();
        let player = ClipPlayer::new(Arc::new(clip), 2, 2, 10);
        let mut out = vec![0u8; 12];
        player.draw(3, &mut out);
        assert_eq!(out[0], 3);
        assert_eq!(player.kept(), 3, "frames 0, 1 and 2 wait for their workers");
        for k in [1, 0, 2, 4] {
            player.draw(k, &mut out);
            assert_eq!(out[0], k as u8);
        }
        assert_eq!(player.kept(), 0);
        assert_eq!(drawn.load(std::sync::atomic::Ordering::Relaxed), 5);
        // Past the end: the last frame holds.
        player.draw(50, &mut out);
        assert_eq!(out[0], 9);
    }

    #[test]
    fn a_frame_asked_again_plays_the_clip_again() {
        let player = ClipPlayer::new(Arc::new(Counting::default()), 2, 2, 10);
        let mut out = vec![0u8; 12];
        player.draw(5, &mut out);
        player.draw(6, &mut out);
        player.draw(2, &mut out);
        assert_eq!(out[0], 2, "from the ready frames");
        player.draw(5, &mut out);
        assert_eq!(out[0], 5, "handed out before: drawn again from the start");
    }
}
