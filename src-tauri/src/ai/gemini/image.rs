//! Reading the generated image out of a `generateContent` answer.

use base64::Engine as _;

use super::errors::{bounded, bounded_text, GeminiError};
use super::wire::{GenerateContentResponse, Part};
use super::{GeneratedImage, MAX_GENERATED_IMAGE_BYTES};

/// Longest model commentary kept next to a generated image.
pub const MAX_MODEL_TEXT_CHARS: usize = 2_000;

/// `finishReason` values that mean "stopped on purpose, no image for this input".
/// Others (`STOP`, `MAX_TOKENS`, `OTHER`, ...) with no image part give `no_image`.
pub const BLOCKING_FINISH_REASONS: &[&str] = &[
    "SAFETY",
    "RECITATION",
    "BLOCKLIST",
    "PROHIBITED_CONTENT",
    "SPII",
    "IMAGE_SAFETY",
    "IMAGE_PROHIBITED_CONTENT",
    "IMAGE_RECITATION",
    "IMAGE_OTHER",
    "NO_IMAGE",
];

/// The first image of the first candidate. Text parts become [`GeneratedImage::text`];
/// thought parts (the model's reasoning, including its draft images) are skipped.
/// `key` is scrubbed from any model text kept.
pub(crate) fn extract_image(
    response: GenerateContentResponse,
    key: &str,
) -> Result<GeneratedImage, GeminiError> {
    if let Some(reason) = response
        .prompt_feedback
        .as_ref()
        .and_then(|f| f.block_reason.clone())
    {
        return Err(GeminiError::PromptBlocked { reason });
    }
    let Some(candidate) = response.candidates.into_iter().next() else {
        return Err(GeminiError::NoImage { text: None });
    };
    if let Some(reason) = candidate.finish_reason.as_deref() {
        if BLOCKING_FINISH_REASONS.contains(&reason) {
            return Err(GeminiError::ImageBlocked {
                finish_reason: reason.to_string(),
            });
        }
    }
    let parts: Vec<Part> = candidate
        .content
        .map(|c| c.parts)
        .unwrap_or_default()
        .into_iter()
        .filter(|p| !p.thought)
        .collect();
    let text = model_text(&parts);
    let image = parts.into_iter().find_map(|p| {
        p.inline_data
            .filter(|d| d.mime_type.starts_with("image/") && !d.data.is_empty())
    });
    let Some(image) = image else {
        return Err(GeminiError::NoImage {
            text: text.map(|t| bounded_text(&t, key)),
        });
    };
    // The base64 length bounds the decoded size (to within one group) before any allocation.
    let estimate = image.data.len() / 4 * 3;
    if estimate > MAX_GENERATED_IMAGE_BYTES + 3 {
        return Err(GeminiError::ImageTooLarge { bytes: estimate });
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(image.data.trim_end())
        .map_err(|e| GeminiError::bad_response(format!("the image is not valid base64 ({e})")))?;
    if bytes.len() > MAX_GENERATED_IMAGE_BYTES {
        return Err(GeminiError::ImageTooLarge { bytes: bytes.len() });
    }
    Ok(GeneratedImage {
        bytes,
        mime: image.mime_type,
        text: text.map(|t| bounded(&t, key, MAX_MODEL_TEXT_CHARS)),
    })
}

/// All text parts joined, or `None` when the model said nothing.
fn model_text(parts: &[Part]) -> Option<String> {
    let text: Vec<&str> = parts
        .iter()
        .filter_map(|p| p.text.as_deref())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    (!text.is_empty()).then(|| text.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: serde_json::Value) -> GenerateContentResponse {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn thought_images_are_skipped() {
        let r = parse(json!({"candidates": [{"content": {"parts": [
            {"inlineData": {"mimeType": "image/png", "data": "AAEC"}, "thought": true},
            {"text": "Here you go"},
            {"inlineData": {"mimeType": "image/jpeg", "data": "AwQF"}}
        ]}, "finishReason": "STOP"}]}));
        let img = extract_image(r, "k").unwrap();
        assert_eq!(img.bytes, vec![3, 4, 5]);
        assert_eq!(img.mime, "image/jpeg");
        assert_eq!(img.text.as_deref(), Some("Here you go"));
    }

    #[test]
    fn no_candidates_is_no_image() {
        assert_eq!(
            extract_image(parse(json!({})), "k"),
            Err(GeminiError::NoImage { text: None })
        );
    }

    #[test]
    fn invalid_base64_is_a_bad_response() {
        let r = parse(json!({"candidates": [{"content": {"parts": [
            {"inlineData": {"mimeType": "image/png", "data": "!!!!"}}]}}]}));
        assert_eq!(extract_image(r, "k").unwrap_err().code(), "bad_response");
    }

    #[test]
    fn long_model_text_is_bounded() {
        let r = parse(json!({"candidates": [{"content": {"parts": [
            {"text": "word ".repeat(5_000)}]}}]}));
        match extract_image(r, "k") {
            Err(GeminiError::NoImage { text: Some(t) }) => {
                assert!(t.chars().count() <= super::super::errors::MAX_ERROR_TEXT_CHARS + 1)
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn model_text_beside_an_image_is_kept_up_to_the_limit() {
        let with_text = |text: String| {
            parse(json!({"candidates": [{"content": {"parts": [
                {"text": text}, {"inlineData": {"mimeType": "image/png", "data": "AAEC"}}]}}]}))
        };
        let full = "a".repeat(MAX_MODEL_TEXT_CHARS);
        let img = extract_image(with_text(full.clone()), "k").unwrap();
        assert_eq!(img.text, Some(full));
        let over = "a".repeat(MAX_MODEL_TEXT_CHARS + 1);
        let img = extract_image(with_text(over), "k").unwrap();
        let kept = img.text.unwrap();
        assert_eq!(kept.chars().count(), MAX_MODEL_TEXT_CHARS + 1);
        assert!(kept.ends_with('…'));
    }
}
