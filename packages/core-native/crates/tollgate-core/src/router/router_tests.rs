//! Tests of [`super::Router`]: leases end once in their group, groups draw independently,
//! and threads sharing a router keep exact counts.

use super::*;

fn config() -> RouterConfig {
    RouterConfig {
        strategy: Strategy::SimpleShuffle,
        seed: 7,
        cooldown_ms: 5_000.0,
        allowed_fails: 3,
        failure_window_ms: 60_000.0,
        latency_window: 8,
        near_best_buffer: 0.1,
        power_of_two: false,
        lease_timeout_ms: 600_000.0,
    }
}

/// A router with `groups` groups of `per_group` deployments, each with `max_in_flight`.
fn router(groups: u32, per_group: u32, max_in_flight: f64) -> Router {
    let router = Router::new(config());
    for group in 0..groups {
        let handle = router.group(&format!("m{group}"));
        for index in 0..per_group {
            let spec = DeploymentSpec {
                weight: f64::from(1 + index),
                max_in_flight,
                ..DeploymentSpec::default()
            };
            router.add_deployment(handle, &format!("m{group}-{index}"), spec);
        }
    }
    router
}

fn in_flight(router: &Router) -> Vec<f64> {
    router
        .snapshot(0.0)
        .chunks(SNAPSHOT_FIELDS)
        .map(|row| row[0])
        .collect()
}

#[test]
fn a_lease_ends_in_the_group_of_its_deployment_and_only_once() {
    let router = router(3, 2, 0.0);
    let first = router.acquire(0, 1.0, 0.0, 0, false, &[]);
    let second = router.acquire(2, 1.0, 0.0, 0, false, &[]);
    assert!(first >= 0.0 && second >= 0.0 && first != second);
    assert!(
        ((second as u64) % LEASE_SCALE as u64) >= 4,
        "group 2 owns handles 4 and 5"
    );
    assert_eq!(in_flight(&router).iter().sum::<f64>(), 2.0);
    let release = |lease| router.release(lease, 2.0, Outcome::Success, 1.0, 0.0, 1.0, -1.0, 0.0);
    assert_eq!(release(second), 0.0);
    assert_eq!(release(second), -1.0);
    assert_eq!(release(first), 0.0);
    assert_eq!(release(-1.0), -1.0);
    assert_eq!(release(f64::NAN), -1.0);
    assert_eq!(in_flight(&router), vec![0.0; 6]);
}

#[test]
fn picks_on_one_group_leave_the_draws_of_another_unchanged() {
    let alone = router(2, 5, 0.0);
    let mixed = router(2, 5, 0.0);
    let mut from_alone = Vec::new();
    let mut from_mixed = Vec::new();
    for step in 0..200 {
        from_alone.push(alone.pick(1, 1.0, 0.0, 0, false, &[]));
        for _ in 0..step % 3 {
            mixed.pick(0, 1.0, 0.0, 0, false, &[]);
        }
        from_mixed.push(mixed.pick(1, 1.0, 0.0, 0, false, &[]));
    }
    assert_eq!(from_alone, from_mixed);
    assert!(from_alone
        .iter()
        .all(|&handle| (5.0..10.0).contains(&handle)));
}

#[test]
fn threads_sharing_a_router_keep_in_flight_counts_exact() {
    let router = router(5, 4, 3.0);
    let held: Vec<Vec<f64>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..8)
            .map(|thread| {
                let router = &router;
                scope.spawn(move || {
                    let mut held = Vec::new();
                    for step in 0..2_000u32 {
                        let group = (thread + step) % 5;
                        let lease = router.acquire(group, 1.0, 10.0, 0, false, &[]);
                        if lease < 0.0 {
                            continue;
                        }
                        if step % 97 == 0 {
                            held.push(lease);
                        } else {
                            let ended = router.release(
                                lease,
                                2.0,
                                Outcome::Success,
                                1.0,
                                0.0,
                                1.0,
                                -1.0,
                                0.0,
                            );
                            assert_eq!(ended, 0.0);
                        }
                    }
                    held
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("a worker thread panicked"))
            .collect()
    });
    let held: Vec<f64> = held.into_iter().flatten().collect();
    let counts = in_flight(&router);
    assert_eq!(counts.iter().sum::<f64>(), held.len() as f64);
    assert!(counts.iter().all(|&count| count <= 3.0));
    for lease in held {
        assert_eq!(
            router.release(lease, 3.0, Outcome::Aborted, 0.0, 0.0, 0.0, -1.0, 0.0),
            0.0
        );
    }
    assert_eq!(in_flight(&router), vec![0.0; 20]);
}
