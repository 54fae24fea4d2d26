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

const KIND_SHUFFLE: u8 = 0;
const KIND_LEAST_BUSY: u8 = 1;
const KIND_LATENCY: u8 = 2;
const KIND_COST: u8 = 3;
const KIND_USAGE: u8 = 4;
const KIND_NONE: u8 = 5;

/// What one pick asks for; `minute` is `floor(now_ms / 60000)`.
#[derive(Clone, Copy)]
struct Request {
    now_ms: f64,
    minute: f64,
    request_tokens: f64,
    tag_mask: u32,
    stream: bool,
}

/// What the filter pass of a pick found.
struct Scan {
    members: usize,
    fitting: usize,
    weight_total: f64,
    /// Lowest score among the candidates (INFINITY when none or all NaN).
    best: f64,
    /// How many candidates `ties` lists (strategies without a buffer).
    at_best: usize,
}

#[derive(Clone, Copy, Debug)]
struct Lease {
    deployment: u32,
    start_ms: f64,
    estimated_tokens: f64,
}

/// The deployments of all model groups of one router, and the leases held on them.
///
/// A pick scans the group once: the filters read each deployment's first cache line (its metrics
/// sit behind a pointer), and the same pass records running weight totals or scores in reused
/// buffers, so a weighted draw is a binary search and a lowest-score pick knows its ties; no
/// allocation per pick, at most two random draws. Measured through the Node binding by
/// `packages/core-native/scripts/measure-router-picks.ts`.
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
    /// Per candidate of the current pick: running weight total (`simple_shuffle`).
    sums: Vec<f64>,
    /// Per candidate of the current pick: its score, for the lowest-score strategies.
    scores: Vec<f64>,
    /// Per pick without a buffer: the candidates with the lowest score, in order.
    ties: Vec<u32>,
    /// How many leading entries of `candidates`, `sums` and `scores` the current pick filled.
    count: usize,
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
            sums: Vec::new(),
            scores: Vec::new(),
            ties: Vec::new(),
            count: 0,
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
        self.deployments[deployment as usize].set_healthy(healthy);
    }

    /// Stores the rate limiter's headroom for a deployment (below 0: unknown, not checked).
    pub fn set_headroom(&mut self, deployment: u32, requests: f64, tokens: f64) {
        self.deployments[deployment as usize].set_headroom(requests, tokens);
    }

    /// Extends deployment's cooldown to `until_ms` (a cooldown seen elsewhere, e.g. in Redis);
    /// returns it when it grew, else 0: a live longer cooldown is never shortened.
    pub fn cool_until(&mut self, deployment: u32, until_ms: f64) -> f64 {
        self.deployments[deployment as usize].cool_until(until_ms)
    }

    /// Stores what other processes used of a deployment in `minute` (`floor(ms / 60000)`); rpm/tpm
    /// filters and `usage_based` count it on top of this router's own usage.
    pub fn set_shared_usage(&mut self, deployment: u32, minute: f64, requests: f64, tokens: f64) {
        self.deployments[deployment as usize].set_shared_usage(minute, requests, tokens);
    }

    /// The chosen deployment handle, [`NONE_AVAILABLE`] or [`NONE_FITS_CONTEXT`].
    ///
    /// One pass over the group filters and, for the strategy in use, records each candidate's
    /// share (running sums) or score; the choice then reads only those compact arrays.
    pub fn pick(
        &mut self,
        group: u32,
        now_ms: f64,
        request_tokens: f64,
        tag_mask: u32,
        stream: bool,
        exclude: &[u32],
    ) -> f64 {
        let request = Request {
            now_ms,
            minute: Deployment::minute_of(now_ms),
            request_tokens,
            tag_mask,
            stream,
        };
        let scan = if self.config.power_of_two {
            self.scan::<KIND_NONE>(group, &request, exclude)
        } else {
            match self.config.strategy {
                Strategy::SimpleShuffle => self.scan::<KIND_SHUFFLE>(group, &request, exclude),
                Strategy::LeastBusy => self.scan::<KIND_LEAST_BUSY>(group, &request, exclude),
                Strategy::LatencyBased => self.scan::<KIND_LATENCY>(group, &request, exclude),
                Strategy::CostBased => self.scan::<KIND_COST>(group, &request, exclude),
                Strategy::UsageBased => self.scan::<KIND_USAGE>(group, &request, exclude),
            }
        };
        let candidates = &self.candidates[..self.count];
        if candidates.is_empty() {
            return if scan.members > 0 && scan.fitting == 0 {
                NONE_FITS_CONTEXT
            } else {
                NONE_AVAILABLE
            };
        }
        if candidates.len() == 1 {
            return f64::from(candidates[0]);
        }
        let chosen = if self.config.power_of_two {
            self.pick_of_two(now_ms)
        } else {
            match self.config.strategy {
                Strategy::SimpleShuffle => self.pick_shuffled(scan.weight_total),
                Strategy::LatencyBased => self.pick_lowest(scan.best, self.config.near_best_buffer),
                _ => self.pick_tied(scan.at_best),
            }
        };
        f64::from(chosen)
    }

    /// One pass over `group`: fills `candidates[..count]` with the deployments every filter
    /// admits and, for strategy `KIND` (a constant, so the loop holds no strategy branch), their
    /// running weight totals (`sums`), their scores (`scores`, latency) or the list of those
    /// with the lowest score (`ties`, other strategies). The loop writes every member's slot and advances only past admitted ones, so
    /// admission costs no branch; the buffers keep the size of the largest group (no allocation
    /// or clearing per pick).
    #[inline(always)]
    fn scan<const KIND: u8>(&mut self, group: u32, request: &Request, exclude: &[u32]) -> Scan {
        let members = &self.members[group as usize];
        let size = members.len();
        if self.candidates.len() < size {
            self.candidates.resize(size, 0);
            self.sums.resize(size, 0.0);
            self.scores.resize(size, 0.0);
            self.ties.resize(size, 0);
        }
        let candidates = &mut self.candidates;
        let sums = &mut self.sums;
        let scores = &mut self.scores;
        let ties = &mut self.ties;
        let mut scan = Scan {
            members: size,
            fitting: 0,
            weight_total: 0.0,
            best: f64::INFINITY,
            at_best: 0,
        };
        let Request {
            now_ms,
            minute,
            request_tokens,
            tag_mask,
            stream,
        } = *request;
        let mut count = 0usize;
        for &handle in members {
            let deployment = &self.deployments[handle as usize];
            let window = deployment.context_window;
            let fits = !(window > 0.0 && request_tokens > window);
            scan.fitting += usize::from(fits);
            let mut admitted = fits & deployment.admits(now_ms, minute, request_tokens, tag_mask);
            if !exclude.is_empty() {
                admitted &= !exclude.contains(&handle);
            }
            candidates[count] = handle;
            match KIND {
                KIND_SHUFFLE => {
                    scan.weight_total += deployment.weight * f64::from(u8::from(admitted));
                    sums[count] = scan.weight_total;
                }
                KIND_NONE => {}
                KIND_LATENCY => {
                    let score = deployment.latency_score(stream);
                    scores[count] = score;
                    // NaN scores never count, as `f64::min` ignores them.
                    if admitted && score < scan.best {
                        scan.best = score;
                    }
                }
                _ => {
                    let score = match KIND {
                        KIND_LEAST_BUSY => f64::from(deployment.in_flight),
                        KIND_COST => deployment.cost_per_token,
                        _ => deployment.tokens_in(minute),
                    };
                    // No buffer: the ties are the candidates with exactly the lowest score, kept
                    // in order (a lower score starts the list again; NaN never joins).
                    if admitted {
                        if score < scan.best {
                            scan.best = score;
                            scan.at_best = 0;
                        }
                        if score == scan.best {
                            ties[scan.at_best] = handle;
                            scan.at_best += 1;
                        }
                    }
                }
            }
            count += usize::from(admitted);
        }
        self.count = count;
        scan
    }

    /// By weight, else rpm, else tpm, else uniformly (limits are never negative, so a field is in
    /// use when its total is above 0). By weight, `sums` holds the running totals and a binary
    /// search finds the first candidate whose running total passes the draw; rpm and tpm (used
    /// only when no candidate has a weight) are summed and walked here.
    fn pick_shuffled(&mut self, weight_total: f64) -> u32 {
        let candidates = &self.candidates[..self.count];
        if weight_total > 0.0 {
            let target = self.random.next_unit() * weight_total;
            let sums = &self.sums[..self.count];
            let index = sums.partition_point(|&running| running <= target);
            if index < candidates.len() {
                return candidates[index];
            }
            // The draw rounded up to the total: the last candidate with a weight wins.
            let deployments = &self.deployments;
            let last = candidates
                .iter()
                .rposition(|&handle| deployments[handle as usize].weight > 0.0);
            return candidates[last.unwrap_or(0)];
        }
        let deployments = &self.deployments;
        let total_of = |field: fn(&Deployment) -> f64| -> f64 {
            let mut total = 0.0;
            for &handle in candidates {
                total += field(&deployments[handle as usize]);
            }
            total
        };
        let field: fn(&Deployment) -> f64 = |deployment| deployment.rpm;
        let (field, total) = match total_of(field) {
            total if total > 0.0 => (field, total),
            _ => {
                let field: fn(&Deployment) -> f64 = |deployment| deployment.tpm;
                (field, total_of(field))
            }
        };
        if total <= 0.0 {
            let index = self.random.next_index(candidates.len());
            return candidates[index];
        }
        let target = self.random.next_unit() * total;
        let mut reached = 0.0;
        let mut last = candidates[0];
        for &handle in candidates {
            let value = field(&deployments[handle as usize]);
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

    /// Lowest score (`scores`, lowest `best`); candidates within `buffer` (a fraction) of the
    /// best share the draw.
    fn pick_lowest(&mut self, best: f64, buffer: f64) -> u32 {
        let scores = &self.scores[..self.count];
        let limit = best * (1.0 + buffer);
        let ties = scores.iter().filter(|&&score| score <= limit).count();
        let mut chosen = if ties > 1 {
            self.random.next_index(ties)
        } else {
            0
        };
        for (index, &score) in scores.iter().enumerate() {
            if score > limit {
                continue;
            }
            if chosen == 0 {
                return self.candidates[index];
            }
            chosen -= 1;
        }
        self.candidates[0]
    }

    /// Lowest score without a buffer: one of the `count` ties the filter pass listed, drawn as
    /// [`Self::pick_lowest`] draws (the first candidate when every score was NaN).
    fn pick_tied(&mut self, count: usize) -> u32 {
        match count {
            0 => self.candidates[0],
            1 => self.ties[0],
            _ => {
                let index = self.random.next_index(count);
                self.ties[index]
            }
        }
    }

    fn pick_of_two(&mut self, now_ms: f64) -> u32 {
        let count = self.count;
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
                state.metrics.successes += 1.0;
                state.record_latency(latency_ms, output_tokens);
                if first_token_ms > 0.0 {
                    state.metrics.first_token.push(first_token_ms);
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
