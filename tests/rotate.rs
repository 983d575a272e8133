//! Rotating the join code on a headless host: `coco rotate-code` asks the
//! running host, the people seated stay, the old code is refused to a LAN
//! peer (the "other machine" is a network namespace made by the test), and
//! the terminal shows the new code.

mod common;

use common::netns::{self, OtherMachine};
use common::Client;
use serde_json::Value;

#[tokio::test]
async fn rotate_code_keeps_people_seated_and_the_old_code_stops_working() {
    let Some(lan) = netns::or_skip(OtherMachine::create("r", 236)) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let host = lan.spawn_host(tmp.path());
    let old = host.code.clone();
    let ws = |code: &str| {
        format!(
            "ws://{}:{}/?room=main&code={code}",
            lan.host_ip,
            host.ws.port()
        )
    };
    let http: std::net::SocketAddr = format!("{}:{}", lan.host_ip, host.http.port())
        .parse()
        .unwrap();
    let (mut seated, _) = Client::join(&ws(&old), "seated").await;

    // The CLI, on the host's machine, as its admin.
    let out = lan
        .ns
        .command(env!("CARGO_BIN_EXE_coco"))
        .arg("--data-dir")
        .arg(tmp.path())
        .env("COCO_CONFIG", tmp.path().join("config.toml"))
        .arg("rotate-code")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let new = stdout
        .lines()
        .find_map(|l| l.strip_prefix("New join code: "))
        .unwrap_or_else(|| panic!("{stdout}"))
        .trim()
        .to_string();
    assert_eq!(new.len(), coco::store::JOIN_CODE_LEN);
    assert_ne!(new, old);
    assert!(stdout.contains(&format!("?code={new}")), "{stdout}");

    // The terminal shows the new code and link (and a QR code of it).
    host.wait_for_line(|l| l.trim() == format!("join code:       {new}"));
    let link = host.wait_for_line(|l| l.contains(&format!("?code={new}")));
    let link = link.trim().strip_prefix("on the network:").unwrap().trim();
    let qr = coco::host::terminal::qr_code(link).expect("a QR code of the new link");
    host.wait_for_text(qr.trim_end());

    // Whoever is seated stays.
    assert_eq!(seated.add_acked("after-rotation").await, 1);

    // The old code is refused, over HTTP and at the socket; the new one works.
    let session = |code: &str| format!("/api/session?code={code}");
    let (status, _, body) = common::http(http, "GET", &session(&old), &[], None).await;
    assert_eq!(status, 401);
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["code"], "unauthorized");
    assert_eq!(
        Client::try_connect_with(&ws(&old), &[])
            .await
            .err()
            .expect("the old code is refused")
            .0,
        401
    );
    assert_eq!(
        common::http(http, "GET", &session(&new), &[], None).await.0,
        200
    );
    let (_peer, welcome) = Client::join(&ws(&new), "newcomer").await;
    assert_eq!(welcome["users"].as_array().unwrap().len(), 2);
}

#[test]
fn rotate_code_without_a_running_host_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_coco"))
        .arg("--data-dir")
        .arg(tmp.path())
        .env("COCO_CONFIG", tmp.path().join("config.toml"))
        .arg("rotate-code")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no running CoCo host"), "{stderr}");
}
