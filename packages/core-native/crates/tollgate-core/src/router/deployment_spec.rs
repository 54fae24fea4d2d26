//! What a deployment is given (limits, prices, tags), how a call on it ends, and the rules a
//! failure is judged by.

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
