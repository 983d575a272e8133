//! Users the host removed: their `userId` may not join that room again
//! while the host runs.
//!
//! Kept in memory only, for the session: a restart forgets them (the join
//! code, which the host can rotate, is what keeps a removed person out for
//! good). The list outlives a room being unloaded from memory.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};

/// Removed users remembered at once; past it the oldest are forgotten.
pub const MAX_REVOKED_USERS: usize = 1_024;

/// The removed `(room, userId)` pairs. Cheap to clone.
#[derive(Clone, Default)]
pub struct Revoked {
    inner: Arc<Mutex<List>>,
}

#[derive(Default)]
struct List {
    set: HashSet<(Arc<str>, Arc<str>)>,
    order: VecDeque<(Arc<str>, Arc<str>)>,
}

impl Revoked {
    /// Refuses `user` in `room` from now on.
    pub fn revoke(&self, room: &str, user: &str) {
        let key: (Arc<str>, Arc<str>) = (room.into(), user.into());
        let mut list = self.inner.lock().expect("revoked lock");
        if !list.set.insert(key.clone()) {
            return;
        }
        list.order.push_back(key);
        if list.order.len() > MAX_REVOKED_USERS {
            if let Some(oldest) = list.order.pop_front() {
                list.set.remove(&oldest);
            }
        }
    }

    pub fn contains(&self, room: &str, user: &str) -> bool {
        let list = self.inner.lock().expect("revoked lock");
        list.set.contains(&(Arc::from(room), Arc::from(user)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_removed_user_is_refused_in_that_room_only() {
        let revoked = Revoked::default();
        revoked.revoke("art", "ann");
        assert!(revoked.contains("art", "ann"));
        assert!(!revoked.contains("main", "ann"));
        assert!(!revoked.contains("art", "bob"));
    }

    #[test]
    fn the_list_keeps_the_newest_at_its_limit() {
        let revoked = Revoked::default();
        for i in 0..MAX_REVOKED_USERS {
            revoked.revoke("r", &format!("u{i}"));
        }
        assert!(revoked.contains("r", "u0"), "at the limit all are kept");
        revoked.revoke("r", "u0");
        assert!(revoked.contains("r", "u0"), "a repeat is not a new entry");
        revoked.revoke("r", "past");
        assert!(!revoked.contains("r", "u0"), "past it the oldest goes");
        assert!(revoked.contains("r", "u1"));
        assert!(revoked.contains("r", "past"));
    }
}
