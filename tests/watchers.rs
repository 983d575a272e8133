//! Watchers: people past the four seats see the room live, change
//! nothing, and take a seat when one frees.

mod common;

use coco::protocol::limits::MAX_WATCHERS_PER_ROOM;
use common::{pencil, shape_ids, Client, TestHost};
use serde_json::json;

async fn full_room(url: &str) -> Vec<Client> {
    let mut seated = Vec::new();
    for user in ["a", "b", "c", "d"] {
        seated.push(Client::join(url, user).await.0);
    }
    seated
}

async fn watcher(url: &str, user: &str) -> (Client, serde_json::Value) {
    let mut client = Client::connect(url).await;
    client
        .send(
            "JOIN_ROOM",
            json!({"userId": user, "username": user, "watch": true}),
        )
        .await;
    let watching = client.expect("WATCHING").await;
    (client, watching)
}

#[tokio::test]
async fn a_watcher_sees_the_room_live_and_changes_nothing() {
    let host = TestHost::start().await;
    let url = host.ws("class");
    let mut seated = full_room(&url).await;
    seated[0].add_acked("before").await;

    let (mut eve, watching) = watcher(&url, "eve").await;
    assert_eq!(watching["userId"], "eve");
    assert_eq!(watching["room"], "class");
    assert_eq!(watching["users"].as_array().unwrap().len(), 4);
    assert_eq!(watching["watchers"], 1);
    assert_eq!(shape_ids(&eve.sync(None).await), ["before"]);

    // What the seated do reaches the watcher: a stroke and a cursor.
    seated[1].add_acked("live").await;
    let added = eve.expect("SHAPE_ADDED").await;
    assert_eq!(added["shape"]["id"], "live");
    assert_eq!(added["userId"], "b");
    seated[2]
        .send("CURSOR_MOVE", json!({"position": {"x": 1, "y": 2}}))
        .await;
    assert_eq!(eve.expect("CURSOR_MOVE").await["userId"], "c");

    // The watcher's own change is refused, stored nowhere, seen by no one.
    eve.send(
        "SHAPE_ADDED",
        json!({"shape": pencil("sneaky", 3), "opId": "op-sneaky"}),
    )
    .await;
    let refused = eve.expect("ERROR").await;
    assert_eq!(refused["code"], "watching");
    assert_eq!(refused["opId"], "op-sneaky");
    eve.send("CURSOR_MOVE", json!({"position": {"x": 5, "y": 5}}))
        .await;
    assert_eq!(eve.expect_error().await, "watching");
    assert_eq!(shape_ids(&seated[0].sync(None).await), ["before", "live"]);
    host.stop().await;
}

#[tokio::test]
async fn a_watcher_takes_a_seat_when_one_frees() {
    let host = TestHost::start().await;
    let url = host.ws("class");
    let mut seated = full_room(&url).await;
    let (mut eve, _) = watcher(&url, "eve").await;

    // Asking while the room is full: refused, and still watching.
    eve.send("JOIN_ROOM", json!({"userId": "eve", "username": "Eve"}))
        .await;
    assert_eq!(eve.expect_error().await, "room_full");
    seated[0].add_acked("still-watching").await;
    assert_eq!(
        eve.expect("SHAPE_ADDED").await["shape"]["id"],
        "still-watching"
    );

    // Someone leaves; the watcher hears it and takes the seat.
    let leaver = seated.remove(3);
    drop(leaver);
    assert_eq!(eve.expect("USER_LEFT").await["userId"], "d");
    eve.send("JOIN_ROOM", json!({"userId": "eve", "username": "Eve"}))
        .await;
    let welcome = eve.expect("WELCOME").await;
    assert_eq!(welcome["userId"], "eve");
    assert_eq!(welcome["position"], "bottom-right");
    assert_eq!(seated[0].expect("USER_JOINED").await["id"], "eve");
    // Seated now: its changes are stored and acknowledged.
    eve.add_acked("from-eve").await;
    host.stop().await;
}

#[tokio::test]
async fn watchers_are_limited_at_the_limit_and_past_it() {
    let host = TestHost::start().await;
    let url = host.ws("hall");
    let _seated = full_room(&url).await;
    let mut watchers = Vec::new();
    for n in 0..MAX_WATCHERS_PER_ROOM {
        let (client, watching) = watcher(&url, &format!("w{n}")).await;
        assert_eq!(watching["watchers"], n + 1);
        watchers.push(client);
    }
    let mut late = Client::connect(&url).await;
    late.send("JOIN_ROOM", json!({"userId": "late", "watch": true}))
        .await;
    let error = late.expect("ERROR").await;
    assert_eq!(error["code"], "room_full");
    assert!(error["message"].as_str().unwrap().contains("watching"));
    assert!(late.closed().await);

    // A place frees when a watcher goes.
    drop(watchers.pop());
    let again = async {
        loop {
            let mut client = Client::connect(&url).await;
            client
                .send("JOIN_ROOM", json!({"userId": "late", "watch": true}))
                .await;
            let reply = client.next().await.expect("an answer");
            if reply["type"] == "WATCHING" {
                return reply;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    };
    let watching = tokio::time::timeout(std::time::Duration::from_secs(5), again)
        .await
        .expect("a freed watching place is given again");
    assert_eq!(watching["payload"]["watchers"], MAX_WATCHERS_PER_ROOM);
    host.stop().await;
}
