//! Uploads per host and per address: at most `MAX_UPLOADS_AT_ONCE` uploads
//! are read, decoded and written at once, at most `MAX_UPLOADS_PER_ADDRESS`
//! of them from one address; past either the host answers 429 `rate_limited`
//! with `Retry-After`. Bytes already stored are answered without decoding,
//! and concurrent uploads of the same bytes each write their own temporary
//! file.
//!
//! An upload is held in flight deterministically: its headers carry
//! `Expect: 100-continue`, and the host answers `100 Continue` only when it
//! starts reading the body, that is once the upload holds its place (or it
//! answers 429 at once). The test then sends the body when it chooses.

mod common;

use std::net::SocketAddr;

use base64::Engine;
use coco::media::images::ImageSize;
use coco::media::uploads::{MAX_UPLOADS_AT_ONCE, MAX_UPLOADS_PER_ADDRESS};
use common::boards::png;
use common::{header, parse_head, TestHost, WAIT};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

fn body_of(bytes: &[u8]) -> String {
    let data = base64::engine::general_purpose::STANDARD.encode(bytes);
    json!({"imageData": format!("data:image/png;base64,{data}")}).to_string()
}

/// A loopback address of its own (all of 127/8 is this machine).
fn address(n: u8) -> [u8; 4] {
    [127, 0, 0, n]
}

/// An HTTP answer: status, headers (lower-case names), JSON body.
type Answer = (u16, Vec<(String, String)>, Value);

/// Reads one response head (up to the blank line).
async fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let byte = tokio::time::timeout(WAIT, stream.read_u8())
            .await
            .expect("an answer within the wait time")
            .expect("the host answers");
        head.push(byte);
    }
    String::from_utf8(head).unwrap()
}

async fn read_answer(stream: &mut TcpStream, head: &str) -> Answer {
    let (status, headers) = parse_head(head);
    let mut body = Vec::new();
    tokio::time::timeout(WAIT, stream.read_to_end(&mut body))
        .await
        .expect("the body within the wait time")
        .unwrap();
    let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
    (status, headers, json)
}

/// An upload that holds its place on the host, its body not yet sent.
struct Held {
    stream: TcpStream,
    body: String,
}

enum Started {
    Held(Held),
    Answered(Answer),
}

/// Sends an upload's headers from `from`; returns it held (the host said
/// `100 Continue`) or the host's final answer.
async fn start(host: &TestHost, from: [u8; 4], bytes: &[u8]) -> Started {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::from((from, 0))).unwrap();
    let mut stream = socket.connect(host.http()).await.unwrap();
    let body = body_of(bytes);
    let head = format!(
        "POST /api/save-image HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\
         Expect: 100-continue\r\n\r\n",
        host.http(),
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let head = read_head(&mut stream).await;
    if head.starts_with("HTTP/1.1 100") {
        Started::Held(Held { stream, body })
    } else {
        Started::Answered(read_answer(&mut stream, &head).await)
    }
}

async fn hold(host: &TestHost, from: [u8; 4], bytes: &[u8]) -> Held {
    match start(host, from, bytes).await {
        Started::Held(held) => held,
        Started::Answered((status, _, body)) => {
            panic!("the upload from {from:?} was answered at once: {status} {body}")
        }
    }
}

/// Sends the body of a held upload; returns the final answer.
async fn finish(mut held: Held) -> Answer {
    held.stream.write_all(held.body.as_bytes()).await.unwrap();
    let head = read_head(&mut held.stream).await;
    read_answer(&mut held.stream, &head).await
}

async fn upload(host: &TestHost, from: [u8; 4], bytes: &[u8]) -> Answer {
    match start(host, from, bytes).await {
        Started::Held(held) => finish(held).await,
        Started::Answered(answer) => answer,
    }
}

/// Asserts a refusal for being busy: 429 `rate_limited` with `Retry-After`.
fn assert_busy((status, headers, body): &Answer) {
    assert_eq!(*status, 429, "{body}");
    assert_eq!(body["code"], "rate_limited", "{body}");
    assert!(!body["error"].as_str().unwrap().is_empty());
    let wait: u64 = header(headers, "retry-after")
        .expect("a Retry-After header")
        .parse()
        .unwrap();
    assert!(wait >= 1);
}

/// The files in the upload folder: stored pictures and any temporary file.
fn files(host: &TestHost) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(host.dir.join("images"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn uploads_from_one_address_are_limited_at_the_limit_and_past_it() {
    const { assert!(MAX_UPLOADS_PER_ADDRESS < MAX_UPLOADS_AT_ONCE) };
    let host = TestHost::start().await;
    let mut held = Vec::new();
    for i in 0..MAX_UPLOADS_PER_ADDRESS {
        held.push(hold(&host, address(2), &png(10 + i as u32, 10)).await);
    }
    // One more from the same address is refused before its body is read.
    assert_busy(&upload(&host, address(2), &png(40, 40)).await);
    // Another address still gets in: the host has room.
    let (status, _, body) = upload(&host, address(3), &png(41, 41)).await;
    assert_eq!(status, 200, "{body}");
    // The uploads at the limit all complete.
    for h in held {
        let (status, _, body) = finish(h).await;
        assert_eq!(status, 200, "{body}");
    }
    // Their places are free again.
    let (status, _, body) = upload(&host, address(2), &png(40, 40)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(files(&host).len(), MAX_UPLOADS_PER_ADDRESS + 2);
    host.stop().await;
}

#[tokio::test]
async fn uploads_at_once_are_limited_at_the_limit_and_past_it() {
    let host = TestHost::start().await;
    let mut held = Vec::new();
    for i in 0..MAX_UPLOADS_AT_ONCE {
        let from = address(10 + i as u8);
        held.push(hold(&host, from, &png(10 + i as u32, 12)).await);
    }
    // A new address, under its own limit: the host as a whole is busy.
    let past = upload(&host, address(99), &png(50, 50)).await;
    assert_busy(&past);
    for h in held {
        let (status, _, body) = finish(h).await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, _, body) = upload(&host, address(99), &png(50, 50)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(files(&host).len(), MAX_UPLOADS_AT_ONCE + 1);
    host.stop().await;
}

#[tokio::test]
async fn concurrent_uploads_of_the_same_bytes_all_succeed_with_one_file() {
    let host = TestHost::start().await;
    let bytes = png(300, 200);
    let mut held = Vec::new();
    for i in 0..MAX_UPLOADS_AT_ONCE {
        held.push(hold(&host, address(20 + i as u8), &bytes).await);
    }
    // Every body goes out before any answer is read: the uploads overlap.
    let answers = futures_util::future::join_all(held.into_iter().map(finish)).await;
    let mut names = Vec::new();
    for (status, _, body) in answers {
        assert_eq!(status, 200, "{body}");
        names.push(body["filename"].as_str().unwrap().to_string());
    }
    names.dedup();
    assert_eq!(names.len(), 1);
    // One file, and no temporary file left behind.
    assert_eq!(files(&host), names);
    host.stop().await;
}

/// A stored picture is recognised by the hash of its bytes before anything
/// is decoded: bytes that are stored but would not decode (planted here
/// before the host starts) are answered with the stored picture. A
/// temporary file left by a crash is removed when the host starts.
#[tokio::test]
async fn a_stored_picture_is_answered_without_decoding_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend_from_slice(b"these bytes would not decode");
    let hash: String = Sha256::digest(&bytes)[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let name = format!("{hash}.png");
    {
        let store = coco::store::Store::open(dir).unwrap();
        coco::media::images::ImageStore::open(dir, &store).unwrap();
        std::fs::write(dir.join("images").join(&name), &bytes).unwrap();
        // What a crash during a write leaves: removed when the host starts.
        std::fs::write(dir.join("images").join(format!(".{name}.1-0.tmp")), b"half").unwrap();
        let meta = store
            .table::<ImageSize>(coco::store::TableName::Uploads)
            .unwrap();
        meta.put(
            &name,
            &ImageSize {
                width: 7,
                height: 9,
            },
        )
        .unwrap();
    }
    let host = TestHost::start_in(dir).await;
    let (status, _, body) = upload(&host, address(1), &bytes).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["filename"], name);
    assert_eq!(
        (body["width"].as_u64(), body["height"].as_u64()),
        (Some(7), Some(9))
    );
    assert_eq!(files(&host), std::slice::from_ref(&name));
    // Bytes that are not stored are still decoded, and refused.
    bytes.push(b'!');
    let (status, _, body) = upload(&host, address(1), &bytes).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalid_image")),
        "{body}"
    );
    host.stop().await;
}
