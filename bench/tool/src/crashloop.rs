//! `crashloop`: the host killed with SIGKILL at random moments while four
//! people draw, delete and reconnect, restarted each time, then every
//! acknowledged change checked on disk.
//!
//! The promise under test is "an acknowledged change is on disk": after the
//! last restart every shape whose add was acknowledged (and whose delete was
//! not sent) is there, and every shape whose delete was acknowledged is
//! gone. Changes in flight at a kill are uncertain either way and left out.
//! The host's memory and open files are sampled every second; with
//! `--kills 0` one host serves the whole run (a soak), to show they stay
//! flat.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Args;
use futures_util::{SinkExt, StreamExt};
use rand::Rng;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;

use crate::board;
use crate::client::{self, fail, BenchResult, Ws};
use crate::report;

/// How long a (re)started host may take to answer `/api/health`.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// A writer's pause before it tries to reconnect to a host that is down.
const RECONNECT_PAUSE: Duration = Duration::from_millis(100);
/// An op unacknowledged this long means the connection is gone.
const ACK_TIMEOUT: Duration = Duration::from_secs(5);
/// How often the host's memory and open files are sampled.
const SAMPLE_EVERY: Duration = Duration::from_secs(1);
/// The room the writers draw in.
const ROOM: &str = "crashloop";

#[derive(Debug, Clone, Args)]
pub struct CrashloopArgs {
    /// The host binary (default: `coco` beside this program).
    #[arg(long)]
    pub host_bin: Option<PathBuf>,
    /// SIGKILLs before the final check.
    #[arg(long, default_value_t = 50)]
    pub kills: usize,
    /// Longest run in seconds; the run ends at the kill count or this.
    #[arg(long, default_value_t = 600.0)]
    pub seconds: f64,
    /// Shortest time between kills, in ms (each gap is random up to the longest).
    #[arg(long, default_value_t = 1_000)]
    pub min_gap_ms: u64,
    /// Longest time between kills, in ms.
    #[arg(long, default_value_t = 5_000)]
    pub max_gap_ms: u64,
    /// Drawing people (the room has four seats).
    #[arg(long, default_value_t = 4)]
    pub writers: usize,
    /// Ops each writer keeps unacknowledged at once.
    #[arg(long, default_value_t = 8)]
    pub window: usize,
    /// Shapes a writer keeps before it deletes its oldest with each add.
    #[arg(long, default_value_t = 200)]
    pub live: usize,
    /// A writer closes and reopens its socket after this many acks (churn).
    #[arg(long, default_value_t = 100)]
    pub churn_every: u64,
}

/// What every writer has had acknowledged.
#[derive(Default)]
struct Ledger {
    /// Added and acknowledged, no delete sent.
    present: HashSet<String>,
    /// Delete acknowledged.
    deleted: HashSet<String>,
    /// Delete sent but not acknowledged: either way is right.
    uncertain: HashSet<String>,
}

/// A running host and where it listens.
struct Host {
    child: Child,
}

/// One sample of the host process before a kill.
#[derive(Debug, Clone, Copy)]
struct Sample {
    rss_kb: u64,
    fds: u64,
}

pub async fn main(args: CrashloopArgs, as_json: bool) -> BenchResult<()> {
    let bin = match &args.host_bin {
        Some(bin) => bin.clone(),
        None => std::env::current_exe()?.with_file_name("coco"),
    };
    let data = tempfile::tempdir()?;
    let (http_port, ws_port) = (free_port()?, free_port()?);
    let start = |dir: &std::path::Path| spawn(&bin, dir, http_port, ws_port);
    let mut host = start(data.path())?;
    wait_healthy(http_port).await?;

    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let acks = Arc::new(AtomicU64::new(0));
    let reconnects = Arc::new(AtomicU64::new(0));
    let url = format!("ws://127.0.0.1:{ws_port}/?room={ROOM}");
    let tag = client::run_tag();
    let writers: Vec<_> = (0..args.writers)
        .map(|i| {
            let w = Writer {
                url: url.clone(),
                user: format!("w{i}-{tag}"),
                ledger: ledger.clone(),
                stop: stop.clone(),
                acks: acks.clone(),
                reconnects: reconnects.clone(),
                args: args.clone(),
                owned: VecDeque::new(),
                next: 0,
            };
            tokio::spawn(w.run())
        })
        .collect();

    let began = Instant::now();
    let deadline = began + Duration::from_secs_f64(args.seconds);
    let mut samples = Vec::new();
    let mut kills = 0;
    // With `--kills 0` one host runs the whole time: a soak, sampled each second.
    let soak = args.kills == 0;
    while (soak || kills < args.kills) && Instant::now() < deadline {
        let gap = rand::rng().random_range(args.min_gap_ms..=args.max_gap_ms.max(args.min_gap_ms));
        let wake = (Instant::now() + Duration::from_millis(gap)).min(deadline);
        while Instant::now() < wake {
            tokio::time::sleep(SAMPLE_EVERY.min(wake - Instant::now())).await;
            samples.push(sample(host.child.id()));
        }
        if soak {
            continue;
        }
        host.child.kill()?;
        host.child.wait()?;
        kills += 1;
        host = start(data.path())?;
        wait_healthy(http_port).await?;
    }
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        let _ = w.await;
    }
    // The final check reads a host restarted after one more kill.
    samples.push(sample(host.child.id()));
    host.child.kill()?;
    host.child.wait()?;
    let mut host = start(data.path())?;
    wait_healthy(http_port).await?;
    let on_disk = board_ids(&url, &tag).await;
    let _ = host.child.kill();
    let _ = host.child.wait();
    let on_disk = on_disk?;

    let ledger = ledger.lock().expect("ledger");
    let missing: Vec<&String> = ledger.present.difference(&on_disk).collect();
    let resurrected: Vec<&String> = ledger.deleted.intersection(&on_disk).collect();
    let (first, last) = (samples[0], samples[samples.len() - 1]);
    let max_rss = samples.iter().map(|s| s.rss_kb).max().unwrap_or(0);
    let max_fds = samples.iter().map(|s| s.fds).max().unwrap_or(0);
    let summary = format!(
        "crash loop  {:.0} s, {kills} kills (+1 before the check), {} restarts\n  \
         ops acknowledged {}  ({} shapes kept, {} deleted, {} uncertain)  reconnects {}\n  \
         missing {}  resurrected {}\n  \
         host memory  first {:.1} MB  last {:.1} MB  max {:.1} MB\n  \
         open files   first {}  last {}  max {}",
        began.elapsed().as_secs_f64(),
        kills + 1,
        acks.load(Ordering::Relaxed),
        ledger.present.len(),
        ledger.deleted.len(),
        ledger.uncertain.len(),
        reconnects.load(Ordering::Relaxed),
        missing.len(),
        resurrected.len(),
        first.rss_kb as f64 / 1024.0,
        last.rss_kb as f64 / 1024.0,
        max_rss as f64 / 1024.0,
        first.fds,
        last.fds,
        max_fds,
    );
    let value = json!({
        "scenario": "crashloop",
        "seconds": began.elapsed().as_secs_f64(),
        "kills": kills,
        "restarts": kills + 1,
        "acked": acks.load(Ordering::Relaxed),
        "kept": ledger.present.len(),
        "deleted": ledger.deleted.len(),
        "uncertain": ledger.uncertain.len(),
        "reconnects": reconnects.load(Ordering::Relaxed),
        "missing": missing.len(),
        "resurrected": resurrected.len(),
        "rssKb": {"first": first.rss_kb, "last": last.rss_kb, "max": max_rss},
        "openFiles": {"first": first.fds, "last": last.fds, "max": max_fds},
        // Every 30th sample (about one each 30 s): the shape of the curve.
        "series": samples.iter().step_by(30).map(|s| json!([s.rss_kb, s.fds])).collect::<Vec<_>>(),
    });
    report::emit(as_json, &summary, &value);
    if !missing.is_empty() || !resurrected.is_empty() {
        return fail(format!(
            "{} acknowledged shapes missing, {} deleted shapes back (e.g. {:?})",
            missing.len(),
            resurrected.len(),
            missing
                .iter()
                .chain(resurrected.iter())
                .take(3)
                .collect::<Vec<_>>()
        ));
    }
    Ok(())
}

/// A port free now (the host binds it with address reuse after each kill).
fn free_port() -> BenchResult<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn spawn(bin: &std::path::Path, dir: &std::path::Path, http: u16, ws: u16) -> BenchResult<Host> {
    let child = Command::new(bin)
        .args(["--headless", "--no-mdns", "--bind", "127.0.0.1"])
        .args(["--port", &http.to_string(), "--ws-port", &ws.to_string()])
        .arg("--data-dir")
        .arg(dir)
        .env("COCO_CONFIG", dir.join("config.toml"))
        .env_remove("GEMINI_API_KEY")
        .env_remove("GOOGLE_API_KEY")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| client::BenchError(format!("{}: {e}", bin.display())))?;
    Ok(Host { child })
}

/// Waits until `GET /api/health` answers 200.
async fn wait_healthy(port: u16) -> BenchResult<()> {
    let deadline = Instant::now() + START_TIMEOUT;
    while Instant::now() < deadline {
        if let Ok(mut tcp) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
            let request = format!(
                "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
            );
            let mut answer = Vec::new();
            if tcp.write_all(request.as_bytes()).await.is_ok()
                && tcp.read_to_end(&mut answer).await.is_ok()
                && answer.starts_with(b"HTTP/1.1 200 ")
            {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    fail(format!(
        "the host did not answer on port {port} within {START_TIMEOUT:?}"
    ))
}

/// Resident memory and open files of process `pid` (zero where unknown).
fn sample(pid: u32) -> Sample {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rss_kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count() as u64);
    Sample { rss_kb, fds }
}

/// The ids of every shape on the board, read by a fresh person.
async fn board_ids(url: &str, tag: &str) -> BenchResult<HashSet<String>> {
    let mut ws = client::connect_bulk(url).await?;
    let user = format!("checker-{tag}");
    client::join(&mut ws, &user).await?;
    let request = json!({"type": "REQUEST_SYNC", "payload": {"userId": user}});
    ws.send(Message::text(request.to_string())).await?;
    loop {
        let text = match tokio::time::timeout(ACK_TIMEOUT * 4, ws.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => text,
            Ok(Some(Ok(_))) => continue,
            _ => return fail("no SYNC_SHAPES from the restarted host"),
        };
        if client::message_type(&text) != Some("SYNC_SHAPES") {
            continue;
        }
        let sync: Value = serde_json::from_str(&text)?;
        let ids = sync["payload"]["shapes"]
            .as_array()
            .map(|shapes| {
                shapes
                    .iter()
                    .filter_map(|s| s["id"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        client::close(ws.split().0).await;
        return Ok(ids);
    }
}

/// One person drawing: adds shapes, deletes its oldest once it keeps
/// `live`, reconnects after every `churn_every` acks and whenever the host
/// goes away.
struct Writer {
    url: String,
    user: String,
    ledger: Arc<Mutex<Ledger>>,
    stop: Arc<AtomicBool>,
    acks: Arc<AtomicU64>,
    reconnects: Arc<AtomicU64>,
    args: CrashloopArgs,
    /// Shapes whose add was acknowledged and no delete sent, oldest first.
    owned: VecDeque<String>,
    next: u64,
}

/// What an op in flight does once acknowledged.
enum Pending {
    Add(String),
    Delete(String),
}

impl Writer {
    async fn run(mut self) {
        while !self.stop.load(Ordering::Relaxed) {
            let Ok(mut ws) = client::connect(&self.url).await else {
                tokio::time::sleep(RECONNECT_PAUSE).await;
                continue;
            };
            if client::join(&mut ws, &self.user).await.is_ok() {
                self.session(&mut ws).await;
            }
            self.reconnects.fetch_add(1, Ordering::Relaxed);
            let _ = tokio::time::timeout(Duration::from_millis(200), ws.close(None)).await;
        }
    }

    /// Draws on one connection until it fails, churns, or the run stops.
    async fn session(&mut self, ws: &mut Ws) {
        let mut inflight: HashMap<String, Pending> = HashMap::new();
        let mut acked_here = 0u64;
        loop {
            if self.stop.load(Ordering::Relaxed) || acked_here >= self.args.churn_every {
                return;
            }
            while inflight.len() < self.args.window {
                self.next += 1;
                let op = format!("{}-op{}", self.user, self.next);
                let (frame, pending) = if self.owned.len() >= self.args.live {
                    let oldest = self.owned.pop_front().expect("owned");
                    self.ledger.lock().expect("ledger").present.remove(&oldest);
                    self.ledger
                        .lock()
                        .expect("ledger")
                        .uncertain
                        .insert(oldest.clone());
                    (
                        board::shape_deleted(&oldest, &self.user, &op),
                        Pending::Delete(oldest),
                    )
                } else {
                    let id = format!("{}-s{}", self.user, self.next);
                    let shape = board::pencil_shape(&id, 12, self.next);
                    (
                        board::shape_added(&shape, &self.user, &op),
                        Pending::Add(id),
                    )
                };
                if ws.send(Message::text(frame)).await.is_err() {
                    return;
                }
                inflight.insert(op, pending);
            }
            let text = match tokio::time::timeout(ACK_TIMEOUT, ws.next()).await {
                Ok(Some(Ok(Message::Text(text)))) => text,
                Ok(Some(Ok(_))) => continue,
                _ => return,
            };
            if client::message_type(&text) != Some("ACK") {
                continue;
            }
            let mut ledger = self.ledger.lock().expect("ledger");
            for op in client::ack_op_ids(&text) {
                match inflight.remove(&op) {
                    Some(Pending::Add(id)) => {
                        ledger.present.insert(id.clone());
                        self.owned.push_back(id);
                    }
                    Some(Pending::Delete(id)) => {
                        ledger.uncertain.remove(&id);
                        ledger.deleted.insert(id);
                    }
                    None => continue,
                }
                acked_here += 1;
                self.acks.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}
