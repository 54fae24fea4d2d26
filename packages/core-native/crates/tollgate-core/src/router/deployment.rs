use std::collections::VecDeque;

use super::lines::prefetch_write;
use super::reports::{Reports, REPORT_FIELDS};
use super::window::{CallWindow, SampleWindow};

mod results;

pub(crate) use super::deployment_spec::FailureRules;
pub use super::deployment_spec::{DeploymentSpec, Outcome};

const MINUTE_MS: f64 = 60_000.0;

/// Number of values per deployment in a snapshot: in flight, calls, successes, errors, cooling
/// until (ms, 0 when not cooling), latency p50/p95/p99/mean (ms), mean time to first token (ms),
/// tokens per second, requests and tokens this minute, healthy (1/0).
pub const SNAPSHOT_FIELDS: usize = 14;

/// The slow-changing metrics of a deployment, kept apart from the fields a pick reads so that a
/// scan over a group touches one compact row per deployment. Aligned to a cache line, so its
/// allocation shares no line with another deployment's (maybe another group's).
#[derive(Debug)]
#[repr(C, align(64))]
pub(crate) struct Metrics {
    /// Latency, ms per output token and output tokens of recent calls (the first line).
    pub(crate) calls: CallWindow,
    pub(crate) first_token: SampleWindow,
    failures: VecDeque<f64>,
}

/// Bits of [`Deployment::blocked`]: reasons a deployment takes no request at all right now.
const UNHEALTHY: u8 = 1;
const NO_SLOT: u8 = 2;
const NO_HEADROOM: u8 = 4;
/// An rpm below 1 admits nothing.
const RPM_BELOW_ONE: u8 = 8;

/// Zero-sized: in a `repr(C)` struct, the field after it starts a new cache line.
#[derive(Debug, Default, Clone, Copy)]
#[repr(C, align(64))]
struct NewLine;

/// One deployment in three cache lines: first what a pick's filters read (written only when a
/// value changes: cooldowns, health, the derived rpm state), then what every acquire and release
/// writes (in flight, this minute's usage, call counts), then the rest; its sample windows sit
/// behind a pointer. So a scan reads lines that stay clean in every core's cache, and a lease
/// moves one line of its deployment between cores. Limits of 0 mean none; usage counts belong
/// to minute `usage_minute` (own) and `shared_minute` (other processes'). Derived fields
/// (`blocked`, `count_minute`, `count_full`) are kept up to date by every method that changes
/// what they derive from.
#[derive(Debug)]
#[repr(C, align(64))]
pub(crate) struct Deployment {
    pub(crate) cooling_until_ms: f64,
    pub(crate) context_window: f64,
    pub(crate) tpm: f64,
    pub(crate) weight: f64,
    /// The latest minute with counts, `max(usage_minute, shared_minute)`.
    count_minute: f64,
    pub(crate) headroom_tokens: f64,
    pub(crate) rpm: f64,
    pub(crate) tag_mask: u32,
    pub(crate) healthy: bool,
    blocked: u8,
    /// True when the counts of `count_minute` leave no request under the rpm.
    count_full: bool,
    written: NewLine,
    pub(crate) in_flight: u32,
    usage_minute: f64,
    usage_requests: f64,
    usage_tokens: f64,
    /// Sum of the start times of the calls in flight.
    start_sum: f64,
    calls: f64,
    pub(crate) successes: f64,
    errors: f64,
    rest: NewLine,
    pub(crate) max_in_flight: f64,
    shared_minute: f64,
    shared_requests: f64,
    shared_tokens: f64,
    headroom_requests: f64,
    pub(crate) cost_per_token: f64,
    /// Reports of own usage to other processes.
    reports: Reports,
    pub(crate) metrics: Box<Metrics>,
}

impl Deployment {
    pub(crate) fn new(spec: DeploymentSpec, window: usize) -> Self {
        let unknown = spec.input_cost_per_token < 0.0 || spec.output_cost_per_token < 0.0;
        Self {
            cooling_until_ms: 0.0,
            context_window: spec.context_window,
            tpm: spec.tpm,
            weight: spec.weight,
            count_minute: -1.0,
            headroom_tokens: -1.0,
            tag_mask: spec.tag_mask,
            in_flight: 0,
            healthy: true,
            blocked: if spec.rpm > 0.0 && spec.rpm < 1.0 {
                RPM_BELOW_ONE
            } else {
                0
            },
            count_full: false,
            rpm: spec.rpm,
            written: NewLine,
            usage_minute: -1.0,
            usage_requests: 0.0,
            usage_tokens: 0.0,
            start_sum: 0.0,
            calls: 0.0,
            successes: 0.0,
            errors: 0.0,
            rest: NewLine,
            max_in_flight: spec.max_in_flight,
            shared_minute: -1.0,
            shared_requests: 0.0,
            shared_tokens: 0.0,
            headroom_requests: -1.0,
            cost_per_token: if unknown {
                f64::INFINITY
            } else {
                spec.input_cost_per_token + spec.output_cost_per_token
            },
            reports: Reports::new(),
            metrics: Box::new(Metrics {
                calls: CallWindow::new(window),
                first_token: SampleWindow::new(window),
                failures: VecDeque::new(),
            }),
        }
    }

    /// Starts fetching the lines a release writes: its in-flight line and its call window header.
    #[inline(always)]
    pub(crate) fn prefetch_release(&self) {
        prefetch_write(&self.in_flight);
        prefetch_write(&*self.metrics);
    }

    /// Requests counted in `minute` ([`Self::minute_of`]), this process's and other processes'.
    pub(crate) fn requests_in(&self, minute: f64) -> f64 {
        let own = if self.usage_minute == minute {
            self.usage_requests
        } else {
            0.0
        };
        let shared = if self.shared_minute == minute {
            self.shared_requests
        } else {
            0.0
        };
        own + shared
    }

    /// Tokens counted in `minute` ([`Self::minute_of`]), this process's and other processes'.
    pub(crate) fn tokens_in(&self, minute: f64) -> f64 {
        let own = if self.usage_minute == minute {
            self.usage_tokens
        } else {
            0.0
        };
        let shared = if self.shared_minute == minute {
            self.shared_tokens
        } else {
            0.0
        };
        own + shared
    }

    /// The minute number of `now_ms`, computed once per pick rather than once per deployment.
    pub(crate) fn minute_of(now_ms: f64) -> f64 {
        (now_ms / MINUTE_MS).floor()
    }

    /// Stores other processes' usage in `minute` (replacing what was stored).
    pub(crate) fn set_shared_usage(&mut self, minute: f64, requests: f64, tokens: f64) {
        self.shared_minute = minute;
        self.shared_requests = requests.max(0.0);
        self.shared_tokens = tokens.max(0.0);
        self.recount();
    }

    /// A report of own usage for other processes: see [`Reports::take`].
    pub(crate) fn report(&mut self, minute: f64) -> [f64; REPORT_FIELDS] {
        let usage = (self.usage_minute, self.usage_requests, self.usage_tokens);
        self.reports.take(minute, usage)
    }

    /// Marks the deployment healthy or not.
    pub(crate) fn set_healthy(&mut self, healthy: bool) {
        self.healthy = healthy;
        self.set_blocked(UNHEALTHY, !healthy);
    }

    /// Stores the rate limiter's headroom (below 0: unknown, not checked).
    pub(crate) fn set_headroom(&mut self, requests: f64, tokens: f64) {
        self.headroom_requests = requests;
        // Written only on change: it shares the line every pick reads.
        if self.headroom_tokens.to_bits() != tokens.to_bits() {
            self.headroom_tokens = tokens;
        }
        self.set_blocked(NO_HEADROOM, (0.0..1.0).contains(&requests));
    }

    /// Sets or clears `bit`, writing only when it changes (the field shares the line every
    /// pick reads).
    fn set_blocked(&mut self, bit: u8, on: bool) {
        let blocked = if on {
            self.blocked | bit
        } else {
            self.blocked & !bit
        };
        if blocked != self.blocked {
            self.blocked = blocked;
        }
    }

    /// Refreshes `count_minute`/`count_full` after the usage counts changed.
    fn recount(&mut self) {
        // Written only on change: these share the line every pick reads.
        let minute = self.usage_minute.max(self.shared_minute);
        if self.count_minute.to_bits() != minute.to_bits() {
            self.count_minute = minute;
        }
        let full = self.rpm > 0.0 && self.requests_in(minute) + 1.0 > self.rpm;
        if self.count_full != full {
            self.count_full = full;
        }
    }

    /// The rpm filter: false when one more request in `minute` would pass the rpm. Reads the
    /// derived `count_*` fields for the current or a newer minute, counts otherwise.
    #[inline(always)]
    fn requests_fit(&self, minute: f64) -> bool {
        if minute == self.count_minute {
            !self.count_full
        } else if minute > self.count_minute {
            // No counts yet in `minute`: only an rpm below 1 refuses, and `blocked` holds that.
            true
        } else {
            !(self.rpm > 0.0 && self.requests_in(minute) + 1.0 > self.rpm)
        }
    }

    /// Extends the cooldown to `until_ms`; returns it when it grew, else 0 (never shortens).
    pub(crate) fn cool_until(&mut self, until_ms: f64) -> f64 {
        if until_ms.is_nan() || until_ms <= self.cooling_until_ms {
            return 0.0;
        }
        self.cooling_until_ms = until_ms;
        until_ms
    }

    /// True when every filter except the context window lets this deployment take the request;
    /// `minute` is [`Self::minute_of`] `now_ms`. Evaluated without short cuts (every test runs,
    /// joined by `&`), which costs less than a branch per test in a scan over a group.
    /// The negated comparisons keep what the early-return form did for NaN figures.
    #[inline(always)]
    #[allow(clippy::neg_cmp_op_on_partial_ord)]
    pub(crate) fn admits(
        &self,
        now_ms: f64,
        minute: f64,
        request_tokens: f64,
        tag_mask: u32,
    ) -> bool {
        let open = self.blocked == 0;
        let cool = !(self.cooling_until_ms > now_ms);
        let tags = self.tag_mask & tag_mask == tag_mask;
        let requests = self.requests_fit(minute);
        let tokens = !(self.tpm > 0.0 && self.tokens_in(minute) + request_tokens > self.tpm);
        let headroom_tokens =
            !(self.headroom_tokens >= 0.0 && self.headroom_tokens < request_tokens);
        open & cool & tags & requests & tokens & headroom_tokens
    }

    /// Mean time to first token for streams when known, else mean milliseconds per output token.
    pub(crate) fn latency_score(&self, stream: bool) -> f64 {
        let metrics = &self.metrics;
        if stream && metrics.first_token.count > 0 {
            metrics.first_token.mean()
        } else {
            metrics.calls.ms_per_token_mean()
        }
    }

    /// Calls in flight plus how many mean latencies they have been running in total.
    pub(crate) fn load(&self, now_ms: f64) -> f64 {
        let metrics = &self.metrics;
        let start_sum = self.start_sum;
        let mean = if metrics.calls.count == 0 {
            1.0
        } else {
            1f64.max(metrics.calls.latency_mean())
        };
        let in_flight = f64::from(self.in_flight);
        let running_ms = in_flight * now_ms - start_sum;
        in_flight + running_ms / mean
    }

    pub(crate) fn begin(&mut self, now_ms: f64, request_tokens: f64) {
        self.in_flight += 1;
        self.start_sum += now_ms;
        self.calls += 1.0;
        let minute = (now_ms / MINUTE_MS).floor();
        if self.usage_minute != minute {
            if self.usage_minute >= 0.0 {
                let (requests, tokens) = (self.usage_requests, self.usage_tokens);
                self.reports.end_minute(self.usage_minute, requests, tokens);
            }
            self.usage_minute = minute;
            self.usage_requests = 0.0;
            self.usage_tokens = 0.0;
        }
        self.usage_requests += 1.0;
        self.usage_tokens += request_tokens;
        self.recount();
        self.reslot();
    }

    /// Refreshes the no-slot bit after `in_flight` changed.
    fn reslot(&mut self) {
        let full = self.max_in_flight > 0.0 && f64::from(self.in_flight) >= self.max_in_flight;
        self.set_blocked(NO_SLOT, full);
    }

    /// Frees one in-flight slot taken at `start_ms`; never goes below zero.
    pub(crate) fn end(&mut self, start_ms: f64) {
        if self.in_flight == 0 {
            return;
        }
        self.in_flight -= 1;
        self.start_sum -= start_ms;
        if self.in_flight == 0 {
            self.start_sum = 0.0;
        }
        self.reslot();
    }

    /// Replaces the token estimate of a call started in this minute by its real total.
    pub(crate) fn settle_tokens(&mut self, start_ms: f64, now_ms: f64, estimated: f64, total: f64) {
        let minute = (now_ms / MINUTE_MS).floor();
        if total < 0.0 || (start_ms / MINUTE_MS).floor() != minute || self.usage_minute != minute {
            return;
        }
        self.usage_tokens = 0f64.max(self.usage_tokens + total - estimated);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::offset_of;

    #[test]
    fn filters_read_one_line_and_a_lease_writes_the_next() {
        assert_eq!(align_of::<Deployment>(), 64);
        for read in [
            offset_of!(Deployment, cooling_until_ms),
            offset_of!(Deployment, weight),
            offset_of!(Deployment, count_minute),
            offset_of!(Deployment, headroom_tokens),
            offset_of!(Deployment, tag_mask),
            offset_of!(Deployment, blocked),
            offset_of!(Deployment, count_full),
        ] {
            assert!(read < 64, "a filter field at offset {read}");
        }
        for written in [
            offset_of!(Deployment, in_flight),
            offset_of!(Deployment, usage_minute),
            offset_of!(Deployment, usage_tokens),
            offset_of!(Deployment, start_sum),
            offset_of!(Deployment, successes),
            offset_of!(Deployment, errors),
        ] {
            assert!(
                (64..128).contains(&written),
                "a lease field at offset {written}"
            );
        }
    }

    #[test]
    fn unchanged_derived_state_reads_back_after_a_lease() {
        let spec = DeploymentSpec {
            rpm: 2.0,
            max_in_flight: 1.0,
            ..DeploymentSpec::default()
        };
        let mut deployment = Deployment::new(spec, 4);
        deployment.begin(60_000.0, 5.0);
        assert_eq!(deployment.blocked, NO_SLOT);
        assert_eq!(
            (deployment.count_minute, deployment.count_full),
            (1.0, false)
        );
        deployment.end(60_000.0);
        deployment.begin(60_001.0, 5.0);
        assert!(deployment.count_full);
        deployment.end(60_001.0);
        assert_eq!(deployment.blocked, 0);
        assert_eq!((deployment.calls, deployment.start_sum), (2.0, 0.0));
    }
}
