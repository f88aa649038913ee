//! The client's de-duplication window (SEMANTICS-messaging §6.2): the last `dedup_window`
//! surfaced message ids, FIFO eviction, a hit does not refresh, 0 disables. A delivery whose id
//! is in the window is acknowledged and not surfaced; every delivery is acknowledged.

use std::collections::{HashSet, VecDeque};

/// The default window size.
pub const DEFAULT_DEDUP_WINDOW: usize = 10_000;

/// A FIFO window of surfaced ids.
#[derive(Clone, Debug, Default)]
pub struct DedupWindow {
    capacity: usize,
    order: VecDeque<String>,
    seen: HashSet<String>,
}

impl DedupWindow {
    /// A window of `capacity` ids (0 disables de-duplication).
    pub fn new(capacity: usize) -> DedupWindow {
        DedupWindow {
            capacity,
            order: VecDeque::new(),
            seen: HashSet::new(),
        }
    }

    /// Observes a delivery: true iff it is to be surfaced (its id is then remembered).
    pub fn observe(&mut self, message_id: &str) -> bool {
        if self.capacity == 0 {
            return true;
        }
        if self.seen.contains(message_id) {
            return false;
        }
        if self.order.len() == self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        self.order.push_back(message_id.to_string());
        self.seen.insert(message_id.to_string());
        true
    }

    /// Ids currently remembered.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// True iff nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}
