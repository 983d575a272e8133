//! What a video is made of (scenes, motion, transitions), the limits a plan
//! must respect, and the frame timeline derived from it.
//!
//! Everything here is pure: validation happens before a single frame is
//! drawn or a file created, so a bad plan fails fast with a named error.

use std::sync::Arc;

use image::RgbaImage;

use super::clip::Clip;
use super::VideoError;

/// The width used when a caller has no preference.
pub const DEFAULT_WIDTH: u32 = 1280;
/// The height used when a caller has no preference.
pub const DEFAULT_HEIGHT: u32 = 720;
/// The frame rate used when a caller has no preference.
pub const DEFAULT_FPS: u32 = 30;
/// Largest frame width (1080p): what a webview plays smoothly everywhere.
pub const MAX_WIDTH: u32 = 1920;
/// Largest frame height (1080p).
pub const MAX_HEIGHT: u32 = 1080;
/// Smallest frame side; below this a caption cannot be read.
pub const MIN_SIDE: u32 = 64;
/// Lowest frame rate accepted.
pub const MIN_FPS: u32 = 1;
/// Highest frame rate accepted.
pub const MAX_FPS: u32 = 60;
/// A storyboard needs at least two scenes to be a video rather than a picture.
pub const MIN_SCENES: usize = 2;
/// Most scenes in one video.
pub const MAX_SCENES: usize = 100;
/// Shortest scene: shorter flashes by unreadably.
pub const MIN_SCENE_MS: u32 = 500;
/// Longest scene.
pub const MAX_SCENE_MS: u32 = 60_000;
/// Longest video, title card and transitions included (10 minutes).
pub const MAX_TOTAL_MS: u64 = 600_000;
/// Longest crossfade; it may also take at most half of either scene it joins.
pub const MAX_CROSSFADE_MS: u32 = 5_000;
/// Longest caption, in characters.
pub const MAX_CAPTION_CHARS: usize = 300;
/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 120;
/// How long the optional title card is shown.
pub const TITLE_CARD_MS: u32 = 2_500;
/// Largest side of a scene image (a decoded picture larger than this is a
/// caller bug: the image store already bounds uploads).
pub const MAX_IMAGE_SIDE: u32 = 8_192;

/// A storyboard to render: frame size, rate, an optional title card and the
/// scenes in order.
#[derive(Clone, Debug)]
pub struct VideoPlan {
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    /// Shown alone on a card before the first scene.
    pub title: Option<String>,
    /// Varies the Ken Burns moves; the same seed gives the same video.
    pub seed: u64,
    pub scenes: Vec<Scene>,
}

/// One picture on screen for a while.
#[derive(Clone, Debug)]
pub struct Scene {
    /// The still picture; a clip's picture stands for it where a still is
    /// needed (the story's pictures), and sizes nothing in the video.
    pub image: Arc<RgbaImage>,
    /// Frames played instead of the picture (a timelapse clip): drawn
    /// whole and still, above the caption, over the scene's duration.
    pub clip: Option<Arc<dyn Clip>>,
    /// Wrapped to the frame width and drawn on a translucent band.
    pub caption: Option<String>,
    pub duration_ms: u32,
    pub motion: Motion,
    /// How this scene enters: from the previous scene (or the title card).
    /// Ignored for the first scene of a video without a title card.
    pub transition: Transition,
}

/// How the camera moves over a scene's picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Motion {
    /// A slow pan and zoom, chosen from the plan's seed and the scene index.
    KenBurns,
    /// The whole picture, still.
    None,
}

/// How a scene replaces the one before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    /// The two scenes overlap for `ms`, the new one fading in.
    Crossfade {
        ms: u32,
    },
    Cut,
}

/// Where each segment (title card or scene) sits on the frame axis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Segment {
    /// `None` for the title card, else the scene index.
    pub scene: Option<usize>,
    /// First frame of this segment.
    pub start: u64,
    /// Frames this segment is on screen, its fade-in included.
    pub frames: u64,
    /// Frames at its start during which it fades in over the previous one.
    pub fade_in: u64,
}

impl Segment {
    /// One past the last frame of this segment.
    pub fn end(&self) -> u64 {
        self.start + self.frames
    }
}

/// The frame layout of a validated plan at a given rate.
#[derive(Clone, Debug)]
pub(crate) struct Timeline {
    pub segments: Vec<Segment>,
    pub total: u64,
}

impl Timeline {
    /// Lays out `plan` at `fps` (the plan's own rate for MP4, lower for GIF).
    /// The plan must have passed [`validate`].
    pub fn new(plan: &VideoPlan, fps: u32) -> Timeline {
        let frames_of = |ms: u32| (u64::from(ms) * u64::from(fps) + 500) / 1000;
        let mut segments: Vec<Segment> = Vec::with_capacity(plan.scenes.len() + 1);
        if plan.title.is_some() {
            segments.push(Segment {
                scene: None,
                start: 0,
                frames: frames_of(TITLE_CARD_MS).max(1),
                fade_in: 0,
            });
        }
        for (index, scene) in plan.scenes.iter().enumerate() {
            let frames = frames_of(scene.duration_ms).max(1);
            let (start, fade_in) = match segments.last() {
                None => (0, 0),
                Some(previous) => {
                    let fade = match scene.transition {
                        Transition::Crossfade { ms } => frames_of(ms),
                        Transition::Cut => 0,
                    };
                    // Validation keeps a fade within half of each neighbour;
                    // rounding to frames must not break that either.
                    let fade = fade.min(previous.frames / 2).min(frames / 2);
                    (previous.end() - fade, fade)
                }
            };
            segments.push(Segment {
                scene: Some(index),
                start,
                frames,
                fade_in,
            });
        }
        let total = segments.last().map_or(0, Segment::end);
        Timeline { segments, total }
    }

    /// The segments on screen at `frame`: the current one, and the one it is
    /// fading in over with the new segment's opacity (0..1].
    pub fn at(&self, frame: u64) -> (usize, Option<(usize, f32)>) {
        let current = self
            .segments
            .partition_point(|segment| segment.start <= frame)
            .saturating_sub(1);
        let segment = &self.segments[current];
        let into = frame - segment.start;
        if current > 0 && into < segment.fade_in {
            let alpha = (into + 1) as f32 / (segment.fade_in + 1) as f32;
            (current - 1, Some((current, alpha)))
        } else {
            (current, None)
        }
    }
}

/// The number of frames [`super::render_mp4`] will produce for `plan`, or 0
/// when the plan is invalid. A UI shows it before rendering starts.
pub fn plan_frames(plan: &VideoPlan) -> u64 {
    match validate(plan) {
        Ok(()) => Timeline::new(plan, plan.fps).total,
        Err(_) => 0,
    }
}

/// Checks the frame size and rate of any video the renderer makes.
pub fn validate_size(width: u32, height: u32, fps: u32) -> Result<(), VideoError> {
    let size_ok = |side: u32, max: u32| (MIN_SIDE..=max).contains(&side) && side % 2 == 0;
    if !size_ok(width, MAX_WIDTH) || !size_ok(height, MAX_HEIGHT) {
        return Err(VideoError::BadSize { width, height });
    }
    if !(MIN_FPS..=MAX_FPS).contains(&fps) {
        return Err(VideoError::BadFps { fps });
    }
    Ok(())
}

/// Checks every limit; the first broken one is the error.
pub fn validate(plan: &VideoPlan) -> Result<(), VideoError> {
    validate_size(plan.width, plan.height, plan.fps)?;
    if plan.scenes.len() < MIN_SCENES {
        return Err(VideoError::TooFewScenes {
            count: plan.scenes.len(),
        });
    }
    if plan.scenes.len() > MAX_SCENES {
        return Err(VideoError::TooManyScenes {
            count: plan.scenes.len(),
        });
    }
    if let Some(title) = &plan.title {
        let chars = title.chars().count();
        if chars > MAX_TITLE_CHARS {
            return Err(VideoError::CaptionTooLong { scene: None, chars });
        }
    }
    for (index, scene) in plan.scenes.iter().enumerate() {
        validate_scene(index, scene)?;
    }
    validate_transitions(plan)?;
    let total_ms = Timeline::new(plan, plan.fps).total * 1000 / u64::from(plan.fps);
    if total_ms > MAX_TOTAL_MS {
        return Err(VideoError::BadDuration {
            detail: format!(
                "the video would last {} s; the most is {} s",
                total_ms / 1000,
                MAX_TOTAL_MS / 1000
            ),
        });
    }
    Ok(())
}

fn validate_scene(index: usize, scene: &Scene) -> Result<(), VideoError> {
    let (w, h) = scene.image.dimensions();
    if w == 0 || h == 0 || w > MAX_IMAGE_SIDE || h > MAX_IMAGE_SIDE {
        return Err(VideoError::BadImage {
            scene: index,
            width: w,
            height: h,
        });
    }
    if !(MIN_SCENE_MS..=MAX_SCENE_MS).contains(&scene.duration_ms) {
        return Err(VideoError::BadDuration {
            detail: format!(
                "scene {} lasts {} ms; a scene lasts {MIN_SCENE_MS} to {MAX_SCENE_MS} ms",
                index + 1,
                scene.duration_ms
            ),
        });
    }
    if let Some(caption) = &scene.caption {
        let chars = caption.chars().count();
        if chars > MAX_CAPTION_CHARS {
            return Err(VideoError::CaptionTooLong {
                scene: Some(index),
                chars,
            });
        }
    }
    Ok(())
}

/// A crossfade may take at most half of each segment it joins, so no frame
/// ever shows three segments at once.
fn validate_transitions(plan: &VideoPlan) -> Result<(), VideoError> {
    let mut previous_ms = plan.title.as_ref().map(|_| TITLE_CARD_MS);
    for (index, scene) in plan.scenes.iter().enumerate() {
        if let (Some(previous), Transition::Crossfade { ms }) = (previous_ms, scene.transition) {
            let most = MAX_CROSSFADE_MS
                .min(previous / 2)
                .min(scene.duration_ms / 2);
            if ms > most {
                return Err(VideoError::BadDuration {
                    detail: format!(
                        "the crossfade into scene {} lasts {ms} ms; here it can last at most {most} ms",
                        index + 1
                    ),
                });
            }
        }
        previous_ms = Some(scene.duration_ms);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scene(duration_ms: u32, transition: Transition) -> Scene {
        Scene {
            image: Arc::new(RgbaImage::new(4, 4)),
            clip: None,
            caption: None,
            duration_ms,
            motion: Motion::None,
            transition,
        }
    }

    fn plan(scenes: Vec<Scene>, title: Option<&str>) -> VideoPlan {
        VideoPlan {
            width: 320,
            height: 180,
            fps: 10,
            title: title.map(str::to_owned),
            seed: 1,
            scenes,
        }
    }

    #[test]
    fn crossfades_overlap_and_cuts_abut() {
        let plan = plan(
            vec![
                scene(2000, Transition::Cut),
                scene(2000, Transition::Crossfade { ms: 500 }),
                scene(1000, Transition::Cut),
            ],
            None,
        );
        let timeline = Timeline::new(&plan, plan.fps);
        assert_eq!(timeline.total, 20 + 20 - 5 + 10);
        assert_eq!(timeline.at(0), (0, None));
        assert_eq!(timeline.at(14), (0, None));
        let (from, Some((to, alpha))) = timeline.at(15) else {
            panic!("frame 15 is in the fade");
        };
        assert_eq!((from, to), (0, 1));
        assert!(alpha > 0.0 && alpha < 0.5);
        assert_eq!(timeline.at(20), (1, None));
        assert_eq!(timeline.at(35), (2, None));
        assert_eq!(timeline.at(44), (2, None));
        assert_eq!(plan_frames(&plan), timeline.total);
    }

    #[test]
    fn a_title_card_comes_first() {
        let plan = plan(
            vec![
                scene(1000, Transition::Crossfade { ms: 500 }),
                scene(1000, Transition::Cut),
            ],
            Some("Hello"),
        );
        let timeline = Timeline::new(&plan, plan.fps);
        assert_eq!(timeline.segments[0].scene, None);
        assert_eq!(timeline.total, 25 + 10 - 5 + 10);
    }

    #[test]
    fn a_fade_longer_than_half_a_scene_is_refused() {
        let plan = plan(
            vec![
                scene(1000, Transition::Cut),
                scene(1000, Transition::Crossfade { ms: 501 }),
            ],
            None,
        );
        assert!(matches!(
            validate(&plan),
            Err(VideoError::BadDuration { .. })
        ));
    }
}
