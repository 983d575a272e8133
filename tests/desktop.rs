//! The desktop app on a real (virtual) display: the window opens on the UI,
//! its title follows the seats, a drawing made in it reaches the host and
//! its exports land in Downloads, a second launch brings the first forward,
//! and closing the window saves everything and says goodbye on the LAN.
//!
//! Needs the `desktop` build, an X display (`xvfb-run`), a window manager
//! (`matchbox-window-manager`, started here), `xdotool`, `wmctrl`, `import`
//! (ImageMagick) and root for network namespaces: `scripts/test.sh` runs it
//! as `xvfb-run -a cargo test --test desktop -- --test-threads=1` (the tests
//! share the display).
#![cfg(feature = "desktop")]

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::netns::{self, discovery, Lan};
use common::{Client, HostProcess};

/// How long the window may take to show something.
const WINDOW_WAIT: Duration = Duration::from_secs(30);
/// The join button's blue and the page background (`ui/style.css`).
const ACCENT: [u8; 3] = [0x3b, 0x5b, 0xdb];
const PAGE: [u8; 3] = [0xf4, 0xf5, 0xf7];
/// The toast's background (`--ink`).
const INK: [u8; 3] = [0x1f, 0x23, 0x28];
const TITLE: &str = "CoCo — Art class";

/// The app with its output collected line by line.
struct App {
    child: Child,
    out: Arc<Mutex<Vec<String>>>,
}

impl App {
    fn launch(home: &Path) -> App {
        App::launch_with(Command::new(env!("CARGO_BIN_EXE_coco")), home)
    }

    /// The app started by `command` (e.g. `ip netns exec NS coco`).
    fn launch_with(mut command: Command, home: &Path) -> App {
        let mut child = command
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("xdg"))
            .env("COCO_CONFIG", home.join("config.toml"))
            .env_remove("GEMINI_API_KEY")
            .env_remove("GOOGLE_API_KEY")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start coco");
        let out = Arc::new(Mutex::new(Vec::new()));
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        collect(stdout, out.clone());
        collect(stderr, out.clone());
        App { child, out }
    }

    fn output(&self) -> String {
        self.out.lock().unwrap().join("\n")
    }

    /// Waits for a line containing `needle`; returns it.
    fn line(&self, needle: &str) -> String {
        wait_for(needle, || {
            self.out
                .lock()
                .unwrap()
                .iter()
                .find(|l| l.contains(needle))
                .cloned()
        })
    }

    fn exit_code(&mut self) -> Option<i32> {
        let deadline = Instant::now() + WINDOW_WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            assert!(
                Instant::now() < deadline,
                "coco did not exit:\n{}",
                self.output()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn collect(pipe: impl std::io::Read + Send + 'static, out: Arc<Mutex<Vec<String>>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            out.lock().unwrap().push(line);
        }
    });
}

fn wait_for<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + WINDOW_WAIT;
    loop {
        if let Some(found) = check() {
            return found;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e} (is it installed?)"));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The ids of the windows whose title starts with `title`.
fn windows(title: &str) -> Vec<String> {
    let ids = run("xdotool", &["search", "--name", &format!("^{title}")]);
    ids.lines().map(str::to_string).collect()
}

fn window_name(id: &str) -> String {
    run("xdotool", &["getwindowname", id])
}

/// The whole screen, and the share of its pixels that are `color`.
fn screenshot(path: &Path) -> image::RgbImage {
    let status = Command::new("import")
        .args(["-window", "root"])
        .arg(path)
        .status()
        .expect("import (ImageMagick)");
    assert!(status.success());
    image::open(path).unwrap().to_rgb8()
}

/// Every 7th pixel is looked at: enough for areas of colour, and quick
/// enough in a debug build to time the first paint closely.
fn share(img: &image::RgbImage, color: [u8; 3]) -> f64 {
    const STEP: usize = 7;
    let near = |p: &image::Rgb<u8>| p.0.iter().zip(color).all(|(a, b)| a.abs_diff(b) <= 6);
    let sampled = img.pixels().step_by(STEP);
    let total = sampled.len().max(1);
    img.pixels().step_by(STEP).filter(|p| near(p)).count() as f64 / total as f64
}

/// The join screen: mostly the page background, with the blue of the
/// heading and the button; a blank or error page has neither.
fn shows_join_screen(img: &image::RgbImage) -> bool {
    share(img, PAGE) > 0.2 && share(img, ACCENT) > 0.005
}

fn address_after(text: &str, prefix: &str) -> String {
    let line = text
        .lines()
        .find_map(|l| l.trim().strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no {prefix:?} in:\n{text}"));
    line.split_whitespace().next().unwrap().to_string()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// A home directory as a person would have it: a Downloads folder and a
/// config file that holds every setting (so `coco` runs with no flags).
fn home() -> (tempfile::TempDir, PathBuf) {
    home_with("name = \"Art class\"\nbind = \"127.0.0.1\"\nmdns = false\n")
}

/// A home directory for one run of the app, with `config` in its config file.
fn home_with(config: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().to_path_buf();
    std::fs::create_dir_all(home.join("xdg")).unwrap();
    std::fs::write(
        home.join("xdg/user-dirs.dirs"),
        "XDG_DOWNLOAD_DIR=\"$HOME/Downloads\"\n",
    )
    .unwrap();
    std::fs::write(
        home.join("config.toml"),
        format!(
            "{config}data_dir = \"{}\"\nport = 0\nws_port = 0\n",
            home.join("data").display()
        ),
    )
    .unwrap();
    (tmp, home)
}

/// Whether there is an X display; CI must have one.
fn have_display() -> bool {
    if std::env::var_os("DISPLAY").is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run this under xvfb-run"
        );
        eprintln!("skipped: no X display (run under xvfb-run)");
        return false;
    }
    true
}

/// A window manager, as on a desktop: it closes windows politely and gives
/// focus. Fails harmlessly where one already runs.
fn window_manager() -> Child {
    Command::new("matchbox-window-manager")
        .args(["-use_titlebar", "no"])
        .stderr(Stdio::null())
        .spawn()
        .expect("matchbox-window-manager")
}

#[test]
fn the_desktop_app_from_launch_to_close() {
    if !have_display() {
        return;
    }
    let mut wm = window_manager();
    let (_tmp, home) = home();
    // Screenshots stay after the test, for a person to look at.
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("desktop");
    std::fs::create_dir_all(&shots).unwrap();

    // Launch: the window appears and paints the join screen.
    let started = Instant::now();
    let mut app = App::launch(&home);
    let window = wait_for("the window", || windows(TITLE).pop());
    let mapped = started.elapsed();
    let shot = shots.join("join.png");
    wait_for("the join screen to be painted", || {
        shows_join_screen(&screenshot(&shot)).then_some(())
    });
    let painted = started.elapsed();
    println!(
        "cold start: window mapped after {:.2} s, join screen painted after {:.2} s (target 1.5 s)",
        mapped.as_secs_f64(),
        painted.as_secs_f64()
    );
    println!(
        "{} (screenshots in {})",
        app.line("window ready"),
        shots.display()
    );
    assert_eq!(window_name(&window), "CoCo — Art class (0 of 4)");
    let banner = app.line("WebSocket:");
    let banner = format!("{}\n{banner}", app.output());
    let ws = address_after(&banner, "WebSocket:");

    // Join in the window: the name field has the focus; Enter joins.
    run("xdotool", &["windowactivate", "--sync", &window]);
    run("xdotool", &["type", "--delay", "20", "Ana"]);
    run("xdotool", &["key", "Return"]);
    wait_for("the title to count Ana", || {
        (window_name(&window) == "CoCo — Art class (1 of 4)").then_some(())
    });

    // Draw a stroke across the middle of the canvas.
    let geometry = run("xdotool", &["getwindowgeometry", "--shell", &window]);
    let value = |key: &str| -> i32 {
        geometry
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{key}=")))
            .unwrap()
            .parse()
            .unwrap()
    };
    let (cx, cy) = (
        value("X") + value("WIDTH") / 2,
        value("Y") + value("HEIGHT") / 2,
    );
    run(
        "xdotool",
        &["mousemove", "--sync", &cx.to_string(), &cy.to_string()],
    );
    run("xdotool", &["mousedown", "1"]);
    for step in 1..=20 {
        let (x, y) = (cx + step * 8, cy + step * 4);
        run(
            "xdotool",
            &["mousemove", "--sync", &x.to_string(), &y.to_string()],
        );
    }
    run("xdotool", &["mouseup", "1"]);
    screenshot(&shots.join("drawn.png"));

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        // Someone else joins: the title counts them; they see Ana's stroke.
        let (mut bo, _) = Client::join(&format!("{ws}?room=main"), "bo").await;
        wait_for("the title to count Bo", || {
            (window_name(&window) == "CoCo — Art class (2 of 4)").then_some(())
        });
        let shapes = wait_for_stroke(&mut bo).await;
        assert_eq!(shapes[0]["type"], "pencil", "{shapes:?}");
        drop(bo);
        wait_for("the title to drop Bo", || {
            (window_name(&window) == "CoCo — Art class (1 of 4)").then_some(())
        });
    });

    // Export twice as SVG (Ctrl+Shift+S): two files, neither overwritten.
    let downloads = home.join("Downloads");
    for expected in [
        vec!["coco-main.svg"],
        vec!["coco-main (1).svg", "coco-main.svg"],
    ] {
        run("xdotool", &["key", "--window", &window, "ctrl+shift+s"]);
        wait_for("the export in Downloads", || {
            (files_in(&downloads) == expected).then_some(())
        });
    }
    let svg = std::fs::read_to_string(downloads.join("coco-main.svg")).unwrap();
    assert!(svg.contains("<svg") && svg.contains("path"), "{svg}");
    app.line("Saved ");
    // The page says where the file went: a toast at the bottom of the canvas.
    let toast = shots.join("exported.png");
    wait_for("the saved notice", || {
        let img = screenshot(&toast);
        let bottom = image::imageops::crop_imm(&img, 0, img.height() - 120, img.width(), 120);
        (share(&bottom.to_image(), INK) > 0.02).then_some(())
    });

    // A second launch brings the window back and exits 0.
    run("xdotool", &["windowminimize", "--sync", &window]);
    let mut second = App::launch(&home);
    assert_eq!(second.exit_code(), Some(0), "{}", second.output());
    assert!(
        second.output().contains("already running"),
        "{}",
        second.output()
    );
    app.line("started again: showing this window");
    wait_for("the window to be shown again", || {
        run("xwininfo", &["-id", &window])
            .contains("IsViewable")
            .then_some(())
    });
    assert_eq!(windows(TITLE).len(), 1);

    // Closing the window stops the host cleanly.
    run("wmctrl", &["-c", TITLE]);
    assert_eq!(app.exit_code(), Some(0), "{}", app.output());
    assert!(
        app.output().contains("Stopped; everything is saved."),
        "{}",
        app.output()
    );
    let _ = wm.kill();
    let _ = wm.wait();

    // The store opens again with Ana's stroke in it.
    let host = HostProcess::spawn(&home.join("data"), &[]);
    rt.block_on(async {
        let (mut cy, _) = Client::join(&host.ws_url("main"), "cy").await;
        let shapes = wait_for_stroke(&mut cy).await;
        assert_eq!(shapes[0]["type"], "pencil");
    });
}

/// On a LAN (two network namespaces the test makes), another host lists the
/// app's session while its window is open and drops it when the window is
/// closed: closing sends the mDNS goodbye, not just a silent exit.
#[test]
fn closing_the_window_says_goodbye_on_the_network() {
    if !have_display() {
        return;
    }
    let Some(lan) = netns::or_skip(Lan::create("desk", 234)) else {
        return;
    };
    let mut wm = window_manager();
    let (_tmp, home) = home_with("name = \"Goodbye class\"\nbind = \"0.0.0.0\"\nmdns = true\n");
    // The app on "machine" A (X reaches it through its socket file).
    let mut app = App::launch_with(lan.a.command(env!("CARGO_BIN_EXE_coco")), &home);
    wait_for("the window", || windows("CoCo — Goodbye class").pop());
    // A headless host on "machine" B, browsing.
    let dir_b = tempfile::tempdir().unwrap();
    let host_b = HostProcess::spawn_announced(
        lan.b.command(env!("CARGO_BIN_EXE_coco")),
        dir_b.path(),
        &["--bind", "0.0.0.0", "--name", "Watcher"],
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listed = |want: bool| {
        let started = Instant::now();
        rt.block_on(async {
            loop {
                let seen = discovery(&lan.b, &host_b).await;
                let sessions = seen["sessions"].as_array().unwrap();
                if sessions.iter().any(|s| s["name"] == "Goodbye class") == want {
                    return started.elapsed();
                }
                assert!(started.elapsed() < WINDOW_WAIT, "{seen}");
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
        })
    };
    let seen = listed(true);
    run("wmctrl", &["-c", "CoCo — Goodbye class"]);
    let closed = Instant::now();
    assert_eq!(app.exit_code(), Some(0), "{}", app.output());
    listed(false);
    println!(
        "mDNS from the desktop app: seen by another host after {:.2} s; gone {:.2} s after the window was closed",
        seen.as_secs_f64(),
        closed.elapsed().as_secs_f64()
    );
    let _ = wm.kill();
    let _ = wm.wait();
}

/// The shapes a client syncs, once there is at least one.
async fn wait_for_stroke(client: &mut Client) -> Vec<serde_json::Value> {
    let deadline = Instant::now() + WINDOW_WAIT;
    loop {
        let sync = client.sync(None).await;
        let shapes = sync["shapes"].as_array().cloned().unwrap_or_default();
        if !shapes.is_empty() {
            return shapes;
        }
        assert!(
            Instant::now() < deadline,
            "no stroke reached the host: {sync}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[test]
fn with_no_display_the_app_says_so_and_runs_the_host() {
    let (_tmp, home) = home();
    let mut command = Command::new(env!("CARGO_BIN_EXE_coco"));
    command
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("HOME", &home)
        .env("COCO_CONFIG", home.join("config.toml"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut app = App {
        child: command.spawn().expect("start coco"),
        out: Arc::new(Mutex::new(Vec::new())),
    };
    collect(app.child.stdout.take().unwrap(), app.out.clone());
    collect(app.child.stderr.take().unwrap(), app.out.clone());
    app.line("No display found: running the host without a window");
    let banner = app.line("on this machine: http://");
    let http = address_after(&banner, "on this machine: http://");
    let http = http.trim_end_matches('/');
    let health = std::net::TcpStream::connect(http).map(|_| ());
    assert!(health.is_ok(), "the host listens on {http}");
    let pid = app.child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert_eq!(app.exit_code(), Some(0), "{}", app.output());
    assert!(app.output().contains("Stopped; everything is saved."));
}
