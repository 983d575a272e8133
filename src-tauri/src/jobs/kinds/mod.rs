//! The kinds of work the job lanes run, each a [`super::Work`] made from a
//! checked request: [`enhance`] (a sketch into a finished picture, by
//! Gemini or the offline enhancer) and [`video`] (a storyboard into an MP4
//! or GIF, with Gemini's story and narration when there is a key) and
//! [`timelapse`] (a room's history replayed into an MP4).
//!
//! The providers they call (Gemini, the offline enhancer) live in
//! [`crate::ai`], the renderer in [`crate::media::video`]; a kind decides
//! what to ask of them, reports progress and keeps the result.

pub mod enhance;
pub mod timelapse;
pub mod video;

use super::JobFailure;

/// Runs blocking work (decoding, encoding, the disk) off the async threads.
/// A panic in it fails the job as `internal`, naming `what` stopped.
async fn blocking<T: Send + 'static>(
    what: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, JobFailure> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| JobFailure::new("internal", format!("{what} stopped unexpectedly")))
}
