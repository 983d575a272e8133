//! Every message type of the protocol, relayed as the existing client expects.

mod common;

use common::{http, pencil, shape_ids, Client, TestHost};
use serde_json::json;

async fn pair(host: &TestHost) -> (Client, Client) {
    let url = host.ws("main");
    let (mut a, _) = Client::join(&url, "ann").await;
    let (b, _) = Client::join(&url, "bob").await;
    a.expect("USER_JOINED").await; // herself
    a.expect("USER_JOINED").await; // bob
    (a, b)
}

#[tokio::test]
async fn cursor_moves_reach_the_others_with_the_senders_real_id() {
    let host = TestHost::start().await;
    let (mut a, mut b) = pair(&host).await;
    // Ann claims to be Bob: the host corrects the id.
    a.send(
        "CURSOR_MOVE",
        json!({"userId": "bob", "position": {"x": 10, "y": 20}, "extra": "kept"}),
    )
    .await;
    let moved = b.expect("CURSOR_MOVE").await;
    assert_eq!(moved["userId"], "ann");
    assert_eq!(moved["position"], json!({"x": 10, "y": 20}));
    assert_eq!(moved["extra"], "kept");
    host.stop().await;
}

#[tokio::test]
async fn shapes_are_relayed_with_revisions_and_kept_with_unknown_fields() {
    let host = TestHost::start().await;
    let (mut a, mut b) = pair(&host).await;
    let mut shape = pencil("s1", 3);
    shape["futureField"] = json!({"nested": [1, 2]});
    a.send("SHAPE_ADDED", json!({"shape": shape, "userId": "ann"}))
        .await;
    let added = b.expect("SHAPE_ADDED").await;
    assert_eq!(added["shape"], shape);
    assert_eq!(added["userId"], "ann");
    assert_eq!(added["rev"], 1);

    b.send(
        "SHAPE_UPDATED",
        json!({"shapeId": "s1", "updates": {"isSelected": true, "text": "hi"}, "userId": "bob"}),
    )
    .await;
    let updated = a.expect("SHAPE_UPDATED").await;
    assert_eq!(updated["shapeId"], "s1");
    assert_eq!(updated["rev"], 2);

    let sync = a.sync(None).await;
    assert_eq!(sync["rev"], 2);
    let stored = &sync["shapes"][0];
    assert_eq!(stored["futureField"], json!({"nested": [1, 2]}));
    assert_eq!(stored["isSelected"], true);
    assert_eq!(stored["text"], "hi");
    assert_eq!(stored["points"], shape["points"]);

    a.send(
        "SHAPES_DELETED",
        json!({"shapeIds": ["s1", "never-existed"], "userId": "ann"}),
    )
    .await;
    let deleted = b.expect("SHAPES_DELETED").await;
    assert_eq!(deleted["shapeIds"], json!(["s1", "never-existed"]));
    assert_eq!(deleted["rev"], 3);
    assert!(shape_ids(&b.sync(None).await).is_empty());
    host.stop().await;
}

#[tokio::test]
async fn an_update_to_a_deleted_shape_is_dropped() {
    let host = TestHost::start().await;
    let (mut a, mut b) = pair(&host).await;
    a.send("SHAPE_ADDED", json!({"shape": pencil("s1", 2)}))
        .await;
    b.expect("SHAPE_ADDED").await;
    a.send("SHAPES_DELETED", json!({"shapeIds": ["s1"]})).await;
    b.expect("SHAPES_DELETED").await;
    b.send(
        "SHAPE_UPDATED",
        json!({"shapeId": "s1", "updates": {"x": 1}}),
    )
    .await;
    let sync = b.sync(None).await;
    assert!(shape_ids(&sync).is_empty());
    assert_eq!(sync["rev"], 2);
    host.stop().await;
}

#[tokio::test]
async fn views_and_laser_trails_reach_the_others_and_nothing_is_stored() {
    use coco::protocol::limits::MAX_LASER_POINTS;
    let host = TestHost::start().await;
    let (mut a, mut b) = pair(&host).await;
    let rect = json!({"x": -20, "y": 10.5, "w": 640, "h": 360});
    a.send("VIEWPORT", json!({"userId": "bob", "rect": rect}))
        .await;
    let view = b.expect("VIEWPORT").await;
    assert_eq!(view, json!({"userId": "ann", "rect": rect}));

    let points: Vec<_> = (0..MAX_LASER_POINTS)
        .map(|i| json!({"x": i, "y": 2 * i}))
        .collect();
    a.send("LASER", json!({"stroke": 1, "points": points}))
        .await;
    let laser = b.expect("LASER").await;
    assert_eq!(laser["userId"], "ann");
    assert_eq!(laser["points"].as_array().unwrap().len(), MAX_LASER_POINTS);

    // One point too many is refused, and not relayed.
    let mut past = points.clone();
    past.push(json!({"x": 0, "y": 0}));
    a.send("LASER", json!({"stroke": 2, "points": past})).await;
    let refused = a.expect("ERROR").await;
    assert_eq!(refused["code"], "invalid", "{refused}");
    a.send("LASER", json!({"stroke": 3, "points": [{"x": 1, "y": 1}]}))
        .await;
    assert_eq!(
        b.expect("LASER").await["stroke"],
        3,
        "the refused one never came"
    );

    // Never stored: the room is still at revision 0, with no shape.
    let sync = b.sync(None).await;
    assert_eq!(sync["rev"], 0);
    assert!(shape_ids(&sync).is_empty());

    // The host's "bring everyone to me" reaches everyone in the room.
    let secret = host.admin();
    let admin = [("x-coco-admin", secret.as_str())];
    let body = json!({"room": "main", "userId": "ann"}).to_string();
    let (status, _, _) = http(
        host.http(),
        "POST",
        "/api/host/present",
        &admin,
        Some(&body),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(b.expect("PRESENT").await, json!({"userId": "ann"}));
    assert_eq!(a.expect("PRESENT").await, json!({"userId": "ann"}));
    let nobody = json!({"room": "main", "userId": "zed"}).to_string();
    let (status, _, _) = http(
        host.http(),
        "POST",
        "/api/host/present",
        &admin,
        Some(&nobody),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _, _) = http(host.http(), "POST", "/api/host/present", &[], Some(&body)).await;
    assert_eq!(status, 403, "only the host");
    host.stop().await;
}

#[tokio::test]
async fn status_messages_are_relayed_to_the_others() {
    let host = TestHost::start().await;
    let (mut a, mut b) = pair(&host).await;
    a.send(
        "HAND_TRACKING_STATUS",
        json!({"userId": "ann", "isEnabled": true}),
    )
    .await;
    assert_eq!(
        b.expect("HAND_TRACKING_STATUS").await,
        json!({"userId": "ann", "isEnabled": true})
    );
    b.send(
        "USER_STATUS_UPDATE",
        json!({"userId": "bob", "webcamEnabled": false}),
    )
    .await;
    assert_eq!(
        a.expect("USER_STATUS_UPDATE").await,
        json!({"userId": "bob", "webcamEnabled": false})
    );
    host.stop().await;
}

#[tokio::test]
async fn webcam_signalling_goes_only_to_its_target() {
    let host = TestHost::start().await;
    let url = host.ws("main");
    let (mut a, mut b) = pair(&host).await;
    let (mut c, _) = Client::join(&url, "cid").await;
    a.send(
        "WEBCAM_OFFER",
        json!({"userId": "ann", "targetUserId": "cid", "offer": {"sdp": "v=0"}}),
    )
    .await;
    let offer = c.expect("WEBCAM_OFFER").await;
    assert_eq!(offer["userId"], "ann");
    assert_eq!(offer["offer"], json!({"sdp": "v=0"}));
    c.send(
        "WEBCAM_ANSWER",
        json!({"userId": "cid", "targetUserId": "ann", "answer": {"sdp": "a"}}),
    )
    .await;
    assert_eq!(
        a.expect("WEBCAM_ANSWER").await["answer"],
        json!({"sdp": "a"})
    );
    c.send(
        "WEBCAM_ICE_CANDIDATE",
        json!({"userId": "cid", "targetUserId": "ann", "candidate": {"c": 1}}),
    )
    .await;
    assert_eq!(
        a.expect("WEBCAM_ICE_CANDIDATE").await["candidate"],
        json!({"c": 1})
    );
    // Bob saw none of it: the next thing he gets is a cursor move sent after.
    a.send("CURSOR_MOVE", json!({"position": {"x": 1, "y": 1}}))
        .await;
    loop {
        let msg = b.next().await.unwrap();
        assert!(
            !msg["type"].as_str().unwrap().starts_with("WEBCAM"),
            "bob got {msg}"
        );
        if msg["type"] == "CURSOR_MOVE" {
            break;
        }
    }
    host.stop().await;
}

#[tokio::test]
async fn a_client_that_never_sends_extensions_still_works() {
    // The existing client: no opId, no since; it still gets everything.
    let host = TestHost::start().await;
    let (mut a, mut b) = pair(&host).await;
    for i in 0..5 {
        a.send(
            "SHAPE_ADDED",
            json!({"shape": pencil(&format!("s{i}"), 2), "userId": "ann"}),
        )
        .await;
    }
    for _ in 0..5 {
        b.expect("SHAPE_ADDED").await;
    }
    let sync = b.sync(None).await;
    assert_eq!(shape_ids(&sync), ["s0", "s1", "s2", "s3", "s4"]);
    assert_eq!(sync["full"], true);
    host.stop().await;
}
