//! The job table on the store's in-memory twin: life cycle, queue bound,
//! cancel, restart, and a write that fails.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

use super::*;

type Seen = Arc<Mutex<Vec<(String, JobRecord)>>>;

fn open(store: &Store) -> (Jobs, Seen) {
    let seen: Seen = Arc::default();
    let sink_seen = seen.clone();
    let sink: EventSink = Arc::new(move |room: &str, r: &JobRecord| {
        sink_seen
            .lock()
            .unwrap()
            .push((room.to_string(), r.clone()));
    });
    let jobs = Jobs::open(store, sink).unwrap();
    (jobs, seen)
}

fn instant(value: serde_json::Value) -> Work {
    Box::new(move |ctx: JobCtx| {
        Box::pin(async move {
            ctx.progress(0.5, "half way");
            Ok(value)
        })
    })
}

/// Work that runs until cancelled.
fn forever() -> Work {
    Box::new(|ctx: JobCtx| {
        Box::pin(async move {
            ctx.cancelled().cancelled().await;
            Err(JobFailure::new("cancelled", "stopped"))
        })
    })
}

/// Waits until a worker has started the job.
async fn wait_running(jobs: &Jobs, id: &str) {
    for _ in 0..200 {
        if jobs.get(id).unwrap().status == JobStatus::Running {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("job {id} never started");
}

async fn wait_final(jobs: &Jobs, id: &str) -> JobRecord {
    for _ in 0..500 {
        let r = jobs.get(id).unwrap();
        if r.status.is_final() {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("job {id} did not finish");
}

#[tokio::test]
async fn a_job_runs_to_complete_and_its_room_hears_every_state() {
    let store = Store::in_memory();
    let (jobs, seen) = open(&store);
    jobs.add_lane("enhance", 1);
    let queued = jobs
        .submit(
            "enhance",
            "main",
            json!({"p": 1}),
            instant(json!({"ok": true})),
        )
        .await
        .unwrap();
    assert_eq!(queued.status, JobStatus::Queued);
    assert!(valid_id(&queued.id));
    let done = wait_final(&jobs, &queued.id).await;
    assert_eq!(done.status, JobStatus::Complete);
    assert_eq!(done.result, Some(json!({"ok": true})));
    assert_eq!(done.progress, 1.0);
    let states: Vec<JobStatus> = seen.lock().unwrap().iter().map(|(_, r)| r.status).collect();
    assert_eq!(states.first(), Some(&JobStatus::Queued));
    assert!(states.contains(&JobStatus::Running));
    assert_eq!(states.last(), Some(&JobStatus::Complete));
    assert!(seen.lock().unwrap().iter().all(|(room, _)| room == "main"));
    assert_eq!(jobs.list(Some("main"), None)[0].id, queued.id);
    assert!(jobs.list(Some("other"), None).is_empty());
    assert_eq!(jobs.list(None, Some("enhance"))[0].id, queued.id);
    assert!(jobs.list(Some("main"), Some("video")).is_empty());
}

#[tokio::test]
async fn a_failure_keeps_its_code_and_message() {
    let store = Store::in_memory();
    let (jobs, _) = open(&store);
    jobs.add_lane("enhance", 1);
    let work: Work = Box::new(|_ctx| {
        Box::pin(async { Err(JobFailure::new("daily_quota", "daily quota used up")) })
    });
    let id = jobs
        .submit("enhance", "main", json!({}), work)
        .await
        .unwrap()
        .id;
    let failed = wait_final(&jobs, &id).await;
    assert_eq!(failed.status, JobStatus::Failed);
    assert_eq!(failed.error.unwrap().code, "daily_quota");
    assert_eq!(failed.message, "daily quota used up");
}

#[tokio::test]
async fn the_queue_holds_its_limit_and_refuses_one_more() {
    let store = Store::in_memory();
    let (jobs, _) = open(&store);
    jobs.add_lane("enhance", 1);
    let running = jobs
        .submit("enhance", "main", json!({}), forever())
        .await
        .unwrap();
    // Wait until the worker took it, so the queue is empty again.
    wait_running(&jobs, &running.id).await;
    let mut waiting = Vec::new();
    for _ in 0..MAX_QUEUED_JOBS {
        let job = jobs.submit("enhance", "main", json!({}), forever()).await;
        waiting.push(job.unwrap().id);
    }
    let before = jobs.list(None, None).len();
    let err = jobs
        .submit("enhance", "main", json!({}), forever())
        .await
        .unwrap_err();
    assert!(matches!(err, JobsError::QueueFull), "{err}");
    assert_eq!(err.code(), "queue_full");
    assert_eq!(
        jobs.list(None, None).len(),
        before,
        "a refused job is not stored"
    );
    // Cancelling a waiting job ends it at once and frees its place.
    let cancelled = jobs.cancel(&waiting[0]).await.unwrap();
    assert_eq!(cancelled.status, JobStatus::Cancelled);
    assert!(matches!(
        jobs.cancel(&waiting[0]).await,
        Err(JobsError::Finished)
    ));
    // The running one stops when cancelled.
    jobs.cancel(&running.id).await.unwrap();
    assert_eq!(
        wait_final(&jobs, &running.id).await.status,
        JobStatus::Cancelled
    );
    assert!(matches!(
        jobs.cancel(&"0".repeat(32)).await,
        Err(JobsError::NotFound)
    ));
    jobs.shutdown().await;
}

#[tokio::test]
async fn a_restart_fails_interrupted_jobs_and_keeps_finished_ones() {
    let store = Store::in_memory();
    let (done_id, running_id) = {
        let (jobs, _) = open(&store);
        jobs.add_lane("enhance", 1);
        let done = jobs
            .submit(
                "enhance",
                "main",
                json!({}),
                instant(json!({"file": "a.png"})),
            )
            .await
            .unwrap();
        wait_final(&jobs, &done.id).await;
        let running = jobs
            .submit("enhance", "main", json!({}), forever())
            .await
            .unwrap();
        wait_running(&jobs, &running.id).await;
        // A crash: the record says "running" on disk, and nobody finishes it.
        std::mem::forget(jobs);
        (done.id, running.id)
    };
    let (jobs, _) = open(&store);
    let done = jobs.get(&done_id).unwrap();
    assert_eq!(done.status, JobStatus::Complete);
    assert_eq!(done.result, Some(json!({"file": "a.png"})));
    let interrupted = jobs.get(&running_id).unwrap();
    assert_eq!(interrupted.status, JobStatus::Failed);
    assert_eq!(interrupted.error.unwrap().code, "interrupted");
    assert!(interrupted.message.contains("interrupted by restart"));
}

#[tokio::test]
async fn shutdown_records_running_and_waiting_jobs_as_interrupted() {
    let store = Store::in_memory();
    let (jobs, _) = open(&store);
    jobs.add_lane("enhance", 1);
    let a = jobs
        .submit("enhance", "main", json!({}), forever())
        .await
        .unwrap();
    let b = jobs
        .submit("enhance", "main", json!({}), forever())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    jobs.shutdown().await;
    for id in [a.id, b.id] {
        let r = jobs.get(&id).unwrap();
        assert_eq!(r.status, JobStatus::Failed, "{r:?}");
        assert_eq!(r.error.unwrap().code, "interrupted");
    }
    assert!(matches!(
        jobs.submit("enhance", "main", json!({}), forever()).await,
        Err(JobsError::ShuttingDown)
    ));
}

/// Jobs submitted while the host stops, on threads of their own: each is
/// refused with `shutting_down` or ends recorded (never a panic, never a
/// record left queued on disk, also when the table is opened again).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_submitted_while_the_host_stops_is_refused_or_recorded() {
    for round in 0..40 {
        let store = Store::in_memory();
        let (jobs, _) = open(&store);
        jobs.add_lane("enhance", 1);
        let submits: Vec<_> = (0..6)
            .map(|_| {
                let jobs = jobs.clone();
                tokio::spawn(
                    async move { jobs.submit("enhance", "main", json!({}), forever()).await },
                )
            })
            .collect();
        // Shutdown lands anywhere among the submits, round by round.
        tokio::time::sleep(Duration::from_micros(50 * round)).await;
        jobs.shutdown().await;
        for submit in submits {
            match submit.await.expect("a submit never panics") {
                Ok(record) => {
                    let r = jobs.get(&record.id).unwrap();
                    assert!(r.status.is_final(), "round {round}: {r:?}");
                }
                Err(e) => assert!(matches!(e, JobsError::ShuttingDown), "{e}"),
            }
        }
        let table = store.table::<JobRecord>(TableName::Jobs).unwrap();
        for r in table
            .scan("")
            .unwrap()
            .into_iter()
            .map(|e| e.value.unwrap())
        {
            assert!(r.status.is_final(), "round {round}: left on disk as {r:?}");
        }
    }
}

/// Work that claims its end, says so, then takes a while to store its
/// result (as a video is listed); `stored` tells whether it did.
fn committing(claimed: Arc<tokio::sync::Notify>, stored: Arc<Mutex<bool>>) -> Work {
    Box::new(move |ctx: JobCtx| {
        Box::pin(async move {
            if !ctx.begin_commit() {
                return Err(JobFailure::new("cancelled", "cancelled"));
            }
            claimed.notify_one();
            tokio::time::sleep(Duration::from_millis(100)).await;
            *stored.lock().unwrap() = true;
            Ok(json!({"stored": true}))
        })
    })
}

/// A cancel, or the host stopping, once the work stores its result: the
/// result is stored and the job ends complete (a listed video always has a
/// complete record), and the late cancel is told so.
#[tokio::test]
async fn a_cancel_after_the_result_is_being_stored_is_too_late() {
    for stop_host in [false, true] {
        let store = Store::in_memory();
        let (jobs, _) = open(&store);
        jobs.add_lane("video", 1);
        let claimed = Arc::new(tokio::sync::Notify::new());
        let stored = Arc::new(Mutex::new(false));
        let job = jobs
            .submit(
                "video",
                "main",
                json!({}),
                committing(claimed.clone(), stored.clone()),
            )
            .await
            .unwrap();
        claimed.notified().await;
        if stop_host {
            jobs.shutdown().await;
        } else {
            assert!(matches!(
                jobs.cancel(&job.id).await,
                Err(JobsError::Finished)
            ));
        }
        let r = wait_final(&jobs, &job.id).await;
        assert_eq!(
            r.status,
            JobStatus::Complete,
            "stop_host {stop_host}: {r:?}"
        );
        assert!(*stored.lock().unwrap(), "the result was stored whole");
        assert_eq!(r.result.unwrap()["stored"], true);
    }
}

/// A finished record of `kind`, `n` ms after the epoch, written as the table stores it.
fn finished_record(table: &Table<JobRecord>, n: u64, kind: &str) -> String {
    let id = format!("{n:032x}");
    let record = JobRecord {
        id: id.clone(),
        kind: kind.to_string(),
        room: "main".to_string(),
        status: JobStatus::Complete,
        progress: 1.0,
        message: String::new(),
        created_at: n,
        updated_at: n,
        input: json!({}),
        result: Some(json!({})),
        error: None,
    };
    table.put(&id, &record).unwrap();
    id
}

#[tokio::test]
async fn the_list_and_the_table_keep_their_limits() {
    // The table as a previous run left it: one more video than is kept,
    // then one enhancement, the newest.
    let store = Store::in_memory();
    let table = store.table(TableName::Jobs).unwrap();
    for n in 1..=MAX_KEPT_JOBS as u64 {
        finished_record(&table, n, "video");
    }
    finished_record(&table, MAX_KEPT_JOBS as u64 + 1, "enhance");
    let jobs = Jobs::open(&store, Arc::new(|_: &str, _: &JobRecord| {})).unwrap();
    // Opening keeps the newest MAX_KEPT_JOBS: the oldest video is gone.
    assert_eq!(table.keys("").unwrap().len(), MAX_KEPT_JOBS);
    assert!(jobs.get(&format!("{:032x}", 1)).is_none());
    assert!(jobs.get(&format!("{:032x}", 2)).is_some());
    // A list is the newest MAX_LISTED_JOBS, of the kind asked for.
    let all = jobs.list(Some("main"), None);
    assert_eq!(all.len(), MAX_LISTED_JOBS);
    assert_eq!(all[0].kind, "enhance");
    let videos = jobs.list(Some("main"), Some("video"));
    assert_eq!(videos.len(), MAX_LISTED_JOBS);
    assert_eq!(videos[0].id, format!("{:032x}", MAX_KEPT_JOBS));
    assert!(videos.iter().all(|r| r.kind == "video"));
    assert_eq!(jobs.list(Some("main"), Some("enhance")).len(), 1);
}

/// A job is "stored" on the same terms as a stroke: a submit whose write
/// fails is refused with the reason (nothing queued, nothing announced), the
/// host's storage health says it cannot save, and the next write that works
/// clears it.
#[tokio::test]
async fn a_job_that_cannot_be_stored_is_refused_and_reported() {
    let switch = crate::store::FaultSwitch::default();
    let store = Store::in_memory_with(&switch);
    let (jobs, seen) = open(&store);
    jobs.add_lane("enhance", 1);
    switch.set_failing(true);
    let refused = jobs
        .submit("enhance", "main", json!({}), instant(json!({})))
        .await;
    let Err(JobsError::Storage(e)) = refused else {
        panic!("a job was queued without being stored: {refused:?}");
    };
    assert!(e.is_disk_full(), "{e}");
    assert!(seen.lock().unwrap().is_empty(), "nothing announced");
    assert!(jobs.list(None, None).is_empty());
    let fault = store
        .health()
        .fault()
        .expect("the host knows it cannot save");
    assert!(fault.disk_full);

    switch.set_failing(false);
    let job = jobs
        .submit("enhance", "main", json!({}), instant(json!({"ok": true})))
        .await
        .unwrap();
    assert!(
        store.health().is_ok(),
        "a write that works clears the fault"
    );
    wait_final(&jobs, &job.id).await;
    jobs.shutdown().await;
    // The end of the job was stored: a restart reads it complete.
    let (again, _) = open(&store);
    assert_eq!(again.get(&job.id).unwrap().status, JobStatus::Complete);
}

/// Two updates in quick succession: the second is held back by the
/// interval, then sent, so the room hears the latest message.
#[tokio::test]
async fn an_update_right_after_another_still_reaches_the_room() {
    let store = Store::in_memory();
    let (jobs, seen) = open(&store);
    jobs.add_lane("enhance", 1);
    let work: Work = Box::new(|ctx: JobCtx| {
        Box::pin(async move {
            ctx.progress(0.1, "asking Gemini (model)");
            ctx.progress(0.1, "Gemini is busy (HTTP 503); trying again in 2 s");
            ctx.cancelled().cancelled().await;
            Err(JobFailure::new("cancelled", "cancelled"))
        })
    });
    let job = jobs
        .submit("enhance", "main", json!({}), work)
        .await
        .unwrap();
    let latest = "Gemini is busy (HTTP 503); trying again in 2 s";
    let heard = async {
        loop {
            let last = seen.lock().unwrap().last().map(|(_, r)| r.message.clone());
            if last.as_deref() == Some(latest) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(5), heard)
        .await
        .expect("the latest message was sent to the room");
    jobs.cancel(&job.id).await.unwrap();
    jobs.shutdown().await;
}
