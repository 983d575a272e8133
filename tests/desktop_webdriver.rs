//! One real flow in the desktop app driven over WebDriver, as a person would
//! do it: `tauri-driver` starts the app through WebKitGTK's driver, the test
//! switches the join screen's language (German, Arabic right to left, back
//! to English), types a name, joins, draws a stroke with pointer actions and
//! a rectangle with the keys alone; a WebSocket client then finds both on
//! the host, follows the window's "Bring everyone to me", is refused while
//! the window's host panel locks the board, and sees the window's laser
//! trail. Needs the `desktop` build, an X display (`xvfb-run`),
//! `tauri-driver` (`cargo install tauri-driver --locked`) and
//! `WebKitWebDriver` (Debian's `webkit2gtk-driver`); `scripts/test.sh`
//! installs them and runs this under `xvfb-run`.
#![cfg(feature = "desktop")]

mod common;

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::Client;
use serde_json::{json, Value};

/// How long the app and its driver may take to come up.
const WAIT: Duration = Duration::from_secs(60);
/// The key WebDriver puts an element reference under.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

struct Driver {
    child: Child,
    base: String,
    http: reqwest::Client,
}

impl Drop for Driver {
    /// Stops tauri-driver and what it started (WebKitWebDriver, the app):
    /// they share its process group.
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.child.wait();
    }
}

impl Driver {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("WebDriver answers");
        let status = response.status();
        let value: Value = response.json().await.expect("WebDriver JSON");
        assert!(status.is_success(), "{path}: {status} {value}");
        value["value"].clone()
    }

    async fn element(&self, session: &str, css: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let response = self
                .http
                .post(format!("{}/session/{session}/element", self.base))
                .json(&json!({"using": "css selector", "value": css}))
                .send()
                .await
                .unwrap();
            let ok = response.status().is_success();
            let text = response.text().await.unwrap();
            let value: Value = serde_json::from_str(&text).unwrap_or(json!({"raw": text}));
            if ok {
                return value["value"][ELEMENT]
                    .as_str()
                    .unwrap_or_else(|| panic!("{css}: {value}"))
                    .to_string();
            }
            assert!(Instant::now() < deadline, "no element {css}: {value}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

impl Driver {
    /// Clicks the element `css` finds.
    async fn click(&self, session: &str, css: &str) {
        let element = self.element(session, css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/session/{session}/element/{element}/click"),
            Some(json!({})),
        )
        .await;
    }

    /// Runs `script` in the page and returns its value.
    async fn script(&self, session: &str, script: &str) -> Value {
        self.call(
            reqwest::Method::POST,
            &format!("/session/{session}/execute/sync"),
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    /// Presses and releases each key in turn (WebDriver key values).
    async fn keys(&self, session: &str, keys: &[&str]) {
        let actions: Vec<Value> = keys
            .iter()
            .flat_map(|k| {
                [
                    json!({"type": "keyDown", "value": k}),
                    json!({"type": "keyUp", "value": k}),
                ]
            })
            .collect();
        self.call(
            reqwest::Method::POST,
            &format!("/session/{session}/actions"),
            Some(json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})),
        )
        .await;
    }

    /// Performs mouse `steps` (WebDriver pointer actions).
    async fn pointer(&self, session: &str, steps: Vec<Value>) {
        self.call(
            reqwest::Method::POST,
            &format!("/session/{session}/actions"),
            Some(json!({"actions": [{"type": "pointer", "id": "mouse",
                "parameters": {"pointerType": "mouse"}, "actions": steps}]})),
        )
        .await;
    }

    /// Waits until `script` returns true.
    async fn until(&self, session: &str, script: &str) {
        let deadline = Instant::now() + WAIT;
        while self.script(session, script).await != json!(true) {
            assert!(Instant::now() < deadline, "never true: {script}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the element is shown (screens start hidden).
    async fn shown(&self, session: &str, element: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let shown = self
                .call(
                    reqwest::Method::GET,
                    &format!("/session/{session}/element/{element}/displayed"),
                    None,
                )
                .await;
            if shown == json!(true) {
                return;
            }
            assert!(Instant::now() < deadline, "{element} never showed");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

#[tokio::test]
async fn tauri_driver_joins_and_draws_in_the_real_app() {
    let ready =
        std::env::var_os("DISPLAY").is_some() && have("tauri-driver") && have("WebKitWebDriver");
    if !ready {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run this under xvfb-run with tauri-driver and WebKitWebDriver installed"
        );
        eprintln!("skipped: needs an X display, tauri-driver and WebKitWebDriver");
        return;
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    std::fs::write(
        home.join("config.toml"),
        format!(
            "name = \"Driven\"\ndata_dir = \"{}\"\nport = 0\nws_port = 0\n\
             bind = \"127.0.0.1\"\nmdns = false\n",
            home.join("data").display()
        ),
    )
    .unwrap();
    let (port, native) = (free_port(), free_port());
    // The app inherits this environment through the two drivers.
    let child = Command::new("tauri-driver")
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ])
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("xdg"))
        .env("COCO_CONFIG", home.join("config.toml"))
        .env_remove("GEMINI_API_KEY")
        .env_remove("GOOGLE_API_KEY")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("start tauri-driver");
    let driver = Driver {
        child,
        base: format!("http://127.0.0.1:{port}"),
        http: reqwest::Client::builder()
            .timeout(2 * WAIT)
            .build()
            .unwrap(),
    };
    let capabilities = json!({"capabilities": {"alwaysMatch": {
        "browserName": "wry",
        "tauri:options": {"application": env!("CARGO_BIN_EXE_coco")},
    }}});
    let deadline = Instant::now() + WAIT;
    let session = loop {
        let attempt = driver
            .http
            .post(format!("{}/session", driver.base))
            .json(&capabilities)
            .send()
            .await;
        if let Ok(response) = attempt {
            let value: Value = response.json().await.unwrap();
            if let Some(id) = value["value"]["sessionId"].as_str() {
                break id.to_string();
            }
            panic!("no session: {value}");
        }
        assert!(Instant::now() < deadline, "tauri-driver did not start");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };

    // The join screen: type a name, join.
    let name = driver.element(&session, "#join-name").await;
    driver.shown(&session, &name).await;

    eprintln!("desktop: language switch");
    // Its language switch, in WebKitGTK: German at once, Arabic right to
    // left, then English again for the rest.
    let english = driver
        .script(
            &session,
            "return document.getElementById('join-submit').textContent",
        )
        .await;
    driver
        .click(&session, "#lang-select option[value='de']")
        .await;
    driver
        .until(&session, "return document.documentElement.lang === 'de'")
        .await;
    let german = driver
        .script(
            &session,
            "return document.getElementById('join-submit').textContent",
        )
        .await;
    assert_ne!(german, english, "the join button speaks German");
    driver
        .click(&session, "#lang-select option[value='ar']")
        .await;
    driver
        .until(&session, "return document.documentElement.dir === 'rtl'")
        .await;
    driver
        .click(&session, "#lang-select option[value='en']")
        .await;
    driver
        .until(&session, "return document.documentElement.dir === 'ltr'")
        .await;
    driver
        .call(
            reqwest::Method::POST,
            &format!("/session/{session}/element/{name}/value"),
            Some(json!({"text": "Ana"})),
        )
        .await;
    let join = driver.element(&session, "#join-submit").await;
    driver
        .call(
            reqwest::Method::POST,
            &format!("/session/{session}/element/{join}/click"),
            Some(json!({})),
        )
        .await;

    // Draw with the pointer across the canvas, once the board is shown.
    let canvas = driver.element(&session, "#canvas").await;
    driver.shown(&session, &canvas).await;
    let origin = json!({ELEMENT: canvas});
    let mut steps = vec![
        json!({"type": "pointerMove", "origin": origin, "x": -120, "y": -40}),
        json!({"type": "pointerDown", "button": 0}),
    ];
    for i in 1..=12 {
        steps.push(json!({"type": "pointerMove", "origin": origin,
            "x": -120 + i * 20, "y": -40 + i * 6, "duration": 16}));
    }
    steps.push(json!({"type": "pointerUp", "button": 0}));
    driver.pointer(&session, steps.clone()).await;

    // The host has the stroke: ask it as another person would.
    let host = driver
        .call(
            reqwest::Method::POST,
            &format!("/session/{session}/execute/sync"),
            Some(json!({"script": "return location.host", "args": []})),
        )
        .await;
    let host = host.as_str().expect("the page's host").to_string();
    let (mut bo, _) = Client::join(&format!("ws://{host}/ws?room=main"), "bo").await;
    let deadline = Instant::now() + WAIT;
    let shapes = loop {
        let sync = bo.sync(None).await;
        let shapes = sync["shapes"].as_array().cloned().unwrap_or_default();
        if !shapes.is_empty() {
            break shapes;
        }
        assert!(
            Instant::now() < deadline,
            "no stroke reached the host: {sync}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(shapes[0]["type"], "pencil", "{shapes:?}");
    let points = shapes[0]["points"].as_array().map_or(0, Vec::len);
    assert!(points >= 5, "a drawn stroke has its points: {points}");
    eprintln!("desktop: keyboard drawing");
    // Keyboard only: the board's focus point, R, two steps right, Enter
    // makes a rectangle there.
    driver
        .script(
            &session,
            "document.getElementById('canvas').focus(); return true",
        )
        .await;
    driver
        .keys(&session, &["r", "\u{E014}", "\u{E014}", "\u{E007}"])
        .await;
    let deadline = Instant::now() + WAIT;
    loop {
        let sync = bo.sync(None).await;
        let shapes = sync["shapes"].as_array().cloned().unwrap_or_default();
        if shapes.iter().any(|s| s["type"] == "rectangle") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no rectangle from the keys: {sync}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    eprintln!("desktop: host panel");
    // The window is the host: its panel's controls reach the others.
    driver.click(&session, "#host-present").await;
    bo.expect("PRESENT").await;
    driver.click(&session, "#host-lock").await;
    let lock = bo.expect("LOCK").await;
    assert_eq!(lock["locked"], true, "{lock}");
    bo.send(
        "SHAPE_ADDED",
        json!({"shape": common::pencil("bo-1", 3), "opId": "bo-op-1"}),
    )
    .await;
    assert_eq!(bo.expect_error().await, "locked");
    driver.click(&session, "#host-lock").await;
    let lock = bo.expect("LOCK").await;
    assert_eq!(lock["locked"], false, "{lock}");

    // Where everyone is looking: Bo's view is known to the window once the
    // host shows the views.
    eprintln!("desktop: views, undo override, shape lock");
    driver.click(&session, "#host-show-views").await;
    bo.send(
        "VIEWPORT",
        json!({"rect": {"x": 10, "y": 20, "w": 400, "h": 300}}),
    )
    .await;
    driver
        .until(
            &session,
            "const s = window.coco.state(); \
             return s.showViews && s.views.some((v) => v.id === 'bo')",
        )
        .await;
    // Undo override: the host's panel undoes Bo's last change for everyone.
    bo.send(
        "SHAPE_ADDED",
        json!({"shape": common::pencil("bo-2", 3), "opId": "bo-op-2"}),
    )
    .await;
    bo.expect("ACK").await;
    let undo = "[data-testid=host-undo-person][data-user=bo]";
    driver
        .until(
            &session,
            &format!("const b = document.querySelector('{undo}'); return !!b && !b.disabled"),
        )
        .await;
    driver.click(&session, undo).await;
    let undone = bo.expect("SHAPES_DELETED").await;
    assert_eq!(undone["shapeIds"], json!(["bo-2"]), "{undone}");
    // A shape the host selects with the keys (V, then Tab) and locks is not
    // Bo's to delete.
    driver
        .script(
            &session,
            "document.getElementById('canvas').focus(); return true",
        )
        .await;
    driver.keys(&session, &["v", "\u{E004}"]).await;
    driver
        .until(&session, "return window.coco.selected().length === 1")
        .await;
    driver.click(&session, "#host-lock-shape").await;
    let locked = loop {
        let update = bo.expect("SHAPE_UPDATED").await;
        if update["updates"]["locked"] == true {
            break update["shapeId"].clone();
        }
    };
    bo.send(
        "SHAPES_DELETED",
        json!({"shapeIds": [locked], "opId": "bo-op-3"}),
    )
    .await;
    let refused = bo.expect("ERROR").await;
    assert_eq!(refused["code"], "locked", "{refused}");
    driver.click(&session, "#host-unlock-shape").await;

    // The laser (K): the same pointer moves reach the others as a trail.
    eprintln!("desktop: laser");
    driver
        .script(
            &session,
            "document.getElementById('canvas').focus(); return true",
        )
        .await;
    driver.keys(&session, &["k"]).await;
    driver.pointer(&session, steps).await;
    let laser = bo.expect("LASER").await;
    assert!(
        laser["points"].as_array().is_some_and(|p| !p.is_empty()),
        "{laser}"
    );

    // History: the slider shows the start to this window only; "Restore
    // this moment" brings it back for everyone.
    eprintln!("desktop: history");
    driver.click(&session, "#history-open").await;
    let h = "const h = window.coco.history();";
    driver
        .until(
            &session,
            &format!("{h} return h.open && h.max >= 2 && h.rev === h.max"),
        )
        .await;
    driver
        .script(
            &session,
            "document.getElementById('history-slider').focus(); return true",
        )
        .await;
    driver.keys(&session, &["\u{E011}"]).await;
    driver
        .until(
            &session,
            &format!("{h} return h.rev === h.min && h.shown.length < window.coco.shapes().length"),
        )
        .await;
    let live = bo.sync(None).await["shapes"].as_array().map_or(0, Vec::len);
    driver.click(&session, "#history-restore").await;
    driver.click(&session, "#history-confirm-yes").await;
    bo.expect("SHAPES_DELETED").await;
    let deadline = Instant::now() + WAIT;
    loop {
        let sync = bo.sync(None).await;
        let now = sync["shapes"].as_array().map_or(0, Vec::len);
        if now < live {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the restore never reached the others: {sync}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let _ = driver
        .http
        .delete(format!("{}/session/{session}", driver.base))
        .send()
        .await;
}
