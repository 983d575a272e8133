//! The exact bytes of the frames the host originates. Existing clients and
//! tests read them, so field names and their order must not change. (What
//! rooms send, relays and syncs among it, is pinned in `room/wire_tests.rs`.)

use serde_json::json;

use super::*;
use crate::discovery::{nearby_frame, NearbySession};
use crate::jobs::JobRecord;
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
        frame("JOB_UPDATED", &record).as_str(),
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
