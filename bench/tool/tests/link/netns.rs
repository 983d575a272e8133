//! Two network namespaces joined by `coco-bench link`, made by a test and
//! removed again (also when it fails), and sockets opened inside them.
//!
//! Making namespaces needs root. Without it the test is skipped with the
//! reason printed; under CI (`CI` set) it fails instead, so CI never passes
//! by skipping.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::net::Ipv4Addr;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

/// How long the link may take to say it is ready.
const READY_TIMEOUT: Duration = Duration::from_secs(20);

/// Runs `ip ARGS`; the error says which step failed and why.
fn ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| format!("ip: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// A network namespace with its loopback up; deleted on drop.
pub struct Netns {
    pub name: String,
}

impl Netns {
    fn add(name: &str) -> Result<Netns, String> {
        ip(&["netns", "add", name])?;
        let ns = Netns {
            name: name.to_string(),
        };
        ip(&["-n", name, "link", "set", "lo", "up"])?;
        Ok(ns)
    }

    /// Runs `f` on a thread inside this namespace: the sockets it makes
    /// stay in the namespace (setns changes only that thread).
    pub fn inside<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> std::io::Result<T> + Send + 'static,
    ) -> std::thread::JoinHandle<std::io::Result<T>> {
        let path = format!("/run/netns/{}", self.name);
        std::thread::spawn(move || {
            let ns = File::open(&path)?;
            nix::sched::setns(&ns, nix::sched::CloneFlags::CLONE_NEWNET)?;
            f()
        })
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = ip(&["netns", "del", &self.name]);
    }
}

/// Two namespaces, `a` (the host's side) and `b` (the clients'), with no
/// link yet.
pub struct Pair {
    pub a: Netns,
    pub b: Netns,
    pub a_ip: Ipv4Addr,
    pub b_ip: Ipv4Addr,
}

impl Pair {
    /// `label` keeps the namespaces of the tests of one process apart.
    fn create(label: &str) -> Result<Pair, String> {
        let id = std::process::id();
        let a = Netns::add(&format!("coco-lk{label}-a{id}"))?;
        let b = Netns::add(&format!("coco-lk{label}-b{id}"))?;
        // Private, and only ever inside these two namespaces.
        let net = (id % 250) as u8;
        Ok(Pair {
            a,
            b,
            a_ip: Ipv4Addr::new(10, 246, net, 1),
            b_ip: Ipv4Addr::new(10, 246, net, 2),
        })
    }

    /// A pair, or `None` (after saying why) where namespaces cannot be made
    /// and this is not CI.
    pub fn or_skip(label: &str) -> Option<Pair> {
        match Pair::create(label) {
            Ok(pair) => Some(pair),
            Err(e) if std::env::var_os("CI").is_none() => {
                eprintln!("skipped: cannot create network namespaces here ({e})");
                None
            }
            Err(e) => panic!("CI must be able to create network namespaces: {e}"),
        }
    }

    /// Joins the two with `coco-bench link ARGS`, once it says it is ready.
    pub fn link(&self, args: &[&str]) -> Link {
        let a_ip = self.a_ip.to_string();
        let b_ip = self.b_ip.to_string();
        let mut child = Command::new(env!("CARGO_BIN_EXE_coco-bench"))
            .args(["--json", "link"])
            .args(["--a-ns", &self.a.name, "--a-addr", &a_ip])
            .args(["--b-ns", &self.b.name, "--b-addr", &b_ip])
            .args(["--seconds", "300"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start coco-bench link");
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        // Drains stderr for as long as the link runs, so it never blocks.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                eprintln!("{line}");
                let _ = tx.send(line);
            }
        });
        let mut link = Link { child: Some(child) };
        loop {
            match rx.recv_timeout(READY_TIMEOUT) {
                Ok(line) if line.starts_with("link ready") => return link,
                Ok(_) => {}
                Err(_) => {
                    let status = link.child.as_mut().unwrap().try_wait();
                    panic!("the link was not ready within {READY_TIMEOUT:?} ({status:?})");
                }
            }
        }
    }
}

/// A running `coco-bench link`; killed on drop unless stopped.
pub struct Link {
    child: Option<Child>,
}

impl Link {
    /// Stops the link (SIGTERM) and returns its report.
    pub fn stop(mut self) -> Value {
        let child = self.child.take().unwrap();
        let pid = child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let out = child.wait_with_output().expect("the link's report");
        assert!(out.status.success(), "the link failed: {:?}", out.status);
        serde_json::from_slice(&out.stdout).expect("one JSON report")
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
