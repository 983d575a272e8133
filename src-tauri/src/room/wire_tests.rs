//! The exact bytes a room sends: existing clients and tests read these
//! frames, so field names and their order must not change.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::protocol::{parse, ClientMessage, Seat};
use crate::room::{Conn, Outbox, Rooms};
use crate::store::{spawn_writer, Store};

fn msg(text: &str) -> ClientMessage {
    parse(text).unwrap()
}

fn conn(id: u64) -> Conn {
    Conn {
        id,
        outbox: Arc::new(Outbox::new()),
    }
}

/// Every frame queued for `conn` so far, as text.
fn sent(conn: &Conn) -> Vec<String> {
    conn.outbox
        .drain()
        .frames
        .iter()
        .map(|f| f.as_str().to_string())
        .collect()
}

/// The secret in a `WELCOME`, which is random.
fn secret_of(welcome: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(welcome).unwrap();
    v["payload"]["secret"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_room_sends_the_same_bytes_as_before() {
    let store = Store::in_memory();
    let finish = CancellationToken::new();
    let (writer, task) = spawn_writer(store.clone(), finish.clone());
    let rooms = Rooms::new(store.clone(), writer.clone());
    let room = rooms.get("art").await.unwrap();
    let (ann, bo) = (conn(1), conn(2));

    let me = room
        .join(&ann, "ann", "Ann".into(), Some(Seat::TopRight))
        .unwrap()
        .unwrap()
        .user_id;
    let welcome = sent(&ann);
    let secret = secret_of(&welcome[0]);
    assert_eq!(
        welcome,
        [
            format!(
                r##"{{"type":"WELCOME","payload":{{"userId":"ann","position":"top-right","color":"#1971C2","room":"art","rev":0,"users":[{{"id":"ann","name":"Ann","position":"top-right","isActive":true,"color":"#1971C2"}}],"secret":"{secret}"}}}}"##
            ),
            r##"{"type":"USER_JOINED","payload":{"id":"ann","name":"Ann","position":"top-right","isActive":true,"color":"#1971C2"}}"##.to_string(),
        ]
    );
    let bo_id = room
        .join(&bo, "bo", "Bo".into(), None)
        .unwrap()
        .unwrap()
        .user_id;
    assert_eq!(
        sent(&ann),
        [
            r##"{"type":"USER_JOINED","payload":{"id":"bo","name":"Bo","position":"top-left","isActive":true,"color":"#E03131"}}"##
        ]
    );
    let to_bo = sent(&bo);
    assert_eq!(to_bo.len(), 3);
    let secret = secret_of(&to_bo[0]);
    assert_eq!(
        to_bo[0],
        format!(
            r##"{{"type":"WELCOME","payload":{{"userId":"bo","position":"top-left","color":"#E03131","room":"art","rev":0,"users":[{{"id":"bo","name":"Bo","position":"top-left","isActive":true,"color":"#E03131"}},{{"id":"ann","name":"Ann","position":"top-right","isActive":true,"color":"#1971C2"}}],"secret":"{secret}"}}}}"##
        )
    );
    assert_eq!(
        to_bo[2],
        r##"{"type":"USER_JOINED","payload":{"id":"ann","name":"Ann","position":"top-right","isActive":true,"color":"#1971C2"}}"##
    );

    // Relays: the author's payload in its order, `userId` replaced where it
    // was or added at the end, then `rev` for document changes.
    room.handle(
        &ann,
        &me,
        msg(r#"{"type":"CURSOR_MOVE","payload":{"userId":"spoof","position":{"x":1.5,"y":2},"extra":[1]}}"#),
    )
    .unwrap();
    room.handle(
        &ann,
        &me,
        msg(r#"{"type":"SHAPE_ADDED","payload":{"shape":{"id":"s1","type":"line","points":[{"x":0.1,"y":2}]},"opId":"o1"}}"#),
    )
    .unwrap();
    writer.barrier().await;
    assert_eq!(
        sent(&ann),
        [r#"{"type":"ACK","payload":{"opIds":["o1"],"rev":1}}"#]
    );
    room.handle(
        &ann,
        &me,
        msg(r#"{"type":"SHAPE_UPDATED","payload":{"rev":99,"shapeId":"s1","updates":{"x":3},"userId":"ann"}}"#),
    )
    .unwrap();
    room.handle(
        &ann,
        &me,
        msg(r#"{"type":"HAND_TRACKING_STATUS","payload":{"isEnabled":true}}"#),
    )
    .unwrap();
    room.handle(
        &ann,
        &me,
        msg(r#"{"type":"WEBCAM_OFFER","payload":{"offer":{"sdp":"x"},"targetUserId":"bo"}}"#),
    )
    .unwrap();
    room.handle(
        &ann,
        &me,
        msg(r#"{"type":"SHAPES_DELETED","payload":{"shapeIds":["s1"],"opId":"o2"}}"#),
    )
    .unwrap();
    assert_eq!(
        sent(&bo),
        [
            r#"{"type":"SHAPE_ADDED","payload":{"shape":{"id":"s1","type":"line","points":[{"x":0.1,"y":2}]},"opId":"o1","userId":"ann","rev":1}}"#,
            r#"{"type":"SHAPE_UPDATED","payload":{"rev":2,"shapeId":"s1","updates":{"x":3},"userId":"ann"}}"#,
            r#"{"type":"HAND_TRACKING_STATUS","payload":{"isEnabled":true,"userId":"ann"}}"#,
            r#"{"type":"WEBCAM_OFFER","payload":{"offer":{"sdp":"x"},"targetUserId":"bo","userId":"ann"}}"#,
            r#"{"type":"SHAPES_DELETED","payload":{"shapeIds":["s1"],"opId":"o2","userId":"ann","rev":3}}"#,
            // Cursors wait in their own slot, after the document frames.
            r#"{"type":"CURSOR_MOVE","payload":{"userId":"ann","position":{"x":1.5,"y":2},"extra":[1]}}"#,
        ]
    );

    writer.barrier().await;
    assert_eq!(
        sent(&ann),
        [r#"{"type":"ACK","payload":{"opIds":["o2"],"rev":3}}"#]
    );

    room.handle(
        &ann,
        &me,
        msg(
            r#"{"type":"SHAPE_ADDED","payload":{"shape":{"id":"s2","type":"text","text":"é\"<"}}}"#,
        ),
    )
    .unwrap();
    sent(&bo);
    room.handle(&bo, &bo_id, msg(r#"{"type":"REQUEST_SYNC","payload":{}}"#))
        .unwrap();
    room.handle(
        &bo,
        &bo_id,
        msg(r#"{"type":"REQUEST_SYNC","payload":{"since":2}}"#),
    )
    .unwrap();
    assert_eq!(
        sent(&bo),
        [
            r#"{"type":"SYNC_SHAPES","payload":{"shapes":[{"id":"s2","type":"text","text":"é\"<"}],"deletedIds":[],"rev":4,"full":true}}"#,
            r#"{"type":"SYNC_SHAPES","payload":{"shapes":[{"id":"s2","type":"text","text":"é\"<"}],"deletedIds":["s1"],"rev":4,"full":false}}"#,
        ]
    );

    room.leave(&bo_id, bo.id);
    assert_eq!(
        sent(&ann),
        [r#"{"type":"USER_LEFT","payload":{"userId":"bo"}}"#]
    );

    finish.cancel();
    task.await.unwrap();
}

#[tokio::test]
async fn views_and_laser_trails_are_relayed_coalesced_and_never_stored() {
    let store = Store::in_memory();
    let finish = CancellationToken::new();
    let (writer, task) = spawn_writer(store.clone(), finish.clone());
    let rooms = Rooms::new(store.clone(), writer.clone());
    let room = rooms.get("live").await.unwrap();
    let (ann, bo) = (conn(1), conn(2));
    let me = room
        .join(&ann, "ann", "Ann".into(), Some(Seat::TopLeft))
        .unwrap()
        .unwrap()
        .user_id;
    let bo_id = room
        .join(&bo, "bo", "Bo".into(), None)
        .unwrap()
        .unwrap()
        .user_id;
    sent(&ann);
    sent(&bo);

    for text in [
        r#"{"type":"VIEWPORT","payload":{"rect":{"x":0,"y":0,"w":100,"h":50}}}"#,
        r#"{"type":"LASER","payload":{"userId":"bo","stroke":1,"points":[{"x":1,"y":1}]}}"#,
        r#"{"type":"LASER","payload":{"stroke":1,"points":[{"x":2,"y":2}]}}"#,
        r#"{"type":"VIEWPORT","payload":{"rect":{"x":5,"y":5,"w":100,"h":50}}}"#,
    ] {
        room.handle(&ann, &me, msg(text)).unwrap();
    }
    writer.barrier().await;
    // The latest of each kind, with the sender's real id; the sender gets
    // nothing back (no ACK: nothing is stored).
    assert_eq!(
        sent(&bo),
        [
            r#"{"type":"VIEWPORT","payload":{"rect":{"x":5,"y":5,"w":100,"h":50},"userId":"ann"}}"#,
            r#"{"type":"LASER","payload":{"stroke":1,"points":[{"x":2,"y":2}],"userId":"ann"}}"#,
        ]
    );
    assert!(sent(&ann).is_empty());
    room.handle(&bo, &bo_id, msg(r#"{"type":"REQUEST_SYNC","payload":{}}"#))
        .unwrap();
    assert_eq!(
        sent(&bo),
        [r#"{"type":"SYNC_SHAPES","payload":{"shapes":[],"deletedIds":[],"rev":0,"full":true}}"#]
    );

    // "Bring everyone to me": everyone in the room is told, the presenter too.
    assert!(room.present(&me));
    let present = r#"{"type":"PRESENT","payload":{"userId":"ann"}}"#;
    assert_eq!(sent(&ann), [present]);
    assert_eq!(sent(&bo), [present]);
    assert!(!room.present("nobody"), "only someone seated here");
    assert!(sent(&bo).is_empty());

    finish.cancel();
    task.await.unwrap();
}
