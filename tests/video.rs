//! The storyboard video renderer, checked with a real decoder: `ffprobe` and
//! `ffmpeg` (Debian's `ffmpeg` package) read every MP4 this test writes.

mod common;

use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use coco::media::video::{
    plan_frames, render_gif, render_mp4, validate, Motion, RenderProgress, Scene, Transition,
    VideoError, VideoPlan, GIF_FPS, MAX_CAPTION_CHARS, MAX_HEIGHT, MAX_SCENES, MAX_SCENE_MS,
    MAX_TITLE_CHARS, MAX_TOTAL_MS, MAX_WIDTH, MIN_SCENE_MS,
};
use image::{Rgba, RgbaImage};
use serde_json::Value;

use common::probe::{decode_errors, ffmpeg};

/// A gradient in one dominant colour with a white disc and a dark bar, so
/// motion and scaling have edges to work on.
fn picture(dominant: usize, width: u32, height: u32) -> Arc<RgbaImage> {
    Arc::new(RgbaImage::from_fn(width, height, |x, y| {
        let (cx, cy) = (width as i64 / 2, height as i64 / 2);
        let (dx, dy) = (x as i64 - cx, y as i64 - cy);
        if dx * dx + dy * dy < (height as i64 / 6).pow(2) {
            return Rgba([255, 255, 255, 255]);
        }
        if y > height * 3 / 4 && x < width / 3 {
            return Rgba([20, 20, 20, 255]);
        }
        let mut pixel = [40, 40, 40, 255];
        pixel[dominant] = 140 + (115 * x / width.max(1)) as u8;
        Rgba(pixel)
    }))
}

fn scene(dominant: usize, duration_ms: u32, transition: Transition) -> Scene {
    Scene {
        image: picture(dominant, 900, 600),
        clip: None,
        caption: None,
        duration_ms,
        motion: Motion::KenBurns,
        transition,
    }
}

/// Scenes are short so the debug-build suite stays fast: 18 frames at 30 fps.
const SCENE_MS: u32 = 600;
/// 6 frames at 30 fps.
const FADE_MS: u32 = 200;

/// Three scenes (red, green, blue) joined by crossfades, the middle one
/// still and captioned.
fn three_scenes(width: u32, height: u32) -> VideoPlan {
    let mut scenes = vec![
        scene(0, SCENE_MS, Transition::Cut),
        scene(1, SCENE_MS, Transition::Crossfade { ms: FADE_MS }),
        scene(2, SCENE_MS, Transition::Crossfade { ms: FADE_MS }),
    ];
    scenes[1].motion = Motion::None;
    scenes[1].caption = Some("The dragon learns to draw, and the whole class draws along.".into());
    VideoPlan {
        width,
        height,
        fps: 30,
        title: None,
        seed: 7,
        scenes,
    }
}

fn never(_: RenderProgress) {}

fn ffprobe(path: &Path) -> Value {
    common::probe::video_stream(path)
}

/// The mean colour of frame `n`, decoded by ffmpeg.
fn mean_colour(path: &Path, n: u64) -> [f64; 3] {
    let select = format!("select=eq(n\\,{n}),scale=64:36");
    let rgb = ffmpeg(
        path,
        &[
            "-vf",
            &select,
            "-frames:v",
            "1",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ],
    );
    assert_eq!(rgb.len(), 64 * 36 * 3, "frame {n} decoded");
    let mut sum = [0f64; 3];
    for pixel in rgb.chunks_exact(3) {
        for c in 0..3 {
            sum[c] += f64::from(pixel[c]);
        }
    }
    sum.map(|s| s / (64.0 * 36.0))
}

/// The four-letter types of the file's top-level boxes, in order.
fn top_level_boxes(bytes: &[u8]) -> Vec<String> {
    let mut kinds = Vec::new();
    let mut at = 0usize;
    while at + 8 <= bytes.len() {
        let size = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        let size = match size {
            1 => u64::from_be_bytes(bytes[at + 8..at + 16].try_into().unwrap()) as usize,
            0 => bytes.len() - at,
            size => size,
        };
        kinds.push(String::from_utf8_lossy(&bytes[at + 4..at + 8]).into_owned());
        assert!(size >= 8, "box sizes are sane");
        at += size;
    }
    assert_eq!(at, bytes.len(), "boxes tile the file");
    kinds
}

#[test]
fn a_three_scene_plan_becomes_a_playable_720p30_h264_mp4() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("story.mp4");
    let plan = three_scenes(1280, 720);
    let expected = plan_frames(&plan);
    assert_eq!(expected, 18 + 18 - 6 + 18 - 6);

    let reports = Mutex::new(Vec::new());
    let progress = |p: RenderProgress| reports.lock().unwrap().push(p);
    let info = render_mp4(&plan, &out, &progress, &AtomicBool::new(false)).expect("renders");

    assert_eq!(
        (info.frames, info.width, info.height, info.fps),
        (expected, 1280, 720, 30)
    );
    assert_eq!(info.bytes, fs::metadata(&out).unwrap().len());
    let reports = reports.into_inner().unwrap();
    assert_eq!(reports.len() as u64, expected, "one report per frame");
    assert!(reports
        .windows(2)
        .all(|w| w[1].frames_done == w[0].frames_done + 1));
    assert_eq!(reports.last().unwrap().frames_done, expected);
    assert!(reports.iter().all(|p| p.frames_total == expected));

    let stream = ffprobe(&out);
    assert_eq!(stream["codec_name"], "h264");
    assert_eq!(
        (stream["width"].as_u64(), stream["height"].as_u64()),
        (Some(1280), Some(720))
    );
    assert_eq!(stream["avg_frame_rate"], "30/1");
    assert_eq!(
        stream["nb_read_frames"].as_str(),
        Some(expected.to_string().as_str())
    );
    let seconds: f64 = stream["duration"].as_str().unwrap().parse().unwrap();
    let planned = expected as f64 / 30.0;
    assert!(
        (seconds - planned).abs() <= 1.0 / 30.0,
        "{seconds} s, planned {planned} s"
    );
    assert_eq!(info.duration_ms, expected * 1000 / 30);

    let boxes = top_level_boxes(&fs::read(&out).unwrap());
    let moov = boxes.iter().position(|b| b == "moov").expect("a moov box");
    let mdat = boxes.iter().position(|b| b == "mdat").expect("an mdat box");
    assert!(moov < mdat, "fast start: moov before mdat in {boxes:?}");
    assert_eq!(boxes[0], "ftyp");

    assert_eq!(decode_errors(&out), "", "every frame decodes cleanly");

    // What the viewer sees: red, then green, then blue, and only the video
    // file in the folder (no temporary files left behind).
    let red = mean_colour(&out, 5);
    let green = mean_colour(&out, 22);
    let blue = mean_colour(&out, expected - 3);
    assert!(red[0] > red[1] + 30.0 && red[0] > red[2] + 30.0, "{red:?}");
    assert!(
        green[1] > green[0] + 30.0 && green[1] > green[2] + 30.0,
        "{green:?}"
    );
    assert!(
        blue[2] > blue[0] + 30.0 && blue[2] > blue[1] + 30.0,
        "{blue:?}"
    );
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn a_caption_darkens_the_bottom_of_the_frame_and_a_title_card_comes_first() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("titled.mp4");
    let mut plan = three_scenes(320, 180);
    plan.title = Some("Our dragon story".into());
    for scene in &mut plan.scenes {
        scene.image = Arc::new(RgbaImage::from_pixel(320, 180, Rgba([230, 230, 230, 255])));
    }
    let info = render_mp4(&plan, &out, &never, &AtomicBool::new(false)).expect("renders");
    assert_eq!(info.frames, plan_frames(&plan));
    assert_eq!(decode_errors(&out), "");

    // The title card (75 frames) is dark; the pale scenes are bright, the
    // second one (frames 87..105, fading in until 93) with its caption.
    let title = mean_colour(&out, 5);
    assert!(title.iter().all(|&c| c < 110.0), "{title:?}");
    let plain = mean_colour(&out, 80);
    let captioned = mean_colour(&out, 97);
    assert!(plain.iter().all(|&c| c > 200.0), "{plain:?}");
    assert!(
        captioned[0] < plain[0] - 15.0,
        "the caption band: {captioned:?} vs {plain:?}"
    );
}

#[test]
fn the_gif_has_the_planned_frames_at_10_fps_and_480_wide() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("story.gif");
    let plan = three_scenes(1280, 720);
    let info = render_gif(&plan, &out, &never, &AtomicBool::new(false)).expect("renders");
    // 600 ms scenes at 10 fps, fades of 200 ms = 2 frames.
    assert_eq!(info.frames, 6 + 6 - 2 + 6 - 2);
    assert_eq!((info.width, info.height, info.fps), (480, 270, GIF_FPS));

    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let mut decoder = options
        .read_info(fs::File::open(&out).unwrap())
        .expect("a GIF");
    assert_eq!((decoder.width(), decoder.height()), (480, 270));
    let mut frames = 0;
    let mut first_red = 0.0;
    while let Some(frame) = decoder.read_next_frame().expect("frames decode") {
        assert_eq!(frame.delay, 10, "1/10 s a frame");
        if frames == 0 {
            let pixels = frame.buffer.chunks_exact(4);
            first_red = pixels
                .map(|p| f64::from(p[0]) - f64::from(p[2]))
                .sum::<f64>();
        }
        frames += 1;
    }
    assert_eq!(frames, info.frames);
    assert!(first_red > 0.0, "the first scene is red");
}

#[test]
fn cancelling_midway_stops_with_cancelled_and_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let plan = three_scenes(320, 180);
    for (name, gif) in [("cancelled.mp4", false), ("cancelled.gif", true)] {
        let out = dir.path().join(name);
        let cancel = AtomicBool::new(false);
        let last = AtomicU64::new(0);
        let progress = |p: RenderProgress| {
            last.store(p.frames_done, Ordering::SeqCst);
            if p.frames_done == 10 {
                cancel.store(true, Ordering::SeqCst);
            }
        };
        let result = if gif {
            render_gif(&plan, &out, &progress, &cancel)
        } else {
            render_mp4(&plan, &out, &progress, &cancel)
        };
        let error = result.expect_err("cancelled");
        assert!(matches!(error, VideoError::Cancelled));
        assert_eq!(error.code(), "cancelled");
        assert_eq!(last.load(Ordering::SeqCst), 10, "stopped at the next frame");
        assert!(!out.exists());
    }
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no temporary files left"
    );
}

fn assert_refused(plan: &VideoPlan, code: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bad.mp4");
    fs::write(&out, b"the previous video").unwrap();
    let error = render_mp4(plan, &out, &never, &AtomicBool::new(false)).expect_err(code);
    assert_eq!(error.code(), code, "{error}");
    assert!(!error.to_string().is_empty());
    assert_eq!(
        fs::read(&out).unwrap(),
        b"the previous video",
        "the old file is kept"
    );
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    assert_eq!(plan_frames(plan), 0);
}

#[test]
fn too_few_or_too_many_scenes_are_refused() {
    let mut plan = three_scenes(320, 180);
    plan.scenes.clear();
    assert_refused(&plan, "too_few_scenes");
    plan.scenes.push(scene(0, 1000, Transition::Cut));
    assert_refused(&plan, "too_few_scenes");
    let one = plan.scenes[0].clone();
    plan.scenes = vec![one; MAX_SCENES];
    for scene in &mut plan.scenes {
        scene.duration_ms = MIN_SCENE_MS;
    }
    validate(&plan).expect("the most scenes are fine");
    plan.scenes.push(plan.scenes[0].clone());
    assert_refused(&plan, "too_many_scenes");
}

#[test]
fn scene_durations_outside_the_limits_are_refused() {
    let mut plan = three_scenes(320, 180);
    plan.scenes[0].duration_ms = 0;
    assert_refused(&plan, "bad_duration");
    plan.scenes[0].duration_ms = 10 * 60 * 60 * 1000;
    assert_refused(&plan, "bad_duration");
    plan.scenes[0].duration_ms = MIN_SCENE_MS - 1;
    assert_refused(&plan, "bad_duration");
    plan.scenes[0].duration_ms = MAX_SCENE_MS + 1;
    assert_refused(&plan, "bad_duration");
    plan.scenes[0].duration_ms = MIN_SCENE_MS;
    plan.scenes[1].transition = Transition::Cut;
    validate(&plan).expect("the shortest scene is fine");
    plan.scenes[0].duration_ms = MAX_SCENE_MS;
    validate(&plan).expect("the longest scene is fine");

    // Ten one-minute scenes are exactly the longest video; one more is not.
    let long = scene(0, MAX_SCENE_MS, Transition::Cut);
    let count = (MAX_TOTAL_MS / u64::from(MAX_SCENE_MS)) as usize;
    plan.scenes = vec![long; count];
    validate(&plan).expect("the longest video is fine");
    plan.scenes.push(plan.scenes[0].clone());
    assert_refused(&plan, "bad_duration");
}

#[test]
fn a_crossfade_longer_than_half_a_scene_is_refused() {
    let mut plan = three_scenes(320, 180);
    plan.scenes[1].transition = Transition::Crossfade { ms: SCENE_MS / 2 };
    validate(&plan).expect("half a scene is fine");
    plan.scenes[1].transition = Transition::Crossfade {
        ms: SCENE_MS / 2 + 1,
    };
    assert_refused(&plan, "bad_duration");
}

#[test]
fn captions_and_titles_past_the_limit_are_refused() {
    let mut plan = three_scenes(320, 180);
    plan.scenes[0].caption = Some("x".repeat(100 * 1024));
    assert_refused(&plan, "caption_too_long");
    plan.scenes[0].caption = Some("é".repeat(MAX_CAPTION_CHARS));
    validate(&plan).expect("the longest caption is fine");
    plan.scenes[0].caption = Some("é".repeat(MAX_CAPTION_CHARS + 1));
    assert_refused(&plan, "caption_too_long");
    plan.scenes[0].caption = None;
    plan.title = Some("t".repeat(MAX_TITLE_CHARS));
    validate(&plan).expect("the longest title is fine");
    plan.title = Some("t".repeat(MAX_TITLE_CHARS + 1));
    assert_refused(&plan, "caption_too_long");
}

#[test]
fn sizes_and_rates_past_the_limits_are_refused() {
    let mut plan = three_scenes(MAX_WIDTH, MAX_HEIGHT);
    validate(&plan).expect("1080p is fine");
    for (width, height) in [
        (MAX_WIDTH + 2, MAX_HEIGHT),
        (MAX_WIDTH, MAX_HEIGHT + 2),
        (3840, 2160),
        (0, 0),
        (641, 360),
    ] {
        plan.width = width;
        plan.height = height;
        assert_refused(&plan, "bad_size");
    }
    plan = three_scenes(640, 360);
    for fps in [0, 61] {
        plan.fps = fps;
        assert_refused(&plan, "bad_fps");
    }
    plan.fps = 60;
    validate(&plan).expect("60 fps is fine");
    plan.scenes[2].image = Arc::new(RgbaImage::new(0, 0));
    assert_refused(&plan, "bad_image");
}
