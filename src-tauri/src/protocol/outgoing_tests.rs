//! The exact bytes of the frames the host originates. Existing clients and
//! tests read them, so field names and their order must not change. (What
//! rooms send, relays and syncs among it, is pinned in `room/wire_tests.rs`.)

use serde_json::json;

use super::*;
use crate::discovery::{nearby_frame, NearbySession};
use crate::jobs::JobRecord;
use crate::protocol::payloads::*;
use crate::protocol::{Object, Seat};
use crate::storyboard::{Storyboard, StoryboardEvent};

#[test]
fn an_error_has_code_and_message_and_an_op_id_only_when_given() {
    assert_eq!(
        error_frame(ErrorCode::BadJson, "not \"JSON\"").as_str(),
        r#"{"type":"ERROR","payload":{"code":"bad_json","message":"not \"JSON\""}}"#
    );
    assert_eq!(
        error_frame_for_op(ErrorCode::StorageFailed, "disk full", Some("op-1")).as_str(),
        r#"{"type":"ERROR","payload":{"code":"storage_failed","message":"disk full","opId":"op-1"}}"#
    );
    assert_eq!(
        error_frame_for_op(ErrorCode::Invalid, "no", None).as_str(),
        r#"{"type":"ERROR","payload":{"code":"invalid","message":"no"}}"#
    );
}

#[test]
fn every_error_code_is_sent_as_its_name() {
    for code in [
        ErrorCode::BadJson,
        ErrorCode::UnknownType,
        ErrorCode::Invalid,
        ErrorCode::NotJoined,
        ErrorCode::RoomFull,
        ErrorCode::TooLarge,
        ErrorCode::RateLimited,
        ErrorCode::Unauthorized,
        ErrorCode::ForbiddenOrigin,
        ErrorCode::Removed,
        ErrorCode::StorageFailed,
    ] {
        assert_eq!(
            error_frame(code, "m").as_str(),
            format!(
                r#"{{"type":"ERROR","payload":{{"code":"{}","message":"m"}}}}"#,
                code.as_str()
            )
        );
    }
}

#[test]
fn a_job_update_is_the_job_record() {
    let record: JobRecord = serde_json::from_value(json!({
        "id": "j1", "kind": "enhance", "room": "main", "status": "failed",
        "progress": 0.5, "message": "asking", "createdAt": 1, "updatedAt": 2,
        "input": {"b": 1, "a": [2]}, "error": {"code": "timeout", "message": "late"}
    }))
    .unwrap();
    assert_eq!(
        frame(&ServerMessage::JobUpdated(
            &crate::protocol::payloads::record(&record)
        ))
        .as_str(),
        r#"{"type":"JOB_UPDATED","payload":{"id":"j1","kind":"enhance","room":"main","status":"failed","progress":0.5,"message":"asking","createdAt":1,"updatedAt":2,"input":{"b":1,"a":[2]},"error":{"code":"timeout","message":"late"}}}"#
    );
}

#[test]
fn storyboard_events_carry_the_storyboard_or_its_id() {
    let board: Storyboard = serde_json::from_value(json!({
        "id": "sb_1", "room": "main", "name": "Storyboard 1", "rev": 3, "title": null,
        "createdAt": 1, "updatedAt": 2,
        "frames": [{"id": "fr_1", "image": "/img/a.png", "width": 4, "height": 3,
            "caption": "hi", "durationMs": 4000, "motion": "kenburns", "transition": "cut"}]
    }))
    .unwrap();
    assert_eq!(
        StoryboardEvent::Updated(&board).to_frame().as_str(),
        r#"{"type":"STORYBOARD_UPDATED","payload":{"storyboard":{"id":"sb_1","room":"main","name":"Storyboard 1","rev":3,"title":null,"createdAt":1,"updatedAt":2,"frames":[{"id":"fr_1","image":"/img/a.png","width":4,"height":3,"caption":"hi","durationMs":4000,"motion":"kenburns","transition":"cut"}]}}}"#
    );
    assert_eq!(
        StoryboardEvent::Deleted { id: "sb_1" }.to_frame().as_str(),
        r#"{"type":"STORYBOARD_DELETED","payload":{"id":"sb_1"}}"#
    );
}

#[test]
fn sessions_nearby_lists_the_sessions() {
    let session = NearbySession {
        id: "abc".into(),
        name: "Art room".into(),
        url: "http://192.168.1.5:5001/".into(),
        address: "192.168.1.5:5001".parse().unwrap(),
        addresses: vec!["192.168.1.5".parse().unwrap()],
        port: 5001,
        ws_port: Some(8080),
        version: "1".into(),
        free_seats: None,
        code_required: true,
        same_name: false,
        answers: Some(true),
        checked_at: None,
        last_seen_ms: 7,
    };
    assert_eq!(
        nearby_frame(&[session]).as_str(),
        r#"{"type":"SESSIONS_NEARBY","payload":{"sessions":[{"id":"abc","name":"Art room","url":"http://192.168.1.5:5001/","address":"192.168.1.5:5001","addresses":["192.168.1.5"],"port":5001,"wsPort":8080,"version":"1","freeSeats":null,"codeRequired":true,"sameName":false,"answers":true}]}}"#
    );
    assert_eq!(
        nearby_frame(&[]).as_str(),
        r#"{"type":"SESSIONS_NEARBY","payload":{"sessions":[]}}"#
    );
}

fn text(message: ServerMessage<'_>) -> String {
    frame(&message).as_str().to_string()
}

fn object(value: serde_json::Value) -> Object {
    value.as_object().unwrap().clone()
}

#[test]
fn a_relay_sets_user_id_and_rev_where_the_author_had_them_or_last() {
    let mine = object(json!({"userId": "spoof", "position": {"x": 1}, "rev": 9, "z": null}));
    assert_eq!(
        text(ServerMessage::ShapeUpdated(
            Relayed::new(&mine, "ann").at(4)
        )),
        r#"{"type":"SHAPE_UPDATED","payload":{"userId":"ann","position":{"x":1},"rev":4,"z":null}}"#
    );
    // Without a revision the author's `rev` is passed on as it was.
    assert_eq!(
        text(ServerMessage::CursorMove(Relayed::new(&mine, "ann"))),
        r#"{"type":"CURSOR_MOVE","payload":{"userId":"ann","position":{"x":1},"rev":9,"z":null}}"#
    );
    let bare = object(json!({"b": 1, "a": 2}));
    assert_eq!(
        text(ServerMessage::ShapesDeleted(
            Relayed::new(&bare, "bo").at(7)
        )),
        r#"{"type":"SHAPES_DELETED","payload":{"b":1,"a":2,"userId":"bo","rev":7}}"#
    );
    assert_eq!(
        text(ServerMessage::ShapeAdded(Relayed::new(
            &Object::new(),
            "bo"
        ))),
        r#"{"type":"SHAPE_ADDED","payload":{"userId":"bo"}}"#
    );
}

#[test]
fn every_relayed_and_targeted_kind_goes_back_out_under_its_own_name() {
    let payload = object(json!({"isEnabled": true}));
    for kind in crate::protocol::RELAYED
        .iter()
        .chain(crate::protocol::TARGETED.iter())
    {
        let message = ServerMessage::relay(kind, Relayed::new(&payload, "u")).unwrap();
        assert_eq!(
            text(message),
            format!(r#"{{"type":"{kind}","payload":{{"isEnabled":true,"userId":"u"}}}}"#)
        );
    }
    assert!(ServerMessage::relay("SHAPE_ADDED", Relayed::new(&payload, "u")).is_none());
    assert!(ServerMessage::relay("JOIN_ROOM", Relayed::new(&payload, "u")).is_none());
}

#[test]
fn members_acks_and_syncs_keep_their_fields_in_order() {
    let ann = UserJoined::new("ann", "Ann \"A\"", Seat::BottomRight);
    assert_eq!(
        text(ServerMessage::UserJoined(ann.clone())),
        r##"{"type":"USER_JOINED","payload":{"id":"ann","name":"Ann \"A\"","position":"bottom-right","isActive":true,"color":"#F08C00"}}"##
    );
    assert_eq!(
        text(ServerMessage::Welcome(Welcome {
            user_id: "ann",
            position: Seat::BottomRight,
            color: Seat::BottomRight.color(),
            room: "main",
            rev: 12,
            users: vec![ann],
            secret: "s3",
            locked: false,
        })),
        r##"{"type":"WELCOME","payload":{"userId":"ann","position":"bottom-right","color":"#F08C00","room":"main","rev":12,"users":[{"id":"ann","name":"Ann \"A\"","position":"bottom-right","isActive":true,"color":"#F08C00"}],"secret":"s3"}}"##
    );
    assert_eq!(
        text(ServerMessage::UserLeft(UserLeft { user_id: "ann" })),
        r#"{"type":"USER_LEFT","payload":{"userId":"ann"}}"#
    );
    assert_eq!(
        text(ServerMessage::Ack(Ack {
            op_ids: &["a".into(), "b".into()],
            rev: 3
        })),
        r#"{"type":"ACK","payload":{"opIds":["a","b"],"rev":3}}"#
    );
    assert_eq!(
        text(ServerMessage::SyncShapes(SyncShapes {
            shapes: vec![r#"{"id":"a"}"#, r#"{"id":"b","t":"é"}"#],
            deleted_ids: vec!["c\"d"],
            rev: 5,
            full: false,
            part: None,
        })),
        r#"{"type":"SYNC_SHAPES","payload":{"shapes":[{"id":"a"},{"id":"b","t":"é"}],"deletedIds":["c\"d"],"rev":5,"full":false}}"#
    );
    assert_eq!(
        text(ServerMessage::SyncShapes(SyncShapes {
            shapes: Vec::new(),
            deleted_ids: Vec::new(),
            rev: 0,
            full: true,
            part: None,
        })),
        r#"{"type":"SYNC_SHAPES","payload":{"shapes":[],"deletedIds":[],"rev":0,"full":true}}"#
    );
    assert_eq!(
        text(ServerMessage::SyncShapes(SyncShapes {
            shapes: vec![r#"{"id":"b"}"#],
            deleted_ids: vec!["c"],
            rev: 7,
            full: true,
            part: Some(SyncPart {
                part: 2,
                parts: 2,
                total: 3,
                in_view: 1,
                at: vec![1],
            }),
        })),
        r#"{"type":"SYNC_SHAPES","payload":{"shapes":[{"id":"b"}],"deletedIds":["c"],"rev":7,"full":true,"part":2,"parts":2,"total":3,"inView":1,"at":[1]}}"#
    );
}

#[test]
fn the_protocol_document_names_every_kind_the_host_sends() {
    let doc = include_str!("../../../docs/PROTOCOL.md");
    let payload = Object::new();
    let relayed = Relayed::new(&payload, "u");
    let job: JobRecord = serde_json::from_value(json!({
        "id": "j", "kind": "k", "room": "r", "status": "queued", "progress": 0.0,
        "message": "", "createdAt": 0, "updatedAt": 0, "input": null
    }))
    .unwrap();
    let board: Storyboard = serde_json::from_value(json!({
        "id": "sb", "room": "r", "name": "n", "rev": 0, "title": null,
        "createdAt": 0, "updatedAt": 0, "frames": []
    }))
    .unwrap();
    let (job, board, none) = (record(&job), record(&board), record(&json!([])));
    // One of each variant: a variant added without its line in
    // PROTOCOL.md fails here.
    let every = |m: &ServerMessage<'_>| match m {
        ServerMessage::Welcome(_)
        | ServerMessage::UserJoined(_)
        | ServerMessage::UserLeft(_)
        | ServerMessage::Watching(_)
        | ServerMessage::Ack(_)
        | ServerMessage::SyncShapes(_)
        | ServerMessage::CursorMove(_)
        | ServerMessage::Viewport(_)
        | ServerMessage::Laser(_)
        | ServerMessage::Present(_)
        | ServerMessage::Lock(_)
        | ServerMessage::ShapeAdded(_)
        | ServerMessage::ShapeUpdated(_)
        | ServerMessage::ShapesDeleted(_)
        | ServerMessage::HandTrackingStatus(_)
        | ServerMessage::UserStatusUpdate(_)
        | ServerMessage::WebcamOffer(_)
        | ServerMessage::WebcamAnswer(_)
        | ServerMessage::WebcamIceCandidate(_)
        | ServerMessage::Error(_)
        | ServerMessage::SessionsNearby(_)
        | ServerMessage::StoryboardUpdated(_)
        | ServerMessage::StoryboardDeleted(_)
        | ServerMessage::JobUpdated(_) => (),
    };
    let messages = [
        ServerMessage::Welcome(Welcome {
            user_id: "u",
            position: Seat::TopLeft,
            color: "",
            room: "r",
            rev: 0,
            users: Vec::new(),
            secret: "",
            locked: true,
        }),
        ServerMessage::UserJoined(UserJoined::new("u", "n", Seat::TopLeft)),
        ServerMessage::UserLeft(UserLeft { user_id: "u" }),
        ServerMessage::Watching(Watching {
            user_id: "u",
            room: "r",
            rev: 0,
            users: Vec::new(),
            watchers: 1,
            locked: false,
        }),
        ServerMessage::Ack(Ack {
            op_ids: &[],
            rev: 0,
        }),
        ServerMessage::SyncShapes(SyncShapes {
            shapes: Vec::new(),
            deleted_ids: Vec::new(),
            rev: 0,
            full: true,
            part: None,
        }),
        ServerMessage::CursorMove(relayed),
        ServerMessage::Viewport(relayed),
        ServerMessage::Laser(relayed),
        ServerMessage::Present(Present { user_id: "u" }),
        ServerMessage::Lock(Lock { locked: true }),
        ServerMessage::ShapeAdded(relayed),
        ServerMessage::ShapeUpdated(relayed),
        ServerMessage::ShapesDeleted(relayed),
        ServerMessage::HandTrackingStatus(relayed),
        ServerMessage::UserStatusUpdate(relayed),
        ServerMessage::WebcamOffer(relayed),
        ServerMessage::WebcamAnswer(relayed),
        ServerMessage::WebcamIceCandidate(relayed),
        ServerMessage::error(ErrorCode::Invalid, "", None),
        ServerMessage::SessionsNearby(SessionsNearby { sessions: &none }),
        ServerMessage::StoryboardUpdated(StoryboardUpdated { storyboard: &board }),
        ServerMessage::StoryboardDeleted(StoryboardDeleted { id: "sb" }),
        ServerMessage::JobUpdated(&job),
    ];
    for message in &messages {
        every(message);
        let sent: serde_json::Value = serde_json::from_str(frame(message).as_str()).unwrap();
        let kind = sent["type"].as_str().unwrap();
        assert!(
            doc.contains(&format!("`{kind}`")) || doc.contains(&format!("`{kind} {{")),
            "{kind} is not in PROTOCOL.md"
        );
    }
}

#[test]
fn live_relays_and_present_have_their_exact_bytes() {
    let view = object(json!({"rect": {"x": -1.5, "y": 2, "w": 640, "h": 360}, "following": null}));
    assert_eq!(
        text(ServerMessage::Viewport(Relayed::new(&view, "ann"))),
        r#"{"type":"VIEWPORT","payload":{"rect":{"x":-1.5,"y":2,"w":640,"h":360},"following":null,"userId":"ann"}}"#
    );
    let laser = object(json!({"userId": "spoof", "stroke": 4, "points": [{"x": 1, "y": 2.25}]}));
    assert_eq!(
        text(ServerMessage::Laser(Relayed::new(&laser, "ann"))),
        r#"{"type":"LASER","payload":{"userId":"ann","stroke":4,"points":[{"x":1,"y":2.25}]}}"#
    );
    assert_eq!(
        text(ServerMessage::Present(Present { user_id: "ann" })),
        r#"{"type":"PRESENT","payload":{"userId":"ann"}}"#
    );
}

#[test]
fn the_lock_and_a_locked_welcome_have_their_exact_bytes() {
    assert_eq!(
        text(ServerMessage::Lock(Lock { locked: true })),
        r#"{"type":"LOCK","payload":{"locked":true}}"#
    );
    assert_eq!(
        text(ServerMessage::Welcome(Welcome {
            user_id: "u",
            position: Seat::TopLeft,
            color: "",
            room: "r",
            rev: 0,
            users: Vec::new(),
            secret: "",
            locked: true,
        })),
        r#"{"type":"WELCOME","payload":{"userId":"u","position":"top-left","color":"","room":"r","rev":0,"users":[],"secret":"","locked":true}}"#
    );
}
