//! Who comes and goes: a counter for machines, events for people.
//!
//! The LAN announcement only needs to know *that* a seat changed (a
//! [`watch`] counter it re-reads the rooms on); the terminal of a headless
//! host and the desktop window's title want *who* came or went, and how many
//! are seated now ([`SeatEvent`], over a [`broadcast`] channel that anyone
//! may subscribe to and that costs nothing while nobody does).

use std::sync::Arc;

use tokio::sync::{broadcast, watch};

use crate::protocol::Seat;

/// Seat events kept for a slow subscriber before it starts missing some
/// (it is told how many it missed, and can re-read the rooms).
pub const SEAT_EVENT_BACKLOG: usize = 64;

/// Someone took or left a seat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatEvent {
    pub room: Arc<str>,
    /// The name the person gave when joining.
    pub username: String,
    pub seat: Seat,
    pub change: SeatChange,
    /// People seated in the room after the change.
    pub seated: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeatChange {
    Joined,
    Left,
}

/// Where every room reports seat changes. Cheap to clone.
#[derive(Clone)]
pub struct Presence {
    occupancy: watch::Sender<u64>,
    events: broadcast::Sender<SeatEvent>,
}

impl Default for Presence {
    fn default() -> Self {
        Presence {
            occupancy: watch::channel(0).0,
            events: broadcast::channel(SEAT_EVENT_BACKLOG).0,
        }
    }
}

impl Presence {
    /// Bumps the counter and tells the subscribers who came or went. A
    /// reconnect of someone already seated is not reported as a join.
    pub(super) fn report(&self, event: Option<SeatEvent>) {
        self.occupancy.send_modify(|n| *n = n.wrapping_add(1));
        if let Some(event) = event {
            // No subscriber is not an error: nobody is watching.
            let _ = self.events.send(event);
        }
    }

    pub fn occupancy(&self) -> watch::Receiver<u64> {
        self.occupancy.subscribe()
    }

    pub fn events(&self) -> broadcast::Receiver<SeatEvent> {
        self.events.subscribe()
    }
}
