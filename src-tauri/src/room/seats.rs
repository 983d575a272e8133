//! Who sits where in a room, and who a seat belongs to.
//!
//! Every seat has a secret, issued in `WELCOME` to its holder only. Taking
//! over a seated user, or taking back a departed user's seat, needs that
//! secret, so a `userId` copied from `USER_JOINED` is worth nothing. A seat
//! whose holder never sent a `secret` (the existing client knows none) is
//! *unbound*: after a disconnect it may be taken back without the secret,
//! but only from the address that held it and only within
//! [`SECRETLESS_RECLAIM_GRACE`].

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::protocol::payloads::UserJoined;

use super::outbox::Outbox;
use crate::protocol::Seat;

/// Departed users whose seat is kept for them; past this the oldest
/// reservations are forgotten.
const MAX_SEAT_RESERVATIONS: usize = 64;

/// How long after a disconnect an unbound seat (its holder never sent a
/// `secret`) may be taken back without one, from the same address.
pub const SECRETLESS_RECLAIM_GRACE: Duration = Duration::from_secs(60);

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
    /// Proves the seat is this user's (never sent to anyone else).
    pub secret: Arc<str>,
    /// Whether the holder keeps its secret: then nothing else proves it.
    pub bound: bool,
    /// Where the holder connects from.
    pub peer: IpAddr,
}

/// A departed user's seat, kept for their return.
#[derive(Debug)]
struct Reservation {
    seat: Seat,
    /// Departure order, to forget the oldest first.
    order: u64,
    left: Instant,
    secret: Arc<str>,
    bound: bool,
    peer: IpAddr,
}

/// What a `JOIN_ROOM` is, seen from the seats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// Nobody holds or keeps this `userId`: a new seat, a new secret.
    Newcomer,
    /// The holder itself, proven: it keeps its seat and its secret.
    Owner { secret: Arc<str>, bound: bool },
    /// A `userId` that is someone else's: it gets a new one.
    Impostor,
    /// The existing client's seat is still held by a connection from the
    /// same address: most likely its own, closing (a reload). Ask again once
    /// that connection is gone (it then comes back as a departed seat).
    Busy,
}

/// Who asks, as far as the seats can tell.
#[derive(Debug, Clone, Copy)]
pub struct Asker<'a> {
    pub user_id: &'a str,
    pub secret: Option<&'a str>,
    pub peer: IpAddr,
    pub conn_id: u64,
}

impl Member {
    /// The `USER_JOINED` payload describing this member.
    pub fn describe(&self) -> UserJoined<'_> {
        UserJoined::new(&self.user_id, &self.username, self.seat)
    }
}

/// The four seats, and the seat each recently departed user last had, so
/// that a reconnect (same `userId`) takes back the same corner and colour.
#[derive(Debug, Default)]
pub struct Seats {
    seats: [Option<Member>; 4],
    reserved: HashMap<Arc<str>, Reservation>,
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

    /// Whether `asker` may have the seat its `userId` names (see the module doc).
    pub fn identify(&self, asker: Asker<'_>, now: Instant) -> Identity {
        let proves = |secret: &str| {
            asker
                .secret
                .is_some_and(|s| crate::auth::constant_time_eq(s.as_bytes(), secret.as_bytes()))
        };
        if let Some(member) = self.find(asker.user_id) {
            // The same connection joining again is its holder by definition.
            if member.conn.id == asker.conn_id || proves(&member.secret) {
                return Identity::Owner {
                    secret: member.secret.clone(),
                    bound: member.bound || asker.secret.is_some(),
                };
            }
            if !member.bound && asker.secret.is_none() && member.peer == asker.peer {
                return Identity::Busy;
            }
            return Identity::Impostor;
        }
        if let Some(kept) = self.reserved.get(asker.user_id) {
            let unbound_return = !kept.bound
                && asker.secret.is_none()
                && kept.peer == asker.peer
                && now.saturating_duration_since(kept.left) < SECRETLESS_RECLAIM_GRACE;
            if proves(&kept.secret) || unbound_return {
                return Identity::Owner {
                    secret: kept.secret.clone(),
                    bound: kept.bound || asker.secret.is_some(),
                };
            }
            return Identity::Impostor;
        }
        Identity::Newcomer
    }

    /// A free seat nobody keeps: what someone who copied a `userId` gets.
    pub fn choose_unreserved(&self) -> Option<Seat> {
        Seat::ALL.into_iter().find(|s| {
            self.seats[s.index()].is_none() && !self.reserved.values().any(|r| r.seat == *s)
        })
    }

    /// Forgets the seat kept for `user_id` (removed by the host).
    pub fn forget(&mut self, user_id: &str) {
        self.reserved.remove(user_id);
    }

    /// The seat for `user_id`: its own if it is seated or reserved and free,
    /// else the requested one if free, else the first free one that nobody
    /// reserved, else any free one.
    pub fn choose(&self, user_id: &str, requested: Option<Seat>) -> Option<Seat> {
        if let Some(member) = self.find(user_id) {
            return Some(member.seat);
        }
        let free = |seat: Seat| self.seats[seat.index()].is_none();
        if let Some(kept) = self.reserved.get(user_id) {
            if free(kept.seat) {
                return Some(kept.seat);
            }
        }
        if let Some(seat) = requested.filter(|s| free(*s)) {
            return Some(seat);
        }
        let reserved_by_other = |seat: Seat| self.reserved.values().any(|r| r.seat == seat);
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
        self.reserved.insert(
            member.user_id.clone(),
            Reservation {
                seat: member.seat,
                order: self.departures,
                left: Instant::now(),
                secret: member.secret.clone(),
                bound: member.bound,
                peer: member.peer,
            },
        );
        if self.reserved.len() > MAX_SEAT_RESERVATIONS {
            let oldest = self
                .reserved
                .iter()
                .min_by_key(|(_, r)| r.order)
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

    const HERE: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 7));
    const THERE: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 8));

    fn member(user: &str, seat: Seat, conn: u64) -> Member {
        keeping(user, seat, conn, false)
    }

    fn keeping(user: &str, seat: Seat, conn: u64, bound: bool) -> Member {
        Member {
            user_id: user.into(),
            username: user.into(),
            seat,
            conn: Conn {
                id: conn,
                outbox: Arc::new(Outbox::new()),
            },
            secret: format!("secret-of-{user}").into(),
            bound,
            peer: HERE,
        }
    }

    fn asker<'a>(user: &'a str, secret: Option<&'a str>, peer: IpAddr) -> Asker<'a> {
        Asker {
            user_id: user,
            secret,
            peer,
            conn_id: 99,
        }
    }

    fn owner(secret: &str, bound: bool) -> Identity {
        Identity::Owner {
            secret: secret.into(),
            bound,
        }
    }

    #[test]
    fn a_seated_user_is_taken_over_only_with_its_secret() {
        let mut seats = Seats::default();
        seats.seat(member("a", Seat::TopLeft, 1));
        let now = Instant::now();
        assert_eq!(seats.identify(asker("a", None, HERE), now), Identity::Busy);
        assert_eq!(
            seats.identify(asker("a", None, THERE), now),
            Identity::Impostor
        );
        assert_eq!(
            seats.identify(asker("a", Some("guess"), HERE), now),
            Identity::Impostor
        );
        assert_eq!(
            seats.identify(asker("a", Some("secret-of-a"), THERE), now),
            owner("secret-of-a", true)
        );
        // Its own connection joining again needs nothing.
        let same_conn = Asker {
            conn_id: 1,
            ..asker("a", None, HERE)
        };
        assert_eq!(seats.identify(same_conn, now), owner("secret-of-a", false));
        assert_eq!(
            seats.identify(asker("new", None, HERE), now),
            Identity::Newcomer
        );
    }

    #[test]
    fn an_unbound_seat_comes_back_without_a_secret_only_from_its_address_within_the_grace() {
        let mut seats = Seats::default();
        seats.seat(member("a", Seat::TopLeft, 1));
        seats.vacate("a", 1);
        let now = Instant::now();
        assert_eq!(
            seats.identify(asker("a", None, HERE), now),
            owner("secret-of-a", false)
        );
        assert_eq!(
            seats.identify(asker("a", None, THERE), now),
            Identity::Impostor
        );
        let at_grace = now + SECRETLESS_RECLAIM_GRACE;
        assert_eq!(
            seats.identify(asker("a", None, HERE), at_grace),
            Identity::Impostor
        );
        // The secret works at any time, from anywhere.
        assert_eq!(
            seats.identify(asker("a", Some("secret-of-a"), THERE), at_grace),
            owner("secret-of-a", true)
        );
    }

    #[test]
    fn a_bound_seat_comes_back_only_with_its_secret() {
        let mut seats = Seats::default();
        seats.seat(keeping("a", Seat::TopLeft, 1, true));
        seats.vacate("a", 1);
        let now = Instant::now();
        assert_eq!(
            seats.identify(asker("a", None, HERE), now),
            Identity::Impostor
        );
        assert_eq!(
            seats.identify(asker("a", Some(""), HERE), now),
            Identity::Impostor
        );
        assert_eq!(
            seats.identify(asker("a", Some("secret-of-a"), HERE), now),
            owner("secret-of-a", true)
        );
        // An impostor gets a seat nobody keeps, or none.
        assert_eq!(seats.choose_unreserved(), Some(Seat::TopRight));
        for (i, seat) in [Seat::TopRight, Seat::BottomLeft, Seat::BottomRight]
            .into_iter()
            .enumerate()
        {
            seats.seat(member(&format!("u{i}"), seat, 10 + i as u64));
        }
        assert_eq!(seats.choose_unreserved(), None);
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
