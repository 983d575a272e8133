//! Gemini's story and narration in a video, over a real host and a fake
//! Gemini: the story's captions and title, the narration as an AAC track
//! beside the H.264 one (checked with ffprobe and decoded with ffmpeg), and
//! every way the story can fail falling back to the people's own captions.
//! Videos are tiny (320×180 at 10 fps) so debug builds stay fast.

mod common;

use std::path::Path;
use std::time::Duration;

use coco::ai::gemini::{DEFAULT_TEXT_MODEL, DEFAULT_TTS_MODEL};
use coco::jobs::kinds::video::narrate::{NARRATION_PAD_MS, SPEECH_AT_ONCE};
use coco::jobs::kinds::video::shares::CROSSFADE_MS;
use coco::media::video::TITLE_CARD_MS;
use common::boards::{add_frame, call, default_board, finished, ok, upload};
use common::enhance::{host_with, KEY};
use common::fake_gemini::{FakeGemini, Reply};
use common::probe::{decode_errors, ffmpeg, saved};
use common::TestHost;
use serde_json::{json, Value};

const RATE: u32 = 24_000;
const FPS: u64 = 10;

/// A 440 Hz tone of `ms` milliseconds at [`RATE`].
fn sine(ms: u32) -> Vec<i16> {
    let n = (u64::from(ms) * u64::from(RATE) / 1000) as usize;
    (0..n)
        .map(|i| {
            let t = i as f32 / RATE as f32;
            ((t * 440.0 * std::f32::consts::TAU).sin() * 12_000.0) as i16
        })
        .collect()
}

/// Two frames: the first with the people's caption, the second without.
async fn two_frames(host: &TestHost) -> String {
    let board = default_board(host, "main").await;
    let id = board["id"].as_str().unwrap().to_string();
    for (seed, caption) in [(1, "our own words"), (2, "")] {
        let image = upload(host, seed).await;
        add_frame(
            host,
            &id,
            json!({"image": image, "caption": caption, "durationMs": 500, "motion": "none"}),
        )
        .await;
    }
    id
}

fn story_answer(frames: usize) -> Value {
    let lines: Vec<Value> = (1..=frames)
        .map(|i| json!({"caption": format!("Gemini's caption {i}"), "narration": format!("Line {i} of the tale.")}))
        .collect();
    json!({"title": "The Tale", "frames": lines})
}

async fn render(host: &TestHost, board: &str, extra: Value) -> Value {
    let mut body = json!({"storyboardId": board, "width": 320, "height": 180, "fps": FPS});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let started = ok(host, "POST", "/api/generate-video", Some(body)).await;
    finished(host, started["requestId"].as_str().unwrap()).await
}

/// Downloads the result's video into a temporary file.
async fn download(host: &TestHost, result: &Value) -> tempfile::NamedTempFile {
    let path = result["path"].as_str().unwrap();
    let (status, _, bytes) = common::http(host.http(), "GET", path, &[], None).await;
    assert_eq!(status, 200);
    saved(&bytes)
}

/// Every stream as ffprobe reads it.
fn streams(path: &Path) -> Vec<Value> {
    let args = [
        "-show_entries",
        "stream=codec_type,codec_name,sample_rate,channels,duration,nb_frames",
    ];
    let json = common::probe::ffprobe_json(path, &args);
    json["streams"].as_array().unwrap().clone()
}

fn notes(result: &Value) -> Vec<String> {
    result["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect()
}

/// The top-level box types of an MP4, in order.
fn top_boxes(bytes: &[u8]) -> Vec<String> {
    let mut at = 0;
    let mut kinds = Vec::new();
    while at + 8 <= bytes.len() {
        let size = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        kinds.push(String::from_utf8_lossy(&bytes[at + 4..at + 8]).into_owned());
        assert!(size >= 8, "box size {size}");
        at += size;
    }
    kinds
}

/// The audio track decoded to mono 16-bit samples at [`RATE`].
fn decoded_audio(path: &Path) -> Vec<i16> {
    let rate = RATE.to_string();
    ffmpeg(
        path,
        &[
            "-map", "0:a:0", "-f", "s16le", "-ac", "1", "-ar", &rate, "-",
        ],
    )
    .chunks_exact(2)
    .map(|b| i16::from_le_bytes([b[0], b[1]]))
    .collect()
}

/// Root mean square of the samples between two times, in seconds.
fn rms(samples: &[i16], from: f64, to: f64) -> f64 {
    let (a, b) = ((from * RATE as f64) as usize, (to * RATE as f64) as usize);
    let window = &samples[a.min(samples.len())..b.min(samples.len())];
    assert!(!window.is_empty(), "{from}..{to} is past the audio");
    let sum: f64 = window.iter().map(|&s| f64::from(s) * f64::from(s)).sum();
    (sum / window.len() as f64).sqrt()
}

/// Frames a duration takes at [`FPS`], as the renderer rounds it.
fn frames_of(ms: u32) -> u64 {
    (u64::from(ms) * FPS + 500) / 1000
}

#[tokio::test]
async fn gemini_tells_the_story_and_narrates_the_video() {
    let (one, two) = (1_200, 800);
    let fake = FakeGemini::start(
        KEY,
        &[DEFAULT_TEXT_MODEL, DEFAULT_TTS_MODEL],
        vec![
            Reply::json_text(&story_answer(2)),
            // The lines are asked for at the same time: each answer is for its line.
            Reply::speech(&sine(one), RATE).for_text("Line 1"),
            Reply::speech(&sine(two), RATE).for_text("Line 2"),
        ],
    )
    .await;
    let (host, _tmp) = host_with(&fake, Duration::from_secs(30)).await;
    let board = two_frames(&host).await;
    let done = render(
        &host,
        &board,
        json!({"storyContext": "a birthday in the park"}),
    )
    .await;
    assert_eq!(done["status"], "complete", "{done}");
    let result = &done["result"];

    // The people's caption wins; Gemini's fills the frame without one.
    let story = &result["story"];
    assert_eq!(story["by"], "gemini");
    assert_eq!(story["title"], "The Tale");
    assert_eq!(story["frames"][0]["caption"], "our own words");
    assert_eq!(story["frames"][0]["captionBy"], "people");
    assert_eq!(story["frames"][1]["caption"], "Gemini's caption 2");
    assert_eq!(story["frames"][1]["captionBy"], "gemini");
    assert_eq!(story["frames"][1]["narration"], "Line 2 of the tale.");
    assert_eq!(result["narration"]["codec"], "aac");
    assert_eq!(result["narration"]["lines"], 2);
    assert!(notes(result).is_empty(), "{:?}", notes(result));

    // What Gemini was asked: the story with both pictures, the schema and
    // the context from the text model; then each line from the TTS model.
    // (The host also checks its image model at start, with a GET.)
    let requests: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect();
    assert_eq!(requests.len(), 3);
    assert!(requests[0]
        .path
        .ends_with(&format!("{DEFAULT_TEXT_MODEL}:generateContent")));
    let asked = requests[0].body.as_ref().unwrap();
    let parts = asked["contents"][0]["parts"].as_array().unwrap();
    assert_eq!(
        parts
            .iter()
            .filter(|p| p.get("inlineData").is_some())
            .count(),
        2
    );
    assert!(parts[0]["text"]
        .as_str()
        .unwrap()
        .contains("a birthday in the park"));
    assert!(parts[1]["text"].as_str().unwrap().contains("our own words"));
    assert_eq!(
        asked["generationConfig"]["responseMimeType"],
        "application/json"
    );
    assert_eq!(
        asked["generationConfig"]["responseSchema"]["properties"]["frames"]["minItems"],
        2
    );
    let mut spoken = requests[1..].to_vec();
    spoken.sort_by_key(|r| r.body.as_ref().unwrap()["contents"][0]["parts"][0]["text"].to_string());
    for (request, line) in spoken.iter().zip(["Line 1", "Line 2"]) {
        assert!(request
            .path
            .ends_with(&format!("{DEFAULT_TTS_MODEL}:generateContent")));
        let body = request.body.as_ref().unwrap();
        assert!(body["contents"][0]["parts"][0]["text"]
            .as_str()
            .unwrap()
            .contains(line));
        assert_eq!(
            body["generationConfig"]["responseModalities"],
            json!(["AUDIO"])
        );
        assert_eq!(request.api_key.as_deref(), Some(KEY));
    }

    // Scenes last their line plus the fade-in and the pad; the title card first.
    let scene = |line: u32| line + CROSSFADE_MS + NARRATION_PAD_MS;
    let fade = frames_of(CROSSFADE_MS);
    let total = frames_of(TITLE_CARD_MS) + frames_of(scene(one)) + frames_of(scene(two)) - 2 * fade;
    assert_eq!(result["frames"], total);
    let seconds = total as f64 / FPS as f64;

    let file = download(&host, result).await;
    let bytes = std::fs::read(file.path()).unwrap();
    let boxes = top_boxes(&bytes);
    let (moov, mdat) = (
        boxes.iter().position(|b| b == "moov").unwrap(),
        boxes.iter().position(|b| b == "mdat").unwrap(),
    );
    assert!(moov < mdat, "{boxes:?}");
    let found = streams(file.path());
    assert_eq!(found.len(), 2, "{found:?}");
    let video = found.iter().find(|s| s["codec_type"] == "video").unwrap();
    let audio = found.iter().find(|s| s["codec_type"] == "audio").unwrap();
    assert_eq!(video["codec_name"], "h264");
    assert_eq!(audio["codec_name"], "aac");
    assert_eq!(audio["sample_rate"], "24000");
    assert_eq!(audio["channels"], 1);
    let length: f64 = audio["duration"].as_str().unwrap().parse().unwrap();
    assert!(
        (length - seconds).abs() < 0.1,
        "audio {length} s, video {seconds} s"
    );

    let errors = decode_errors(file.path());
    assert!(errors.is_empty(), "{errors}");

    // Each line sounds while its scene is on screen, silence around it.
    let sound = decoded_audio(file.path());
    let at = |frame: u64| frame as f64 / FPS as f64;
    let first = frames_of(TITLE_CARD_MS) - fade;
    let line_one = at(first + fade);
    let second = first + frames_of(scene(one)) - fade;
    let line_two = at(second + fade);
    assert!(
        rms(&sound, 0.2, line_one - 0.2) < 300.0,
        "silence before the first line"
    );
    // In sync: the line is heard when its scene is on screen, not an encoder delay later.
    let onset = sound.iter().position(|s| s.unsigned_abs() > 2_000).unwrap() as f64 / RATE as f64;
    assert!(
        (onset - line_one).abs() < 0.01,
        "the first line is heard at {onset:.3} s; its scene is on screen at {line_one:.3} s"
    );
    assert!(
        rms(&sound, line_one + 0.2, line_one + 1.0) > 3_000.0,
        "the first line"
    );
    assert!(
        rms(&sound, line_one + 1.2 + 0.15, line_two - 0.1) < 300.0,
        "silence between the lines"
    );
    assert!(
        rms(&sound, line_two + 0.2, line_two + 0.6) > 3_000.0,
        "the second line"
    );
    host.stop().await;
}

#[tokio::test]
async fn an_unusable_story_falls_back_to_the_peoples_captions() {
    let fake = FakeGemini::start(
        KEY,
        &[DEFAULT_TEXT_MODEL, DEFAULT_TTS_MODEL],
        vec![
            // One frame for a storyboard of two.
            Reply::json_text(&story_answer(1)),
            Reply::prompt_blocked("SAFETY"),
            // The story is fine (one line to speak), the speech is refused.
            Reply::json_text(&{
                let mut story = story_answer(2);
                story["frames"][1]["narration"] = json!("");
                story
            }),
            Reply::error(
                400,
                "INVALID_ARGUMENT",
                "This model only supports text input.",
            ),
            // Asked for Gemini by name: the same bad answer fails the job.
            Reply::json_text(&story_answer(3)),
        ],
    )
    .await;
    let (host, _tmp) = host_with(&fake, Duration::from_secs(30)).await;
    let board = two_frames(&host).await;

    for expected in ["bad_story", "prompt_blocked"] {
        let done = render(&host, &board, json!({})).await;
        assert_eq!(done["status"], "complete", "{done}");
        let result = &done["result"];
        assert_eq!(result["story"]["by"], "people");
        assert_eq!(result["story"]["frames"][0]["caption"], "our own words");
        assert_eq!(result["story"]["frames"][1]["caption"], Value::Null);
        assert_eq!(result["narration"], Value::Null);
        let said = notes(result);
        assert!(
            said.iter()
                .any(|n| n.starts_with("no Gemini story") && n.contains(expected)),
            "{said:?}"
        );
        let file = download(&host, result).await;
        let found = streams(file.path());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0]["codec_name"], "h264");
    }

    let done = render(&host, &board, json!({})).await;
    assert_eq!(done["status"], "complete", "{done}");
    let result = &done["result"];
    assert_eq!(result["story"]["by"], "gemini");
    assert_eq!(
        result["story"]["frames"][1]["caption"],
        "Gemini's caption 2"
    );
    assert_eq!(result["narration"], Value::Null);
    let said = notes(result);
    assert!(
        said.iter()
            .any(|n| n.starts_with("no narration") && n.contains("rejected")),
        "{said:?}"
    );
    let file = download(&host, result).await;
    assert_eq!(streams(file.path()).len(), 1);

    let done = render(&host, &board, json!({"story": "gemini"})).await;
    assert_eq!(
        (done["state"].as_str(), done["code"].as_str()),
        (Some("failed"), Some("bad_story")),
        "{done}"
    );
    assert!(
        done["error"].as_str().unwrap().contains("3 frames"),
        "{done}"
    );
    assert_eq!(fake.pending(), 0);
    host.stop().await;
}

#[tokio::test]
async fn a_long_story_is_read_aloud_several_lines_at_a_time_in_order() {
    const FRAMES: usize = SPEECH_AT_ONCE + 2;
    let lengths: Vec<u32> = (0..FRAMES as u32).map(|i| 400 + 200 * i).collect();
    let mut replies = vec![Reply::json_text(&story_answer(FRAMES))];
    // Each answer takes a while (the first lines longest), so lines asked for together are
    // answered together, and not in the order asked.
    for (i, ms) in lengths.iter().enumerate().rev() {
        let said = Reply::speech(&sine(*ms), RATE);
        replies.push(
            Reply::slow(Duration::from_millis(100 + 100 * (FRAMES - i) as u64), said)
                .for_text(&format!("Line {}", i + 1)),
        );
    }
    let fake = FakeGemini::start(KEY, &[DEFAULT_TEXT_MODEL, DEFAULT_TTS_MODEL], replies).await;
    let (host, _tmp) = host_with(&fake, Duration::from_secs(30)).await;
    let board = default_board(&host, "main").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    for seed in 0..FRAMES as u8 {
        let image = upload(&host, seed + 1).await;
        add_frame(&host, &board, json!({"image": image, "durationMs": 500})).await;
    }
    let done = render(&host, &board, json!({})).await;
    assert_eq!(done["status"], "complete", "{done}");
    assert_eq!(
        fake.most_at_once(),
        SPEECH_AT_ONCE,
        "lines asked for at once"
    );
    assert_eq!(done["result"]["narration"]["lines"], FRAMES);
    // Each scene got its own line, whatever order the answers came in: it lasts as long as its line.
    let scene = |line: u32| frames_of(line + CROSSFADE_MS + NARRATION_PAD_MS);
    let fade = frames_of(CROSSFADE_MS);
    let total = frames_of(TITLE_CARD_MS) + lengths.iter().map(|ms| scene(*ms)).sum::<u64>()
        - FRAMES as u64 * fade;
    assert_eq!(done["result"]["frames"], total);
    // Each line is heard when its own scene starts, after the silence that ends the one before.
    let sound = decoded_audio(download(&host, &done["result"]).await.path());
    let mut start = frames_of(TITLE_CARD_MS) - fade;
    for (i, ms) in lengths.iter().enumerate() {
        let onset = (start + fade) as f64 / FPS as f64;
        assert!(
            rms(&sound, onset - 0.3, onset - 0.05) < 300.0,
            "silence before line {}",
            i + 1
        );
        assert!(
            rms(&sound, onset + 0.05, onset + 0.35) > 3_000.0,
            "line {} at {onset} s",
            i + 1
        );
        start += scene(*ms) - fade;
    }
    assert_eq!(fake.pending(), 0);
    host.stop().await;
}

#[tokio::test]
async fn without_a_key_the_video_is_silent_and_says_why() {
    let host = TestHost::start().await;
    let board = two_frames(&host).await;
    let (status, answer) = call(
        &host,
        "POST",
        "/api/generate-video",
        Some(json!({"storyboardId": board, "story": "gemini"})),
    )
    .await;
    assert_eq!((status, answer["code"].as_str()), (400, Some("no_key")));
    let (status, answer) = call(
        &host,
        "POST",
        "/api/generate-video",
        Some(json!({"storyboardId": board, "story": "loud"})),
    )
    .await;
    assert_eq!((status, answer["code"].as_str()), (400, Some("invalid")));

    let done = render(&host, &board, json!({"storyContext": "a picnic"})).await;
    assert_eq!(done["status"], "complete", "{done}");
    let result = &done["result"];
    assert_eq!(result["story"]["by"], "people");
    assert_eq!(result["narration"], Value::Null);
    let said = notes(result);
    assert!(said.contains(
        &"no narration: the host has no Gemini key; the video shows your captions".to_string()
    ));
    assert!(said.contains(&"the story context is only used for Gemini's story".to_string()));
    let file = download(&host, result).await;
    let found = streams(file.path());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["codec_type"], "video");
    host.stop().await;
}
