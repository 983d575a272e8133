//! Gemini's part in a video: the story (a title, and each frame's caption
//! and narration line) and the narration read aloud.
//!
//! The feature never dead-ends: without a key, or when Gemini refuses or
//! answers something unusable, the video still renders with the people's
//! own captions, and the result's notes say why. Only a request that asked
//! for Gemini by name (`story: "gemini"`) fails instead.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use futures_util::{stream, StreamExt, TryStreamExt};

use image::RgbaImage;
use serde::{Deserialize, Serialize};

use crate::ai::gemini::Gemini;
use crate::ai::speech::{self, Speech};
use crate::ai::story::{self, Story, StoryError, StoryFrame};
use crate::jobs::{JobCtx, JobFailure};
use crate::media::video::MAX_SCENE_MS;

use super::shares::{CROSSFADE_MS, READ_SHARE, STORY_SHARE};
use crate::storyboard::Frame;

/// Silence after a narration line before the next scene fades in.
pub const NARRATION_PAD_MS: u32 = 700;
/// Narration lines asked of the speech model at once: several, so a long
/// story is read in a fraction of the time; few, as per-minute quotas are
/// small (a 429 is waited out, see `ai::gemini`).
pub const SPEECH_AT_ONCE: usize = 3;

/// Whether a video gets Gemini's story and narration.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoryMode {
    /// With a key: Gemini's story; when that fails, the people's captions.
    #[default]
    Auto,
    /// Gemini's story or a failed job, never a silent fallback.
    Gemini,
    /// The people's captions only, no call to Gemini.
    Off,
}

impl StoryMode {
    pub fn parse(text: &str) -> Option<StoryMode> {
        match text {
            "auto" => Some(StoryMode::Auto),
            "gemini" => Some(StoryMode::Gemini),
            "off" => Some(StoryMode::Off),
            _ => None,
        }
    }
}

/// What Gemini added to a video, and what it could not.
#[derive(Debug, Default)]
pub struct Told {
    pub story: Option<Story>,
    /// One entry per frame (`None`: nothing to say there), all at one rate.
    pub speech: Option<Vec<Option<Speech>>>,
    pub notes: Vec<String>,
}

/// Asks Gemini for the story and (when `audio`) its narration.
pub async fn tell(
    gemini: Option<&Gemini>,
    mode: StoryMode,
    frames: &[Frame],
    images: &[Arc<RgbaImage>],
    context: Option<&str>,
    audio: bool,
    ctx: &JobCtx,
) -> Result<Told, JobFailure> {
    let mut told = Told::default();
    let gemini = match (mode, gemini) {
        (StoryMode::Off, _) => {
            told.notes.push(
                "no narration: the story was turned off for this video; the video shows your captions"
                    .into(),
            );
            return Ok(told);
        }
        (StoryMode::Gemini, None) => return Err(JobFailure::new(
            "no_key",
            "the host has no Gemini key, so there is no Gemini story; ask without story \"gemini\"",
        )),
        (StoryMode::Auto, None) => {
            told.notes.push(
                "no narration: the host has no Gemini key; the video shows your captions".into(),
            );
            return Ok(told);
        }
        (_, Some(gemini)) => gemini,
    };
    let fallback = |e: StoryError, what: &str, told: &mut Told| -> Result<(), JobFailure> {
        if mode == StoryMode::Gemini {
            return Err(JobFailure::new(e.code(), e.to_string()));
        }
        told.notes.push(format!("{what}: {e} ({})", e.code()));
        Ok(())
    };

    ctx.progress(READ_SHARE, "Gemini is writing the story");
    let (owned_frames, owned_images, owned_context) = (
        frames.iter().map(|f| f.caption.clone()).collect::<Vec<_>>(),
        images.to_vec(),
        context.map(str::to_string),
    );
    let body = tokio::task::spawn_blocking(move || {
        let input: Vec<StoryFrame<'_>> = owned_frames
            .iter()
            .zip(&owned_images)
            .map(|(caption, image)| StoryFrame {
                image: image.as_ref(),
                caption,
            })
            .collect();
        story::story_request(&input, owned_context.as_deref())
    })
    .await
    .map_err(|_| JobFailure::new("internal", "preparing the story stopped unexpectedly"))?;
    let written = match body {
        Ok(body) => story::write_story(gemini, &body, frames.len(), &|_| {}).await,
        Err(e) => Err(e),
    };
    let story = match written {
        Ok(story) => story,
        Err(e) => {
            fallback(
                e,
                "no Gemini story, the video shows your captions",
                &mut told,
            )?;
            return Ok(told);
        }
    };
    told.notes.extend(story.cuts.iter().cloned());
    if !audio {
        told.notes
            .push("no narration: a GIF has no sound; Gemini's captions are shown".into());
        told.story = Some(story);
        return Ok(told);
    }
    match read_aloud(gemini, &story, ctx).await {
        Ok(lines) => told.speech = Some(lines),
        Err(e) => fallback(
            e,
            "no narration, the video shows Gemini's captions",
            &mut told,
        )?,
    }
    told.story = Some(story);
    Ok(told)
}

/// Every non-empty narration line, read aloud; one rate for all. Up to
/// [`SPEECH_AT_ONCE`] lines are asked for at the same time, so a long story
/// does not wait for one answer after another.
async fn read_aloud(
    gemini: &Gemini,
    story: &Story,
    ctx: &JobCtx,
) -> Result<Vec<Option<Speech>>, StoryError> {
    let spoken = story
        .frames
        .iter()
        .filter(|line| !line.narration.trim().is_empty())
        .count();
    let done = &AtomicUsize::new(0);
    let report = &|n: usize| {
        ctx.progress(
            READ_SHARE + STORY_SHARE * (n + 1) as f32 / (spoken + 1) as f32,
            &format!("Gemini is reading the narration aloud: {n} of {spoken} lines"),
        )
    };
    report(0);
    // Owned lines: a closure over borrowed ones is not `Send` enough for the job.
    let texts: Vec<String> = story.frames.iter().map(|l| l.narration.clone()).collect();
    let lines: Vec<Option<Speech>> = stream::iter(texts)
        .map(|text: String| async move {
            if text.trim().is_empty() {
                return Ok(None);
            }
            if ctx.is_cancelled() {
                return Err(StoryError::Malformed("cancelled".into()));
            }
            let said = speech::speak(gemini, &text, &|_| {}).await?;
            report(done.fetch_add(1, Ordering::Relaxed) + 1);
            Ok(Some(said))
        })
        .buffered(SPEECH_AT_ONCE)
        .try_collect()
        .await?;
    let mut rates = lines.iter().flatten().map(|s| s.sample_rate);
    if let Some(first) = rates.next() {
        if rates.any(|rate| rate != first) {
            return Err(StoryError::BadSpeech(
                "the narration lines came at different sample rates".into(),
            ));
        }
    }
    Ok(lines)
}

/// How long a frame is shown: its own time, or longer when its narration
/// needs it (the fade-in, the line, then [`NARRATION_PAD_MS`]), within the
/// renderer's longest scene.
pub fn scene_ms(own_ms: u32, speech: Option<&Speech>) -> u32 {
    let Some(speech) = speech else {
        return own_ms;
    };
    let needed = speech
        .duration_ms()
        .saturating_add(u64::from(CROSSFADE_MS + NARRATION_PAD_MS));
    let needed = u32::try_from(needed).unwrap_or(u32::MAX);
    own_ms.max(needed).min(MAX_SCENE_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenes_stretch_to_their_line_and_no_further_than_the_limit() {
        let second = Speech {
            samples: vec![0; 24_000],
            sample_rate: 24_000,
        };
        assert_eq!(scene_ms(500, None), 500);
        assert_eq!(
            scene_ms(500, Some(&second)),
            1000 + CROSSFADE_MS + NARRATION_PAD_MS
        );
        assert_eq!(scene_ms(9_000, Some(&second)), 9_000);
        let long = Speech {
            samples: vec![0; 24_000 * 90],
            sample_rate: 24_000,
        };
        assert_eq!(scene_ms(500, Some(&long)), MAX_SCENE_MS);
    }
}
