//! A peer on another machine needs the join code. The "other machine" is a
//! network namespace joined to this one by a veth pair, made by the test.

mod common;

use std::process::Command;

use common::{Client, HostProcess};

/// A namespace with a veth link to this one; removed on drop.
struct Netns {
    name: String,
    host_ip: String,
}

impl Netns {
    /// Creates it, or returns why it cannot be made here.
    fn create() -> Result<Netns, String> {
        let id = std::process::id();
        let name = format!("coco-t{id}");
        let subnet = format!("10.231.{}", id % 250);
        let ns = Netns {
            name: name.clone(),
            host_ip: format!("{subnet}.2"),
        };
        let outer = format!("vc{}", id % 100_000);
        let inner = format!("vi{}", id % 100_000);
        let steps: Vec<Vec<String>> = vec![
            vec!["netns".into(), "add".into(), name.clone()],
            vec![
                "link".into(),
                "add".into(),
                outer.clone(),
                "type".into(),
                "veth".into(),
                "peer".into(),
                "name".into(),
                inner.clone(),
            ],
            vec![
                "link".into(),
                "set".into(),
                inner.clone(),
                "netns".into(),
                name.clone(),
            ],
            vec![
                "addr".into(),
                "add".into(),
                format!("{subnet}.1/24"),
                "dev".into(),
                outer.clone(),
            ],
            vec!["link".into(), "set".into(), outer, "up".into()],
            vec![
                "-n".into(),
                name.clone(),
                "addr".into(),
                "add".into(),
                format!("{subnet}.2/24"),
                "dev".into(),
                inner.clone(),
            ],
            vec![
                "-n".into(),
                name.clone(),
                "link".into(),
                "set".into(),
                inner,
                "up".into(),
            ],
            vec![
                "-n".into(),
                name.clone(),
                "link".into(),
                "set".into(),
                "lo".into(),
                "up".into(),
            ],
        ];
        for step in steps {
            let out = Command::new("ip")
                .args(&step)
                .output()
                .map_err(|e| format!("ip: {e}"))?;
            if !out.status.success() {
                return Err(format!(
                    "ip {}: {}",
                    step.join(" "),
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
        }
        Ok(ns)
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        // Deleting the namespace removes its end of the veth pair, and so the pair.
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
    }
}

#[tokio::test]
async fn a_lan_peer_joins_only_with_the_code() {
    let ns = match Netns::create() {
        Ok(ns) => ns,
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("skipped: cannot create a network namespace here ({e})");
            return;
        }
        Err(e) => panic!("CI must be able to create a network namespace: {e}"),
    };
    let tmp = tempfile::tempdir().unwrap();
    let mut command = Command::new("ip");
    command.args([
        "netns",
        "exec",
        &ns.name,
        env!("CARGO_BIN_EXE_coco"),
        "--bind",
        "0.0.0.0",
    ]);
    let host = HostProcess::spawn_command(command, tmp.path(), &[]);
    let base = format!("ws://{}:{}/?room=main", ns.host_ip, host.ws.port());

    // No code, then a wrong one: refused before the upgrade, with a clear message.
    let (status, body) = Client::try_connect_with(&base, &[])
        .await
        .err()
        .expect("refused without a code");
    assert_eq!(status, 401);
    assert!(
        body.contains("\"code\":\"unauthorized\"") && body.contains("join code"),
        "{body}"
    );
    let wrong = format!("{base}&code=AAAAAA");
    assert_eq!(
        Client::try_connect_with(&wrong, &[]).await.err().unwrap().0,
        401
    );

    // The join screen's check and the host panel answer the same way over HTTP.
    let lan_http: std::net::SocketAddr = format!("{}:{}", ns.host_ip, host.http.port())
        .parse()
        .unwrap();
    assert_eq!(
        common::http(lan_http, "GET", "/api/session", &[], None)
            .await
            .0,
        401
    );
    let with_code = format!("/api/session?code={}", host.code);
    assert_eq!(
        common::http(lan_http, "GET", &with_code, &[], None).await.0,
        200
    );
    assert_eq!(
        common::http(lan_http, "GET", "/api/host/info", &[], None)
            .await
            .0,
        403
    );
    let open = Some("{\"open\": true}");
    assert_eq!(
        common::http(lan_http, "POST", "/api/host/open", &[], open)
            .await
            .0,
        403
    );

    let upload = Some("{\"imageData\": \"data:image/png;base64,AAAA\"}");
    assert_eq!(
        common::http(lan_http, "POST", "/api/save-image", &[], upload)
            .await
            .0,
        401
    );
    assert_eq!(
        common::http(lan_http, "GET", "/img/0.png", &[], None)
            .await
            .0,
        401
    );

    // With the code it joins and draws.
    let good = format!("{base}&code={}", host.code);
    let (mut peer, welcome) = Client::join(&good, "lan-peer").await;
    assert_eq!(welcome["room"], "main");
    assert_eq!(peer.add_acked("from-the-lan").await, 1);

    // Guessing is slowed down: after repeated wrong codes even the right one waits.
    let mut statuses = Vec::new();
    for _ in 0..coco::auth::MAX_CODE_FAILURES {
        statuses.push(Client::try_connect_with(&wrong, &[]).await.err().unwrap().0);
    }
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    assert!(
        statuses[..statuses.len() - 1].iter().all(|s| *s == 401),
        "{statuses:?}"
    );
    assert_eq!(
        Client::try_connect_with(&good, &[]).await.err().unwrap().0,
        429
    );
}
