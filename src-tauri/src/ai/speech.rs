//! Narration read aloud by Gemini's text-to-speech model.
//!
//! A `generateContent` call with `responseModalities: ["AUDIO"]` and a
//! `speechConfig` answers with one inline part of raw PCM: signed 16-bit
//! little-endian mono, labelled e.g. `audio/L16;codec=pcm;rate=24000`.

use base64::Engine as _;
use serde_json::{json, Value};

use super::gemini::wire::GenerateContentResponse;
use super::gemini::{Gemini, GeminiError, GeminiEvent, BLOCKING_FINISH_REASONS};
use super::story::StoryError;

/// The prebuilt voice that reads the story.
pub const NARRATOR_VOICE: &str = "Kore";
/// The sample rate assumed when the answer's MIME type names none (the API's own).
pub const DEFAULT_SPEECH_RATE: u32 = 24_000;
/// Sample rates accepted (the AAC encoder's, from 16 to 48 kHz).
pub const SPEECH_RATES: &[u32] = &[16_000, 22_050, 24_000, 32_000, 44_100, 48_000];

/// Spoken audio: mono samples at `sample_rate`.
#[derive(Clone, PartialEq, Eq)]
pub struct Speech {
    pub samples: Vec<i16>,
    pub sample_rate: u32,
}

impl Speech {
    /// Its length in milliseconds, rounded up.
    pub fn duration_ms(&self) -> u64 {
        (self.samples.len() as u64 * 1000).div_ceil(u64::from(self.sample_rate.max(1)))
    }
}

impl std::fmt::Debug for Speech {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Speech")
            .field("samples", &self.samples.len())
            .field("sample_rate", &self.sample_rate)
            .finish()
    }
}

/// The `generateContent` body that reads `line` aloud.
pub fn speech_request(line: &str, voice: &str) -> Value {
    json!({
        "contents": [{ "role": "user", "parts": [{ "text": format!("Read this warmly, like a storyteller: {line}") }] }],
        "generationConfig": {
            "responseModalities": ["AUDIO"],
            "speechConfig": {
                "voiceConfig": { "prebuiltVoiceConfig": { "voiceName": voice } }
            }
        }
    })
}

/// Reads `line` aloud with the TTS model.
pub async fn speak(
    gemini: &Gemini,
    line: &str,
    on_event: &(dyn Fn(GeminiEvent) + Send + Sync),
) -> Result<Speech, StoryError> {
    let body = speech_request(line, NARRATOR_VOICE);
    let response = gemini
        .generate_content(gemini.tts_model(), &body, on_event)
        .await?;
    parse_speech(response)
}

/// The PCM of the first audio part of an answer.
pub fn parse_speech(response: GenerateContentResponse) -> Result<Speech, StoryError> {
    if let Some(reason) = response.prompt_feedback.and_then(|f| f.block_reason) {
        return Err(GeminiError::PromptBlocked { reason }.into());
    }
    let Some(candidate) = response.candidates.into_iter().next() else {
        return Err(StoryError::BadSpeech(
            "the speech answer has no candidates".into(),
        ));
    };
    let finish = candidate.finish_reason.unwrap_or_default();
    if BLOCKING_FINISH_REASONS.contains(&finish.as_str()) {
        return Err(StoryError::Blocked {
            finish_reason: finish,
        });
    }
    let audio = candidate
        .content
        .map(|c| c.parts)
        .unwrap_or_default()
        .into_iter()
        .filter(|p| !p.thought)
        .find_map(|p| p.inline_data.filter(|d| d.mime_type.starts_with("audio/")))
        .ok_or_else(|| StoryError::BadSpeech("the speech answer has no audio".into()))?;
    let sample_rate = pcm_rate(&audio.mime_type).ok_or_else(|| {
        StoryError::BadSpeech(format!(
            "the speech is {}, not 16-bit PCM at a supported rate",
            audio.mime_type.chars().take(64).collect::<String>()
        ))
    })?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(audio.data.trim_end())
        .map_err(|e| StoryError::BadSpeech(format!("the speech is not valid base64 ({e})")))?;
    if bytes.is_empty() || bytes.len() % 2 != 0 {
        return Err(StoryError::BadSpeech(format!(
            "the speech has {} bytes; 16-bit samples come in pairs",
            bytes.len()
        )));
    }
    let samples = bytes
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect();
    Ok(Speech {
        samples,
        sample_rate,
    })
}

/// The rate of a raw 16-bit PCM MIME type (`audio/L16;codec=pcm;rate=24000`,
/// `audio/pcm;rate=24000`), or `None` for anything else.
pub fn pcm_rate(mime: &str) -> Option<u32> {
    let mut fields = mime.split(';').map(str::trim);
    let base = fields.next()?.to_ascii_lowercase();
    if base != "audio/l16" && base != "audio/pcm" {
        return None;
    }
    let mut rate = DEFAULT_SPEECH_RATE;
    for field in fields {
        let Some((name, value)) = field.split_once('=') else {
            continue;
        };
        match name.trim().to_ascii_lowercase().as_str() {
            "rate" => rate = value.trim().parse().ok()?,
            "channels" if value.trim() != "1" => return None,
            _ => {}
        }
    }
    SPEECH_RATES.contains(&rate).then_some(rate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pcm_types_are_read() {
        assert_eq!(pcm_rate("audio/L16;codec=pcm;rate=24000"), Some(24_000));
        assert_eq!(pcm_rate("audio/pcm"), Some(DEFAULT_SPEECH_RATE));
        assert_eq!(pcm_rate("audio/L16; rate=44100"), Some(44_100));
        assert_eq!(pcm_rate("audio/L16;rate=7"), None);
        assert_eq!(pcm_rate("audio/L16;rate=24000;channels=2"), None);
        assert_eq!(pcm_rate("audio/wav"), None);
    }

    #[test]
    fn samples_are_little_endian() {
        let data = base64::engine::general_purpose::STANDARD.encode([0x01, 0x02, 0xff, 0xff]);
        let r: GenerateContentResponse =
            serde_json::from_value(json!({"candidates": [{"content": {"parts": [
            {"inlineData": {"mimeType": "audio/L16;codec=pcm;rate=24000", "data": data}}]}}]}))
            .unwrap();
        let speech = parse_speech(r).unwrap();
        assert_eq!(speech.samples, vec![0x0201, -1]);
        assert_eq!(speech.sample_rate, 24_000);
    }

    #[test]
    fn an_odd_byte_count_or_no_audio_is_malformed() {
        let data = base64::engine::general_purpose::STANDARD.encode([1, 2, 3]);
        let r: GenerateContentResponse =
            serde_json::from_value(json!({"candidates": [{"content": {"parts": [
            {"inlineData": {"mimeType": "audio/L16;rate=24000", "data": data}}]}}]}))
            .unwrap();
        assert_eq!(parse_speech(r).unwrap_err().code(), "bad_speech");
        let r: GenerateContentResponse =
            serde_json::from_value(json!({"candidates": [{"content": {"parts": [
            {"text": "I cannot"}]}}]}))
            .unwrap();
        assert_eq!(parse_speech(r).unwrap_err().code(), "bad_speech");
    }
}
