//! The workers of a lane: take the next job, run it, record how it ended.

use std::sync::Arc;

use serde_json::Value;
use tokio::sync::{mpsc, Mutex};

use super::{JobCtx, JobFailure, JobRecord, JobStatus, Jobs, Queued};
use crate::protocol::now_ms;

/// How a job ended.
pub(super) enum Final {
    Complete(Value),
    Failed(JobFailure),
    Cancelled,
}

/// One worker: runs jobs from the lane until the host stops.
pub(super) async fn work_lane(jobs: Jobs, rx: Arc<Mutex<mpsc::Receiver<Queued>>>) {
    loop {
        let next = {
            let mut rx = rx.lock().await;
            tokio::select! {
                _ = jobs.inner.stop.cancelled() => None,
                queued = rx.recv() => queued,
            }
        };
        let Some(Queued { id, work }) = next else {
            return;
        };
        let Some((cancel, started)) = start(&jobs, &id) else {
            continue; // cancelled while it waited
        };
        jobs.persist(&started).await;
        (jobs.inner.sink)(&started.room, &started);
        let ctx = JobCtx {
            jobs: jobs.clone(),
            id: id.as_str().into(),
            cancel: cancel.clone(),
        };
        let running = work(ctx);
        tokio::pin!(running);
        let outcome = tokio::select! {
            outcome = &mut running => outcome,
            // A work storing its result is never cut off half way (only the
            // host stopping can get here then): a listed video always has
            // a complete record, and a record a video.
            _ = cancel.cancelled() => if jobs.is_committing(&id) {
                running.await
            } else {
                Err(JobFailure::new("cancelled", "cancelled"))
            },
        };
        let end = match outcome {
            Ok(result) if jobs.is_committing(&id) => Final::Complete(result),
            _ if jobs.inner.stop.is_cancelled() => Final::Failed(interrupted()),
            _ if cancel.is_cancelled() => Final::Cancelled,
            Ok(result) => Final::Complete(result),
            Err(failure) => Final::Failed(failure),
        };
        jobs.finish(&id, end).await;
    }
}

/// Marks a queued job running; None when it is no longer waiting.
fn start(jobs: &Jobs, id: &str) -> Option<(tokio_util::sync::CancellationToken, JobRecord)> {
    let mut live = jobs.live();
    let job = live.get_mut(id)?;
    if job.record.status != JobStatus::Queued || job.cancel.is_cancelled() {
        return None;
    }
    job.record.status = JobStatus::Running;
    job.record.message = "started".to_string();
    job.record.updated_at = now_ms();
    job.last_event = std::time::Instant::now();
    Some((job.cancel.clone(), job.record.clone()))
}

/// The failure recorded for a job the host stopped under.
pub(super) fn interrupted() -> JobFailure {
    JobFailure::new(
        "interrupted",
        "interrupted: the host stopped before this job finished; start it again",
    )
}

impl Jobs {
    /// Records the end of a live job: on disk first, then it leaves the
    /// live jobs and its room is told. Until then it reads as it was.
    pub(super) async fn finish(&self, id: &str, end: Final) -> Option<JobRecord> {
        let mut record = {
            let mut live = self.live();
            let job = live.get_mut(id)?;
            if job.ending {
                return None;
            }
            job.ending = true;
            job.record.clone()
        };
        match end {
            Final::Complete(result) => {
                record.status = JobStatus::Complete;
                record.progress = 1.0;
                record.message = "done".to_string();
                record.result = Some(result);
            }
            Final::Failed(failure) => {
                record.status = JobStatus::Failed;
                record.message = failure.message.clone();
                record.error = Some(failure);
            }
            Final::Cancelled => {
                record.status = JobStatus::Cancelled;
                record.message = "cancelled".to_string();
                record.error = Some(JobFailure::new("cancelled", "the job was cancelled"));
            }
        }
        record.updated_at = now_ms();
        self.persist(&record).await;
        self.live().remove(id);
        (self.inner.sink)(&record.room, &record);
        Some(record)
    }
}
