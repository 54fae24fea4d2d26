//! Keys of one limiter: names resolved once to handles, state in flat arrays, idle keys evicted.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::shards::{global_index, local_index};
use super::spec::{LimiterSpec, Rule};
use super::window::{self, RING};

/// A key as JS holds it: slot index in the low 32 bits, generation above (stays below 2^53).
pub type KeyHandle = u64;

const GENERATION_MASK: u32 = (1 << 20) - 1;

pub(crate) fn pack(index: u32, generation: u32) -> KeyHandle {
    ((generation as u64) << 32) | index as u64
}

pub(crate) fn unpack(handle: KeyHandle) -> (u32, u32) {
    (handle as u32, (handle >> 32) as u32)
}

/// The shortest time a key must sit untouched before it may be evicted, even when no rule
/// remembers anything (an in-flight-only limiter): without it, resolving one key of a multi-key
/// acquire could evict another key of the same call, over and over.
const MIN_IDLE_MS: f64 = 1000.0;

fn horizon_ms(rule: &Rule) -> f64 {
    match *rule {
        Rule::Window { period_ms, .. } => window::slot_ms(period_ms) * RING as f64,
        Rule::Bucket {
            capacity,
            refill_per_ms,
            ..
        } => capacity / refill_per_ms,
        Rule::InFlight { .. } => 0.0,
    }
}

/// Per-key state of one shard, one row per key in flat vectors (no allocation per key besides
/// its name).
pub(crate) struct KeyTable {
    shard: u32,
    names: FxHashMap<Arc<str>, u32>,
    pub(crate) rows: Vec<KeyRow>,
    free: Vec<u32>,
    /// `RING` counters per window per key.
    pub(crate) rings: Vec<u32>,
    /// Absolute slot number of each ring's newest slot.
    pub(crate) heads: Vec<i64>,
    /// Level and time of last refill, per bucket per key.
    pub(crate) levels: Vec<f64>,
    pub(crate) refilled_at: Vec<f64>,
    windows: usize,
    buckets: usize,
    sweep_cursor: usize,
    /// A key untouched for this long, with nothing counted, is idle: the longest span any rule
    /// remembers (a window and one slot, or a bucket's time to refill from empty).
    horizon_ms: f64,
    pub(crate) live: usize,
}

pub(crate) struct KeyRow {
    name: Option<Arc<str>>,
    pub(crate) generation: u32,
    pub(crate) last_ms: f64,
    pub(crate) in_flight: u32,
}

impl KeyTable {
    pub(crate) fn new(spec: &LimiterSpec, shard: u32) -> KeyTable {
        KeyTable {
            shard,
            names: FxHashMap::default(),
            rows: Vec::new(),
            free: Vec::new(),
            rings: Vec::new(),
            heads: Vec::new(),
            levels: Vec::new(),
            refilled_at: Vec::new(),
            windows: spec.window_count(),
            buckets: spec.bucket_count(),
            sweep_cursor: 0,
            horizon_ms: spec
                .rules
                .iter()
                .map(horizon_ms)
                .fold(MIN_IDLE_MS, f64::max),
            live: 0,
        }
    }

    /// The handle of `name`, creating its row (fresh state) if it has none, and how many idle
    /// keys were evicted to make room.
    pub(crate) fn resolve(
        &mut self,
        spec: &LimiterSpec,
        name: &str,
        now_ms: f64,
    ) -> (KeyHandle, usize) {
        if let Some(&index) = self.names.get(name) {
            let row = &mut self.rows[index as usize];
            row.last_ms = row.last_ms.max(now_ms);
            return (pack(global_index(index, self.shard), row.generation), 0);
        }
        let evicted = if self.free.is_empty() {
            self.sweep(spec, now_ms, 8)
        } else {
            0
        };
        let name: Arc<str> = Arc::from(name);
        let index = match self.free.pop() {
            Some(index) => index,
            None => self.grow(),
        };
        self.reset_row(spec, index as usize, now_ms);
        let row = &mut self.rows[index as usize];
        row.name = Some(Arc::clone(&name));
        self.names.insert(name, index);
        self.live += 1;
        (
            pack(global_index(index, self.shard), row.generation),
            evicted,
        )
    }

    /// The row index of `handle`, or `None` when its key was evicted since.
    pub(crate) fn index_of(&self, handle: KeyHandle) -> Option<usize> {
        let (index, generation) = unpack(handle);
        let index = local_index(index, self.shard)?;
        let row = self.rows.get(index as usize)?;
        (row.name.is_some() && row.generation == generation).then_some(index as usize)
    }

    fn grow(&mut self) -> u32 {
        let index = self.rows.len() as u32;
        self.rows.push(KeyRow {
            name: None,
            generation: 0,
            last_ms: 0.0,
            in_flight: 0,
        });
        self.rings.resize(self.rings.len() + self.windows * RING, 0);
        self.heads.resize(self.heads.len() + self.windows, 0);
        self.levels.resize(self.levels.len() + self.buckets, 0.0);
        self.refilled_at
            .resize(self.refilled_at.len() + self.buckets, 0.0);
        index
    }

    fn reset_row(&mut self, spec: &LimiterSpec, index: usize, now_ms: f64) {
        self.rings[index * self.windows * RING..(index + 1) * self.windows * RING].fill(0);
        let (mut window, mut bucket) = (0, 0);
        for rule in &spec.rules {
            match *rule {
                Rule::Window { period_ms, .. } => {
                    let slot = window::slot_ms(period_ms);
                    self.heads[index * self.windows + window] = window::slot_of(now_ms, slot);
                    window += 1;
                }
                Rule::Bucket { capacity, .. } => {
                    self.levels[index * self.buckets + bucket] = capacity;
                    self.refilled_at[index * self.buckets + bucket] = now_ms;
                    bucket += 1;
                }
                Rule::InFlight { .. } => {}
            }
        }
        let row = &mut self.rows[index];
        row.last_ms = now_ms;
        row.in_flight = 0;
    }

    /// True when the key's state equals a fresh key's at `now_ms`, so forgetting it changes nothing.
    fn is_idle(&self, spec: &LimiterSpec, index: usize, now_ms: f64) -> bool {
        let row = &self.rows[index];
        if row.name.is_none() || row.in_flight > 0 || now_ms - row.last_ms < self.horizon_ms {
            return false;
        }
        let (mut window, mut bucket) = (0, 0);
        for rule in &spec.rules {
            match *rule {
                Rule::Window { period_ms, .. } => {
                    let at = index * self.windows + window;
                    let ring = &self.rings[at * RING..(at + 1) * RING];
                    let now_slot = window::slot_of(now_ms, window::slot_ms(period_ms));
                    if !window::is_clear(ring, self.heads[at], now_slot) {
                        return false;
                    }
                    window += 1;
                }
                Rule::Bucket {
                    capacity,
                    refill_per_ms,
                    ..
                } => {
                    let at = index * self.buckets + bucket;
                    let elapsed = (now_ms - self.refilled_at[at]).max(0.0);
                    if self.levels[at] + elapsed * refill_per_ms < capacity {
                        return false;
                    }
                    bucket += 1;
                }
                Rule::InFlight { .. } => {}
            }
        }
        true
    }

    fn evict(&mut self, index: usize) {
        let row = &mut self.rows[index];
        if let Some(name) = row.name.take() {
            self.names.remove(&name);
        }
        row.generation = (row.generation + 1) & GENERATION_MASK;
        self.free.push(index as u32);
        self.live -= 1;
    }

    /// Looks at up to `budget` rows after the cursor and evicts the idle ones; returns how many.
    pub(crate) fn sweep(&mut self, spec: &LimiterSpec, now_ms: f64, budget: usize) -> usize {
        let total = self.rows.len();
        let mut evicted = 0;
        for _ in 0..budget.min(total) {
            self.sweep_cursor = (self.sweep_cursor + 1) % total;
            if self.is_idle(spec, self.sweep_cursor, now_ms) {
                self.evict(self.sweep_cursor);
                evicted += 1;
            }
        }
        evicted
    }

    /// Bytes held by the table's arrays (names and map included, allocator overhead not).
    pub(crate) fn approximate_bytes(&self) -> usize {
        let name_bytes: usize = self.names.keys().map(|name| name.len() + 16).sum();
        let map_bytes = self.names.capacity() * (std::mem::size_of::<(Arc<str>, u32)>() + 1);
        self.rows.capacity() * std::mem::size_of::<KeyRow>()
            + self.rings.capacity() * 4
            + self.heads.capacity() * 8
            + (self.levels.capacity() + self.refilled_at.capacity()) * 8
            + name_bytes
            + map_bytes
    }

    /// Refills bucket `at` (a key's bucket index into `levels`) up to `now_ms`, capped at
    /// `capacity`, and returns its level.
    pub(crate) fn refill_bucket(
        &mut self,
        at: usize,
        now_ms: f64,
        refill_per_ms: f64,
        capacity: f64,
    ) -> f64 {
        let level = (self.levels[at] + (now_ms - self.refilled_at[at]) * refill_per_ms).min(capacity);
        self.levels[at] = level;
        self.refilled_at[at] = now_ms;
        level
    }

    pub(crate) fn windows(&self) -> usize {
        self.windows
    }

    pub(crate) fn buckets(&self) -> usize {
        self.buckets
    }
}
