//! The `video` job: a snapshot of a storyboard in, an MP4 or GIF out.
//!
//! The storyboard is copied when the job is submitted, so edits made while
//! it waits or renders do not change the video. Each picture is decoded
//! once (a picture shown twice is shared), scaled down when it is far
//! larger than the video needs, and the plan is rendered on a blocking
//! thread into the video store. Cancelling sets the renderer's stop flag,
//! which it checks before every frame; it then leaves no file behind.
//!
//! With a Gemini key, [`narrate`] first asks for the story and its
//! narration: the people's own captions win where they wrote one, Gemini's
//! fill the others, and scenes grow to fit their spoken line.
//!
//! A frame that is a timelapse clip ([`clips`]) plays its room's history,
//! read before the render starts, instead of its still.

pub mod clips;
pub mod narrate;
pub mod shares;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use image::RgbaImage;
use serde_json::{json, Value};

use self::narrate::{StoryMode, Told};
use self::shares::{CROSSFADE_MS, READ_SHARE, START_SHARE};
use super::blocking;
use crate::ai::slot::GeminiSlot;
use crate::jobs::{JobCtx, JobFailure, Work};
use crate::media::images::decode_rgba;
use crate::media::video::{
    self as render, Motion, Narration, RenderProgress, Scene, Transition, VideoError, VideoPlan,
    TITLE_CARD_MS,
};
use crate::media::video_store::{file_stem, VideoEntry, VideoFormat, VideoStore};
use crate::protocol::now_ms;
use crate::store::Store;
use crate::storyboard::{picture_of, FrameMotion, FrameTransition, Storyboard, Storyboards};

/// The job kind (and lane) of renders.
pub const KIND: &str = "video";
/// Longest story context a request may carry, in characters.
pub const MAX_STORY_CONTEXT_CHARS: usize = 4_000;
/// A picture is scaled down until its tighter side is this many times the
/// video's: enough for the Ken Burns zoom, and far less memory than a
/// full-size photo per scene.
pub const DECODE_OVERSAMPLE: u32 = 2;

/// One render, checked by the API.
#[derive(Debug, Clone)]
pub struct VideoRequest {
    /// The storyboard as it was when the job was submitted.
    pub storyboard: Storyboard,
    /// Overrides the storyboard's title when given.
    pub title: Option<String>,
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    pub format: VideoFormat,
    pub story_context: Option<String>,
    pub include_music: bool,
    /// Whether to ask Gemini for the story and narration.
    pub story: StoryMode,
}

impl VideoRequest {
    fn title(&self) -> Option<String> {
        self.title.clone().or_else(|| self.storyboard.title.clone())
    }
}

/// Makes render work for the job lane. Cheap to clone.
#[derive(Clone)]
pub struct VideoMaker {
    storyboards: Storyboards,
    /// The rooms' history, which clips play.
    store: Store,
    videos: VideoStore,
    /// The host's Gemini client, when it has a key (set while it runs too).
    gemini: GeminiSlot,
}

impl VideoMaker {
    pub fn new(
        storyboards: Storyboards,
        store: Store,
        videos: VideoStore,
        gemini: GeminiSlot,
    ) -> VideoMaker {
        VideoMaker {
            storyboards,
            store,
            videos,
            gemini,
        }
    }

    /// Whether videos can get Gemini's story and narration.
    pub fn has_gemini(&self) -> bool {
        self.gemini.current().is_some()
    }

    pub fn videos(&self) -> &VideoStore {
        &self.videos
    }

    /// Checks the request against every limit of the renderer before any
    /// picture is read; returns the number of frames the video will have.
    pub fn check(&self, request: &VideoRequest) -> Result<u64, VideoError> {
        let placeholder = Arc::new(RgbaImage::new(1, 1));
        let images = vec![placeholder; request.storyboard.frames.len()];
        let plan = plan(request, (&images, &[]), 0, &Told::default());
        render::validate(&plan)?;
        Ok(render::plan_frames(&plan))
    }

    /// What the job record shows as its input.
    pub fn input(&self, request: &VideoRequest) -> Value {
        json!({
            "storyboardId": request.storyboard.id,
            "storyboardName": request.storyboard.name,
            "rev": request.storyboard.rev,
            "frames": request.storyboard.frames.len(),
            "title": request.title(),
            "format": request.format,
            "width": request.width,
            "height": request.height,
            "fps": request.fps,
            "storyContext": request.story_context,
            "includeMusic": request.include_music,
            "story": request.story,
        })
    }

    /// The work of one render job.
    pub fn work(&self, request: VideoRequest) -> Work {
        let me = self.clone();
        Box::new(move |ctx: JobCtx| Box::pin(async move { me.run(request, ctx).await }))
    }

    async fn run(self, request: VideoRequest, ctx: JobCtx) -> Result<Value, JobFailure> {
        ctx.progress(0.0, "reading the pictures");
        let (me, req, job) = (self.clone(), request.clone(), ctx.clone());
        let images = blocking("the render", move || me.load_images(&req, &job)).await??;
        let (store, req, job) = (self.store.clone(), request.clone(), ctx.clone());
        let clips = blocking("the render", move || {
            clips::load(&store, &req.storyboard.frames, &job)
        })
        .await??;
        let seed = ctx
            .id()
            .get(..16)
            .and_then(|hex| u64::from_str_radix(hex, 16).ok())
            .unwrap_or(0);
        let gemini = self.gemini.current();
        let mut told = narrate::tell(
            gemini.as_ref(),
            request.story,
            &request.storyboard.frames,
            &images,
            request.story_context.as_deref(),
            request.format == VideoFormat::Mp4,
            &ctx,
        )
        .await?;
        if ctx.is_cancelled() {
            return Err(JobFailure::new("cancelled", "cancelled"));
        }
        let mut plan = plan(&request, (&images, &clips), seed, &told);
        if told.speech.is_some() {
            if let Err(e) = render::validate(&plan) {
                // Scenes stretched to their lines broke a limit (most often the
                // longest video): the video keeps Gemini's captions, unspoken.
                told.speech = None;
                told.notes.push(format!("no narration: with it, {e}"));
                plan = self::plan(&request, (&images, &clips), seed, &told);
            }
        }
        let narration = told.speech.as_ref().map(|lines| Narration {
            sample_rate: lines
                .iter()
                .flatten()
                .map(|s| s.sample_rate)
                .next()
                .unwrap_or(24_000),
            lines: lines
                .iter()
                .map(|l| l.as_ref().map(|s| s.samples.clone()))
                .collect(),
        });
        drop((images, clips));
        let (name, path) = self.videos.reserve(request.format);
        let stop = Arc::new(AtomicBool::new(false));
        // The runner drops this future when the job is cancelled; the guard
        // then stops the render thread, which removes its partial file.
        let _guard = StopOnDrop(stop.clone());
        let (job, format, rendered) = (ctx.clone(), request.format, path.clone());
        let info = blocking("the render", move || {
            let progress = |p: RenderProgress| {
                if job.is_cancelled() {
                    stop.store(true, Ordering::Relaxed);
                }
                let done = p.frames_done as f32 / p.frames_total.max(1) as f32;
                job.progress(
                    START_SHARE + (1.0 - START_SHARE) * done * 0.99,
                    &format!("frame {} of {}", p.frames_done, p.frames_total),
                );
            };
            match format {
                VideoFormat::Mp4 => {
                    render::render_mp4_narrated(&plan, narration.as_ref(), &path, &progress, &stop)
                }
                VideoFormat::Gif => render::render_gif(&plan, &path, &progress, &stop),
            }
        })
        .await?
        .map_err(|e| JobFailure::new(e.code(), e.to_string()))?;
        // Named as the video is shown: its title, Gemini's, else the storyboard's name.
        let title = request
            .title()
            .or_else(|| told.story.as_ref().and_then(|s| s.title.clone()))
            .unwrap_or_else(|| request.storyboard.name.clone());
        let (videos, format) = (self.videos.clone(), request.format);
        let download = blocking("the render", move || videos.download_name(&title, format))
            .await?
            .unwrap_or_else(|e| {
                tracing::warn!("could not read the video names: {e}");
                format!(
                    "{}.{}",
                    file_stem(&request.storyboard.name),
                    format.extension()
                )
            });
        let entry = VideoEntry {
            format: request.format,
            bytes: info.bytes,
            created_at: now_ms(),
            job: ctx.id().to_string(),
            download: download.clone(),
        };
        if !ctx.begin_commit() {
            // Cancelled after the last frame: nothing is listed, and the
            // file goes too.
            let _ = std::fs::remove_file(&rendered);
            return Err(JobFailure::new("cancelled", "cancelled"));
        }
        let (videos, listed) = (self.videos.clone(), name.clone());
        blocking("the render", move || videos.commit(&listed, &entry))
            .await?
            .map_err(|e| {
                tracing::error!("could not list a finished video: {e}");
                let _ = std::fs::remove_file(&rendered);
                if e.is_disk_full() {
                    JobFailure::new(
                        "disk_full",
                        "the host's disk is full, so the video could not be kept; free space on the host and try again",
                    )
                } else {
                    JobFailure::new(
                        "storage_failed",
                        "the host could not save the video; see its log",
                    )
                }
            })?;
        Ok(json!({
            "filename": name,
            "downloadName": download,
            "path": format!("/videos/{name}"),
            "format": request.format,
            "width": info.width,
            "height": info.height,
            "fps": info.fps,
            "durationMs": info.duration_ms,
            "frames": info.frames,
            "bytes": info.bytes,
            "storyboardId": request.storyboard.id,
            "rev": request.storyboard.rev,
            "story": story_json(&request, &told),
            "narration": told.speech.as_ref().map(|lines| json!({
                "codec": "aac",
                "lines": lines.iter().flatten().count(),
                "sampleRate": lines.iter().flatten().map(|s| s.sample_rate).next(),
            })),
            "notes": notes(&request, &told),
        }))
    }

    /// Each frame's picture, decoded once per distinct picture. Blocking.
    fn load_images(
        &self,
        request: &VideoRequest,
        ctx: &JobCtx,
    ) -> Result<Vec<Arc<RgbaImage>>, JobFailure> {
        let frames = &request.storyboard.frames;
        let mut decoded: HashMap<&str, Arc<RgbaImage>> = HashMap::new();
        let mut images = Vec::with_capacity(frames.len());
        for (index, frame) in frames.iter().enumerate() {
            if ctx.is_cancelled() {
                return Err(JobFailure::new("cancelled", "cancelled"));
            }
            ctx.progress(
                READ_SHARE * index as f32 / frames.len() as f32,
                &format!("reading picture {} of {}", index + 1, frames.len()),
            );
            if let Some(image) = decoded.get(frame.image.as_str()) {
                images.push(image.clone());
                continue;
            }
            let gone = || {
                JobFailure::new(
                    "image_missing",
                    format!(
                        "frame {}'s picture is no longer on the host ({}); remove the frame or add the picture again",
                        index + 1,
                        frame.image
                    ),
                )
            };
            let image = picture_of(&frame.image).map_err(|_| gone())?;
            let bytes = match self.storyboards.pictures().get(&image) {
                Ok(Some((bytes, _))) => bytes,
                Ok(None) => return Err(gone()),
                Err(e) => {
                    tracing::error!("reading {} failed: {e}", frame.image);
                    return Err(gone());
                }
            };
            let picture = decode_rgba(&bytes).map_err(|e| {
                JobFailure::new(
                    "invalid_image",
                    format!("frame {}'s picture could not be read: {e}", index + 1),
                )
            })?;
            let picture = Arc::new(fit(picture, request.width, request.height));
            decoded.insert(&frame.image, picture.clone());
            images.push(picture);
        }
        Ok(images)
    }
}

/// What the video lacks and why, for people.
fn notes(request: &VideoRequest, told: &Told) -> Vec<String> {
    let mut notes = told.notes.clone();
    if told.story.is_none()
        && request
            .story_context
            .as_deref()
            .is_some_and(|c| !c.trim().is_empty())
    {
        notes.push("the story context is only used for Gemini's story".to_string());
    }
    if request.include_music {
        notes.push("no music source on this host".to_string());
    }
    notes
}

/// The story the video tells, and whose words each caption is.
fn story_json(request: &VideoRequest, told: &Told) -> Value {
    let frames: Vec<Value> = request
        .storyboard
        .frames
        .iter()
        .enumerate()
        .map(|(index, frame)| {
            let line = told.story.as_ref().map(|s| &s.frames[index]);
            let (caption, source) = caption_of(&frame.caption, line.map(|l| l.caption.as_str()));
            json!({
                "caption": caption,
                "captionBy": source,
                "narration": line.map(|l| l.narration.as_str()).filter(|n| !n.is_empty()),
            })
        })
        .collect();
    json!({
        "by": if told.story.is_some() { "gemini" } else { "people" },
        "title": request.title().or_else(|| told.story.as_ref().and_then(|s| s.title.clone())),
        "frames": frames,
    })
}

/// The caption shown and who wrote it: the people's own when they wrote one.
fn caption_of(own: &str, gemini: Option<&str>) -> (Option<String>, Option<&'static str>) {
    let own = own.trim();
    if !own.is_empty() {
        return (Some(own.to_string()), Some("people"));
    }
    match gemini.map(str::trim).filter(|c| !c.is_empty()) {
        Some(caption) => (Some(caption.to_string()), Some("gemini")),
        None => (None, None),
    }
}

/// Sets the render's stop flag when dropped.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// The renderer's plan for a storyboard snapshot, its pictures and its
/// clips (none while only checking the plan: a clip's scene is timed as
/// its picture's).
fn plan(
    request: &VideoRequest,
    (images, clips): (&[Arc<RgbaImage>], &[clips::Loaded]),
    seed: u64,
    told: &Told,
) -> VideoPlan {
    let title = request
        .title()
        .or_else(|| told.story.as_ref().and_then(|s| s.title.clone()));
    let mut previous_ms = title.as_ref().map(|_| TITLE_CARD_MS);
    let scenes = request
        .storyboard
        .frames
        .iter()
        .zip(images)
        .enumerate()
        .map(|(index, (frame, image))| {
            let speech = told
                .speech
                .as_ref()
                .and_then(|lines| lines.get(index))
                .and_then(Option::as_ref);
            let duration_ms = narrate::scene_ms(frame.duration_ms, speech);
            let transition = match (frame.transition, previous_ms) {
                (FrameTransition::Crossfade, Some(previous)) => Transition::Crossfade {
                    ms: CROSSFADE_MS.min(previous / 2).min(duration_ms / 2),
                },
                _ => Transition::Cut,
            };
            previous_ms = Some(duration_ms);
            let line = told
                .story
                .as_ref()
                .map(|s| s.frames[index].caption.as_str());
            Scene {
                image: image.clone(),
                clip: clips.get(index).cloned().flatten(),
                caption: caption_of(&frame.caption, line).0,
                duration_ms,
                motion: match frame.motion {
                    FrameMotion::Kenburns => Motion::KenBurns,
                    FrameMotion::None => Motion::None,
                },
                transition,
            }
        })
        .collect();
    VideoPlan {
        width: request.width,
        height: request.height,
        fps: request.fps,
        title,
        seed,
        scenes,
    }
}

/// Scales a picture down so that its tighter side is at most
/// [`DECODE_OVERSAMPLE`] times the video's; smaller pictures are kept.
fn fit(picture: RgbaImage, width: u32, height: u32) -> RgbaImage {
    let (w, h) = picture.dimensions();
    let ratio = (w as f32 / width.max(1) as f32).min(h as f32 / height.max(1) as f32);
    let scale = DECODE_OVERSAMPLE as f32 / ratio;
    if scale >= 1.0 {
        return picture;
    }
    let nw = ((w as f32 * scale).round() as u32).max(1);
    let nh = ((h as f32 * scale).round() as u32).max(1);
    image::imageops::resize(&picture, nw, nh, image::imageops::FilterType::Triangle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_pictures_shrink_to_what_the_video_needs() {
        let big = fit(RgbaImage::new(4000, 3000), 320, 180);
        // The tighter side (width: 4000 / 320 < 3000 / 180) ends at twice the video's.
        assert_eq!(big.dimensions(), (640, 480));
        let small = fit(RgbaImage::new(500, 300), 320, 180);
        assert_eq!(small.dimensions(), (500, 300));
    }
}
