//! Node binding of tollgate-core. Thin on purpose: every call crosses once per unit of real work
//! (a whole text or a batch), encodings are passed as small integer handles, ids travel as typed
//! arrays, and no panic ever reaches Node (see [`guard`]).

// `cargo test` builds this crate without napi's registration, so its exports look unused there.
#![cfg_attr(test, allow(dead_code))]

mod cancel;
mod errors;
mod limiter;
mod staged;
mod tasks;
mod router;

use napi::bindgen_prelude::{Buffer, Uint32Array};
use napi::Result;
use napi_derive::napi;
use rayon::prelude::*;
use tollgate_core::{Encoding, EncodingName};

pub use cancel::CancelToken;
use errors::{guard, invalid_encoding, invalid_token};

/// The encoding behind handle `handle` (its index in `EncodingName::ALL`).
pub(crate) fn encoding(handle: u32) -> Result<&'static Encoding> {
    let name = EncodingName::ALL.get(handle as usize).ok_or_else(|| invalid_encoding(handle))?;
    Ok(Encoding::get(*name))
}

/// Builds an encoding now, so the first real call does not pay for it.
#[napi]
pub fn warm_up(handle: u32) -> Result<u32> {
    guard(|| Ok(encoding(handle)?.vocabulary_size() as u32))
}

/// Number of tokens in `text`.
#[napi]
pub fn count_tokens(handle: u32, text: String, allowed_special: u32) -> Result<u32> {
    guard(|| Ok(encoding(handle)?.count(&text, allowed_special) as u32))
}

/// Token count of `text` when at most `limit`, else -1; stops counting past the limit.
#[napi]
pub fn count_tokens_up_to(handle: u32, text: String, allowed_special: u32, limit: u32) -> Result<i64> {
    guard(|| {
        let counted = encoding(handle)?.count_up_to(&text, allowed_special, limit as usize);
        Ok(counted.map_or(-1, |count| count as i64))
    })
}

/// Token ids of `text`.
#[napi]
pub fn encode(handle: u32, text: String, allowed_special: u32) -> Result<Uint32Array> {
    guard(|| Ok(Uint32Array::new(encoding(handle)?.encode(&text, allowed_special))))
}

/// The bytes that `ids` stand for; the caller decodes them as UTF-8 with replacement.
#[napi]
pub fn decode_bytes(handle: u32, ids: Uint32Array) -> Result<Buffer> {
    guard(|| {
        let bytes = encoding(handle)?.decode_bytes(&ids).map_err(invalid_token)?;
        Ok(Buffer::from(bytes))
    })
}

/// Counts of several texts, one after another on this thread (for many small texts, such as the
/// fields of one chat, where spreading over threads costs more than it saves).
#[napi]
pub fn count_tokens_many(handle: u32, texts: Vec<String>, allowed_special: u32) -> Result<Uint32Array> {
    guard(|| {
        let encoding = encoding(handle)?;
        let counts = texts.iter().map(|text| encoding.count(text, allowed_special) as u32);
        Ok(Uint32Array::new(counts.collect()))
    })
}

/// Counts of several texts, spread over all cores.
#[napi]
pub fn count_tokens_batch(handle: u32, texts: Vec<String>, allowed_special: u32) -> Result<Uint32Array> {
    guard(|| Ok(Uint32Array::new(parallel_counts(encoding(handle)?, &texts, allowed_special))))
}

pub(crate) fn parallel_counts(encoding: &Encoding, texts: &[String], allowed_special: u32) -> Vec<u32> {
    texts.par_iter().with_min_len(8).map(|text| encoding.count(text, allowed_special) as u32).collect()
}

/// Number of worker threads that batch counting spreads over.
#[napi]
pub fn parallelism() -> u32 {
    rayon::current_num_threads() as u32
}
