//! TUN devices made inside network namespaces: each end of the link is an
//! ordinary network interface in its namespace, and every IP packet sent
//! through it is read by this process (and every packet this process writes
//! is received by it).
//!
//! A device exists while its file is open: when the link process ends, for
//! whatever reason, the kernel removes both devices, so nothing is left over.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::AsRawFd;
use std::process::Command;

/// The most an interface name may hold (IFNAMSIZ less the final NUL).
pub const MAX_NAME: usize = 15;
/// The devices' MTU: Ethernet's and Wi-Fi's, so TCP sends 1,460-byte
/// segments as it would on the real network.
pub const MTU: usize = 1500;

/// One end of the link.
pub struct Tun {
    pub file: File,
    netns: String,
}

/// Makes the device `name` inside the network namespace `netns` (one made
/// by `ip netns add`), gives it `local` with `peer` at the other end, and
/// brings it up.
pub fn open(netns: &str, name: &str, local: &str, peer: &str) -> io::Result<Tun> {
    if name.is_empty() || name.len() > MAX_NAME {
        return Err(io::Error::other(format!(
            "an interface name has 1 to {MAX_NAME} bytes: {name:?}"
        )));
    }
    let file = create_inside(netns, name)?;
    let tun = Tun {
        file,
        netns: netns.to_string(),
    };
    // No IPv6 link-local address, so no router or neighbour traffic crosses
    // the link beside what is measured.
    tun.ip(&["link", "set", name, "addrgenmode", "none"])?;
    tun.ip(&["link", "set", name, "mtu", &MTU.to_string()])?;
    tun.ip(&["addr", "add", local, "peer", peer, "dev", name])?;
    tun.ip(&["link", "set", name, "up"])?;
    Ok(tun)
}

impl Tun {
    /// `ip -n NETNS ARGS`.
    fn ip(&self, args: &[&str]) -> io::Result<()> {
        let out = Command::new("ip")
            .arg("-n")
            .arg(&self.netns)
            .args(args)
            .output()?;
        if out.status.success() {
            return Ok(());
        }
        Err(io::Error::other(format!(
            "ip -n {} {}: {}",
            self.netns,
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

/// Opens `/dev/net/tun` and makes the device on a thread that has entered
/// the namespace: a device belongs to the namespace it was made in, and
/// `setns` changes only the calling thread's.
fn create_inside(netns: &str, name: &str) -> io::Result<File> {
    let path = format!("/run/netns/{netns}");
    let name = name.to_string();
    std::thread::spawn(move || {
        let ns = File::open(&path).map_err(|e| io::Error::other(format!("{path}: {e}")))?;
        nix::sched::setns(&ns, nix::sched::CloneFlags::CLONE_NEWNET)
            .map_err(|e| io::Error::other(format!("entering {path}: {e}")))?;
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/net/tun")
            .map_err(|e| io::Error::other(format!("/dev/net/tun: {e}")))?;
        set_iff(&file, &name)?;
        Ok(file)
    })
    .join()
    .map_err(|_| io::Error::other("the namespace thread panicked"))?
}

/// `TUNSETIFF`: an IP-level device (no Ethernet header) with no packet
/// information prefix, so each read is one IP packet as it is.
fn set_iff(file: &File, name: &str) -> io::Result<()> {
    // SAFETY: `ifreq` is plain old data, for which all zeroes is valid.
    let mut request: libc::ifreq = unsafe { std::mem::zeroed() };
    for (slot, byte) in request.ifr_name.iter_mut().zip(name.bytes()) {
        *slot = byte as libc::c_char;
    }
    request.ifr_ifru.ifru_flags = (libc::IFF_TUN | libc::IFF_NO_PI) as libc::c_short;
    // SAFETY: TUNSETIFF reads (and may write) one `ifreq`, which lives for
    // the call; the descriptor is open.
    let rc = unsafe { libc::ioctl(file.as_raw_fd(), libc::TUNSETIFF, &mut request) };
    if rc < 0 {
        let e = io::Error::last_os_error();
        return Err(io::Error::other(format!("TUNSETIFF {name}: {e}")));
    }
    Ok(())
}
