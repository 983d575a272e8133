//! The enhancement job: a stored sketch and a prompt in, a finished picture
//! out, made by Gemini or by the offline enhancer.
//!
//! "Auto" asks Gemini when the host has a key and falls back to the offline
//! enhancer on any Gemini failure (no network, quota, a refusal), saying why
//! in the result: the feature never dead-ends. Choosing Gemini explicitly
//! fails with Gemini's reason instead; choosing "local" never goes online.

use std::sync::Arc;

use serde::Serialize;
use serde_json::{json, Value};

use super::blocking;
use crate::ai::gemini::{Gemini, GeminiError, GeminiEvent};
use crate::ai::local::{self, LocalOptions};
use crate::ai::slot::GeminiSlot;
use crate::jobs::{JobCtx, JobFailure, Work};
use crate::media::images::{self, ImageError, StoredImage};
use crate::media::pictures::Pictures;
use crate::protocol::picture::{Collection, PictureRef};

/// Longest prompt accepted, in characters.
pub const MAX_PROMPT_CHARS: usize = 2_000;
/// What Gemini is asked when the person typed nothing.
pub const DEFAULT_PROMPT: &str =
    "Turn this rough sketch into a finished, colourful illustration. Keep its composition and subjects.";
/// The job kind (and lane) of enhancements.
pub const KIND: &str = "enhance";

/// Which engine a person asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EngineChoice {
    Auto,
    Gemini,
    Local,
}

impl EngineChoice {
    pub fn parse(text: &str) -> Option<EngineChoice> {
        match text {
            "auto" => Some(EngineChoice::Auto),
            "gemini" => Some(EngineChoice::Gemini),
            "local" => Some(EngineChoice::Local),
            _ => None,
        }
    }
}

/// One request, checked by the API.
#[derive(Debug, Clone)]
pub struct EnhanceRequest {
    /// Where the sketch is: the uploads or an earlier result.
    pub source: PictureRef,
    pub prompt: String,
    pub engine: EngineChoice,
    pub upscale: bool,
}

/// Makes enhancement work for the job lanes. Cheap to clone.
#[derive(Clone)]
pub struct Enhancer {
    inner: Arc<Inner>,
}

struct Inner {
    /// The Gemini client, which the host's person may set while it runs.
    slot: GeminiSlot,
    pictures: Pictures,
}

impl Enhancer {
    pub fn new(slot: GeminiSlot, pictures: Pictures) -> Enhancer {
        Enhancer {
            inner: Arc::new(Inner { slot, pictures }),
        }
    }

    /// The Gemini client's slot, shared with the video job and the host panel.
    pub fn slot(&self) -> &GeminiSlot {
        &self.inner.slot
    }

    /// Asks Gemini whether the configured model exists (see
    /// [`GeminiSlot::check_model_in_background`]).
    pub fn check_model_in_background(&self) {
        self.inner.slot.check_model_in_background();
    }

    /// What a person sees about the engines (never the key).
    pub fn status(&self) -> Value {
        let slot = &self.inner.slot;
        let key_source = slot.key_source();
        let gemini = match (slot.current(), slot.model_check()) {
            (None, _) => json!({
                "available": false,
                "reason": slot.off().unwrap_or_else(|| "no API key".into()),
            }),
            (Some(g), None) => json!({
                "available": true, "model": g.image_model(), "keySource": key_source,
                "check": "pending",
            }),
            (Some(g), Some(Ok(()))) => json!({
                "available": true, "model": g.image_model(), "keySource": key_source,
                "check": "ok",
            }),
            (Some(g), Some(Err(e))) => json!({
                "available": !settled_refusal(&e), "model": g.image_model(),
                "keySource": key_source, "check": e.code(), "reason": e.to_string(),
            }),
        };
        json!({ "gemini": gemini, "local": { "available": true, "engine": local::ENGINE_NAME } })
    }

    /// The start-up check's answer when it settles that Gemini cannot work
    /// with these settings (a wrong key or model id), not a passing outage.
    fn refused_at_start(&self) -> Option<GeminiError> {
        match self.inner.slot.model_check() {
            Some(Err(e)) if settled_refusal(&e) => Some(e),
            _ => None,
        }
    }

    /// Why Gemini cannot be used, if it cannot.
    pub fn gemini_off(&self) -> Option<String> {
        self.inner.slot.off()
    }

    /// Whether the sketch exists (so a request for a missing one fails at once).
    pub fn has_source(&self, source: &PictureRef) -> bool {
        self.inner.pictures.contains(source)
    }

    /// The work of one enhancement job.
    pub fn work(&self, request: EnhanceRequest) -> Work {
        let me = self.clone();
        Box::new(move |ctx: JobCtx| Box::pin(async move { me.run(request, ctx).await }))
    }

    async fn run(self, request: EnhanceRequest, ctx: JobCtx) -> Result<Value, JobFailure> {
        ctx.progress(0.02, "reading the sketch");
        let (pictures, source) = (self.inner.pictures.clone(), request.source.clone());
        let (bytes, mime) = blocking("the enhancement", move || pictures.get(&source))
            .await?
            .map_err(stored_failure)?
            .ok_or_else(|| {
                JobFailure::new(
                    "not_found",
                    format!(
                        "the picture {} is no longer on the host",
                        request.source.path()
                    ),
                )
            })?;
        let mut note = None;
        // The client as it is now: a key set meanwhile applies to later jobs.
        let gemini = self.inner.slot.current();
        let refused = self.refused_at_start();
        let use_gemini = match request.engine {
            EngineChoice::Local => false,
            EngineChoice::Auto if refused.is_some() => {
                let e = refused.expect("checked");
                note = Some(format!(
                    "Gemini cannot be used ({e}); made with the local enhancer instead."
                ));
                false
            }
            EngineChoice::Auto => gemini.is_some(),
            EngineChoice::Gemini if refused.is_some() => {
                let e = refused.expect("checked");
                return Err(JobFailure::new(e.code(), e.to_string()));
            }
            EngineChoice::Gemini => {
                if gemini.is_none() {
                    return Err(JobFailure::new(
                        "no_key",
                        format!(
                            "Gemini is not available: {}. Choose the local enhancer, or ask the person running CoCo to add a Gemini key.",
                            sentence_body(&self.gemini_off().unwrap_or_else(|| "no API key".into()))
                        ),
                    ));
                }
                true
            }
        };
        if let Some(gemini) = gemini.filter(|_| use_gemini) {
            match self
                .with_gemini(&gemini, &request, &bytes, mime, &ctx)
                .await
            {
                Ok(result) => return Ok(result),
                Err(e) if request.engine == EngineChoice::Gemini => {
                    return Err(JobFailure::new(e.code(), e.to_string()))
                }
                Err(e) => {
                    if ctx.is_cancelled() {
                        return Err(JobFailure::new("cancelled", "cancelled"));
                    }
                    tracing::info!("Gemini failed ({}); using the local enhancer", e.code());
                    note = Some(format!(
                        "Gemini could not do it ({e}); made with the local enhancer instead."
                    ));
                }
            }
        } else if request.engine == EngineChoice::Auto && note.is_none() {
            note = Some(format!(
                "Made with the local enhancer: {}.",
                sentence_body(
                    &self
                        .gemini_off()
                        .unwrap_or_else(|| "Gemini is not set up on this host".into())
                )
            ));
        }
        self.with_local(&request, bytes, &ctx, note).await
    }

    async fn with_gemini(
        &self,
        gemini: &Gemini,
        request: &EnhanceRequest,
        bytes: &[u8],
        mime: &str,
        ctx: &JobCtx,
    ) -> Result<Value, GeminiError> {
        let model = gemini.image_model().to_string();
        ctx.progress(0.1, &format!("asking Gemini ({model})"));
        let progress_ctx = ctx.clone();
        let on_event = move |event: GeminiEvent| match event {
            GeminiEvent::Attempt { n } if n > 1 => {
                progress_ctx.progress(0.1, &format!("asking Gemini again (attempt {n})"))
            }
            GeminiEvent::Attempt { .. } => {}
            GeminiEvent::Waiting { seconds, reason } => progress_ctx.progress(
                0.1,
                &format!("{reason}; trying again in {} s", seconds.ceil() as u64),
            ),
        };
        let prompt = prompt_or_default(&request.prompt);
        let made = gemini
            .generate_image(prompt, bytes, mime, &on_event)
            .await?;
        ctx.progress(0.9, "storing the picture");
        let enhanced = self.inner.pictures.store(Collection::Enhanced).clone();
        let sent = made.bytes.len();
        let stored = blocking("the enhancement", move || enhanced.save(&made.bytes))
            .await
            .map_err(|f| GeminiError::bad_response(f.message))?
            .map_err(|e| gemini_picture_refused(e, sent))?;
        let (ow, oh) = self
            .inner
            .pictures
            .dimensions(&request.source)
            .unwrap_or((0, 0));
        Ok(result_json(
            &stored,
            request,
            (ow, oh),
            "gemini",
            Some(&model),
            None,
        ))
    }

    async fn with_local(
        &self,
        request: &EnhanceRequest,
        bytes: Vec<u8>,
        ctx: &JobCtx,
        note: Option<String>,
    ) -> Result<Value, JobFailure> {
        ctx.progress(0.15, "enhancing on this computer");
        let options = LocalOptions {
            prompt: request.prompt.clone(),
            upscale: request.upscale,
        };
        let enhanced = self.inner.pictures.store(Collection::Enhanced).clone();
        let job = ctx.clone();
        let (stored, original, made) = blocking("the enhancement", move || {
            let input = images::decode_rgba(&bytes).map_err(stored_failure)?;
            let original = input.dimensions();
            let mut report = |f: f32| job.progress(0.15 + 0.7 * f, "enhancing on this computer");
            let done = local::enhance_detailed(&input, &options, &mut report)
                .map_err(|e| JobFailure::new(e.code(), e.to_string()))?;
            let (picture, made) = (done.image, (done.styles, done.palette));
            drop(input);
            if job.is_cancelled() {
                return Err(JobFailure::new("cancelled", "cancelled"));
            }
            job.progress(0.9, "storing the picture");
            let png = images::encode_png(&picture).map_err(stored_failure)?;
            let stored = enhanced.save(&png).map_err(stored_failure)?;
            Ok((stored, original, made))
        })
        .await??;
        let mut result = result_json(
            &stored,
            request,
            original,
            local::ENGINE_NAME,
            None,
            note.as_deref(),
        );
        // Which of the prompt's words the offline enhancer followed, so the
        // person can tell a style it knows from one it ignored.
        let (styles, palette) = made;
        result["styles"] = json!(styles);
        result["palette"] = json!(palette);
        Ok(result)
    }
}

/// Failures of the model check that retrying cannot fix.
fn settled_refusal(e: &GeminiError) -> bool {
    matches!(
        e.code(),
        "bad_key" | "permission_denied" | "model_not_found"
    )
}

/// What the status route shows as `result`: the fields of the existing
/// client, and which engine made the picture.
fn result_json(
    stored: &StoredImage,
    request: &EnhanceRequest,
    (original_width, original_height): (u32, u32),
    engine: &str,
    model: Option<&str>,
    note: Option<&str>,
) -> Value {
    let mut result = json!({
        "filename": stored.name,
        "path": PictureRef::enhanced(&stored.name).path(),
        "width": stored.width,
        "height": stored.height,
        "original_width": original_width,
        "original_height": original_height,
        "prompt": request.prompt,
        "engine": engine,
        "source": request.source.path(),
    });
    if let Some(model) = model {
        result["model"] = json!(model);
    }
    if let Some(note) = note {
        result["note"] = json!(note);
    }
    result
}

/// The prompt as sent to Gemini: the person's words, or a sensible default.
pub fn prompt_or_default(prompt: &str) -> &str {
    if prompt.trim().is_empty() {
        DEFAULT_PROMPT
    } else {
        prompt
    }
}

/// A sentence to set inside another: without its closing full stop, so that
/// "…: {reason}." never ends in two.
fn sentence_body(text: &str) -> &str {
    text.trim_end().trim_end_matches('.')
}

/// Why a picture from Gemini was not kept, as the person should hear it:
/// too large is `image_too_large` with its size, whatever limit it passed.
fn gemini_picture_refused(e: ImageError, sent: usize) -> GeminiError {
    match e {
        ImageError::TooManyPixels(width, height) => {
            GeminiError::ImageTooManyPixels { width, height }
        }
        ImageError::TooLarge(bytes) => GeminiError::ImageTooLarge { bytes },
        ImageError::OverLimits => GeminiError::ImageTooLarge { bytes: sent },
        other => GeminiError::bad_response(format!("its picture was not usable: {other}")),
    }
}

fn stored_failure(e: ImageError) -> JobFailure {
    match e {
        _ if e.is_disk_full() => JobFailure::new(
            "disk_full",
            "the host's disk is full, so the picture could not be stored; free space on the host and try again",
        ),
        ImageError::Io(_) | ImageError::Storage(_) => {
            tracing::error!("enhancement storage failed: {e}");
            JobFailure::new(
                "internal",
                "the host could not store the picture; see its log",
            )
        }
        other => JobFailure::new("invalid_image", other.to_string()),
    }
}
