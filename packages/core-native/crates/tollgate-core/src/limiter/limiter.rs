//! One limiter: its spec, and the state of its keys in [`SHARDS`] shards, each behind its own
//! lock on its own cache lines.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use super::keys::{KeyHandle, KeyTable};
use super::leases::{LeaseHandle, LeaseTable};
use super::shards::{shard_of_handle, shard_of_name, SHARDS};
use super::spec::{LimiterSpec, Measure, Rule};
use super::window;

/// A limiter: every key obeys every rule of its spec. Shared by all threads of a process.
pub struct Limiter {
    pub(crate) id: u32,
    pub(crate) spec: LimiterSpec,
    /// Set once, by [`Limiter::clear`]; read under a shard's lock by every attempt.
    closed: AtomicBool,
    shards: Box<[Shard]>,
}

/// One shard's lock, alone on its cache lines (two, for CPUs that fetch lines in pairs).
#[repr(align(128))]
struct Shard(Mutex<State>);

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

/// The keys, leases and counters of one shard.
pub(crate) struct State {
    pub(crate) keys: KeyTable,
    pub(crate) leases: LeaseTable,
    pub(crate) stats: LimiterStats,
}

impl State {
    fn new(spec: &LimiterSpec, shard: usize) -> State {
        State {
            keys: KeyTable::new(spec, shard as u32),
            leases: LeaseTable::new(shard as u32),
            stats: LimiterStats::default(),
        }
    }
}

impl Limiter {
    pub(crate) fn new(id: u32, spec: LimiterSpec) -> Limiter {
        let shards = (0..SHARDS)
            .map(|shard| Shard(Mutex::new(State::new(&spec, shard))))
            .collect();
        Limiter {
            id,
            spec,
            closed: AtomicBool::new(false),
            shards,
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

    /// True once [`Limiter::clear`] ran; callers check it while holding a shard's lock.
    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Locks shard `shard`.
    pub(crate) fn lock(&self, shard: usize) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves counters consistent (every write is one store),
        // so a poisoned lock is taken over rather than failing every later call.
        self.shards[shard]
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Locks the shard of a key or lease handle.
    pub(crate) fn lock_handle(&self, handle: u64) -> MutexGuard<'_, State> {
        self.lock(shard_of_handle(handle))
    }

    /// Resolves `name` to a handle, once; later calls pass the handle. Cost: one hash lookup.
    pub fn key(&self, name: &str, now_ms: f64) -> KeyHandle {
        let mut state = self.lock(shard_of_name(name));
        let State { keys, stats, .. } = &mut *state;
        let (handle, evicted) = keys.resolve(&self.spec, name, now_ms);
        stats.evicted += evicted as u64;
        handle
    }

    /// Frees the in-flight slot of `lease`; false when it was already released or expired.
    pub fn release(&self, lease: LeaseHandle) -> bool {
        let mut state = self.lock_handle(lease);
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
        let mut state = self.lock_handle(key);
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
                    let level = keys.refill_bucket(bucket_at, now_ms, refill_per_ms, capacity);
                    if measure == Measure::Tokens {
                        keys.levels[bucket_at] = (level - delta_tokens).min(capacity);
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
        (0..SHARDS)
            .map(|shard| {
                let mut state = self.lock(shard);
                let State { keys, stats, .. } = &mut *state;
                let total = keys.rows.len();
                let evicted = keys.sweep(&self.spec, now_ms, total);
                stats.evicted += evicted as u64;
                evicted
            })
            .sum()
    }

    /// Current counters, summed over the shards.
    pub fn stats(&self) -> LimiterStats {
        let mut total = LimiterStats::default();
        for shard in 0..SHARDS {
            let state = self.lock(shard);
            let LimiterStats {
                admitted,
                refused,
                evicted,
                leases_expired,
                ..
            } = state.stats;
            total.keys += state.keys.live;
            total.leases += state.leases.live;
            total.approximate_bytes += state.keys.approximate_bytes();
            total.admitted += admitted;
            total.refused += refused;
            total.evicted += evicted;
            total.leases_expired += leases_expired;
        }
        total
    }

    /// Forgets every key and lease; later calls see the limiter closed. Used when it is closed.
    pub fn clear(&self) {
        self.closed.store(true, Ordering::Release);
        for shard in 0..SHARDS {
            *self.lock(shard) = State::new(&self.spec, shard);
        }
    }
}
