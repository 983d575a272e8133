//! permessage-deflate on a real socket: a client that offers it gets the
//! board in far fewer bytes on the wire, a client that does not gets the
//! same frames as ever, and both get the same board.

mod common;

use common::{Client, TestHost};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use coco::socket::{deflate, inflate, DEFLATE_RESPONSE};

/// Strokes of the board, and points per stroke.
const STROKES: usize = 400;
const POINTS: usize = 50;

/// A raw WebSocket client: every byte the host sends is counted, and every
/// frame's header is seen as it came.
struct Raw {
    tcp: TcpStream,
    buf: Vec<u8>,
    received: usize,
    extensions: Option<String>,
}

/// One frame as it arrived.
struct RawFrame {
    rsv1: bool,
    opcode: u8,
    payload: Vec<u8>,
}

impl Raw {
    async fn connect(host: &TestHost, room: &str, offer: Option<&str>) -> Raw {
        let addr = host.http();
        let mut tcp = TcpStream::connect(addr).await.unwrap();
        let mut request = format!(
            "GET /ws?room={room} HTTP/1.1\r\nHost: {addr}\r\nConnection: Upgrade\r\n\
             Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        );
        if let Some(offer) = offer {
            request.push_str(&format!("Sec-WebSocket-Extensions: {offer}\r\n"));
        }
        request.push_str("\r\n");
        tcp.write_all(request.as_bytes()).await.unwrap();
        let mut raw = Raw {
            tcp,
            buf: Vec::new(),
            received: 0,
            extensions: None,
        };
        let end = loop {
            if let Some(end) = raw.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break end + 4;
            }
            raw.fill().await;
        };
        let head = String::from_utf8(raw.buf.drain(..end).collect()).unwrap();
        assert!(head.starts_with("HTTP/1.1 101"), "{head}");
        raw.extensions = head
            .lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(name, _)| name.eq_ignore_ascii_case("sec-websocket-extensions"))
            .map(|(_, value)| value.trim().to_owned());
        raw
    }

    async fn fill(&mut self) {
        let mut chunk = [0u8; 16 * 1024];
        let n = tokio::time::timeout(common::WAIT, self.tcp.read(&mut chunk))
            .await
            .expect("bytes within the wait time")
            .unwrap();
        assert!(n > 0, "the host closed the socket");
        self.received += n;
        self.buf.extend_from_slice(&chunk[..n]);
    }

    /// Sends one masked text frame, compressed (RSV1) or not.
    async fn send(&mut self, text: &str, compress: bool) {
        let payload = if compress {
            deflate(text.as_bytes())
        } else {
            text.as_bytes().to_vec()
        };
        let mut frame = vec![if compress { 0xc1 } else { 0x81 }];
        match payload.len() {
            n if n < 126 => frame.push(0x80 | n as u8),
            n if n <= 0xffff => {
                frame.push(0x80 | 126);
                frame.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                frame.push(0x80 | 127);
                frame.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        let key = [0x12, 0x34, 0x56, 0x78];
        frame.extend_from_slice(&key);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
        self.tcp.write_all(&frame).await.unwrap();
    }

    async fn frame(&mut self) -> RawFrame {
        loop {
            if self.buf.len() >= 2 {
                let (first, second) = (self.buf[0], self.buf[1]);
                assert_eq!(second & 0x80, 0, "the host never masks");
                let (len, at) = match second & 0x7f {
                    126 if self.buf.len() >= 4 => {
                        (u16::from_be_bytes([self.buf[2], self.buf[3]]) as usize, 4)
                    }
                    127 if self.buf.len() >= 10 => (
                        u64::from_be_bytes(self.buf[2..10].try_into().unwrap()) as usize,
                        10,
                    ),
                    126 | 127 => (usize::MAX, 0),
                    n => (n as usize, 2),
                };
                if len != usize::MAX && self.buf.len() >= at + len {
                    let payload = self.buf[at..at + len].to_vec();
                    self.buf.drain(..at + len);
                    assert_ne!(first & 0x80, 0, "the host sends whole messages");
                    return RawFrame {
                        rsv1: first & 0x40 != 0,
                        opcode: first & 0x0f,
                        payload,
                    };
                }
            }
            self.fill().await;
        }
    }

    /// The next message of this type, as text, and whether it came compressed.
    async fn expect(&mut self, kind: &str) -> (String, bool) {
        loop {
            let frame = self.frame().await;
            if frame.opcode != 1 {
                continue;
            }
            let text = if frame.rsv1 {
                inflate(&frame.payload, 64 << 20).expect("a valid compressed frame")
            } else {
                frame.payload
            };
            let text = String::from_utf8(text).unwrap();
            let value: Value = serde_json::from_str(&text).unwrap();
            if value["type"] == kind {
                return (text, frame.rsv1);
            }
        }
    }

    async fn join(&mut self, user: &str, compress: bool) {
        let join = json!({"type": "JOIN_ROOM", "payload": {"userId": user, "username": user}});
        self.send(&join.to_string(), compress).await;
        self.expect("WELCOME").await;
    }

    async fn full_sync(&mut self, user: &str) -> (String, bool) {
        let sync = json!({"type": "REQUEST_SYNC", "payload": {"userId": user}});
        self.send(&sync.to_string(), false).await;
        self.expect("SYNC_SHAPES").await
    }
}

/// A pencil stroke with pointer-like coordinates (one decimal, wandering).
fn stroke(id: usize) -> Value {
    let points: Vec<Value> = (0..POINTS)
        .map(|i| {
            let t = (id * POINTS + i) as f64;
            json!({"x": ((t * 7.31).sin() * 900.0 * 10.0).round() / 10.0 + i as f64,
                   "y": ((t * 3.17).cos() * 600.0 * 10.0).round() / 10.0})
        })
        .collect();
    json!({"id": format!("s{id}"), "type": "pencil", "points": points,
           "style": {"strokeColor": "#1971c2", "fillColor": "transparent", "strokeWidth": 2, "opacity": 1},
           "isSelected": false})
}

async fn big_board(host: &TestHost, room: &str) {
    let (mut loader, _) = Client::join(&host.ws(room), "loader").await;
    for id in 0..STROKES {
        loader
            .send(
                "SHAPE_ADDED",
                json!({"shape": stroke(id), "userId": "loader"}),
            )
            .await;
    }
    let sync = loader.sync(None).await;
    assert_eq!(sync["shapes"].as_array().unwrap().len(), STROKES);
}

#[tokio::test]
async fn a_client_offering_deflate_gets_the_same_board_in_far_fewer_bytes() {
    let host = TestHost::start().await;
    big_board(&host, "big").await;

    let mut plain = Raw::connect(&host, "big", None).await;
    assert_eq!(plain.extensions, None, "nothing offered, nothing agreed");
    plain.join("plain", false).await;
    let before = plain.received;
    let (plain_sync, plain_compressed) = plain.full_sync("plain").await;
    let plain_bytes = plain.received - before;
    assert!(!plain_compressed);
    // Today's frame: the text frame carries the JSON itself.
    assert!(plain_bytes >= plain_sync.len());

    let browser_offer = "permessage-deflate; client_max_window_bits";
    let mut packed = Raw::connect(&host, "big", Some(browser_offer)).await;
    assert_eq!(packed.extensions.as_deref(), Some(DEFLATE_RESPONSE));
    packed.join("packed", true).await;
    let before = packed.received;
    let (packed_sync, packed_compressed) = packed.full_sync("packed").await;
    let packed_bytes = packed.received - before;
    assert!(packed_compressed);

    assert_eq!(packed_sync, plain_sync, "the same board either way");
    assert!(
        packed_bytes * 3 < plain_bytes,
        "{packed_bytes} bytes compressed against {plain_bytes}"
    );
    println!(
        "full sync of {STROKES} strokes: {plain_bytes} bytes plain, {packed_bytes} compressed ({:.1} %)",
        packed_bytes as f64 * 100.0 / plain_bytes as f64
    );
    host.stop().await;
}

#[tokio::test]
async fn compressed_strokes_are_taken_and_relayed_compressed_only_to_who_asked() {
    let host = TestHost::start().await;
    let offer = Some("permessage-deflate");
    let mut drawer = Raw::connect(&host, "r", offer).await;
    drawer.join("drawer", true).await;
    let mut packed = Raw::connect(&host, "r", offer).await;
    packed.join("packed", false).await;
    let mut plain = Raw::connect(&host, "r", None).await;
    plain.join("plain", false).await;

    let add = json!({"type": "SHAPE_ADDED",
        "payload": {"shape": stroke(1), "userId": "drawer", "opId": "op-1"}});
    drawer.send(&add.to_string(), true).await;
    let (ack, _) = drawer.expect("ACK").await;
    assert!(ack.contains("op-1"));
    let (to_packed, compressed) = packed.expect("SHAPE_ADDED").await;
    assert!(compressed);
    let (to_plain, compressed) = plain.expect("SHAPE_ADDED").await;
    assert!(!compressed);
    assert_eq!(to_packed, to_plain);

    // A short message goes out as it is, also to who agreed to compression.
    let cursor = json!({"type": "CURSOR_MOVE", "payload": {"userId": "drawer", "position": {"x": 1, "y": 2}}});
    drawer.send(&cursor.to_string(), true).await;
    let (_, compressed) = packed.expect("CURSOR_MOVE").await;
    assert!(!compressed);
    host.stop().await;
}

#[tokio::test]
async fn a_compressed_message_that_inflates_past_the_cap_is_too_large() {
    let host = TestHost::start().await;
    let mut bomb = Raw::connect(&host, "r", Some("permessage-deflate")).await;
    bomb.join("bomb", false).await;
    let huge = format!(
        r#"{{"type":"CURSOR_MOVE","payload":{{"userId":"bomb","pad":"{}"}}}}"#,
        "a".repeat(64 << 20)
    );
    bomb.send(&huge, true).await;
    let (error, _) = bomb.expect("ERROR").await;
    assert!(error.contains("too_large"), "{error}");
    host.stop().await;
}
