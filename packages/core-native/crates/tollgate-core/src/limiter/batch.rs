//! Many single-key checks of one limiter in one call.
//!
//! Each check is independent (one refused check takes nothing back from the others) and they are
//! applied in order, at one time: the answers equal those of a loop of [`super::try_acquire`]
//! calls with one scope each, at the same `now_ms`. A key named twice in a batch sees what the
//! earlier check took. Each check holds its key's shard lock; consecutive checks in one shard
//! keep it, so other threads wait at most a run of such checks (about 40 ns each).

use super::keys::KeyHandle;
use super::limiter::{Limiter, State};
use super::scope_steps::{check_scope, commit, expire_leases, write_remaining};
use super::shards::{shard_of_handle, shard_of_name};
use super::{Cost, Outcome};
use std::sync::MutexGuard;

/// The key of one check: a handle resolved earlier, or a name resolved in the same call.
#[derive(Clone, Copy, Debug)]
pub enum BatchKey<'a> {
    Handle(KeyHandle),
    Name(&'a str),
}

/// Columns of the batch output, one value per check each, followed by the remaining amounts.
pub mod column {
    /// Outcome code of the check (see [`crate::limiter::Outcome`]).
    pub const OUTCOME: usize = 0;
    /// Whole milliseconds until the refusing rule fits (at least 1), 0 when admitted.
    pub const RETRY_AFTER_MS: usize = 1;
    /// Index of the rule that refused or that the cost overflows, -1 otherwise.
    pub const RULE: usize = 2;
    /// Time the check was counted at (the key's clock never goes back).
    pub const AT_MS: usize = 3;
    /// Lease number when admitted by a limiter with an in-flight rule, else -1.
    pub const LEASE: usize = 4;
    /// Handle of the check's key (names are resolved in the call).
    pub const HANDLE: usize = 5;
}

/// Number of per-check columns before the remaining amounts.
pub const BATCH_COLUMNS: usize = 6;

/// Length of the output of a batch of `count` checks on `limiter`: [`BATCH_COLUMNS`] columns of
/// `count` values, then `count` rows of remaining amounts, one per rule.
pub fn batch_output_len(limiter: &Limiter, count: usize) -> usize {
    count * (BATCH_COLUMNS + limiter.spec.rules.len())
}

/// Runs checks `start..count` of a batch at `now_ms`; `checks` yields them from `start` on.
/// Writes each answer into `out` (at least [`batch_output_len`] long, laid out as described
/// there, indexed by the check's position in the whole batch). Returns the position where it
/// stopped: `count` when every check ran, else the position of a check whose key handle is stale
/// ([`Outcome::StaleKey`], resolve its name again and resume there) or of the first check after
/// the limiter was closed ([`Outcome::Closed`]). A cost larger than a rule's whole capacity is
/// written as [`Outcome::ExceedsCapacity`] for that check and takes nothing.
///
/// # Panics
/// When `out` is shorter than [`batch_output_len`] or `checks` yields more than `count - start`.
pub fn try_batch<'a>(
    limiter: &Limiter,
    checks: impl IntoIterator<Item = (BatchKey<'a>, Cost)>,
    count: usize,
    start: usize,
    now_ms: f64,
    out: &mut [f64],
) -> usize {
    assert!(
        out.len() >= batch_output_len(limiter, count),
        "batch output too short"
    );
    let rules = limiter.spec.rules.len();
    let remaining_at = BATCH_COLUMNS * count;
    let mut held: Option<(usize, MutexGuard<'_, State>)> = None;
    let mut position = start;
    for (key, cost) in checks {
        assert!(position < count, "more checks than the batch holds");
        let cell = |column: usize| column * count + position;
        let shard = match key {
            BatchKey::Handle(handle) => shard_of_handle(handle),
            BatchKey::Name(name) => shard_of_name(name),
        };
        if held.as_ref().map(|(locked, _)| *locked) != Some(shard) {
            // Let go of the previous shard first: holding two at once could deadlock.
            drop(held.take());
            held = Some((shard, limiter.lock(shard)));
        }
        let state = &mut *held.as_mut().expect("locked above").1;
        if limiter.is_closed() {
            out[cell(column::OUTCOME)] = Outcome::Closed as i32 as f64;
            return position;
        }
        let handle = match key {
            BatchKey::Handle(handle) => handle,
            BatchKey::Name(name) => {
                // The same steps and counters as `Limiter::key`.
                let (handle, evicted) = state.keys.resolve(&limiter.spec, name, now_ms);
                state.stats.evicted += evicted as u64;
                handle
            }
        };
        let Some(row) = state.keys.index_of(handle) else {
            out[cell(column::OUTCOME)] = Outcome::StaleKey as i32 as f64;
            return position;
        };
        let now = now_ms.max(state.keys.rows[row].last_ms);
        expire_leases(state, now);
        let check = check_scope(limiter, state, row, handle, cost, now);
        let (outcome, retry, rule, lease) = if let Some(rule) = check.exceeds {
            (Outcome::ExceedsCapacity, 0.0, rule as f64, -1.0)
        } else if let Some((rule, wait)) = check.wait {
            state.keys.rows[row].last_ms = now;
            state.stats.refused += 1;
            (Outcome::Refused, wait.ceil().max(1.0), rule as f64, -1.0)
        } else {
            let lease = commit(limiter, state, row, handle, cost, now);
            state.stats.admitted += 1;
            (Outcome::Admitted, 0.0, -1.0, lease)
        };
        out[cell(column::OUTCOME)] = outcome as i32 as f64;
        out[cell(column::RETRY_AFTER_MS)] = retry;
        out[cell(column::RULE)] = rule;
        out[cell(column::AT_MS)] = now;
        out[cell(column::LEASE)] = lease;
        out[cell(column::HANDLE)] = handle as f64;
        let remaining = remaining_at + position * rules;
        write_remaining(limiter, state, row, &mut out[remaining..remaining + rules]);
        if outcome != Outcome::ExceedsCapacity {
            let evicted = state.keys.sweep(&limiter.spec, now, 2);
            state.stats.evicted += evicted as u64;
        }
        position += 1;
    }
    position
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limiter::{
        registry, try_acquire, LimiterSpec, Measure, Rule, Scope, HEADER, SCOPE_HEADER,
    };

    fn spec() -> LimiterSpec {
        LimiterSpec {
            rules: vec![
                Rule::Window {
                    measure: Measure::Requests,
                    limit: 3,
                    period_ms: 1000.0,
                },
                Rule::Bucket {
                    measure: Measure::Tokens,
                    capacity: 50.0,
                    refill_per_ms: 0.01,
                },
                Rule::InFlight { max: 2 },
            ],
            lease_timeout_ms: 500.0,
        }
    }

    #[test]
    fn a_batch_answers_like_a_loop_of_single_checks() {
        let batched = registry::create("", spec()).expect("valid spec");
        let looped = registry::create("", spec()).expect("valid spec");
        let names = ["a", "b", "a", "c", "a", "b", "a"];
        for round in 0..40 {
            let now = round as f64 * 97.0;
            let costs: Vec<Cost> = (0..names.len())
                .map(|i| Cost {
                    requests: (i % 2) as u32 + 1,
                    tokens: ((round * 7 + i * 13) % 40) as u64,
                })
                .collect();
            let mut out = vec![0.0; batch_output_len(batched, names.len())];
            let checks = names
                .iter()
                .zip(&costs)
                .map(|(name, cost)| (BatchKey::Name(name), *cost));
            assert_eq!(
                try_batch(batched, checks, names.len(), 0, now, &mut out),
                names.len()
            );
            for (i, name) in names.iter().enumerate() {
                let scopes = [Scope {
                    limiter: looped,
                    key: looped.key(name, now),
                }];
                let mut single = vec![0.0; HEADER + SCOPE_HEADER + 3];
                let outcome = try_acquire(&scopes, costs[i], now, &mut single);
                let n = names.len();
                assert_eq!(out[i], outcome as i32 as f64, "round {round} check {i}");
                assert_eq!(out[n + i], single[1]);
                assert_eq!(out[3 * n + i], single[HEADER]);
                assert_eq!(out[4 * n + i], single[HEADER + 1]);
                let remaining = &out[BATCH_COLUMNS * n + i * 3..BATCH_COLUMNS * n + i * 3 + 3];
                assert_eq!(remaining, &single[HEADER + SCOPE_HEADER..]);
            }
        }
    }

    #[test]
    fn a_stale_handle_stops_the_batch_at_its_position() {
        let limiter = registry::create("", spec()).expect("valid spec");
        let key = limiter.key("k", 0.0);
        let cost = Cost {
            requests: 1,
            tokens: 0,
        };
        let checks = [
            (BatchKey::Handle(key), cost),
            (BatchKey::Handle(key + (1 << 32)), cost),
        ];
        let mut out = vec![0.0; batch_output_len(limiter, 2)];
        assert_eq!(try_batch(limiter, checks, 2, 0, 0.0, &mut out), 1);
        assert_eq!(out[0], Outcome::Admitted as i32 as f64);
        assert_eq!(out[1], Outcome::StaleKey as i32 as f64);
    }
}
