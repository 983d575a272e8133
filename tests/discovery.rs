//! Finding sessions on the LAN over mDNS, between two "machines": network
//! namespaces A and B joined by a veth pair the test makes. Host A
//! announces; host B browses and lists it under `GET /api/discovery`, sees
//! its seats change, and drops it when A says goodbye. A peer in B joins A
//! only with the code.
//!
//! The times printed (seen, updated, removed) are measurements, not
//! assertions: the deadlines below are only there to fail rather than hang.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::netns::{self, discovery, Lan, Netns};
use common::{Client, HostProcess, TestHost};
use serde_json::Value;

/// How long a change may take to be seen before the test fails.
const DEADLINE: Duration = Duration::from_secs(15);
/// How often B's list is read while waiting.
const POLL: Duration = Duration::from_millis(25);

/// Polls B's list until `pred` holds for it; returns the list and how long it took.
async fn wait_for(
    ns: &Netns,
    host: &HostProcess,
    what: &str,
    pred: impl Fn(&[Value]) -> bool,
) -> (Vec<Value>, Duration) {
    let start = Instant::now();
    loop {
        let answer = discovery(ns, host).await;
        let sessions = answer["sessions"].as_array().unwrap().clone();
        if pred(&sessions) {
            return (sessions, start.elapsed());
        }
        assert!(
            start.elapsed() < DEADLINE,
            "{what} not seen within {DEADLINE:?}: {answer}"
        );
        tokio::time::sleep(POLL).await;
    }
}

fn named<'a>(sessions: &'a [Value], name: &str) -> Option<&'a Value> {
    sessions.iter().find(|s| s["name"] == name)
}

fn spawn(ns: &Netns, dir: &std::path::Path, name: &str) -> HostProcess {
    let command = ns.command(env!("CARGO_BIN_EXE_coco"));
    HostProcess::spawn_announced(command, dir, &["--bind", "0.0.0.0", "--name", name])
}

#[tokio::test]
async fn a_session_in_one_namespace_is_found_updated_and_dropped_from_another() {
    let Some(lan) = netns::or_skip(Lan::create("mdns", 233)) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let (dir_a, dir_b) = (tmp.path().join("a"), tmp.path().join("b"));
    let host_b = spawn(&lan.b, &dir_b, "Host B");
    let host_a = spawn(&lan.a, &dir_a, "Host A");

    // B lists A with its real port and TXT; A never lists itself.
    let (sessions, seen) =
        wait_for(&lan.b, &host_b, "host A", |s| named(s, "Host A").is_some()).await;
    println!(
        "host A seen from B {} ms after A printed its banner",
        seen.as_millis()
    );
    let a = named(&sessions, "Host A").unwrap();
    assert_eq!(a["port"], host_a.http.port());
    assert_eq!(a["wsPort"], host_a.ws.port());
    assert_eq!(
        a["url"],
        format!("http://{}:{}/", lan.a_ip, host_a.http.port())
    );
    assert_eq!(a["version"], coco::discovery::PROTOCOL_VERSION);
    assert_eq!(a["freeSeats"], 4);
    assert_eq!(a["codeRequired"], true);
    assert!(a.get("code").is_none() && !a.to_string().contains(&host_a.code));
    let b_view = discovery(&lan.b, &host_b).await;
    assert_eq!(b_view["mdns"]["advertising"], true, "{b_view}");
    assert_eq!(b_view["mdns"]["browsing"], true, "{b_view}");
    let (own, _) = wait_for(&lan.a, &host_a, "host B from A", |s| {
        named(s, "Host B").is_some()
    })
    .await;
    assert!(
        named(&own, "Host A").is_none(),
        "a host lists itself: {own:?}"
    );

    // Someone at B's board hears about A at once.
    let b_ws = host_b.ws;
    let b_url = format!("ws://{b_ws}/?room=main");
    let mut watcher = Client::try_connect_over(lan.b.connect(b_ws).await, &b_url)
        .await
        .unwrap();
    watcher.join_as("watcher", None).await;
    until_nearby(&mut watcher, |s| named(s, "Host A").is_some()).await;

    // A peer in B: refused without the code, at the socket and over HTTP.
    let a_ws: SocketAddr = format!("{}:{}", lan.a_ip, host_a.ws.port())
        .parse()
        .unwrap();
    let a_http: SocketAddr = format!("{}:{}", lan.a_ip, host_a.http.port())
        .parse()
        .unwrap();
    let base = format!("ws://{a_ws}/?room=main");
    let refused = Client::try_connect_over(lan.b.connect(a_ws).await, &base).await;
    assert_eq!(refused.err().expect("refused without the code").0, 401);
    let peek = common::http_over(
        lan.b.connect(a_http).await,
        a_http,
        "GET",
        "/api/discovery",
        &[],
        None,
    )
    .await;
    assert_eq!(peek.0, 401, "the list is for peers with the code");
    let with_code = format!("/api/discovery?code={}", host_a.code);
    let peek = common::http_over(
        lan.b.connect(a_http).await,
        a_http,
        "GET",
        &with_code,
        &[],
        None,
    )
    .await;
    assert_eq!(peek.0, 200);
    let listed: Value = serde_json::from_slice(&peek.2).unwrap();
    assert!(
        named(listed["sessions"].as_array().unwrap(), "Host B").is_some(),
        "{listed}"
    );

    // With the code it joins and draws; the seat it takes is announced.
    let good = format!("{base}&code={}", host_a.code);
    let mut peer = Client::try_connect_over(lan.b.connect(a_ws).await, &good)
        .await
        .unwrap();
    let joining = Instant::now();
    let welcome = peer.join_as("lan-peer", None).await;
    assert_eq!(welcome["room"], "main");
    let three_free = |s: &[Value]| named(s, "Host A").is_some_and(|a| a["freeSeats"] == 3);
    wait_for(&lan.b, &host_b, "3 free seats at A", three_free).await;
    println!(
        "a seat taken at A seen from B after {} ms",
        joining.elapsed().as_millis()
    );
    assert_eq!(peer.add_acked("from-namespace-b").await, 1);
    until_nearby(&mut watcher, three_free).await;

    // The peer leaves: the seat is free again.
    drop(peer);
    let (_, freed) = wait_for(&lan.b, &host_b, "4 free seats at A", |s| {
        named(s, "Host A").is_some_and(|a| a["freeSeats"] == 4)
    })
    .await;
    println!(
        "a seat freed at A seen from B after {} ms",
        freed.as_millis()
    );

    // SIGTERM: A says goodbye and B drops it well before any expiry.
    host_a.sigterm();
    let (_, removed) = wait_for(&lan.b, &host_b, "host A gone", |s| {
        named(s, "Host A").is_none()
    })
    .await;
    println!(
        "host A removed from B {} ms after SIGTERM",
        removed.as_millis()
    );
    until_nearby(&mut watcher, |s| named(s, "Host A").is_none()).await;
}

/// Reads `SESSIONS_NEARBY` pushes until one's list satisfies `pred`.
async fn until_nearby(client: &mut Client, pred: impl Fn(&[Value]) -> bool) {
    loop {
        let pushed = client.expect("SESSIONS_NEARBY").await;
        if pred(pushed["sessions"].as_array().unwrap()) {
            return;
        }
    }
}

#[tokio::test]
async fn a_host_that_cannot_bind_the_mdns_port_runs_on_and_says_why() {
    let id = std::process::id();
    let Some(ns) = netns::or_skip(Netns::add(&format!("coco-mdns-c{id}"))) else {
        return;
    };
    // Another program holds UDP 5353 without sharing it.
    let _holder = ns
        .inside(|| std::net::UdpSocket::bind(("0.0.0.0", 5353)))
        .expect("bind 5353 inside the namespace");
    let tmp = tempfile::tempdir().unwrap();
    let host = spawn(&ns, tmp.path(), "Blocked");
    let answer = discovery(&ns, &host).await;
    assert_eq!(answer["mdns"]["advertising"], false, "{answer}");
    assert_eq!(answer["mdns"]["browsing"], false, "{answer}");
    let error = answer["mdns"]["error"].as_str().unwrap();
    assert!(error.contains("5353"), "{error}");
    let health = common::http_over(
        ns.connect(host.http).await,
        host.http,
        "GET",
        "/api/health",
        &[],
        None,
    )
    .await;
    assert_eq!(health.0, 200, "the host runs on");
}

#[tokio::test]
async fn without_mdns_the_list_is_empty_and_says_why() {
    let host = TestHost::start().await;
    let (status, _, body) = common::http(host.http(), "GET", "/api/discovery", &[], None).await;
    assert_eq!(status, 200);
    let answer: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(answer["success"], true);
    assert_eq!(answer["mdns"]["advertising"], false);
    assert_eq!(answer["mdns"]["browsing"], false);
    assert!(
        answer["mdns"]["error"]
            .as_str()
            .unwrap()
            .contains("--no-mdns"),
        "{answer}"
    );
    assert_eq!(answer["sessions"], serde_json::json!([]));
    host.stop().await;
}
