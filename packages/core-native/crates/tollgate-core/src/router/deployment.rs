use std::collections::VecDeque;

use super::window::{percentile, SampleWindow};

const MINUTE_MS: f64 = 60_000.0;

/// Number of values per deployment in a snapshot: in flight, calls, successes, errors, cooling
/// until (ms, 0 when not cooling), latency p50/p95/p99/mean (ms), mean time to first token (ms),
/// tokens per second, requests and tokens this minute, healthy (1/0).
pub const SNAPSHOT_FIELDS: usize = 14;

/// How a call on a deployment ended; numbered as the TS layer numbers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Success = 0,
    RateLimit = 1,
    Server = 2,
    Timeout = 3,
    Connection = 4,
    /// A 4xx other than 429: counted as an error, never cools.
    Client = 5,
    /// The caller gave up: neither an error nor a success.
    Aborted = 6,
}

impl Outcome {
    /// The outcome numbered `code`, `None` for an unknown code.
    pub fn from_code(code: u32) -> Option<Self> {
        Some(match code {
            0 => Self::Success,
            1 => Self::RateLimit,
            2 => Self::Server,
            3 => Self::Timeout,
            4 => Self::Connection,
            5 => Self::Client,
            6 => Self::Aborted,
            _ => return None,
        })
    }
}

/// What a deployment may take; limits of 0 mean none, prices below 0 mean unknown.
#[derive(Clone, Copy, Debug, Default)]
pub struct DeploymentSpec {
    pub weight: f64,
    pub rpm: f64,
    pub tpm: f64,
    pub max_in_flight: f64,
    pub input_cost_per_token: f64,
    pub output_cost_per_token: f64,
    pub context_window: f64,
    pub tag_mask: u32,
}

/// Cooldown settings a failure is judged by.
pub(crate) struct FailureRules {
    pub(crate) cooldown_ms: f64,
    pub(crate) allowed_fails: usize,
    pub(crate) failure_window_ms: f64,
}

/// One deployment's specification and live state.
#[derive(Debug)]
pub(crate) struct Deployment {
    pub(crate) spec: DeploymentSpec,
    pub(crate) cost_per_token: f64,
    pub(crate) healthy: bool,
    pub(crate) headroom_requests: f64,
    pub(crate) headroom_tokens: f64,
    pub(crate) in_flight: u32,
    start_sum: f64,
    calls: f64,
    pub(crate) successes: f64,
    errors: f64,
    cooling_until_ms: f64,
    failures: VecDeque<f64>,
    latency: SampleWindow,
    ms_per_token: SampleWindow,
    tokens: SampleWindow,
    pub(crate) first_token: SampleWindow,
    usage_minute: f64,
    usage_requests: f64,
    usage_tokens: f64,
}

impl Deployment {
    pub(crate) fn new(spec: DeploymentSpec, window: usize) -> Self {
        let unknown = spec.input_cost_per_token < 0.0 || spec.output_cost_per_token < 0.0;
        Self {
            spec,
            cost_per_token: if unknown {
                f64::INFINITY
            } else {
                spec.input_cost_per_token + spec.output_cost_per_token
            },
            healthy: true,
            headroom_requests: -1.0,
            headroom_tokens: -1.0,
            in_flight: 0,
            start_sum: 0.0,
            calls: 0.0,
            successes: 0.0,
            errors: 0.0,
            cooling_until_ms: 0.0,
            failures: VecDeque::new(),
            latency: SampleWindow::new(window),
            ms_per_token: SampleWindow::new(window),
            tokens: SampleWindow::new(window),
            first_token: SampleWindow::new(window),
            usage_minute: -1.0,
            usage_requests: 0.0,
            usage_tokens: 0.0,
        }
    }

    pub(crate) fn requests_this_minute(&self, now_ms: f64) -> f64 {
        if self.usage_minute == (now_ms / MINUTE_MS).floor() {
            self.usage_requests
        } else {
            0.0
        }
    }

    pub(crate) fn tokens_this_minute(&self, now_ms: f64) -> f64 {
        if self.usage_minute == (now_ms / MINUTE_MS).floor() {
            self.usage_tokens
        } else {
            0.0
        }
    }

    /// The minute number of `now_ms`, computed once per pick rather than once per deployment.
    pub(crate) fn minute_of(now_ms: f64) -> f64 {
        (now_ms / MINUTE_MS).floor()
    }

    /// True when every filter except the context window lets this deployment take the request;
    /// `minute` is [`Self::minute_of`] `now_ms`.
    pub(crate) fn admits(
        &self,
        now_ms: f64,
        minute: f64,
        request_tokens: f64,
        tag_mask: u32,
    ) -> bool {
        let spec = &self.spec;
        if !self.healthy || self.cooling_until_ms > now_ms {
            return false;
        }
        if spec.tag_mask & tag_mask != tag_mask {
            return false;
        }
        if spec.max_in_flight > 0.0 && f64::from(self.in_flight) >= spec.max_in_flight {
            return false;
        }
        let current = self.usage_minute == minute;
        if spec.rpm > 0.0 && current && self.usage_requests + 1.0 > spec.rpm {
            return false;
        }
        if spec.rpm > 0.0 && !current && 1.0 > spec.rpm {
            return false;
        }
        let used_tokens = if current { self.usage_tokens } else { 0.0 };
        if spec.tpm > 0.0 && used_tokens + request_tokens > spec.tpm {
            return false;
        }
        if self.headroom_requests >= 0.0 && self.headroom_requests < 1.0 {
            return false;
        }
        !(self.headroom_tokens >= 0.0 && self.headroom_tokens < request_tokens)
    }

    /// Mean time to first token for streams when known, else mean milliseconds per output token.
    pub(crate) fn latency_score(&self, stream: bool) -> f64 {
        if stream && self.first_token.count > 0 {
            self.first_token.mean()
        } else {
            self.ms_per_token.mean()
        }
    }

    /// Calls in flight plus how many mean latencies they have been running in total.
    pub(crate) fn load(&self, now_ms: f64) -> f64 {
        let mean = if self.latency.count == 0 {
            1.0
        } else {
            1f64.max(self.latency.mean())
        };
        let in_flight = f64::from(self.in_flight);
        let running_ms = in_flight * now_ms - self.start_sum;
        in_flight + running_ms / mean
    }

    pub(crate) fn begin(&mut self, now_ms: f64, request_tokens: f64) {
        self.in_flight += 1;
        self.start_sum += now_ms;
        self.calls += 1.0;
        let minute = (now_ms / MINUTE_MS).floor();
        if self.usage_minute != minute {
            self.usage_minute = minute;
            self.usage_requests = 0.0;
            self.usage_tokens = 0.0;
        }
        self.usage_requests += 1.0;
        self.usage_tokens += request_tokens;
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
    }

    /// Replaces the token estimate of a call started in this minute by its real total.
    pub(crate) fn settle_tokens(&mut self, start_ms: f64, now_ms: f64, estimated: f64, total: f64) {
        let minute = (now_ms / MINUTE_MS).floor();
        if total < 0.0 || (start_ms / MINUTE_MS).floor() != minute || self.usage_minute != minute {
            return;
        }
        self.usage_tokens = 0f64.max(self.usage_tokens + total - estimated);
    }

    pub(crate) fn record_latency(&mut self, latency_ms: f64, output_tokens: f64) {
        self.latency.push(latency_ms);
        self.ms_per_token.push(latency_ms / 1f64.max(output_tokens));
        self.tokens.push(0f64.max(output_tokens));
    }

    /// Counts a failure and cools the deployment when due. Returns the new end of the cooldown
    /// when it started or grew, else 0; a cooldown never shortens a longer live one.
    pub(crate) fn fail(
        &mut self,
        now_ms: f64,
        outcome: Outcome,
        rules: &FailureRules,
        retry_after_ms: f64,
    ) -> f64 {
        if outcome == Outcome::Aborted {
            return 0.0;
        }
        self.errors += 1.0;
        if outcome == Outcome::Client {
            return 0.0;
        }
        self.failures.push_back(now_ms);
        while self
            .failures
            .front()
            .is_some_and(|&at| at <= now_ms - rules.failure_window_ms)
        {
            self.failures.pop_front();
        }
        if self.failures.len() > rules.allowed_fails + 1 {
            self.failures.pop_front();
        }
        if outcome != Outcome::RateLimit && self.failures.len() <= rules.allowed_fails {
            return 0.0;
        }
        self.failures.clear();
        let until = now_ms
            + if retry_after_ms > 0.0 {
                retry_after_ms
            } else {
                rules.cooldown_ms
            };
        if until <= self.cooling_until_ms {
            return 0.0;
        }
        self.cooling_until_ms = until;
        until
    }

    /// Writes this deployment's metrics into `row` (length [`SNAPSHOT_FIELDS`]).
    pub(crate) fn write_snapshot(&self, row: &mut [f64], now_ms: f64) {
        let sorted = self.latency.sorted();
        row[0] = f64::from(self.in_flight);
        row[1] = self.calls;
        row[2] = self.successes;
        row[3] = self.errors;
        row[4] = if self.cooling_until_ms > now_ms {
            self.cooling_until_ms
        } else {
            0.0
        };
        row[5] = percentile(&sorted, 0.5);
        row[6] = percentile(&sorted, 0.95);
        row[7] = percentile(&sorted, 0.99);
        row[8] = self.latency.mean();
        row[9] = self.first_token.mean();
        row[10] = if self.latency.sum > 0.0 {
            self.tokens.sum / (self.latency.sum / 1000.0)
        } else {
            0.0
        };
        row[11] = self.requests_this_minute(now_ms);
        row[12] = self.tokens_this_minute(now_ms);
        row[13] = if self.healthy { 1.0 } else { 0.0 };
    }
}
