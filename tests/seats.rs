//! Rooms and seats: who sits where, in which colour, and who may not sit.

mod common;

use common::{Client, TestHost};
use serde_json::json;

#[tokio::test]
async fn joining_gives_a_welcome_and_introduces_everyone() {
    let host = TestHost::start().await;
    let url = host.ws("art");
    let (mut ann, welcome) = Client::join(&url, "ann").await;
    assert_eq!(welcome["userId"], "ann");
    assert_eq!(welcome["position"], "top-left");
    assert_eq!(welcome["color"], "#E03131");
    assert_eq!(welcome["room"], "art");
    assert_eq!(welcome["rev"], 0);
    // The newcomer is announced to itself too, as the existing client expects.
    let me = ann.expect("USER_JOINED").await;
    assert_eq!(
        me,
        json!({"id": "ann", "name": "ann name", "position": "top-left", "isActive": true, "color": "#E03131"})
    );

    let mut bob = Client::connect(&url).await;
    let welcome = bob.join_as("bob", Some("bottom-right")).await;
    assert_eq!(welcome["position"], "bottom-right");
    assert_eq!(welcome["color"], "#F08C00");
    assert_eq!(welcome["users"].as_array().unwrap().len(), 2);
    // Ann hears about Bob; Bob hears about himself and about Ann.
    assert_eq!(ann.expect("USER_JOINED").await["id"], "bob");
    let first = bob.expect("USER_JOINED").await;
    let second = bob.expect("USER_JOINED").await;
    let mut ids = [
        first["id"].as_str().unwrap(),
        second["id"].as_str().unwrap(),
    ];
    ids.sort();
    assert_eq!(ids, ["ann", "bob"]);
    host.stop().await;
}

#[tokio::test]
async fn every_seat_has_its_own_fixed_colour() {
    let host = TestHost::start().await;
    let url = host.ws("main");
    let mut seen = Vec::new();
    let mut clients = Vec::new();
    for user in ["a", "b", "c", "d"] {
        let (c, welcome) = Client::join(&url, user).await;
        seen.push((
            welcome["position"].as_str().unwrap().to_string(),
            welcome["color"].as_str().unwrap().to_string(),
        ));
        clients.push(c);
    }
    let positions: Vec<&str> = seen.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        positions,
        ["top-left", "top-right", "bottom-left", "bottom-right"]
    );
    let mut colours: Vec<&str> = seen.iter().map(|(_, c)| c.as_str()).collect();
    colours.dedup();
    assert_eq!(colours.len(), 4);
    host.stop().await;
}

#[tokio::test]
async fn a_fifth_user_is_told_the_room_is_full_and_disconnected() {
    let host = TestHost::start().await;
    let url = host.ws("main");
    let mut clients = Vec::new();
    for user in ["a", "b", "c", "d"] {
        clients.push(Client::join(&url, user).await.0);
    }
    let mut fifth = Client::connect(&url).await;
    fifth
        .send("JOIN_ROOM", json!({"userId": "e", "username": "Eve"}))
        .await;
    let error = fifth.expect("ERROR").await;
    assert_eq!(error["code"], "room_full");
    assert!(error["message"].as_str().unwrap().contains("taken"));
    assert!(fifth.closed().await);
    // Another room is unaffected.
    let (_other, welcome) = Client::join(&host.ws("other"), "e").await;
    assert_eq!(welcome["position"], "top-left");
    host.stop().await;
}

#[tokio::test]
async fn a_reconnecting_user_gets_the_same_seat_back() {
    let host = TestHost::start().await;
    let url = host.ws("main");
    let (mut ann, _) = Client::join(&url, "ann").await;
    let (bob, bob_welcome) = Client::join(&url, "bob").await;
    assert_eq!(bob_welcome["position"], "top-right");
    drop(bob);
    assert_eq!(ann.expect("USER_LEFT").await, json!({"userId": "bob"}));
    // A newcomer does not take the seat kept for Bob.
    let (_cid, cid_welcome) = Client::join(&url, "cid").await;
    assert_eq!(cid_welcome["position"], "bottom-left");
    let (_bob, welcome) = Client::join(&url, "bob").await;
    assert_eq!(welcome["position"], "top-right");
    assert_eq!(welcome["color"], "#1971C2");
    host.stop().await;
}

#[tokio::test]
async fn a_second_connection_of_the_same_user_replaces_the_first() {
    let host = TestHost::start().await;
    let url = host.ws("main");
    let mut old = Client::connect(&url).await;
    let first = old.join_keeping("ann", "").await["payload"].clone();
    // The same person proves it with the seat secret from its WELCOME
    // (without it, see tests/identity.rs: a copied id takes nothing).
    let mut new = Client::connect(&url).await;
    let secret = first["secret"].as_str().unwrap();
    let second = new.join_keeping("ann", secret).await["payload"].clone();
    assert_eq!(second["userId"], "ann");
    assert_eq!(first["position"], second["position"]);
    assert!(old.closed().await);
    host.stop().await;
}

#[tokio::test]
async fn the_same_origin_socket_path_works_like_the_compatibility_port() {
    let host = TestHost::start().await;
    let (_a, welcome) = Client::join(&host.ws_main_port("main"), "a").await;
    let (_b, welcome_b) = Client::join(&host.ws("main"), "b").await;
    assert_eq!(welcome["room"], "main");
    assert_eq!(welcome_b["users"].as_array().unwrap().len(), 2);
    host.stop().await;
}
