//! Frames that can only be made one after another (a drawing growing on a
//! running canvas, as in a timelapse), encoded while the next is drawn.
//!
//! [`super::pipeline`] renders frames in any order on every core, which
//! suits scenes computed from a fixed picture. A frame that depends on the
//! one before cannot be split that way, so here one thread draws frames in
//! order and converts them to I420 while the calling thread encodes and
//! muxes the previous ones: the two slowest steps overlap, and at most
//! [`AHEAD`] frames are held in memory however long the video is.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::sync_channel;
use std::thread;

use super::encode::{H264Encoder, Yuv420};
use super::mp4::{output_dir, Mp4Sink};
use super::{info, validate_size, RenderProgress, VideoError, VideoInfo};

/// Frames drawn ahead of the encoder.
const AHEAD: usize = 4;

/// Makes the frames of a video, in order.
pub trait FrameSource: Send {
    /// Draws frame `index` (called for 0, 1, 2, … in turn) as packed RGB
    /// into `rgb`, which holds `width × height × 3` bytes and still has
    /// the previous frame in it.
    fn draw(&mut self, index: u64, rgb: &mut [u8]) -> Result<(), VideoError>;
}

/// Renders `total` frames from `source` to an H.264 MP4 at `out` (fast
/// start), as [`super::render_mp4`] does: `progress` after each frame,
/// `cancel` stops within a frame with [`VideoError::Cancelled`] and no file
/// at `out`.
pub fn render_mp4_frames(
    (width, height, fps): (u32, u32, u32),
    total: u64,
    source: &mut dyn FrameSource,
    out: &Path,
    progress: &(dyn Fn(RenderProgress) + Sync),
    cancel: &AtomicBool,
) -> Result<VideoInfo, VideoError> {
    validate_size(width, height, fps)?;
    let mut sink = Mp4Sink::create(output_dir(out), width, height, fps, None)?;
    let mut encoder = H264Encoder::new(width, height, fps)?;
    let (tx, rx) = sync_channel::<Result<Yuv420, VideoError>>(AHEAD);
    let stop = AtomicBool::new(false);
    thread::scope(|scope| {
        let stop = &stop;
        scope.spawn(move || {
            let mut rgb = vec![255u8; (width * height * 3) as usize];
            for index in 0..total {
                if stop.load(Ordering::Relaxed) || cancel.load(Ordering::Relaxed) {
                    return;
                }
                let frame = source
                    .draw(index, &mut rgb)
                    .map(|()| Yuv420::from_rgb(&rgb, width, height));
                let failed = frame.is_err();
                if tx.send(frame).is_err() || failed {
                    return;
                }
            }
        });
        let result = (|| {
            for done in 1..=total {
                if cancel.load(Ordering::Relaxed) {
                    return Err(VideoError::Cancelled);
                }
                let frame = rx
                    .recv()
                    .map_err(|_| VideoError::Encode("the drawing thread stopped".into()))??;
                sink.push(encoder.encode(&frame)?)?;
                progress(RenderProgress {
                    frames_done: done,
                    frames_total: total,
                });
            }
            Ok(())
        })();
        stop.store(true, Ordering::Relaxed);
        // Unblocks the drawing thread if it waits on a full channel.
        drop(rx);
        result
    })?;
    let bytes = sink.finish(out)?;
    Ok(info(total, width, height, fps, bytes))
}
