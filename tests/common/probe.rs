//! `ffprobe` (Debian's `ffmpeg`), the real decoder the video tests check with.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// Runs `ffprobe -v error ARGS -of json PATH` and returns its JSON.
pub fn ffprobe_json(path: &Path, args: &[&str]) -> Value {
    let output = Command::new("ffprobe")
        .args(["-v", "error"])
        .args(args)
        .args(["-of", "json"])
        .arg(path)
        .output()
        .expect("ffprobe runs (apt-get install ffmpeg)");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("ffprobe prints JSON")
}

/// The first video stream, every frame decoded and counted.
pub fn video_stream(path: &Path) -> Value {
    ffprobe_json(
        path,
        &[
            "-count_frames",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=codec_name,width,height,avg_frame_rate,nb_read_frames,duration",
        ],
    )["streams"][0]
        .clone()
}
