//! Prepares the bundled data at build time, so nothing is parsed or downloaded at run time:
//! - each `data/encodings/*.tiktoken` vocabulary becomes a byte blob plus a rank-indexed offset
//!   table (`<name>.bytes`, `<name>.offsets`) that the crate embeds with `include_bytes!`;
//! - `data/unicode/char-classes.txt` becomes a two-stage lookup table in `char_table.rs`.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

const ENCODINGS: [&str; 4] = ["o200k_base", "cl100k_base", "p50k_base", "r50k_base"];

fn main() {
    let data_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));

    for name in ENCODINGS {
        let path = data_dir.join("encodings").join(format!("{name}.tiktoken"));
        println!("cargo:rerun-if-changed={}", path.display());
        let text = fs::read_to_string(&path).expect("bundled vocabulary file is readable");
        let (bytes, offsets) = pack_vocabulary(&text, name);
        fs::write(out_dir.join(format!("{name}.bytes")), bytes).expect("OUT_DIR is writable");
        fs::write(out_dir.join(format!("{name}.offsets")), offsets).expect("OUT_DIR is writable");
    }

    let classes_path = data_dir.join("unicode/char-classes.txt");
    println!("cargo:rerun-if-changed={}", classes_path.display());
    let classes = fs::read_to_string(&classes_path).expect("bundled class table is readable");
    fs::write(out_dir.join("char_table.rs"), char_table_source(&classes)).expect("OUT_DIR is writable");
}

/// Packs `base64 rank` lines into token bytes ordered by rank and little-endian u32 offsets
/// (`offsets[r]..offsets[r + 1]` are token r's bytes; a rank with no token has an empty range).
fn pack_vocabulary(text: &str, name: &str) -> (Vec<u8>, Vec<u8>) {
    let mut entries: Vec<(u32, Vec<u8>)> = Vec::new();
    for (line_number, line) in text.lines().enumerate() {
        if line.is_empty() {
            continue;
        }
        let (encoded, rank) = line
            .split_once(' ')
            .unwrap_or_else(|| panic!("{name}: line {} has no rank", line_number + 1));
        let rank: u32 = rank.parse().unwrap_or_else(|_| panic!("{name}: bad rank on line {}", line_number + 1));
        entries.push((rank, decode_base64(encoded)));
    }
    entries.sort_by_key(|(rank, _)| *rank);
    let max_rank = entries.last().map(|(rank, _)| *rank).expect("vocabulary is not empty");

    let mut bytes = Vec::new();
    let mut offsets = Vec::with_capacity((max_rank as usize + 2) * 4);
    let mut next = entries.iter().peekable();
    for rank in 0..=max_rank {
        offsets.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        if let Some((_, token)) = next.next_if(|(r, _)| *r == rank) {
            bytes.extend_from_slice(token);
        }
    }
    offsets.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    (bytes, offsets)
}

fn decode_base64(encoded: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a' + 26) as u32,
            b'0'..=b'9' => (c - b'0' + 52) as u32,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("invalid base64 character {c}"),
        }
    };
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &c in encoded.as_bytes().iter().filter(|&&c| c != b'=') {
        buffer = (buffer << 6) | value(c);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    out
}

/// Emits `STAGE1` (code point >> 8 -> block) and `STAGE2` (block * 256 + low byte -> class).
fn char_table_source(text: &str) -> String {
    let mut classes = vec![0u8; 0x110000];
    for line in text.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        let mut fields = line.split(' ');
        let mut next_hex = || u32::from_str_radix(fields.next().expect("three fields"), 16).expect("hex");
        let (first, last, class) = (next_hex(), next_hex(), next_hex());
        for cp in first..=last {
            classes[cp as usize] = class as u8;
        }
    }

    let mut blocks: Vec<&[u8]> = Vec::new();
    let mut stage1 = Vec::with_capacity(0x1100);
    for block in classes.chunks(256) {
        let index = blocks.iter().position(|b| *b == block).unwrap_or_else(|| {
            blocks.push(block);
            blocks.len() - 1
        });
        stage1.push(index as u16);
    }

    let mut source = String::new();
    writeln!(source, "pub(crate) static STAGE1: [u16; {}] = {:?};", stage1.len(), stage1).expect("write");
    let stage2: Vec<u8> = blocks.concat();
    writeln!(source, "pub(crate) static STAGE2: [u8; {}] = {:?};", stage2.len(), stage2).expect("write");
    source
}
