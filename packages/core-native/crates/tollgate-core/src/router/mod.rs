//! Routing across deployments of a model: strategies, filters, cooldowns, leases and metrics.
//!
//! Everything here is plain numbers: deployments, groups and tags are registered once and named
//! by small integer handles afterwards, and time comes in as an argument (`now_ms`), so callers
//! inject their clock. The pure-TS fallback in `packages/core-native/src/router/` mirrors every
//! step, draw for draw, so both engines pick the same deployments from the same seed.
//!
//! [`registry`] holds routers by name for the whole process, so every worker thread of a Node
//! process that opens the same name shares one router. A router's state is striped by model
//! group (one lock, random stream and lease table per group), so threads routing different
//! models do not contend.

mod config;
mod deployment;
mod deployment_spec;
mod group;
mod leases;
mod lines;
mod reports;
pub mod registry;
mod rng;
#[allow(clippy::module_inception)]
mod router;
mod slots;
mod spin;
mod window;

pub use deployment::DeploymentSpec;
pub use deployment::{Outcome, SNAPSHOT_FIELDS};
pub use group::GROUP_SEED_STEP;
pub use registry::RegistryError;
pub use reports::REPORT_FIELDS;
pub use rng::SeededRandom;
pub use router::{Router, RouterConfig, Strategy, LEASE_SCALE, NONE_AVAILABLE, NONE_FITS_CONTEXT};
