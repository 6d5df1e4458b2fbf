//! A bounded window of recently seen event ids, to drop duplicates.

use std::collections::{HashSet, VecDeque};

use uuid::Uuid;

/// Remembers the last `capacity` event ids.
pub(crate) struct DedupWindow {
    seen: HashSet<Uuid>,
    order: VecDeque<Uuid>,
    capacity: usize,
}

impl DedupWindow {
    pub(crate) fn new(capacity: usize) -> Self {
        DedupWindow {
            seen: HashSet::new(),
            order: VecDeque::new(),
            capacity,
        }
    }

    /// Records `id`; `false` if it is already in the window (a duplicate).
    /// A capacity of 0 disables the window.
    pub(crate) fn insert(&mut self, id: Uuid) -> bool {
        if self.capacity == 0 {
            return true;
        }
        if !self.seen.insert(id) {
            return false;
        }
        self.order.push_back(id);
        if self.order.len() > self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        true
    }
}

impl DedupWindow {
    /// Forgets `id` (its place in the eviction order stays until it comes up).
    pub(crate) fn remove(&mut self, id: Uuid) {
        self.seen.remove(&id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forgets_the_oldest_beyond_capacity() {
        let ids: Vec<Uuid> = (0..3).map(|_| Uuid::new_v4()).collect();
        let mut w = DedupWindow::new(2);
        assert!(w.insert(ids[0]));
        assert!(w.insert(ids[1]));
        assert!(!w.insert(ids[1]));
        assert!(w.insert(ids[2]));
        assert!(w.insert(ids[0]), "evicted ids are accepted again");
        assert!(!w.insert(ids[2]));
    }
}
