//! A group's table of live leases, indexed by lease sequence. Sequences are handed out one after
//! another, so lease `s` goes to slot `s mod capacity` of a ring, one cache line per slot: taking
//! and ending a lease writes that slot and a count, never hash control bytes or a probe chain.
//! A lease whose slot is still held by an older live lease (a long call, or one never released)
//! goes to a small hash map instead, or the ring doubles first when it is at least half full, so
//! the ring stays at most about twice the number of live leases.

use rustc_hash::FxHashMap;

use super::lines::prefetch_write;
use super::router::LEASE_SCALE;

/// Slots of a new table.
const FIRST_CAPACITY: usize = 64;

/// What a lease remembers: the deployment (index in the group), when it started, and the tokens
/// it counted up front.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Lease {
    pub(crate) local: u32,
    pub(crate) start_ms: f64,
    pub(crate) estimated_tokens: f64,
}

/// One slot of the ring, alone on its cache line; `number` 0 marks it free (sequences start at 1).
#[derive(Clone, Copy, Debug)]
#[repr(C, align(64))]
struct Slot {
    number: u64,
    lease: Lease,
}

const FREE: Slot = Slot {
    number: 0,
    lease: Lease {
        local: 0,
        start_ms: 0.0,
        estimated_tokens: 0.0,
    },
};

/// The sequence a lease number carries (`sequence * LEASE_SCALE + deployment`).
fn sequence_of(number: u64) -> usize {
    (number / LEASE_SCALE as u64) as usize
}

/// Live leases by lease number. The fields an insert or a removal writes come first.
#[derive(Debug)]
#[repr(C)]
pub(crate) struct LeaseTable {
    /// Leases held in the ring.
    live: usize,
    ring: Box<[Slot]>,
    /// Leases whose ring slot was taken when they started.
    overflow: FxHashMap<u64, Lease>,
}

impl LeaseTable {
    pub(crate) fn new() -> Self {
        Self {
            live: 0,
            ring: vec![FREE; FIRST_CAPACITY].into_boxed_slice(),
            overflow: FxHashMap::default(),
        }
    }

    fn slot_of(&self, number: u64) -> usize {
        sequence_of(number) & (self.ring.len() - 1)
    }

    /// Starts fetching the slot of lease `number` (see [`prefetch_write`]).
    #[inline(always)]
    pub(crate) fn prefetch(&self, number: u64) {
        prefetch_write(&self.ring[self.slot_of(number)]);
    }

    /// Stores lease `number` (not already live; its sequence above 0).
    pub(crate) fn insert(&mut self, number: u64, lease: Lease) {
        let mut slot = self.slot_of(number);
        if self.ring[slot].number != 0 && self.live * 2 >= self.ring.len() {
            self.grow();
            slot = self.slot_of(number);
        }
        if self.ring[slot].number == 0 {
            self.ring[slot] = Slot { number, lease };
            self.live += 1;
        } else {
            self.overflow.insert(number, lease);
        }
    }

    /// Takes lease `number` out; `None` when it is not live.
    pub(crate) fn remove(&mut self, number: u64) -> Option<Lease> {
        let slot = self.slot_of(number);
        let entry = &mut self.ring[slot];
        if entry.number == number && number != 0 {
            entry.number = 0;
            self.live -= 1;
            return Some(entry.lease);
        }
        if self.overflow.is_empty() {
            None
        } else {
            self.overflow.remove(&number)
        }
    }

    /// Keeps the leases for which `keep` answers true (each asked once).
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&Lease) -> bool) {
        for entry in self.ring.iter_mut().filter(|entry| entry.number != 0) {
            if !keep(&entry.lease) {
                entry.number = 0;
                self.live -= 1;
            }
        }
        self.overflow.retain(|_, lease| keep(lease));
    }

    /// Live leases, ring and overflow.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.live + self.overflow.len()
    }

    /// Doubles the ring and moves its leases, then the overflow's, to their new slots (a lease
    /// whose new slot is taken stays in, or goes to, the overflow).
    fn grow(&mut self) {
        let doubled = vec![FREE; self.ring.len() * 2].into_boxed_slice();
        let old = std::mem::replace(&mut self.ring, doubled);
        self.live = 0;
        let moved = old
            .iter()
            .filter(|entry| entry.number != 0)
            .map(|entry| (entry.number, entry.lease));
        let waiting: Vec<(u64, Lease)> = moved.chain(self.overflow.drain()).collect();
        for (number, lease) in waiting {
            let slot = self.slot_of(number);
            if self.ring[slot].number == 0 {
                self.ring[slot] = Slot { number, lease };
                self.live += 1;
            } else {
                self.overflow.insert(number, lease);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(sequence: u64, deployment: u64) -> u64 {
        sequence * LEASE_SCALE as u64 + deployment
    }

    fn lease(local: u32) -> Lease {
        Lease {
            local,
            start_ms: f64::from(local) * 10.0,
            estimated_tokens: 1.0,
        }
    }

    #[test]
    fn a_lease_comes_out_once_and_only_under_its_own_number() {
        let mut table = LeaseTable::new();
        table.insert(number(1, 7), lease(1));
        assert_eq!(table.remove(number(1, 6)), None);
        assert_eq!(table.remove(number(1 + 64, 7)), None);
        assert_eq!(table.remove(number(1, 7)), Some(lease(1)));
        assert_eq!(table.remove(number(1, 7)), None);
        assert_eq!(table.remove(0), None);
    }

    #[test]
    fn a_long_lease_sends_a_colliding_one_to_the_overflow_and_the_ring_grows_when_half_full() {
        let mut table = LeaseTable::new();
        table.insert(number(1, 0), lease(1));
        // Sequence 65 lands on the slot of the live lease 1; the ring is far from half full.
        table.insert(number(65, 0), lease(65));
        assert_eq!(
            (table.live, table.overflow.len(), table.ring.len()),
            (1, 1, 64)
        );
        for sequence in 2..=40 {
            table.insert(number(sequence, 3), lease(sequence as u32));
        }
        // Sequence 66 collides with the live lease 2 while 40 of 64 slots are held: the ring
        // doubles, and lease 65 moves from the overflow to its new slot.
        table.insert(number(66, 3), lease(66));
        assert_eq!(
            (table.ring.len(), table.overflow.len(), table.len()),
            (128, 0, 42)
        );
        for sequence in (1..=40).chain([65, 66]) {
            let deployment = if sequence == 1 || sequence == 65 {
                0
            } else {
                3
            };
            assert_eq!(
                table.remove(number(sequence, deployment)),
                Some(lease(sequence as u32))
            );
        }
        assert_eq!(table.len(), 0);
    }

    #[test]
    fn retain_ends_the_refused_leases_in_the_ring_and_the_overflow() {
        let mut table = LeaseTable::new();
        for sequence in [1, 2, 65, 66] {
            table.insert(number(sequence, 1), lease(sequence as u32));
        }
        assert_eq!(table.overflow.len(), 2);
        table.retain(|lease| lease.local % 2 == 0);
        assert_eq!(table.len(), 2);
        assert_eq!(table.remove(number(1, 1)), None);
        assert_eq!(table.remove(number(65, 1)), None);
        assert_eq!(table.remove(number(66, 1)), Some(lease(66)));
        assert_eq!(table.remove(number(2, 1)), Some(lease(2)));
    }
}
