//! A storyboard frame that plays a timelapse: a range of a room's history
//! replayed, in the storyboard video, by the same incremental canvas as the
//! `timelapse` job, at the video's size, for the frame's duration.
//!
//! A clip frame is a picture frame too: its `image` is a still of the board
//! at the clip's last revision (stored like any upload when the clip is
//! added), so a client that knows nothing of clips shows and sends it as a
//! picture, and Gemini's story sees what the clip ends on. Only the video
//! plays the history instead of the still.

use serde::{Deserialize, Serialize};

use super::model::{check_caption, new_id};
use super::{
    insert_index, Frame, FrameMotion, NewFrame, Storyboard, StoryboardError, Storyboards,
    MAX_FRAME_MS,
};
use crate::jobs::kinds::timelapse::MAX_TIMELAPSE_CHANGES;
use crate::protocol::picture::PictureRef;

/// Shortest clip: shorter, a history flashes by unseen (as a timelapse's
/// shortest, `MIN_TIMELAPSE_SECONDS`).
pub const MIN_CLIP_MS: u32 = 2_000;
/// Longest clip: a frame's longest (the renderer's longest scene).
pub const MAX_CLIP_MS: u32 = MAX_FRAME_MS;
/// How long a clip plays unless told otherwise.
pub const DEFAULT_CLIP_MS: u32 = 10_000;
/// Most history changes one clip replays, and all the clips of one video
/// together: each is held, parsed, in memory while the video renders, as a
/// timelapse holds its own.
pub const MAX_CLIP_CHANGES: u64 = MAX_TIMELAPSE_CHANGES;
/// Longer side of the still a clip frame shows where a picture is needed.
pub const CLIP_STILL_SIZE: u32 = 640;

/// Which history a clip frame plays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FrameClip {
    /// The room whose history it is.
    pub room: String,
    /// The board at this revision is the clip's first picture.
    pub from_rev: u64,
    /// The last change shown.
    pub to_rev: u64,
    /// Minutes east of UTC for the clock in the clip's band; UTC when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utc_offset_minutes: Option<i32>,
}

impl FrameClip {
    /// The changes the clip replays.
    pub fn changes(&self) -> u64 {
        self.to_rev.saturating_sub(self.from_rev)
    }
}

/// A clip to add, as a client sends it (inside `POST …/frames {clip}`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewClip {
    /// The storyboard's room when absent.
    pub room: Option<String>,
    /// The oldest kept revision when absent.
    pub from_rev: Option<u64>,
    /// The board's revision now when absent.
    pub to_rev: Option<u64>,
    pub utc_offset_minutes: Option<i32>,
}

/// How long a clip plays: [`MIN_CLIP_MS`] to [`MAX_CLIP_MS`].
pub fn check_clip_duration(ms: u64) -> Result<u32, StoryboardError> {
    if !(u64::from(MIN_CLIP_MS)..=u64::from(MAX_CLIP_MS)).contains(&ms) {
        return Err(StoryboardError::BadDuration(format!(
            "a timelapse clip plays for {MIN_CLIP_MS} to {MAX_CLIP_MS} ms, not {ms} ms"
        )));
    }
    Ok(ms as u32)
}

/// A clip plays whole and still: the pan and zoom of pictures is refused.
pub fn check_clip_motion(motion: FrameMotion) -> Result<FrameMotion, StoryboardError> {
    match motion {
        FrameMotion::None => Ok(motion),
        FrameMotion::Kenburns => Err(StoryboardError::Invalid(
            "a timelapse clip plays whole and still: its motion is \"none\"".to_string(),
        )),
    }
}

/// The caption and duration of a clip frame from a request, checked.
fn clip_fields(new: &NewFrame) -> Result<(String, u32), StoryboardError> {
    if !new.image.is_empty() {
        return Err(StoryboardError::Invalid(
            "a frame shows a picture (image) or plays a timelapse (clip), not both".to_string(),
        ));
    }
    new.motion.map(check_clip_motion).transpose()?;
    let caption = check_caption(new.caption.as_deref().unwrap_or(""))?;
    let duration = check_clip_duration(new.duration_ms.unwrap_or(DEFAULT_CLIP_MS.into()))?;
    Ok((caption, duration))
}

impl Storyboards {
    /// Whether a clip frame from `new` would be taken by storyboard `id`
    /// as it is now, so nothing is made for one that would not; the
    /// storyboard's room, whose history a clip plays unless it names another.
    pub fn check_clip(&self, id: &str, new: &NewFrame) -> Result<String, StoryboardError> {
        clip_fields(new)?;
        let board = self.get(id)?;
        insert_index(&board, new.index)?;
        Ok(board.room)
    }

    /// Adds a frame playing `clip` (its range already checked against the
    /// room's history), showing `still` where a picture is needed.
    pub fn add_clip(
        &self,
        id: &str,
        new: &NewFrame,
        clip: FrameClip,
        still: &PictureRef,
    ) -> Result<(Storyboard, Frame), StoryboardError> {
        let (caption, duration_ms) = clip_fields(new)?;
        let (width, height) = self
            .pictures()
            .dimensions(still)
            .ok_or_else(|| StoryboardError::ImageNotFound(still.path()))?;
        let frame = Frame {
            id: new_id("fr_"),
            image: still.path(),
            width,
            height,
            caption,
            duration_ms,
            motion: FrameMotion::None,
            transition: new.transition.unwrap_or_default(),
            clip: Some(clip),
        };
        self.change(id, |board| {
            let index = insert_index(board, new.index)?;
            board.frames.insert(index, frame.clone());
            Ok(frame)
        })
    }
}

/// The changes all the clips of a storyboard replay together, checked
/// against [`MAX_CLIP_CHANGES`] before a video is queued (the API answers
/// `range_too_large` with the sentence).
pub fn check_clip_changes<'a>(clips: impl Iterator<Item = &'a FrameClip>) -> Result<u64, String> {
    let total: u64 = clips.map(FrameClip::changes).sum();
    if total > MAX_CLIP_CHANGES {
        return Err(format!(
            "the timelapse clips of this storyboard replay {total} changes together; a video replays at most {MAX_CLIP_CHANGES}"
        ));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clip(from_rev: u64, to_rev: u64) -> FrameClip {
        FrameClip {
            room: "main".into(),
            from_rev,
            to_rev,
            utc_offset_minutes: None,
        }
    }

    #[test]
    fn a_clip_plays_within_its_limits() {
        assert!(check_clip_duration(u64::from(MIN_CLIP_MS)).is_ok());
        assert!(check_clip_duration(u64::from(MIN_CLIP_MS) - 1).is_err());
        assert!(check_clip_duration(u64::from(MAX_CLIP_MS)).is_ok());
        assert!(check_clip_duration(u64::from(MAX_CLIP_MS) + 1).is_err());
        assert!((MIN_CLIP_MS..=MAX_CLIP_MS).contains(&DEFAULT_CLIP_MS));
    }

    #[test]
    fn a_video_replays_at_most_so_many_changes_over_all_its_clips() {
        let half = clip(0, MAX_CLIP_CHANGES / 2);
        let rest = clip(7, 7 + MAX_CLIP_CHANGES - MAX_CLIP_CHANGES / 2);
        assert_eq!(
            check_clip_changes([&half, &rest].into_iter()).unwrap(),
            MAX_CLIP_CHANGES
        );
        let one_more = clip(0, 1);
        let err = check_clip_changes([&half, &rest, &one_more].into_iter()).unwrap_err();
        assert!(err.contains(&MAX_CLIP_CHANGES.to_string()), "{err}");
    }
}
