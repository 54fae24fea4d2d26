//! The one place where failures become JS errors. Messages start with a stable code that the TS
//! layer turns into a `TollgateError`.

use std::panic::{catch_unwind, AssertUnwindSafe};

use napi::{Error, Result, Status};
use tollgate_core::InvalidTokenId;

/// Runs `body`, turning a panic into an `ERR_NATIVE_FAILURE` error instead of aborting Node.
pub fn guard<T>(body: impl FnOnce() -> Result<T>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(result) => result,
        Err(payload) => {
            let detail = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            Err(Error::new(Status::GenericFailure, format!("ERR_NATIVE_FAILURE: {detail}")))
        }
    }
}

pub fn invalid_encoding(handle: u32) -> Error {
    Error::new(Status::InvalidArg, format!("ERR_UNKNOWN_ENCODING: no encoding has handle {handle}"))
}

pub fn invalid_token(error: InvalidTokenId) -> Error {
    Error::new(Status::InvalidArg, format!("ERR_INVALID_TOKEN_ID:{}:{}", error.index, error.id))
}

pub fn aborted() -> Error {
    Error::new(Status::Cancelled, "ERR_ABORTED: the operation was aborted".to_string())
}
