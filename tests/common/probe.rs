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

/// Runs `ffmpeg -v error -i PATH ARGS` (ARGS end with the output, `-` for
/// standard output) and returns what it wrote there; fails with its errors.
pub fn ffmpeg(path: &Path, args: &[&str]) -> Vec<u8> {
    let output = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(args)
        .output()
        .expect("ffmpeg runs (apt-get install ffmpeg)");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// Decodes every frame of every stream; returns what the decoder complained about.
pub fn decode_errors(path: &Path) -> String {
    let output = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-f", "null", "-"])
        .output()
        .expect("ffmpeg runs (apt-get install ffmpeg)");
    assert!(output.status.success());
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `bytes` (a downloaded video) in a temporary file, for the tools above.
pub fn saved(bytes: &[u8]) -> tempfile::NamedTempFile {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), bytes).unwrap();
    file
}
