//! Node binding of the router (`tollgate_core::router`). Strings cross only when a router, group,
//! tag or deployment is registered; picks, acquires and releases take and return numbers, and a
//! snapshot comes back as one `Float64Array`. Routers live in the process-wide registry, so every
//! worker thread that opens the same name shares one.
//!
//! The hot calls also come in a packed form (`router_pick_packed`, `router_acquire_packed`,
//! `router_release_packed`): no arguments, their numbers read from this thread's I/O array,
//! registered once with `router_use_io` (see [`packed`]), which skips converting each argument.

use napi::bindgen_prelude::{Float64Array, Uint32Array};
use napi::{Error, Result, Status};
use napi_derive::napi;
use tollgate_core::router::{
    registry, DeploymentSpec, Outcome, RegistryError, Router, RouterConfig, Strategy,
};

use crate::errors::guard;

mod packed;
mod shared;

fn invalid(message: String) -> Error {
    Error::new(
        Status::InvalidArg,
        format!("ERR_INVALID_ARGUMENT: {message}"),
    )
}

fn registry_error(error: RegistryError) -> Error {
    match error {
        RegistryError::UnknownRouter(handle) => invalid(format!("no router has handle {handle}")),
        RegistryError::TooManyRouters => invalid(format!(
            "at most {} routers can be open",
            registry::MAX_ROUTERS
        )),
    }
}

/// Runs `body` on router `handle`, with panics and registry errors turned into JS errors.
fn on_router<T>(handle: u32, body: impl FnOnce(&Router) -> Result<T>) -> Result<T> {
    guard(|| body(registry::get(handle).map_err(registry_error)?))
}

fn check_group(router: &Router, group: u32) -> Result<()> {
    if router.has_group(group) {
        Ok(())
    } else {
        Err(invalid(format!("no group has handle {group}")))
    }
}

fn check_deployment(router: &Router, deployment: u32) -> Result<()> {
    if router.has_deployment(deployment) {
        Ok(())
    } else {
        Err(invalid(format!("no deployment has handle {deployment}")))
    }
}

fn strategy(code: f64) -> Result<Strategy> {
    Ok(match code as u32 {
        0 => Strategy::SimpleShuffle,
        1 => Strategy::LeastBusy,
        2 => Strategy::LatencyBased,
        3 => Strategy::CostBased,
        4 => Strategy::UsageBased,
        other => return Err(invalid(format!("no strategy has code {other}"))),
    })
}

fn config_of(values: &[f64]) -> Result<RouterConfig> {
    if values.len() < 9 {
        return Err(invalid(format!(
            "a router config has 9 values, got {}",
            values.len()
        )));
    }
    Ok(RouterConfig {
        strategy: strategy(values[0])?,
        seed: values[1] as u32,
        cooldown_ms: values[2],
        allowed_fails: values[3] as usize,
        failure_window_ms: values[4],
        latency_window: (values[5] as usize).max(1),
        near_best_buffer: values[6],
        power_of_two: values[7] != 0.0,
        lease_timeout_ms: values[8],
    })
}

/// Opens the router `name` (or joins it when open) and returns its handle.
#[napi]
pub fn router_open(name: String, config: Float64Array) -> Result<u32> {
    guard(|| {
        let config = config_of(&config)?;
        registry::open(&name, || config).map_err(registry_error)
    })
}

/// Forgets the name `name`; handles already held keep working.
#[napi]
pub fn router_close(name: String) -> Result<()> {
    guard(|| {
        registry::close(&name);
        Ok(())
    })
}

/// Handle of group `name` in `router`, created on first use.
#[napi]
pub fn router_group(router: u32, name: String) -> Result<u32> {
    on_router(router, |state| Ok(state.group(&name)))
}

/// Bit index of tag `name`, -1 when the router already knows 32 tags.
#[napi]
pub fn router_tag(router: u32, name: String) -> Result<i32> {
    on_router(router, |state| {
        Ok(state.tag(&name).map_or(-1, |bit| bit as i32))
    })
}

/// Registers deployment `id` in `group` (or returns the existing handle of `id`).
#[napi]
pub fn router_deployment(router: u32, group: u32, id: String, spec: Float64Array) -> Result<u32> {
    on_router(router, |state| {
        check_group(state, group)?;
        if spec.len() < 8 {
            return Err(invalid(format!(
                "a deployment spec has 8 values, got {}",
                spec.len()
            )));
        }
        if state.deployment_count() >= (tollgate_core::router::LEASE_SCALE as usize) - 1 {
            return Err(invalid(
                "a router holds at most 1048575 deployments".to_string(),
            ));
        }
        let spec = DeploymentSpec {
            weight: spec[0],
            rpm: spec[1],
            tpm: spec[2],
            max_in_flight: spec[3],
            input_cost_per_token: spec[4],
            output_cost_per_token: spec[5],
            context_window: spec[6],
            tag_mask: spec[7] as u32,
        };
        Ok(state.add_deployment(group, &id, spec))
    })
}

/// Picks a deployment without taking a slot: its handle, -1 (none eligible) or -2 (none fits the
/// context window).
#[napi]
pub fn router_pick(
    router: u32,
    group: u32,
    now_ms: f64,
    request_tokens: f64,
    tag_mask: u32,
    stream: bool,
    exclude: Option<Uint32Array>,
) -> Result<f64> {
    on_router(router, |state| {
        check_group(state, group)?;
        let exclude = exclude.as_deref().unwrap_or(&[]);
        Ok(state.pick(group, now_ms, request_tokens, tag_mask, stream, exclude))
    })
}

/// Picks and takes an in-flight slot: a lease number (`sequence * 2^20 + deployment`) or -1/-2.
#[napi]
pub fn router_acquire(
    router: u32,
    group: u32,
    now_ms: f64,
    request_tokens: f64,
    tag_mask: u32,
    stream: bool,
    exclude: Option<Uint32Array>,
) -> Result<f64> {
    on_router(router, |state| {
        check_group(state, group)?;
        let exclude = exclude.as_deref().unwrap_or(&[]);
        Ok(state.acquire(group, now_ms, request_tokens, tag_mask, stream, exclude))
    })
}

/// Ends a lease: -1 when unknown or already ended, else the new cooldown end (ms) or 0.
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn router_release(
    router: u32,
    lease: f64,
    now_ms: f64,
    outcome: u32,
    latency_ms: f64,
    first_token_ms: f64,
    output_tokens: f64,
    total_tokens: f64,
    retry_after_ms: f64,
) -> Result<f64> {
    let outcome = Outcome::from_code(outcome)
        .ok_or_else(|| invalid(format!("no outcome has code {outcome}")))?;
    on_router(router, |state| {
        Ok(state.release(
            lease,
            now_ms,
            outcome,
            latency_ms,
            first_token_ms,
            output_tokens,
            total_tokens,
            retry_after_ms,
        ))
    })
}

/// Marks a deployment healthy or not.
#[napi]
pub fn router_set_healthy(router: u32, deployment: u32, healthy: bool) -> Result<()> {
    on_router(router, |state| {
        check_deployment(state, deployment)?;
        state.set_healthy(deployment, healthy);
        Ok(())
    })
}

/// Stores the limiter's headroom for a deployment (below 0: unknown).
#[napi]
pub fn router_set_headroom(router: u32, deployment: u32, requests: f64, tokens: f64) -> Result<()> {
    on_router(router, |state| {
        check_deployment(state, deployment)?;
        state.set_headroom(deployment, requests, tokens);
        Ok(())
    })
}

/// Metrics of every deployment, 14 values each, in handle order.
#[napi]
pub fn router_snapshot(router: u32, now_ms: f64) -> Result<Float64Array> {
    on_router(router, |state| {
        Ok(Float64Array::new(state.snapshot(now_ms)))
    })
}
