//! What routers in other processes share through Redis: cooldowns seen there, their usage, and
//! this process's usage to report to them.

use napi::bindgen_prelude::Float64Array;
use napi::Result;
use napi_derive::napi;

use super::{check_deployment, on_router};

/// Extends a deployment's cooldown to `until_ms` (one seen in Redis): the new end when it grew,
/// else 0 (a longer live cooldown is never shortened).
#[napi]
pub fn router_cool_until(router: u32, deployment: u32, until_ms: f64) -> Result<f64> {
    on_router(router, |state| {
        check_deployment(state, deployment)?;
        Ok(state.cool_until(deployment, until_ms))
    })
}

/// Stores other processes' usage of a deployment in `minute` (`floor(ms / 60000)`).
#[napi]
pub fn router_set_shared_usage(
    router: u32,
    deployment: u32,
    minute: f64,
    requests: f64,
    tokens: f64,
) -> Result<()> {
    on_router(router, |state| {
        check_deployment(state, deployment)?;
        state.set_shared_usage(deployment, minute, requests, tokens);
        Ok(())
    })
}

/// This process's usage of a deployment in `minute` not yet reported to other processes, now
/// marked reported: `[new requests, new tokens, reported requests, reported tokens]`.
#[napi]
pub fn router_take_unreported(router: u32, deployment: u32, minute: f64) -> Result<Float64Array> {
    on_router(router, |state| {
        check_deployment(state, deployment)?;
        Ok(Float64Array::new(
            state.take_unreported(deployment, minute).to_vec(),
        ))
    })
}

/// Takes back a report (from [`router_take_unreported`]) that did not reach Redis.
#[napi]
pub fn router_give_back_unreported(
    router: u32,
    deployment: u32,
    minute: f64,
    requests: f64,
    tokens: f64,
) -> Result<()> {
    on_router(router, |state| {
        check_deployment(state, deployment)?;
        state.give_back_unreported(deployment, minute, requests, tokens);
        Ok(())
    })
}
