//! Who sits where in a room.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{json, Value};

use super::outbox::Outbox;
use crate::protocol::Seat;

/// Departed users whose seat is kept for them; past this the oldest
/// reservations are forgotten.
const MAX_SEAT_RESERVATIONS: usize = 64;

/// One connection's identity and outbound queue.
#[derive(Debug, Clone)]
pub struct Conn {
    pub id: u64,
    pub outbox: Arc<Outbox>,
}

#[derive(Debug)]
pub struct Member {
    pub user_id: Arc<str>,
    pub username: String,
    pub seat: Seat,
    pub conn: Conn,
}

impl Member {
    /// The `USER_JOINED` payload describing this member.
    pub fn describe(&self) -> Value {
        json!({
            "id": &*self.user_id,
            "name": self.username,
            "position": self.seat.as_str(),
            "isActive": true,
            "color": self.seat.color(),
        })
    }
}

/// The four seats, and the seat each recently departed user last had, so
/// that a reconnect (same `userId`) takes back the same corner and colour.
#[derive(Debug, Default)]
pub struct Seats {
    seats: [Option<Member>; 4],
    reserved: HashMap<Arc<str>, (Seat, u64)>,
    departures: u64,
}

impl Seats {
    pub fn members(&self) -> impl Iterator<Item = &Member> {
        self.seats.iter().flatten()
    }

    pub fn count(&self) -> usize {
        self.members().count()
    }

    pub fn find(&self, user_id: &str) -> Option<&Member> {
        self.members().find(|m| &*m.user_id == user_id)
    }

    /// The seat for `user_id`: its own if it is seated or reserved and free,
    /// else the requested one if free, else the first free one that nobody
    /// reserved, else any free one.
    pub fn choose(&self, user_id: &str, requested: Option<Seat>) -> Option<Seat> {
        if let Some(member) = self.find(user_id) {
            return Some(member.seat);
        }
        let free = |seat: Seat| self.seats[seat.index()].is_none();
        if let Some((seat, _)) = self.reserved.get(user_id) {
            if free(*seat) {
                return Some(*seat);
            }
        }
        if let Some(seat) = requested.filter(|s| free(*s)) {
            return Some(seat);
        }
        let reserved_by_other = |seat: Seat| self.reserved.values().any(|(s, _)| *s == seat);
        Seat::ALL
            .into_iter()
            .find(|s| free(*s) && !reserved_by_other(*s))
            .or_else(|| Seat::ALL.into_iter().find(|s| free(*s)))
    }

    /// Seats `member`, returning whoever held that seat before (a previous
    /// connection of the same user).
    pub fn seat(&mut self, member: Member) -> Option<Member> {
        self.reserved.remove(&member.user_id);
        let index = member.seat.index();
        self.seats[index].replace(member)
    }

    /// Frees the seat of `user_id` if `conn_id` still holds it.
    pub fn vacate(&mut self, user_id: &str, conn_id: u64) -> Option<Member> {
        let slot = self.seats.iter_mut().find(|s| {
            s.as_ref()
                .is_some_and(|m| m.conn.id == conn_id && &*m.user_id == user_id)
        })?;
        let member = slot.take()?;
        self.departures += 1;
        self.reserved
            .insert(member.user_id.clone(), (member.seat, self.departures));
        if self.reserved.len() > MAX_SEAT_RESERVATIONS {
            let oldest = self
                .reserved
                .iter()
                .min_by_key(|(_, (_, at))| *at)
                .map(|(id, _)| id.clone());
            if let Some(id) = oldest {
                self.reserved.remove(&id);
            }
        }
        Some(member)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(user: &str, seat: Seat, conn: u64) -> Member {
        Member {
            user_id: user.into(),
            username: user.into(),
            seat,
            conn: Conn {
                id: conn,
                outbox: Arc::new(Outbox::new()),
            },
        }
    }

    #[test]
    fn a_requested_free_seat_is_granted() {
        let seats = Seats::default();
        assert_eq!(
            seats.choose("a", Some(Seat::BottomRight)),
            Some(Seat::BottomRight)
        );
    }

    #[test]
    fn a_taken_seat_falls_back_to_the_first_free_one() {
        let mut seats = Seats::default();
        seats.seat(member("a", Seat::TopLeft, 1));
        assert_eq!(seats.choose("b", Some(Seat::TopLeft)), Some(Seat::TopRight));
    }

    #[test]
    fn a_departed_user_gets_its_seat_back() {
        let mut seats = Seats::default();
        seats.seat(member("a", Seat::TopLeft, 1));
        seats.seat(member("b", Seat::TopRight, 2));
        seats.vacate("a", 1);
        // A newcomer does not take the seat kept for "a" while another is free.
        assert_eq!(seats.choose("c", None), Some(Seat::BottomLeft));
        assert_eq!(
            seats.choose("a", Some(Seat::BottomRight)),
            Some(Seat::TopLeft)
        );
    }

    #[test]
    fn a_fifth_user_finds_no_seat() {
        let mut seats = Seats::default();
        for (i, seat) in Seat::ALL.into_iter().enumerate() {
            seats.seat(member(&format!("u{i}"), seat, i as u64));
        }
        assert_eq!(seats.choose("e", None), None);
        assert_eq!(seats.choose("u2", None), Some(Seat::BottomLeft));
    }

    #[test]
    fn an_old_connection_does_not_vacate_a_new_one() {
        let mut seats = Seats::default();
        seats.seat(member("a", Seat::TopLeft, 1));
        seats.seat(member("a", Seat::TopLeft, 2));
        assert!(seats.vacate("a", 1).is_none());
        assert_eq!(seats.count(), 1);
    }
}
