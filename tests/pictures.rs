//! Pictures only from the host: an image shape may name only a picture the
//! host issued (as a path, or as the existing client's absolute loopback
//! URL) or an inline picture within the shape size limit. Anything else is
//! refused with `invalid` (carrying the op id), and nothing is stored or
//! relayed. Storyboard frames follow the same rule.

mod common;

use std::io::Cursor;

use base64::Engine;
use coco::protocol::limits::MAX_SHAPE_BYTES;
use common::{http, Client, TestHost};
use serde_json::{json, Value};

/// A name of the form the host issues (not necessarily stored).
const NAME: &str = "0123456789abcdef0123456789abcdef.png";

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_pixel(width, height, image::Rgba([200, 30, 40, 255]));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn data_url(bytes: &[u8]) -> String {
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

fn image_shape(id: &str, field: &str, src: Value) -> Value {
    json!({
        "id": id, "type": "image", field: src,
        "points": [{"x": 0, "y": 0}, {"x": 40, "y": 30}], "width": 40, "height": 30,
        "style": {"strokeColor": "#000", "fillColor": "transparent", "strokeWidth": 1, "opacity": 1},
        "isSelected": false,
    })
}

async fn pair(host: &TestHost) -> (Client, Client) {
    let url = host.ws("main");
    let (mut a, _) = Client::join(&url, "ann").await;
    let (b, _) = Client::join(&url, "bob").await;
    a.expect("USER_JOINED").await; // herself
    a.expect("USER_JOINED").await; // bob
    (a, b)
}

/// Sends an operation with an op id; returns the `ERROR` code that names
/// it, or `"ack"` when the host acknowledged it.
async fn outcome(client: &mut Client, kind: &str, mut payload: Value, op: &str) -> String {
    payload["opId"] = json!(op);
    client.send(kind, payload).await;
    loop {
        let msg = client.next().await.expect("the socket stays open");
        match msg["type"].as_str() {
            Some("ACK") if msg["payload"]["opIds"] == json!([op]) => return "ack".into(),
            Some("ERROR") => {
                assert_eq!(msg["payload"]["opId"], op, "the error names the op: {msg}");
                return msg["payload"]["code"].as_str().unwrap().to_string();
            }
            _ => continue,
        }
    }
}

/// References that must never reach a viewer's browser.
fn foreign() -> Vec<Value> {
    vec![
        json!("//evil.example/x.png"),
        json!(format!("//evil.example/img/{NAME}")),
        json!(format!("http://evil.example/img/{NAME}")),
        json!(format!("https://evil.example/enhanced_drawings/{NAME}")),
        json!(format!("http://evil.example@localhost:5001/img/{NAME}")),
        json!(format!("http://localhost:5001@evil.example/img/{NAME}")),
        json!(format!("http://localhost:5001.evil.example/img/{NAME}")),
        json!(format!("http://localhost:6666/img/{NAME}")),
        json!(format!("http://192.168.1.5:5001/img/{NAME}")),
        json!(format!("/\\evil.example/img/{NAME}")),
        json!("javascript:alert(1)"),
        json!("/img/../x"),
        json!("/img/..%2fapi%2fhost%2finfo"),
        json!("/img/a%2fb.png"),
        json!("/api/host/info"),
        json!("/api/save-image"),
        json!(format!("/img/{NAME}?code=1234")),
        json!(format!("/img/{NAME}#x")),
        json!(format!("/img/{NAME}/x")),
        json!("/img/"),
        json!("img/x.png"),
        json!(""),
        json!("data:image/svg+xml;base64,PHN2Zz48L3N2Zz4="),
        json!("data:text/html;base64,PGI+aGk8L2I+"),
        json!("data:image/png;base64,AAAA\"onerror=x"),
        json!(42),
        json!({"url": "/img/x.png"}),
    ]
}

#[tokio::test]
async fn foreign_pictures_are_refused_with_invalid_and_nothing_is_stored_or_relayed() {
    let host = TestHost::start().await;
    let (mut a, mut b) = pair(&host).await;
    let good = image_shape("kept", "image", json!(format!("/img/{NAME}")));
    assert_eq!(
        outcome(&mut a, "SHAPE_ADDED", json!({ "shape": good }), "op-kept").await,
        "ack"
    );
    assert_eq!(b.expect("SHAPE_ADDED").await["shape"]["id"], "kept");
    let rev = a.sync(None).await["rev"].clone();

    for (i, bad) in foreign().into_iter().enumerate() {
        for field in ["image", "src"] {
            let shape = image_shape(&format!("bad-{i}"), field, bad.clone());
            let added = json!({ "shape": shape });
            let op = format!("op-add-{i}-{field}");
            assert_eq!(
                outcome(&mut a, "SHAPE_ADDED", added, &op).await,
                "invalid",
                "{field}: {bad}"
            );
            // An update cannot slip one in either, also not by making
            // another shape an image.
            let updated = json!({"shapeId": "kept", "updates": {field: bad, "type": "image"}});
            let op = format!("op-update-{i}-{field}");
            assert_eq!(
                outcome(&mut a, "SHAPE_UPDATED", updated, &op).await,
                "invalid",
                "{field}: {bad}"
            );
        }
    }

    // Nothing changed: same revision, same one shape, as sent.
    let sync = a.sync(None).await;
    assert_eq!(sync["rev"], rev);
    assert_eq!(sync["shapes"], json!([good]));
    // Nothing was relayed: Bob's next document message is the marker.
    a.send("SHAPE_ADDED", json!({"shape": common::pencil("marker", 2)}))
        .await;
    loop {
        let msg = b.next().await.expect("bob stays connected");
        if msg["type"] == "SHAPE_ADDED" || msg["type"] == "SHAPE_UPDATED" {
            assert_eq!(msg["payload"]["shape"]["id"], "marker", "{msg}");
            break;
        }
    }
    host.stop().await;
}

#[tokio::test]
async fn the_hosts_pictures_and_the_existing_clients_two_forms_are_accepted() {
    let host = TestHost::start().await;
    let (mut a, mut b) = pair(&host).await;
    let accepted = [
        format!("/img/{NAME}"),
        format!("/enhanced_drawings/{NAME}"),
        "/img/ffffffffffffffffffffffffffffffff.jpg".to_string(),
        "/enhanced_drawings/00000000000000000000000000000000.webp".to_string(),
        // The existing client's two forms.
        format!("http://localhost:5001/enhanced_drawings/{NAME}"),
        data_url(&png(40, 30)),
        // The same origin spelled as an address.
        format!("http://127.0.0.1:5001/img/{NAME}"),
        format!("http://[::1]:5001/img/{NAME}"),
    ];
    for (i, src) in accepted.iter().enumerate() {
        let shape = image_shape(&format!("s{i}"), "image", json!(src));
        assert_eq!(
            outcome(
                &mut a,
                "SHAPE_ADDED",
                json!({ "shape": shape }),
                &format!("op-{i}")
            )
            .await,
            "ack",
            "{src}"
        );
        let relayed = b.expect("SHAPE_ADDED").await;
        assert_eq!(relayed["shape"]["image"], json!(src), "kept as sent");
    }
    // Updates may change a picture to another of the host's, or clear it.
    let update =
        json!({"shapeId": "s0", "updates": {"image": format!("http://localhost:5001/img/{NAME}")}});
    assert_eq!(
        outcome(&mut a, "SHAPE_UPDATED", update, "op-u1").await,
        "ack"
    );
    let clear = json!({"shapeId": "s1", "updates": {"image": null}});
    assert_eq!(
        outcome(&mut a, "SHAPE_UPDATED", clear, "op-u2").await,
        "ack"
    );
    let sync = a.sync(None).await;
    assert_eq!(sync["shapes"].as_array().unwrap().len(), accepted.len());
    assert_eq!(
        sync["shapes"][0]["image"],
        format!("http://localhost:5001/img/{NAME}")
    );
    host.stop().await;
}

/// An image shape whose inline picture makes it exactly `len` bytes of JSON.
fn inline_shape_of_len(len: usize) -> Value {
    let prefix = "data:image/png;base64,";
    let base = image_shape("big", "image", json!(prefix)).to_string().len();
    let picture = format!("{prefix}{}", "A".repeat(len - base));
    let shape = image_shape("big", "image", json!(picture));
    assert_eq!(shape.to_string().len(), len);
    shape
}

#[tokio::test]
async fn an_inline_picture_is_limited_by_the_shape_size_at_the_limit_and_past_it() {
    let host = TestHost::start().await;
    let (mut a, _b) = pair(&host).await;
    let past = json!({"shape": inline_shape_of_len(MAX_SHAPE_BYTES + 1)});
    a.send("SHAPE_ADDED", past).await;
    assert_eq!(a.expect_error().await, "invalid");
    assert!(a.sync(None).await["shapes"].as_array().unwrap().is_empty());
    let at = json!({"shape": inline_shape_of_len(MAX_SHAPE_BYTES)});
    assert_eq!(outcome(&mut a, "SHAPE_ADDED", at, "op-at").await, "ack");
    assert_eq!(a.sync(None).await["shapes"].as_array().unwrap().len(), 1);
    host.stop().await;
}

async fn post(host: &TestHost, path: &str, body: Value) -> (u16, Value) {
    let (status, _, body) = http(host.http(), "POST", path, &[], Some(&body.to_string())).await;
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

/// A storyboard frame keeps no client string: whatever spelling names one
/// of the host's pictures is stored as the host's own path, so no viewer is
/// ever sent to another origin, and nothing else is accepted.
#[tokio::test]
async fn a_storyboard_frame_stores_only_the_hosts_own_path() {
    let host = TestHost::start().await;
    let (status, saved) = post(
        &host,
        "/api/save-image",
        json!({"imageData": data_url(&png(8, 6))}),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    let name = saved["filename"].as_str().unwrap().to_string();
    for (bad, code) in [
        ("/api/host/info".to_string(), "invalid"),
        ("javascript:alert(1)".to_string(), "invalid"),
        (format!("//evil.example/img/{name}"), "invalid"),
        (format!("/img/../img/{name}"), "not_found"),
        (format!("/img/{name}/../../x"), "not_found"),
    ] {
        let (status, body) = post(&host, "/api/storyboard/add", json!({"imagePath": bad})).await;
        assert!(status == 400 || status == 404, "{bad}: {status} {body}");
        assert_eq!(body["code"], code, "{bad}: {body}");
    }
    for (i, spelling) in [
        format!("http://localhost:5001/img/{name}"),
        format!("http://evil.example/img/{name}"),
        format!("/img/{name}?code=123456"),
    ]
    .iter()
    .enumerate()
    {
        let (status, body) =
            post(&host, "/api/storyboard/add", json!({"imagePath": spelling})).await;
        assert_eq!(status, 200, "{spelling}: {body}");
        assert_eq!(body["isDuplicate"], i > 0, "{spelling}");
        let images = body["storyboard"]["images"].as_array().unwrap();
        assert_eq!(images.len(), 1);
        assert_eq!(images[0]["path"], format!("/img/{name}"), "{spelling}");
        assert!(!body.to_string().contains("evil"), "{body}");
    }
    host.stop().await;
}
