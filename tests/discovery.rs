//! Finding sessions on the LAN over mDNS, between two "machines": network
//! namespaces A and B joined by a veth pair the test makes. Host A
//! announces; host B browses and lists it under `GET /api/discovery`, sees
//! its seats change, and drops it when A says goodbye. A peer in B joins A
//! only with the code.
//!
//! A third namespace, C, on a second link of B's, announces spoofed records
//! (a twin of A's name, a flood from one address): B still lists A with its
//! address, first, as the one that answers; the twin is marked; the flood
//! keeps to its share.
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
    assert_eq!(a["address"], format!("{}:{}", lan.a_ip, host_a.http.port()));
    assert_eq!(a["sameName"], false);
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
    // Anyone may ask A's health, which names the instance B listed: what
    // B's check of A's address compares.
    let health = common::http_over(
        lan.b.connect(a_http).await,
        a_http,
        "GET",
        "/api/health",
        &[],
        None,
    )
    .await;
    let health: Value = serde_json::from_slice(&health.2).unwrap();
    assert_eq!(health["instanceId"], a["id"], "{health}");
    let (checked, _) = wait_for(&lan.b, &host_b, "host A checked", |s| {
        named(s, "Host A").is_some_and(|a| a["answers"] == true)
    })
    .await;
    assert_eq!(named(&checked, "Host A").unwrap()["id"], a["id"]);
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

/// Announces made-up `_coco._tcp` records from inside a namespace, with
/// mdns-sd as any machine on the LAN could; stops its daemon on drop.
struct Spoofer {
    daemon: mdns_sd::ServiceDaemon,
}

impl Spoofer {
    fn start(ns: &Netns) -> Spoofer {
        // The daemon's thread is made on a thread inside the namespace, and
        // so stays there with its sockets.
        let daemon = ns
            .inside(|| mdns_sd::ServiceDaemon::new().map_err(std::io::Error::other))
            .expect("mDNS daemon inside the namespace");
        Spoofer { daemon }
    }

    /// A record `name [id]` at `ip:port`, saying what a CoCo host says.
    fn announce(&self, name: &str, id: &str, host: &str, ip: &str, port: u16) {
        let txt = [
            ("v", "1"),
            ("id", id),
            ("name", name),
            ("ws", "8080"),
            ("seats", "4"),
            ("code", "1"),
        ];
        let info = mdns_sd::ServiceInfo::new(
            coco::discovery::SERVICE_TYPE,
            &format!("{name} [{id}]"),
            host,
            ip,
            port,
            &txt[..],
        )
        .unwrap();
        self.daemon.register(info).unwrap();
    }
}

impl Drop for Spoofer {
    fn drop(&mut self) {
        if let Ok(done) = self.daemon.shutdown() {
            let _ = done.recv_timeout(Duration::from_secs(1));
        }
    }
}

/// How many records the flood sends, all from one address.
const FLOOD: usize = 40;

fn from_ip<'a>(sessions: &'a [Value], ip: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    sessions.iter().filter(move |s| {
        s["address"]
            .as_str()
            .is_some_and(|a| a.starts_with(&format!("{ip}:")))
    })
}

#[tokio::test]
async fn spoofed_records_neither_hide_a_real_session_nor_pass_for_it() {
    use coco::discovery::{MAX_NEARBY_SESSIONS, MAX_SESSIONS_PER_ADDRESS};
    let Some(lan) = netns::or_skip(Lan::create("spoof", 235)) else {
        return;
    };
    let Some(other) = netns::or_skip(lan.neighbour("twin", 236)) else {
        return;
    };
    let [flood_ip, twin_ip] = other.ips.clone();
    let pid = std::process::id();
    let spoofer = Spoofer::start(&other.ns);
    // A record with the name of the real host to come, on another machine
    // where nothing answers, and a flood of records from one address.
    spoofer.announce(
        "Host A",
        "twin0001",
        &format!("twin-{pid}.local."),
        &twin_ip,
        45999,
    );
    for i in 0..FLOOD {
        let name = format!("Flood {i}");
        let id = format!("fl{i:06}");
        spoofer.announce(
            &name,
            &id,
            &format!("flood-{pid}.local."),
            &flood_ip,
            46000 + i as u16,
        );
    }

    let tmp = tempfile::tempdir().unwrap();
    let (dir_a, dir_b) = (tmp.path().join("a"), tmp.path().join("b"));
    let host_b = spawn(&lan.b, &dir_b, "Host B");
    wait_for(&lan.b, &host_b, "the spoofed records", |s| {
        named(s, "Host A").is_some()
            && s.iter()
                .filter(|s| s["name"].as_str().is_some_and(|n| n.starts_with("Flood ")))
                .count()
                >= MAX_SESSIONS_PER_ADDRESS
    })
    .await;
    // Let the rest of the flood arrive before the real host does.
    tokio::time::sleep(Duration::from_secs(1)).await;

    let host_a = spawn(&lan.a, &dir_a, "Host A");
    let real_address = format!("{}:{}", lan.a_ip, host_a.http.port());
    let (sessions, seen) = wait_for(&lan.b, &host_b, "the real host A, checked", |s| {
        s.iter()
            .any(|s| s["address"] == real_address.as_str() && s["answers"] == true)
            && from_ip(s, &flood_ip).all(|s| s["answers"] == false)
            && from_ip(s, &twin_ip).all(|s| s["answers"] == false)
    })
    .await;
    println!(
        "real host A listed and checked on B {} ms after its banner, past a flood of {FLOOD}",
        seen.as_millis()
    );
    println!("{}", serde_json::to_string_pretty(&sessions).unwrap());

    // The session that answers comes first, with its address.
    let first = &sessions[0];
    assert_eq!(first["name"], "Host A");
    assert_eq!(first["address"], real_address.as_str());
    assert_eq!(first["url"], format!("http://{real_address}/"));
    assert_eq!(first["answers"], true);
    // The twin is listed too, at its own address, and both are marked.
    let twins: Vec<&Value> = sessions.iter().filter(|s| s["name"] == "Host A").collect();
    assert_eq!(twins.len(), 2, "{sessions:?}");
    assert!(twins.iter().all(|s| s["sameName"] == true), "{twins:?}");
    assert_eq!(twins[1]["address"], format!("{twin_ip}:45999"));
    assert_eq!(twins[1]["answers"], false);
    assert!(sessions
        .iter()
        .filter(|s| s["name"] != "Host A")
        .all(|s| s["sameName"] == false));
    // The flood holds its address's share and no more, after those that answer.
    assert_eq!(
        from_ip(&sessions, &flood_ip).count(),
        MAX_SESSIONS_PER_ADDRESS
    );
    assert!(sessions.len() <= MAX_NEARBY_SESSIONS);
    assert_eq!(sessions.len(), 2 + MAX_SESSIONS_PER_ADDRESS, "{sessions:?}");

    // Still so a while later (nothing of the flood crept in meanwhile).
    tokio::time::sleep(Duration::from_secs(2)).await;
    let later = discovery(&lan.b, &host_b).await;
    let later = later["sessions"].as_array().unwrap();
    assert_eq!(from_ip(later, &flood_ip).count(), MAX_SESSIONS_PER_ADDRESS);
    assert_eq!(later[0]["address"], real_address.as_str());
    drop(spoofer);
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
    let (_, _, body) = common::http(host.http(), "GET", "/api/health", &[], None).await;
    let health: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(health["instanceId"], Value::Null, "nothing announced");
    host.stop().await;
}
