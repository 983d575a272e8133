//! Animated GIF: the fallback where a webview cannot play H.264. Same plan,
//! fewer and smaller frames (GIF has 256 colours a frame and no real codec).
//!
//! Quantising a frame to its palette is the costly part; it runs on the
//! render workers, so the writer only appends finished frames.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use gif::{Encoder, Frame, Repeat};
use tempfile::NamedTempFile;

use super::mp4::{output_dir, staging_file};
use super::VideoError;

/// GIF frame rate: GIF delays are in 1/100 s, and 10 fps keeps files small.
pub const GIF_FPS: u32 = 10;
/// Widest GIF frame; the height follows the plan's aspect ratio.
pub const GIF_MAX_WIDTH: u32 = 480;
/// NeuQuant speed (1 best .. 30 fastest): 10 is its own recommended balance.
const QUANTISE_SPEED: i32 = 10;

/// The GIF frame size for a plan of `width`×`height`: at most
/// [`GIF_MAX_WIDTH`] wide, same aspect, even sides.
pub(crate) fn gif_size(width: u32, height: u32) -> (u32, u32) {
    if width <= GIF_MAX_WIDTH {
        return (width, height);
    }
    let h = (u64::from(height) * u64::from(GIF_MAX_WIDTH) / u64::from(width)) as u32;
    (GIF_MAX_WIDTH, (h & !1).max(2))
}

/// Quantises one RGB frame to a GIF frame shown for one tick of [`GIF_FPS`].
pub(crate) fn quantise(rgb: &[u8], width: u32, height: u32) -> Frame<'static> {
    let mut frame = Frame::from_rgb_speed(width as u16, height as u16, rgb, QUANTISE_SPEED);
    frame.delay = (100 / GIF_FPS) as u16;
    frame
}

/// A GIF being written to a temporary file beside its output.
pub(crate) struct GifSink {
    encoder: Encoder<BufWriter<File>>,
    staging: NamedTempFile,
}

impl GifSink {
    pub fn create(out: &Path, width: u32, height: u32) -> Result<GifSink, VideoError> {
        let staging = staging_file(output_dir(out))?;
        let file = BufWriter::new(staging.reopen()?);
        let mut encoder =
            Encoder::new(file, width as u16, height as u16, &[]).map_err(gif_error)?;
        encoder.set_repeat(Repeat::Infinite).map_err(gif_error)?;
        Ok(GifSink { encoder, staging })
    }

    pub fn push(&mut self, frame: &Frame<'_>) -> Result<(), VideoError> {
        self.encoder.write_frame(frame).map_err(gif_error)
    }

    /// Writes the trailer and renames the file to `out`; returns its size.
    pub fn finish(self, out: &Path) -> Result<u64, VideoError> {
        let mut file = self
            .encoder
            .into_inner()
            .map_err(gif_error)?
            .into_inner()
            .map_err(|e| VideoError::Io(e.into_error()))?;
        file.flush()?;
        file.sync_all()?;
        let bytes = file.metadata()?.len();
        self.staging
            .persist(out)
            .map_err(|e| VideoError::Io(e.error))?;
        Ok(bytes)
    }
}

fn gif_error(e: gif::EncodingError) -> VideoError {
    match e {
        gif::EncodingError::Io(e) => VideoError::Io(e),
        other => VideoError::Encode(format!("GIF encoding failed: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gifs_are_at_most_480_wide_with_the_same_aspect() {
        assert_eq!(gif_size(1280, 720), (480, 270));
        assert_eq!(gif_size(1920, 1080), (480, 270));
        assert_eq!(gif_size(320, 180), (320, 180));
    }
}
