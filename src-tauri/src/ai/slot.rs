//! The host's Gemini client, which the person running CoCo may set while it
//! runs (a key typed into the host panel), shared by the enhancement job and
//! the video's story and narration.
//!
//! Why a slot rather than a client handed out at start: a key set from the
//! panel must reach every later job without a restart. Jobs take a clone of
//! the client when they start ([`GeminiSlot::current`]), so one that is
//! running keeps the key it started with.

use std::path::PathBuf;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::gemini::{ApiKey, Gemini, GeminiConfig, GeminiError};

/// Where a key set from the host panel is said to come from.
pub const PANEL_KEY_SOURCE: &str = "the host panel";

/// Why a key from the host panel was not taken.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{0}")]
    Invalid(String),
    #[error("the key works for now, but could not be saved for the next start: {0}")]
    NotSaved(String),
}

/// Cheap to clone.
#[derive(Clone)]
pub struct GeminiSlot {
    inner: Arc<RwLock<State>>,
}

struct State {
    /// The settings every client is made from (all but the key stay).
    config: GeminiConfig,
    gemini: Option<Gemini>,
    /// Why there is no client, for people.
    off: Option<String>,
    /// Where the key came from ("GEMINI_API_KEY", "the config file", …).
    key_source: Option<&'static str>,
    /// What the check of the model found: None while it runs (or before).
    model_check: Option<Result<(), GeminiError>>,
    /// Where a key from the panel is kept for the next start (the config
    /// file), if the host has one.
    key_file: Option<PathBuf>,
    /// Bumped on every new key, so a late model check of an old key is
    /// not taken for the new one.
    generation: u64,
}

impl GeminiSlot {
    pub fn new(
        config: GeminiConfig,
        key_source: Option<&'static str>,
        key_file: Option<PathBuf>,
    ) -> GeminiSlot {
        let (gemini, off) = match Gemini::new(config.clone()) {
            Ok(g) => (Some(g), None),
            Err(e) => (None, Some(e.to_string())),
        };
        GeminiSlot {
            inner: Arc::new(RwLock::new(State {
                config,
                gemini,
                off,
                key_source,
                model_check: None,
                key_file,
                generation: 0,
            })),
        }
    }

    fn read(&self) -> RwLockReadGuard<'_, State> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The client now, for one job.
    pub fn current(&self) -> Option<Gemini> {
        self.read().gemini.clone()
    }

    /// Why Gemini cannot be used, if it cannot.
    pub fn off(&self) -> Option<String> {
        self.read().off.clone()
    }

    pub fn key_source(&self) -> Option<&'static str> {
        self.read().key_source
    }

    /// What the last model check found, if it has finished.
    pub fn model_check(&self) -> Option<Result<(), GeminiError>> {
        self.read().model_check.clone()
    }

    /// Asks Gemini whether the configured model exists, so a wrong model id
    /// or key is reported at once rather than at the first enhancement.
    /// Offline, the check fails quietly: enhancements fall back anyway.
    pub fn check_model_in_background(&self) {
        let (gemini, generation) = {
            let state = self.read();
            let Some(gemini) = state.gemini.clone() else {
                return;
            };
            (gemini, state.generation)
        };
        let me = self.clone();
        tokio::spawn(async move {
            let model = gemini.image_model().to_string();
            let outcome = gemini.check_model(&model).await;
            match &outcome {
                Ok(()) => tracing::info!("Gemini model {model} is available"),
                Err(e) => tracing::warn!("Gemini: {e} Enhancements will use the local enhancer."),
            }
            let mut state = me.write();
            if state.generation == generation {
                state.model_check = Some(outcome);
            }
        });
    }

    /// Uses `key` from now on and keeps it for the next start (in the
    /// config file, readable by the host's user only). The key is never
    /// logged nor sent back.
    pub fn set_key(&self, key: &str) -> Result<(), KeyError> {
        let key = key.trim();
        if key.is_empty() || key.len() > 512 || key.chars().any(|c| c.is_control()) {
            return Err(KeyError::Invalid(
                "that does not look like a Gemini API key: paste the whole key, as Google AI Studio shows it".into(),
            ));
        }
        let mut config = self.read().config.clone();
        config.api_key = Some(ApiKey::new(key.to_string()));
        let gemini = Gemini::new(config.clone()).map_err(|e| KeyError::Invalid(e.to_string()))?;
        let key_file = {
            let mut state = self.write();
            state.config = config;
            state.gemini = Some(gemini);
            state.off = None;
            state.key_source = Some(PANEL_KEY_SOURCE);
            state.model_check = None;
            state.generation += 1;
            state.key_file.clone()
        };
        tracing::info!("a Gemini key was set from the host panel");
        self.check_model_in_background();
        match key_file {
            Some(path) => {
                crate::config::file::save_gemini_key(&path, key).map_err(KeyError::NotSaved)
            }
            None => Err(KeyError::NotSaved(
                "this host has no config file; the key lasts until it stops".into(),
            )),
        }
    }
}
