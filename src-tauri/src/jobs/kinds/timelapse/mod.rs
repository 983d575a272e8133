//! The `timelapse` job: a room's history (or a range of it) replayed into
//! an MP4 by the video renderer. Strokes appear in the order and colours
//! they were drawn, at a chosen length or speed, over a band naming the
//! people who drew (in their seat colours) and the time of day shown.
//!
//! [`script`] reads the range from the store once, [`canvas`] keeps the
//! picture as changes are applied in order (never the whole board per
//! frame), and [`crate::media::video::render_mp4_frames`] encodes each frame
//! while the next is drawn. The file goes into the same video store as
//! storyboard videos, listed only once it is whole, so a cancelled or failed
//! timelapse leaves nothing listed and no file behind.

pub mod canvas;
pub mod clip;
pub mod script;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde_json::{json, Value};

use self::canvas::{Canvas, Fit};
use self::script::Script;
use super::blocking;
use crate::jobs::{JobCtx, JobFailure, Work};
use crate::media::video::{self as render, FrameSource, Legend, RenderProgress, VideoError};
use crate::media::video_store::{VideoEntry, VideoFormat, VideoStore};
use crate::protocol::now_ms;
use crate::store::Store;

/// The job kind (and lane) of timelapses.
pub const KIND: &str = "timelapse";
/// Shortest timelapse, in seconds.
pub const MIN_TIMELAPSE_SECONDS: u32 = 2;
/// Longest timelapse, in seconds.
pub const MAX_TIMELAPSE_SECONDS: u32 = 300;
/// Length when neither `seconds` nor `speed` is given.
pub const DEFAULT_TIMELAPSE_SECONDS: u32 = 30;
/// Fastest `speed` (times real time).
pub const MAX_TIMELAPSE_SPEED: f64 = 1_000_000.0;
/// Most changes one timelapse replays: each is held, parsed, in memory.
pub const MAX_TIMELAPSE_CHANGES: u64 = 200_000;
/// Share of the progress bar spent reading the history.
const READ_SHARE: f32 = 0.05;

/// How the video's frames spread over the range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pace {
    /// `frames` frames, revisions spread evenly over them.
    Frames(u64),
    /// Times real time: frame `i` shows what was drawn by
    /// `start + (i + 1) / fps × speed` seconds.
    Speed {
        speed: f64,
        start_t: u64,
        frames: u64,
    },
}

impl Pace {
    pub fn frames(&self) -> u64 {
        match *self {
            Pace::Frames(n) | Pace::Speed { frames: n, .. } => n,
        }
    }
}

/// One timelapse, checked by the API.
#[derive(Debug, Clone)]
pub struct TimelapseRequest {
    pub room: String,
    pub from_rev: u64,
    pub to_rev: u64,
    pub pace: Pace,
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    /// Minutes east of UTC for the clock in the band; `None` shows UTC.
    pub utc_offset_min: Option<i32>,
}

/// Makes timelapse work for the job lane. Cheap to clone.
#[derive(Clone)]
pub struct TimelapseMaker {
    store: Store,
    videos: VideoStore,
}

impl TimelapseMaker {
    pub fn new(store: Store, videos: VideoStore) -> TimelapseMaker {
        TimelapseMaker { store, videos }
    }

    /// What the job record shows as its input.
    pub fn input(&self, r: &TimelapseRequest) -> Value {
        json!({
            "room": r.room,
            "fromRev": r.from_rev,
            "toRev": r.to_rev,
            "frames": r.pace.frames(),
            "speed": match r.pace { Pace::Speed { speed, .. } => Some(speed), Pace::Frames(_) => None },
            "width": r.width,
            "height": r.height,
            "fps": r.fps,
        })
    }

    /// The work of one timelapse job.
    pub fn work(&self, request: TimelapseRequest) -> Work {
        let me = self.clone();
        Box::new(move |ctx: JobCtx| Box::pin(async move { me.run(request, ctx).await }))
    }

    async fn run(self, request: TimelapseRequest, ctx: JobCtx) -> Result<Value, JobFailure> {
        let cancelled = || JobFailure::new("cancelled", "cancelled");
        ctx.progress(0.0, "reading the history");
        let (store, job, r) = (self.store.clone(), ctx.clone(), request.clone());
        let script = blocking("the timelapse", move || {
            read_script(&store, &r.room, (r.from_rev, r.to_rev), &|| {
                job.is_cancelled()
            })
        })
        .await??
        .ok_or_else(cancelled)?;
        let changes = script.changes.len();
        let people: Vec<String> = script.people.iter().map(|p| p.name.clone()).collect();
        let (name, path) = self.videos.reserve(VideoFormat::Mp4);
        let stop = Arc::new(AtomicBool::new(false));
        let _guard = StopOnDrop(stop.clone());
        let (job, rendered, r) = (ctx.clone(), path.clone(), request.clone());
        let info = blocking("the timelapse", move || {
            let mut frames = Frames::new(Arc::new(script), &r);
            let progress = |p: RenderProgress| {
                if job.is_cancelled() {
                    stop.store(true, Ordering::Relaxed);
                }
                let done = p.frames_done as f32 / p.frames_total.max(1) as f32;
                job.progress(
                    READ_SHARE + (1.0 - READ_SHARE) * done * 0.99,
                    &format!("frame {} of {}", p.frames_done, p.frames_total),
                );
            };
            render::render_mp4_frames(
                (r.width, r.height, r.fps),
                r.pace.frames(),
                &mut frames,
                &path,
                &progress,
                &stop,
            )
        })
        .await?
        .map_err(|e| match e {
            VideoError::Cancelled => cancelled(),
            e => JobFailure::new(e.code(), e.to_string()),
        })?;
        let title = format!("Timelapse {}", request.room);
        let videos = self.videos.clone();
        let download = blocking("the timelapse", move || {
            videos.download_name(&title, VideoFormat::Mp4)
        })
        .await?
        .unwrap_or_else(|_| "Timelapse.mp4".to_string());
        let entry = VideoEntry {
            format: VideoFormat::Mp4,
            bytes: info.bytes,
            created_at: now_ms(),
            job: ctx.id().to_string(),
            download: download.clone(),
        };
        if !ctx.begin_commit() {
            let _ = std::fs::remove_file(&rendered);
            return Err(cancelled());
        }
        let (videos, listed) = (self.videos.clone(), name.clone());
        blocking("the timelapse", move || videos.commit(&listed, &entry))
            .await?
            .map_err(|e| {
                let _ = std::fs::remove_file(&rendered);
                if e.is_disk_full() {
                    JobFailure::new("disk_full", "the host's disk is full, so the timelapse could not be kept; free space on the host and try again")
                } else {
                    storage(&e)
                }
            })?;
        Ok(json!({
            "filename": name,
            "downloadName": download,
            "path": format!("/videos/{name}"),
            "format": "mp4",
            "width": info.width,
            "height": info.height,
            "fps": info.fps,
            "durationMs": info.duration_ms,
            "frames": info.frames,
            "bytes": info.bytes,
            "room": request.room,
            "fromRev": request.from_rev,
            "toRev": request.to_rev,
            "changes": changes,
            "people": people,
        }))
    }
}

/// Reads revisions `from..=to` of `room` for a timelapse or a clip; `None`
/// when `stop` said to stop. Blocking.
pub fn read_script(
    store: &Store,
    room: &str,
    (from, to): (u64, u64),
    stop: &dyn Fn() -> bool,
) -> Result<Option<Script>, JobFailure> {
    let state = store
        .history_state(room)
        .map_err(|e| storage(&e))?
        .ok_or_else(not_kept)?;
    script::read(store, room, &state, (from, to), stop).map_err(|e| match e {
        script::ScriptError::NotKept => not_kept(),
        script::ScriptError::Store(e) => storage(&e),
    })
}

fn not_kept() -> JobFailure {
    JobFailure::new(
        "not_kept",
        "the host no longer keeps that moment of this room's history",
    )
}

fn storage(e: &crate::store::StoreError) -> JobFailure {
    tracing::error!("timelapse storage: {e}");
    JobFailure::new(
        "storage_failed",
        "the host could not read or save; see its log",
    )
}

/// Sets the render's stop flag when dropped (the runner drops the job's
/// future when it is cancelled).
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// The frames of one timelapse: the canvas advanced change by change.
/// The script is shared: a storyboard showing one clip twice reads it once.
pub struct Frames {
    script: Arc<Script>,
    canvas: Canvas,
    pace: Pace,
    applied: usize,
    legend: Legend,
    clock: String,
    people: Vec<(String, [u8; 3])>,
    size: (u32, u32),
    fps: u32,
    utc_offset_min: Option<i32>,
}

impl Frames {
    pub fn new(script: Arc<Script>, r: &TimelapseRequest) -> Frames {
        let people: Vec<(String, [u8; 3])> = script
            .people
            .iter()
            .map(|p| (p.name.clone(), seat_rgb(&p.seat)))
            .collect();
        let clock = clock(script.start_t, r.utc_offset_min);
        let legend = Legend::new(&people, &clock, r.width, r.height);
        let fit = Fit::new(script.bounds, r.width, legend.top);
        let mut canvas = Canvas::new(r.width, legend.top, fit);
        for (id, shape) in &script.start {
            canvas.put(id, shape.as_ref());
        }
        Frames {
            script,
            canvas,
            pace: r.pace,
            applied: 0,
            legend,
            clock,
            people,
            size: (r.width, r.height),
            fps: r.fps,
            utc_offset_min: r.utc_offset_min,
        }
    }

    /// How many changes frame `index` shows.
    fn target(&self, index: u64) -> usize {
        let total = self.script.changes.len();
        match self.pace {
            Pace::Frames(n) => ((index + 1) as u128 * total as u128 / n.max(1) as u128) as usize,
            Pace::Speed { speed, start_t, .. } => {
                let until =
                    start_t as f64 + (index + 1) as f64 * 1000.0 * speed / f64::from(self.fps);
                let mut at = self.applied;
                while at < total && (self.script.changes[at].t as f64) <= until {
                    at += 1;
                }
                at
            }
        }
    }
}

impl FrameSource for Frames {
    fn draw(&mut self, index: u64, rgb: &mut [u8]) -> Result<(), VideoError> {
        let target = self.target(index).min(self.script.changes.len());
        let mut last_t = None;
        while self.applied < target {
            let change = &self.script.changes[self.applied];
            for (id, shape) in &change.shapes {
                if change.delete {
                    self.canvas.remove(id);
                } else {
                    self.canvas.put(id, shape.as_ref());
                }
            }
            last_t = Some(change.t);
            self.applied += 1;
        }
        if let Some(t) = last_t {
            let now = clock(t, self.utc_offset_min);
            if now != self.clock {
                self.legend = Legend::new(&self.people, &now, self.size.0, self.size.1);
                self.clock = now;
            }
        }
        rgb[..self.canvas.rgb.len()].copy_from_slice(&self.canvas.rgb);
        self.legend.apply(rgb);
        Ok(())
    }
}

/// A seat's colour, as the board shows it (`SEATS` in `ui/js/ui.js`).
pub fn seat_rgb(seat: &str) -> [u8; 3] {
    match seat {
        "top-left" => [0xE0, 0x31, 0x31],
        "top-right" => [0x19, 0x71, 0xC2],
        "bottom-left" => [0x2F, 0x9E, 0x44],
        "bottom-right" => [0xF0, 0x8C, 0x00],
        _ => [0x86, 0x8E, 0x96],
    }
}

/// `HH:MM` of `t` (ms since the epoch), `offset` minutes east of UTC, or
/// `HH:MM UTC` when the asker's offset is unknown.
pub fn clock(t: u64, offset: Option<i32>) -> String {
    let minutes = (t / 60_000) as i64 + i64::from(offset.unwrap_or(0));
    let of_day = minutes.rem_euclid(24 * 60);
    let text = format!("{:02}:{:02}", of_day / 60, of_day % 60);
    match offset {
        Some(_) => text,
        None => format!("{text} UTC"),
    }
}

#[cfg(test)]
mod tests {
    use super::script::{Change, Person, Shape};
    use super::*;

    fn stroke(x: f32, rgb: [u8; 3]) -> Option<Shape> {
        Some(Shape {
            points: vec![(x, 0.0), (x, 100.0)],
            rgb,
            widths: vec![6.0, 6.0],
        })
    }

    fn request(pace: Pace) -> TimelapseRequest {
        TimelapseRequest {
            room: "main".into(),
            from_rev: 0,
            to_rev: 4,
            pace,
            width: 160,
            height: 120,
            fps: 10,
            utc_offset_min: Some(60),
        }
    }

    fn script() -> Script {
        let change = |t, id: &str, shape| Change {
            t,
            delete: false,
            shapes: vec![(id.to_string(), shape)],
        };
        Script {
            start: Vec::new(),
            start_t: 0,
            changes: vec![
                change(1_000, "a", stroke(0.0, [255, 0, 0])),
                change(2_000, "b", stroke(50.0, [0, 0, 255])),
                change(60_000, "c", stroke(100.0, [0, 160, 0])),
                Change {
                    t: 61_000,
                    delete: true,
                    shapes: vec![("a".to_string(), None)],
                },
            ],
            people: vec![Person {
                name: "Ann".into(),
                seat: "top-left".into(),
            }],
            bounds: Some((0.0, 0.0, 100.0, 100.0)),
        }
    }

    #[test]
    fn frames_spread_the_changes_evenly_and_end_on_the_last() {
        let mut frames = Frames::new(Arc::new(script()), &request(Pace::Frames(8)));
        let mut rgb = vec![0u8; 160 * 120 * 3];
        let red = |rgb: &[u8]| rgb.chunks_exact(3).filter(|p| *p == [255, 0, 0]).count();
        let mut reds = Vec::new();
        for i in 0..8 {
            frames.draw(i, &mut rgb).unwrap();
            reds.push(red(&rgb[..frames.canvas.rgb.len()]));
        }
        assert_eq!(frames.applied, 4);
        assert_eq!(
            reds[0], 0,
            "frame 0 shows none of four changes over eight frames"
        );
        assert!(reds[2] > 0, "the red stroke is drawn early");
        assert_eq!(reds[7], 0, "and gone once deleted");
        assert_eq!(frames.clock, "01:01");
    }

    #[test]
    fn speed_follows_the_clock() {
        let pace = Pace::Speed {
            speed: 10.0,
            start_t: 0,
            frames: 70,
        };
        let mut frames = Frames::new(Arc::new(script()), &request(pace));
        let mut rgb = vec![0u8; 160 * 120 * 3];
        frames.draw(0, &mut rgb).unwrap();
        assert_eq!(
            frames.applied, 1,
            "one second of drawing per frame at 10×, 10 fps"
        );
        frames.draw(1, &mut rgb).unwrap();
        assert_eq!(frames.applied, 2);
        frames.draw(58, &mut rgb).unwrap();
        assert_eq!(frames.applied, 2, "nothing happened between 2 s and 59 s");
        frames.draw(59, &mut rgb).unwrap();
        assert_eq!(frames.applied, 3);
    }

    #[test]
    fn the_clock_reads_local_or_utc() {
        assert_eq!(clock(13 * 3_600_000 + 5 * 60_000, None), "13:05 UTC");
        assert_eq!(clock(13 * 3_600_000, Some(-14 * 60)), "23:00");
    }
}
