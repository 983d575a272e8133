//! Network namespaces made by a test: "other machines" on a private link,
//! always removed again (also when the test fails), and sockets opened from
//! inside them.
//!
//! Making a namespace needs root. Without it a test is skipped with the
//! reason printed; under CI (`CI` set) it fails instead, so CI never passes by
//! skipping.

use std::net::SocketAddr;
use std::process::Command;

use serde_json::Value;

use super::HostProcess;

/// Runs `ip ARGS`; the error says which step failed and why.
pub fn ip(args: &[&str]) -> Result<(), String> {
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

/// A network namespace with its loopback up; deleted on drop, which also
/// deletes the veth ends inside it (and so their peers).
pub struct Netns {
    pub name: String,
}

impl Netns {
    pub fn add(name: &str) -> Result<Netns, String> {
        ip(&["netns", "add", name])?;
        let ns = Netns {
            name: name.to_string(),
        };
        ip(&["-n", name, "link", "set", "lo", "up"])?;
        Ok(ns)
    }

    /// A command run inside this namespace (`ip netns exec NAME program`).
    pub fn command(&self, program: &str) -> Command {
        let mut command = Command::new("ip");
        command.args(["netns", "exec", &self.name, program]);
        command
    }

    /// Runs `f` on a thread inside this namespace: the sockets it makes stay
    /// in the namespace after the thread ends (setns changes only that thread).
    pub fn inside<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> std::io::Result<T> + Send + 'static,
    ) -> std::io::Result<T> {
        run_inside(&self.name, f)
    }

    /// A TCP connection opened from inside this namespace, so the peer sees
    /// this namespace's address (or loopback: the namespace's own machine).
    pub async fn connect(&self, addr: SocketAddr) -> tokio::net::TcpStream {
        let name = self.name.clone();
        let stream = tokio::task::spawn_blocking(move || {
            run_inside(&name, move || {
                std::net::TcpStream::connect_timeout(&addr, super::WAIT)
            })
        })
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("connect to {addr} from inside a namespace: {e}"));
        stream.set_nonblocking(true).unwrap();
        tokio::net::TcpStream::from_std(stream).unwrap()
    }
}

fn run_inside<T: Send + 'static>(
    name: &str,
    f: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> std::io::Result<T> {
    let path = format!("/run/netns/{name}");
    std::thread::spawn(move || {
        let ns = std::fs::File::open(&path)?;
        nix::sched::setns(&ns, nix::sched::CloneFlags::CLONE_NEWNET)?;
        f()
    })
    .join()
    .expect("namespace thread")
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = ip(&["netns", "del", &self.name]);
    }
}

/// Joins two namespaces with a veth pair: `a` gets `a_addr`, `b` gets
/// `b_addr` (both `x.x.x.x/len`). The link carries multicast (mDNS).
pub fn link(a: &Netns, a_addr: &str, b: &Netns, b_addr: &str, tag: &str) -> Result<(), String> {
    let (a_if, b_if) = (format!("{tag}a"), format!("{tag}b"));
    ip(&["link", "add", &a_if, "type", "veth", "peer", "name", &b_if])?;
    for (ns, dev, addr) in [(a, &a_if, a_addr), (b, &b_if, b_addr)] {
        if let Err(e) = ip(&["link", "set", dev, "netns", &ns.name]) {
            // Not yet inside a namespace: the pair would outlive the test.
            let _ = ip(&["link", "del", dev]);
            return Err(e);
        }
        ip(&["-n", &ns.name, "addr", "add", addr, "dev", dev])?;
        ip(&["-n", &ns.name, "link", "set", dev, "multicast", "on", "up"])?;
    }
    Ok(())
}

/// Joins `ns` to this (the test's own) namespace with a veth pair: this end
/// gets `outer_addr`, the namespace's end `inner_addr` (both `x.x.x.x/len`).
pub fn link_to_here(
    ns: &Netns,
    outer_addr: &str,
    inner_addr: &str,
    tag: &str,
) -> Result<(), String> {
    let (outer, inner) = (format!("{tag}o"), format!("{tag}i"));
    ip(&[
        "link", "add", &outer, "type", "veth", "peer", "name", &inner,
    ])?;
    if let Err(e) = ip(&["link", "set", &inner, "netns", &ns.name]) {
        let _ = ip(&["link", "del", &outer]);
        return Err(e);
    }
    ip(&["addr", "add", outer_addr, "dev", &outer])?;
    ip(&["link", "set", &outer, "up"])?;
    ip(&["-n", &ns.name, "addr", "add", inner_addr, "dev", &inner])?;
    ip(&["-n", &ns.name, "link", "set", &inner, "up"])
}

/// The namespaces, or `None` (after saying why) where they cannot be made
/// and this is not CI.
pub fn or_skip<T>(made: Result<T, String>) -> Option<T> {
    match made {
        Ok(t) => Some(t),
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("skipped: cannot create network namespaces here ({e})");
            None
        }
        Err(e) => panic!("CI must be able to create network namespaces: {e}"),
    }
}

/// The "other machine" a LAN peer's host runs on: a namespace with a veth
/// link to this one (`10.NET.N.0/24`, N from the process id, so parallel test
/// processes differ; each test file names a `net` no other one uses);
/// removed on drop.
pub struct OtherMachine {
    pub ns: Netns,
    /// The namespace's address, where its host listens.
    pub host_ip: String,
    /// This end of the link: `ip link set IF down` cuts the machine off.
    pub outer_if: String,
}

impl OtherMachine {
    /// `label` (one letter) keeps the namespace and link names apart.
    pub fn create(label: &str, net: u8) -> Result<OtherMachine, String> {
        let id = std::process::id();
        let subnet = format!("10.{net}.{}", id % 250);
        let ns = Netns::add(&format!("coco-{label}{id}"))?;
        let tag = format!("{label}{}", id % 100_000);
        link_to_here(
            &ns,
            &format!("{subnet}.1/24"),
            &format!("{subnet}.2/24"),
            &tag,
        )?;
        Ok(OtherMachine {
            ns,
            host_ip: format!("{subnet}.2"),
            outer_if: format!("{tag}o"),
        })
    }

    /// Runs a host on this machine, listening on all its interfaces, with
    /// its data in `dir`.
    pub fn spawn_host(&self, dir: &std::path::Path) -> HostProcess {
        let mut command = self.ns.command(env!("CARGO_BIN_EXE_coco"));
        command.args(["--bind", "0.0.0.0"]);
        HostProcess::spawn_command(command, dir, &[])
    }

    /// Where a host of this machine answers HTTP, as a LAN peer reaches it.
    pub fn http_addr(&self, host: &HostProcess) -> SocketAddr {
        format!("{}:{}", self.host_ip, host.http.port())
            .parse()
            .expect("an address")
    }
}

/// Two namespaces on one link, two "machines" on a LAN: A at `.1`, B at `.2`
/// of 10.`net`.N.0/24 (N from the process id, so runs do not collide).
pub struct Lan {
    pub a: Netns,
    pub b: Netns,
    pub a_ip: String,
}

impl Lan {
    /// `label` names the namespaces (`coco-LABEL-a<pid>`); `net` keeps the
    /// subnets of different test binaries apart.
    pub fn create(label: &str, net: u8) -> Result<Lan, String> {
        let id = std::process::id();
        let subnet = format!("10.{net}.{}", id % 250);
        let a = Netns::add(&format!("coco-{label}-a{id}"))?;
        let b = Netns::add(&format!("coco-{label}-b{id}"))?;
        let tag = format!("{}{}", &label[..2.min(label.len())], id % 1_000_000);
        link(
            &a,
            &format!("{subnet}.1/24"),
            &b,
            &format!("{subnet}.2/24"),
            &tag,
        )?;
        Ok(Lan {
            a,
            b,
            a_ip: format!("{subnet}.1"),
        })
    }
}

/// A third "machine" on a second link of B's only (A never hears it), with
/// two addresses, `.1` and `.3` of 10.`net`.N.0/24 (B is `.2` there): records
/// it announces come from two other machines as far as B can tell.
pub struct Neighbour {
    pub ns: Netns,
    pub ips: [String; 2],
}

impl Lan {
    pub fn neighbour(&self, label: &str, net: u8) -> Result<Neighbour, String> {
        let id = std::process::id();
        let subnet = format!("10.{net}.{}", id % 250);
        let ns = Netns::add(&format!("coco-{label}-c{id}"))?;
        let tag = format!("{}{}", &label[..2.min(label.len())], id % 1_000_000);
        link(
            &ns,
            &format!("{subnet}.1/24"),
            &self.b,
            &format!("{subnet}.2/24"),
            &tag,
        )?;
        ip(&[
            "-n",
            &ns.name,
            "addr",
            "add",
            &format!("{subnet}.3/24"),
            "dev",
            &format!("{tag}a"),
        ])?;
        Ok(Neighbour {
            ns,
            ips: [format!("{subnet}.1"), format!("{subnet}.3")],
        })
    }
}

/// `GET /api/discovery` on a host, asked from inside its own namespace
/// (loopback: the host's own machine, as its desktop window asks).
pub async fn discovery(ns: &Netns, host: &HostProcess) -> Value {
    let addr = host.http;
    let (status, _, body) = super::http_over(
        ns.connect(addr).await,
        addr,
        "GET",
        "/api/discovery",
        &[],
        None,
    )
    .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).unwrap()
}
