//! Slow, idle and vanished connections: a flood of idle sockets from one
//! machine keeps nobody else out, a socket that never joins is closed, and a
//! tablet that leaves the Wi-Fi gives up its seat. The host runs in a
//! network namespace (another machine); the flood and the tablet come from
//! this one, over a veth link the test can cut.

mod common;

use std::time::{Duration, Instant};

use common::netns::{self, ip, OtherMachine};
use common::{Client, HostProcess};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The limits the host documents (host/listen.rs, session.rs).
const MAX_CONNECTIONS_PER_ADDRESS: usize = 64;
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
const JOIN_TIMEOUT: Duration = Duration::from_secs(10);
const PEER_SILENCE_LIMIT: Duration = Duration::from_secs(20);
/// Idle sockets the flood opens.
const FLOOD: usize = 2_000;

/// A host in its own machine, started with the open-files limits a desktop
/// session gives (soft 1,024), so that running out of descriptors is real.
fn host_on(lan: &OtherMachine, dir: &std::path::Path) -> HostProcess {
    let mut command = lan.ns.command("prlimit");
    command
        .arg("--nofile=1024:4096")
        .arg(env!("CARGO_BIN_EXE_coco"))
        .args(["--bind", "0.0.0.0"]);
    HostProcess::spawn_command(command, dir, &[])
}

/// This test process opens thousands of sockets itself.
fn raise_own_limit() {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
    setrlimit(Resource::RLIMIT_NOFILE, hard, hard).unwrap();
    assert!(hard > FLOOD as u64 + 512, "the test needs {FLOOD} sockets");
}

/// `GET /api/health` from inside the host's machine (another address than
/// the flood's), within a few seconds.
async fn health_inside(lan: &OtherMachine, host: &HostProcess) -> u16 {
    let asked = async {
        let stream = lan.ns.connect(host.http).await;
        common::http_over(stream, host.http, "GET", "/api/health", &[], None)
            .await
            .0
    };
    tokio::time::timeout(common::WAIT, asked)
        .await
        .expect("health answers while the flood is held")
}

/// What a refused connection reads: the host's answer, then the end.
async fn read_to_end(stream: &mut TcpStream) -> String {
    let mut text = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut text)).await;
    String::from_utf8_lossy(&text).into_owned()
}

#[tokio::test]
async fn idle_sockets_from_one_machine_keep_nobody_else_out() {
    let Some(lan) = netns::or_skip(OtherMachine::create("i", 237)) else {
        return;
    };
    raise_own_limit();
    let tmp = tempfile::tempdir().unwrap();
    let host = host_on(&lan, tmp.path());
    // The host raised its soft limit to the hard one.
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", host.child.id())).unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap();
    let fields: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(&fields[3..5], ["4096", "4096"], "{line}");

    let target: std::net::SocketAddr = format!("{}:{}", lan.host_ip, host.http.port())
        .parse()
        .unwrap();
    let mut idle = Vec::with_capacity(FLOOD);
    let opened = Instant::now();
    for _ in 0..FLOOD {
        idle.push(TcpStream::connect(target).await.expect("connect"));
    }
    let flooded = opened.elapsed();
    // Everyone else still gets in: health and a real join, from another address.
    let asked = Instant::now();
    assert_eq!(health_inside(&lan, &host).await, 200);
    let health_took = asked.elapsed();
    let url = host.ws_url("main");
    let asked = Instant::now();
    let stream = lan.ns.connect(host.ws).await;
    let mut ann = Client::try_connect_over(stream, &url)
        .await
        .expect("a real join gets in");
    ann.join_as("ann", None).await;
    let join_took = asked.elapsed();
    // Refusals take a moment each (the host reads what was sent first).
    tokio::time::sleep(Duration::from_millis(500)).await;
    let host_files =
        std::fs::read_dir(format!("/proc/{}/fd", host.child.id())).map_or(0, |d| d.count());
    // The figure BENCHMARKS.md reports.
    eprintln!(
        "{FLOOD} idle sockets opened in {flooded:?}; the host holds {host_files} open files; \
         /api/health answered in {health_took:?}, a join in {join_took:?}"
    );
    assert!(
        host_files < 256,
        "the flood holds {host_files} of the host's files"
    );

    // Past the cap, a connection is told why and closed at once.
    let mut refused = 0;
    for stream in idle.iter_mut().skip(MAX_CONNECTIONS_PER_ADDRESS).take(20) {
        let answer = read_to_end(stream).await;
        assert!(answer.starts_with("HTTP/1.1 503 "), "{answer}");
        assert!(
            answer.contains("\"code\":\"too_many_connections\""),
            "{answer}"
        );
        assert!(
            answer.to_ascii_lowercase().contains("retry-after: 5"),
            "{answer}"
        );
        refused += 1;
    }
    assert_eq!(refused, 20);

    // The ones within the cap are closed once they send no request in time
    // (and not before: the host accepted the first one after it opened).
    let mut kept = idle.swap_remove(0);
    let mut byte = [0u8; 1];
    let read = tokio::time::timeout(HEADER_READ_TIMEOUT * 3, kept.read(&mut byte)).await;
    assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "closed: {read:?}");
    assert!(
        opened.elapsed() >= HEADER_READ_TIMEOUT,
        "{:?}",
        opened.elapsed()
    );
    drop(idle);

    // With the flood gone its address is served again.
    let mut again = TcpStream::connect(target).await.unwrap();
    let request =
        format!("GET /api/health HTTP/1.1\r\nHost: {target}\r\nConnection: close\r\n\r\n");
    again.write_all(request.as_bytes()).await.unwrap();
    let answer = read_to_end(&mut again).await;
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
    drop(ann);
}

#[tokio::test]
async fn a_socket_that_never_joins_is_closed() {
    let host = common::TestHost::start().await;
    let mut idle = Client::connect(&host.ws("main")).await;
    let started = Instant::now();
    let mut error = None;
    let closed = tokio::time::timeout(JOIN_TIMEOUT * 2, async {
        use futures_util::StreamExt;
        use tokio_tungstenite::tungstenite::Message;
        while let Some(msg) = idle.socket.next().await {
            match msg {
                Ok(Message::Text(t)) => error = Some(serde_json::from_str::<Value>(&t).unwrap()),
                Ok(Message::Close(frame)) => return frame.map(|f| u16::from(f.code)),
                Ok(_) => continue,
                Err(_) => return None,
            }
        }
        None
    })
    .await
    .expect("closed by the host");
    assert!(started.elapsed() >= JOIN_TIMEOUT - Duration::from_secs(1));
    assert_eq!(closed, Some(1008));
    let error = error.expect("told why");
    assert_eq!(error["payload"]["code"], "not_joined", "{error}");
    assert!(error["payload"]["message"]
        .as_str()
        .unwrap()
        .contains("JOIN_ROOM"));
    // One that joins at once stays.
    let (mut bo, _) = Client::join(&host.ws("main"), "bo").await;
    tokio::time::sleep(JOIN_TIMEOUT + Duration::from_secs(1)).await;
    assert!(bo.sync(None).await["shapes"].is_array());
    host.stop().await;
}

#[tokio::test]
async fn a_tablet_that_leaves_the_wifi_gives_up_its_seat() {
    let Some(lan) = netns::or_skip(OtherMachine::create("g", 238)) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let host = host_on(&lan, tmp.path());
    let inside = host.ws_url("main");
    let mut people = Vec::new();
    for name in ["ann", "bo", "cy"] {
        let stream = lan.ns.connect(host.ws).await;
        let mut client = Client::try_connect_over(stream, &inside).await.unwrap();
        client.join_as(name, None).await;
        people.push(client);
    }
    // The tablet: another machine, with the code.
    let tablet_url = format!(
        "ws://{}:{}/?room=main&code={}",
        lan.host_ip,
        host.ws.port(),
        host.code
    );
    let (tablet, welcome) = Client::join(&tablet_url, "tab").await;
    assert!(welcome["secret"].is_string());
    let stream = lan.ns.connect(host.ws).await;
    let mut late = Client::try_connect_over(stream, &inside).await.unwrap();
    late.send(
        "JOIN_ROOM",
        serde_json::json!({"userId": "dee", "username": "Dee"}),
    )
    .await;
    assert_eq!(late.expect_error().await, "room_full");

    // The Wi-Fi goes: no close, no FIN, nothing.
    ip(&["link", "set", &lan.outer_if, "down"]).unwrap();
    let cut = Instant::now();
    // The others (who read, and so answer pings) hear that the tablet left
    // once it stopped answering, and nobody else leaves.
    let mut ann = people.remove(0);
    let others: Vec<_> = people
        .into_iter()
        .map(|c| tokio::spawn(keep_reading(c)))
        .collect();
    let left = tokio::time::timeout(PEER_SILENCE_LIMIT * 2, async {
        loop {
            let msg = next_json(&mut ann).await.expect("ann's socket stays open");
            if msg["type"] == "USER_LEFT" {
                return msg["payload"].clone();
            }
        }
    })
    .await
    .expect("USER_LEFT for the tablet");
    assert_eq!(left["userId"], "tab", "{left}");
    for other in &others {
        assert!(!other.is_finished(), "the others stay seated");
    }
    let waited = cut.elapsed();
    assert!(
        waited >= PEER_SILENCE_LIMIT - Duration::from_secs(1),
        "{waited:?}"
    );

    // Its seat is free for the next person.
    let stream = lan.ns.connect(host.ws).await;
    let mut dee = Client::try_connect_over(stream, &inside).await.unwrap();
    let seat = dee.join_as("dee", None).await;
    assert_eq!(seat["userId"], "dee");
    drop(tablet);
}

/// Reads (and so answers pings) until the socket closes.
async fn keep_reading(mut client: Client) {
    while next_json(&mut client).await.is_some() {}
}

/// The next JSON message, however long it takes; None once the socket closed.
async fn next_json(client: &mut Client) -> Option<Value> {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    loop {
        match client.socket.next().await? {
            Ok(Message::Text(t)) => return serde_json::from_str(&t).ok(),
            Ok(Message::Close(_)) | Err(_) => return None,
            Ok(_) => continue,
        }
    }
}
