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

/// A report of this process's usage of a deployment for other processes: `[number, requests and
/// tokens of minute, requests and tokens of minute - 1]`.
#[napi]
pub fn router_report(router: u32, deployment: u32, minute: f64) -> Result<Float64Array> {
    on_router(router, |state| {
        check_deployment(state, deployment)?;
        Ok(Float64Array::new(state.report(deployment, minute).to_vec()))
    })
}

/// The number that names this process's reports of the router in Redis (hex; different in
/// every process, the same in every worker thread of one).
#[napi]
pub fn router_instance(router: u32) -> Result<String> {
    on_router(router, |state| Ok(format!("{:016x}", state.instance())))
}
