//! The ids of deleted shapes and the revision of each deletion, so that a
//! delta (`REQUEST_SYNC {since}`) can name what went since a revision.
//!
//! Why not one insertion-ordered map: a room keeps up to
//! `MAX_TOMBSTONES_PER_ROOM` (10,000) of them and drops the oldest at every
//! delete past that; removing the first entry of an `IndexMap` shifts every
//! other one, which made each delete on a busy board cost about 10,000
//! moves (the largest single item in a profile of a saturated write run).
//! Here every operation is O(log n).

use std::collections::{BTreeSet, HashMap};

#[derive(Debug, Default)]
pub struct Tombstones {
    by_id: HashMap<String, u64>,
    /// The same tombstones ordered by revision (then id): oldest first.
    by_rev: BTreeSet<(u64, String)>,
}

impl Tombstones {
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Records that `id` was deleted at `rev` (replacing an older record).
    pub fn insert(&mut self, id: String, rev: u64) {
        if let Some(old) = self.by_id.insert(id.clone(), rev) {
            self.by_rev.remove(&(old, id.clone()));
        }
        self.by_rev.insert((rev, id));
    }

    /// Forgets `id` (the shape is back); its revision if it had one.
    pub fn remove(&mut self, id: &str) -> Option<u64> {
        let rev = self.by_id.remove(id)?;
        self.by_rev.remove(&(rev, id.to_string()));
        Some(rev)
    }

    /// Drops the oldest tombstone and returns it.
    pub fn pop_oldest(&mut self) -> Option<(String, u64)> {
        let (rev, id) = self.by_rev.pop_first()?;
        self.by_id.remove(&id);
        Some((id, rev))
    }

    /// Every tombstone, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u64)> {
        self.by_rev.iter().map(|(rev, id)| (id.as_str(), *rev))
    }

    /// The ids deleted after revision `since`, oldest first.
    pub fn since(&self, since: u64) -> Vec<&str> {
        self.by_rev
            .range((since.saturating_add(1), String::new())..)
            .map(|(_, id)| id.as_str())
            .collect()
    }
}

impl Extend<(String, u64)> for Tombstones {
    fn extend<I: IntoIterator<Item = (String, u64)>>(&mut self, iter: I) {
        for (id, rev) in iter {
            self.insert(id, rev);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oldest_goes_first_and_a_deleted_again_id_moves_to_its_new_revision() {
        let mut t = Tombstones::default();
        t.extend([
            ("a".to_string(), 1),
            ("b".to_string(), 2),
            ("c".to_string(), 2),
        ]);
        t.insert("a".into(), 5);
        assert_eq!(t.len(), 3);
        assert_eq!(t.iter().collect::<Vec<_>>(), [("b", 2), ("c", 2), ("a", 5)]);
        assert_eq!(t.since(2), ["a"]);
        assert_eq!(t.since(1), ["b", "c", "a"]);
        assert!(t.since(5).is_empty());
        assert!(t.since(u64::MAX).is_empty());
        assert_eq!(t.pop_oldest(), Some(("b".into(), 2)));
        assert_eq!(t.remove("a"), Some(5));
        assert_eq!(t.remove("a"), None);
        assert_eq!(t.iter().collect::<Vec<_>>(), [("c", 2)]);
        assert_eq!(t.pop_oldest(), Some(("c".into(), 2)));
        assert_eq!(t.pop_oldest(), None);
        assert_eq!(t.len(), 0);
    }
}
