//! The hand-written pre-tokenizers split exactly where tiktoken's own regexes do, when those run
//! on the engine tiktoken uses (fancy-regex over the regex crate). This is the reference for the
//! characters where JavaScript regexes differ (U+0085, U+FEFF, `ſ` in case-insensitive matches).

use fancy_regex::Regex;
use tollgate_core::pretokenize::{Pattern, Pieces};

const CL100K: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
const O200K: &str = r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+";
const GPT2: &str = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

const FRAGMENTS: &[&str] = &[
    "a", "Z", "word", "WORD", "Hello", "ǅ", "ǈx", "ß", "ſ", "'", "'s", "'S", "'ſ", "'re", "'RE", "'Ll", "'d", "'x",
    " ", "  ", "\t", "\n", "\r\n", "\r", "\u{85}", "\u{feff}", "\u{a0}", "\u{3000}", "\u{2028}", "\u{b}", "\u{c}",
    "1", "12", "1234", "٣", "½", "Ⅻ", "²", ".", "!?", "/", "//", "-", "é", "e\u{301}", "\u{301}", "\u{93f}", "न",
    "日本", "語", "한", "ภา", "мир", "ΣΟ", "👍", "👨\u{200d}👩", "\u{200d}", "\u{200b}", "🇯🇵", "<|endoftext|>", "\u{fffd}",
    "ǲ", "ꓲ", "ʰ", "ˇ", "ー", "々", "〆", "\u{1f3fb}", "\u{e000}", "\u{10ffff}",
];

struct Random(u64);

impl Random {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

fn reference_pieces(regex: &Regex, text: &str) -> Vec<String> {
    regex.find_iter(text).map(|m| m.expect("regex runs").as_str().to_string()).collect()
}

fn our_pieces(pattern: Pattern, text: &str) -> Vec<String> {
    Pieces::new(text, pattern).map(|(s, e)| text[s..e].to_string()).collect()
}

fn check(pattern: Pattern, source: &str, seed: u64) {
    let regex = Regex::new(source).expect("tiktoken's pattern compiles");
    let mut random = Random(seed);
    for case in 0..20_000 {
        let parts = 1 + random.below(12);
        let text: String = (0..parts).map(|_| FRAGMENTS[random.below(FRAGMENTS.len())]).collect();
        assert_eq!(our_pieces(pattern, &text), reference_pieces(&regex, &text), "{pattern:?} case {case}: {text:?}");
    }
}

#[test]
fn cl100k_pieces_equal_the_regex() {
    check(Pattern::Cl100k, CL100K, 1);
}

#[test]
fn o200k_pieces_equal_the_regex() {
    check(Pattern::O200k, O200K, 2);
}

#[test]
fn gpt2_pieces_equal_the_regex() {
    check(Pattern::Gpt2, GPT2, 3);
}

#[test]
fn long_s_is_a_contraction_under_tiktoken_case_folding() {
    let regex = Regex::new(O200K).expect("compiles");
    assert_eq!(reference_pieces(&regex, "x'ſ'ty"), ["x'ſ", "'ty"]);
    assert_eq!(our_pieces(Pattern::O200k, "x'ſ'ty"), ["x'ſ", "'ty"]);
}
