//! Character classes used by the pre-tokenizers, from a table generated at build time out of
//! `data/unicode/char-classes.txt` (Node's Unicode data, so the TS fallback sees the same classes).

include!(concat!(env!("OUT_DIR"), "/char_table.rs"));

/// The classes that tiktoken's pre-tokenization regexes distinguish.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum CharClass {
    /// Punctuation, symbols, controls and anything unassigned.
    Other = 0,
    /// `\p{Lu}` or `\p{Lt}`.
    Upper = 1,
    /// `\p{Ll}`.
    Lower = 2,
    /// `\p{Lm}` or `\p{Lo}`.
    OtherLetter = 3,
    /// `\p{M}`.
    Mark = 4,
    /// `\p{N}`.
    Number = 5,
    /// `\p{White_Space}` (what Rust's regex, and so tiktoken, means by `\s`).
    Space = 6,
}

impl CharClass {
    /// `\p{L}`.
    #[inline]
    pub fn is_letter(self) -> bool {
        matches!(self, CharClass::Upper | CharClass::Lower | CharClass::OtherLetter)
    }

    /// `[^\s\p{L}\p{N}]`: neither white space, nor a letter, nor a number.
    #[inline]
    pub fn is_symbol(self) -> bool {
        matches!(self, CharClass::Other | CharClass::Mark)
    }
}

/// The class of a Unicode scalar value. Cost: two table loads.
#[inline]
pub fn class_of(code_point: u32) -> CharClass {
    let block = STAGE1[(code_point >> 8) as usize] as usize;
    from_byte(STAGE2[(block << 8) | (code_point & 0xff) as usize])
}

#[inline]
fn from_byte(value: u8) -> CharClass {
    match value {
        1 => CharClass::Upper,
        2 => CharClass::Lower,
        3 => CharClass::OtherLetter,
        4 => CharClass::Mark,
        5 => CharClass::Number,
        6 => CharClass::Space,
        _ => CharClass::Other,
    }
}

/// Decodes the scalar value starting at byte `i` of valid UTF-8 and returns it with its length.
#[inline]
pub fn char_at(bytes: &[u8], i: usize) -> (u32, usize) {
    let first = bytes[i] as u32;
    if first < 0x80 {
        return (first, 1);
    }
    let continuation = |k: usize| (bytes[i + k] & 0x3f) as u32;
    if first < 0xe0 {
        (((first & 0x1f) << 6) | continuation(1), 2)
    } else if first < 0xf0 {
        (((first & 0x0f) << 12) | (continuation(1) << 6) | continuation(2), 3)
    } else {
        let value = ((first & 0x07) << 18) | (continuation(1) << 12) | (continuation(2) << 6);
        (value | continuation(3), 4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_of_known_characters() {
        assert_eq!(class_of('a' as u32), CharClass::Lower);
        assert_eq!(class_of('Q' as u32), CharClass::Upper);
        assert_eq!(class_of('7' as u32), CharClass::Number);
        assert_eq!(class_of(' ' as u32), CharClass::Space);
        assert_eq!(class_of(0x3000), CharClass::Space);
        assert_eq!(class_of(0x85), CharClass::Space);
        assert_eq!(class_of(0xfeff), CharClass::Other);
        assert_eq!(class_of('日' as u32), CharClass::OtherLetter);
        assert_eq!(class_of(0x301), CharClass::Mark);
        assert_eq!(class_of('!' as u32), CharClass::Other);
        assert_eq!(class_of(0x1f600), CharClass::Other);
    }

    #[test]
    fn decodes_every_utf8_length() {
        let text = "a\u{e9}\u{65e5}\u{1f600}";
        let bytes = text.as_bytes();
        assert_eq!(char_at(bytes, 0), ('a' as u32, 1));
        assert_eq!(char_at(bytes, 1), (0xe9, 2));
        assert_eq!(char_at(bytes, 3), (0x65e5, 3));
        assert_eq!(char_at(bytes, 6), (0x1f600, 4));
    }
}
