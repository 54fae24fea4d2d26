//! Small scanning steps shared by the pre-tokenizers.

use crate::char_class::{char_at, class_of, CharClass};

/// The class and byte length of the character at `i`, or `None` at the end of the text.
#[inline]
pub fn peek(text: &[u8], i: usize) -> Option<(u32, CharClass, usize)> {
    if i >= text.len() {
        return None;
    }
    let (code_point, length) = char_at(text, i);
    Some((code_point, class_of(code_point), length))
}

/// The end of the longest run from `i` of characters whose class satisfies `accept`.
#[inline]
pub fn run_end(text: &[u8], mut i: usize, accept: impl Fn(CharClass) -> bool) -> usize {
    while let Some((_, class, length)) = peek(text, i) {
        if !accept(class) {
            break;
        }
        i += length;
    }
    i
}

/// The end of the run from `i` of at most `limit` numbers (`\p{N}{1,limit}`).
#[inline]
pub fn numbers_end(text: &[u8], mut i: usize, limit: usize) -> usize {
    let mut taken = 0;
    while taken < limit {
        match peek(text, i) {
            Some((_, CharClass::Number, length)) => i += length,
            _ => break,
        }
        taken += 1;
    }
    i
}

/// The end of the longest run from `i` of the given ASCII bytes.
#[inline]
pub fn ascii_run_end(text: &[u8], mut i: usize, accept: &[u8]) -> usize {
    while i < text.len() && accept.contains(&text[i]) {
        i += 1;
    }
    i
}

/// Matches a contraction after the apostrophe at `apostrophe`: `'s|'t|'re|'ve|'m|'ll|'d`,
/// optionally case-insensitive with Unicode simple case folding (`ſ` matches `s`).
/// Returns the end of the match.
#[inline]
pub fn contraction_end(text: &[u8], apostrophe: usize, ignore_case: bool) -> Option<usize> {
    if text.get(apostrophe) != Some(&b'\'') {
        return None;
    }
    let i = apostrophe + 1;
    let (first, first_length) = match peek(text, i) {
        Some((code_point, _, length)) => (fold(code_point, ignore_case), length),
        None => return None,
    };
    let second = peek(text, i + first_length).map(|(cp, _, _)| fold(cp, ignore_case));
    match (first, second) {
        ('s' | 't' | 'm' | 'd', _) => Some(i + first_length),
        ('r' | 'v', Some('e')) | ('l', Some('l')) => Some(i + first_length + 1),
        _ => None,
    }
}

/// Lower-cases the letters that can occur in a contraction; any other character maps to `\0`.
#[inline]
fn fold(code_point: u32, ignore_case: bool) -> char {
    let lowered = match code_point {
        0x17f if ignore_case => 's' as u32,
        0x41..=0x5a if ignore_case => code_point + 0x20,
        _ => code_point,
    };
    match char::from_u32(lowered) {
        Some(c @ ('s' | 't' | 'r' | 'e' | 'v' | 'm' | 'l' | 'd')) => c,
        _ => '\0',
    }
}

/// Whitespace alternatives shared by cl100k and o200k (`\s*[\r\n]+|\s+(?!\S)|\s+`), and by the
/// GPT-2 pattern without the first one. The character at `start` must be white space.
#[inline]
pub fn whitespace_end(text: &[u8], start: usize, newline_rule: bool) -> usize {
    let mut i = start;
    let mut last_char_start = start;
    let mut after_last_newline = None;
    while let Some((code_point, CharClass::Space, length)) = peek(text, i) {
        if newline_rule && (code_point == 0x0d || code_point == 0x0a) {
            after_last_newline = Some(i + length);
        }
        last_char_start = i;
        i += length;
    }
    if let Some(end) = after_last_newline {
        return end;
    }
    if i >= text.len() || last_char_start == start {
        return i;
    }
    last_char_start
}

/// ` ?[^\s\p{L}\p{N}]+` followed by a run of the ASCII bytes in `trailing` (cl100k: `[\r\n]*`,
/// o200k: `[\r\n/]*`), for the character `code_point` of `length` bytes at `start`.
#[inline]
pub fn symbols_end(text: &[u8], start: usize, code_point: u32, length: usize, trailing: &[u8]) -> Option<usize> {
    let symbols_start = match peek(text, start + length) {
        Some((_, next, _)) if code_point == 0x20 && next.is_symbol() => start + length,
        _ => start,
    };
    let (_, symbol, _) = peek(text, symbols_start)?;
    if !symbol.is_symbol() {
        return None;
    }
    Some(ascii_run_end(text, run_end(text, symbols_start, CharClass::is_symbol), trailing))
}
