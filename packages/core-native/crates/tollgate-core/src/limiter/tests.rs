use super::*;

fn spec(rules: Vec<Rule>) -> LimiterSpec {
    LimiterSpec {
        rules,
        lease_timeout_ms: 10_000.0,
    }
}

fn attempt(limiter: &Limiter, key: KeyHandle, tokens: u64, now: f64) -> (Outcome, Vec<f64>) {
    let scopes = [Scope { limiter, key }];
    let mut out = vec![0.0; output_len(&scopes)];
    let outcome = try_acquire(
        &scopes,
        Cost {
            requests: 1,
            tokens,
        },
        now,
        &mut out,
    );
    (outcome, out)
}

#[test]
fn a_window_of_one_per_second_never_admits_two_within_a_second() {
    let rule = Rule::Window {
        measure: Measure::Requests,
        limit: 1,
        period_ms: 1000.0,
    };
    let limiter = registry::create("", spec(vec![rule])).expect("valid spec");
    let key = limiter.key("k", 0.0);
    let mut starts = Vec::new();
    for now in (0..20_000).map(|step| step as f64 * 7.0) {
        if attempt(limiter, key, 0, now).0 == Outcome::Admitted {
            starts.push(now);
        }
    }
    assert!(starts.len() > 15);
    assert!(starts.windows(2).all(|pair| pair[1] - pair[0] >= 1000.0));
}

#[test]
fn threads_admit_exactly_the_limit() {
    let rule = Rule::Window {
        measure: Measure::Requests,
        limit: 1000,
        period_ms: 3_600_000.0,
    };
    let limiter = registry::create("threads", spec(vec![rule])).expect("valid spec");
    let admitted: usize = std::thread::scope(|threads| {
        let workers: Vec<_> = (0..8)
            .map(|_| {
                threads.spawn(|| {
                    let key = limiter.key("shared", 0.0);
                    (0..10_000)
                        .filter(|_| attempt(limiter, key, 0, 1.0).0 == Outcome::Admitted)
                        .count()
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("worker finished"))
            .sum()
    });
    assert_eq!(admitted, 1000);
}

#[test]
fn a_refusal_by_one_scope_keeps_nothing_from_the_others() {
    let wide = registry::create(
        "",
        spec(vec![Rule::Window {
            measure: Measure::Tokens,
            limit: 1000,
            period_ms: 60_000.0,
        }]),
    )
    .expect("valid spec");
    let narrow = registry::create(
        "",
        spec(vec![Rule::Window {
            measure: Measure::Tokens,
            limit: 100,
            period_ms: 60_000.0,
        }]),
    )
    .expect("valid spec");
    let scopes = [
        Scope {
            limiter: wide,
            key: wide.key("team", 0.0),
        },
        Scope {
            limiter: narrow,
            key: narrow.key("user", 0.0),
        },
    ];
    let mut out = vec![0.0; output_len(&scopes)];
    assert_eq!(
        try_acquire(
            &scopes,
            Cost {
                requests: 1,
                tokens: 80
            },
            0.0,
            &mut out
        ),
        Outcome::Admitted
    );
    assert_eq!(
        try_acquire(
            &scopes,
            Cost {
                requests: 1,
                tokens: 80
            },
            1.0,
            &mut out
        ),
        Outcome::Refused
    );
    assert_eq!(out[2], 1.0);
    assert_eq!(out[HEADER + SCOPE_HEADER], 920.0);
}

#[test]
fn settle_refunds_and_charges_the_difference() {
    let rule = Rule::Window {
        measure: Measure::Tokens,
        limit: 1000,
        period_ms: 60_000.0,
    };
    let limiter = registry::create("", spec(vec![rule])).expect("valid spec");
    let key = limiter.key("k", 0.0);
    let (_, out) = attempt(limiter, key, 600, 0.0);
    assert!(limiter.settle(key, out[HEADER], -400.0, 10.0));
    assert_eq!(
        attempt(limiter, key, 0, 20.0).1[HEADER + SCOPE_HEADER],
        800.0
    );
    assert!(limiter.settle(key, 20.0, 300.0, 30.0));
    assert_eq!(
        attempt(limiter, key, 0, 40.0).1[HEADER + SCOPE_HEADER],
        500.0
    );
}

#[test]
fn idle_keys_are_evicted_and_their_handles_go_stale() {
    let rule = Rule::Window {
        measure: Measure::Requests,
        limit: 5,
        period_ms: 1000.0,
    };
    let limiter = registry::create("", spec(vec![rule])).expect("valid spec");
    let handles: Vec<_> = (0..100_000)
        .map(|index| limiter.key(&format!("user-{index}"), 0.0))
        .collect();
    for &handle in handles.iter().step_by(1000) {
        attempt(limiter, handle, 0, 900.0);
    }
    assert_eq!(limiter.stats().keys, 100_000);
    assert_eq!(limiter.evict_idle(1100.0), 100_000 - 100);
    assert_eq!(limiter.evict_idle(2100.0), 100);
    assert_eq!(limiter.stats().keys, 0);
    assert_eq!(attempt(limiter, handles[0], 0, 2000.0).0, Outcome::StaleKey);
}
