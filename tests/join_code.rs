//! The web UI sends the join code one way, the `x-coco-code` header, with
//! every request it makes itself, and as `?code=` only in addresses a browser
//! requests on its own (pictures, videos, downloads, the WebSocket). So a
//! LAN peer's header must open every route the UI asks, the join screen's
//! `/api/session` among them, and `?code=` every file it shows. The "other
//! machine" is a network namespace made by the test.

mod common;

use common::http;
use common::netns::{self, OtherMachine};

#[tokio::test]
async fn a_lan_peer_is_admitted_by_the_code_header_everywhere_the_ui_asks() {
    let Some(lan) = netns::or_skip(OtherMachine::create("j", 242)) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let host = lan.spawn_host(tmp.path());
    let addr = lan.http_addr(&host);
    let code = [("x-coco-code", host.code.as_str())];
    let wrong = if host.code == "AAAAAA" {
        "BBBBBB"
    } else {
        "AAAAAA"
    };

    for path in [
        "/api/session?room=main",
        "/api/discovery",
        "/api/limits",
        "/api/jobs?room=main",
        "/api/ai/status",
        "/api/storyboards?room=main",
        "/api/rooms/main/history",
        "/api/rooms/main/checkpoints",
        "/api/rooms/main/board",
    ] {
        assert_eq!(http(addr, "GET", path, &[], None).await.0, 401, "{path}");
        let (status, _, body) = http(addr, "GET", path, &code, None).await;
        assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&body));
    }
    // A wrong code in the header is a wrong code, as in the query.
    let (status, _, _) = http(
        addr,
        "GET",
        "/api/session?room=main",
        &[("x-coco-code", wrong)],
        None,
    )
    .await;
    assert_eq!(status, 401);

    // An upload with the header; the picture then opens by its address with `?code=`.
    let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
    let upload = format!("{{\"imageData\": \"data:image/png;base64,{png}\"}}");
    let (status, _, body) = http(addr, "POST", "/api/save-image", &code, Some(&upload)).await;
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(status, 200, "{body}");
    let path = body["path"].as_str().unwrap();
    assert_eq!(http(addr, "GET", path, &[], None).await.0, 401);
    let with_code = format!("{path}?code={}", host.code);
    assert_eq!(http(addr, "GET", &with_code, &[], None).await.0, 200);
}
