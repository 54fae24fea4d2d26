//! The packed forms of the hot calls: no arguments, their numbers read from this thread's I/O
//! array, registered once with [`router_use_io`], which skips converting each argument.

use napi::Result;
use napi_derive::napi;
use tollgate_core::router::{registry, Outcome};

use super::{check_group, invalid, registry_error};
use crate::errors::guard;

thread_local! {
    /// This thread's I/O array for the packed calls, set once by [`router_use_io`].
    static IO: std::cell::Cell<(*mut f64, usize)> = const { std::cell::Cell::new((std::ptr::null_mut(), 0)) };
}

/// Where the packed pick and acquire read their excluded deployment handles in the I/O array;
/// the count is at `EXCLUDE_AT - 1`.
const EXCLUDE_AT: usize = 7;
/// Most excluded handles a packed call reads (longer lists go through [`router_pick`]).
const MAX_PACKED_EXCLUDE: usize = 57;

/// Registers this JS thread's I/O array for the packed calls (at least 64 values). The TS layer
/// creates the array once per thread in a module-level constant and never detaches, transfers
/// or replaces it.
#[napi]
pub fn router_use_io(io: crate::limiter::Out<'_>) -> Result<()> {
    if io.len() < EXCLUDE_AT + MAX_PACKED_EXCLUDE {
        return Err(invalid(format!(
            "the router I/O array has at least {} values, got {}",
            EXCLUDE_AT + MAX_PACKED_EXCLUDE,
            io.len()
        )));
    }
    IO.with(|cell| cell.set((io.as_mut_ptr(), io.len())));
    Ok(())
}

fn with_io<T>(body: impl FnOnce(&[f64]) -> Result<T>) -> Result<T> {
    let (pointer, length) = IO.with(|cell| cell.get());
    if pointer.is_null() {
        return Err(invalid(
            "router_use_io was not called on this thread".into(),
        ));
    }
    // SAFETY: the pointer was taken from a Float64Array on this same thread (thread-local), whose
    // buffer the TS layer keeps alive for the life of the thread's isolate and never detaches;
    // it is only read here, during a call from that thread.
    let io = unsafe { std::slice::from_raw_parts(pointer as *const f64, length) };
    body(io)
}

/// Runs `body` with the excluded handles of a packed call (none: no buffer is filled).
fn with_exclude<T>(io: &[f64], body: impl FnOnce(&[u32]) -> T) -> T {
    let excluded = (io[EXCLUDE_AT - 1] as usize).min(MAX_PACKED_EXCLUDE);
    if excluded == 0 {
        return body(&[]);
    }
    let mut buffer = [0u32; MAX_PACKED_EXCLUDE];
    for (slot, &value) in buffer
        .iter_mut()
        .zip(&io[EXCLUDE_AT..EXCLUDE_AT + excluded])
    {
        *slot = value as u32;
    }
    body(&buffer[..excluded])
}

/// Pick or acquire from `[router, group, now_ms, request_tokens, tag_mask, stream, exclude
/// count, exclude...]` in the I/O array.
fn packed_pick(acquire: bool) -> Result<f64> {
    guard(|| {
        with_io(|io| {
            let router = registry::get(io[0] as u32).map_err(registry_error)?;
            let group = io[1] as u32;
            check_group(router, group)?;
            let (now_ms, tokens, mask, stream) = (io[2], io[3], io[4] as u32, io[5] != 0.0);
            Ok(with_exclude(io, |exclude| {
                if acquire {
                    router.acquire(group, now_ms, tokens, mask, stream, exclude)
                } else {
                    router.pick(group, now_ms, tokens, mask, stream, exclude)
                }
            }))
        })
    })
}

/// As [`router_pick`], its numbers read from the I/O array (see [`router_use_io`]):
/// `[router, group, now_ms, request_tokens, tag_mask, stream (0/1), exclude count, exclude...]`.
#[napi]
pub fn router_pick_packed() -> Result<f64> {
    packed_pick(false)
}

/// As [`router_acquire`], its numbers read from the I/O array as [`router_pick_packed`] reads them.
#[napi]
pub fn router_acquire_packed() -> Result<f64> {
    packed_pick(true)
}

/// As [`router_release`], its numbers read from the I/O array: `[router, lease, now_ms, outcome,
/// latency_ms, first_token_ms, output_tokens, total_tokens, retry_after_ms]`.
#[napi]
pub fn router_release_packed() -> Result<f64> {
    guard(|| {
        with_io(|io| {
            let router = registry::get(io[0] as u32).map_err(registry_error)?;
            let code = io[3] as u32;
            let outcome = Outcome::from_code(code)
                .ok_or_else(|| invalid(format!("no outcome has code {code}")))?;
            Ok(router.release(io[1], io[2], outcome, io[4], io[5], io[6], io[7], io[8]))
        })
    })
}
