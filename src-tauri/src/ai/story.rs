//! A storyboard's story from Gemini: a title and, for every frame, a caption
//! and a line of narration, written from the frames' pictures (and the
//! people's own captions and story context).
//!
//! The request uses structured output (`responseMimeType: application/json`
//! with a `responseSchema`), and the answer is still checked in full: the
//! right number of frames, every text within the video's limits (a longer
//! one is cut at a word and marked with an ellipsis). An answer that cannot
//! be used is a [`StoryError`]; the video job then renders with the people's
//! own captions.

use std::collections::HashMap;
use std::io::Cursor;

use base64::Engine as _;
use image::RgbaImage;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::gemini::wire::GenerateContentResponse;
use super::gemini::{Gemini, GeminiError, GeminiEvent, BLOCKING_FINISH_REASONS};
use crate::media::video::{MAX_CAPTION_CHARS, MAX_TITLE_CHARS};

/// Longest narration line kept, in characters (about 20 s of speech).
pub const MAX_NARRATION_CHARS: usize = 300;
/// Pictures go to Gemini scaled down to at most this many pixels a side:
/// enough to see what is drawn, small enough for a hundred frames.
pub const STORY_IMAGE_SIDE: u32 = 512;
/// JPEG quality of those pictures.
pub const STORY_JPEG_QUALITY: u8 = 80;
/// Most bytes of pictures (before base64) in one story request; Gemini caps a
/// whole inline request at 20 MB.
pub const MAX_STORY_IMAGE_BYTES: usize = 12 * 1024 * 1024;

/// Why there is no story from Gemini.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoryError {
    #[error("{0}")]
    Gemini(#[from] GeminiError),
    #[error("Gemini would not write this story ({finish_reason}).")]
    Blocked { finish_reason: String },
    #[error("Gemini's story could not be used: {0}")]
    Malformed(String),
    /// The narration, not the story, was unusable (audio in another format).
    #[error("Gemini's narration could not be used: {0}")]
    BadSpeech(String),
}

impl StoryError {
    /// A stable name: the Gemini error's code, `story_blocked`, `bad_story`
    /// or `bad_speech`.
    pub fn code(&self) -> &'static str {
        match self {
            StoryError::Gemini(e) => e.code(),
            StoryError::Blocked { .. } => "story_blocked",
            StoryError::Malformed(_) => "bad_story",
            StoryError::BadSpeech(_) => "bad_speech",
        }
    }
}

/// One frame as the story request sees it.
pub struct StoryFrame<'a> {
    pub image: &'a RgbaImage,
    /// The people's own caption; empty when they wrote none.
    pub caption: &'a str,
}

/// What Gemini wrote, checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Story {
    /// `None` when Gemini gave an empty title.
    pub title: Option<String>,
    pub frames: Vec<StoryLine>,
    /// Texts that were over a limit and cut, for the result's notes.
    #[serde(skip)]
    pub cuts: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoryLine {
    pub caption: String,
    pub narration: String,
}

/// The answer's shape, as the schema asks for it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Answer {
    title: String,
    frames: Vec<AnswerFrame>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerFrame {
    caption: String,
    narration: String,
}

/// The `generateContent` body: instructions, then each frame's number,
/// caption and picture, with the answer's JSON schema. Encodes the pictures:
/// call it off the async threads.
pub fn story_request(
    frames: &[StoryFrame<'_>],
    context: Option<&str>,
) -> Result<Value, StoryError> {
    let count = frames.len();
    let mut parts = vec![json!({ "text": instructions(count, context) })];
    let mut encoded: HashMap<*const RgbaImage, String> = HashMap::new();
    let mut total = 0usize;
    for (index, frame) in frames.iter().enumerate() {
        let caption = frame.caption.trim();
        let label = if caption.is_empty() {
            format!("Frame {}:", index + 1)
        } else {
            format!("Frame {} (the people's caption: \"{caption}\"):", index + 1)
        };
        parts.push(json!({ "text": label }));
        let key = frame.image as *const RgbaImage;
        let data = match encoded.get(&key) {
            Some(data) => data.clone(),
            None => {
                let jpeg = small_jpeg(frame.image)?;
                total += jpeg.len();
                if total > MAX_STORY_IMAGE_BYTES {
                    return Err(StoryError::Gemini(GeminiError::BadInput(format!(
                        "the pictures come to more than {MAX_STORY_IMAGE_BYTES} bytes"
                    ))));
                }
                let data = base64::engine::general_purpose::STANDARD.encode(jpeg);
                encoded.insert(key, data.clone());
                data
            }
        };
        parts.push(json!({ "inlineData": { "mimeType": "image/jpeg", "data": data } }));
    }
    Ok(json!({
        "contents": [{ "role": "user", "parts": parts }],
        "generationConfig": {
            "responseMimeType": "application/json",
            "responseSchema": schema(count),
        }
    }))
}

fn instructions(count: usize, context: Option<&str>) -> String {
    let mut text = format!(
        "These {count} pictures are the frames of a short video, in order, drawn together by a \
         small group. Write the story they tell: a title (at most {MAX_TITLE_CHARS} characters), \
         and for each frame, in order, a caption shown on screen (one short sentence, at most \
         {} characters) and one or two sentences of narration read aloud over it (at most \
         {MAX_NARRATION_CHARS} characters). Where the people wrote a caption, keep to what it \
         says. Answer with exactly {count} frames.",
        MAX_CAPTION_CHARS / 3
    );
    if let Some(context) = context.map(str::trim).filter(|c| !c.is_empty()) {
        text.push_str("\n\nWhat the people say about their story:\n");
        text.push_str(context);
    }
    text
}

/// The answer's schema, in the API's OpenAPI subset.
fn schema(count: usize) -> Value {
    json!({
        "type": "OBJECT",
        "properties": {
            "title": { "type": "STRING" },
            "frames": {
                "type": "ARRAY",
                "minItems": count,
                "maxItems": count,
                "items": {
                    "type": "OBJECT",
                    "properties": {
                        "caption": { "type": "STRING" },
                        "narration": { "type": "STRING" }
                    },
                    "required": ["caption", "narration"],
                    "propertyOrdering": ["caption", "narration"]
                }
            }
        },
        "required": ["title", "frames"],
        "propertyOrdering": ["title", "frames"]
    })
}

/// A picture as a JPEG at most [`STORY_IMAGE_SIDE`] a side.
fn small_jpeg(image: &RgbaImage) -> Result<Vec<u8>, StoryError> {
    let (w, h) = image.dimensions();
    let scale = (STORY_IMAGE_SIDE as f32 / w.max(h).max(1) as f32).min(1.0);
    let (nw, nh) = (
        ((w as f32 * scale).round() as u32).max(1),
        ((h as f32 * scale).round() as u32).max(1),
    );
    let small = image::imageops::resize(image, nw, nh, image::imageops::FilterType::Triangle);
    let rgb = image::DynamicImage::ImageRgba8(small).to_rgb8();
    let mut out = Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, STORY_JPEG_QUALITY)
        .encode_image(&rgb)
        .map_err(|e| StoryError::Gemini(GeminiError::BadInput(format!("a picture: {e}"))))?;
    Ok(out.into_inner())
}

/// Sends the request to the text model and checks the answer.
pub async fn write_story(
    gemini: &Gemini,
    body: &Value,
    frames: usize,
    on_event: &(dyn Fn(GeminiEvent) + Send + Sync),
) -> Result<Story, StoryError> {
    let response = gemini
        .generate_content(gemini.text_model(), body, on_event)
        .await?;
    let story = parse_story(response, frames).map_err(|e| match e {
        StoryError::Malformed(text) => StoryError::Malformed(gemini.bounded(&text, 300)),
        other => other,
    });
    match &story {
        Ok(_) => tracing::info!(model = gemini.text_model(), frames, "gemini story received"),
        Err(e) => tracing::warn!(
            model = gemini.text_model(),
            code = e.code(),
            "no gemini story"
        ),
    }
    story
}

/// Reads and checks the story in an answer.
pub fn parse_story(response: GenerateContentResponse, frames: usize) -> Result<Story, StoryError> {
    if let Some(reason) = response.prompt_feedback.and_then(|f| f.block_reason) {
        return Err(GeminiError::PromptBlocked { reason }.into());
    }
    let Some(candidate) = response.candidates.into_iter().next() else {
        return Err(StoryError::Malformed("the answer has no candidates".into()));
    };
    let finish = candidate.finish_reason.unwrap_or_default();
    if BLOCKING_FINISH_REASONS.contains(&finish.as_str()) {
        return Err(StoryError::Blocked {
            finish_reason: finish,
        });
    }
    let text: String = candidate
        .content
        .map(|c| c.parts)
        .unwrap_or_default()
        .into_iter()
        .filter(|p| !p.thought)
        .filter_map(|p| p.text)
        .collect();
    if finish == "MAX_TOKENS" {
        return Err(StoryError::Malformed(
            "the answer was cut off (MAX_TOKENS)".into(),
        ));
    }
    let answer: Answer = serde_json::from_str(text.trim())
        .map_err(|e| StoryError::Malformed(format!("the answer is not the story's JSON ({e})")))?;
    if answer.frames.len() != frames {
        return Err(StoryError::Malformed(format!(
            "the story has {} frames; the storyboard has {frames}",
            answer.frames.len()
        )));
    }
    let mut cuts = Vec::new();
    let title = fit(&answer.title, MAX_TITLE_CHARS, "the title", &mut cuts);
    let lines = answer
        .frames
        .iter()
        .enumerate()
        .map(|(i, f)| StoryLine {
            caption: fit(
                &f.caption,
                MAX_CAPTION_CHARS,
                &format!("frame {}'s caption", i + 1),
                &mut cuts,
            ),
            narration: fit(
                &f.narration,
                MAX_NARRATION_CHARS,
                &format!("frame {}'s narration", i + 1),
                &mut cuts,
            ),
        })
        .collect();
    Ok(Story {
        title: Some(title).filter(|t| !t.is_empty()),
        frames: lines,
        cuts,
    })
}

/// Whitespace collapsed; cut at a word to `max` characters (ellipsis
/// included) when longer, with a note of what was cut.
fn fit(text: &str, max: usize, what: &str, cuts: &mut Vec<String>) -> String {
    let clean = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if clean.chars().count() <= max {
        return clean;
    }
    let keep: String = clean.chars().take(max - 1).collect();
    let keep = match keep.rfind(' ') {
        Some(at) if at > keep.len() / 2 => keep[..at].to_string(),
        _ => keep,
    };
    cuts.push(format!("Gemini's {what} was cut to {max} characters"));
    format!("{}…", keep.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(v: Value) -> GenerateContentResponse {
        serde_json::from_value(json!({"candidates": [{"content": {"parts": [
            {"text": v.to_string()}]}, "finishReason": "STOP"}]}))
        .unwrap()
    }

    #[test]
    fn a_story_of_the_right_shape_is_read() {
        let story = parse_story(
            answer(json!({"title": " The  Cat ", "frames": [
                {"caption": "A cat.", "narration": "Once there was a cat."},
                {"caption": "", "narration": ""}]})),
            2,
        )
        .unwrap();
        assert_eq!(story.title.as_deref(), Some("The Cat"));
        assert_eq!(story.frames[0].narration, "Once there was a cat.");
        assert!(story.cuts.is_empty());
    }

    #[test]
    fn the_wrong_frame_count_or_bad_json_is_malformed() {
        let one = json!({"title": "t", "frames": [{"caption": "a", "narration": "b"}]});
        assert_eq!(parse_story(answer(one), 2).unwrap_err().code(), "bad_story");
        let r: GenerateContentResponse = serde_json::from_value(json!({"candidates": [
            {"content": {"parts": [{"text": "Sure! Here is"}]}}]}))
        .unwrap();
        assert_eq!(parse_story(r, 2).unwrap_err().code(), "bad_story");
    }

    #[test]
    fn blocks_are_told_apart() {
        let r: GenerateContentResponse =
            serde_json::from_value(json!({"promptFeedback": {"blockReason": "SAFETY"}})).unwrap();
        assert_eq!(parse_story(r, 2).unwrap_err().code(), "prompt_blocked");
        let r: GenerateContentResponse =
            serde_json::from_value(json!({"candidates": [{"finishReason": "SAFETY"}]})).unwrap();
        assert_eq!(parse_story(r, 2).unwrap_err().code(), "story_blocked");
    }

    #[test]
    fn texts_are_cut_at_the_limit_and_not_before() {
        let mut cuts = Vec::new();
        let at = "a".repeat(MAX_NARRATION_CHARS);
        assert_eq!(fit(&at, MAX_NARRATION_CHARS, "x", &mut cuts), at);
        assert!(cuts.is_empty());
        let over = "word ".repeat(MAX_NARRATION_CHARS);
        let cut = fit(&over, MAX_NARRATION_CHARS, "x", &mut cuts);
        assert!(cut.chars().count() <= MAX_NARRATION_CHARS);
        assert!(cut.ends_with("word…"), "{cut}");
        assert_eq!(cuts.len(), 1);
    }

    #[test]
    fn the_request_has_every_frame_and_the_schema() {
        let img = RgbaImage::new(2000, 1000);
        let frames = [
            StoryFrame {
                image: &img,
                caption: "a dog",
            },
            StoryFrame {
                image: &img,
                caption: "",
            },
        ];
        let body = story_request(&frames, Some("a birthday")).unwrap();
        let parts = body["contents"][0]["parts"].as_array().unwrap();
        assert_eq!(parts.len(), 5);
        assert!(parts[0]["text"].as_str().unwrap().contains("a birthday"));
        assert!(parts[1]["text"].as_str().unwrap().contains("\"a dog\""));
        let jpeg = base64::engine::general_purpose::STANDARD
            .decode(parts[2]["inlineData"]["data"].as_str().unwrap())
            .unwrap();
        let seen = image::load_from_memory(&jpeg).unwrap();
        assert_eq!(
            (seen.width(), seen.height()),
            (STORY_IMAGE_SIDE, STORY_IMAGE_SIDE / 2)
        );
        assert_eq!(
            body["generationConfig"]["responseSchema"]["properties"]["frames"]["maxItems"],
            2
        );
    }
}
