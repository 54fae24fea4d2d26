//! What a finished call leaves on its deployment: latency samples, failures and cooldowns, and
//! the snapshot row read from them.

use super::super::window::percentile;
use super::{Deployment, FailureRules, Outcome};

impl Deployment {
    pub(crate) fn record_latency(&mut self, latency_ms: f64, output_tokens: f64) {
        self.metrics.calls.push(
            latency_ms,
            latency_ms / 1f64.max(output_tokens),
            0f64.max(output_tokens),
        );
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
        let metrics = &mut self.metrics;
        let failures = &mut metrics.failures;
        failures.push_back(now_ms);
        while failures
            .front()
            .is_some_and(|&at| at <= now_ms - rules.failure_window_ms)
        {
            failures.pop_front();
        }
        if failures.len() > rules.allowed_fails + 1 {
            failures.pop_front();
        }
        if outcome != Outcome::RateLimit && failures.len() <= rules.allowed_fails {
            return 0.0;
        }
        failures.clear();
        let until = now_ms
            + if retry_after_ms > 0.0 {
                retry_after_ms
            } else {
                rules.cooldown_ms
            };
        self.cool_until(until)
    }

    /// Writes this deployment's metrics into `row` (length [`SNAPSHOT_FIELDS`]).
    pub(crate) fn write_snapshot(&self, row: &mut [f64], now_ms: f64) {
        let metrics = &self.metrics;
        let sorted = metrics.calls.sorted_latencies();
        let minute = Self::minute_of(now_ms);
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
        row[8] = metrics.calls.latency_mean();
        row[9] = metrics.first_token.mean();
        row[10] = if metrics.calls.latency_sum > 0.0 {
            metrics.calls.tokens_sum / (metrics.calls.latency_sum / 1000.0)
        } else {
            0.0
        };
        row[11] = self.requests_in(minute);
        row[12] = self.tokens_in(minute);
        row[13] = if self.healthy { 1.0 } else { 0.0 };
    }
}
