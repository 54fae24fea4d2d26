use super::deployment::{Deployment, DeploymentSpec, FailureRules, Outcome, SNAPSHOT_FIELDS};
use super::leases::{Lease, LeaseTable};
use super::lines::LineBuffer;
use super::rng::SeededRandom;
mod choose;

use super::router::{RouterConfig, Strategy, LEASE_SCALE, NONE_AVAILABLE, NONE_FITS_CONTEXT};

const KIND_SHUFFLE: u8 = 0;
const KIND_LEAST_BUSY: u8 = 1;
const KIND_LATENCY: u8 = 2;
const KIND_COST: u8 = 3;
const KIND_USAGE: u8 = 4;
const KIND_NONE: u8 = 5;

/// Added to the router seed once per group handle: group `g` draws from the mulberry32 stream
/// seeded `seed + g * GROUP_SEED_STEP` (wrapping), so group 0 keeps the router seed's stream.
pub const GROUP_SEED_STEP: u32 = 0x9e37_79b9;

/// What one pick asks for; `minute` is `floor(now_ms / 60000)`.
#[derive(Clone, Copy)]
pub(crate) struct Request {
    pub(crate) now_ms: f64,
    pub(crate) minute: f64,
    pub(crate) request_tokens: f64,
    pub(crate) tag_mask: u32,
    pub(crate) stream: bool,
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

/// One model group: its deployments, stored inline in registration order, the leases held on
/// them, its own random stream and its own pick buffers. A router keeps each group behind its
/// own lock on its own cache lines, and the group's buffers fill whole lines ([`LineBuffer`]),
/// so threads routing different models never wait for or write to the same memory.
///
/// A pick scans the group once: the filters read each deployment's first cache line (its metrics
/// sit behind a pointer), and the same pass records running weight totals or scores in reused
/// buffers, so a weighted draw is a binary search and a lowest-score pick knows its ties; no
/// allocation per pick, at most two random draws.
///
/// The fields every acquire writes (random state, lease sequence, lease table header) come first,
/// so with the lock word before them they share one cache line (`repr(C)`).
#[derive(Debug)]
#[repr(C)]
pub(crate) struct Group {
    random: SeededRandom,
    lease_sequence: u64,
    next_sweep_ms: f64,
    leases: LeaseTable,
    deployments: Vec<Deployment>,
    /// Router-wide handle of each deployment, by index in the group.
    handles: Vec<u32>,
}

/// A thread's pick buffers, reused by every pick it makes on any group: a pick fills them and
/// reads them back under the group's lock, so they never need to be shared, and keeping them per
/// thread keeps them in that core's cache instead of moving between cores with the group.
struct Scratch {
    /// Indexes (in the group) of the candidates of the current pick.
    candidates: LineBuffer<u32>,
    /// Per candidate of the current pick: running weight total (`simple_shuffle`).
    sums: LineBuffer<f64>,
    /// Per candidate of the current pick: its score, for the lowest-score strategies.
    scores: LineBuffer<f64>,
    /// Per pick without a buffer: the candidates with the lowest score, in order.
    ties: LineBuffer<u32>,
    /// How many leading entries of `candidates`, `sums` and `scores` the current pick filled.
    count: usize,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch {
        candidates: LineBuffer::new(),
        sums: LineBuffer::new(),
        scores: LineBuffer::new(),
        ties: LineBuffer::new(),
        count: 0,
    });
}

impl Group {
    /// The empty group with handle `handle` of a router seeded `seed`.
    pub(crate) fn new(seed: u32, handle: u32) -> Self {
        Self {
            random: SeededRandom::new(seed.wrapping_add(handle.wrapping_mul(GROUP_SEED_STEP))),
            deployments: Vec::new(),
            handles: Vec::new(),
            leases: LeaseTable::new(),
            lease_sequence: 0,
            next_sweep_ms: 0.0,
        }
    }

    /// Appends a deployment with router-wide handle `handle`; returns its index in the group.
    pub(crate) fn push(&mut self, handle: u32, spec: DeploymentSpec, window: usize) -> u32 {
        self.deployments.push(Deployment::new(spec, window));
        self.handles.push(handle);
        (self.deployments.len() - 1) as u32
    }

    /// The deployment at index `local` of the group.
    pub(crate) fn deployment(&mut self, local: u32) -> &mut Deployment {
        &mut self.deployments[local as usize]
    }

    /// The chosen deployment's router-wide handle, [`NONE_AVAILABLE`] or [`NONE_FITS_CONTEXT`].
    pub(crate) fn pick(
        &mut self,
        config: &RouterConfig,
        request: &Request,
        exclude: &[u32],
    ) -> f64 {
        match self.pick_local(config, request, exclude) {
            Ok(local) => f64::from(self.handles[local as usize]),
            Err(code) => code,
        }
    }

    /// As [`Self::pick`], answering the index in the group.
    fn pick_local(
        &mut self,
        config: &RouterConfig,
        request: &Request,
        exclude: &[u32],
    ) -> Result<u32, f64> {
        SCRATCH.with(|scratch| self.pick_with(&mut scratch.borrow_mut(), config, request, exclude))
    }

    /// As [`Self::pick_local`], with this thread's pick buffers.
    fn pick_with(
        &mut self,
        scratch: &mut Scratch,
        config: &RouterConfig,
        request: &Request,
        exclude: &[u32],
    ) -> Result<u32, f64> {
        let scan = if config.power_of_two {
            self.scan::<KIND_NONE>(scratch, request, exclude)
        } else {
            match config.strategy {
                Strategy::SimpleShuffle => self.scan::<KIND_SHUFFLE>(scratch, request, exclude),
                Strategy::LeastBusy => self.scan::<KIND_LEAST_BUSY>(scratch, request, exclude),
                Strategy::LatencyBased => self.scan::<KIND_LATENCY>(scratch, request, exclude),
                Strategy::CostBased => self.scan::<KIND_COST>(scratch, request, exclude),
                Strategy::UsageBased => self.scan::<KIND_USAGE>(scratch, request, exclude),
            }
        };
        let candidates = &scratch.candidates[..scratch.count];
        if candidates.is_empty() {
            return Err(if scan.members > 0 && scan.fitting == 0 {
                NONE_FITS_CONTEXT
            } else {
                NONE_AVAILABLE
            });
        }
        if candidates.len() == 1 {
            return Ok(candidates[0]);
        }
        Ok(if config.power_of_two {
            self.pick_of_two(scratch, request.now_ms)
        } else {
            match config.strategy {
                Strategy::SimpleShuffle => self.pick_shuffled(scratch, scan.weight_total),
                Strategy::LatencyBased => {
                    self.pick_lowest(scratch, scan.best, config.near_best_buffer)
                }
                _ => self.pick_tied(scratch, scan.at_best),
            }
        })
    }

    /// One pass over the group: fills `candidates[..count]` with the deployments every filter
    /// admits and, for strategy `KIND` (a constant, so the loop holds no strategy branch), their
    /// running weight totals (`sums`), their scores (`scores`, latency) or the list of those
    /// with the lowest score (`ties`, other strategies). The loop writes every member's slot and
    /// advances only past admitted ones, so admission costs no branch; the buffers keep the size
    /// of the group (no allocation or clearing per pick).
    #[inline(always)]
    fn scan<const KIND: u8>(
        &self,
        scratch: &mut Scratch,
        request: &Request,
        exclude: &[u32],
    ) -> Scan {
        let size = self.deployments.len();
        if scratch.candidates.len() < size {
            scratch.candidates.ensure(size);
            scratch.sums.ensure(size);
            scratch.scores.ensure(size);
            scratch.ties.ensure(size);
        }
        let candidates = &mut scratch.candidates[..size];
        let sums = &mut scratch.sums[..size];
        let scores = &mut scratch.scores[..size];
        let ties = &mut scratch.ties[..size];
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
        for (local, deployment) in self.deployments.iter().enumerate() {
            let window = deployment.context_window;
            let fits = !(window > 0.0 && request_tokens > window);
            scan.fitting += usize::from(fits);
            let mut admitted = fits & deployment.admits(now_ms, minute, request_tokens, tag_mask);
            if !exclude.is_empty() {
                admitted &= !exclude.contains(&self.handles[local]);
            }
            let local = local as u32;
            candidates[count] = local;
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
                            ties[scan.at_best] = local;
                            scan.at_best += 1;
                        }
                    }
                }
            }
            count += usize::from(admitted);
        }
        scratch.count = count;
        scan
    }

    /// Picks and takes an in-flight slot; returns the lease number or a negative pick result.
    /// Sweeps this group's expired leases first when due.
    pub(crate) fn acquire(
        &mut self,
        config: &RouterConfig,
        request: &Request,
        exclude: &[u32],
    ) -> f64 {
        let now_ms = request.now_ms;
        self.leases
            .prefetch((self.lease_sequence + 1) * LEASE_SCALE as u64);
        if now_ms >= self.next_sweep_ms {
            self.sweep(now_ms, config.lease_timeout_ms);
        }
        let local = match self.pick_local(config, request, exclude) {
            Ok(local) => local,
            Err(code) => return code,
        };
        self.deployments[local as usize].begin(now_ms, request.request_tokens);
        self.lease_sequence += 1;
        let lease =
            self.lease_sequence as f64 * LEASE_SCALE + f64::from(self.handles[local as usize]);
        let record = Lease {
            local,
            start_ms: now_ms,
            estimated_tokens: request.request_tokens,
        };
        self.leases.insert(lease as u64, record);
        lease
    }

    /// Ends lease `lease` (one of this group's) once: -1 when unknown or already ended, else the
    /// new cooldown end or 0. `local_hint`, the index of the lease's deployment (from its number),
    /// only starts fetching its lines early.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn release(
        &mut self,
        config: &RouterConfig,
        lease: u64,
        now_ms: f64,
        outcome: Outcome,
        latency_ms: f64,
        first_token_ms: f64,
        output_tokens: f64,
        total_tokens: f64,
        retry_after_ms: f64,
        local_hint: u32,
    ) -> f64 {
        self.leases.prefetch(lease);
        if let Some(deployment) = self.deployments.get(local_hint as usize) {
            deployment.prefetch_release();
        }
        let Some(record) = self.leases.remove(lease) else {
            return -1.0;
        };
        let rules = FailureRules {
            cooldown_ms: config.cooldown_ms,
            allowed_fails: config.allowed_fails,
            failure_window_ms: config.failure_window_ms,
        };
        let state = &mut self.deployments[record.local as usize];
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

    /// Ends this group's leases older than `timeout_ms`.
    fn sweep(&mut self, now_ms: f64, timeout_ms: f64) {
        self.next_sweep_ms = now_ms + 1f64.max(timeout_ms / 4.0);
        let deployments = &mut self.deployments;
        self.leases.retain(|record| {
            let live = record.start_ms + timeout_ms > now_ms;
            if !live {
                deployments[record.local as usize].end(record.start_ms);
            }
            live
        });
    }

    /// Writes each deployment's metrics into its row of `rows` (rows by router-wide handle,
    /// [`SNAPSHOT_FIELDS`] values each).
    pub(crate) fn write_snapshot(&self, rows: &mut [f64], now_ms: f64) {
        for (deployment, &handle) in self.deployments.iter().zip(&self.handles) {
            let start = handle as usize * SNAPSHOT_FIELDS;
            if let Some(row) = rows.get_mut(start..start + SNAPSHOT_FIELDS) {
                deployment.write_snapshot(row, now_ms);
            }
        }
    }
}
