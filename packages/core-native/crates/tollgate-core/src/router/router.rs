use rustc_hash::FxHashMap;

use super::deployment::{Deployment, DeploymentSpec, FailureRules, Outcome, SNAPSHOT_FIELDS};
use super::rng::SeededRandom;

/// `pick`/`acquire` result when no deployment is eligible.
pub const NONE_AVAILABLE: f64 = -1.0;
/// `pick`/`acquire` result when no deployment of the group has a large enough context window.
pub const NONE_FITS_CONTEXT: f64 = -2.0;
/// A lease number packs `sequence * LEASE_SCALE + deployment`, exact in an f64 up to 2^33 leases.
pub const LEASE_SCALE: f64 = 1_048_576.0;
/// Most tags a router knows; they form a 32-bit mask.
pub const MAX_TAGS: usize = 32;

/// How a router chooses among eligible deployments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// At random, in proportion to weight, else rpm, else tpm, else uniformly.
    SimpleShuffle = 0,
    /// Fewest calls in flight.
    LeastBusy = 1,
    /// Lowest recent latency (TTFT for streams, else ms per output token), spread over the
    /// candidates within the near-best buffer.
    LatencyBased = 2,
    /// Lowest input + output price per token; unknown prices last.
    CostBased = 3,
    /// Fewest tokens this minute among deployments under their rpm/tpm.
    UsageBased = 4,
}

/// Settings fixed when a router is built.
#[derive(Clone, Debug)]
pub struct RouterConfig {
    pub strategy: Strategy,
    pub seed: u32,
    pub cooldown_ms: f64,
    pub allowed_fails: usize,
    pub failure_window_ms: f64,
    pub latency_window: usize,
    /// Fraction above the best latency that still shares the traffic (0.1 = within 10%).
    pub near_best_buffer: f64,
    /// Sample two candidates and keep the less loaded (in flight, weighted by how long they run).
    pub power_of_two: bool,
    /// A lease older than this is ended by the next sweep (its holder died without releasing).
    pub lease_timeout_ms: f64,
}

#[derive(Clone, Copy, Debug)]
struct Lease {
    deployment: u32,
    start_ms: f64,
    estimated_tokens: f64,
}

/// The deployments of all model groups of one router, and the leases held on them.
///
/// A pick scans the group once (O(n) filters, one or two passes for the strategy) and draws at
/// most two random numbers. Measured through the Node binding: see `bench/src/router-bench.ts`.
#[derive(Debug)]
pub struct Router {
    config: RouterConfig,
    random: SeededRandom,
    group_names: FxHashMap<String, u32>,
    members: Vec<Vec<u32>>,
    tags: FxHashMap<String, u32>,
    ids: FxHashMap<String, u32>,
    deployments: Vec<Deployment>,
    leases: FxHashMap<u64, Lease>,
    candidates: Vec<u32>,
    lease_sequence: u64,
    next_sweep_ms: f64,
}

impl Router {
    /// An empty router.
    pub fn new(config: RouterConfig) -> Self {
        Self {
            random: SeededRandom::new(config.seed),
            config,
            group_names: FxHashMap::default(),
            members: Vec::new(),
            tags: FxHashMap::default(),
            ids: FxHashMap::default(),
            deployments: Vec::new(),
            leases: FxHashMap::default(),
            candidates: Vec::new(),
            lease_sequence: 0,
            next_sweep_ms: 0.0,
        }
    }

    /// Handle of the group `name`, created on first use.
    pub fn group(&mut self, name: &str) -> u32 {
        if let Some(&handle) = self.group_names.get(name) {
            return handle;
        }
        let handle = self.members.len() as u32;
        self.group_names.insert(name.to_string(), handle);
        self.members.push(Vec::new());
        handle
    }

    /// Bit index of tag `name`, created on first use; `None` past [`MAX_TAGS`].
    pub fn tag(&mut self, name: &str) -> Option<u32> {
        if let Some(&bit) = self.tags.get(name) {
            return Some(bit);
        }
        if self.tags.len() >= MAX_TAGS {
            return None;
        }
        let bit = self.tags.len() as u32;
        self.tags.insert(name.to_string(), bit);
        Some(bit)
    }

    /// True when `group` is a handle of this router.
    pub fn has_group(&self, group: u32) -> bool {
        (group as usize) < self.members.len()
    }

    /// True when `deployment` is a handle of this router.
    pub fn has_deployment(&self, deployment: u32) -> bool {
        (deployment as usize) < self.deployments.len()
    }

    /// Number of deployments.
    pub fn deployment_count(&self) -> usize {
        self.deployments.len()
    }

    /// Registers deployment `id` in `group`, or returns the handle of the one with this id.
    /// Precondition: `group` is a handle of this router and fewer than `LEASE_SCALE - 1`
    /// deployments exist.
    pub fn add_deployment(&mut self, group: u32, id: &str, spec: DeploymentSpec) -> u32 {
        if let Some(&handle) = self.ids.get(id) {
            return handle;
        }
        let handle = self.deployments.len() as u32;
        self.deployments
            .push(Deployment::new(spec, self.config.latency_window));
        self.ids.insert(id.to_string(), handle);
        self.members[group as usize].push(handle);
        handle
    }

    /// Marks a deployment healthy or not (an unhealthy one is never picked).
    pub fn set_healthy(&mut self, deployment: u32, healthy: bool) {
        self.deployments[deployment as usize].healthy = healthy;
    }

    /// Stores the rate limiter's headroom for a deployment (below 0: unknown, not checked).
    pub fn set_headroom(&mut self, deployment: u32, requests: f64, tokens: f64) {
        let target = &mut self.deployments[deployment as usize];
        target.headroom_requests = requests;
        target.headroom_tokens = tokens;
    }

    /// The chosen deployment handle, [`NONE_AVAILABLE`] or [`NONE_FITS_CONTEXT`].
    pub fn pick(
        &mut self,
        group: u32,
        now_ms: f64,
        request_tokens: f64,
        tag_mask: u32,
        stream: bool,
        exclude: &[u32],
    ) -> f64 {
        self.candidates.clear();
        let mut fitting = 0usize;
        let members = &self.members[group as usize];
        let minute = Deployment::minute_of(now_ms);
        for &handle in members {
            let deployment = &self.deployments[handle as usize];
            let window = deployment.spec.context_window;
            if window > 0.0 && request_tokens > window {
                continue;
            }
            fitting += 1;
            if exclude.contains(&handle) {
                continue;
            }
            if deployment.admits(now_ms, minute, request_tokens, tag_mask) {
                self.candidates.push(handle);
            }
        }
        if self.candidates.is_empty() {
            return if !members.is_empty() && fitting == 0 {
                NONE_FITS_CONTEXT
            } else {
                NONE_AVAILABLE
            };
        }
        if self.candidates.len() == 1 {
            return f64::from(self.candidates[0]);
        }
        let chosen = if self.config.power_of_two {
            self.pick_of_two(now_ms)
        } else {
            match self.config.strategy {
                Strategy::LeastBusy => self.pick_lowest(0.0, |d| f64::from(d.in_flight)),
                Strategy::LatencyBased => {
                    let buffer = self.config.near_best_buffer;
                    self.pick_lowest(buffer, |d| d.latency_score(stream))
                }
                Strategy::CostBased => self.pick_lowest(0.0, |d| d.cost_per_token),
                Strategy::UsageBased => self.pick_lowest(0.0, |d| d.tokens_this_minute(now_ms)),
                Strategy::SimpleShuffle => self.pick_shuffled(),
            }
        };
        f64::from(chosen)
    }

    fn pick_shuffled(&mut self) -> u32 {
        let candidates = &self.candidates;
        let deployments = &self.deployments;
        let any = |get: fn(&DeploymentSpec) -> f64| {
            candidates
                .iter()
                .any(|&h| get(&deployments[h as usize].spec) > 0.0)
        };
        let field: Option<fn(&DeploymentSpec) -> f64> = if any(|s| s.weight) {
            Some(|s| s.weight)
        } else if any(|s| s.rpm) {
            Some(|s| s.rpm)
        } else if any(|s| s.tpm) {
            Some(|s| s.tpm)
        } else {
            None
        };
        let Some(field) = field else {
            let index = self.random.next_index(candidates.len());
            return candidates[index];
        };
        let share = |handle: u32| {
            let value = field(&deployments[handle as usize].spec);
            if value > 0.0 {
                value
            } else {
                0.0
            }
        };
        let mut total = 0.0;
        for &handle in candidates {
            total += share(handle);
        }
        let target = self.random.next_unit() * total;
        let mut reached = 0.0;
        let mut last = candidates[0];
        for &handle in candidates {
            let value = share(handle);
            if value <= 0.0 {
                continue;
            }
            reached += value;
            last = handle;
            if target < reached {
                return handle;
            }
        }
        last
    }

    /// Lowest score; candidates within `buffer` (a fraction) of the best share the draw.
    fn pick_lowest(&mut self, buffer: f64, score: impl Fn(&Deployment) -> f64) -> u32 {
        let deployments = &self.deployments;
        let candidates = &self.candidates;
        let mut best = f64::INFINITY;
        for &handle in candidates {
            best = best.min(score(&deployments[handle as usize]));
        }
        let limit = best * (1.0 + buffer);
        let ties = candidates
            .iter()
            .filter(|&&h| score(&deployments[h as usize]) <= limit)
            .count();
        let mut chosen = if ties > 1 {
            self.random.next_index(ties)
        } else {
            0
        };
        for &handle in candidates {
            if score(&deployments[handle as usize]) > limit {
                continue;
            }
            if chosen == 0 {
                return handle;
            }
            chosen -= 1;
        }
        candidates[0]
    }

    fn pick_of_two(&mut self, now_ms: f64) -> u32 {
        let count = self.candidates.len();
        let first = self.random.next_index(count);
        let mut second = self.random.next_index(count - 1);
        if second >= first {
            second += 1;
        }
        let a = self.candidates[first];
        let b = self.candidates[second];
        let load = |h: u32| self.deployments[h as usize].load(now_ms);
        if load(b) < load(a) {
            b
        } else {
            a
        }
    }

    /// Picks and takes an in-flight slot; returns the lease number or a negative pick result.
    pub fn acquire(
        &mut self,
        group: u32,
        now_ms: f64,
        request_tokens: f64,
        tag_mask: u32,
        stream: bool,
        exclude: &[u32],
    ) -> f64 {
        if now_ms >= self.next_sweep_ms {
            self.sweep(now_ms);
        }
        let chosen = self.pick(group, now_ms, request_tokens, tag_mask, stream, exclude);
        if chosen < 0.0 {
            return chosen;
        }
        let deployment = chosen as u32;
        self.deployments[deployment as usize].begin(now_ms, request_tokens);
        self.lease_sequence += 1;
        let lease = self.lease_sequence as f64 * LEASE_SCALE + chosen;
        let record = Lease {
            deployment,
            start_ms: now_ms,
            estimated_tokens: request_tokens,
        };
        self.leases.insert(lease as u64, record);
        lease
    }

    /// Ends a lease once: -1 when unknown or already ended, else the new cooldown end or 0.
    #[allow(clippy::too_many_arguments)]
    pub fn release(
        &mut self,
        lease: f64,
        now_ms: f64,
        outcome: Outcome,
        latency_ms: f64,
        first_token_ms: f64,
        output_tokens: f64,
        total_tokens: f64,
        retry_after_ms: f64,
    ) -> f64 {
        if lease.is_nan() || lease < 0.0 {
            return -1.0;
        }
        let Some(record) = self.leases.remove(&(lease as u64)) else {
            return -1.0;
        };
        let rules = FailureRules {
            cooldown_ms: self.config.cooldown_ms,
            allowed_fails: self.config.allowed_fails,
            failure_window_ms: self.config.failure_window_ms,
        };
        let state = &mut self.deployments[record.deployment as usize];
        state.end(record.start_ms);
        state.settle_tokens(
            record.start_ms,
            now_ms,
            record.estimated_tokens,
            total_tokens,
        );
        match outcome {
            Outcome::Success => {
                state.successes += 1.0;
                state.record_latency(latency_ms, output_tokens);
                if first_token_ms > 0.0 {
                    state.first_token.push(first_token_ms);
                }
                0.0
            }
            _ => {
                if outcome == Outcome::Timeout {
                    state.record_latency(latency_ms, 0.0);
                }
                state.fail(now_ms, outcome, &rules, retry_after_ms)
            }
        }
    }

    /// Ends leases older than the lease timeout.
    fn sweep(&mut self, now_ms: f64) {
        let timeout = self.config.lease_timeout_ms;
        self.next_sweep_ms = now_ms + 1f64.max(timeout / 4.0);
        let deployments = &mut self.deployments;
        self.leases.retain(|_, record| {
            let live = record.start_ms + timeout > now_ms;
            if !live {
                deployments[record.deployment as usize].end(record.start_ms);
            }
            live
        });
    }

    /// Metrics of every deployment, [`SNAPSHOT_FIELDS`] values each, in handle order.
    pub fn snapshot(&self, now_ms: f64) -> Vec<f64> {
        let mut rows = vec![0.0; self.deployments.len() * SNAPSHOT_FIELDS];
        for (row, deployment) in rows.chunks_mut(SNAPSHOT_FIELDS).zip(&self.deployments) {
            deployment.write_snapshot(row, now_ms);
        }
        rows
    }
}
