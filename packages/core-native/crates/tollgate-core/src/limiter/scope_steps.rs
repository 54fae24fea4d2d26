//! The steps of one scope of an attempt, shared by single, multi-scope and batch admission:
//! expire its leases, check every rule (bringing windows and buckets to `now`), commit the cost,
//! and report what remains.

use super::acquire::Cost;
use super::keys::KeyHandle;
use super::limiter::{Limiter, State};
use super::spec::{Measure, Rule};
use super::window::{self, RING};

pub(super) fn expire_leases(state: &mut State, now: f64) {
    let State {
        keys,
        leases,
        stats,
        ..
    } = state;
    let expired = leases.expire_due(now, |key, requests| {
        if let Some(index) = keys.index_of(key) {
            keys.rows[index].in_flight = keys.rows[index].in_flight.saturating_sub(requests);
        }
    });
    stats.leases_expired += expired as u64;
}

pub(super) struct Check {
    pub(super) exceeds: Option<usize>,
    pub(super) wait: Option<(usize, f64)>,
}

fn units(measure: Measure, cost: Cost) -> u64 {
    match measure {
        Measure::Requests => cost.requests as u64,
        Measure::Tokens => cost.tokens,
    }
}

/// Brings the key's windows and buckets to `now` and finds the rule that must wait longest.
pub(super) fn check_scope(
    limiter: &Limiter,
    state: &mut State,
    row: usize,
    key: KeyHandle,
    cost: Cost,
    now: f64,
) -> Check {
    let keys = &mut state.keys;
    let (mut window_at, mut bucket_at) = (row * keys.windows(), row * keys.buckets());
    let mut check = Check {
        exceeds: None,
        wait: None,
    };
    let mut note = |rule: usize, wait: f64| {
        if check.wait.map_or(true, |(_, longest)| wait >= longest) {
            check.wait = Some((rule, wait));
        }
    };
    for (rule_index, rule) in limiter.spec.rules.iter().enumerate() {
        match *rule {
            Rule::Window {
                measure,
                limit,
                period_ms,
            } => {
                let slot = window::slot_ms(period_ms);
                let ring = &mut keys.rings[window_at * RING..(window_at + 1) * RING];
                window::advance(ring, &mut keys.heads[window_at], now, slot);
                window_at += 1;
                let wanted = units(measure, cost);
                if wanted > limit as u64 {
                    return Check {
                        exceeds: Some(rule_index),
                        wait: None,
                    };
                }
                let counted = window::counted(ring);
                if wanted > 0 && counted + wanted > limit as u64 {
                    let head = keys.heads[window_at - 1];
                    note(
                        rule_index,
                        window::wait_ms(ring, head, counted + wanted - limit as u64, now, slot),
                    );
                }
            }
            Rule::Bucket {
                measure,
                capacity,
                refill_per_ms,
            } => {
                let level = keys.refill_bucket(bucket_at, now, refill_per_ms, capacity);
                bucket_at += 1;
                let wanted = units(measure, cost) as f64;
                if wanted > capacity {
                    return Check {
                        exceeds: Some(rule_index),
                        wait: None,
                    };
                }
                if wanted > 0.0 && level < wanted {
                    note(rule_index, (wanted - level) / refill_per_ms);
                }
            }
            Rule::InFlight { max } => {
                if cost.requests > max {
                    return Check {
                        exceeds: Some(rule_index),
                        wait: None,
                    };
                }
                if cost.requests > 0 && keys.rows[row].in_flight + cost.requests > max {
                    let earliest = state.leases.earliest_expiry_of(key);
                    note(rule_index, (earliest - now).max(0.0));
                }
            }
        }
    }
    check
}

/// Takes `cost` from a key already brought to `now` by [`check_scope`]; returns the lease or -1.
pub(super) fn commit(
    limiter: &Limiter,
    state: &mut State,
    row: usize,
    key: KeyHandle,
    cost: Cost,
    now: f64,
) -> f64 {
    let keys = &mut state.keys;
    let (mut window_at, mut bucket_at) = (row * keys.windows(), row * keys.buckets());
    let mut lease = -1.0;
    for rule in &limiter.spec.rules {
        match *rule {
            Rule::Window { measure, .. } => {
                let ring = &mut keys.rings[window_at * RING..(window_at + 1) * RING];
                window::add(ring, keys.heads[window_at], units(measure, cost));
                window_at += 1;
            }
            Rule::Bucket { measure, .. } => {
                keys.levels[bucket_at] -= units(measure, cost) as f64;
                bucket_at += 1;
            }
            // A cost of no requests holds no slot, so it opens no lease.
            Rule::InFlight { .. } if cost.requests > 0 => {
                keys.rows[row].in_flight += cost.requests;
                let expires_at = now + limiter.spec.lease_timeout_ms;
                lease = state.leases.open(key, cost.requests, expires_at) as f64;
            }
            Rule::InFlight { .. } => {}
        }
    }
    keys.rows[row].last_ms = now;
    lease
}

pub(super) fn write_remaining(limiter: &Limiter, state: &State, row: usize, out: &mut [f64]) {
    let keys = &state.keys;
    let (mut window_at, mut bucket_at) = (row * keys.windows(), row * keys.buckets());
    for (rule_index, rule) in limiter.spec.rules.iter().enumerate() {
        out[rule_index] = match *rule {
            Rule::Window { limit, .. } => {
                let counted =
                    window::counted(&keys.rings[window_at * RING..(window_at + 1) * RING]);
                window_at += 1;
                (limit as u64).saturating_sub(counted) as f64
            }
            Rule::Bucket { .. } => {
                bucket_at += 1;
                keys.levels[bucket_at - 1].max(0.0).floor()
            }
            Rule::InFlight { max } => max.saturating_sub(keys.rows[row].in_flight) as f64,
        };
    }
}
