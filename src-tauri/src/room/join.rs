//! Taking and leaving a seat: the seat secret, the existing client's
//! secret-less reconnect, and the welcome a new member gets.

use super::*;

impl Room {
    /// A join from this machine by a client that knows no seat secrets
    /// (the existing client's way; tests).
    pub fn join(
        &self,
        conn: &Conn,
        user_id: &str,
        username: String,
        requested: Option<Seat>,
    ) -> Result<Option<Joined>, ProtocolError> {
        let claim = Claim {
            user_id,
            username,
            position: requested,
            secret: None,
            peer: Ipv4Addr::LOCALHOST.into(),
            patient: false,
        };
        Ok(match self.claim(conn, claim)? {
            Claimed::Joined(joined) => Some(joined),
            Claimed::Retired | Claimed::Busy => None,
        })
    }

    /// Seats the user: `WELCOME` to it, `USER_JOINED` for it to everyone, and
    /// one `USER_JOINED` per other member to it. A `userId` that is someone
    /// else's (seated or kept, and not proven) is seated under a new id.
    pub fn claim(&self, conn: &Conn, claim: Claim<'_>) -> Result<Claimed, ProtocolError> {
        self.refuse_removed(claim.user_id)?;
        let mut state = self.lock();
        if state.retired {
            return Ok(Claimed::Retired);
        }
        let asker = Asker {
            user_id: claim.user_id,
            secret: claim.secret,
            peer: claim.peer,
            conn_id: conn.id,
        };
        let mut identity = state.seats.identify(asker, Instant::now());
        if identity == Identity::Busy {
            if claim.patient {
                return Ok(Claimed::Busy);
            }
            identity = Identity::Impostor;
        }
        let (user_id, secret, bound, seat): (Arc<str>, Arc<str>, bool, _) = match identity {
            Identity::Owner { secret, bound } => (
                claim.user_id.into(),
                secret,
                bound,
                state.seats.choose(claim.user_id, claim.position),
            ),
            Identity::Newcomer => (
                claim.user_id.into(),
                crate::auth::random_secret().into(),
                claim.secret.is_some(),
                state.seats.choose(claim.user_id, claim.position),
            ),
            Identity::Impostor | Identity::Busy => {
                tracing::info!(room = %self.name, "a join with someone else's user id was given a new id");
                (
                    format!("u-{}", crate::auth::random_secret()).into(),
                    crate::auth::random_secret().into(),
                    claim.secret.is_some(),
                    state.seats.choose_unreserved(),
                )
            }
        };
        let seat = seat.ok_or_else(|| {
            ProtocolError::new(
                ErrorCode::RoomFull,
                "all four seats in this room are taken; try again when someone leaves",
            )
        })?;
        let member = Member {
            user_id,
            username: claim.username,
            seat,
            conn: conn.clone(),
            secret: secret.clone(),
            bound,
            peer: claim.peer,
        };
        let joined_frame = frame(&ServerMessage::UserJoined(member.describe()));
        let user_id = member.user_id.clone();
        let username = member.username.clone();
        let previous = state.seats.seat(member);
        // A watcher that took a seat watches no more.
        state.watchers.retain(|w| w.conn.id != conn.id);
        if let Some(previous) = &previous {
            if previous.conn.id != conn.id {
                previous.conn.outbox.close(CloseReason {
                    code: 4000,
                    reason: "replaced by a newer connection of the same user".into(),
                });
            }
        }
        state.empty_since = None;
        // The seat can only have been held by the same person (proven by
        // its secret) on an older connection: a reconnect, not a second join.
        let fresh = previous.is_none();
        if fresh {
            self.mark_seat(
                &mut state,
                crate::store::history::EntryKind::Join,
                &user_id,
                &username,
                seat,
            );
        }
        self.seats_changed(fresh.then(|| SeatEvent {
            room: self.name.clone(),
            username,
            seat,
            change: SeatChange::Joined,
            seated: state.seats.count(),
        }));
        conn.outbox.push(frame(&ServerMessage::Welcome(Welcome {
            user_id: &user_id,
            position: seat,
            color: seat.color(),
            room: &self.name,
            rev: state.doc.rev(),
            users: state.seats.members().map(Member::describe).collect(),
            secret: &secret,
            locked: state.doc.locked(),
        })));
        for other in state.audience() {
            other.outbox.push(joined_frame.clone());
        }
        for m in state.seats.members().filter(|m| m.conn.id != conn.id) {
            conn.outbox
                .push(frame(&ServerMessage::UserJoined(m.describe())));
        }
        Ok(Claimed::Joined(Joined {
            user_id,
            seat,
            secret,
        }))
    }

    /// Refuses a person the host removed from this room.
    pub(super) fn refuse_removed(&self, user_id: &str) -> Result<(), ProtocolError> {
        if self.revoked.contains(&self.name, user_id) {
            return Err(ProtocolError::new(
                ErrorCode::Removed,
                "the host removed you from this session",
            ));
        }
        Ok(())
    }

    /// Frees the seat held by this connection and tells the others.
    pub fn leave(&self, user_id: &str, conn_id: u64) {
        let mut state = self.lock();
        if let Some(member) = state.seats.vacate(user_id, conn_id) {
            if self.revoked.contains(&self.name, user_id) {
                state.seats.forget(user_id);
            }
            let left = frame(&ServerMessage::UserLeft(UserLeft {
                user_id: &member.user_id,
            }));
            for other in state.audience() {
                other.outbox.push(left.clone());
            }
            if state.seats.count() == 0 {
                state.empty_since = Some(Instant::now());
            }
            self.mark_seat(
                &mut state,
                crate::store::history::EntryKind::Leave,
                &member.user_id,
                &member.username,
                member.seat,
            );
            self.seats_changed(Some(SeatEvent {
                room: self.name.clone(),
                username: member.username,
                seat: member.seat,
                change: SeatChange::Left,
                seated: state.seats.count(),
            }));
        }
    }
}
