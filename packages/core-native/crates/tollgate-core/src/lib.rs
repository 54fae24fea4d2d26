//! tollgate-core: exact tiktoken-compatible tokenization.
//!
//! - Ids equal tiktoken's for o200k_base, cl100k_base, p50k_base and r50k_base (proven by the
//!   package's equivalence tests against js-tiktoken and the shared vectors).
//! - Pre-tokenization is hand-written per encoding and linear; long pieces merge in O(n log n).
//! - Vocabularies are packed at build time and embedded; nothing is read or fetched at run time.
//!
//! This crate holds no FFI types; `tollgate-node` binds it to Node.

mod bpe;
pub mod char_class;
pub mod limiter;
mod encoding;
mod merge_queue;
pub mod pretokenize;
mod special;
mod vocab;
pub mod router;

pub use encoding::{Encoding, EncodingName, InvalidTokenId};
pub use special::SpecialMask;
