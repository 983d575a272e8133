//! AI providers: Gemini over REST ([`gemini`], its key in a [`slot`] the
//! host panel may fill), the offline enhancer ([`local`]), and a
//! storyboard's story and narration from Gemini ([`story`], [`speech`]).
//! The jobs that choose between them are in [`crate::jobs::kinds`].

pub mod gemini;
pub mod local;
pub mod slot;
pub mod speech;
pub mod story;

use crate::config::AiSettings;

/// The Gemini client settings for the host's configuration: the defaults,
/// with what the flags, environment or config file set on top.
pub fn gemini_config(settings: &AiSettings) -> gemini::GeminiConfig {
    let mut config = gemini::GeminiConfig {
        api_key: settings.gemini_key.clone(),
        ..Default::default()
    };
    if let Some(url) = &settings.gemini_base_url {
        config.base_url = url.clone();
    }
    if let Some(model) = &settings.gemini_image_model {
        config.image_model = model.clone();
    }
    if let Some(model) = &settings.gemini_text_model {
        config.text_model = model.clone();
    }
    if let Some(model) = &settings.gemini_tts_model {
        config.tts_model = model.clone();
    }
    if let Some(timeout) = settings.gemini_timeout {
        config.request_timeout = timeout;
    }
    config
}
