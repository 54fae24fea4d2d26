//! Hand-written pre-tokenizers that split text exactly where tiktoken's regexes do.
//!
//! Each scanner looks at a bounded number of characters per step and never backtracks over more
//! than the current run, so splitting is linear in the input (a regex engine with look-ahead, as
//! used by tiktoken, may revisit a run). The alternation order of each regex is followed literally;
//! the comments in each module give the regex and how every alternative is decided.

mod cl100k;
mod gpt2;
mod o200k;
mod scan;

/// Which regex an encoding splits its text with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pattern {
    /// r50k_base and p50k_base.
    Gpt2,
    /// cl100k_base.
    Cl100k,
    /// o200k_base.
    O200k,
}

impl Pattern {
    /// The end (exclusive byte offset) of the piece that starts at `start`; `start < text.len()`
    /// and on a character boundary.
    #[inline]
    pub fn piece_end(self, text: &[u8], start: usize) -> usize {
        match self {
            Pattern::Gpt2 => gpt2::piece_end(text, start),
            Pattern::Cl100k => cl100k::piece_end(text, start),
            Pattern::O200k => o200k::piece_end(text, start),
        }
    }
}

/// Iterates over the pieces of `text` as byte ranges.
pub struct Pieces<'a> {
    text: &'a [u8],
    position: usize,
    pattern: Pattern,
}

impl<'a> Pieces<'a> {
    pub fn new(text: &'a str, pattern: Pattern) -> Self {
        Pieces { text: text.as_bytes(), position: 0, pattern }
    }
}

impl Iterator for Pieces<'_> {
    type Item = (usize, usize);

    #[inline]
    fn next(&mut self) -> Option<(usize, usize)> {
        if self.position >= self.text.len() {
            return None;
        }
        let start = self.position;
        let end = self.pattern.piece_end(self.text, start);
        debug_assert!(end > start, "every scanner consumes at least one character");
        self.position = end;
        Some((start, end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str, pattern: Pattern) -> Vec<&str> {
        Pieces::new(text, pattern).map(|(s, e)| &text[s..e]).collect()
    }

    #[test]
    fn cl100k_splits_like_its_regex() {
        let p = Pattern::Cl100k;
        assert_eq!(split("Hello, World!", p), ["Hello", ",", " World", "!"]);
        assert_eq!(split("I'M we'll", p), ["I", "'M", " we", "'ll"]);
        assert_eq!(split("1234567", p), ["123", "456", "7"]);
        assert_eq!(split("a  b", p), ["a", " ", " b"]);
        assert_eq!(split("a \n\n b", p), ["a", " \n\n", " b"]);
        assert_eq!(split("x   ", p), ["x", "   "]);
        assert_eq!(split("!!\n\nq", p), ["!!\n\n", "q"]);
        assert_eq!(split("\u{3000}\u{3000}a", p), ["\u{3000}", "\u{3000}a"]);
    }

    #[test]
    fn o200k_splits_like_its_regex() {
        let p = Pattern::O200k;
        assert_eq!(split("HelloWorld", p), ["Hello", "World"]);
        assert_eq!(split("THEY'RE we'd", p), ["THEY'RE", " we'd"]);
        assert_eq!(split("a/b\n/c", p), ["a", "/b", "\n", "/c"]);
        assert_eq!(split("x //\n/", p), ["x", " //\n/"]);
        assert_eq!(split("ABCdef", p), ["ABCdef"]);
    }

    #[test]
    fn gpt2_splits_like_its_regex() {
        let p = Pattern::Gpt2;
        assert_eq!(split("I'M we'll 42x", p), ["I", "'", "M", " we", "'ll", " 42", "x"]);
        assert_eq!(split("a \n b", p), ["a", " \n", " b"]);
    }
}
