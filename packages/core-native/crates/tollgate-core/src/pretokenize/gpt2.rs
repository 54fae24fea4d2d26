//! r50k_base and p50k_base:
//! `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`

use super::scan::{contraction_end, peek, run_end, whitespace_end};
use crate::char_class::CharClass;

#[inline]
fn same_kind_run(text: &[u8], i: usize, class: CharClass) -> Option<usize> {
    if class.is_letter() {
        Some(run_end(text, i, CharClass::is_letter))
    } else if class == CharClass::Number {
        Some(run_end(text, i, |c| c == CharClass::Number))
    } else if class.is_symbol() {
        Some(run_end(text, i, CharClass::is_symbol))
    } else {
        None
    }
}

#[inline]
pub fn piece_end(text: &[u8], start: usize) -> usize {
    let (code_point, class, length) = peek(text, start).expect("start is inside the text");

    if let Some(end) = contraction_end(text, start, false) {
        return end;
    }
    if code_point == 0x20 {
        if let Some((_, next, _)) = peek(text, start + length) {
            if let Some(end) = same_kind_run(text, start + length, next) {
                return end;
            }
        }
    }
    if let Some(end) = same_kind_run(text, start, class) {
        return end;
    }
    whitespace_end(text, start, false)
}
