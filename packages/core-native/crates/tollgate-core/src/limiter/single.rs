//! One scope without the machinery for several: one lock, no ordering, no guard table. The
//! same steps, answers and output layout as [`super::try_acquire`] with a single scope.

use super::keys::KeyHandle;
use super::limiter::Limiter;
use super::scope_steps::{check_scope, commit, expire_leases, write_remaining};
use super::{Cost, Outcome, HEADER, SCOPE_HEADER};

/// As [`super::try_acquire`] with the one scope `(limiter, key)`; `out` needs
/// `HEADER + SCOPE_HEADER + rules` values.
///
/// # Panics
/// When `out` is shorter than that.
pub fn try_acquire_one(
    limiter: &Limiter,
    key: KeyHandle,
    cost: Cost,
    now_ms: f64,
    out: &mut [f64],
) -> Outcome {
    let rules = limiter.spec.rules.len();
    assert!(
        out.len() >= HEADER + SCOPE_HEADER + rules,
        "output too short"
    );
    let mut guard = limiter.lock_handle(key);
    let state = &mut *guard;
    let finish = |out: &mut [f64], outcome: Outcome, rule: f64| {
        out[..HEADER].copy_from_slice(&[outcome as i32 as f64, 0.0, 0.0, rule]);
        outcome
    };
    if limiter.is_closed() {
        return finish(out, Outcome::Closed, -1.0);
    }
    let Some(row) = state.keys.index_of(key) else {
        return finish(out, Outcome::StaleKey, -1.0);
    };
    let now = now_ms.max(state.keys.rows[row].last_ms);
    expire_leases(state, now);
    let check = check_scope(limiter, state, row, key, cost, now);
    if let Some(rule) = check.exceeds {
        return finish(out, Outcome::ExceedsCapacity, rule as f64);
    }
    out[HEADER] = now;
    out[HEADER + 1] = -1.0;
    let outcome = if let Some((rule, wait)) = check.wait {
        state.keys.rows[row].last_ms = now;
        state.stats.refused += 1;
        let header = [
            Outcome::Refused as i32 as f64,
            wait.ceil().max(1.0),
            0.0,
            rule as f64,
        ];
        out[..HEADER].copy_from_slice(&header);
        Outcome::Refused
    } else {
        out[HEADER + 1] = commit(limiter, state, row, key, cost, now);
        state.stats.admitted += 1;
        out[..HEADER].copy_from_slice(&[Outcome::Admitted as i32 as f64, 0.0, -1.0, -1.0]);
        Outcome::Admitted
    };
    let at = HEADER + SCOPE_HEADER;
    write_remaining(limiter, state, row, &mut out[at..at + rules]);
    let evicted = state.keys.sweep(&limiter.spec, now, 2);
    state.stats.evicted += evicted as u64;
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limiter::{registry, try_acquire, LimiterSpec, Measure, Rule, Scope};

    #[test]
    fn one_scope_answers_like_the_general_path() {
        let spec = LimiterSpec {
            rules: vec![
                Rule::Window {
                    measure: Measure::Tokens,
                    limit: 500,
                    period_ms: 1000.0,
                },
                Rule::Bucket {
                    measure: Measure::Requests,
                    capacity: 3.0,
                    refill_per_ms: 0.002,
                },
                Rule::InFlight { max: 2 },
            ],
            lease_timeout_ms: 700.0,
        };
        let fast = registry::create("", spec.clone()).expect("valid spec");
        let general = registry::create("", spec).expect("valid spec");
        for step in 0..3000u64 {
            let now = step as f64 * 37.0;
            let name = ["a", "b", "c"][(step % 3) as usize];
            let cost = Cost {
                requests: (step % 3) as u32,
                tokens: (step * 61) % 300,
            };
            let mut left = vec![0.0; 9];
            let mut right = vec![0.0; 9];
            let one = try_acquire_one(fast, fast.key(name, now), cost, now, &mut left);
            let scopes = [Scope {
                limiter: general,
                key: general.key(name, now),
            }];
            let many = try_acquire(&scopes, cost, now, &mut right);
            assert_eq!((one, &left), (many, &right), "step {step}");
        }
        assert_eq!(fast.stats(), general.stats());
    }
}
