//! Who is who: a seat belongs to whoever holds its secret, a person the host
//! removed stays out, and only the host (the admin secret) gets the host panel.

mod common;

use common::{header, http, Client, TestHost};
use serde_json::{json, Value};

/// A client whose connection comes from `ip` (another loopback address:
/// another "device" on this machine as far as the host can tell).
async fn connect_from(ip: &str, host: &TestHost, url: &str) -> Client {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(format!("{ip}:0").parse().unwrap()).unwrap();
    let stream = socket.connect(host.host.ws_addr()).await.unwrap();
    Client::try_connect_over(stream, url)
        .await
        .unwrap_or_else(|e| panic!("connect from {ip}: {e:?}"))
}

/// Joins as the existing client does (no `secret`); the first answer.
async fn join_plain(client: &mut Client, user: &str) -> Value {
    client.user = user.to_string();
    client
        .send(
            "JOIN_ROOM",
            json!({"userId": user, "username": format!("{user} name")}),
        )
        .await;
    loop {
        let msg = client.next().await.expect("an answer to JOIN_ROOM");
        if msg["type"] == "WELCOME" || msg["type"] == "ERROR" {
            return msg;
        }
    }
}

/// A JSON request from this machine with the admin secret.
async fn as_host(host: &TestHost, method: &str, path: &str, body: Option<&str>) -> (u16, Value) {
    let admin = host.admin();
    let (status, _, body) =
        http(host.http(), method, path, &[("x-coco-admin", &admin)], body).await;
    (status, serde_json::from_slice(&body).unwrap_or_default())
}

#[tokio::test]
async fn a_copied_user_id_never_takes_an_occupied_seat() {
    let host = TestHost::start().await;
    let url = host.ws("main");
    let mut ann = Client::connect(&url).await;
    let welcome = ann.join_keeping("ann", "").await;
    assert_eq!(welcome["payload"]["userId"], "ann");
    let secret = welcome["payload"]["secret"].as_str().unwrap().to_string();
    assert_eq!(secret.len(), 2 * coco::auth::SECRET_BYTES, "{secret}");
    assert_eq!(ann.expect("USER_JOINED").await["id"], "ann");

    // The id is public (USER_JOINED); without the secret, or with a wrong
    // one, it buys a new id and another seat, and Ann stays.
    for copied in [None, Some(""), Some("0123456789abcdef0123456789abcdef")] {
        let mut copier = Client::connect(&url).await;
        let answer = match copied {
            None => join_plain(&mut copier, "ann").await,
            Some(s) => copier.join_keeping("ann", s).await,
        };
        assert_eq!(answer["type"], "WELCOME", "{answer}");
        let id = answer["payload"]["userId"].as_str().unwrap();
        assert_ne!(id, "ann", "{copied:?}");
        assert_ne!(answer["payload"]["position"], "top-left");
        assert_ne!(answer["payload"]["secret"], secret.as_str());
        // Ann hears of a newcomer under its own id, and is not closed.
        assert_eq!(ann.expect("USER_JOINED").await["id"], id);
        drop(copier);
        ann.expect("USER_LEFT").await;
    }
    assert_eq!(ann.sync(None).await["shapes"], json!([]));
    host.stop().await;
}

#[tokio::test]
async fn a_copied_user_id_never_takes_a_reserved_seat() {
    let host = TestHost::start().await;
    let url = host.ws("main");
    let (mut watcher, _) = Client::join(&url, "watcher").await;
    // A client that keeps secrets leaves; a copier on the same machine
    // cannot take its seat back.
    let mut ann = Client::connect(&url).await;
    let ann_seat = ann.join_keeping("ann", "").await["payload"]["position"].clone();
    drop(ann);
    watcher.expect("USER_LEFT").await;
    let mut copier = Client::connect(&url).await;
    let answer = join_plain(&mut copier, "ann").await;
    assert_eq!(answer["type"], "WELCOME", "{answer}");
    assert_ne!(answer["payload"]["userId"], "ann", "{answer}");
    assert_ne!(answer["payload"]["position"], ann_seat, "{answer}");
    drop(copier);
    watcher.expect("USER_LEFT").await;

    // The existing client (no secret) leaves; a copier from another
    // address cannot take its seat either.
    let url = host.ws("other");
    let (mut watcher, _) = Client::join(&url, "watcher").await;
    let mut bob = connect_from("127.0.0.1", &host, &url).await;
    let bob_seat = join_plain(&mut bob, "bob").await["payload"]["position"].clone();
    drop(bob);
    watcher.expect("USER_LEFT").await;
    let mut copier = connect_from("127.0.0.2", &host, &url).await;
    let answer = join_plain(&mut copier, "bob").await;
    assert_eq!(answer["type"], "WELCOME", "{answer}");
    assert_ne!(answer["payload"]["userId"], "bob", "{answer}");
    assert_ne!(answer["payload"]["position"], bob_seat, "{answer}");
    drop(copier);
    watcher.expect("USER_LEFT").await;

    // Bob himself, from where he was, takes his seat back within the grace.
    let mut bob = connect_from("127.0.0.1", &host, &url).await;
    let answer = join_plain(&mut bob, "bob").await;
    assert_eq!(answer["payload"]["userId"], "bob", "{answer}");
    assert_eq!(answer["payload"]["position"], bob_seat);
    host.stop().await;
}

#[tokio::test]
async fn a_copier_finds_the_room_full_rather_than_a_kept_seat() {
    let host = TestHost::start().await;
    let url = host.ws("main");
    let mut seated = Vec::new();
    for user in ["a", "b", "c"] {
        seated.push(Client::join(&url, user).await.0);
    }
    let mut dee = Client::connect(&url).await;
    dee.join_keeping("dee", "").await;
    drop(dee);
    seated[0].expect("USER_LEFT").await;
    let mut copier = Client::connect(&url).await;
    let answer = join_plain(&mut copier, "dee").await;
    assert_eq!(answer["payload"]["code"], "room_full", "{answer}");
    assert!(copier.closed().await);
    host.stop().await;
}

#[tokio::test]
async fn the_owner_comes_back_to_its_seat_with_its_secret() {
    let host = TestHost::start().await;
    let url = host.ws("main");
    let (mut watcher, _) = Client::join(&url, "watcher").await;
    let mut ann = Client::connect(&url).await;
    let first = ann.join_keeping("ann", "").await["payload"].clone();
    let secret = first["secret"].as_str().unwrap().to_string();

    // While still seated (a connection the host has not seen die), from
    // another address: the secret takes the seat over, the old socket closes.
    let mut again = connect_from("127.0.0.2", &host, &url).await;
    let second = again.join_keeping("ann", &secret).await["payload"].clone();
    assert_eq!(second["userId"], "ann");
    assert_eq!(second["position"], first["position"]);
    assert_eq!(second["secret"], secret.as_str(), "the secret stays");
    assert_eq!(ann.close_code().await, Some(4000));

    // After leaving: the secret takes the kept seat back.
    drop(again);
    watcher.expect("USER_LEFT").await;
    let mut third = Client::connect(&url).await;
    let answer = third.join_keeping("ann", &secret).await["payload"].clone();
    assert_eq!(answer["userId"], "ann");
    assert_eq!(answer["position"], first["position"]);
    host.stop().await;
}

#[tokio::test]
async fn the_existing_client_reconnects_without_a_secret() {
    let host = TestHost::start().await;
    let url = host.ws("main");
    let (mut watcher, _) = Client::join(&url, "watcher").await;
    let (bob, welcome) = Client::join(&url, "bob").await;
    drop(bob);
    watcher.expect("USER_LEFT").await;
    let (_bob, again) = Client::join(&url, "bob").await;
    assert_eq!(again["userId"], "bob");
    assert_eq!(again["position"], welcome["position"]);
    host.stop().await;
}

#[tokio::test]
async fn the_existing_client_takes_its_seat_back_after_a_reload() {
    let host = TestHost::start().await;
    let url = host.ws("main");
    let (mut watcher, _) = Client::join(&url, "watcher").await;
    let (mut bob, welcome) = Client::join(&url, "bob").await;
    // A reload: the old socket closes and the new one joins at once, maybe
    // before the host has seen the old one go.
    futures_util::SinkExt::close(&mut bob.socket).await.unwrap();
    let (_bob, again) = Client::join(&url, "bob").await;
    assert_eq!(again["userId"], "bob");
    assert_eq!(again["position"], welcome["position"]);
    assert_eq!(watcher.expect("USER_LEFT").await["userId"], "bob");
    host.stop().await;
}

#[tokio::test]
async fn a_seated_existing_client_is_not_taken_over_from_its_own_address() {
    let host = TestHost::start().await;
    let url = host.ws("main");
    let (mut carl, welcome) = Client::join(&url, "carl").await;
    carl.expect("USER_JOINED").await;
    // Same address, no secret, and Carl's connection stays: after the
    // host's wait for a closing socket, the copier is someone else.
    let mut copier = Client::connect(&url).await;
    let answer = join_plain(&mut copier, "carl").await;
    assert_eq!(answer["type"], "WELCOME", "{answer}");
    let id = answer["payload"]["userId"].as_str().unwrap();
    assert_ne!(id, "carl");
    assert_ne!(answer["payload"]["position"], welcome["position"]);
    assert_eq!(carl.expect("USER_JOINED").await["id"], id);
    assert_eq!(
        carl.sync(None).await["shapes"],
        json!([]),
        "still connected"
    );
    host.stop().await;
}

#[tokio::test]
async fn the_secret_goes_to_its_owner_only() {
    let host = TestHost::start().await;
    let url = host.ws("main");
    let mut ann = Client::connect(&url).await;
    let secret = ann.join_keeping("ann", "").await["payload"]["secret"]
        .as_str()
        .unwrap()
        .to_string();
    let mut bob = Client::connect(&url).await;
    let welcome = bob.join_keeping("bob", "").await;
    let joined = ann.expect("USER_JOINED").await;
    let (_, _, session) = http(host.http(), "GET", "/api/session", &[], None).await;
    let (_, info) = as_host(&host, "GET", "/api/host/info", None).await;
    for seen in [
        welcome.to_string(),
        joined.to_string(),
        String::from_utf8(session).unwrap(),
        info.to_string(),
    ] {
        assert!(!seen.contains(&secret), "{seen}");
    }
    host.stop().await;
}

#[tokio::test]
async fn a_removed_user_stays_out_for_the_session() {
    let host = TestHost::start().await;
    let url = host.ws("art");
    let (mut ann, _) = Client::join(&url, "ann").await;
    let mut bob = Client::connect(&url).await;
    let secret = bob.join_keeping("bob", "").await["payload"]["secret"]
        .as_str()
        .unwrap()
        .to_string();
    let kick = json!({"room": "art", "userId": "bob"}).to_string();
    let (status, _) = as_host(&host, "POST", "/api/host/kick", Some(&kick)).await;
    assert_eq!(status, 200);
    assert_eq!(bob.close_code().await, Some(4001));
    assert_eq!(ann.expect("USER_LEFT").await, json!({"userId": "bob"}));

    // "Join again": with the secret, without it, from another address.
    for (from, secret) in [("127.0.0.1", Some(secret.as_str())), ("127.0.0.2", None)] {
        let mut back = connect_from(from, &host, &url).await;
        let answer = match secret {
            Some(s) => back.join_keeping("bob", s).await,
            None => join_plain(&mut back, "bob").await,
        };
        assert_eq!(answer["type"], "ERROR", "{answer}");
        assert_eq!(answer["payload"]["code"], "removed");
        assert!(answer["payload"]["message"]
            .as_str()
            .unwrap()
            .contains("removed"));
        assert_eq!(back.close_code().await, Some(4001));
    }
    // Even after the room was unloaded and read back.
    drop(ann);
    let rooms = host.host.rooms();
    tokio::time::timeout(common::WAIT, async {
        while rooms.sweep(std::time::Duration::ZERO) == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the room empties and is unloaded");
    let mut back = Client::connect(&url).await;
    assert_eq!(
        join_plain(&mut back, "bob").await["payload"]["code"],
        "removed"
    );
    // Someone else (a new id) still joins, and so does bob in another room.
    let (_cy, welcome) = Client::join(&url, "cy").await;
    assert_eq!(welcome["userId"], "cy");
    let (_bob, other) = Client::join(&host.ws("other"), "bob").await;
    assert_eq!(other["userId"], "bob");
    host.stop().await;
}

#[tokio::test]
async fn the_host_routes_need_the_admin_secret_even_from_this_machine() {
    let host = TestHost::start().await;
    let (_bob, _) = Client::join(&host.ws("art"), "bob").await;
    let kick = json!({"room": "art", "userId": "bob"}).to_string();
    let present = json!({"room": "art", "userId": "bob"}).to_string();
    let routes: [(&str, &str, Option<&str>); 6] = [
        ("GET", "/api/host/info", None),
        ("POST", "/api/host/open", Some("{\"open\": true}")),
        ("POST", "/api/host/rotate-code", Some("{}")),
        ("POST", "/api/host/present", Some(&present)),
        ("POST", "/api/host/kick", Some(&kick)),
        (
            "POST",
            "/api/host/gemini-key",
            Some("{\"key\": \"AIzaSy-not-the-host\"}"),
        ),
    ];
    let wrong = "0".repeat(2 * coco::auth::SECRET_BYTES);
    for (method, path, body) in routes {
        for headers in [vec![], vec![("x-coco-admin", wrong.as_str())]] {
            let (status, _, answer) = http(host.http(), method, path, &headers, body).await;
            assert_eq!(status, 403, "{method} {path} {headers:?}");
            let answer: Value = serde_json::from_slice(&answer).unwrap();
            assert_eq!(answer["code"], "host_only");
            assert!(answer["error"].as_str().unwrap().contains("admin link"));
        }
    }
    // Nothing changed.
    let (_, _, ai) = http(host.http(), "GET", "/api/ai/status", &[], None).await;
    let ai: Value = serde_json::from_slice(&ai).unwrap();
    assert_eq!(ai["gemini"]["available"], false, "no key was set: {ai}");
    let (_, _, health) = http(host.http(), "GET", "/api/health", &[], None).await;
    let health: Value = serde_json::from_slice(&health).unwrap();
    assert_eq!(health["codeRequired"], true);
    assert_eq!(host.host.rooms().seated("art"), 1);
    // The session check says who is the host.
    let (_, _, plain) = http(host.http(), "GET", "/api/session", &[], None).await;
    assert_eq!(
        serde_json::from_slice::<Value>(&plain).unwrap()["isHost"],
        false
    );
    let admin = host.admin();
    let (_, _, with) = http(
        host.http(),
        "GET",
        "/api/session",
        &[("x-coco-admin", &admin)],
        None,
    )
    .await;
    assert_eq!(
        serde_json::from_slice::<Value>(&with).unwrap()["isHost"],
        true
    );
    // With the secret every route works.
    let code_before = host.host.join_code();
    for (method, path, body) in routes {
        let (status, answer) = as_host(&host, method, path, body).await;
        assert_eq!(status, 200, "{method} {path}: {answer}");
    }
    assert_ne!(host.host.join_code(), code_before);
    host.stop().await;
}

#[tokio::test]
async fn rotating_the_code_answers_the_new_code_and_keeps_it_across_a_restart() {
    let host = TestHost::start().await;
    let old = host.host.join_code();
    let (_ann, _) = Client::join(&host.ws("main"), "ann").await;
    let (status, answer) = as_host(&host, "POST", "/api/host/rotate-code", Some("{}")).await;
    assert_eq!(status, 200, "{answer}");
    let new = answer["code"].as_str().unwrap().to_string();
    assert_ne!(new, *old);
    assert_eq!(new.len(), coco::store::JOIN_CODE_LEN);
    let (_, info) = as_host(&host, "GET", "/api/host/info", None).await;
    assert_eq!(info["code"], new.as_str());
    assert_eq!(info["rooms"][0]["users"][0]["id"], "ann", "still seated");
    assert!(host
        .host
        .banner()
        .contains(&format!("join code:       {new}")));
    let dir = host.dir.clone();
    let tmp = host.stop().await;
    let again = TestHost::start_in(&dir).await;
    assert_eq!(*again.host.join_code(), *new);
    again.stop().await;
    drop(tmp);
}

#[tokio::test]
async fn the_admin_link_is_printed_and_the_ui_pages_carry_no_secret() {
    let host = TestHost::start().await;
    let banner = host.host.banner();
    let admin = host.admin();
    assert!(
        banner.contains(&format!(
            "admin link:      http://127.0.0.1:{}/?admin={admin}",
            host.http().port()
        )),
        "{banner}"
    );
    let (status, headers, body) = http(host.http(), "GET", "/", &[], None).await;
    assert_eq!(status, 200);
    assert!(!String::from_utf8_lossy(&body).contains(&admin));
    assert!(header(&headers, "set-cookie").is_none());
    host.stop().await;
}
