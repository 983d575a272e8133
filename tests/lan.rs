//! A peer on another machine needs the join code. The "other machine" is a
//! network namespace joined to this one by a veth pair, made by the test.

mod common;

use common::netns::{self, OtherMachine};
use common::Client;

#[tokio::test]
async fn a_lan_peer_joins_only_with_the_code() {
    let Some(lan) = netns::or_skip(OtherMachine::create("t", 231)) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let host = lan.spawn_host(tmp.path());
    let base = format!("ws://{}:{}/?room=main", lan.host_ip, host.ws.port());

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
    let lan_http: std::net::SocketAddr = format!("{}:{}", lan.host_ip, host.http.port())
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
    // MAX_CODE_FAILURES different guesses (the join above cleared the wrong code before).
    for guess in 0..coco::auth::MAX_CODE_FAILURES {
        let guess = format!("{base}&code=GUESS{guess}");
        statuses.push(Client::try_connect_with(&guess, &[]).await.err().unwrap().0);
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
