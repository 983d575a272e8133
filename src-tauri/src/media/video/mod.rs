//! Storyboard to video: scenes with a Ken Burns camera, crossfades, captions
//! and an optional title card, encoded to H.264 in a fast-start MP4, or to an
//! animated GIF where a webview cannot play H.264.
//!
//! The layers, from the plan to the file:
//! - [`plan`]: the plan types, their limits and the frame timeline.
//! - [`motion`]: the camera over a picture scaled once per scene.
//! - [`caption`]: captions and the title card, with the bundled font.
//! - [`clip`]: a scene that plays frames drawn in order (a timelapse clip).
//! - [`legend`]: a timelapse's band of who drew and when.
//! - [`compose`]: one frame: camera, caption, crossfade.
//! - [`pipeline`]: frames rendered on every core, consumed in order.
//! - [`stream`]: frames made one after another (a timelapse), encoded alongside.
//! - [`encode`], [`mp4`], [`faststart`]: H.264, the MP4 box layout, `moov` first.
//! - [`audio`]: the narration track (AAC-LC) beside the video.
//! - [`gif`]: the GIF fallback.
//!
//! Rendering blocks the calling thread for seconds to minutes: call it from
//! `spawn_blocking` or a thread of its own. Output is written to a temporary
//! file beside `out` and renamed at the end, so a cancelled or failed render
//! leaves nothing at `out`.

mod audio;
mod caption;
mod clip;
mod compose;
mod encode;
mod faststart;
mod gif;
mod legend;
mod motion;
mod mp4;
mod pipeline;
mod plan;
mod stream;

use std::path::Path;
use std::sync::atomic::AtomicBool;

pub use self::audio::{Narration, AAC_FRAME, NARRATION_BITRATE};
pub use self::caption::MAX_CAPTION_LINES;
pub use self::clip::Clip;
pub use self::gif::{GIF_FPS, GIF_MAX_WIDTH};
pub use self::motion::MAX_ZOOM;
pub use self::pipeline::MAX_RENDER_THREADS;
pub use self::plan::{
    plan_frames, validate, validate_size, Motion, Scene, Transition, VideoPlan, DEFAULT_FPS,
    DEFAULT_HEIGHT, DEFAULT_WIDTH, MAX_CAPTION_CHARS, MAX_CROSSFADE_MS, MAX_FPS, MAX_HEIGHT,
    MAX_IMAGE_SIDE, MAX_SCENES, MAX_SCENE_MS, MAX_TITLE_CHARS, MAX_TOTAL_MS, MAX_WIDTH, MIN_FPS,
    MIN_SCENES, MIN_SCENE_MS, MIN_SIDE, TITLE_CARD_MS,
};

pub use self::legend::Legend;
pub use self::stream::{render_mp4_frames, FrameSource};

use self::compose::{Scratch, Segments};
use self::encode::{H264Encoder, Yuv420};
use self::mp4::{output_dir, Mp4Sink};
use self::pipeline::Pipeline;

/// How far a render is, reported after every frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RenderProgress {
    pub frames_done: u64,
    pub frames_total: u64,
}

/// What was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VideoInfo {
    pub frames: u64,
    pub duration_ms: u64,
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    /// Size of the file.
    pub bytes: u64,
}

/// Why a video was not made. [`VideoError::code`] is stable for clients;
/// the message is for people.
#[derive(Debug, thiserror::Error)]
pub enum VideoError {
    #[error("a video needs at least {MIN_SCENES} scenes; this one has {count}")]
    TooFewScenes { count: usize },
    #[error("a video has at most {MAX_SCENES} scenes; this one has {count}")]
    TooManyScenes { count: usize },
    #[error(
        "a video is {MIN_SIDE}×{MIN_SIDE} to {MAX_WIDTH}×{MAX_HEIGHT} pixels with even sides, not {width}×{height}"
    )]
    BadSize { width: u32, height: u32 },
    #[error("a video runs at {MIN_FPS} to {MAX_FPS} frames a second, not {fps}")]
    BadFps { fps: u32 },
    #[error("{}", caption_message(*.scene, *.chars))]
    CaptionTooLong { scene: Option<usize>, chars: usize },
    #[error("{detail}")]
    BadDuration { detail: String },
    #[error("the picture of scene {} is {width}×{height}; it must be 1 to {MAX_IMAGE_SIDE} pixels a side", .scene + 1)]
    BadImage {
        scene: usize,
        width: u32,
        height: u32,
    },
    #[error("the render was cancelled")]
    Cancelled,
    #[error("{0}")]
    Encode(String),
    #[error("could not write the video: {0}")]
    Io(#[from] std::io::Error),
}

fn caption_message(scene: Option<usize>, chars: usize) -> String {
    match scene {
        Some(index) => format!(
            "the caption of scene {} has {chars} characters; the most is {MAX_CAPTION_CHARS}",
            index + 1
        ),
        None => format!("the title has {chars} characters; the most is {MAX_TITLE_CHARS}"),
    }
}

impl VideoError {
    /// A stable, machine-readable name for the error.
    pub fn code(&self) -> &'static str {
        match self {
            VideoError::TooFewScenes { .. } => "too_few_scenes",
            VideoError::TooManyScenes { .. } => "too_many_scenes",
            VideoError::BadSize { .. } => "bad_size",
            VideoError::BadFps { .. } => "bad_fps",
            VideoError::CaptionTooLong { .. } => "caption_too_long",
            VideoError::BadDuration { .. } => "bad_duration",
            VideoError::BadImage { .. } => "bad_image",
            VideoError::Cancelled => "cancelled",
            VideoError::Encode(_) => "encode_failed",
            VideoError::Io(e) if crate::store::is_disk_full(e) => "disk_full",
            VideoError::Io(_) => "io_error",
        }
    }
}

/// Renders `plan` to an H.264 MP4 at `out` (fast start: `moov` first).
/// `progress` is called after each frame; setting `cancel` stops the render
/// within a frame, with [`VideoError::Cancelled`] and no file at `out`.
pub fn render_mp4(
    plan: &VideoPlan,
    out: &Path,
    progress: &(dyn Fn(RenderProgress) + Sync),
    cancel: &AtomicBool,
) -> Result<VideoInfo, VideoError> {
    render_mp4_narrated(plan, None, out, progress, cancel)
}

/// [`render_mp4`] with a narration track: each scene's line, AAC-LC in the
/// same file, as long as the video.
pub fn render_mp4_narrated(
    plan: &VideoPlan,
    narration: Option<&Narration>,
    out: &Path,
    progress: &(dyn Fn(RenderProgress) + Sync),
    cancel: &AtomicBool,
) -> Result<VideoInfo, VideoError> {
    validate(plan)?;
    let (width, height, fps) = (plan.width, plan.height, plan.fps);
    let audio = match narration {
        Some(narration) => Some(audio::encode_aac(
            &audio::mix(plan, narration)?,
            narration.sample_rate,
        )?),
        None => None,
    };
    let segments = Segments::new(plan, width, height, fps);
    let total = segments.total_frames();
    let mut sink = Mp4Sink::create(output_dir(out), width, height, fps, audio)?;
    let mut encoder = H264Encoder::new(width, height, fps)?;
    let produce = |index: u64, state: &mut (Vec<u8>, Scratch)| {
        let (rgb, scratch) = state;
        segments.render(index, rgb, scratch);
        Yuv420::from_rgb(rgb, width, height)
    };
    Pipeline {
        total,
        progress,
        cancel,
    }
    .run(&produce, &mut |index, frame: Yuv420| {
        sink.push(encoder.encode(&frame)?)?;
        segments.release_before(index + 1);
        Ok(())
    })?;
    let bytes = sink.finish(out)?;
    Ok(info(total, width, height, fps, bytes))
}

/// Renders `plan` to an animated GIF at `out`: [`GIF_FPS`] frames a second,
/// at most [`GIF_MAX_WIDTH`] wide. Progress and cancellation as for
/// [`render_mp4`].
pub fn render_gif(
    plan: &VideoPlan,
    out: &Path,
    progress: &(dyn Fn(RenderProgress) + Sync),
    cancel: &AtomicBool,
) -> Result<VideoInfo, VideoError> {
    validate(plan)?;
    let (width, height) = gif::gif_size(plan.width, plan.height);
    let segments = Segments::new(plan, width, height, GIF_FPS);
    let total = segments.total_frames();
    let mut sink = gif::GifSink::create(out, width, height)?;
    let produce = |index: u64, state: &mut (Vec<u8>, Scratch)| {
        let (rgb, scratch) = state;
        segments.render(index, rgb, scratch);
        gif::quantise(rgb, width, height)
    };
    Pipeline {
        total,
        progress,
        cancel,
    }
    .run(&produce, &mut |index, frame: ::gif::Frame<'static>| {
        sink.push(&frame)?;
        segments.release_before(index + 1);
        Ok(())
    })?;
    let bytes = sink.finish(out)?;
    Ok(info(total, width, height, GIF_FPS, bytes))
}

fn info(frames: u64, width: u32, height: u32, fps: u32, bytes: u64) -> VideoInfo {
    VideoInfo {
        frames,
        duration_ms: frames * 1000 / u64::from(fps),
        width,
        height,
        fps,
        bytes,
    }
}
