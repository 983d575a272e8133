//! Every error code of the protocol: the answer, what happens to the
//! connection, and that nothing stored changed.

mod common;

use coco::protocol::limits::{
    MAX_FRAME_BYTES, MAX_MESSAGES_PER_SEC, MAX_POINTS_PER_SHAPE, MESSAGE_BURST,
};
use common::{pencil, shape_ids, Client, TestHost};
use futures_util::SinkExt;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

async fn joined(host: &TestHost) -> Client {
    let (mut a, _) = Client::join(&host.ws("main"), "ann").await;
    a.add_acked("keep").await;
    a
}

/// The connection still works and the stored board is just `keep`.
async fn still_fine(a: &mut Client) {
    let sync = a.sync(None).await;
    assert_eq!(shape_ids(&sync), ["keep"]);
    assert_eq!(sync["rev"], 1);
}

#[tokio::test]
async fn bad_json_keeps_the_connection_open() {
    let host = TestHost::start().await;
    let mut a = joined(&host).await;
    for bad in [
        "{not json",
        "42",
        r#"{"payload":{}}"#,
        r#"{"type":5,"payload":{}}"#,
    ] {
        a.send_raw(bad.to_string()).await;
        assert_eq!(a.expect_error().await, "bad_json", "for {bad}");
    }
    a.socket
        .send(Message::Binary(vec![1, 2, 3].into()))
        .await
        .unwrap();
    assert_eq!(a.expect_error().await, "bad_json");
    still_fine(&mut a).await;
    host.stop().await;
}

#[tokio::test]
async fn an_unknown_type_keeps_the_connection_open() {
    let host = TestHost::start().await;
    let mut a = joined(&host).await;
    a.send("ERASE_EVERYTHING", json!({})).await;
    let error = a.expect("ERROR").await;
    assert_eq!(error["code"], "unknown_type");
    assert!(error["message"]
        .as_str()
        .unwrap()
        .contains("ERASE_EVERYTHING"));
    still_fine(&mut a).await;
    host.stop().await;
}

#[tokio::test]
async fn invalid_payloads_store_nothing() {
    let host = TestHost::start().await;
    let mut a = joined(&host).await;
    let too_many_points: Vec<_> = (0..=MAX_POINTS_PER_SHAPE)
        .map(|i| json!({"x": i, "y": 0}))
        .collect();
    let cases = [
        json!({"type": "SHAPE_ADDED", "payload": {"shape": {"type": "pencil"}}}),
        json!({"type": "SHAPE_ADDED", "payload": {"shape": {"id": 3, "type": "pencil"}}}),
        json!({"type": "SHAPE_ADDED", "payload": {"shape": {"id": "x", "type": "pencil", "points": "nope"}}}),
        json!({"type": "SHAPE_ADDED", "payload": {"shape": {"id": "x", "type": "pencil", "points": too_many_points}}}),
        json!({"type": "SHAPE_UPDATED", "payload": {"shapeId": "keep", "updates": "nope"}}),
        json!({"type": "SHAPE_UPDATED", "payload": {"shapeId": "keep", "updates": {"text": "x".repeat(1024 * 1024)}}}),
        json!({"type": "SHAPES_DELETED", "payload": {"shapeIds": "keep"}}),
        json!({"type": "SHAPES_DELETED", "payload": {"shapeIds": [1, 2]}}),
        json!({"type": "REQUEST_SYNC", "payload": {"since": "yesterday"}}),
        json!({"type": "CURSOR_MOVE", "payload": {"position": 3}}),
        json!({"type": "WEBCAM_OFFER", "payload": {"targetUserId": "nobody", "offer": {}}}),
    ];
    for case in cases {
        a.send_raw(case.to_string()).await;
        let error = a.expect("ERROR").await;
        assert_eq!(error["code"], "invalid", "for {case}");
        assert!(!error["message"].as_str().unwrap().is_empty());
    }
    still_fine(&mut a).await;
    host.stop().await;
}

#[tokio::test]
async fn a_refused_operation_is_named_by_its_op_id() {
    let host = TestHost::start().await;
    let mut a = joined(&host).await;
    let huge = "x".repeat(1024 * 1024);
    a.send(
        "SHAPE_UPDATED",
        json!({"shapeId": "keep", "updates": {"text": huge}, "opId": "too-big"}),
    )
    .await;
    let error = a.expect("ERROR").await;
    assert_eq!(error["code"], "invalid");
    assert_eq!(error["opId"], "too-big");
    still_fine(&mut a).await;
    host.stop().await;
}

#[tokio::test]
async fn room_messages_before_joining_are_not_joined() {
    let host = TestHost::start().await;
    let mut a = Client::connect(&host.ws("main")).await;
    a.send("SHAPE_ADDED", json!({"shape": pencil("x", 2)}))
        .await;
    assert_eq!(a.expect_error().await, "not_joined");
    a.send("REQUEST_SYNC", json!({})).await;
    assert_eq!(a.expect_error().await, "not_joined");
    // Still open: joining now works, and nothing was stored.
    a.join_as("ann", None).await;
    assert!(shape_ids(&a.sync(None).await).is_empty());
    host.stop().await;
}

#[tokio::test]
async fn frames_are_limited_at_the_limit_and_past_it() {
    let host = TestHost::start().await;
    let mut a = joined(&host).await;
    let frame_of = |len: usize| {
        let base =
            json!({"type": "CURSOR_MOVE", "payload": {"position": {"x": 1, "y": 2}, "pad": ""}})
                .to_string();
        json!({"type": "CURSOR_MOVE", "payload": {"position": {"x": 1, "y": 2}, "pad": "x".repeat(len - base.len())}}).to_string()
    };
    a.send_raw(frame_of(MAX_FRAME_BYTES)).await;
    still_fine(&mut a).await;
    a.send_raw(frame_of(MAX_FRAME_BYTES + 1)).await;
    assert_eq!(a.expect_error().await, "too_large");
    assert!(a.closed().await);
    let (mut b, _) = Client::join(&host.ws("main"), "bob").await;
    still_fine(&mut b).await;
    host.stop().await;
}

#[tokio::test]
async fn a_flooding_sender_is_rate_limited_and_the_room_is_unharmed() {
    let host = TestHost::start().await;
    let mut a = joined(&host).await;
    let (mut b, _) = Client::join(&host.ws("main"), "bob").await;
    let cursor =
        json!({"type": "CURSOR_MOVE", "payload": {"position": {"x": 1, "y": 2}}}).to_string();
    // Well past the burst, faster than the sustained rate can refill it.
    let flood = (MESSAGE_BURST + MAX_MESSAGES_PER_SEC) as usize;
    for _ in 0..flood {
        a.socket
            .feed(Message::Text(cursor.clone().into()))
            .await
            .unwrap();
    }
    a.socket.flush().await.unwrap();
    assert_eq!(a.expect_error().await, "rate_limited");
    // Bob is unaffected and the board is intact.
    b.send(
        "SHAPE_ADDED",
        json!({"shape": pencil("bob-1", 2), "opId": "b1"}),
    )
    .await;
    b.expect("ACK").await;
    assert_eq!(shape_ids(&b.sync(None).await), ["keep", "bob-1"]);
    host.stop().await;
}

#[tokio::test]
async fn a_bad_room_name_is_refused_at_upgrade() {
    let host = TestHost::start().await;
    for room in ["..%2F..%2Fetc", "a%00b", &"r".repeat(65)] {
        let url = format!("ws://{}/?room={room}", host.host.ws_addr());
        let refused = Client::try_connect_with(&url, &[])
            .await
            .err()
            .expect("refused");
        assert_eq!(refused.0, 400, "room {room}");
        assert!(refused.1.contains("\"code\":\"invalid\""));
    }
    host.stop().await;
}

#[tokio::test]
async fn pages_from_other_origins_may_not_connect() {
    let host = TestHost::start().await;
    let url = host.ws("main");
    let refused = Client::try_connect_with(&url, &[("origin", "http://evil.example")])
        .await
        .err()
        .expect("refused");
    assert_eq!(refused.0, 403);
    assert!(refused.1.contains("forbidden_origin"));
    for ok in ["http://localhost:5173", "tauri://localhost"] {
        assert!(
            Client::try_connect_with(&url, &[("origin", ok)])
                .await
                .is_ok(),
            "{ok}"
        );
    }
    let same_origin = format!("http://{}", host.http());
    assert!(
        Client::try_connect_with(&host.ws_main_port("main"), &[("origin", &same_origin)])
            .await
            .is_ok()
    );
    host.stop().await;
}

/// A change the host refuses while reading it names its `opId`, so that the
/// client can drop it from its unsaved changes instead of replaying it after
/// every reconnect.
#[tokio::test]
async fn a_change_refused_while_reading_it_names_its_op_id() {
    let host = TestHost::start().await;
    let (mut client, _) = Client::join(&host.ws("main"), "ann").await;
    let too_many = pencil("s1", MAX_POINTS_PER_SHAPE + 1);
    client
        .send(
            "SHAPE_ADDED",
            json!({"shape": too_many, "userId": "ann", "opId": "op-too-many"}),
        )
        .await;
    let error = client.expect("ERROR").await;
    assert_eq!(error["code"], "invalid", "{error}");
    assert_eq!(error["opId"], "op-too-many", "{error}");
    // Bad JSON has no readable op id, and says so by leaving it out.
    client.send_raw("{not json".into()).await;
    let error = client.expect("ERROR").await;
    assert_eq!(error["code"], "bad_json");
    assert!(error.get("opId").is_none(), "{error}");
    host.stop().await;
}
