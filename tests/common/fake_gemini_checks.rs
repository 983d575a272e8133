//! What the fake Gemini requires of each kind of request, as the real API
//! refuses them: image, text-to-speech and text (structured or plain).

use base64::Engine as _;
use serde_json::{json, Value};

/// Checks a request by the kind of model it goes to, told by its id as the
/// real ones are named: `...-tts` speaks, `...-image` draws, others write.
pub fn check_request(model: &str, request: &Value) -> Result<(), String> {
    if model.contains("-tts") {
        check_speech_request(request)
    } else if model.contains("-image") {
        check_image_request(request)
    } else {
        let modalities = request
            .pointer("/generationConfig/responseModalities")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if modalities.iter().any(|m| m != "TEXT") {
            return Err(
                "The requested combination of response modalities is not supported by the model."
                    .into(),
            );
        }
        check_text_request(request)
    }
}

/// Every inline part has a MIME type and valid, non-empty base64.
fn check_inline_parts(parts: &[Value]) -> Result<(), String> {
    for inline in parts
        .iter()
        .filter_map(|p| p.get("inlineData").or_else(|| p.get("inline_data")))
    {
        let mime = inline
            .get("mimeType")
            .or_else(|| inline.get("mime_type"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !mime.starts_with("image/") {
            return Err(format!("inlineData.mimeType {mime:?} is not an image type"));
        }
        let data = inline
            .get("data")
            .and_then(Value::as_str)
            .unwrap_or_default();
        match base64::engine::general_purpose::STANDARD.decode(data) {
            Ok(bytes) if !bytes.is_empty() => {}
            _ => return Err("Base64 decoding failed for inlineData.data".into()),
        }
    }
    Ok(())
}

fn text_parts(request: &Value) -> Result<&Vec<Value>, String> {
    let parts = request
        .pointer("/contents/0/parts")
        .and_then(Value::as_array)
        .ok_or("contents[0].parts is missing")?;
    if !parts.iter().any(|p| {
        p.get("text")
            .and_then(Value::as_str)
            .is_some_and(|t| !t.trim().is_empty())
    }) {
        return Err("no text part".into());
    }
    Ok(parts)
}

/// A text request: text, optional valid images, and with
/// `responseMimeType: application/json` a `responseSchema` of a known type.
pub fn check_text_request(request: &Value) -> Result<(), String> {
    let parts = text_parts(request)?;
    check_inline_parts(parts)?;
    let config = request.get("generationConfig");
    let mime = config
        .and_then(|c| c.get("responseMimeType"))
        .and_then(Value::as_str);
    if let Some(mime) = mime {
        if mime != "application/json" && mime != "text/plain" {
            return Err(format!("responseMimeType {mime:?} is not supported"));
        }
    }
    if let Some(schema) = config.and_then(|c| c.get("responseSchema")) {
        if mime != Some("application/json") {
            return Err("responseSchema needs responseMimeType application/json".into());
        }
        let ty = schema
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !["OBJECT", "ARRAY", "STRING", "INTEGER", "NUMBER", "BOOLEAN"].contains(&ty) {
            return Err(format!("responseSchema.type {ty:?} is invalid"));
        }
    }
    Ok(())
}

/// A speech request: text to read, `AUDIO` only, and a prebuilt voice.
pub fn check_speech_request(request: &Value) -> Result<(), String> {
    let parts = text_parts(request)?;
    if parts.iter().any(|p| p.get("inlineData").is_some()) {
        return Err("a TTS model takes text only".into());
    }
    let modalities = request
        .pointer("/generationConfig/responseModalities")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if modalities != [json!("AUDIO")] {
        return Err("a TTS model answers with AUDIO only".into());
    }
    request
        .pointer("/generationConfig/speechConfig/voiceConfig/prebuiltVoiceConfig/voiceName")
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty())
        .ok_or("speechConfig.voiceConfig.prebuiltVoiceConfig.voiceName is missing")?;
    Ok(())
}

/// What an image request must hold: a text part, an inline image with valid
/// base64, and `IMAGE` among the response modalities.
pub fn check_image_request(request: &Value) -> Result<(), String> {
    let parts = request
        .pointer("/contents/0/parts")
        .and_then(Value::as_array)
        .ok_or("contents[0].parts is missing")?;
    if !parts.iter().any(|p| {
        p.get("text")
            .and_then(Value::as_str)
            .is_some_and(|t| !t.is_empty())
    }) {
        return Err("no text part".into());
    }
    if !parts.iter().any(|p| {
        p.get("inlineData")
            .or_else(|| p.get("inline_data"))
            .is_some()
    }) {
        return Err("no inlineData part".into());
    }
    check_inline_parts(parts)?;
    let modalities = request
        .pointer("/generationConfig/responseModalities")
        .and_then(Value::as_array)
        .ok_or("generationConfig.responseModalities is missing")?;
    if !modalities.iter().any(|m| m == "IMAGE") {
        return Err("responseModalities does not include IMAGE".into());
    }
    Ok(())
}
