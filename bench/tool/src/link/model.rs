//! What a link does to each packet, as a pure function of arrival times:
//! the profiles, and one direction of a link ([`Lane`]).
//!
//! A lane is the classic single-bottleneck model, the one `netem` with a
//! rate and `tbf` give together:
//!
//! 1. **Rate.** The link sends one packet at a time at `rate_bps`; a packet
//!    starts when the one before it has finished (or when it arrives, if the
//!    link is idle) and takes `bytes × 8 / rate` to send. Bytes are IP bytes:
//!    no link-layer framing, preamble or Wi-Fi contention is added.
//! 2. **Queue.** Packets wait in a drop-tail queue in front of the link,
//!    which holds one round trip of traffic at the link's rate (one
//!    bandwidth-delay product, the textbook buffer size that lets a single
//!    TCP flow keep the link busy after halving its window), and never less
//!    than [`QUEUE_FLOOR`]. A packet that would wait longer is dropped,
//!    which is how a real bottleneck tells TCP to slow down.
//! 3. **Loss.** Each packet that was sent is then lost with probability
//!    `loss`, independently (Bernoulli), in each direction: it used the air
//!    time and never arrived. Random loss, not bursts: Wi-Fi's losses come
//!    in bursts, which this does not reproduce.
//! 4. **Delay.** A packet that survives arrives half a round trip after it
//!    was sent. There is no jitter, so a lane never reorders packets.
//!
//! Deliveries of one lane are therefore in arrival order and never earlier
//! than `arrival + bytes × 8 / rate + rtt / 2`.

use std::time::Duration;

/// The shortest queue a rate-limited lane has, whatever its round trip.
pub const QUEUE_FLOOR: Duration = Duration::from_millis(10);

/// A link's character: how fast, how far, how lossy, the same each way.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Profile {
    pub name: &'static str,
    /// Bits per second, each way; 0 is no cap.
    pub rate_bps: u64,
    /// Round trip the link adds (half each way).
    pub rtt: Duration,
    /// Probability that a packet is lost, each way.
    pub loss: f64,
}

/// A school's Wi-Fi, shared by a class: 20 Mbit/s, 30 ms, 1 % loss.
pub const SCHOOL_WIFI: Profile = Profile {
    name: "school-wifi",
    rate_bps: 20_000_000,
    rtt: Duration::from_millis(30),
    loss: 0.01,
};

/// A bad link (a far corner of the building, a busy hotspot): 2 Mbit/s,
/// 150 ms, 3 % loss.
pub const BAD: Profile = Profile {
    name: "bad",
    rate_bps: 2_000_000,
    rtt: Duration::from_millis(150),
    loss: 0.03,
};

/// No shaping at all: packets cross as soon as they are read, which measures
/// what the link costs by itself.
pub const CLEAR: Profile = Profile {
    name: "clear",
    rate_bps: 0,
    rtt: Duration::ZERO,
    loss: 0.0,
};

/// Every named profile, as the command line knows them.
pub const PROFILES: [Profile; 3] = [SCHOOL_WIFI, BAD, CLEAR];

impl Profile {
    pub fn named(name: &str) -> Option<Profile> {
        PROFILES.into_iter().find(|p| p.name == name)
    }

    pub fn one_way(&self) -> Duration {
        self.rtt / 2
    }

    /// How long `bytes` take to send at the profile's rate.
    pub fn serialization(&self, bytes: usize) -> Duration {
        if self.rate_bps == 0 {
            return Duration::ZERO;
        }
        let nanos = bytes as u128 * 8 * 1_000_000_000 / u128::from(self.rate_bps);
        Duration::from_nanos(nanos as u64)
    }

    /// The longest a packet may wait in the queue before being sent.
    pub fn queue_limit(&self) -> Duration {
        self.rtt.max(QUEUE_FLOOR)
    }
}

/// What happens to one packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// It arrives at this time (on the lane's clock).
    Deliver(Duration),
    /// It was sent and lost on the way.
    Lost,
    /// The queue was full: dropped before it was sent.
    Overflow,
}

/// One direction of a link. Times are durations since the link started.
#[derive(Debug, Clone)]
pub struct Lane {
    profile: Profile,
    /// When the packet being sent (or last sent) is done.
    busy_until: Duration,
    rng: u64,
}

impl Lane {
    /// A lane whose losses follow from `seed` (the same seed and the same
    /// packets give the same losses).
    pub fn new(profile: Profile, seed: u64) -> Lane {
        Lane {
            profile,
            busy_until: Duration::ZERO,
            // xorshift must not start at zero.
            rng: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
        }
    }

    /// The fate of a packet of `bytes` that reaches the lane at `now`.
    /// Calls must come in order of `now`.
    pub fn admit(&mut self, now: Duration, bytes: usize) -> Fate {
        let start = self.busy_until.max(now);
        if self.profile.rate_bps > 0 && start - now > self.profile.queue_limit() {
            return Fate::Overflow;
        }
        self.busy_until = start + self.profile.serialization(bytes);
        if self.profile.loss > 0.0 && self.uniform() < self.profile.loss {
            return Fate::Lost;
        }
        Fate::Deliver(self.busy_until + self.profile.one_way())
    }

    /// A uniform draw in [0, 1) (xorshift64*, 53 bits).
    fn uniform(&mut self) -> f64 {
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        let x = self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (x >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MTU: usize = 1500;

    fn lossless(profile: Profile) -> Profile {
        Profile {
            loss: 0.0,
            ..profile
        }
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_lone_packet_takes_its_send_time_plus_half_the_round_trip() {
        let mut lane = Lane::new(lossless(SCHOOL_WIFI), 1);
        // 1500 B at 20 Mbit/s: 600 µs.
        assert_eq!(
            lane.admit(ms(100), MTU),
            Fate::Deliver(ms(100) + Duration::from_micros(600) + ms(15))
        );
    }

    #[test]
    fn a_saturated_lane_delivers_exactly_at_its_rate() {
        for profile in [SCHOOL_WIFI, BAD] {
            let profile = lossless(profile);
            let mut lane = Lane::new(profile, 1);
            let packets = 1000;
            let mut last = Duration::ZERO;
            let mut delivered = 0;
            // Offered at twice the rate: the queue fills, some overflow, and
            // what is sent leaves back to back.
            let gap = profile.serialization(MTU) / 2;
            for i in 0..packets {
                if let Fate::Deliver(at) = lane.admit(gap * i, MTU) {
                    delivered += 1;
                    last = at;
                }
            }
            let sending = last - profile.one_way();
            let expected = profile.serialization(MTU * delivered);
            let error = sending.abs_diff(expected);
            assert!(
                error < Duration::from_micros(10),
                "{}: {delivered} packets sent in {sending:?}, {expected:?} at the rate",
                profile.name
            );
            assert!(delivered < packets as usize, "twice the rate overflows");
        }
    }

    #[test]
    fn nothing_arrives_before_its_send_time_and_delay_nor_out_of_order() {
        let mut lane = Lane::new(SCHOOL_WIFI, 7);
        let mut now = Duration::ZERO;
        let mut previous = Duration::ZERO;
        let mut seed = 3u64;
        for i in 0..20_000u64 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            now += Duration::from_micros(seed >> 54); // 0..1 ms apart
            let bytes = 40 + (i as usize * 37) % (MTU - 40);
            if let Fate::Deliver(at) = lane.admit(now, bytes) {
                assert!(at >= now + SCHOOL_WIFI.serialization(bytes) + SCHOOL_WIFI.one_way());
                assert!(at >= previous, "packet {i} overtook the one before");
                previous = at;
            }
        }
    }

    #[test]
    fn a_queue_longer_than_a_round_trip_overflows_then_drains() {
        let profile = lossless(BAD);
        let mut lane = Lane::new(profile, 1);
        // 150 ms of queue at 2 Mbit/s holds 25 packets of 1500 B (6 ms each).
        let fates: Vec<Fate> = (0..40).map(|_| lane.admit(ms(0), MTU)).collect();
        let sent = fates
            .iter()
            .filter(|f| matches!(f, Fate::Deliver(_)))
            .count();
        assert_eq!(sent, 26, "one sending and 25 waiting");
        assert!(fates[26..].iter().all(|f| *f == Fate::Overflow));
        // Once the queue has drained, the next packet goes straight out.
        assert_eq!(
            lane.admit(ms(1000), MTU),
            Fate::Deliver(ms(1000) + ms(6) + ms(75))
        );
    }

    #[test]
    fn the_loss_rate_is_the_profiles_and_repeats_with_the_seed() {
        for profile in [SCHOOL_WIFI, BAD] {
            let losses = |seed| {
                let mut lane = Lane::new(profile, seed);
                (0..100_000u64)
                    .map(|i| lane.admit(ms(i * 10), 100))
                    .filter(|f| *f == Fate::Lost)
                    .count()
            };
            let lost = losses(42);
            let expected = 100_000.0 * profile.loss;
            // Six standard deviations of a binomial either side.
            let sd = (expected * (1.0 - profile.loss)).sqrt();
            assert!(
                (lost as f64 - expected).abs() < 6.0 * sd,
                "{}: {lost} lost, {expected} expected",
                profile.name
            );
            assert_eq!(losses(42), lost, "the same seed loses the same packets");
        }
    }

    #[test]
    fn a_clear_lane_passes_everything_at_once() {
        let mut lane = Lane::new(CLEAR, 1);
        for i in 0..10_000 {
            assert_eq!(lane.admit(ms(5), MTU + i % 7), Fate::Deliver(ms(5)));
        }
    }

    #[test]
    fn profiles_are_found_by_name() {
        assert_eq!(Profile::named("school-wifi"), Some(SCHOOL_WIFI));
        assert_eq!(Profile::named("bad"), Some(BAD));
        assert_eq!(Profile::named("clear"), Some(CLEAR));
        assert_eq!(Profile::named("dial-up"), None);
    }
}
