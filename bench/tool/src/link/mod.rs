//! `link`: a slow, lossy network link between two network namespaces, for
//! measuring CoCo as people on school or home Wi-Fi get it. This machine's
//! kernel has no `netem`, so the link is made here, in user space, at the
//! packet level: a TUN device in each namespace, and this process carrying
//! every IP packet from one to the other through a [`model::Lane`] per
//! direction (rate, drop-tail queue, random loss, delay; see [`model`]).
//!
//! Why packets and not a TCP proxy: a proxy ends each TCP connection on its
//! own side, so the connections that carry the data run over loopback with
//! no delay and no loss, and whatever the proxy does to the byte stream is a
//! guess at what TCP would have done. Here the client's and the host's own
//! kernels run TCP end to end over the slow link, so what the figures show
//! is what TCP really does on such a link:
//!
//! - the handshake costs a round trip before the first byte, and the
//!   WebSocket upgrade another;
//! - slow start opens the window over several round trips;
//! - a lost packet is found and sent again by the kernel (fast retransmit,
//!   tail loss probe or timeout), and everything behind it waits: the
//!   head-of-line stall a late joiner feels; a lost SYN costs a whole second;
//! - losses halve the sending window, so a lossy link carries a bulk
//!   transfer well below its rate (about `MSS / RTT × 1.22 / √loss`), and a
//!   full queue drops packets, which is how TCP finds the rate;
//! - the host sees the client's own address, as on a LAN, so the join code
//!   and per-address rules apply as they would.
//!
//! What it does not reproduce: Wi-Fi's losses come in bursts and its delay
//! varies (here loss is independent per packet and the delay is fixed, so
//! packets are never reordered); Wi-Fi retries most losses itself before TCP
//! sees them, so a real 1 % frame loss costs TCP less than this 1 % packet
//! loss does; the rate is the same both ways and counts IP bytes only (no
//! link-layer overhead, no contention with other stations). Loss is drawn
//! from a seeded generator (`--seed`), so a run's losses fall on the same
//! packets of each direction when the traffic is the same.
//!
//! The rate is this process's own, not `tc tbf` on a veth: the queue, the
//! loss and the delay must all act on the same packets in the order the
//! link sends them, and one clock for all three keeps every delivery at or
//! after `arrival + send time + rtt / 2`, which the tests rely on.
//!
//! Both devices go away when this process ends, however it ends. It needs
//! root (CAP_NET_ADMIN) and namespaces made with `ip netns add`; its
//! addresses must be private IPv4 ones, so nothing it carries can leave the
//! two namespaces. `bench/netns.sh` sets it all up.

pub mod model;
mod pump;
mod tun;

use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;
use serde_json::json;

use crate::client::{self, BenchResult};
use crate::report;
use model::{Lane, Profile, PROFILES};
use pump::LaneStats;

/// Mixed into the seed of the second direction, so the two directions lose
/// different packets.
const SECOND_LANE_SEED: u64 = 0x5DEE_CE66_D1CE_4E5B;

#[derive(Debug, Clone, Args)]
pub struct LinkArgs {
    /// The link's character: school-wifi (20 Mbit/s, 30 ms, 1 %), bad
    /// (2 Mbit/s, 150 ms, 3 %) or clear (no shaping).
    #[arg(long, default_value = "school-wifi")]
    pub profile: String,
    /// Overrides the profile's rate, in Mbit/s each way (0: no cap).
    #[arg(long)]
    pub rate_mbit: Option<f64>,
    /// Overrides the profile's round trip, in ms.
    #[arg(long)]
    pub rtt_ms: Option<f64>,
    /// Overrides the profile's loss, in % of packets each way.
    #[arg(long)]
    pub loss_pct: Option<f64>,
    /// Network namespace of one end (the host's side).
    #[arg(long)]
    pub a_ns: String,
    /// Its address on the link (private IPv4).
    #[arg(long)]
    pub a_addr: Ipv4Addr,
    /// Network namespace of the other end (the clients' side).
    #[arg(long)]
    pub b_ns: String,
    /// Its address on the link (private IPv4).
    #[arg(long)]
    pub b_addr: Ipv4Addr,
    /// Name of the device at each end.
    #[arg(long, default_value = "cocolink")]
    pub dev: String,
    /// Seed of the loss draws.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Longest run in seconds; the link also ends on SIGINT or SIGTERM.
    #[arg(long, default_value_t = 3600.0)]
    pub seconds: f64,
}

impl LinkArgs {
    /// The named profile with any overrides applied.
    fn profile(&self) -> BenchResult<Profile> {
        let Some(mut profile) = Profile::named(&self.profile) else {
            let names: Vec<&str> = PROFILES.iter().map(|p| p.name).collect();
            return client::fail(format!(
                "no profile {:?}; there are {}",
                self.profile,
                names.join(", ")
            ));
        };
        if let Some(mbit) = self.rate_mbit {
            profile.rate_bps = (mbit * 1e6) as u64;
        }
        if let Some(ms) = self.rtt_ms {
            profile.rtt = Duration::from_secs_f64(ms / 1e3);
        }
        if let Some(pct) = self.loss_pct {
            profile.loss = pct / 100.0;
        }
        if !(0.0..1.0).contains(&profile.loss) {
            return client::fail("loss must be at least 0 % and below 100 %");
        }
        if self.rate_mbit.is_some() || self.rtt_ms.is_some() || self.loss_pct.is_some() {
            profile.name = "custom";
        }
        Ok(profile)
    }
}

/// Only addresses no router forwards: the link is between two namespaces
/// of this machine and nothing it carries may go anywhere else.
fn check_private(addr: Ipv4Addr) -> BenchResult<()> {
    if addr.is_private() {
        Ok(())
    } else {
        client::fail(format!(
            "{addr} is not a private address (10/8, 172.16/12, 192.168/16)"
        ))
    }
}

/// `link`: make the two ends, carry packets until told to stop, report.
pub async fn main(args: LinkArgs, as_json: bool) -> BenchResult<()> {
    let profile = args.profile()?;
    check_private(args.a_addr)?;
    check_private(args.b_addr)?;
    if args.a_addr == args.b_addr || args.a_ns == args.b_ns {
        return client::fail("the two ends need their own namespace and address");
    }
    let (a_addr, b_addr) = (args.a_addr.to_string(), args.b_addr.to_string());
    let a = tun::open(&args.a_ns, &args.dev, &a_addr, &b_addr)?;
    let b = tun::open(&args.b_ns, &args.dev, &b_addr, &a_addr)?;
    let (a, b) = (Arc::new(a.file), Arc::new(b.file));
    let origin = Instant::now();
    let a_to_b = Arc::new(LaneStats::default());
    let b_to_a = Arc::new(LaneStats::default());
    let lane = |seed| Lane::new(profile, seed);
    pump::start(
        "a-b",
        a.clone(),
        b.clone(),
        lane(args.seed),
        origin,
        a_to_b.clone(),
    )?;
    pump::start(
        "b-a",
        b,
        a,
        lane(args.seed ^ SECOND_LANE_SEED),
        origin,
        b_to_a.clone(),
    )?;
    eprintln!(
        "link ready: {a_addr} ({}) <-> {b_addr} ({}), {}",
        args.a_ns,
        args.b_ns,
        describe(&profile)
    );
    let reason = stopped(Duration::from_secs_f64(args.seconds.max(0.0))).await?;

    let secs = origin.elapsed().as_secs_f64();
    let line = |name: &str, s: &LaneStats| {
        let v = s.json();
        format!(
            "  {name}: {} packets ({}), {} lost, {} dropped at the full queue, {} delivered",
            v["packets"],
            report::bytes(v["bytes"].as_u64().unwrap_or(0) as usize),
            v["lost"],
            v["overflowed"],
            v["delivered"]
        )
    };
    let human = format!(
        "link  {}, {secs:.1} s, ended by {reason}\n{}\n{}",
        describe(&profile),
        line(&format!("{} -> {}", args.a_ns, args.b_ns), &a_to_b),
        line(&format!("{} -> {}", args.b_ns, args.a_ns), &b_to_a),
    );
    let value = json!({
        "scenario": "link",
        "profile": profile.name,
        "rate_bps": profile.rate_bps,
        "rtt_ms": profile.rtt.as_secs_f64() * 1e3,
        "loss_pct": profile.loss * 100.0,
        "seed": args.seed,
        "seconds": secs,
        "a_to_b": a_to_b.json(),
        "b_to_a": b_to_a.json(),
    });
    report::emit(as_json, &human, &value);
    Ok(())
}

/// `school-wifi: 20 Mbit/s, 30 ms round trip, 1 % loss`.
fn describe(profile: &Profile) -> String {
    let rate = if profile.rate_bps == 0 {
        "no rate cap".to_string()
    } else {
        format!("{} Mbit/s", profile.rate_bps as f64 / 1e6)
    };
    format!(
        "{}: {rate}, {} ms round trip, {} % loss",
        profile.name,
        profile.rtt.as_secs_f64() * 1e3,
        profile.loss * 100.0
    )
}

/// Waits for SIGINT, SIGTERM or the end of the run; says which.
async fn stopped(limit: Duration) -> BenchResult<&'static str> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = int.recv() => "SIGINT",
        _ = tokio::time::sleep(limit) => "the time limit",
    })
}
