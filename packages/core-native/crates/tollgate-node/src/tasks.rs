//! Async variants: the work runs on libuv's thread pool, off the event loop. A running task
//! checks its cancel flag every 4,096 tokens (and a batch between texts) and stops early.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use napi::bindgen_prelude::{AsyncTask, Uint32Array};
use napi::{Env, Result, Task};
use napi_derive::napi;
use rayon::prelude::*;

use crate::errors::{aborted, guard};
use crate::{encoding, CancelToken};

const CHECK_EVERY: usize = 4096;

pub enum Work {
    Count(String),
    Encode(String),
    Batch(Vec<String>),
}

pub struct TokenTask {
    handle: u32,
    allowed_special: u32,
    work: Work,
    cancelled: Arc<AtomicBool>,
}

fn ids_of(handle: u32, text: &str, allowed: u32, cancelled: &AtomicBool, keep: bool) -> Result<Vec<u32>> {
    let mut ids = Vec::new();
    let mut seen = 0usize;
    let flow = encoding(handle)?.for_each_token(text, allowed, |id| {
        seen += 1;
        if keep {
            ids.push(id);
        }
        if seen % CHECK_EVERY == 0 && cancelled.load(Ordering::Relaxed) {
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    });
    if flow.is_break() {
        return Err(aborted());
    }
    if !keep {
        ids.push(seen as u32);
    }
    Ok(ids)
}

impl Task for TokenTask {
    type Output = Vec<u32>;
    type JsValue = Uint32Array;

    fn compute(&mut self) -> Result<Vec<u32>> {
        guard(|| {
            let (handle, allowed, cancelled) = (self.handle, self.allowed_special, &self.cancelled);
            match &self.work {
                Work::Count(text) => ids_of(handle, text, allowed, cancelled, false),
                Work::Encode(text) => ids_of(handle, text, allowed, cancelled, true),
                Work::Batch(texts) => {
                    let encoding = encoding(handle)?;
                    let counts: Option<Vec<u32>> = texts
                        .par_iter()
                        .with_min_len(8)
                        .map(|text| {
                            (!cancelled.load(Ordering::Relaxed)).then(|| encoding.count(text, allowed) as u32)
                        })
                        .collect();
                    counts.ok_or_else(aborted)
                }
            }
        })
    }

    fn resolve(&mut self, _env: Env, output: Vec<u32>) -> Result<Uint32Array> {
        Ok(Uint32Array::new(output))
    }
}

pub(crate) fn task(handle: u32, allowed_special: u32, work: Work, cancel: &CancelToken) -> AsyncTask<TokenTask> {
    AsyncTask::new(TokenTask { handle, allowed_special, work, cancelled: cancel.flag() })
}

/// Resolves to a one-element array holding the token count of `text`.
#[napi(ts_return_type = "Promise<Uint32Array>")]
pub fn count_tokens_async(handle: u32, text: String, allowed_special: u32, cancel: &CancelToken) -> AsyncTask<TokenTask> {
    task(handle, allowed_special, Work::Count(text), cancel)
}

/// Resolves to the token ids of `text`.
#[napi(ts_return_type = "Promise<Uint32Array>")]
pub fn encode_async(handle: u32, text: String, allowed_special: u32, cancel: &CancelToken) -> AsyncTask<TokenTask> {
    task(handle, allowed_special, Work::Encode(text), cancel)
}

/// Resolves to the token counts of `texts`, spread over all cores.
#[napi(ts_return_type = "Promise<Uint32Array>")]
pub fn count_tokens_batch_async(
    handle: u32,
    texts: Vec<String>,
    allowed_special: u32,
    cancel: &CancelToken,
) -> AsyncTask<TokenTask> {
    task(handle, allowed_special, Work::Batch(texts), cancel)
}
