//! The host's edges as a hostile web page sees them, on a real host over
//! real sockets: a name rebound to 127.0.0.1 gets nothing on either port, a
//! cross-site request changes nothing on any route, and every answer carries
//! the page headers.

mod common;

use std::net::SocketAddr;

use common::boards::{add_frame, call, default_board, ok, upload};
use common::{header, http, http_raw, Client, TestHost};
use serde_json::{json, Value};

const EVIL: &str = "http://evil.example";

thread_local! {
    /// The admin secret of the host under test (each test has its own thread).
    static ADMIN: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Starts a host and remembers its admin secret for [`request`].
async fn start() -> TestHost {
    let host = TestHost::start().await;
    ADMIN.with(|a| *a.borrow_mut() = host.admin());
    host
}

/// A request written out in full, with the given `Host`, `Origin` and body type.
/// Every request carries the host's admin secret, so that the host's own
/// routes would succeed but for the check under test.
fn request(
    method: &str,
    path: &str,
    host: &str,
    origin: Option<&str>,
    content_type: Option<&str>,
    body: &str,
) -> String {
    let admin = ADMIN.with(|a| a.borrow().clone());
    let mut text = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nX-Coco-Admin: {admin}\r\n"
    );
    if let Some(origin) = origin {
        text.push_str(&format!("Origin: {origin}\r\n"));
    }
    if let Some(ty) = content_type {
        text.push_str(&format!("Content-Type: {ty}\r\n"));
    }
    text.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    text
}

fn code_of(body: &[u8]) -> String {
    let value: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    value["code"].as_str().unwrap_or("").to_string()
}

#[tokio::test]
async fn a_rebound_name_gets_nothing_on_either_port() {
    let host = start().await;
    let http_addr = host.http();
    let ws_addr = host.host.ws_addr();
    let rebound = format!("evil.example:{}", http_addr.port());
    let own = http_addr.to_string();

    // The join code, read by a page whose name now points at 127.0.0.1.
    for addr in [http_addr, ws_addr] {
        let (status, _, body) = http_raw(
            addr,
            &request("GET", "/api/host/info", &rebound, None, None, ""),
        )
        .await;
        assert_eq!(status, 421, "{}", String::from_utf8_lossy(&body));
        assert_eq!(code_of(&body), "wrong_host");
        let text = String::from_utf8_lossy(&body);
        assert!(!text.contains(&*host.host.join_code()), "{text}");
        assert!(text.contains("does not answer to the name"), "{text}");
    }
    let (status, _, body) = http_raw(
        http_addr,
        &request("GET", "/api/host/info", &own, None, None, ""),
    )
    .await;
    assert_eq!(status, 200);
    let info: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(info["code"], &*host.host.join_code());

    // A change: opening the session to everyone, tried on both ports.
    let open = r#"{"open":true}"#;
    let ty = Some("application/json");
    for addr in [http_addr, ws_addr] {
        let rebound = format!("evil.example:{}", addr.port());
        let (status, _, body) = http_raw(
            addr,
            &request("POST", "/api/host/open", &rebound, None, ty, open),
        )
        .await;
        assert_eq!(status, 421, "{addr}");
        assert_eq!(code_of(&body), "wrong_host");
    }
    let health = ok_health(http_addr).await;
    assert_eq!(health["codeRequired"], true, "nothing changed");
    let (status, _, _) = http_raw(
        http_addr,
        &request("POST", "/api/host/open", &own, None, ty, open),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(ok_health(http_addr).await["codeRequired"], false);

    // The socket, on both ports.
    for url in [host.ws_main_port("main"), host.ws("main")] {
        let port = url.split(':').nth(2).unwrap().split('/').next().unwrap();
        let refused =
            Client::try_connect_with(&url, &[("host", &format!("evil.example:{port}"))]).await;
        assert_eq!(refused.err().map(|(status, _)| status), Some(421), "{url}");
        let fine = Client::try_connect_with(&url, &[("host", &format!("127.0.0.1:{port}"))]).await;
        assert!(fine.is_ok(), "{url}");
        let fine = Client::try_connect_with(&url, &[("host", &format!("localhost:{port}"))]).await;
        assert!(fine.is_ok(), "{url}");
    }
    host.stop().await;
}

async fn ok_health(addr: SocketAddr) -> Value {
    let (status, _, body) = http(addr, "GET", "/api/health", &[], None).await;
    assert_eq!(status, 200);
    serde_json::from_slice(&body).unwrap()
}

/// Everything a cross-site request could change, read back.
async fn state_of(host: &TestHost) -> Value {
    let mut jobs = call(host, "GET", "/api/jobs?room=main", None).await.1;
    // A job's age in its listing is not state.
    strip(&mut jobs, "updatedAt");
    let images = std::fs::read_dir(host.dir.join("images"))
        .map(|d| d.count())
        .unwrap_or(0);
    json!({
        "storyboards": call(host, "GET", "/api/storyboards?room=main", None).await.1,
        "compat": call(host, "GET", "/api/storyboard", None).await.1,
        "jobs": jobs,
        "codeRequired": ok_health(host.http()).await["codeRequired"],
        "users": call(host, "GET", "/api/session", None).await.1["users"],
        "code": host.host.join_code().to_string(),
        "imageFiles": images,
    })
}

fn strip(value: &mut Value, key: &str) {
    match value {
        Value::Object(map) => {
            map.remove(key);
            map.values_mut().for_each(|v| strip(v, key));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| strip(v, key)),
        _ => {}
    }
}

/// Every state-changing route of both APIs, as `(method, path, body)`, in an
/// order in which each succeeds when the host's own page sends it.
fn routes(
    board: &str,
    frames: &[String],
    image: &str,
    job: &str,
) -> Vec<(&'static str, String, Value)> {
    let sb = format!("/api/storyboards/{board}");
    let frame = &frames[0];
    let reversed: Vec<&String> = frames.iter().rev().collect();
    vec![
        ("POST", "/api/host/open".into(), json!({"open": false})),
        (
            "POST",
            "/api/save-image".into(),
            json!({"imageData": "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="}),
        ),
        ("POST", "/api/storyboards".into(), json!({"name": "Extra"})),
        ("PATCH", sb.clone(), json!({"name": "Renamed"})),
        ("POST", format!("{sb}/order"), json!({"frameIds": reversed})),
        ("POST", format!("{sb}/frames"), json!({"image": image})),
        (
            "PATCH",
            format!("{sb}/frames/{frame}"),
            json!({"caption": "changed"}),
        ),
        (
            "POST",
            "/api/storyboard/add".into(),
            json!({"imagePath": image}),
        ),
        (
            "POST",
            "/api/storyboard/delete".into(),
            json!({"imagePath": image}),
        ),
        (
            "POST",
            "/api/enhance-image".into(),
            json!({"filename": image, "prompt": "a cat", "engine": "local"}),
        ),
        (
            "POST",
            "/api/generate-video".into(),
            json!({"storyboardId": board, "width": 160, "height": 120}),
        ),
        ("POST", format!("/api/jobs/{job}/cancel"), json!({})),
        ("DELETE", format!("{sb}/frames/{frame}"), json!({})),
        ("POST", "/api/storyboard/clear".into(), json!({})),
        ("POST", format!("{sb}/clear"), json!({})),
        ("DELETE", sb, json!({})),
        ("POST", "/api/host/rotate-code".into(), json!({})),
        (
            "POST",
            "/api/host/gemini-key".into(),
            json!({"key": "AIzaSy-from-a-web-page"}),
        ),
        (
            "POST",
            "/api/host/present".into(),
            json!({"room": "main", "userId": "ada"}),
        ),
        (
            "POST",
            "/api/host/kick".into(),
            json!({"room": "main", "userId": "ada"}),
        ),
    ]
}

#[tokio::test]
async fn no_cross_site_request_changes_anything() {
    let host = start().await;
    let addr = host.http();
    let own_host = addr.to_string();
    let (_ada, _) = Client::join(&host.ws("main"), "ada").await;
    let image = upload(&host, 1).await;
    let board = default_board(&host, "main").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    add_frame(&host, &board, json!({"image": image})).await;
    let with_frames = add_frame(&host, &board, json!({"image": image})).await;
    let frames: Vec<String> = with_frames["frames"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    let job = ok(
        &host,
        "POST",
        "/api/enhance-image",
        Some(json!({"filename": image, "prompt": "x", "engine": "local"})),
    )
    .await["requestId"]
        .as_str()
        .unwrap()
        .to_string();
    // The job has ended, so the listing no longer moves.
    while call(&host, "GET", &format!("/api/jobs/{job}"), None)
        .await
        .1["job"]["status"]
        .as_str()
        .is_some_and(|s| s == "queued" || s == "running")
    {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    let before = state_of(&host).await;
    let table = routes(&board, &frames, &image, &job);
    for (method, path, body) in &table {
        let body = body.to_string();
        // A form or a `no-cors` fetch from another web site.
        let sent = request(
            method,
            path,
            &own_host,
            Some(EVIL),
            Some("text/plain"),
            &body,
        );
        let (status, headers, answer) = http_raw(addr, &sent).await;
        assert_eq!(status, 403, "{method} {path}");
        assert_eq!(code_of(&answer), "forbidden_origin", "{method} {path}");
        assert!(header(&headers, "content-security-policy").is_some());
        // Another site's page that asked for JSON (a browser would first ask
        // permission, which the host never gives) and a sandboxed page.
        for origin in [EVIL, "null"] {
            let sent = request(
                method,
                path,
                &own_host,
                Some(origin),
                Some("application/json"),
                &body,
            );
            assert_eq!(http_raw(addr, &sent).await.0, 403, "{method} {path}");
        }
        // No origin (not a browser), but not JSON either.
        let sent = request(method, path, &own_host, None, Some("text/plain"), &body);
        let (status, _, answer) = http_raw(addr, &sent).await;
        assert_eq!(status, 415, "{method} {path}");
        assert_eq!(code_of(&answer), "unsupported_media_type");
        assert_eq!(
            state_of(&host).await,
            before,
            "{method} {path} changed state"
        );
    }
    for url in [host.ws_main_port("main"), host.ws("main")] {
        let refused = Client::try_connect_with(&url, &[("origin", EVIL)]).await;
        assert_eq!(refused.err().map(|(s, _)| s), Some(403), "{url}");
    }

    // The host's own page, the existing client's dev server on localhost and
    // a client with no Origin at all: every route works for them.
    let origins = [
        Some(format!("http://{own_host}")),
        Some("http://localhost:5173".to_string()),
        None,
    ];
    let mut last_job = String::new();
    for (i, (method, path, body)) in table.iter().enumerate() {
        // Cancel the job the host's page has just started.
        let path = &path.replace(&job, &last_job);
        let origin = origins[i % origins.len()].as_deref();
        let sent = request(
            method,
            path,
            &own_host,
            origin,
            Some("application/json"),
            &body.to_string(),
        );
        let (status, _, answer) = http_raw(addr, &sent).await;
        let answer: Value = serde_json::from_slice(&answer).unwrap_or(Value::Null);
        // The video job may already be done when its cancel arrives.
        let ended = path.ends_with("/cancel") && status == 409 && answer["code"] == "finished";
        assert!(
            (200..300).contains(&status) || ended,
            "{method} {path} from {origin:?}: {status} {answer}"
        );
        if let Some(id) = answer["requestId"].as_str() {
            last_job = id.to_string();
        }
    }
    assert_ne!(state_of(&host).await, before);
    host.stop().await;
}

#[tokio::test]
async fn every_answer_carries_the_page_headers() {
    let host = TestHost::start().await;
    for path in ["/", "/js/main.js", "/api/health", "/api/nope"] {
        let (_, headers, _) = http(host.http(), "GET", path, &[], None).await;
        let csp = header(&headers, "content-security-policy").unwrap_or_else(|| panic!("{path}"));
        for directive in [
            "default-src 'self'",
            "script-src 'self'",
            "frame-ancestors 'none'",
            "img-src 'self' data: blob:",
            "object-src 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(!csp.contains("unsafe"), "{path}: {csp}");
        assert_eq!(header(&headers, "x-content-type-options"), Some("nosniff"));
        assert_eq!(header(&headers, "referrer-policy"), Some("no-referrer"));
        assert_eq!(header(&headers, "x-frame-options"), Some("DENY"));
    }
    host.stop().await;
}
