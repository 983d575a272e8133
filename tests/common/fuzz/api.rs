//! The HTTP side of `tests/fuzz.rs`: every route that takes a JSON body,
//! with the fields its body has; a sender for bodies of any bytes; and the
//! host's state read back, to tell that a refused request changed nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{id, number, one_of, pick, shorten, text};
use crate::common::boards::{add_frame, call, default_board};
use crate::common::{header, parse_head, TestHost, WAIT};

/// A body's fields, each with the values it is generated from.
pub type Fields = Vec<(&'static str, BoxedStrategy<Value>)>;

/// A route and the fields of its body (none: a route that reads no body).
pub struct Route {
    pub method: &'static str,
    pub path: String,
    pub fields: Fields,
}

fn route(method: &'static str, path: impl Into<String>, fields: Fields) -> Route {
    let path = path.into();
    Route {
        method,
        path,
        fields,
    }
}

/// A 1×1 PNG the upload route takes.
const PNG: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0l\
                   EQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

fn string(t: BoxedStrategy<String>) -> BoxedStrategy<Value> {
    t.prop_map(Value::String).boxed()
}

fn room() -> BoxedStrategy<Value> {
    prop_oneof![3 => pick(&["main", "other"]), 1 => string(text())].boxed()
}

fn flag() -> BoxedStrategy<Value> {
    any::<bool>().prop_map(Value::Bool).boxed()
}

fn frame_fields() -> Fields {
    vec![
        ("caption", string(text())),
        ("durationMs", number()),
        ("motion", pick(&["kenburns", "none", "zoom"])),
        ("transition", pick(&["crossfade", "cut", "wipe"])),
    ]
}

/// Every route of both APIs that takes a JSON body, and those that take
/// none (given one anyway). Paths name the real storyboard and frame where
/// a refusal would otherwise always be `not_found`; the routes that would
/// wipe the board whatever their body name none.
pub fn routes(board: &str, frames: &[String], image: &str) -> Vec<Route> {
    let sb = format!("/api/storyboards/{board}");
    let images = || {
        let named = [
            image,
            "/img/nope.png",
            "/enhanced_drawings/x.png",
            "../../etc/passwd",
        ];
        let mut named: Vec<String> = named.iter().map(|s| s.to_string()).collect();
        named.push(image.replace("/img/", ""));
        one_of(named)
    };
    let ids = one_of(frames.iter().cloned().chain(["nope".into()]).collect());
    let compat = || {
        vec![
            ("imagePath", images()),
            ("imageIndex", number()),
            ("room", room()),
        ]
    };
    let mut added = frame_fields();
    added.extend([("image", images()), ("index", number())]);
    let pictures = one_of(vec![
        PNG.into(),
        "data:image/png;base64,!!!".into(),
        "data:image/svg+xml;base64,PHN2Zz4=".into(),
    ]);
    let video = vec![
        ("storyboardId", one_of(vec![board.into(), "sb-none".into()])),
        ("room", room()),
        ("storyContext", string(text())),
        ("includeMusic", flag()),
        ("title", string(text())),
        ("width", number()),
        ("height", number()),
        ("fps", number()),
        ("format", pick(&["mp4", "gif", "avi"])),
        ("story", pick(&["auto", "gemini", "off", "x"])),
        ("by", id()),
    ];
    let enhance = vec![
        ("filename", images()),
        ("prompt", string(text())),
        ("engine", pick(&["auto", "gemini", "local", "x"])),
        ("upscale", flag()),
        ("room", room()),
        ("by", id()),
    ];
    let order = prop::collection::vec(ids, 0..4).prop_map(Value::Array);
    vec![
        route(
            "POST",
            "/api/storyboards",
            vec![("room", room()), ("name", string(text()))],
        ),
        route(
            "PATCH",
            &sb,
            vec![("name", string(text())), ("title", string(text()))],
        ),
        route("POST", format!("{sb}/frames"), added),
        route(
            "PATCH",
            format!("{sb}/frames/{}", frames[0]),
            frame_fields(),
        ),
        route(
            "POST",
            format!("{sb}/order"),
            vec![("frameIds", order.boxed())],
        ),
        route("POST", "/api/storyboards/sb-none/clear", vec![]),
        route("DELETE", format!("{sb}/frames/nope"), vec![]),
        route("POST", "/api/storyboard/add", compat()),
        route("POST", "/api/storyboard/delete", compat()),
        route("POST", "/api/storyboard/clear", vec![("room", room())]),
        route("POST", "/api/generate-video", video),
        route("POST", "/api/enhance-image", enhance),
        route(
            "POST",
            "/api/save-image",
            vec![("imageData", prop_oneof![pictures, string(text())].boxed())],
        ),
        route(
            "POST",
            "/api/host/kick",
            vec![("room", room()), ("userId", pick(&["ada", "nobody"]))],
        ),
        route("POST", "/api/host/open", vec![("open", flag())]),
        route("POST", "/api/host/rotate-code", vec![]),
        route("POST", "/api/jobs/job-none/cancel", vec![]),
    ]
}

/// A request with a body of any bytes, sent as JSON, with the admin
/// secret when given; the status and the body of the answer.
pub async fn send(
    host: &TestHost,
    method: &str,
    path: &str,
    admin: Option<&str>,
    body: &[u8],
) -> (u16, Vec<u8>) {
    let addr = host.http();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(admin) = admin {
        head.push_str(&format!("X-Coco-Admin: {admin}\r\n"));
    }
    let mut request = format!("{head}\r\n").into_bytes();
    request.extend_from_slice(body);
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    // A host that answers before it has read the whole body may close early.
    let _ = stream.write_all(&request).await;
    let mut raw = Vec::new();
    let _ = tokio::time::timeout(WAIT, stream.read_to_end(&mut raw))
        .await
        .expect("an answer within the wait time");
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n");
    let split = split.expect("a complete answer");
    let head = String::from_utf8_lossy(&raw[..split]);
    let (status, headers) = parse_head(&head);
    assert!(
        header(&headers, "transfer-encoding").is_none(),
        "API answers have a length: {head}"
    );
    (status, raw[split + 4..].to_vec())
}

/// A refusal as the API promises it: a client error, as JSON
/// `{success: false, error, code}`; its code, or what is wrong with it.
pub fn check_refusal(status: u16, body: &[u8], case: &str) -> Result<String, String> {
    let answer: Value = serde_json::from_slice(body).unwrap_or_default();
    let code = answer["code"].as_str().unwrap_or_default();
    let error = answer["error"].as_str().unwrap_or_default();
    if status >= 500 || answer["success"] != false || code.is_empty() || error.is_empty() {
        return Err(format!("{case}: refused with {status} {}", shorten(body)));
    }
    Ok(code.to_string())
}

/// Everything a request could change, read back (the idea of `edges.rs`):
/// the storyboards of every room in `rooms`, jobs, the gate, who is
/// seated, and the files on disk.
pub async fn state_of(host: &TestHost, rooms: &BTreeSet<String>) -> Value {
    let mut jobs = call(host, "GET", "/api/jobs", None).await.1;
    // A job's age in its listing is not state.
    strip(&mut jobs, "updatedAt");
    let mut boards = BTreeMap::new();
    for room in rooms {
        let path = format!("/api/storyboards?room={room}");
        boards.insert(room.clone(), call(host, "GET", &path, None).await.1);
    }
    let files = |dir: &str| {
        files_in(host, dir)
            .filter(|f| !f.ends_with(PARTIAL))
            .count()
    };
    json!({
        "storyboards": boards,
        "jobs": jobs,
        "codeRequired": call(host, "GET", "/api/health", None).await.1["codeRequired"],
        "users": call(host, "GET", "/api/session", None).await.1["users"],
        "code": host.host.join_code().to_string(),
        "files": [files("images"), files("enhanced"), files("videos")],
    })
}

/// The end of a render's scratch file: never listed or served, and removed
/// by a cancelled render when it notices, which may be after the job already
/// reads `cancelled` (see [`partial_files_go`]).
const PARTIAL: &str = ".part";

/// The names of the files in a folder of the host's data directory.
fn files_in(host: &TestHost, dir: &str) -> impl Iterator<Item = String> {
    let entries = std::fs::read_dir(host.dir.join(dir)).into_iter().flatten();
    entries.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
}

/// Waits for the scratch files of cancelled renders to go; the ones left.
pub async fn partial_files_go(host: &TestHost) -> Vec<String> {
    let started = Instant::now();
    loop {
        let left: Vec<String> = files_in(host, "videos")
            .filter(|f| f.ends_with(PARTIAL))
            .collect();
        if left.is_empty() || started.elapsed() > Duration::from_secs(60) {
            return left;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn strip(value: &mut Value, key: &str) {
    match value {
        Value::Object(map) => {
            map.remove(key);
            map.values_mut().for_each(|v| strip(v, key));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| strip(v, key)),
        _ => {}
    }
}

/// The ids of a storyboard's frames.
pub fn frame_ids(board: &Value) -> Vec<String> {
    let frames = board["frames"].as_array().unwrap();
    let ids = frames.iter().map(|f| f["id"].as_str().unwrap().to_string());
    ids.collect()
}

/// Keeps two frames on the room's storyboard (a fuzzed clear may have
/// emptied it), so that frame routes have something to refuse to change.
pub async fn keep_frames(host: &TestHost, image: &str) {
    let board = default_board(host, "main").await;
    let id = board["id"].as_str().unwrap().to_string();
    for _ in board["frames"].as_array().map_or(0, Vec::len)..2 {
        add_frame(host, &id, json!({ "image": image })).await;
    }
}

/// Cancels a job a fuzzed request started and waits for it to end, so
/// that the job list stands still for the next comparison.
pub async fn settle(host: &TestHost, job: &str) {
    let cancel = format!("/api/jobs/{job}/cancel");
    call(host, "POST", &cancel, Some(json!({}))).await;
    let started = Instant::now();
    let path = format!("/api/jobs/{job}");
    while call(host, "GET", &path, None).await.1["job"]["status"]
        .as_str()
        .is_some_and(|s| s == "queued" || s == "running")
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{job} never ended"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
