//! `video`: time the storyboard renderer against `ffmpeg` on the same plan.
//!
//! Unlike the other subcommands this one links the `coco` library: it
//! measures the renderer itself, not a server. Pictures are written as PNGs
//! first; both sides start from those files. Each CoCo render runs in a child
//! process (`coco-bench video --child ...`) that reports its own peak memory
//! (`VmHWM`), so the figure is the render's alone. The baseline is `ffmpeg`
//! with `zoompan` (the Ken Burns move), `xfade` (crossfades) and libx264.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

use clap::Args;
use coco::media::video::{
    render_gif, render_mp4, Motion, Scene, Transition, VideoInfo, VideoPlan, DEFAULT_FPS,
    DEFAULT_HEIGHT, DEFAULT_WIDTH,
};
use image::{Rgba, RgbaImage};
use serde_json::{json, Value};

use crate::client::{fail, BenchError, BenchResult};
use crate::report;

/// Side of the square test pictures: the size an image model typically returns.
const PICTURE_SIDE: u32 = 1024;
/// Distinct pictures; longer storyboards reuse them in turn.
const PICTURES: usize = 5;

#[derive(Debug, Clone, Args)]
pub struct VideoArgs {
    /// Scenes in the short storyboard.
    #[arg(long, default_value_t = 5)]
    pub scenes: usize,
    /// Seconds each scene is on screen.
    #[arg(long, default_value_t = 5)]
    pub scene_seconds: u32,
    /// Seconds of each crossfade.
    #[arg(long, default_value_t = 1)]
    pub fade_seconds: u32,
    /// The long storyboard has this many times the scenes (0: skip it).
    #[arg(long, default_value_t = 10)]
    pub long_factor: usize,
    /// Do not run the ffmpeg baseline.
    #[arg(long)]
    pub skip_ffmpeg: bool,
    /// Internal: render once in this process and print JSON.
    #[arg(long, hide = true)]
    pub child: bool,
    /// Internal: the folder holding the PNGs (and the output).
    #[arg(long, hide = true)]
    pub dir: Option<PathBuf>,
    /// Internal: `mp4` or `gif`.
    #[arg(long, hide = true, default_value = "mp4")]
    pub format: String,
}

pub async fn main(args: VideoArgs, as_json: bool) -> BenchResult<()> {
    tokio::task::spawn_blocking(move || {
        if args.child {
            child(&args)
        } else {
            parent(&args, as_json)
        }
    })
    .await
    .map_err(|e| BenchError(format!("the render thread failed: {e}")))?
}

fn parent(args: &VideoArgs, as_json: bool) -> BenchResult<()> {
    let dir = tempfile::tempdir().map_err(io)?;
    report::progress("writing the pictures as PNG");
    for index in 0..PICTURES {
        picture(index)
            .save(png(dir.path(), index))
            .map_err(|e| BenchError(e.to_string()))?;
    }
    let seconds = f64::from(args.scene_seconds);
    let fade = f64::from(args.fade_seconds);
    let video_seconds = |scenes: usize| scenes as f64 * seconds - (scenes - 1) as f64 * fade;

    report::progress(&format!("CoCo: {} scenes to MP4", args.scenes));
    let short = run_child(args, dir.path(), args.scenes, "mp4")?;
    report::progress(&format!("CoCo: {} scenes to GIF", args.scenes));
    let gif = run_child(args, dir.path(), args.scenes, "gif")?;
    let long_scenes = args.scenes * args.long_factor;
    let long = if args.long_factor > 1 {
        report::progress(&format!("CoCo: {long_scenes} scenes to MP4"));
        Some(run_child(args, dir.path(), long_scenes, "mp4")?)
    } else {
        None
    };
    let ffmpeg_s = if args.skip_ffmpeg {
        None
    } else {
        report::progress(&format!(
            "ffmpeg: {} scenes (zoompan + xfade + libx264)",
            args.scenes
        ));
        Some(run_ffmpeg(args, dir.path())?)
    };

    let short_s = short["render_s"].as_f64().unwrap_or(f64::NAN);
    let short_video = video_seconds(args.scenes);
    let mut human =
        format!(
        "video  {} scenes × {} s, {} s crossfades, {}×{} at {} fps ({} frames, {short_video} s)\n",
        args.scenes, args.scene_seconds, args.fade_seconds, DEFAULT_WIDTH, DEFAULT_HEIGHT,
        DEFAULT_FPS, short["frames"], 
    );
    human += &line("CoCo MP4", &short, short_video);
    human += &line("CoCo GIF", &gif, short_video);
    if let Some(long) = &long {
        human += &line(
            &format!("CoCo MP4 ×{}", args.long_factor),
            long,
            video_seconds(long_scenes),
        );
    }
    if let Some(ffmpeg_s) = ffmpeg_s {
        human += &format!(
            "  ffmpeg       {ffmpeg_s:7.2} s  {:5.1}× real time   CoCo is {:.2}× as fast\n",
            short_video / ffmpeg_s,
            ffmpeg_s / short_s
        );
    }
    let value = json!({
        "scenario": "video",
        "scenes": args.scenes,
        "scene_seconds": args.scene_seconds,
        "fade_seconds": args.fade_seconds,
        "video_seconds": short_video,
        "coco_mp4": short,
        "coco_gif": gif,
        "coco_mp4_long": long,
        "ffmpeg_s": ffmpeg_s,
        "speedup_vs_ffmpeg": ffmpeg_s.map(|f| f / short_s),
    });
    report::emit(as_json, human.trim_end(), &value);
    Ok(())
}

fn line(label: &str, run: &Value, video_s: f64) -> String {
    let render_s = run["render_s"].as_f64().unwrap_or(f64::NAN);
    format!(
        "  {label:<12} {render_s:7.2} s  {:5.1}× real time   peak RSS {:.0} MB   {}\n",
        video_s / render_s,
        run["peak_rss_kb"].as_f64().unwrap_or(f64::NAN) / 1024.0,
        report::bytes(run["bytes"].as_u64().unwrap_or(0) as usize)
    )
}

fn run_child(args: &VideoArgs, dir: &Path, scenes: usize, format: &str) -> BenchResult<Value> {
    let exe = std::env::current_exe().map_err(io)?;
    let output = Command::new(exe)
        .args(["video", "--child", "--format", format])
        .args(["--scenes", &scenes.to_string()])
        .args(["--scene-seconds", &args.scene_seconds.to_string()])
        .args(["--fade-seconds", &args.fade_seconds.to_string()])
        .arg("--dir")
        .arg(dir)
        .output()
        .map_err(io)?;
    if !output.status.success() {
        return fail(format!(
            "the render child failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(serde_json::from_slice(&output.stdout)?)
}

/// One render, timed from loading the PNGs to the finished file.
fn child(args: &VideoArgs) -> BenchResult<()> {
    let dir = args
        .dir
        .clone()
        .ok_or_else(|| BenchError("--child needs --dir".into()))?;
    let started = Instant::now();
    let pictures = (0..PICTURES)
        .map(|index| {
            image::open(png(&dir, index))
                .map(|picture| Arc::new(picture.to_rgba8()))
                .map_err(|e| BenchError(e.to_string()))
        })
        .collect::<BenchResult<Vec<_>>>()?;
    let plan = plan(args, &pictures);
    let out = dir.join(format!("coco-{}.{}", args.scenes, args.format));
    let cancel = AtomicBool::new(false);
    let rendered: Result<VideoInfo, _> = match args.format.as_str() {
        "gif" => render_gif(&plan, &out, &|_| {}, &cancel),
        _ => render_mp4(&plan, &out, &|_| {}, &cancel),
    };
    let info = rendered.map_err(|e| BenchError(format!("{}: {e}", e.code())))?;
    let render_s = started.elapsed().as_secs_f64();
    println!(
        "{}",
        json!({
            "render_s": render_s,
            "frames": info.frames,
            "bytes": info.bytes,
            "peak_rss_kb": peak_rss_kb(),
        })
    );
    Ok(())
}

fn plan(args: &VideoArgs, pictures: &[Arc<RgbaImage>]) -> VideoPlan {
    let scenes = (0..args.scenes)
        .map(|index| Scene {
            image: Arc::clone(&pictures[index % pictures.len()]),
            clip: None,
            caption: None,
            duration_ms: args.scene_seconds * 1000,
            motion: Motion::KenBurns,
            transition: Transition::Crossfade {
                ms: args.fade_seconds * 1000,
            },
        })
        .collect();
    VideoPlan {
        width: DEFAULT_WIDTH,
        height: DEFAULT_HEIGHT,
        fps: DEFAULT_FPS,
        title: None,
        seed: 1,
        scenes,
    }
}

/// The same storyboard through ffmpeg: each picture cropped to 16:9 at 1.2×
/// the frame (as CoCo prepares it), zoomed 1.0 → 1.2 by `zoompan`, chained by
/// `xfade`, encoded by libx264 (`veryfast`, closest in effort to OpenH264).
fn run_ffmpeg(args: &VideoArgs, dir: &Path) -> BenchResult<f64> {
    let fps = DEFAULT_FPS;
    let frames = args.scene_seconds * fps;
    let (pw, ph) = (DEFAULT_WIDTH * 6 / 5, DEFAULT_HEIGHT * 6 / 5);
    let mut command = Command::new("ffmpeg");
    command.args(["-v", "error", "-y"]);
    let mut graph = String::new();
    for index in 0..args.scenes {
        command.arg("-i").arg(png(dir, index % PICTURES));
        graph += &format!(
            "[{index}:v]scale={pw}:{ph}:force_original_aspect_ratio=increase,crop={pw}:{ph},\
             zoompan=z='1+0.2*on/{last}':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2':d={frames}:\
             s={w}x{h}:fps={fps},format=yuv420p[s{index}];",
            last = frames - 1,
            w = DEFAULT_WIDTH,
            h = DEFAULT_HEIGHT,
        );
    }
    let mut previous = "s0".to_string();
    for index in 1..args.scenes {
        let offset = index as u32 * (args.scene_seconds - args.fade_seconds);
        let label = format!("x{index}");
        graph += &format!(
            "[{previous}][s{index}]xfade=transition=fade:duration={}:offset={offset}[{label}];",
            args.fade_seconds
        );
        previous = label;
    }
    graph.pop();
    let out = dir.join("ffmpeg.mp4");
    command
        .args(["-filter_complex", &graph, "-map", &format!("[{previous}]")])
        .args([
            "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
        ])
        .args(["-movflags", "+faststart"])
        .arg(&out);
    let started = Instant::now();
    let output = command
        .output()
        .map_err(|e| BenchError(format!("ffmpeg: {e}")))?;
    let elapsed = started.elapsed().as_secs_f64();
    if !output.status.success() {
        return fail(format!(
            "ffmpeg failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(elapsed)
}

/// A gradient in the picture's own hue with shapes, so scaling and encoding
/// have real edges to work on.
fn picture(index: usize) -> RgbaImage {
    let side = PICTURE_SIDE;
    RgbaImage::from_fn(side, side, |x, y| {
        let (dx, dy) = (x as i64 - 400 - index as i64 * 40, y as i64 - 500);
        if dx * dx + dy * dy < 180 * 180 {
            return Rgba([250, 240, 220, 255]);
        }
        if (x / 64 + y / 64) % 7 == index as u32 % 7 {
            return Rgba([30, 30, 60, 255]);
        }
        let t = ((x + y) * 255 / (2 * side)) as u8;
        let hue = [t, 255 - t, (index as u8).wrapping_mul(50)];
        Rgba([
            hue[index % 3],
            hue[(index + 1) % 3],
            hue[(index + 2) % 3],
            255,
        ])
    })
}

fn png(dir: &Path, index: usize) -> PathBuf {
    dir.join(format!("picture-{index}.png"))
}

/// The peak resident memory of this process, from `/proc/self/status`.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn io(e: std::io::Error) -> BenchError {
    BenchError(e.to_string())
}
