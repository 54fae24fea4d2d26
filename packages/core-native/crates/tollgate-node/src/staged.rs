//! A long text handed over in parts, one per event-loop turn, so converting it from JS does not
//! block the loop for the whole text; then counted or encoded off the loop like any async call.

use napi::bindgen_prelude::AsyncTask;
use napi_derive::napi;

use crate::tasks::{task, TokenTask, Work};
use crate::CancelToken;

/// UTF-8 text gathered part by part. JS splits the text between surrogate pairs, never inside
/// one, so the parts convert exactly as the whole text would.
#[napi]
#[derive(Default)]
pub struct StagedText {
    text: String,
}

#[napi]
impl StagedText {
    #[napi(constructor)]
    pub fn new() -> Self {
        StagedText::default()
    }

    /// Adds the next part.
    #[napi]
    pub fn append(&mut self, part: String) {
        self.text.push_str(&part);
    }
}

/// Resolves to a one-element array holding the token count of the staged text, which it takes
/// (the staged text is empty afterwards).
#[napi(ts_return_type = "Promise<Uint32Array>")]
pub fn count_staged_async(
    handle: u32,
    staged: &mut StagedText,
    allowed_special: u32,
    cancel: &CancelToken,
) -> AsyncTask<TokenTask> {
    task(
        handle,
        allowed_special,
        Work::Count(std::mem::take(&mut staged.text)),
        cancel,
    )
}

/// Resolves to the token ids of the staged text, which it takes.
#[napi(ts_return_type = "Promise<Uint32Array>")]
pub fn encode_staged_async(
    handle: u32,
    staged: &mut StagedText,
    allowed_special: u32,
    cancel: &CancelToken,
) -> AsyncTask<TokenTask> {
    task(
        handle,
        allowed_special,
        Work::Encode(std::mem::take(&mut staged.text)),
        cancel,
    )
}
