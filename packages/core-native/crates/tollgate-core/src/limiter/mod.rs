//! Rate limiting: sliding windows and token buckets over requests and tokens, in-flight caps,
//! leases, all-or-nothing admission over several scopes, and idle-key eviction. Pure Rust; the
//! clock is whatever milliseconds the caller passes in, so tests drive time by hand.

mod acquire;
mod batch;
mod keys;
mod leases;
mod limiter;
pub mod registry;
mod scope_steps;
mod shards;
mod single;
mod spec;
pub mod window;

pub use acquire::{
    output_len, try_acquire, Cost, Outcome, Scope, HEADER, MAX_SCOPES, SCOPE_HEADER,
};
pub use batch::{batch_output_len, column, try_batch, BatchKey, BATCH_COLUMNS};
pub use keys::KeyHandle;
pub use leases::LeaseHandle;
pub use limiter::{Limiter, LimiterStats};
pub use shards::{shard_of_handle, shard_of_name, SHARDS};
pub use single::try_acquire_one;
pub use spec::{LimiterSpec, Measure, Rule, SpecError};

#[cfg(test)]
mod tests;
