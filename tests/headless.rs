//! What `coco --headless` prints for the person at its terminal: the QR code
//! of the join link, and a line whenever someone joins or leaves.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::{netns, Client, WAIT};

/// The host's stdout, line by line, read on a thread so the test can wait
/// for a line with a deadline.
struct Output {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Output {
    fn spawn(mut command: Command, dir: &std::path::Path, extra: &[&str]) -> Output {
        let mut child = command
            .args(["--headless", "--no-mdns", "--port", "0", "--ws-port", "0"])
            .args(extra)
            .arg("--data-dir")
            .arg(dir)
            .env("COCO_CONFIG", dir.join("config.toml"))
            .stdout(Stdio::piped())
            .spawn()
            .expect("start coco");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                if tx.send(line.unwrap()).is_err() {
                    return;
                }
            }
        });
        Output { child, lines }
    }

    /// The next line, or a panic naming what was awaited.
    fn next(&self, awaiting: &str) -> String {
        self.lines
            .recv_timeout(WAIT)
            .unwrap_or_else(|_| panic!("no line from the host while waiting for {awaiting}"))
    }

    /// Lines up to and including the first that contains `needle`.
    fn until(&self, needle: &str) -> Vec<String> {
        let mut seen = Vec::new();
        loop {
            let line = self.next(needle);
            let found = line.contains(needle);
            seen.push(line);
            if found {
                return seen;
            }
        }
    }

    /// Nothing more printed for a moment.
    fn quiet(&self) -> Option<String> {
        self.lines.recv_timeout(Duration::from_millis(300)).ok()
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The block characters as a module matrix: each character is two modules
/// one above the other; a drawn half is a light module.
fn modules(block: &[String]) -> Vec<Vec<bool>> {
    let mut rows = Vec::new();
    for line in block {
        let (mut upper, mut lower) = (Vec::new(), Vec::new());
        for c in line.chars() {
            let (u, l) = match c {
                ' ' => (false, false),
                '\u{2580}' => (true, false),
                '\u{2584}' => (false, true),
                '\u{2588}' => (true, true),
                other => panic!("not a QR block character: {other:?} in {line:?}"),
            };
            upper.push(u);
            lower.push(l);
        }
        rows.push(upper);
        rows.push(lower);
    }
    rows
}

/// Renders the modules to a PNG (light modules white) and reads it back with
/// zbarimg, as a phone camera would.
fn zbar_decode(modules: &[Vec<bool>], dir: &std::path::Path) -> Option<String> {
    const SCALE: u32 = 8;
    let (w, h) = (modules[0].len() as u32, modules.len() as u32);
    let img = image::GrayImage::from_fn(w * SCALE, h * SCALE, |x, y| {
        let light = modules[(y / SCALE) as usize][(x / SCALE) as usize];
        image::Luma([if light { 255 } else { 0 }])
    });
    let path = dir.join("qr.png");
    img.save(&path).unwrap();
    let out = Command::new("zbarimg")
        .args(["--quiet", "--raw"])
        .arg(&path)
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

#[test]
fn the_qr_code_in_the_terminal_is_the_join_link() {
    // A namespace with one LAN address, so the join link is known exactly.
    let made = netns::Netns::add("coco-qr").and_then(|ns| {
        netns::link_to_here(&ns, "10.232.7.2/24", "10.232.7.1/24", "cqr")?;
        Ok(ns)
    });
    let Some(ns) = netns::or_skip(made) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let host = Output::spawn(ns.command(env!("CARGO_BIN_EXE_coco")), tmp.path(), &[]);
    let banner = host.until("Scan to join:");
    let url = banner
        .iter()
        .find_map(|l| l.trim().strip_prefix("on the network:"))
        .expect("the banner gives the join link")
        .trim()
        .to_string();
    assert!(url.starts_with("http://10.232.7.1:"), "{url}");
    assert!(url.contains("?code="), "{url}");
    let mut block = Vec::new();
    loop {
        let line = host.next("the end of the QR code");
        if line.trim().is_empty() && !block.is_empty() {
            break;
        }
        if !line.trim().is_empty() || !block.is_empty() {
            block.push(line);
        }
        if block.len() > 100 {
            break;
        }
    }
    let printed = modules(&block);
    // The same modules as the code of the URL (dark modules are not drawn),
    // inside a light quiet zone of four modules.
    let code = qrcode::QrCode::new(url.as_bytes()).unwrap();
    let width = code.width();
    assert_eq!(printed[0].len(), width + 8);
    for (y, row) in code.to_colors().chunks(width).enumerate() {
        for (x, color) in row.iter().enumerate() {
            let light = *color == qrcode::Color::Light;
            assert_eq!(printed[y + 4][x + 4], light, "module ({x}, {y})");
        }
    }
    assert!(printed[..4].iter().flatten().all(|light| *light));
    match zbar_decode(&printed, tmp.path()) {
        Some(decoded) => assert_eq!(decoded, url),
        None if std::env::var_os("CI").is_none() => {
            eprintln!("zbarimg is not installed: the QR code was checked module by module only")
        }
        None => panic!("CI must have zbarimg (zbar-tools)"),
    }
}

#[test]
fn joins_and_leaves_are_printed_one_line_each() {
    let tmp = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_coco"));
    command.args(["--bind", "127.0.0.1"]);
    let host = Output::spawn(command, tmp.path(), &[]);
    let banner = host.until("WebSocket:");
    let ws = banner
        .iter()
        .find_map(|l| l.trim().strip_prefix("WebSocket:"))
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    // Listening on loopback only: no LAN link, so no QR code either.
    assert!(banner.iter().any(|l| l.contains("this machine only")));
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let (ana, _) = Client::join(&format!("{ws}?room=main"), "ana").await;
        assert_eq!(host.next("ana's join"), "ana name joined (seat 1 of 4)");
        let (mut bo, _) = Client::join(&format!("{ws}?room=main"), "bo").await;
        assert_eq!(host.next("bo's join"), "bo name joined (seat 2 of 4)");
        drop(ana);
        assert_eq!(host.next("ana's leave"), "ana name left");
        // A reconnect of someone seated is not a second join.
        bo.join_as("bo", None).await;
        let (_cy, _) = Client::join(&format!("{ws}?room=art"), "cy").await;
        assert_eq!(
            host.next("cy's join"),
            "cy name joined room \u{201c}art\u{201d} (seat 1 of 4)"
        );
        assert_eq!(host.quiet(), None);
    });
}
