//! Background jobs (enhancing a picture, rendering a video), kept in the store.
//!
//! A job is submitted to a lane (one per kind, with its own workers and a
//! bounded queue), runs off the request that started it, reports progress,
//! and ends complete, failed (with a reason a person understands) or
//! cancelled. Every change of state is on disk (the jobs table) before it is
//! pushed to the job's room as a `JOB_UPDATED` frame; progress in between is pushed
//! at most every [`PROGRESS_EVENT_INTERVAL`] and kept in memory only. A job
//! that was queued or running when the host stopped is failed as
//! "interrupted" at the next start, so no job is ever left "running" forever.

pub mod kinds;
mod record;
mod runner;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub use record::{valid_id, JobFailure, JobRecord, JobStatus};

use crate::protocol::now_ms;
use crate::store::{Store, StoreError, Table, TableName};

/// Jobs waiting in one lane beyond those running; one more is refused with
/// `queue_full` (HTTP 429).
pub const MAX_QUEUED_JOBS: usize = 8;
/// Finished jobs kept; older ones are forgotten at start-up.
pub const MAX_KEPT_JOBS: usize = 1_000;
/// Least time between two progress frames of one job.
pub const PROGRESS_EVENT_INTERVAL: Duration = Duration::from_millis(100);
/// Most jobs `list` returns.
pub const MAX_LISTED_JOBS: usize = 100;

/// The work of one job. It reports through its [`JobCtx`] and returns the
/// result to store, or why it failed.
pub type Work = Box<dyn FnOnce(JobCtx) -> BoxFuture<'static, Result<Value, JobFailure>> + Send>;

/// Where job updates go: `(room, record)`. The host sends them to the room.
pub type EventSink = Arc<dyn Fn(&str, &JobRecord) + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum JobsError {
    #[error("{MAX_QUEUED_JOBS} jobs are already waiting; try again when one has finished")]
    QueueFull,
    #[error("there is no such job")]
    NotFound,
    #[error("the job has already finished")]
    Finished,
    #[error("the host is shutting down")]
    ShuttingDown,
    #[error("the job could not be stored: {0}")]
    Storage(#[from] StoreError),
}

impl JobsError {
    pub fn code(&self) -> &'static str {
        match self {
            JobsError::QueueFull => "queue_full",
            JobsError::NotFound => "not_found",
            JobsError::Finished => "finished",
            JobsError::ShuttingDown => "shutting_down",
            JobsError::Storage(e) if e.is_disk_full() => "disk_full",
            JobsError::Storage(_) => "storage_failed",
        }
    }
}

/// The job table. Cheap to clone.
#[derive(Clone)]
pub struct Jobs {
    inner: Arc<Inner>,
}

struct Inner {
    table: Table<JobRecord>,
    /// Jobs not yet final, with what only a live job has.
    live: Mutex<HashMap<String, Live>>,
    lanes: Mutex<HashMap<&'static str, mpsc::Sender<Queued>>>,
    sink: EventSink,
    stop: CancellationToken,
    workers: TaskTracker,
}

struct Live {
    record: JobRecord,
    cancel: CancellationToken,
    last_event: Instant,
    /// The work is storing its result ([`JobCtx::begin_commit`]): a cancel
    /// is too late now, and the job ends complete.
    committing: bool,
    /// Its end is being written: a second end is ignored.
    ending: bool,
    /// A progress update was held back by [`PROGRESS_EVENT_INTERVAL`] and
    /// is due to be sent when the interval is over.
    trailing: bool,
}

struct Queued {
    id: String,
    work: Work,
}

impl Jobs {
    /// Opens the jobs table: jobs left queued or running by a previous run
    /// are failed as interrupted, and only the newest [`MAX_KEPT_JOBS`] kept.
    pub fn open(store: &Store, sink: EventSink) -> Result<Jobs, StoreError> {
        let table = store.table::<JobRecord>(TableName::Jobs)?;
        let mut records: Vec<JobRecord> = Vec::new();
        let mut changes = table.batch();
        for entry in table.scan("")? {
            match entry.value {
                Some(record) => records.push(record),
                None => changes.remove(&entry.key),
            }
        }
        for record in records.iter_mut().filter(|r| !r.status.is_final()) {
            record.status = JobStatus::Failed;
            record.error = Some(JobFailure::new(
                "interrupted",
                "interrupted by restart: the host stopped before this job finished; start it again",
            ));
            record.message = "interrupted by restart".to_string();
            record.updated_at = now_ms();
            changes.put(&record.id, record);
        }
        records.sort_by_key(|r| std::cmp::Reverse(r.created_at));
        for old in records.iter().skip(MAX_KEPT_JOBS) {
            changes.remove(&old.id);
        }
        if !changes.is_empty() {
            table.write(changes)?;
        }
        Ok(Jobs {
            inner: Arc::new(Inner {
                table,
                live: Mutex::new(HashMap::new()),
                lanes: Mutex::new(HashMap::new()),
                sink,
                stop: CancellationToken::new(),
                workers: TaskTracker::new(),
            }),
        })
    }

    /// Starts a lane for jobs of `kind` with `workers` running at once.
    pub fn add_lane(&self, kind: &'static str, workers: usize) {
        let (tx, rx) = mpsc::channel::<Queued>(MAX_QUEUED_JOBS);
        let rx = Arc::new(tokio::sync::Mutex::new(rx));
        for _ in 0..workers.max(1) {
            let jobs = self.clone();
            let rx = rx.clone();
            self.inner
                .workers
                .spawn(async move { runner::work_lane(jobs, rx).await });
        }
        self.lanes().insert(kind, tx);
    }

    /// Queues a job. Fails at once, storing nothing, when the lane is full.
    /// Returns once the job is on disk: an id handed out survives a crash.
    pub async fn submit(
        &self,
        kind: &'static str,
        room: &str,
        input: Value,
        work: Work,
    ) -> Result<JobRecord, JobsError> {
        if self.inner.stop.is_cancelled() {
            return Err(JobsError::ShuttingDown);
        }
        // No lane: shutdown cleared them after the check above (or the kind
        // was never started, which the host never does).
        let sender = self
            .lanes()
            .get(kind)
            .cloned()
            .ok_or(JobsError::ShuttingDown)?;
        let permit = sender.try_reserve_owned().map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => JobsError::QueueFull,
            mpsc::error::TrySendError::Closed(_) => JobsError::ShuttingDown,
        })?;
        let id: String = rand::random::<[u8; 16]>()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let now = now_ms();
        let record = JobRecord {
            id: id.clone(),
            kind: kind.to_string(),
            room: room.to_string(),
            status: JobStatus::Queued,
            progress: 0.0,
            message: "waiting for its turn".to_string(),
            created_at: now,
            updated_at: now,
            input,
            result: None,
            error: None,
        };
        self.inner.table.put_async(&id, &record).await?;
        {
            // Checked under the lock that shutdown takes after it stops the
            // lanes: a job is either refused here or seen (and recorded as
            // interrupted) by shutdown, never left queued on disk.
            let mut live = self.live();
            if self.inner.stop.is_cancelled() {
                drop(live);
                let mut gone = record;
                gone.status = JobStatus::Failed;
                gone.error = Some(runner::interrupted());
                gone.message = "interrupted: the host is shutting down".to_string();
                if let Err(e) = self.inner.table.put_async(&gone.id, &gone).await {
                    tracing::error!("could not store job {}: {e}", gone.id);
                }
                return Err(JobsError::ShuttingDown);
            }
            live.insert(
                id.clone(),
                Live {
                    record: record.clone(),
                    cancel: self.inner.stop.child_token(),
                    last_event: Instant::now(),
                    committing: false,
                    ending: false,
                    trailing: false,
                },
            );
        }
        permit.send(Queued { id, work });
        (self.inner.sink)(room, &record);
        Ok(record)
    }

    /// The job `id`, live or stored.
    pub fn get(&self, id: &str) -> Option<JobRecord> {
        if !valid_id(id) {
            return None;
        }
        if let Some(live) = self.live().get(id) {
            return Some(live.record.clone());
        }
        self.inner.table.get(id).ok()?
    }

    /// The newest jobs, of one room or of all, newest first; `kind` is one
    /// kind or several joined by commas (`video,timelapse`: a room's videos).
    pub fn list(&self, room: Option<&str>, kind: Option<&str>) -> Vec<JobRecord> {
        let stored = self.inner.table.scan("").unwrap_or_else(|e| {
            tracing::error!("could not read the jobs: {e}");
            Vec::new()
        });
        let mut records: Vec<JobRecord> = stored
            .into_iter()
            .filter_map(|entry| entry.value)
            .filter(|r| room.is_none_or(|room| r.room == room))
            .filter(|r| kind.is_none_or(|kind| kind.split(',').any(|k| r.kind == k)))
            .map(|r| self.get(&r.id).unwrap_or(r))
            .collect();
        records.sort_by_key(|r| std::cmp::Reverse((r.created_at, r.id.clone())));
        records.truncate(MAX_LISTED_JOBS);
        records
    }

    /// Cancels a queued or running job. A running job stops at its next
    /// check; the record says `cancelled` once it has.
    pub async fn cancel(&self, id: &str) -> Result<JobRecord, JobsError> {
        let cancelled = {
            // Under the lock that `begin_commit` takes: a job is either
            // cancelled before it stores its result, or not at all.
            let live = self.live();
            match live.get(id) {
                Some(job) if job.committing => Some(false),
                Some(job) => {
                    job.cancel.cancel();
                    Some(true)
                }
                None => None,
            }
        };
        if cancelled != Some(true) {
            return Err(match self.get(id) {
                Some(_) => JobsError::Finished,
                None => JobsError::NotFound,
            });
        }
        // A job still waiting ends now; a running one when its work notices.
        let waiting = self
            .live()
            .get(id)
            .is_some_and(|live| live.record.status == JobStatus::Queued);
        if waiting {
            if let Some(record) = self.finish(id, runner::Final::Cancelled).await {
                return Ok(record);
            }
        }
        self.get(id).ok_or(JobsError::NotFound)
    }

    /// Stops the lanes: running jobs are cancelled and recorded as
    /// interrupted; returns when every worker has finished.
    pub async fn shutdown(&self) {
        self.inner.stop.cancel();
        self.lanes().clear();
        self.inner.workers.close();
        self.inner.workers.wait().await;
        let waiting: Vec<String> = self.live().keys().cloned().collect();
        for id in waiting {
            self.finish(&id, runner::Final::Failed(runner::interrupted()))
                .await;
        }
    }

    /// Whether the work of job `id` has begun to store its result.
    fn is_committing(&self, id: &str) -> bool {
        self.live().get(id).is_some_and(|job| job.committing)
    }

    fn lanes(&self) -> std::sync::MutexGuard<'_, HashMap<&'static str, mpsc::Sender<Queued>>> {
        self.inner.lanes.lock().expect("lanes lock")
    }

    fn live(&self) -> std::sync::MutexGuard<'_, HashMap<String, Live>> {
        self.inner.live.lock().expect("jobs lock")
    }

    /// Stores a record, on disk when this returns; a failure is logged (and
    /// reported to the host's storage health by the store).
    async fn persist(&self, record: &JobRecord) {
        if let Err(e) = self.inner.table.put_async(&record.id, record).await {
            tracing::error!("could not store job {}: {e}", record.id);
        }
    }
}

/// What a running job holds: its progress reporter and its cancel signal.
/// Cheap to clone; usable from a blocking thread.
#[derive(Clone)]
pub struct JobCtx {
    jobs: Jobs,
    id: Arc<str>,
    cancel: CancellationToken,
}

impl JobCtx {
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Reports progress (0.0 to 1.0) and what is being done. Sent to the
    /// room at most every [`PROGRESS_EVENT_INTERVAL`]; an update held back
    /// by that is sent when the interval is over, so the room always hears
    /// the latest message (a retry's wait, said right after "asking Gemini").
    pub fn progress(&self, fraction: f32, message: &str) {
        let update = {
            let mut live = self.jobs.live();
            let Some(job) = live.get_mut(&*self.id) else {
                return;
            };
            job.record.progress = fraction.clamp(0.0, 1.0).max(job.record.progress);
            job.record.message = message.to_string();
            job.record.updated_at = now_ms();
            let since = job.last_event.elapsed();
            if since < PROGRESS_EVENT_INTERVAL {
                if !job.trailing {
                    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                        job.trailing = true;
                        let ctx = self.clone();
                        let wait = PROGRESS_EVENT_INTERVAL - since;
                        runtime.spawn(async move {
                            tokio::time::sleep(wait).await;
                            ctx.send_held_back();
                        });
                    }
                }
                return;
            }
            job.last_event = Instant::now();
            job.record.clone()
        };
        (self.jobs.inner.sink)(&update.room, &update);
    }

    /// Sends the update [`JobCtx::progress`] held back. Under the jobs lock,
    /// so that it can never arrive after the job's end (which leaves the
    /// live jobs under that lock before it is sent).
    fn send_held_back(&self) {
        let mut live = self.jobs.live();
        let Some(job) = live.get_mut(&*self.id) else {
            return;
        };
        job.trailing = false;
        if job.ending {
            return;
        }
        job.last_event = Instant::now();
        (self.jobs.inner.sink)(&job.record.room, &job.record);
    }

    /// Cancelled by a person or by the host stopping.
    pub fn cancelled(&self) -> &CancellationToken {
        &self.cancel
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// Claims the job's end before the work stores its result (lists a
    /// video): from here a person's cancel is answered "finished" and the
    /// runner lets the work finish even when the host stops. False when
    /// the job was cancelled first: the work must then store nothing and
    /// return.
    pub fn begin_commit(&self) -> bool {
        let mut live = self.jobs.live();
        match live.get_mut(&*self.id) {
            Some(job) if !job.cancel.is_cancelled() => {
                job.committing = true;
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests;
