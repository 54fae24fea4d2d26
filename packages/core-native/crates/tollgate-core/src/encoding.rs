//! The bundled encodings and what they do with a whole text.

use std::cell::RefCell;
use std::ops::ControlFlow;
use std::sync::OnceLock;

use crate::bpe::{merge_piece, Scratch};
use crate::pretokenize::{Pattern, Pieces};
use crate::special::SpecialMask;
use crate::vocab::Vocab;

thread_local! {
    /// Merge buffers reused by every call on this thread, so a short text allocates nothing.
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// A bundled tiktoken encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EncodingName {
    O200kBase,
    Cl100kBase,
    P50kBase,
    R50kBase,
}

impl EncodingName {
    /// Every bundled encoding, in the order of their integer handles.
    pub const ALL: [EncodingName; 4] =
        [EncodingName::O200kBase, EncodingName::Cl100kBase, EncodingName::P50kBase, EncodingName::R50kBase];

    /// tiktoken's name for the encoding.
    pub fn as_str(self) -> &'static str {
        match self {
            EncodingName::O200kBase => "o200k_base",
            EncodingName::Cl100kBase => "cl100k_base",
            EncodingName::P50kBase => "p50k_base",
            EncodingName::R50kBase => "r50k_base",
        }
    }

    /// Parses tiktoken's name.
    pub fn parse(name: &str) -> Option<EncodingName> {
        EncodingName::ALL.into_iter().find(|e| e.as_str() == name)
    }
}

/// An encoding: a pre-tokenizer, a vocabulary and its special tokens.
pub struct Encoding {
    name: EncodingName,
    pattern: Pattern,
    vocab: Vocab,
    specials: &'static [(&'static str, u32)],
}

/// A token id that is neither in the vocabulary nor a special token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidTokenId {
    pub id: u32,
    pub index: usize,
}

macro_rules! packed {
    ($name:literal) => {
        (
            include_bytes!(concat!(env!("OUT_DIR"), "/", $name, ".bytes")) as &'static [u8],
            include_bytes!(concat!(env!("OUT_DIR"), "/", $name, ".offsets")) as &'static [u8],
        )
    };
}

impl Encoding {
    /// The shared instance of `name`, built on first use (about 10 ms for o200k_base).
    pub fn get(name: EncodingName) -> &'static Encoding {
        static CELLS: [OnceLock<Encoding>; 4] =
            [OnceLock::new(), OnceLock::new(), OnceLock::new(), OnceLock::new()];
        let index = EncodingName::ALL.iter().position(|e| *e == name).expect("ALL lists every name");
        CELLS[index].get_or_init(|| Encoding::build(name))
    }

    fn build(name: EncodingName) -> Encoding {
        let ((bytes, offsets), pattern, specials): (_, _, &'static [(&'static str, u32)]) = match name {
            EncodingName::O200kBase => (
                packed!("o200k_base"),
                Pattern::O200k,
                &[("<|endoftext|>", 199_999), ("<|endofprompt|>", 200_018)],
            ),
            EncodingName::Cl100kBase => (
                packed!("cl100k_base"),
                Pattern::Cl100k,
                &[
                    ("<|endoftext|>", 100_257),
                    ("<|fim_prefix|>", 100_258),
                    ("<|fim_middle|>", 100_259),
                    ("<|fim_suffix|>", 100_260),
                    ("<|endofprompt|>", 100_276),
                ],
            ),
            EncodingName::P50kBase => {
                (packed!("p50k_base"), Pattern::Gpt2, &[("<|endoftext|>", 50_256)])
            }
            EncodingName::R50kBase => {
                (packed!("r50k_base"), Pattern::Gpt2, &[("<|endoftext|>", 50_256)])
            }
        };
        Encoding { name, pattern, vocab: Vocab::from_packed(bytes, offsets), specials }
    }

    pub fn name(&self) -> EncodingName {
        self.name
    }

    /// The special tokens, as (text, id); a [`SpecialMask`] bit `i` allows entry `i`.
    pub fn specials(&self) -> &'static [(&'static str, u32)] {
        self.specials
    }

    /// Calls `sink` with each token id of `text`, in order, until it breaks. Special-token text
    /// is ordinary text unless its bit is set in `allowed`.
    pub fn for_each_token(
        &self,
        text: &str,
        allowed: SpecialMask,
        mut sink: impl FnMut(u32) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        SCRATCH.with(|cell| {
            // A sink that re-enters the tokenizer on this thread gets fresh buffers.
            let mut fresh = Scratch::default();
            let mut borrowed = cell.try_borrow_mut();
            let scratch = borrowed.as_deref_mut().unwrap_or(&mut fresh);
            if allowed == 0 {
                return self.encode_ordinary(text, scratch, &mut sink);
            }
            let mut position = 0;
            let mut finder = crate::special::Finder::new(text, self.specials, allowed);
            loop {
                let (segment_end, special) = match finder.next_from(position) {
                    Some((start, index)) => (start, Some(index)),
                    None => (text.len(), None),
                };
                self.encode_ordinary(&text[position..segment_end], scratch, &mut sink)?;
                let Some(index) = special else { return ControlFlow::Continue(()) };
                let (special_text, id) = self.specials[index];
                sink(id)?;
                position = segment_end + special_text.len();
            }
        })
    }

    fn encode_ordinary(
        &self,
        text: &str,
        scratch: &mut Scratch,
        sink: &mut impl FnMut(u32) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        let bytes = text.as_bytes();
        let mut flow = ControlFlow::Continue(());
        for (start, end) in Pieces::new(text, self.pattern) {
            merge_piece(&self.vocab, &bytes[start..end], scratch, &mut |id| {
                if flow.is_continue() {
                    flow = sink(id);
                }
            });
            flow?;
        }
        flow
    }

    /// Token ids of `text`.
    pub fn encode(&self, text: &str, allowed: SpecialMask) -> Vec<u32> {
        let mut ids = Vec::with_capacity(text.len() / 4 + 1);
        let _ = self.for_each_token(text, allowed, |id| {
            ids.push(id);
            ControlFlow::Continue(())
        });
        ids
    }

    /// Number of tokens of `text`, without building the ids.
    pub fn count(&self, text: &str, allowed: SpecialMask) -> usize {
        let mut count = 0usize;
        let _ = self.for_each_token(text, allowed, |_| {
            count += 1;
            ControlFlow::Continue(())
        });
        count
    }

    /// The count when it is at most `limit`, else `None`; stops as soon as the limit is passed.
    pub fn count_up_to(&self, text: &str, allowed: SpecialMask, limit: usize) -> Option<usize> {
        let mut count = 0usize;
        let flow = self.for_each_token(text, allowed, |_| {
            count += 1;
            if count > limit {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        flow.is_continue().then_some(count)
    }

    /// The bytes that `ids` stand for (not necessarily valid UTF-8 when a character is split).
    pub fn decode_bytes(&self, ids: &[u32]) -> Result<Vec<u8>, InvalidTokenId> {
        let mut out = Vec::with_capacity(ids.len() * 4);
        for (index, &id) in ids.iter().enumerate() {
            if let Some(token) = self.vocab.token(id) {
                out.extend_from_slice(token);
            } else if let Some((text, _)) = self.specials.iter().find(|(_, s)| *s == id) {
                out.extend_from_slice(text.as_bytes());
            } else {
                return Err(InvalidTokenId { id, index });
            }
        }
        Ok(out)
    }

    /// Number of ordinary tokens in the vocabulary (specials not included).
    pub fn vocabulary_size(&self) -> usize {
        self.vocab.len()
    }
}
