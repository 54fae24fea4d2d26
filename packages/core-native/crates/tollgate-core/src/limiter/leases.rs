//! In-flight leases of one limiter: who holds a slot, and when it expires if never released.

use super::keys::{pack, unpack, KeyHandle};
use super::shards::{global_index, local_index};

/// A lease as JS holds it: slot index low, generation high (same packing as keys).
pub type LeaseHandle = u64;

struct LeaseRow {
    key: KeyHandle,
    requests: u32,
    expires_at_ms: f64,
    generation: u32,
    live: bool,
}

/// Leases in a slab; expiry is checked when the earliest one is due, so an idle limiter costs
/// nothing and a busy one scans only when something actually expires.
pub(crate) struct LeaseTable {
    shard: u32,
    rows: Vec<LeaseRow>,
    free: Vec<u32>,
    next_expiry_ms: f64,
    pub(crate) live: usize,
}

impl LeaseTable {
    pub(crate) fn new(shard: u32) -> LeaseTable {
        LeaseTable {
            shard,
            rows: Vec::new(),
            free: Vec::new(),
            next_expiry_ms: 0.0,
            live: 0,
        }
    }

    pub(crate) fn open(
        &mut self,
        key: KeyHandle,
        requests: u32,
        expires_at_ms: f64,
    ) -> LeaseHandle {
        let row = LeaseRow {
            key,
            requests,
            expires_at_ms,
            generation: 0,
            live: true,
        };
        let index = match self.free.pop() {
            Some(index) => {
                let slot = &mut self.rows[index as usize];
                let generation = (slot.generation + 1) & ((1 << 20) - 1);
                *slot = LeaseRow { generation, ..row };
                index
            }
            None => {
                self.rows.push(row);
                (self.rows.len() - 1) as u32
            }
        };
        if self.live == 0 || expires_at_ms < self.next_expiry_ms {
            self.next_expiry_ms = expires_at_ms;
        }
        self.live += 1;
        pack(
            global_index(index, self.shard),
            self.rows[index as usize].generation,
        )
    }

    /// Closes `lease`; returns its key and request count, or `None` if it was already closed.
    pub(crate) fn close(&mut self, lease: LeaseHandle) -> Option<(KeyHandle, u32)> {
        let (index, generation) = unpack(lease);
        let index = local_index(index, self.shard)?;
        let row = self.rows.get_mut(index as usize)?;
        if !row.live || row.generation != generation {
            return None;
        }
        row.live = false;
        self.free.push(index);
        self.live -= 1;
        Some((row.key, row.requests))
    }

    /// Closes every lease due at `now_ms` and hands each to `expire`; returns how many.
    pub(crate) fn expire_due(
        &mut self,
        now_ms: f64,
        mut expire: impl FnMut(KeyHandle, u32),
    ) -> usize {
        if self.live == 0 || now_ms < self.next_expiry_ms {
            return 0;
        }
        let mut expired = 0;
        let mut next = f64::INFINITY;
        for (index, row) in self.rows.iter_mut().enumerate() {
            if !row.live {
                continue;
            }
            if row.expires_at_ms <= now_ms {
                row.live = false;
                self.free.push(index as u32);
                expire(row.key, row.requests);
                expired += 1;
            } else {
                next = next.min(row.expires_at_ms);
            }
        }
        self.live -= expired;
        self.next_expiry_ms = next;
        expired
    }

    /// The earliest expiry among the live leases of `key`.
    pub(crate) fn earliest_expiry_of(&self, key: KeyHandle) -> f64 {
        let live = self.rows.iter().filter(|row| row.live && row.key == key);
        live.map(|row| row.expires_at_ms)
            .fold(f64::INFINITY, f64::min)
    }
}
