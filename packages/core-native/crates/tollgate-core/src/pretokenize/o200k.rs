//! o200k_base, alternatives in order:
//! 1. `[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?`
//! 2. `[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?`
//! 3. `\p{N}{1,3}`
//! 4. ` ?[^\s\p{L}\p{N}]+[\r\n/]*`
//! 5–7. `\s*[\r\n]+|\s+(?!\S)|\s+`
//!
//! "Upper" below is the first bracket (Lu Lt Lm Lo M), "lower" the second (Ll Lm Lo M); Lm, Lo
//! and M are in both.

use super::scan::{contraction_end, numbers_end, peek, run_end, symbols_end, whitespace_end};
use crate::char_class::CharClass;

#[inline]
fn is_upper(class: CharClass) -> bool {
    matches!(class, CharClass::Upper | CharClass::OtherLetter | CharClass::Mark)
}

#[inline]
fn is_lower(class: CharClass) -> bool {
    matches!(class, CharClass::Lower | CharClass::OtherLetter | CharClass::Mark)
}

#[inline]
fn with_contraction(text: &[u8], end: usize) -> usize {
    contraction_end(text, end, true).unwrap_or(end)
}

/// Alternative 1 from `i`: upper* lower+ contraction?. Greedy upper*, then backtracking to the
/// last character that is also lower when the run is not followed by a lower one.
#[inline]
fn upper_then_lower(text: &[u8], i: usize) -> Option<usize> {
    let mut end = i;
    let mut last_both = None;
    while let Some((_, class, length)) = peek(text, end) {
        if !is_upper(class) {
            break;
        }
        if is_lower(class) {
            last_both = Some(end + length);
        }
        end += length;
    }
    if let Some((_, class, _)) = peek(text, end) {
        if is_lower(class) {
            return Some(with_contraction(text, run_end(text, end, is_lower)));
        }
    }
    last_both.map(|after| with_contraction(text, after))
}

/// Alternative 2 from `i`: upper+ lower* contraction?.
#[inline]
fn upper_run(text: &[u8], i: usize) -> Option<usize> {
    let end = run_end(text, i, is_upper);
    (end > i).then(|| with_contraction(text, run_end(text, end, is_lower)))
}

#[inline]
pub fn piece_end(text: &[u8], start: usize) -> usize {
    let (code_point, class, length) = peek(text, start).expect("start is inside the text");
    let is_newline = code_point == 0x0d || code_point == 0x0a;
    let may_prefix = !is_newline && !class.is_letter() && class != CharClass::Number;

    let word = (may_prefix.then(|| upper_then_lower(text, start + length)).flatten())
        .or_else(|| upper_then_lower(text, start))
        .or_else(|| may_prefix.then(|| upper_run(text, start + length)).flatten())
        .or_else(|| upper_run(text, start));
    if let Some(end) = word {
        return end;
    }

    if class == CharClass::Number {
        return numbers_end(text, start, 3);
    }

    if let Some(end) = symbols_end(text, start, code_point, length, b"\r\n/") {
        return end;
    }

    whitespace_end(text, start, true)
}
