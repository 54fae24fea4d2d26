use std::sync::{Mutex, MutexGuard};

use rustc_hash::FxHashMap;

use super::deployment::{Deployment, DeploymentSpec, Outcome, SNAPSHOT_FIELDS};
use super::group::{Group, Request};
use super::reports::REPORT_FIELDS;
use super::slots::Slots;
use super::spin::SpinLock;

pub use super::config::{
    RouterConfig, Strategy, LEASE_SCALE, MAX_TAGS, NONE_AVAILABLE, NONE_FITS_CONTEXT,
};

/// Where a deployment lives: its group and its index in the group.
#[derive(Clone, Copy, Debug)]
struct Place {
    group: u32,
    local: u32,
}

/// One group behind its own lock, alone on its cache lines (two, for the adjacent-line
/// prefetcher), so locking one group never touches memory another group's users write.
#[derive(Debug)]
#[repr(align(128))]
struct GroupCell(SpinLock<Group>);

/// What only registration reads and writes: names of groups, tags and deployment ids.
#[derive(Debug, Default)]
struct Names {
    groups: FxHashMap<String, u32>,
    tags: FxHashMap<String, u32>,
    ids: FxHashMap<String, u32>,
}

/// The model groups of one router, shared by every thread that opens it.
///
/// State is striped by group: each group has its own lock, random stream, lease table and pick
/// buffers (see [`Group`]), so threads routing different models do not contend, and a pick or a
/// lease locks exactly one group. The tables that map handles to groups and deployments are
/// append-only and read without a lock; names (groups, tags, ids) sit behind a registration lock
/// that no pick takes. In-flight counts, usage and cooldowns stay exact: each deployment's
/// numbers change only under its group's lock. A snapshot locks the groups one after another.
#[derive(Debug)]
pub struct Router {
    config: RouterConfig,
    names: Mutex<Names>,
    groups: Slots<GroupCell>,
    places: Slots<Place>,
    group_count: std::sync::atomic::AtomicU32,
    deployment_count: std::sync::atomic::AtomicU32,
    instance: u64,
}

/// A number unlikely to repeat in any other process: std's hasher keys are drawn at random per
/// process (and per call after that), so a hash of nothing differs from process to process.
fn random_instance() -> u64 {
    use std::hash::BuildHasher;
    std::collections::hash_map::RandomState::new().hash_one(std::process::id())
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while a lock was held leaves plain numbers behind; they stay usable.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Router {
    /// An empty router.
    pub fn new(config: RouterConfig) -> Self {
        Self {
            config,
            names: Mutex::new(Names::default()),
            groups: Slots::new(),
            places: Slots::new(),
            group_count: 0.into(),
            deployment_count: 0.into(),
            instance: random_instance(),
        }
    }

    /// The settings the router was built with.
    pub fn config(&self) -> &RouterConfig {
        &self.config
    }

    /// Handle of the group `name`, created on first use.
    pub fn group(&self, name: &str) -> u32 {
        let mut names = lock(&self.names);
        if let Some(&handle) = names.groups.get(name) {
            return handle;
        }
        let handle = names.groups.len() as u32;
        let cell = GroupCell(SpinLock::new(Group::new(self.config.seed, handle)));
        assert!(self.groups.set(handle as usize, cell), "group table full");
        names.groups.insert(name.to_string(), handle);
        self.group_count
            .store(handle + 1, std::sync::atomic::Ordering::Release);
        handle
    }

    /// Bit index of tag `name`, created on first use; `None` past [`MAX_TAGS`].
    pub fn tag(&self, name: &str) -> Option<u32> {
        let mut names = lock(&self.names);
        if let Some(&bit) = names.tags.get(name) {
            return Some(bit);
        }
        if names.tags.len() >= MAX_TAGS {
            return None;
        }
        let bit = names.tags.len() as u32;
        names.tags.insert(name.to_string(), bit);
        Some(bit)
    }

    /// True when `group` is a handle of this router.
    pub fn has_group(&self, group: u32) -> bool {
        self.groups.get(group as usize).is_some()
    }

    /// True when `deployment` is a handle of this router.
    pub fn has_deployment(&self, deployment: u32) -> bool {
        self.places.get(deployment as usize).is_some()
    }

    /// Number of deployments.
    pub fn deployment_count(&self) -> usize {
        self.deployment_count
            .load(std::sync::atomic::Ordering::Acquire) as usize
    }

    /// Registers deployment `id` in `group`, or returns the handle of the one with this id.
    /// Precondition: `group` is a handle of this router and fewer than `LEASE_SCALE - 1`
    /// deployments exist.
    pub fn add_deployment(&self, group: u32, id: &str, spec: DeploymentSpec) -> u32 {
        let mut names = lock(&self.names);
        if let Some(&handle) = names.ids.get(id) {
            return handle;
        }
        let handle = names.ids.len() as u32;
        let local = self
            .cell(group)
            .0
            .lock()
            .push(handle, spec, self.config.latency_window);
        assert!(
            self.places.set(handle as usize, Place { group, local }),
            "deployment table full"
        );
        names.ids.insert(id.to_string(), handle);
        self.deployment_count
            .store(handle + 1, std::sync::atomic::Ordering::Release);
        handle
    }

    fn cell(&self, group: u32) -> &GroupCell {
        self.groups
            .get(group as usize)
            .expect("callers check group handles")
    }

    /// Runs `body` on deployment `deployment` with its group locked.
    fn on_deployment<T>(&self, deployment: u32, body: impl FnOnce(&mut Deployment) -> T) -> T {
        let place = *self
            .places
            .get(deployment as usize)
            .expect("callers check deployment handles");
        let mut group = self.cell(place.group).0.lock();
        body(group.deployment(place.local))
    }

    /// Marks a deployment healthy or not (an unhealthy one is never picked).
    pub fn set_healthy(&self, deployment: u32, healthy: bool) {
        self.on_deployment(deployment, |state| state.set_healthy(healthy));
    }

    /// Stores the rate limiter's headroom for a deployment (below 0: unknown, not checked).
    pub fn set_headroom(&self, deployment: u32, requests: f64, tokens: f64) {
        self.on_deployment(deployment, |state| state.set_headroom(requests, tokens));
    }

    /// Extends deployment's cooldown to `until_ms` (a cooldown seen elsewhere, e.g. in Redis);
    /// returns it when it grew, else 0: a live longer cooldown is never shortened.
    pub fn cool_until(&self, deployment: u32, until_ms: f64) -> f64 {
        self.on_deployment(deployment, |state| state.cool_until(until_ms))
    }

    /// Stores what other processes used of a deployment in `minute` (`floor(ms / 60000)`); rpm/tpm
    /// filters and `usage_based` count it on top of this router's own usage.
    pub fn set_shared_usage(&self, deployment: u32, minute: f64, requests: f64, tokens: f64) {
        self.on_deployment(deployment, |state| {
            state.set_shared_usage(minute, requests, tokens)
        });
    }

    /// A report of this process's usage of a deployment for other processes:
    /// `[number, requests and tokens of minute, requests and tokens of minute - 1]`.
    pub fn report(&self, deployment: u32, minute: f64) -> [f64; REPORT_FIELDS] {
        self.on_deployment(deployment, |state| state.report(minute))
    }

    /// A number drawn when the router was built, different in every process: it names this
    /// process's reports in Redis.
    pub fn instance(&self) -> u64 {
        self.instance
    }

    fn request(now_ms: f64, request_tokens: f64, tag_mask: u32, stream: bool) -> Request {
        Request {
            now_ms,
            minute: Deployment::minute_of(now_ms),
            request_tokens,
            tag_mask,
            stream,
        }
    }

    /// The chosen deployment handle, [`NONE_AVAILABLE`] or [`NONE_FITS_CONTEXT`]; locks only
    /// `group`. Precondition: `group` is a handle of this router.
    pub fn pick(
        &self,
        group: u32,
        now_ms: f64,
        request_tokens: f64,
        tag_mask: u32,
        stream: bool,
        exclude: &[u32],
    ) -> f64 {
        let request = Self::request(now_ms, request_tokens, tag_mask, stream);
        self.cell(group)
            .0
            .lock()
            .pick(&self.config, &request, exclude)
    }

    /// Picks and takes an in-flight slot; returns the lease number (`sequence * LEASE_SCALE +
    /// deployment`, the sequence counted per group) or a negative pick result. Locks only
    /// `group`, and first ends that group's leases older than the lease timeout when a sweep is
    /// due. Precondition: `group` is a handle of this router.
    pub fn acquire(
        &self,
        group: u32,
        now_ms: f64,
        request_tokens: f64,
        tag_mask: u32,
        stream: bool,
        exclude: &[u32],
    ) -> f64 {
        let request = Self::request(now_ms, request_tokens, tag_mask, stream);
        self.cell(group)
            .0
            .lock()
            .acquire(&self.config, &request, exclude)
    }

    /// Ends a lease once: -1 when unknown or already ended, else the new cooldown end or 0.
    /// Locks only the group of the lease's deployment.
    #[allow(clippy::too_many_arguments)]
    pub fn release(
        &self,
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
        let number = lease as u64;
        let deployment = (number % LEASE_SCALE as u64) as usize;
        let Some(place) = self.places.get(deployment) else {
            return -1.0;
        };
        self.cell(place.group).0.lock().release(
            &self.config,
            number,
            now_ms,
            outcome,
            latency_ms,
            first_token_ms,
            output_tokens,
            total_tokens,
            retry_after_ms,
            place.local,
        )
    }

    /// Metrics of every deployment, [`SNAPSHOT_FIELDS`] values each, in handle order. Groups are
    /// read one after another, each under its lock.
    pub fn snapshot(&self, now_ms: f64) -> Vec<f64> {
        let mut rows = vec![0.0; self.deployment_count() * SNAPSHOT_FIELDS];
        let groups = self.group_count.load(std::sync::atomic::Ordering::Acquire);
        for group in 0..groups {
            self.cell(group).0.lock().write_snapshot(&mut rows, now_ms);
        }
        rows
    }
}

#[cfg(test)]
#[path = "router_tests.rs"]
mod tests;
