//! What a storyboard is on the wire and on disk, and the checks every
//! change passes before anything is stored.

use serde::{Deserialize, Serialize};

use super::clip::FrameClip;
use crate::protocol::picture::PictureRef;

use super::{
    StoryboardError, MAX_CAPTION_CHARS, MAX_FRAME_MS, MAX_NAME_CHARS, MAX_TITLE_CHARS, MIN_FRAME_MS,
};

/// A room's ordered pictures, with what the video makes of each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Storyboard {
    pub id: String,
    pub room: String,
    pub name: String,
    /// Bumped by every change, so a client can tell which copy is newer.
    pub rev: u64,
    /// Shown on a title card before the first scene; none when absent.
    pub title: Option<String>,
    /// Milliseconds since the Unix epoch.
    pub created_at: u64,
    pub updated_at: u64,
    pub frames: Vec<Frame>,
}

/// One picture of a storyboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Frame {
    pub id: String,
    /// `/img/NAME` or `/enhanced_drawings/NAME`: always a name the host issued.
    pub image: String,
    pub width: u32,
    pub height: u32,
    pub caption: String,
    pub duration_ms: u32,
    pub motion: FrameMotion,
    /// How this frame enters the video after the one before it.
    pub transition: FrameTransition,
    /// Set when the frame plays a timelapse of a room's history, `image`
    /// being its last picture; absent (as in every record from before
    /// clips) for a picture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clip: Option<FrameClip>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum FrameMotion {
    #[default]
    Kenburns,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum FrameTransition {
    #[default]
    Crossfade,
    Cut,
}

/// The picture a frame shows, read from a request: `/img/NAME` or
/// `/enhanced_drawings/NAME`, also as a full URL of this host or an
/// `<img src>` with its query.
pub fn picture_of(text: &str) -> Result<PictureRef, StoryboardError> {
    PictureRef::parse(text).ok_or_else(|| {
        StoryboardError::Invalid(
            "image is a picture of this host: \"/img/NAME\" or \"/enhanced_drawings/NAME\""
                .to_string(),
        )
    })
}

/// A storyboard's name: 1 to [`MAX_NAME_CHARS`] characters, not blank.
pub fn check_name(name: &str) -> Result<String, StoryboardError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(StoryboardError::Invalid(
            "a storyboard needs a name".to_string(),
        ));
    }
    let chars = name.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(StoryboardError::TooLong(format!(
            "the name has {chars} characters; the most is {MAX_NAME_CHARS}"
        )));
    }
    Ok(name.to_string())
}

/// A video title: empty clears it; at most [`MAX_TITLE_CHARS`] characters.
pub fn check_title(title: &str) -> Result<Option<String>, StoryboardError> {
    let title = title.trim();
    let chars = title.chars().count();
    if chars > MAX_TITLE_CHARS {
        return Err(StoryboardError::TooLong(format!(
            "the title has {chars} characters; the most is {MAX_TITLE_CHARS}"
        )));
    }
    Ok((!title.is_empty()).then(|| title.to_string()))
}

/// A caption: at most [`MAX_CAPTION_CHARS`] characters.
pub fn check_caption(caption: &str) -> Result<String, StoryboardError> {
    let chars = caption.chars().count();
    if chars > MAX_CAPTION_CHARS {
        return Err(StoryboardError::TooLong(format!(
            "the caption has {chars} characters; the most is {MAX_CAPTION_CHARS}"
        )));
    }
    Ok(caption.to_string())
}

/// How long a frame is shown: [`MIN_FRAME_MS`] to [`MAX_FRAME_MS`].
pub fn check_duration(ms: u64) -> Result<u32, StoryboardError> {
    if !(u64::from(MIN_FRAME_MS)..=u64::from(MAX_FRAME_MS)).contains(&ms) {
        return Err(StoryboardError::BadDuration(format!(
            "a frame is shown for {MIN_FRAME_MS} to {MAX_FRAME_MS} ms, not {ms} ms"
        )));
    }
    Ok(ms as u32)
}

/// A random id with a prefix (`sb_`, `fr_`): 16 hex digits after it.
pub fn new_id(prefix: &str) -> String {
    let digits: String = rand::random::<[u8; 8]>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{prefix}{digits}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_shows_only_a_picture_of_this_host() {
        assert_eq!(
            picture_of("/img/abc.png").unwrap(),
            PictureRef::upload("abc.png")
        );
        // A bare name could be either collection: the frame must say which.
        for text in ["abc.png", "/etc/passwd"] {
            assert!(matches!(picture_of(text), Err(StoryboardError::Invalid(_))));
        }
    }

    /// A frame stored before clips existed reads as a picture, and a
    /// picture frame is written as it always was: no `clip` key.
    #[test]
    fn frames_from_before_clips_are_pictures() {
        let old = r#"{"id":"fr_1","image":"/img/a.png","width":4,"height":3,"caption":"",
            "durationMs":4000,"motion":"kenburns","transition":"crossfade"}"#;
        let frame: Frame = serde_json::from_str(old).unwrap();
        assert_eq!(frame.clip, None);
        let again = serde_json::to_value(&frame).unwrap();
        assert!(again.get("clip").is_none(), "{again}");
        let mut clip = frame.clone();
        clip.clip = Some(FrameClip {
            room: "main".into(),
            from_rev: 2,
            to_rev: 9,
            utc_offset_minutes: Some(60),
        });
        let text = serde_json::to_string(&clip).unwrap();
        assert!(
            text.contains(r#""clip":{"room":"main","fromRev":2,"toRev":9,"utcOffsetMinutes":60}"#),
            "{text}"
        );
        assert_eq!(serde_json::from_str::<Frame>(&text).unwrap(), clip);
    }

    #[test]
    fn limits_hold_at_and_past_the_edge() {
        assert!(check_caption(&"c".repeat(MAX_CAPTION_CHARS)).is_ok());
        assert!(check_caption(&"c".repeat(MAX_CAPTION_CHARS + 1)).is_err());
        assert!(check_duration(u64::from(MIN_FRAME_MS)).is_ok());
        assert!(check_duration(u64::from(MIN_FRAME_MS) - 1).is_err());
        assert!(check_duration(u64::from(MAX_FRAME_MS)).is_ok());
        assert!(check_duration(u64::from(MAX_FRAME_MS) + 1).is_err());
        assert!(check_name(&"n".repeat(MAX_NAME_CHARS)).is_ok());
        assert!(check_name(&"n".repeat(MAX_NAME_CHARS + 1)).is_err());
        assert!(check_name("  ").is_err());
        assert_eq!(check_title("").unwrap(), None);
        assert!(check_title(&"t".repeat(MAX_TITLE_CHARS + 1)).is_err());
    }
}
