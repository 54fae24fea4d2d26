//! One limiter: its spec and the state of all its keys behind one lock.

use std::sync::{Mutex, MutexGuard};

use super::keys::{KeyHandle, KeyTable};
use super::leases::{LeaseHandle, LeaseTable};
use super::spec::{LimiterSpec, Measure, Rule};
use super::window;

/// A limiter: every key obeys every rule of its spec. Shared by all threads of a process.
pub struct Limiter {
    pub(crate) id: u32,
    pub(crate) spec: LimiterSpec,
    pub(crate) state: Mutex<State>,
}

/// Counters since the limiter was built.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LimiterStats {
    pub keys: usize,
    pub leases: usize,
    pub admitted: u64,
    pub refused: u64,
    pub evicted: u64,
    pub leases_expired: u64,
    pub approximate_bytes: usize,
}

pub(crate) struct State {
    pub(crate) keys: KeyTable,
    pub(crate) leases: LeaseTable,
    pub(crate) stats: LimiterStats,
    pub(crate) closed: bool,
}

impl Limiter {
    pub(crate) fn new(id: u32, spec: LimiterSpec) -> Limiter {
        let keys = KeyTable::new(&spec);
        let state = State {
            keys,
            leases: LeaseTable::default(),
            stats: LimiterStats::default(),
            closed: false,
        };
        Limiter {
            id,
            spec,
            state: Mutex::new(state),
        }
    }

    /// The limiter's process-wide id.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The rules this limiter enforces.
    pub fn spec(&self) -> &LimiterSpec {
        &self.spec
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves counters consistent (every write is one store),
        // so a poisoned lock is taken over rather than failing every later call.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Resolves `name` to a handle, once; later calls pass the handle. Cost: one hash lookup.
    pub fn key(&self, name: &str, now_ms: f64) -> KeyHandle {
        let mut state = self.lock();
        let State { keys, stats, .. } = &mut *state;
        let (handle, evicted) = keys.resolve(&self.spec, name, now_ms);
        stats.evicted += evicted as u64;
        handle
    }

    /// Frees the in-flight slot of `lease`; false when it was already released or expired.
    pub fn release(&self, lease: LeaseHandle) -> bool {
        let mut state = self.lock();
        let State { keys, leases, .. } = &mut *state;
        let Some((key, requests)) = leases.close(lease) else {
            return false;
        };
        if let Some(index) = keys.index_of(key) {
            let row = &mut keys.rows[index];
            row.in_flight = row.in_flight.saturating_sub(requests);
        }
        true
    }

    /// Replaces the token estimate taken at `at_ms` by the real usage: a negative `delta_tokens`
    /// is given back to the slot it was taken from, a positive one is charged now. False when the
    /// key was evicted since (nothing left to refund; the caller charges a fresh handle).
    pub fn settle(&self, key: KeyHandle, at_ms: f64, delta_tokens: f64, now_ms: f64) -> bool {
        let mut state = self.lock();
        let Some(index) = state.keys.index_of(key) else {
            return false;
        };
        let keys = &mut state.keys;
        let now_ms = now_ms.max(keys.rows[index].last_ms);
        let (windows, buckets) = (keys.windows(), keys.buckets());
        let (mut window_at, mut bucket_at) = (index * windows, index * buckets);
        for rule in &self.spec.rules {
            match *rule {
                Rule::Window {
                    measure, period_ms, ..
                } => {
                    let slot = window::slot_ms(period_ms);
                    let ring =
                        &mut keys.rings[window_at * window::RING..(window_at + 1) * window::RING];
                    let head = &mut keys.heads[window_at];
                    window::advance(ring, head, now_ms, slot);
                    if measure == Measure::Tokens && delta_tokens < 0.0 {
                        window::refund(ring, *head, (-delta_tokens) as u64, at_ms, slot);
                    } else if measure == Measure::Tokens && delta_tokens > 0.0 {
                        window::add(ring, *head, delta_tokens as u64);
                    }
                    window_at += 1;
                }
                Rule::Bucket {
                    measure,
                    capacity,
                    refill_per_ms,
                } => {
                    let level = &mut keys.levels[bucket_at];
                    let refilled_at = &mut keys.refilled_at[bucket_at];
                    *level = (*level + (now_ms - *refilled_at) * refill_per_ms).min(capacity);
                    *refilled_at = now_ms;
                    if measure == Measure::Tokens {
                        *level = (*level - delta_tokens).min(capacity);
                    }
                    bucket_at += 1;
                }
                Rule::InFlight { .. } => {}
            }
        }
        if delta_tokens > 0.0 {
            keys.rows[index].last_ms = now_ms;
        }
        true
    }

    /// Evicts every idle key (its state equal to a fresh key's); returns how many.
    pub fn evict_idle(&self, now_ms: f64) -> usize {
        let mut state = self.lock();
        let State { keys, stats, .. } = &mut *state;
        let total = keys.rows.len();
        let evicted = keys.sweep(&self.spec, now_ms, total);
        stats.evicted += evicted as u64;
        evicted
    }

    /// Current counters.
    pub fn stats(&self) -> LimiterStats {
        let state = self.lock();
        LimiterStats {
            keys: state.keys.live,
            leases: state.leases.live,
            approximate_bytes: state.keys.approximate_bytes(),
            ..state.stats
        }
    }

    /// Forgets every key and lease; later calls see fresh keys. Used when a limiter is closed.
    pub fn clear(&self) {
        let mut state = self.lock();
        state.keys = KeyTable::new(&self.spec);
        state.leases = LeaseTable::default();
        state.closed = true;
    }
}
