//! The HTTP side: the embedded UI, the join screen's session check and the
//! host panel.

mod common;

use std::io::Read;

use common::{header, http, Client, TestHost};
use serde_json::{json, Value};

#[tokio::test]
async fn the_ui_is_served_compressed_with_validators() {
    let host = TestHost::start().await;
    let addr = host.http();
    let (status, headers, body) =
        http(addr, "GET", "/", &[("Accept-Encoding", "gzip, br")], None).await;
    assert_eq!(status, 200);
    assert_eq!(
        header(&headers, "content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(header(&headers, "content-encoding"), Some("gzip"));
    assert_eq!(header(&headers, "cache-control"), Some("no-cache"));
    let mut html = String::new();
    flate2::read::GzDecoder::new(&body[..])
        .read_to_string(&mut html)
        .unwrap();
    assert!(html.contains("<title>"), "{html}");
    // A revalidation with the ETag costs no body.
    let etag = header(&headers, "etag").unwrap().to_string();
    let (status, _, body) = http(
        addr,
        "GET",
        "/index.html",
        &[("If-None-Match", &etag)],
        None,
    )
    .await;
    assert_eq!(status, 304);
    assert!(body.is_empty());
    // Without gzip in Accept-Encoding the file comes plain.
    let (status, headers, body) = http(addr, "GET", "/", &[], None).await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "content-encoding"), None);
    assert_eq!(String::from_utf8(body).unwrap(), html);
    host.stop().await;
}

#[tokio::test]
async fn no_request_path_reaches_the_file_system() {
    let host = TestHost::start().await;
    for path in [
        "/../Cargo.toml",
        "/..%2fCargo.toml",
        "/%2e%2e/Cargo.toml",
        "/ui/../Cargo.toml",
        "//etc/passwd",
        "/..\\Cargo.toml",
        "/nope.js",
        "/api/nope",
    ] {
        let (status, _, body) = http(host.http(), "GET", path, &[], None).await;
        assert_eq!(status, 404, "{path}");
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["code"], "not_found", "{path}");
    }
    host.stop().await;
}

#[tokio::test]
async fn the_session_check_lists_who_is_seated() {
    let host = TestHost::start().await;
    let (_a, _) = Client::join(&host.ws("art"), "ann").await;
    let (status, _, body) = http(host.http(), "GET", "/api/session?room=art", &[], None).await;
    assert_eq!(status, 200);
    let session: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(session["room"], "art");
    assert_eq!(session["seatsFree"], 3);
    // Loopback without the admin secret is an ordinary seat.
    assert_eq!(session["isHost"], false);
    assert_eq!(session["users"][0]["id"], "ann");
    assert_eq!(session["users"][0]["position"], "top-left");
    let (status, _, _) = http(host.http(), "GET", "/api/session?room=../x", &[], None).await;
    assert_eq!(status, 400);
    host.stop().await;
}

#[tokio::test]
async fn the_host_panel_removes_people_and_opens_the_session() {
    let host = TestHost::start().await;
    let secret = host.admin();
    let admin = [("x-coco-admin", secret.as_str())];
    let (mut ann, _) = Client::join(&host.ws("art"), "ann").await;
    let (mut bob, _) = Client::join(&host.ws("art"), "bob").await;
    let (status, _, body) = http(host.http(), "GET", "/api/host/info", &admin, None).await;
    assert_eq!(status, 200);
    let info: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        info["code"].as_str().unwrap().len(),
        coco::store::JOIN_CODE_LEN
    );
    assert_eq!(info["codeRequired"], true);
    assert_eq!(info["rooms"][0]["users"].as_array().unwrap().len(), 2);

    let kick = json!({"room": "art", "userId": "bob"}).to_string();
    let (status, _, _) = http(host.http(), "POST", "/api/host/kick", &admin, Some(&kick)).await;
    assert_eq!(status, 200);
    assert!(bob.closed().await);
    assert_eq!(ann.expect("USER_LEFT").await, json!({"userId": "bob"}));
    let (status, _, _) = http(host.http(), "POST", "/api/host/kick", &admin, Some(&kick)).await;
    assert_eq!(status, 404, "bob is gone");
    let (status, _, _) = http(
        host.http(),
        "POST",
        "/api/host/kick",
        &admin,
        Some("{\"room\": 1}"),
    )
    .await;
    assert_eq!(status, 400);

    let (status, _, body) = http(
        host.http(),
        "POST",
        "/api/host/open",
        &admin,
        Some("{\"open\": true}"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_slice::<Value>(&body).unwrap()["open"],
        true
    );
    let (_, _, body) = http(host.http(), "GET", "/api/health", &[], None).await;
    assert_eq!(
        serde_json::from_slice::<Value>(&body).unwrap()["codeRequired"],
        false
    );
    host.stop().await;
}
