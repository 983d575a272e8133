//! The `coco --headless` command line: ports, health, signals.

mod common;

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Client, HostProcess};

/// Starts `coco --headless --no-mdns ARGS --data-dir DIR` and reads its stdout by line.
fn spawn_reading_stdout(
    args: &[&str],
    dir: &std::path::Path,
) -> (
    std::process::Child,
    std::io::Lines<std::io::BufReader<std::process::ChildStdout>>,
) {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_coco"))
        .args(["--headless", "--no-mdns"])
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env("COCO_CONFIG", dir.join("config.toml"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    (child, lines)
}

fn http_get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    (status, body)
}

#[test]
fn health_answers_once_ready() {
    let tmp = tempfile::tempdir().unwrap();
    let host = HostProcess::spawn(tmp.path(), &["--name", "Studio 4"]);
    let (status, body) = http_get(host.http, "/api/health");
    assert_eq!(status, 200);
    let health: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(health["name"], "Studio 4");
    assert_eq!(health["codeRequired"], true);
    assert_eq!(health["wsPort"], host.ws.port());
    let (status, body) = http_get(host.http, "/api/ping");
    assert_eq!(status, 200);
    assert!(body.contains("message"));
    let (status, body) = http_get(host.http, "/no/such/thing");
    assert_eq!(status, 404);
    assert!(body.contains("\"code\":\"not_found\""));
}

#[test]
fn sigterm_shuts_down_cleanly_with_exit_code_zero() {
    let tmp = tempfile::tempdir().unwrap();
    let mut host = HostProcess::spawn(tmp.path(), &[]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let url = host.ws_url("main");
    rt.block_on(async {
        let (mut a, _) = Client::join(&url, "ann").await;
        a.add_acked("s1").await;
        let pid = host.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        // The peer is told the host is going away.
        assert!(a.closed().await);
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = host.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "host did not exit after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
}

#[test]
fn a_busy_port_given_explicitly_is_a_clear_error() {
    let busy = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_coco"))
        .args([
            "--headless",
            "--no-mdns",
            "--bind",
            "127.0.0.1",
            "--ws-port",
            "0",
            "--port",
            &port,
            "--data-dir",
        ])
        .arg(tmp.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("port {port}"))
            && err.contains("already in use")
            && err.contains("--port"),
        "{err}"
    );
}

#[test]
fn a_busy_default_port_falls_back_to_a_free_one_and_says_so() {
    // Occupy the default WebSocket port if it is free; otherwise someone else already does.
    let _guard = TcpListener::bind("127.0.0.1:8080").ok();
    let tmp = tempfile::tempdir().unwrap();
    let (mut child, mut lines) =
        spawn_reading_stdout(&["--bind", "127.0.0.1", "--port", "0"], tmp.path());
    let first = lines.next().unwrap().unwrap();
    assert!(
        first.contains("port 8080 (WebSocket) is busy, so CoCo uses port"),
        "{first}"
    );
    let ws_line = lines
        .find(|l| l.as_ref().unwrap().contains("WebSocket:"))
        .unwrap()
        .unwrap();
    assert!(!ws_line.contains(":8080/"), "{ws_line}");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn the_banner_gives_the_urls_and_the_join_code() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut child, stdout) = spawn_reading_stdout(&["--port", "0", "--ws-port", "0"], tmp.path());
    let lines: Vec<String> = stdout.take(6).map(Result::unwrap).collect();
    child.kill().unwrap();
    child.wait().unwrap();
    let text = lines.join("\n");
    assert!(
        text.contains("on this machine: http://127.0.0.1:"),
        "{text}"
    );
    let code_line = lines
        .iter()
        .find(|l| l.contains("join code:"))
        .expect(&text);
    let code = code_line.split_whitespace().last().unwrap();
    assert_eq!(code.len(), coco::store::JOIN_CODE_LEN);
    let network = lines
        .iter()
        .find(|l| l.contains("on the network:"))
        .expect(&text);
    // Either a LAN URL carrying the code, or a note that there is no LAN.
    assert!(
        network.contains(&format!("?code={code}")) || network.contains("this machine only"),
        "{network}"
    );
}
