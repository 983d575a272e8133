//! `coco-bench timelapse`: a big room's history rendered as a timelapse.
//!
//! Draws the room of `coco-bench history` (`--changes` changes over
//! `--strokes` strokes, every change acknowledged) on a host in this
//! process, stops it, then starts a host on the same data directory in a
//! child process (`coco-bench timelapse --child DIR`) that renders the
//! timelapse through `POST /api/rooms/{room}/timelapse` and reports the
//! job's time and its own peak resident memory (`VmHWM`): the figure is
//! a host's that loads nothing but renders, not the drawing's.
//!
//! With `--clip` the child renders the same history as a timelapse clip
//! inside a storyboard video instead: a 4 s picture, then the clip (at
//! most 60 s), through `POST /api/generate-video`, so the figure includes
//! the storyboard renderer playing a clip among its parallel frames.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use clap::Args;
use serde_json::{json, Value};

use crate::client::{fail, BenchResult};
use crate::history::{draw, get, HistoryArgs, Run};
use crate::report::{emit, progress};

#[derive(Debug, Args)]
pub struct TimelapseArgs {
    /// Changes to make (the first `--strokes` add strokes, the rest move them).
    #[arg(long, default_value_t = 10_000)]
    changes: usize,
    /// Strokes on the board.
    #[arg(long, default_value_t = 2_000)]
    strokes: usize,
    /// Length of the video, seconds.
    #[arg(long, default_value_t = 60)]
    seconds: u32,
    /// Size preset: 480p, 720p or 1080p.
    #[arg(long, default_value = "720p")]
    preset: String,
    /// Render the history as a clip in a storyboard video (after a 4 s picture).
    #[arg(long)]
    clip: bool,
    /// Internal: render in this data directory and report (the child).
    #[arg(long, hide = true)]
    child: Option<PathBuf>,
}

const ROOM: &str = "timelapse-bench";

pub async fn main(args: TimelapseArgs, as_json: bool) -> BenchResult<()> {
    let result = match &args.child {
        Some(dir) => child(dir, &args).await,
        None => run(&args, as_json).await,
    };
    result.or_else(|e| fail(e.to_string()))
}

async fn run(args: &TimelapseArgs, as_json: bool) -> Run<()> {
    let tmp = tempfile::tempdir()?;
    let host = coco::host::Host::start(coco::config::Config::ephemeral(tmp.path())).await?;
    progress(&format!(
        "drawing {} changes over {} strokes",
        args.changes, args.strokes
    ));
    let room = HistoryArgs {
        changes: args.changes,
        strokes: args.strokes,
        points: 40,
        samples: 0,
        thin_mb: None,
    };
    draw(&format!("ws://{}/?room={ROOM}", host.ws_addr()), &room).await?;
    host.shutdown().await;
    progress(&format!(
        "rendering {} s at {} in a child host",
        args.seconds, args.preset
    ));
    let mut command = Command::new(std::env::current_exe()?);
    command
        .args(["timelapse", "--seconds", &args.seconds.to_string()])
        .args(["--preset", &args.preset]);
    if args.clip {
        command.arg("--clip");
    }
    let out = command.arg("--child").arg(tmp.path()).output()?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned().into());
    }
    let child: Value = serde_json::from_slice(&out.stdout)?;
    let render_s = child["render_s"].as_f64().unwrap_or(0.0);
    let video_s = child["duration_ms"].as_f64().unwrap_or(0.0) / 1000.0;
    let speed = video_s / render_s.max(1e-9);
    let scenario = if args.clip { "clip" } else { "timelapse" };
    let peak_mb = child["peak_rss_kb"].as_f64().unwrap_or(0.0) / 1024.0;
    let human = format!(
        "{scenario}: {} changes, {} strokes as {video_s} s of {} at {} fps ({} frames, {} bytes)\n  rendered in {render_s:.1} s: {speed:.1}× real time; host peak memory {peak_mb:.0} MiB",
        args.changes,
        args.strokes,
        args.preset,
        child["fps"],
        child["frames"],
        child["bytes"],
    );
    let value = json!({
        "scenario": scenario, "changes": args.changes, "strokes": args.strokes,
        "seconds": args.seconds, "preset": args.preset, "render_s": render_s,
        "times_real_time": speed, "peak_rss_mb": peak_mb, "frames": child["frames"],
    });
    emit(as_json, &human, &value);
    Ok(())
}

/// The child: a host on the drawn data directory renders the timelapse.
async fn child(dir: &Path, args: &TimelapseArgs) -> Run<()> {
    let host = coco::host::Host::start(coco::config::Config::ephemeral(dir)).await?;
    let addr = host.http_addr();
    let started = Instant::now();
    let answer = if args.clip {
        start_clip(addr, args).await?
    } else {
        let body = json!({"seconds": args.seconds, "preset": args.preset}).to_string();
        post(addr, &format!("/api/rooms/{ROOM}/timelapse"), &body).await?
    };
    let id = answer["requestId"]
        .as_str()
        .ok_or_else(|| format!("not started: {answer}"))?
        .to_string();
    let job = loop {
        let (_, body) = get(addr, &format!("/api/jobs/{id}")).await?;
        let job: Value = serde_json::from_slice::<Value>(&body)?["job"].clone();
        match job["status"].as_str() {
            Some("complete") => break job,
            Some("failed" | "cancelled") => return Err(format!("{job}").into()),
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    };
    let render_s = started.elapsed().as_secs_f64();
    host.shutdown().await;
    let r = &job["result"];
    println!(
        "{}",
        json!({"render_s": render_s, "peak_rss_kb": peak_rss_kb(), "frames": r["frames"],
               "fps": r["fps"], "bytes": r["bytes"], "duration_ms": r["durationMs"]})
    );
    Ok(())
}

/// A storyboard of a 4 s picture and the room's history as a clip of
/// `--seconds` (at most a clip's 60 s), its video started; the answer.
async fn start_clip(addr: std::net::SocketAddr, args: &TimelapseArgs) -> Run<Value> {
    use base64::Engine;
    let (width, height) = match args.preset.as_str() {
        "480p" => (854, 480),
        "1080p" => (1920, 1080),
        _ => (1280, 720),
    };
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 160])
    });
    let mut png = std::io::Cursor::new(Vec::new());
    picture.write_to(&mut png, image::ImageFormat::Png)?;
    let data = base64::engine::general_purpose::STANDARD.encode(png.into_inner());
    let body = json!({"imageData": format!("data:image/png;base64,{data}")}).to_string();
    let saved = post(addr, "/api/save-image", &body).await?;
    let (_, boards) = get(addr, &format!("/api/storyboards?room={ROOM}")).await?;
    let board = serde_json::from_slice::<Value>(&boards)?["storyboards"][0]["id"]
        .as_str()
        .ok_or("no storyboard")?
        .to_string();
    let frames = format!("/api/storyboards/{board}/frames");
    let still = json!({"image": saved["path"], "durationMs": 4000}).to_string();
    post(addr, &frames, &still).await?;
    let ms = args.seconds.min(60) * 1000;
    let clip = json!({"clip": {}, "durationMs": ms}).to_string();
    let added = post(addr, &frames, &clip).await?;
    if added["success"] != true {
        return Err(format!("the clip was refused: {added}").into());
    }
    let body = json!({"storyboardId": board, "width": width, "height": height, "fps": 30});
    post(addr, "/api/generate-video", &body.to_string()).await
}

/// One `POST` with a JSON body over a fresh loopback connection.
async fn post(addr: std::net::SocketAddr, path: &str, body: &str) -> Run<Value> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no HTTP head")?;
    Ok(serde_json::from_slice(&answer[split + 4..])?)
}

/// The peak resident memory of this process, from `/proc/self/status`.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
