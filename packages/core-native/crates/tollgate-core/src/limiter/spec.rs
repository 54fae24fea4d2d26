//! What a limiter enforces: its rules, checked once when the limiter is built.

/// What a rule counts: calls, or LLM tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    Requests,
    Tokens,
}

/// One limit that every key of a limiter obeys.
#[derive(Clone, Debug, PartialEq)]
pub enum Rule {
    /// At most `limit` units in any span of `period_ms` (a sliding window, see [`crate::limiter::window`]).
    Window {
        measure: Measure,
        limit: u32,
        period_ms: f64,
    },
    /// A token bucket holding up to `capacity` units (the burst), refilled at `refill_per_ms`.
    Bucket {
        measure: Measure,
        capacity: f64,
        refill_per_ms: f64,
    },
    /// At most `max` requests admitted and not yet released.
    InFlight { max: u32 },
}

/// The rules of a limiter and how long an unreleased lease holds its in-flight slot.
#[derive(Clone, Debug, PartialEq)]
pub struct LimiterSpec {
    pub rules: Vec<Rule>,
    pub lease_timeout_ms: f64,
}

/// A spec that cannot be enforced; `field` names the offending option as the TS layer spells it.
#[derive(Debug, PartialEq)]
pub struct SpecError {
    pub field: String,
    pub expected: &'static str,
    pub got: f64,
}

impl LimiterSpec {
    /// Checks every number; the TS layer validates first, so this guards direct Rust users.
    pub fn validate(&self) -> Result<(), SpecError> {
        let fail = |field: String, expected, got| {
            Err(SpecError {
                field,
                expected,
                got,
            })
        };
        if !(self.lease_timeout_ms.is_finite() && self.lease_timeout_ms > 0.0) {
            return fail(
                "leaseTimeoutMs".into(),
                "a positive number",
                self.lease_timeout_ms,
            );
        }
        for (index, rule) in self.rules.iter().enumerate() {
            match *rule {
                Rule::Window {
                    limit, period_ms, ..
                } => {
                    if limit == 0 {
                        return fail(format!("limits[{index}].limit"), "a positive integer", 0.0);
                    }
                    if !(period_ms.is_finite() && period_ms > 0.0) {
                        return fail(
                            format!("limits[{index}].per"),
                            "a positive period",
                            period_ms,
                        );
                    }
                }
                Rule::Bucket {
                    capacity,
                    refill_per_ms,
                    ..
                } => {
                    if !(capacity.is_finite() && capacity >= 1.0) {
                        return fail(
                            format!("limits[{index}].capacity"),
                            "a number >= 1",
                            capacity,
                        );
                    }
                    if !(refill_per_ms.is_finite() && refill_per_ms > 0.0) {
                        let field = format!("limits[{index}].refillPerSecond");
                        return fail(field, "a positive number", refill_per_ms * 1000.0);
                    }
                }
                Rule::InFlight { max } => {
                    if max == 0 {
                        return fail(format!("limits[{index}].max"), "a positive integer", 0.0);
                    }
                }
            }
        }
        Ok(())
    }

    pub(crate) fn window_count(&self) -> usize {
        self.rules
            .iter()
            .filter(|rule| matches!(rule, Rule::Window { .. }))
            .count()
    }

    pub(crate) fn bucket_count(&self) -> usize {
        self.rules
            .iter()
            .filter(|rule| matches!(rule, Rule::Bucket { .. }))
            .count()
    }
}
