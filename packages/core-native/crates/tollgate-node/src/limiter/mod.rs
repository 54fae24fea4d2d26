//! Binding of the limiter. Every hot call takes numbers (limiter id, key handle, cost, time) and
//! writes its answer into a `Float64Array` the caller owns and reuses, so a check crosses the
//! boundary once and allocates nothing on either side.

use napi::bindgen_prelude::Uint32Array;
use napi::{Error, Result, Status};
use napi_derive::napi;
use tollgate_core::limiter::registry::RegistryError;
use tollgate_core::limiter::{
    registry, try_acquire, try_acquire_one, Cost, Limiter, Scope, HEADER, MAX_SCOPES, SCOPE_HEADER,
};

use crate::errors::guard;

mod args;
mod batch;

use args::decode_spec;
pub(crate) use args::{handle, invalid, limiter, Out};

/// Creates a limiter, or attaches to the one named `name` (non-empty) that another thread built
/// with the same spec. Returns its id.
#[napi]
pub fn limiter_create(name: String, spec: &[f64]) -> Result<u32> {
    guard(|| match registry::create(&name, decode_spec(spec)?) {
        Ok(limiter) => Ok(limiter.id()),
        Err(RegistryError::InvalidSpec(error)) => Err(invalid(format!(
            "Expected `{}` to be {}, got {}.",
            error.field, error.expected, error.got
        ))),
        Err(RegistryError::Conflict) => Err(Error::new(
            Status::InvalidArg,
            format!(
                "ERR_LIMITER_CONFLICT: a limiter named {name:?} already exists with other limits"
            ),
        )),
        Err(RegistryError::Full) => Err(invalid("too many limiters in this process".into())),
    })
}

/// The handle of `key`, resolved once; pass it to the other calls.
#[napi]
pub fn limiter_key(id: u32, key: String, now_ms: f64) -> Result<f64> {
    guard(|| Ok(limiter(id)?.key(&key, now_ms) as f64))
}

thread_local! {
    /// This thread's answer array for single-scope calls, set once by [`limiter_use_output`].
    static OUTPUT: std::cell::Cell<(*mut f64, usize)> = const { std::cell::Cell::new((std::ptr::null_mut(), 0)) };
}

/// Registers this JS thread's answer array for [`limiter_try`] and [`limiter_try_named`], so the
/// hot calls take no typed-array argument (measured: the argument costs about 110 ns of the
/// 400 ns a call took). The TS layer creates the array once per thread in a module-level
/// constant and never detaches, transfers or replaces it.
#[napi]
pub fn limiter_use_output(out: Out<'_>) {
    OUTPUT.with(|cell| cell.set((out.as_mut_ptr(), out.len())));
}

fn with_output<T>(body: impl FnOnce(&mut [f64]) -> Result<T>) -> Result<T> {
    let (pointer, length) = OUTPUT.with(|cell| cell.get());
    if pointer.is_null() {
        return Err(invalid(
            "limiter_use_output was not called on this thread".into(),
        ));
    }
    // SAFETY: the pointer was taken from a Float64Array on this same thread (thread-local), whose
    // buffer the TS layer keeps alive for the life of the thread's isolate and never detaches.
    let out = unsafe { std::slice::from_raw_parts_mut(pointer, length) };
    body(out)
}

/// Milliseconds since the Unix epoch, whole, as `Date.now()` counts them.
fn system_now_ms() -> f64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    since_epoch.as_millis() as f64
}

/// `now_ms`, or for NaN the system clock's time: reading it here saves the caller a `Date.now()`.
fn time_or_system(now_ms: f64) -> f64 {
    if now_ms.is_nan() {
        system_now_ms()
    } else {
        now_ms
    }
}

fn try_one(limiter: &Limiter, key: u64, requests: u32, tokens: f64, now_ms: f64) -> Result<i32> {
    let now_ms = time_or_system(now_ms);
    with_output(|out| {
        if out.len() < HEADER + SCOPE_HEADER + limiter.spec().rules.len() {
            return Err(invalid(
                "the output array is too short for this limiter".into(),
            ));
        }
        let cost = Cost {
            requests,
            tokens: tokens as u64,
        };
        Ok(try_acquire_one(limiter, key, cost, now_ms, out) as i32)
    })
}

/// One scope: takes `requests` and `tokens` from `key` at `now_ms` (NaN: the system clock's
/// time, the one `Date.now()` reads) and writes the answer into
/// this thread's output (see `try_acquire` in tollgate-core for its layout). Returns the outcome
/// code (1 admitted, 0 refused, <0 other).
#[napi]
pub fn limiter_try(id: u32, key: f64, requests: u32, tokens: f64, now_ms: f64) -> Result<i32> {
    guard(|| try_one(limiter(id)?, handle(key), requests, tokens, now_ms))
}

/// Where [`limiter_try_packed`] reads `[id, key, requests, tokens, now_ms]` in the output array.
const PACKED_INPUT: usize = 24;
/// Where [`limiter_try_named`] writes the handle of the key it resolved.
const NAMED_HANDLE: usize = 31;

/// As [`limiter_try`] with its five numbers read from this thread's output array at
/// [`PACKED_INPUT`]: a call without arguments skips converting each one (measured: about a
/// quarter of the crossing).
#[napi]
pub fn limiter_try_packed() -> Result<i32> {
    guard(|| {
        let [id, key, requests, tokens, now_ms] = with_output(|out| {
            out.get(PACKED_INPUT..PACKED_INPUT + 5)
                .and_then(|input| <[f64; 5]>::try_from(input).ok())
                .ok_or_else(|| invalid("the output array is too short for packed input".into()))
        })?;
        try_one(
            limiter(id as u32)?,
            handle(key),
            requests as u32,
            tokens,
            now_ms,
        )
    })
}

/// As [`limiter_try`], resolving the key by name in the same crossing; writes the key's handle
/// at [`NAMED_HANDLE`] of the output array.
#[napi]
pub fn limiter_try_named(
    id: u32,
    name: String,
    requests: u32,
    tokens: f64,
    now_ms: f64,
) -> Result<i32> {
    guard(|| {
        let limiter = limiter(id)?;
        let now_ms = time_or_system(now_ms);
        let key = limiter.key(&name, now_ms);
        let outcome = try_one(limiter, key, requests, tokens, now_ms)?;
        with_output(|out| {
            if let Some(slot) = out.get_mut(NAMED_HANDLE) {
                *slot = key as f64;
            }
            Ok(outcome)
        })
    })
}

/// Several scopes, all or nothing: `ids[i]` and `keys[i]` name scope `i`.
#[napi]
pub fn limiter_try_many(
    ids: Uint32Array,
    keys: &[f64],
    requests: u32,
    tokens: f64,
    now_ms: f64,
    out: Out<'_>,
) -> Result<i32> {
    guard(|| {
        if ids.len() != keys.len() || ids.len() > MAX_SCOPES || ids.is_empty() {
            return Err(invalid(format!(
                "expected 1 to {MAX_SCOPES} scopes, got {}",
                ids.len()
            )));
        }
        let mut scopes = Vec::with_capacity(ids.len());
        for (&id, &key) in ids.iter().zip(keys) {
            scopes.push(Scope {
                limiter: limiter(id)?,
                key: handle(key),
            });
        }
        Ok(try_acquire(
            &scopes,
            Cost {
                requests,
                tokens: tokens as u64,
            },
            now_ms,
            out,
        ) as i32)
    })
}

/// Frees a lease's in-flight slot; false when it was released or had expired already.
#[napi]
pub fn limiter_release(id: u32, lease: f64) -> Result<bool> {
    guard(|| Ok(limiter(id)?.release(handle(lease))))
}

/// Applies `delta_tokens` (real minus estimated) to the key's token limits.
#[napi]
pub fn limiter_settle(
    id: u32,
    key: f64,
    at_ms: f64,
    delta_tokens: f64,
    now_ms: f64,
) -> Result<bool> {
    guard(|| Ok(limiter(id)?.settle(handle(key), at_ms, delta_tokens, now_ms)))
}

/// Evicts every idle key now; returns how many.
#[napi]
pub fn limiter_evict_idle(id: u32, now_ms: f64) -> Result<u32> {
    guard(|| Ok(limiter(id)?.evict_idle(now_ms) as u32))
}

/// Writes `[keys, leases, admitted, refused, evicted, leasesExpired, approximateBytes]`.
#[napi]
pub fn limiter_stats(id: u32, out: Out<'_>) -> Result<()> {
    guard(|| {
        let stats = limiter(id)?.stats();
        let values = [
            stats.keys as f64,
            stats.leases as f64,
            stats.admitted as f64,
            stats.refused as f64,
            stats.evicted as f64,
            stats.leases_expired as f64,
            stats.approximate_bytes as f64,
        ];
        out[..values.len()].copy_from_slice(&values);
        Ok(())
    })
}

/// Frees every key of the limiter and forgets its name, for every thread.
#[napi]
pub fn limiter_close(id: u32, name: String) -> Result<()> {
    guard(|| {
        limiter(id)?.clear();
        if !name.is_empty() {
            registry::forget_name(&name);
        }
        Ok(())
    })
}
