//! cl100k_base:
//! `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`

use super::scan::{contraction_end, numbers_end, peek, run_end, symbols_end, whitespace_end};
use crate::char_class::CharClass;

#[inline]
pub fn piece_end(text: &[u8], start: usize) -> usize {
    let (code_point, class, length) = peek(text, start).expect("start is inside the text");

    if let Some(end) = contraction_end(text, start, true) {
        return end;
    }

    if class.is_letter() {
        return run_end(text, start, CharClass::is_letter);
    }
    let is_newline = code_point == 0x0d || code_point == 0x0a;
    if !is_newline && class != CharClass::Number {
        if let Some((_, next, _)) = peek(text, start + length) {
            if next.is_letter() {
                return run_end(text, start + length, CharClass::is_letter);
            }
        }
    }

    if class == CharClass::Number {
        return numbers_end(text, start, 3);
    }

    if let Some(end) = symbols_end(text, start, code_point, length, b"\r\n") {
        return end;
    }

    whitespace_end(text, start, true)
}
