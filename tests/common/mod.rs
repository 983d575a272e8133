//! A real host on `127.0.0.1:0` (in-process or as a child process) and a
//! real WebSocket client for it.
#![allow(dead_code)]

pub mod boards;
pub mod disk;
pub mod drawing;
pub mod enhance;
pub mod fake_gemini;
pub mod fuzz;
pub mod identity;
pub mod netns;
pub mod parts;
pub mod probe;
pub mod sled_rooms;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use coco::config::Config;
use coco::host::Host;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::{client::IntoClientRequest, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a test waits for an expected message before failing.
pub const WAIT: Duration = Duration::from_secs(10);

/// A host running in this process, on ephemeral loopback ports.
pub struct TestHost {
    pub host: Host,
    pub dir: PathBuf,
    _tmp: Option<tempfile::TempDir>,
}

impl TestHost {
    pub async fn start() -> TestHost {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        let mut host = TestHost::start_in(&dir).await;
        host._tmp = Some(tmp);
        host
    }

    /// A host on an existing data directory (for restarts).
    pub async fn start_in(dir: &Path) -> TestHost {
        TestHost::with_config(Config::ephemeral(dir)).await
    }

    pub async fn with_config(config: Config) -> TestHost {
        let dir = config.data_dir.clone();
        let host = Host::start(config).await.expect("host starts");
        TestHost {
            host,
            dir,
            _tmp: None,
        }
    }

    /// The compatibility WebSocket URL for `room`.
    pub fn ws(&self, room: &str) -> String {
        format!("ws://{}/?room={room}", self.host.ws_addr())
    }

    /// The same-origin `/ws` URL for `room`.
    pub fn ws_main_port(&self, room: &str) -> String {
        format!("ws://{}/ws?room={room}", self.host.http_addr())
    }

    pub fn http(&self) -> SocketAddr {
        self.host.http_addr()
    }

    /// The admin secret, from the admin link the host prints.
    pub fn admin(&self) -> String {
        let url = self.host.admin_url();
        url.split_once("?admin=").unwrap().1.to_string()
    }

    /// Shuts the host down cleanly; keeps the data directory.
    pub async fn stop(self) -> Option<tempfile::TempDir> {
        self.host.shutdown().await;
        self._tmp
    }
}

/// A host in its own process, for crash and signal tests.
pub struct HostProcess {
    pub child: Child,
    pub http: SocketAddr,
    pub ws: SocketAddr,
    pub code: String,
    /// The admin secret from the banner's admin link.
    pub admin: String,
    /// Everything the host printed on stdout after its banner's code line.
    output: std::sync::Arc<(std::sync::Mutex<Vec<String>>, std::sync::Condvar)>,
}

impl HostProcess {
    pub fn spawn(dir: &Path, extra: &[&str]) -> HostProcess {
        let mut command = Command::new(env!("CARGO_BIN_EXE_coco"));
        command.args(["--bind", "127.0.0.1"]);
        HostProcess::spawn_command(command, dir, extra)
    }

    /// Starts the host through `command` (e.g. `ip netns exec NS coco`).
    pub fn spawn_command(mut command: Command, dir: &Path, extra: &[&str]) -> HostProcess {
        // Nor the developer's own Gemini key, unless the test gives one.
        for key in ["GEMINI_API_KEY", "GOOGLE_API_KEY"] {
            if !command.get_envs().any(|(k, _)| k == key) {
                command.env_remove(key);
            }
        }
        command.arg("--no-mdns");
        HostProcess::spawn_announced(command, dir, extra)
    }

    /// Like [`HostProcess::spawn_command`], with mDNS on: only inside a
    /// namespace the test made, so nothing is multicast on a real network.
    pub fn spawn_announced(mut command: Command, dir: &Path, extra: &[&str]) -> HostProcess {
        let mut child = command
            .args(["--headless", "--port", "0", "--ws-port", "0", "--data-dir"])
            .arg(dir)
            .args(extra)
            // Never the developer's own config file.
            .env("COCO_CONFIG", dir.join("config.toml"))
            .stdout(Stdio::piped())
            .spawn()
            .expect("start coco");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let mut http = None;
        let mut ws = None;
        let mut code = None;
        let mut admin = None;
        while http.is_none() || ws.is_none() || code.is_none() || admin.is_none() {
            let line = lines.next().expect("host printed its addresses").unwrap();
            if let Some(addr) = address_after(&line, "on this machine: http://") {
                http = Some(addr);
            }
            if let Some(addr) = address_after(&line, "WebSocket:       ws://") {
                ws = Some(addr);
            }
            if let Some(rest) = line.strip_prefix("  join code:") {
                code = Some(rest.trim().to_string());
            }
            if let Some(rest) = line.split_once("?admin=") {
                admin = rest.1.split_whitespace().next().map(str::to_string);
            }
        }
        // Keep draining stdout so the host never blocks on a full pipe, and
        // keep the lines for tests that wait for one.
        let output =
            std::sync::Arc::new((std::sync::Mutex::new(Vec::new()), std::sync::Condvar::new()));
        let kept = output.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                kept.0.lock().unwrap().push(line);
                kept.1.notify_all();
            }
        });
        HostProcess {
            child,
            http: http.unwrap(),
            ws: ws.unwrap(),
            code: code.unwrap(),
            admin: admin.unwrap(),
            output,
        }
    }

    pub fn ws_url(&self, room: &str) -> String {
        format!("ws://{}/?room={room}", self.ws)
    }

    /// Asks the host to stop, as a service manager does.
    pub fn sigterm(&self) {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success());
    }

    pub fn kill9(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for HostProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn address_after(line: &str, marker: &str) -> Option<SocketAddr> {
    let rest = &line[line.find(marker)? + marker.len()..];
    rest.split('/').next()?.parse().ok()
}

/// Like a browser, accept a full sync of a big board in one frame.
fn big_frames() -> tokio_tungstenite::tungstenite::protocol::WebSocketConfig {
    tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
        .max_message_size(Some(64 << 20))
        .max_frame_size(Some(64 << 20))
}

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A protocol client.
pub struct Client {
    pub socket: Socket,
    pub user: String,
}

impl Client {
    pub async fn connect(url: &str) -> Client {
        let (socket, _) =
            tokio_tungstenite::connect_async_with_config(url, Some(big_frames()), false)
                .await
                .expect("connect");
        Client {
            socket,
            user: String::new(),
        }
    }

    /// Connects with extra request headers (e.g. `Origin`); returns the HTTP
    /// status of a refused upgrade as `Err`.
    pub async fn try_connect_with(
        url: &str,
        headers: &[(&str, &str)],
    ) -> Result<Client, (u16, String)> {
        let mut request = url.into_client_request().unwrap();
        for (k, v) in headers {
            request.headers_mut().insert(
                tokio_tungstenite::tungstenite::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        handshake(
            tokio_tungstenite::connect_async_with_config(request, Some(big_frames()), false).await,
        )
    }

    /// Like [`Client::try_connect_with`], over a connection already opened
    /// (e.g. from inside a network namespace).
    pub async fn try_connect_over(stream: TcpStream, url: &str) -> Result<Client, (u16, String)> {
        let request = url.into_client_request().unwrap();
        let stream = MaybeTlsStream::Plain(stream);
        handshake(
            tokio_tungstenite::client_async_with_config(request, stream, Some(big_frames())).await,
        )
    }

    /// Connects and joins as `user`; returns the client and its WELCOME payload.
    pub async fn join(url: &str, user: &str) -> (Client, Value) {
        let mut client = Client::connect(url).await;
        let welcome = client.join_as(user, None).await;
        (client, welcome)
    }

    pub async fn join_as(&mut self, user: &str, position: Option<&str>) -> Value {
        self.user = user.to_string();
        let mut payload = json!({"userId": user, "username": format!("{user} name")});
        if let Some(p) = position {
            payload["position"] = json!(p);
        }
        self.send("JOIN_ROOM", payload).await;
        self.expect("WELCOME").await
    }

    pub async fn send(&mut self, kind: &str, payload: Value) {
        self.send_raw(json!({"type": kind, "payload": payload}).to_string())
            .await;
    }

    pub async fn send_raw(&mut self, text: String) {
        self.socket
            .send(Message::Text(text.into()))
            .await
            .expect("send");
    }

    /// The next JSON message, or None when the socket closed.
    pub async fn next(&mut self) -> Option<Value> {
        loop {
            let msg = tokio::time::timeout(WAIT, self.socket.next())
                .await
                .expect("a message within the wait time");
            match msg {
                Some(Ok(Message::Text(t))) => {
                    return Some(serde_json::from_str(&t).expect("host sends JSON"))
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
                Some(Ok(_)) => continue,
            }
        }
    }

    /// Skips messages until one of `kind` arrives; returns its payload.
    pub async fn expect(&mut self, kind: &str) -> Value {
        loop {
            let msg = self
                .next()
                .await
                .unwrap_or_else(|| panic!("socket closed while waiting for {kind}"));
            if msg["type"] == kind {
                return msg["payload"].clone();
            }
            if msg["type"] == "ERROR" && kind != "ERROR" {
                panic!("got an error while waiting for {kind}: {msg}");
            }
        }
    }

    /// Waits for `ERROR` and returns its code.
    pub async fn expect_error(&mut self) -> String {
        self.expect("ERROR").await["code"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Whether the host closes the socket (skipping messages) within the wait time.
    pub async fn closed(&mut self) -> bool {
        loop {
            match tokio::time::timeout(WAIT, self.socket.next()).await {
                Err(_) => return false,
                Ok(Some(Ok(Message::Close(_)))) | Ok(None) | Ok(Some(Err(_))) => return true,
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    /// Full or delta sync.
    pub async fn sync(&mut self, since: Option<u64>) -> Value {
        let mut payload = json!({"userId": self.user});
        if let Some(since) = since {
            payload["since"] = json!(since);
        }
        self.send("REQUEST_SYNC", payload).await;
        self.expect("SYNC_SHAPES").await
    }

    /// Adds a pencil shape with an op id and waits for its ACK.
    pub async fn add_acked(&mut self, id: &str) -> u64 {
        let op = format!("op-{id}");
        self.send(
            "SHAPE_ADDED",
            json!({"shape": pencil(id, 5), "userId": self.user, "opId": op}),
        )
        .await;
        let ack = self.expect("ACK").await;
        assert_eq!(ack["opIds"], json!([op]));
        ack["rev"].as_u64().unwrap()
    }
}

/// The client, or the HTTP status and body of a refused upgrade.
fn handshake<R>(
    result: Result<(Socket, R), tokio_tungstenite::tungstenite::Error>,
) -> Result<Client, (u16, String)> {
    match result {
        Ok((socket, _)) => Ok(Client {
            socket,
            user: String::new(),
        }),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            let body = response
                .body()
                .as_ref()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default();
            Err((response.status().as_u16(), body))
        }
        Err(e) => panic!("connect failed: {e}"),
    }
}

/// A pencil shape in the existing client's format.
pub fn pencil(id: &str, points: usize) -> Value {
    let pts: Vec<Value> = (0..points)
        .map(|i| json!({"x": i * 3, "y": i * 2}))
        .collect();
    json!({
        "id": id, "type": "pencil", "points": pts,
        "style": {"strokeColor": "#1971c2", "fillColor": "transparent", "strokeWidth": 2, "opacity": 1},
        "isSelected": false, "createdBy": "test"
    })
}

/// The ids of a `SYNC_SHAPES` payload's shapes.
pub fn shape_ids(sync: &Value) -> Vec<String> {
    sync["shapes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

/// A raw HTTP/1.1 request; returns the status, the headers (lower-case
/// names) and the body bytes. Async, so an in-process host keeps running.
pub async fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let stream = TcpStream::connect(addr).await.unwrap();
    http_over(stream, addr, method, path, headers, body).await
}

/// [`http`] over a connection already opened to `addr`.
pub async fn http_over(
    stream: TcpStream,
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(body) = body {
        request.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    request.push_str("\r\n");
    request.push_str(body.unwrap_or(""));
    exchange(stream, &request).await
}

/// Sends `request` (a whole HTTP/1.1 request, head and body, as written) and
/// reads the answer as [`http`] does: for requests with unusual headers
/// (another `Host`, a body that is not JSON).
pub async fn http_raw(addr: SocketAddr, request: &str) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let stream = TcpStream::connect(addr).await.unwrap();
    exchange(stream, request).await
}

async fn exchange(mut stream: TcpStream, request: &str) -> (u16, Vec<(String, String)>, Vec<u8>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(WAIT, stream.read_to_end(&mut raw))
        .await
        .expect("an HTTP answer within the wait time")
        .unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let (status, headers) = parse_head(&head);
    let mut body = raw[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    (status, headers, body)
}

/// The status and the headers (lower-case names) of a response head.
pub fn parse_head(head: &str) -> (u16, Vec<(String, String)>) {
    let mut lines = head.lines();
    let status = lines.next().unwrap()[9..12].parse().unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers)
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n").unwrap();
        let size =
            usize::from_str_radix(std::str::from_utf8(&data[..line_end]).unwrap().trim(), 16)
                .unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[line_end + 2..line_end + 2 + size]);
        data = &data[line_end + 2 + size + 2..];
    }
}

/// The value of a response header.
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}
