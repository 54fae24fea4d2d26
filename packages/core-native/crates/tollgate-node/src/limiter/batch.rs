//! Binding of batch checks: one crossing decides many single-key checks of one limiter. Inputs
//! and answers travel through one `Float64Array` per thread, registered once (and again when the
//! TS layer grows it), so a batch call takes only numbers and, for keys given by name, one string.

use std::cell::Cell;

use napi::Result;
use napi_derive::napi;
use tollgate_core::limiter::{batch_output_len, try_batch, BatchKey, Cost};

use super::{invalid, limiter, Out};
use crate::errors::guard;

thread_local! {
    /// This thread's batch buffer, set by [`limiter_use_batch`].
    static BATCH: Cell<(*mut f64, usize)> = const { Cell::new((std::ptr::null_mut(), 0)) };
}

/// Registers this JS thread's batch buffer. The TS layer keeps the array in a module-level
/// variable until it registers a larger one, and never detaches or transfers it.
#[napi]
pub fn limiter_use_batch(buffer: Out<'_>) {
    BATCH.with(|cell| cell.set((buffer.as_mut_ptr(), buffer.len())));
}

/// Marks a check whose key is given by name in `names` instead of a handle.
const NAMED: f64 = -1.0;

/// Runs checks `start..count` of a batch on limiter `id` at `now_ms`. The batch buffer holds
/// `count` key handles (or -1 for a key given by name: `names` holds those names in order, joined
/// by NUL), then, when `per_check_costs`, `count` request counts and `count` token counts (else
/// every check costs `requests` and `tokens`); the answers follow (see `try_batch` in
/// tollgate-core for their layout). Returns where the batch stopped (`count` when complete, see
/// `try_batch`), or -1 when `names` does not split into one name per named key (a name holds a
/// NUL: call [`limiter_try_batch_list`] instead).
#[allow(clippy::too_many_arguments)]
#[napi]
pub fn limiter_try_batch(
    id: u32,
    count: u32,
    start: u32,
    names: String,
    per_check_costs: bool,
    requests: u32,
    tokens: f64,
    now_ms: f64,
) -> Result<i32> {
    let pieces = if names.is_empty() {
        0
    } else {
        names.split('\0').count()
    };
    let batch = Batch {
        id,
        count,
        start,
        per_check_costs,
        requests,
        tokens,
        now_ms,
    };
    guard(|| batch.run(pieces, names.split('\0')))
}

/// As [`limiter_try_batch`] with the names as an array (any name, at a higher cost per name).
#[allow(clippy::too_many_arguments)]
#[napi]
pub fn limiter_try_batch_list(
    id: u32,
    count: u32,
    start: u32,
    names: Vec<String>,
    per_check_costs: bool,
    requests: u32,
    tokens: f64,
    now_ms: f64,
) -> Result<i32> {
    let batch = Batch {
        id,
        count,
        start,
        per_check_costs,
        requests,
        tokens,
        now_ms,
    };
    guard(|| batch.run(names.len(), names.iter().map(String::as_str)))
}

struct Batch {
    id: u32,
    count: u32,
    start: u32,
    per_check_costs: bool,
    requests: u32,
    tokens: f64,
    now_ms: f64,
}

impl Batch {
    fn run<'a>(&self, name_count: usize, mut names: impl Iterator<Item = &'a str>) -> Result<i32> {
        let limiter = limiter(self.id)?;
        let (count, start) = (self.count as usize, self.start as usize);
        let (pointer, length) = BATCH.with(|cell| cell.get());
        let inputs = count * if self.per_check_costs { 3 } else { 1 };
        if pointer.is_null() || length < inputs + batch_output_len(limiter, count) || start > count
        {
            return Err(invalid(format!(
                "the batch buffer does not fit {count} checks from {start}"
            )));
        }
        // SAFETY: the pointer was taken on this thread from a Float64Array that the TS layer keeps
        // alive and attached until it registers another one.
        let buffer = unsafe { std::slice::from_raw_parts_mut(pointer, length) };
        let (input, out) = buffer.split_at_mut(inputs);
        let input = &*input;
        if input[..count]
            .iter()
            .filter(|&&handle| handle == NAMED)
            .count()
            != name_count
        {
            return Ok(-1);
        }
        for _ in input[..start].iter().filter(|&&handle| handle == NAMED) {
            names.next();
        }
        let uniform = Cost {
            requests: self.requests,
            tokens: self.tokens as u64,
        };
        let per_check_costs = self.per_check_costs;
        let checks = (start..count).map(|index| {
            let handle = input[index];
            let key = if handle == NAMED {
                BatchKey::Name(names.next().unwrap_or_default())
            } else {
                BatchKey::Handle(super::handle(handle))
            };
            let cost = if per_check_costs {
                Cost {
                    requests: input[count + index] as u32,
                    tokens: input[2 * count + index] as u64,
                }
            } else {
                uniform
            };
            (key, cost)
        });
        Ok(try_batch(limiter, checks, count, start, self.now_ms, out) as i32)
    }
}
