use super::*;
use serde_json::json;

fn parse_value(v: serde_json::Value) -> Result<ClientMessage, ProtocolError> {
    parse(&v.to_string())
}

fn code(r: Result<ClientMessage, ProtocolError>) -> ErrorCode {
    r.expect_err("should be refused").code
}

#[test]
fn not_json_is_bad_json() {
    assert_eq!(code(parse("{nope")), ErrorCode::BadJson);
    assert_eq!(code(parse(r#"{"payload":{}}"#)), ErrorCode::BadJson);
    assert_eq!(code(parse("[1,2]")), ErrorCode::BadJson);
}

#[test]
fn an_unknown_type_is_named() {
    let e = parse_value(json!({"type": "DANCE", "payload": {}})).unwrap_err();
    assert_eq!(e.code, ErrorCode::UnknownType);
    assert!(e.message.contains("DANCE"));
}

#[test]
fn join_room_reads_the_existing_clients_fields() {
    let msg = parse_value(
        json!({"type": "JOIN_ROOM", "payload": {"userId": "u1", "username": "Ann", "position": "bottom-left"}}),
    );
    assert_eq!(
        msg.unwrap(),
        ClientMessage::JoinRoom {
            user_id: "u1".into(),
            username: "Ann".into(),
            position: Some(Seat::BottomLeft),
            secret: None,
            watch: false,
        }
    );
    let watch =
        parse_value(json!({"type": "JOIN_ROOM", "payload": {"userId": "u1", "watch": true}}));
    assert!(matches!(
        watch,
        Ok(ClientMessage::JoinRoom { watch: true, .. })
    ));
    let bad =
        parse_value(json!({"type": "JOIN_ROOM", "payload": {"userId": "u1", "watch": "yes"}}));
    assert_eq!(bad.unwrap_err().code, ErrorCode::Invalid);
    let with_secret =
        parse_value(json!({"type": "JOIN_ROOM", "payload": {"userId": "u1", "secret": "ab12"}}));
    assert!(
        matches!(with_secret, Ok(ClientMessage::JoinRoom { secret: Some(s), .. }) if s == "ab12")
    );
    let long = "s".repeat(MAX_ID_BYTES + 1);
    assert_eq!(
        code(parse_value(
            json!({"type": "JOIN_ROOM", "payload": {"userId": "u1", "secret": long}})
        )),
        ErrorCode::Invalid
    );
    assert_eq!(
        code(parse_value(
            json!({"type": "JOIN_ROOM", "payload": {"userId": "u1", "secret": 7}})
        )),
        ErrorCode::Invalid
    );
    assert_eq!(
        code(parse_value(
            json!({"type": "JOIN_ROOM", "payload": {"userId": "u1", "position": "middle"}})
        )),
        ErrorCode::Invalid
    );
    assert_eq!(
        code(parse_value(json!({"type": "JOIN_ROOM", "payload": {}}))),
        ErrorCode::Invalid
    );
}

#[test]
fn a_shape_keeps_its_unknown_fields() {
    let shape = json!({"id": "s1", "type": "pencil", "points": [{"x": 1, "y": 2}], "customThing": {"a": [1]}});
    let msg = parse_value(
        json!({"type": "SHAPE_ADDED", "payload": {"shape": shape, "userId": "u", "opId": "o1"}}),
    )
    .unwrap();
    let ClientMessage::ShapeAdded {
        shape_id,
        shape_json,
        op_id,
        ..
    } = msg
    else {
        panic!("not a shape");
    };
    assert_eq!(shape_id, "s1");
    assert_eq!(op_id.as_deref(), Some("o1"));
    let back: serde_json::Value = serde_json::from_str(&shape_json).unwrap();
    assert_eq!(back, shape);
}

#[test]
fn a_shape_needs_an_id_and_a_type() {
    for shape in [
        json!({"type": "line"}),
        json!({"id": "", "type": "line"}),
        json!({"id": 7, "type": "line"}),
        json!({"id": "a"}),
    ] {
        assert_eq!(
            code(parse_value(
                json!({"type": "SHAPE_ADDED", "payload": {"shape": shape}})
            )),
            ErrorCode::Invalid
        );
    }
    assert_eq!(
        code(parse_value(
            json!({"type": "SHAPE_ADDED", "payload": {"shape": "x"}})
        )),
        ErrorCode::Invalid
    );
}

fn points(n: usize) -> serde_json::Value {
    serde_json::Value::Array((0..n).map(|i| json!({"x": i, "y": i})).collect())
}

#[test]
fn points_per_shape_are_limited_at_the_limit_and_past_it() {
    let at = json!({"type": "SHAPE_ADDED", "payload": {"shape": {"id": "a", "type": "pencil", "points": points(MAX_POINTS_PER_SHAPE)}}});
    assert!(parse_value(at).is_ok());
    let past = json!({"type": "SHAPE_ADDED", "payload": {"shape": {"id": "a", "type": "pencil", "points": points(MAX_POINTS_PER_SHAPE + 1)}}});
    assert_eq!(code(parse_value(past)), ErrorCode::Invalid);
    let update = json!({"type": "SHAPE_UPDATED", "payload": {"shapeId": "a", "updates": {"points": points(MAX_POINTS_PER_SHAPE + 1)}}});
    assert_eq!(code(parse_value(update)), ErrorCode::Invalid);
}

#[test]
fn a_pen_strokes_pressures_are_numbers_within_the_points_limit() {
    let pressures = |v: serde_json::Value| json!({"type": "SHAPE_ADDED", "payload": {"shape": {"id": "a", "type": "pencil", "points": points(2), "pressures": v}}});
    assert!(parse_value(pressures(json!([0.25, 1]))).is_ok());
    assert!(parse_value(pressures(json!(null))).is_ok());
    let at = serde_json::Value::Array(vec![json!(0.5); MAX_POINTS_PER_SHAPE]);
    assert!(parse_value(pressures(at)).is_ok());
    let past = serde_json::Value::Array(vec![json!(0.5); MAX_POINTS_PER_SHAPE + 1]);
    for bad in [past, json!("0.5"), json!([0.5, "hard"]), json!({"0": 0.5})] {
        assert_eq!(code(parse_value(pressures(bad))), ErrorCode::Invalid);
    }
    let update = json!({"type": "SHAPE_UPDATED", "payload": {"shapeId": "a", "updates": {"pressures": [true]}}});
    assert_eq!(code(parse_value(update)), ErrorCode::Invalid);
}

#[test]
fn shape_bytes_are_limited_at_the_limit_and_past_it() {
    let shape_with_text = |len: usize| json!({"id": "a", "type": "text", "text": "x".repeat(len)});
    let overhead = shape_with_text(0).to_string().len();
    let at = shape_with_text(MAX_SHAPE_BYTES - overhead);
    assert_eq!(at.to_string().len(), MAX_SHAPE_BYTES);
    assert!(parse_value(json!({"type": "SHAPE_ADDED", "payload": {"shape": at}})).is_ok());
    let past = shape_with_text(MAX_SHAPE_BYTES - overhead + 1);
    assert_eq!(
        code(parse_value(
            json!({"type": "SHAPE_ADDED", "payload": {"shape": past}})
        )),
        ErrorCode::Invalid
    );
}

#[test]
fn frames_are_limited_at_the_limit_and_past_it() {
    let frame_of = |len: usize| {
        let base =
            json!({"type": "CURSOR_MOVE", "payload": {"position": {"x": 1, "y": 2}, "pad": ""}})
                .to_string();
        let pad = "x".repeat(len - base.len());
        json!({"type": "CURSOR_MOVE", "payload": {"position": {"x": 1, "y": 2}, "pad": pad}})
            .to_string()
    };
    let at = frame_of(MAX_FRAME_BYTES);
    assert_eq!(at.len(), MAX_FRAME_BYTES);
    assert!(parse(&at).is_ok());
    assert_eq!(
        code(parse(&frame_of(MAX_FRAME_BYTES + 1))),
        ErrorCode::TooLarge
    );
}

#[test]
fn an_update_cannot_rename_a_shape() {
    let msg = parse_value(json!({"type": "SHAPE_UPDATED", "payload": {"shapeId": "a", "updates": {"id": "b", "x": 3}}})).unwrap();
    let ClientMessage::ShapeUpdated { updates, .. } = msg else {
        panic!()
    };
    assert!(!updates.contains_key("id"));
    assert_eq!(updates["x"], 3);
}

#[test]
fn request_sync_takes_an_optional_revision() {
    assert_eq!(
        parse(r#"{"type":"REQUEST_SYNC","payload":{"userId":"u"}}"#).unwrap(),
        ClientMessage::RequestSync(SyncRequest::default())
    );
    assert_eq!(
        parse(r#"{"type":"REQUEST_SYNC","payload":{"since":42}}"#).unwrap(),
        ClientMessage::RequestSync(SyncRequest {
            since: Some(42),
            ..SyncRequest::default()
        })
    );
    assert_eq!(
        code(parse(r#"{"type":"REQUEST_SYNC","payload":{"since":-1}}"#)),
        ErrorCode::Invalid
    );
}

#[test]
fn webcam_messages_need_a_target() {
    assert_eq!(
        code(parse(r#"{"type":"WEBCAM_OFFER","payload":{"offer":{}}}"#)),
        ErrorCode::Invalid
    );
    let msg =
        parse(r#"{"type":"WEBCAM_OFFER","payload":{"offer":{"sdp":"x"},"targetUserId":"b"}}"#)
            .unwrap();
    assert!(
        matches!(msg, ClientMessage::Targeted { kind: "WEBCAM_OFFER", ref target, .. } if target == "b")
    );
}

#[test]
fn room_names_are_safe_keys() {
    assert!(valid_room_name("main"));
    assert!(valid_room_name("class-3.b_2"));
    assert!(!valid_room_name(""));
    assert!(!valid_room_name("../etc"));
    assert!(!valid_room_name("a\0b"));
    assert!(!valid_room_name(
        &"r".repeat(limits::MAX_ROOM_NAME_BYTES + 1)
    ));
    assert!(valid_room_name(&"r".repeat(limits::MAX_ROOM_NAME_BYTES)));
}

#[test]
fn ids_are_limited_at_the_limit_and_past_it() {
    let join = |id: String| parse_value(json!({"type": "JOIN_ROOM", "payload": {"userId": id}}));
    assert!(join("u".repeat(limits::MAX_ID_BYTES)).is_ok());
    let e = join("u".repeat(limits::MAX_ID_BYTES + 1)).unwrap_err();
    assert_eq!(e.code, ErrorCode::Invalid);
    assert!(e.message.contains("longer than"));
    let add = |id: String| {
        parse_value(
            json!({"type": "SHAPE_ADDED", "payload": {"shape": {"id": id, "type": "line"}}}),
        )
    };
    assert!(add("s".repeat(limits::MAX_ID_BYTES)).is_ok());
    assert_eq!(
        code(add("s".repeat(limits::MAX_ID_BYTES + 1))),
        ErrorCode::Invalid
    );
}

#[test]
fn only_the_hosts_pictures_and_inline_bitmaps_are_allowed() {
    use super::picture::{host_picture_path, is_allowed_picture};
    let name = "0123456789abcdef0123456789abcdef.png";
    for ok in [
        format!("/img/{name}"),
        format!("/enhanced_drawings/{name}"),
        format!("http://localhost:5001/enhanced_drawings/{name}"),
        format!("HTTP://LocalHost:5001/img/{name}"),
        format!("http://[::1]:5001/img/{name}"),
        "data:image/png;base64,iVBORw0KGgo=".to_string(),
        "data:image/jpeg;base64,".to_string(),
    ] {
        assert!(is_allowed_picture(&ok), "{ok}");
    }
    for bad in [
        format!("//evil.example/img/{name}"),
        format!("http://evil.example/img/{name}"),
        format!("https://localhost:5001/img/{name}"),
        format!("http://localhost/img/{name}"),
        format!("http://localhost:5001/api/{name}"),
        format!("/img/{name}?code=1"),
        format!("/img/{}", name.to_uppercase()),
        "/img/0123456789abcdef0123456789abcdef.gif".to_string(),
        "/img/../x".to_string(),
        "/img/%2e%2e%2fx".to_string(),
        "data:image/svg+xml;base64,PHN2Zz4=".to_string(),
        "data:image/png,<svg>".to_string(),
        "javascript:alert(1)".to_string(),
    ] {
        assert!(!is_allowed_picture(&bad), "{bad}");
    }
    assert_eq!(
        host_picture_path(&format!("http://127.0.0.1:5001/img/{name}")),
        Some(format!("/img/{name}").as_str())
    );
}

#[test]
fn picture_fields_must_be_strings_or_null() {
    let check = |v: serde_json::Value| check_pictures(v.as_object().unwrap());
    assert!(check(json!({"image": null, "src": null})).is_ok());
    assert!(check(json!({"text": "//evil.example/x.png"})).is_ok());
    assert_eq!(
        check(json!({"image": 7})).unwrap_err().code,
        ErrorCode::Invalid
    );
    assert_eq!(
        check(json!({"src": "//evil.example/x.png"}))
            .unwrap_err()
            .code,
        ErrorCode::Invalid
    );
}
