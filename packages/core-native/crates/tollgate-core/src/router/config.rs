//! What a router is built with, and the numbers its calls answer with.

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
