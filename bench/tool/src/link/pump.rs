//! Moving packets from one end of the link to the other: per direction, a
//! thread reads each packet as it leaves one namespace and asks the
//! [`Lane`] its fate, and a second thread writes the survivors into the
//! other namespace at the time the lane gave, in the order they came.
//!
//! Threads rather than tasks: each blocks on one thing (a read, or the next
//! packet's time), and a sleeping thread wakes within tens of microseconds,
//! far below the delays modelled.

use std::fs::File;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Instant;

use serde_json::{json, Value};

use super::model::{Fate, Lane};

/// Packets between the reader and the writer of a direction: far more than
/// any profile holds in flight (its queue plus half a round trip), so the
/// reader never waits; past it, the reader stops and the kernel's own queue
/// in front of the device fills instead.
const MAX_IN_FLIGHT: usize = 16_384;
/// Read buffer: an IP packet never exceeds 64 KiB.
const MAX_PACKET: usize = 65_536;

/// What one direction did, counted as it happens.
#[derive(Debug, Default)]
pub struct LaneStats {
    /// Packets and bytes that entered the lane.
    pub packets: AtomicU64,
    pub bytes: AtomicU64,
    /// Sent, then lost on the way.
    pub lost: AtomicU64,
    /// Dropped at the full queue.
    pub overflowed: AtomicU64,
    /// Written out at the far end.
    pub delivered: AtomicU64,
    pub delivered_bytes: AtomicU64,
    /// Packets the far end refused to take.
    pub write_errors: AtomicU64,
}

impl LaneStats {
    pub fn json(&self) -> Value {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        json!({
            "packets": get(&self.packets),
            "bytes": get(&self.bytes),
            "lost": get(&self.lost),
            "overflowed": get(&self.overflowed),
            "delivered": get(&self.delivered),
            "delivered_bytes": get(&self.delivered_bytes),
            "write_errors": get(&self.write_errors),
        })
    }
}

fn bump(counter: &AtomicU64, by: u64) {
    counter.fetch_add(by, Ordering::Relaxed);
}

/// Starts the two threads of one direction, `from` → `to`, with times
/// measured from `origin`. They run until the process ends.
pub fn start(
    label: &str,
    from: Arc<File>,
    to: Arc<File>,
    mut lane: Lane,
    origin: Instant,
    stats: Arc<LaneStats>,
) -> std::io::Result<()> {
    let (tx, rx) = mpsc::sync_channel::<(std::time::Duration, Vec<u8>)>(MAX_IN_FLIGHT);
    let reader_stats = stats.clone();
    std::thread::Builder::new()
        .name(format!("{label}-in"))
        .spawn(move || {
            let mut buf = vec![0u8; MAX_PACKET];
            loop {
                let n = match (&*from).read(&mut buf) {
                    Ok(0) => return,
                    Ok(n) => n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        eprintln!("link: reading a packet: {e}");
                        return;
                    }
                };
                bump(&reader_stats.packets, 1);
                bump(&reader_stats.bytes, n as u64);
                match lane.admit(origin.elapsed(), n) {
                    Fate::Deliver(at) => {
                        if tx.send((at, buf[..n].to_vec())).is_err() {
                            return;
                        }
                    }
                    Fate::Lost => bump(&reader_stats.lost, 1),
                    Fate::Overflow => bump(&reader_stats.overflowed, 1),
                }
            }
        })?;
    std::thread::Builder::new()
        .name(format!("{label}-out"))
        .spawn(move || {
            for (at, packet) in rx {
                let wait = at.saturating_sub(origin.elapsed());
                if !wait.is_zero() {
                    std::thread::sleep(wait);
                }
                // A TUN device takes a packet whole or not at all.
                match (&*to).write(&packet) {
                    Ok(n) if n == packet.len() => {
                        bump(&stats.delivered, 1);
                        bump(&stats.delivered_bytes, n as u64);
                    }
                    Ok(_) | Err(_) => bump(&stats.write_errors, 1),
                }
            }
        })?;
    Ok(())
}
