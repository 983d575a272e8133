//! One frame of the video: the scene (or title card) on screen through its
//! camera, its caption, and the crossfade into the next.
//!
//! What is costly is done once per scene and shared by all worker threads
//! ([`Segments`]): the picture scaled for its camera, the caption rasterised.
//! A scene's resources are dropped as soon as its last frame is encoded, so
//! memory holds a couple of scenes at a time however long the video is. A
//! clip scene plays its frames ([`ClipPlayer`]) where a picture scene
//! samples its picture.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::caption::{title_card, Overlay};
use super::clip::ClipPlayer;
use super::motion::{sample, Move, Picture, View, MAX_ZOOM};
use super::plan::{Motion, Segment, Timeline, VideoPlan};

/// What fills the stage of a segment.
enum Visual {
    /// A picture through the camera (`None`: shown whole and still).
    Still(Picture, Option<Move>),
    /// Frames played in order, one per frame of the segment.
    Clip(ClipPlayer),
}

/// What a frame needs from one segment, prepared once.
struct Prepared {
    visual: Visual,
    /// Rows of the frame the picture is shown in (above the caption band).
    stage: u32,
    caption: Option<Overlay>,
}

/// The segments of one render at one frame size, prepared on first use.
pub(crate) struct Segments<'a> {
    plan: &'a VideoPlan,
    timeline: Timeline,
    width: u32,
    height: u32,
    slots: Vec<Mutex<Option<Arc<Prepared>>>>,
}

/// A worker's reusable buffer for the outgoing scene of a crossfade.
#[derive(Default)]
pub(crate) struct Scratch {
    under: Vec<u8>,
}

impl<'a> Segments<'a> {
    pub fn new(plan: &'a VideoPlan, width: u32, height: u32, fps: u32) -> Segments<'a> {
        let timeline = Timeline::new(plan, fps);
        let slots = timeline.segments.iter().map(|_| Mutex::new(None)).collect();
        Segments {
            plan,
            timeline,
            width,
            height,
            slots,
        }
    }

    pub fn total_frames(&self) -> u64 {
        self.timeline.total
    }

    /// Draws frame `index` into `out` (RGB, resized to fit).
    pub fn render(&self, index: u64, out: &mut Vec<u8>, scratch: &mut Scratch) {
        let len = (self.width * self.height * 3) as usize;
        out.resize(len, 0);
        let (current, incoming) = self.timeline.at(index);
        self.draw(current, index, out);
        if let Some((next, alpha)) = incoming {
            std::mem::swap(out, &mut scratch.under);
            out.resize(len, 0);
            self.draw(next, index, out);
            blend(out, &scratch.under, alpha);
        }
    }

    /// Frees what segments wholly before `frame` held: no frame still to be
    /// drawn needs them.
    pub fn release_before(&self, frame: u64) {
        for (segment, slot) in self.timeline.segments.iter().zip(&self.slots) {
            if segment.end() <= frame {
                *lock(slot) = None;
            }
        }
    }

    fn draw(&self, at: usize, frame: u64, out: &mut [u8]) {
        let segment = &self.timeline.segments[at];
        let prepared = self.prepared(at, segment);
        let stage_len = (self.width * prepared.stage * 3) as usize;
        let into = frame - segment.start;
        match &prepared.visual {
            Visual::Still(picture, camera) => {
                let view = match camera {
                    Some(camera) => {
                        let last = segment.frames.saturating_sub(1).max(1);
                        camera.at(into as f32 / last as f32)
                    }
                    None => View::WHOLE,
                };
                sample(
                    picture,
                    view,
                    &mut out[..stage_len],
                    self.width,
                    prepared.stage,
                );
            }
            Visual::Clip(player) => player.draw(into, &mut out[..stage_len]),
        }
        if let Some(caption) = &prepared.caption {
            caption.apply(out);
        }
    }

    fn prepared(&self, at: usize, segment: &Segment) -> Arc<Prepared> {
        // Held while preparing, so two workers never scale the same picture.
        let mut slot = lock(&self.slots[at]);
        if let Some(prepared) = slot.as_ref() {
            return Arc::clone(prepared);
        }
        let prepared = Arc::new(match segment.scene {
            None => self.prepare_title(),
            Some(index) => self.prepare_scene(index, segment.frames),
        });
        *slot = Some(Arc::clone(&prepared));
        prepared
    }

    fn prepare_title(&self) -> Prepared {
        let title = self.plan.title.as_deref().unwrap_or_default();
        let picture = Picture {
            width: self.width,
            height: self.height,
            rgb: title_card(title, self.width, self.height),
        };
        Prepared {
            visual: Visual::Still(picture, None),
            stage: self.height,
            caption: None,
        }
    }

    fn prepare_scene(&self, index: usize, frames: u64) -> Prepared {
        let scene = &self.plan.scenes[index];
        let caption = scene
            .caption
            .as_deref()
            .and_then(|text| Overlay::caption(text, self.width, self.height));
        // The caption has its own band under the picture: it never covers it.
        let stage = caption.as_ref().map_or(self.height, |c| c.top).max(1);
        let visual = match (&scene.clip, scene.motion) {
            // A clip is drawn fitted to the stage already: no camera moves
            // over it (a moving drawing under a moving camera is hard to follow).
            (Some(clip), _) => {
                Visual::Clip(ClipPlayer::new(Arc::clone(clip), self.width, stage, frames))
            }
            (None, Motion::KenBurns) => Visual::Still(
                Picture::fit(&scene.image, self.width, stage, MAX_ZOOM),
                Some(Move::ken_burns(self.plan.seed, index)),
            ),
            (None, Motion::None) => {
                Visual::Still(Picture::fit(&scene.image, self.width, stage, 1.0), None)
            }
        };
        Prepared {
            visual,
            stage,
            caption,
        }
    }
}

/// `out = under·(1-alpha) + out·alpha`, in 8-bit fixed point.
fn blend(out: &mut [u8], under: &[u8], alpha: f32) {
    let a = (alpha.clamp(0.0, 1.0) * 256.0) as u32;
    for (top, &bottom) in out.iter_mut().zip(under) {
        *top = ((u32::from(*top) * a + u32::from(bottom) * (256 - a)) >> 8) as u8;
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while preparing leaves the slot empty: still consistent.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::video::plan::{Scene, Transition};
    use image::{Rgba, RgbaImage};

    fn solid(colour: [u8; 3]) -> Arc<RgbaImage> {
        let [r, g, b] = colour;
        Arc::new(RgbaImage::from_pixel(64, 36, Rgba([r, g, b, 255])))
    }

    fn plan() -> VideoPlan {
        let scene = |colour, transition| Scene {
            image: solid(colour),
            clip: None,
            caption: None,
            duration_ms: 1000,
            motion: Motion::None,
            transition,
        };
        VideoPlan {
            width: 64,
            height: 36,
            fps: 10,
            title: None,
            seed: 0,
            scenes: vec![
                scene([200, 0, 0], Transition::Cut),
                scene([0, 0, 200], Transition::Crossfade { ms: 400 }),
            ],
        }
    }

    #[test]
    fn a_crossfade_moves_from_one_scene_to_the_next() {
        let plan = plan();
        let segments = Segments::new(&plan, 64, 36, 10);
        let mut scratch = Scratch::default();
        let mut frame = Vec::new();
        let mut reds = Vec::new();
        for index in 0..segments.total_frames() {
            segments.render(index, &mut frame, &mut scratch);
            reds.push(frame[0]);
        }
        assert_eq!(segments.total_frames(), 16);
        assert_eq!(reds[0], 200);
        assert_eq!(*reds.last().expect("frames"), 0);
        assert!(
            reds.windows(2).all(|w| w[1] <= w[0]),
            "red only fades: {reds:?}"
        );
        assert!(reds.iter().any(|&r| r > 0 && r < 200), "a blended frame");
    }

    /// A square picture in four colours, with a caption and a moving camera:
    /// at some frame all four quadrants are on screen (the picture is seen
    /// whole), and no frame has any of them in the caption's band.
    #[test]
    fn the_picture_is_seen_whole_and_the_caption_never_covers_it() {
        let quadrants = [[220, 0, 0], [0, 200, 0], [0, 0, 220], [230, 200, 0]];
        // Its first and last rows are marked: a crop would lose them.
        let (top, bottom) = ([255, 0, 255], [0, 255, 255]);
        let image = RgbaImage::from_fn(60, 60, |x, y| {
            let [r, g, b] = match y {
                0..=2 => top,
                57.. => bottom,
                _ => quadrants[(usize::from(y >= 30) << 1) | usize::from(x >= 30)],
            };
            Rgba([r, g, b, 255])
        });
        let colours: Vec<[u8; 3]> = quadrants.iter().copied().chain([top, bottom]).collect();
        let plan = VideoPlan {
            width: 160,
            height: 90,
            fps: 10,
            title: None,
            seed: 5,
            scenes: vec![Scene {
                image: Arc::new(image),
                clip: None,
                caption: Some("The castle at night".into()),
                duration_ms: 2000,
                motion: Motion::KenBurns,
                transition: Transition::Cut,
            }],
        };
        let segments = Segments::new(&plan, 160, 90, 10);
        let band_top = Overlay::caption("The castle at night", 160, 90)
            .unwrap()
            .top as usize;
        let near = |p: &[u8], q: [u8; 3]| p.iter().zip(q).all(|(&a, b)| a.abs_diff(b) < 40);
        let (mut frame, mut scratch) = (Vec::new(), Scratch::default());
        let mut seen_whole = false;
        for index in 0..segments.total_frames() {
            segments.render(index, &mut frame, &mut scratch);
            let (stage, band) = frame.split_at(band_top * 160 * 3);
            for pixel in band.chunks_exact(3) {
                assert!(
                    !colours.iter().any(|&q| near(pixel, q)),
                    "frame {index}: the picture shows in the caption band"
                );
            }
            seen_whole |= colours
                .iter()
                .all(|&q| stage.chunks_exact(3).any(|p| near(p, q)));
        }
        assert!(
            seen_whole,
            "the whole picture, edges too, on screen at some frame"
        );
    }

    /// A clip scene plays its frames in order above its caption, and fades
    /// in over the picture before it like any scene.
    #[test]
    fn a_clip_plays_its_frames_in_order_under_a_crossfade() {
        let mut plan = plan();
        plan.scenes[1].clip = Some(Arc::new(
            crate::media::video::clip::tests::Counting::default(),
        ));
        let segments = Segments::new(&plan, 64, 36, 10);
        let (mut frame, mut scratch) = (Vec::new(), Scratch::default());
        let mut firsts = Vec::new();
        for index in 0..segments.total_frames() {
            segments.render(index, &mut frame, &mut scratch);
            firsts.push(frame[0]);
        }
        // Scene 2 starts at frame 6 (a 4-frame fade into 10 frames): its
        // frames 4..9 are shown alone, each the clip's own frame.
        assert_eq!(&firsts[10..], &[4, 5, 6, 7, 8, 9]);
        assert!(firsts[6] > 0 && firsts[6] < 200, "blended: {firsts:?}");
    }

    #[test]
    fn released_scenes_are_prepared_again_on_demand() {
        let plan = plan();
        let segments = Segments::new(&plan, 64, 36, 10);
        let (mut frame, mut scratch) = (Vec::new(), Scratch::default());
        segments.render(0, &mut frame, &mut scratch);
        segments.release_before(10);
        assert!(lock(&segments.slots[0]).is_none());
        segments.render(15, &mut frame, &mut scratch);
        assert_eq!(frame[2], 200);
    }
}
