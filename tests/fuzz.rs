//! Fuzzed input, over the WebSocket message parser, a live room and every
//! HTTP route that takes a JSON body. What a user relies on: no message
//! crashes the host, every refusal says why with a machine-readable code,
//! and a refused message changes nothing stored. The cases come from a fixed
//! seed ([`fuzz::SEED`]), so CI checks the same slice on every run;
//! `coco-bench fuzz --cases 1000000` (the load tool, `bench/tool`) runs a
//! million parser cases.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use coco::media::images::MAX_UPLOAD_BYTES;
use coco::protocol::limits::{MAX_FRAME_BYTES, MAX_ID_BYTES, MAX_LASER_POINTS, MAX_SHAPE_BYTES};
use coco::protocol::{self, valid_room_name, ClientMessage, ErrorCode};
use common::boards::{call, default_board, upload};
use common::fuzz::api::{
    check_refusal, frame_ids, keep_frames, partial_files_go, routes, send, settle, state_of,
};
use common::fuzz::{self, object, shorten, TYPES};
use common::{Client, TestHost};
use proptest::prelude::*;
use proptest::strategy::Union;
use proptest::test_runner::{TestCaseError, TestError};
use serde_json::{json, Value};

/// Parser cases: each takes microseconds.
const PARSER_CASES: u32 = 4096;
/// Frames sent to a live room.
const ROOM_CASES: usize = 256;
/// Requests sent to a live host's API.
const HTTP_CASES: usize = 192;

/// The codes `parse` refuses with; the others need a room or a socket.
const PARSE_CODES: [&str; 4] = ["bad_json", "unknown_type", "invalid", "too_large"];

fn kind_of(msg: &ClientMessage) -> &'static str {
    match msg {
        ClientMessage::JoinRoom { .. } => "JOIN_ROOM",
        ClientMessage::CursorMove(_) => "CURSOR_MOVE",
        ClientMessage::Viewport(_) => "VIEWPORT",
        ClientMessage::Laser(_) => "LASER",
        ClientMessage::ShapeAdded { .. } => "SHAPE_ADDED",
        ClientMessage::ShapeUpdated { .. } => "SHAPE_UPDATED",
        ClientMessage::ShapesDeleted { .. } => "SHAPES_DELETED",
        ClientMessage::RequestSync { .. } => "REQUEST_SYNC",
        ClientMessage::Relay { kind, .. } | ClientMessage::Targeted { kind, .. } => kind,
    }
}

fn id_ok(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_ID_BYTES
}

/// What an accepted message promises the room: bounded ids, a stored shape
/// that is the shape sent, an update that cannot rename, a target that is set.
fn check_accepted(msg: &ClientMessage) -> Result<(), TestCaseError> {
    prop_assert!(msg.op_id().is_none_or(id_ok));
    match msg {
        ClientMessage::JoinRoom {
            user_id,
            username,
            secret,
            ..
        } => {
            prop_assert!(id_ok(user_id) && username.len() <= MAX_ID_BYTES);
            prop_assert!(secret.as_ref().is_none_or(|s| s.len() <= MAX_ID_BYTES));
        }
        ClientMessage::CursorMove(payload) => prop_assert!(payload["position"].is_object()),
        ClientMessage::Viewport(payload) => {
            let rect = &payload["rect"];
            prop_assert!(rect["w"].as_f64().is_some_and(|w| w > 0.0));
            prop_assert!(rect["h"].as_f64().is_some_and(|h| h > 0.0));
        }
        ClientMessage::Laser(payload) => {
            let points = payload["points"].as_array();
            prop_assert!(points.is_some_and(|p| (1..=MAX_LASER_POINTS).contains(&p.len())));
        }
        ClientMessage::ShapeAdded {
            shape_id,
            shape_json,
            payload,
            ..
        } => {
            prop_assert!(id_ok(shape_id) && shape_json.len() <= MAX_SHAPE_BYTES);
            // Compared as text: re-reading a float may move it by one ulp.
            prop_assert_eq!(&payload["shape"]["id"], shape_id.as_str());
            prop_assert_eq!(&payload["shape"].to_string(), shape_json);
        }
        ClientMessage::ShapeUpdated {
            shape_id, updates, ..
        } => prop_assert!(id_ok(shape_id) && !updates.contains_key("id")),
        ClientMessage::ShapesDeleted { shape_ids, .. } => {
            prop_assert!(shape_ids.iter().all(|id| id_ok(id)))
        }
        ClientMessage::Targeted {
            target, payload, ..
        } => prop_assert_eq!(&payload["targetUserId"], target.as_str()),
        ClientMessage::RequestSync { .. } | ClientMessage::Relay { .. } => {}
    }
    Ok(())
}

/// One frame against what `parse` promises; the accepted type or the
/// refusal's code.
fn check_parse(text: &str) -> Result<&'static str, TestCaseError> {
    let too_large = text.len() > MAX_FRAME_BYTES;
    match protocol::parse(text) {
        Err(e) => {
            let code = e.code.as_str();
            prop_assert!(PARSE_CODES.contains(&code), "{} from the parser", code);
            prop_assert!(!e.message.trim().is_empty(), "{} without a message", code);
            prop_assert_eq!(e.code == ErrorCode::TooLarge, too_large);
            if !too_large && serde_json::from_str::<Value>(text).is_err() {
                prop_assert_eq!(code, "bad_json");
            }
            // What the client reads: the code, and the op id it can drop.
            let op_id = protocol::refused_op_id(text);
            prop_assert!(op_id.as_deref().is_none_or(id_ok));
            let sent = protocol::error_frame_for_op(e.code, &e.message, op_id.as_deref());
            let sent: Value = serde_json::from_str(sent.as_str()).expect("frames are JSON");
            prop_assert_eq!(&sent["payload"]["code"], code);
            Ok(code)
        }
        Ok(msg) => {
            prop_assert!(!too_large);
            let value: Value = serde_json::from_str(text).expect("accepted frames are JSON");
            prop_assert_eq!(value["type"].as_str(), Some(kind_of(&msg)));
            check_accepted(&msg)?;
            Ok(kind_of(&msg))
        }
    }
}

#[test]
fn the_parser_refuses_every_malformed_frame_with_a_code_and_never_panics() {
    let seen = Mutex::new(BTreeMap::<&'static str, u32>::new());
    let frames = prop_oneof![40 => fuzz::frame_text(), 1 => fuzz::at_the_size_limit()];
    let result = fuzz::runner(PARSER_CASES).run(&frames, |text| {
        let outcome = check_parse(&text)?;
        *seen.lock().unwrap().entry(outcome).or_default() += 1;
        Ok(())
    });
    match result {
        Ok(()) => {}
        Err(TestError::Fail(why, text)) => {
            panic!("{why}\nminimal failing frame: {}", shorten(text.as_bytes()))
        }
        Err(e) => panic!("{e}"),
    }
    let seen = seen.into_inner().unwrap();
    eprintln!("{PARSER_CASES} frames: {seen:?}");
    // Not vacuous: every type got through, every refusal came up.
    for key in TYPES.iter().chain(&PARSE_CODES) {
        assert!(seen.contains_key(key), "{key} never came up: {seen:?}");
    }
}

/// The errors that came before the next `syncs` `SYNC_SHAPES` frames, and
/// the last of those. Panics if the host closes the socket.
async fn answers(client: &mut Client, syncs: usize, case: &str) -> (Vec<Value>, Value) {
    let (mut errors, mut seen) = (Vec::new(), 0);
    loop {
        let Some(msg) = client.next().await else {
            panic!("{case}: the host closed the socket")
        };
        match msg["type"].as_str() {
            Some("ERROR") => errors.push(msg["payload"].clone()),
            Some("SYNC_SHAPES") => {
                seen += 1;
                if seen == syncs {
                    return (errors, msg["payload"].clone());
                }
            }
            _ => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_frames_change_nothing_stored_and_keep_the_socket_open() {
    let host = TestHost::start().await;
    let url = host.ws("main");
    let (mut client, _) = Client::join(&url, "fuzzer").await;
    for id in fuzz::STORED {
        client.add_acked(id).await;
    }
    let mut board = client.sync(None).await;
    let stored = board.clone();
    let frames = prop_oneof![32 => fuzz::frame_text(), 1 => fuzz::at_the_size_limit()];
    let mut tally = BTreeMap::<String, u32>::new();
    for (n, text) in fuzz::sequence(&frames, ROOM_CASES).into_iter().enumerate() {
        let case = format!("case {n}, frame {}", shorten(text.as_bytes()));
        let expected = protocol::parse(&text);
        client.send_raw(text.clone()).await;
        if matches!(&expected, Err(e) if e.code == ErrorCode::TooLarge) {
            assert_eq!(client.expect("ERROR").await["code"], "too_large", "{case}");
            assert!(client.closed().await, "{case}: too_large closes the socket");
            client = Client::join(&url, "fuzzer").await.0;
            assert_eq!(client.sync(None).await, board, "{case}: the board changed");
            *tally.entry("too_large".into()).or_default() += 1;
            continue;
        }
        client.send("REQUEST_SYNC", json!({})).await;
        let syncs = 1 + usize::from(matches!(expected, Ok(ClientMessage::RequestSync { .. })));
        let (errors, after) = answers(&mut client, syncs, &case).await;
        for error in &errors {
            let code = error["code"].as_str().unwrap_or_default();
            let message = error["message"].as_str().unwrap_or_default();
            assert!(!code.is_empty() && !message.is_empty(), "{case}: {error}");
        }
        if let Err(e) = &expected {
            let first = errors.first().unwrap_or_else(|| panic!("{case}: no ERROR"));
            assert_eq!(first["code"], e.code.as_str(), "{case}");
            let op_id = protocol::refused_op_id(&text);
            assert_eq!(first["opId"].as_str(), op_id.as_deref(), "{case}");
        }
        match errors.first() {
            None => {
                board = after;
                *tally.entry("accepted".into()).or_default() += 1;
            }
            Some(error) => {
                assert_eq!(
                    after, board,
                    "{case}: refused ({error}) but the board changed"
                );
                let code = error["code"].as_str().unwrap_or_default().to_string();
                *tally.entry(code).or_default() += 1;
            }
        }
    }
    eprintln!("{ROOM_CASES} frames to a room: {tally:?}");
    for key in [
        "accepted",
        "bad_json",
        "invalid",
        "unknown_type",
        "too_large",
    ] {
        assert!(tally.contains_key(key), "{key} never came up: {tally:?}");
    }
    assert_ne!(board, stored, "no accepted frame changed the board");
    // Refused frames were not written either: a restart shows the same board.
    drop(client);
    let dir = host.dir.clone();
    let _kept = host.stop().await;
    let host = TestHost::start_in(&dir).await;
    let (mut reader, _) = Client::join(&host.ws("main"), "reader").await;
    assert_eq!(reader.sync(None).await, board, "the board after a restart");
    host.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_refused_body_has_a_code_and_changes_nothing() {
    let host = TestHost::start().await;
    let admin = host.admin();
    let (_ada, _) = Client::join(&host.ws("main"), "ada").await;
    let image = upload(&host, 1).await;
    keep_frames(&host, &image).await;
    let board = default_board(&host, "main").await;
    let table = routes(board["id"].as_str().unwrap(), &frame_ids(&board), &image);
    let cases = Union::new(table.iter().enumerate().map(|(i, route)| {
        let body = fuzz::body(object(route.fields.clone()));
        (Just(i), body, prop::bool::weighted(0.8)).boxed()
    }));
    let mut rooms = BTreeSet::from(["main".to_string()]);
    let mut tally = BTreeMap::<String, u32>::new();
    for (n, (route, body, as_host)) in fuzz::sequence(&cases, HTTP_CASES).into_iter().enumerate() {
        let (method, path) = (table[route].method, &table[route].path);
        let case = format!("case {n}: {method} {path} {}", shorten(&body));
        keep_frames(&host, &image).await;
        // A room a body names is one the request could change.
        let named = serde_json::from_slice::<Value>(&body).ok();
        if let Some(room) = named.as_ref().and_then(|b| b.get("room")?.as_str()) {
            if valid_room_name(room) {
                rooms.insert(room.to_string());
            }
        }
        let before = state_of(&host, &rooms).await;
        let (status, answer) = send(
            &host,
            method,
            path,
            as_host.then_some(admin.as_str()),
            &body,
        )
        .await;
        if (200..300).contains(&status) {
            let answer: Value = serde_json::from_slice(&answer).unwrap_or_default();
            if let Some(job) = answer["requestId"].as_str() {
                settle(&host, job).await;
            }
            *tally.entry("2xx".into()).or_default() += 1;
            continue;
        }
        let code = check_refusal(status, &answer, &case).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            state_of(&host, &rooms).await,
            before,
            "{case}: refused ({code}) but changed state"
        );
        *tally.entry(code).or_default() += 1;
    }
    eprintln!("{HTTP_CASES} requests: {tally:?}");
    for key in ["2xx", "invalid", "not_found", "host_only"] {
        assert!(tally.contains_key(key), "{key} never came up: {tally:?}");
    }
    let left = partial_files_go(&host).await;
    assert!(left.is_empty(), "cancelled renders left {left:?}");
    let (status, _) = call(&host, "GET", "/api/health", None).await;
    assert_eq!(status, 200, "the host still answers");
    host.stop().await;
}

/// A body over the API's size limits is refused like any other bad body:
/// JSON with a code, and nothing changes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_body_is_refused_with_a_code() {
    let host = TestHost::start().await;
    let admin = host.admin();
    let image = upload(&host, 1).await;
    keep_frames(&host, &image).await;
    let board = default_board(&host, "main").await;
    let rooms = BTreeSet::from(["main".to_string()]);
    let mut wrong = Vec::new();
    for route in routes(board["id"].as_str().unwrap(), &frame_ids(&board), &image) {
        let (method, path) = (route.method, route.path);
        // Over the 2 MiB of the other routes; over the upload's own limit.
        let size = match path.as_str() {
            "/api/save-image" => MAX_UPLOAD_BYTES / 3 * 4 + (128 << 10),
            _ => (2 << 20) + 1,
        };
        let body = json!({ "name": "n".repeat(size) }).to_string();
        let before = state_of(&host, &rooms).await;
        let (status, answer) = send(&host, method, &path, Some(&admin), body.as_bytes()).await;
        let case = format!("{method} {path} with {} bytes", body.len());
        if (200..300).contains(&status) {
            continue; // a route that reads no body
        }
        if let Err(e) = check_refusal(status, &answer, &case) {
            wrong.push(e);
        } else if state_of(&host, &rooms).await != before {
            wrong.push(format!("{case}: refused but changed state"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    host.stop().await;
}
