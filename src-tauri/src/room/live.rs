//! What a room passes on live and never stores: cursors, views and laser
//! trails (coalesced per sender in each receiver's [`Outbox`]), the host's
//! "follow me" ([`Room::present`]), and the pace a laser pointer is held to.

use std::sync::Arc;
use std::time::Instant;

use super::outbox::Live;
use super::{Conn, Room};
use crate::protocol::limits::{LASER_BURST, MAX_LASER_MESSAGES_PER_SEC};
use crate::protocol::payloads::Present;
use crate::protocol::{frame, ServerMessage};

impl Room {
    /// Sends a live frame to every other member, replacing the sender's
    /// previous one of the same kind where it is not sent yet.
    pub(super) fn relay_latest(
        &self,
        conn: &Conn,
        user_id: &Arc<str>,
        kind: Live,
        message: &ServerMessage<'_>,
    ) {
        let f = frame(message);
        let state = self.lock();
        for other in state.audience().filter(|c| c.id != conn.id) {
            other.outbox.push_latest(user_id, kind, f.clone());
        }
    }

    /// Asks everyone in the room (watchers too) to follow `user_id`'s view
    /// (`PRESENT`), the presenter included (its page says so). False when nobody by
    /// that id is seated here.
    pub fn present(&self, user_id: &str) -> bool {
        let state = self.lock();
        if state.seats.find(user_id).is_none() {
            return false;
        }
        let f = frame(&ServerMessage::Present(Present { user_id }));
        for conn in state.audience() {
            conn.outbox.push(f.clone());
        }
        true
    }
}

/// Holds one connection's `LASER` messages to [`MAX_LASER_MESSAGES_PER_SEC`]
/// with a burst of [`LASER_BURST`]; what is over is dropped without an
/// answer (a trail that fades in a second loses a stretch, nothing else).
#[derive(Debug)]
pub struct LaserPace {
    tokens: f64,
    last: Instant,
}

impl Default for LaserPace {
    fn default() -> Self {
        LaserPace {
            tokens: f64::from(LASER_BURST),
            last: Instant::now(),
        }
    }
}

impl LaserPace {
    /// Whether a laser message arriving at `now` may be relayed.
    pub fn allow(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * f64::from(MAX_LASER_MESSAGES_PER_SEC))
            .min(f64::from(LASER_BURST));
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_laser_pace_allows_a_burst_then_its_rate() {
        let mut pace = LaserPace::default();
        let start = Instant::now();
        for _ in 0..LASER_BURST {
            assert!(pace.allow(start));
        }
        assert!(!pace.allow(start), "past the burst");
        // A little over one message's worth of time later, exactly one more.
        let later =
            start + Duration::from_secs(1) / MAX_LASER_MESSAGES_PER_SEC + Duration::from_millis(1);
        assert!(pace.allow(later));
        assert!(!pace.allow(later));
        // A second of quiet refills the burst, not more.
        let quiet = later + Duration::from_secs(1);
        let allowed = (0..LASER_BURST * 2).filter(|_| pace.allow(quiet)).count();
        assert_eq!(allowed, LASER_BURST as usize);
    }
}
