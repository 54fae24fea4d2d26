//! Counting throughput per corpus language: `cargo run --release --example corpus_speed`.
use std::time::Instant;
use tollgate_core::{Encoding, EncodingName};

fn main() {
    let encoding = Encoding::get(EncodingName::O200kBase);
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../../examples/corpus");
    let mut dirs: Vec<_> = std::fs::read_dir(root).expect("corpus").flatten().filter(|e| e.path().is_dir()).collect();
    dirs.sort_by_key(|e| e.path());
    let only: Vec<String> = std::env::args().skip(1).collect();
    let rounds = if only.is_empty() { 10 } else { 1 };
    for dir in dirs {
        if !only.is_empty() && !only.iter().any(|o| dir.file_name().to_string_lossy() == o.as_str()) {
            continue;
        }
        let mut text = String::new();
        for file in std::fs::read_dir(dir.path()).expect("dir").flatten() {
            if file.path().extension().is_some_and(|e| e == "txt") {
                text.push_str(&std::fs::read_to_string(file.path()).expect("utf8"));
            }
        }
        let mut best = f64::MAX;
        for _ in 0..rounds {
            let started = Instant::now();
            std::hint::black_box(encoding.count(&text, 0));
            best = best.min(started.elapsed().as_secs_f64());
        }
        println!("{:>12}: {:>7} bytes {:>7.1} MB/s", dir.file_name().to_string_lossy(), text.len(), text.len() as f64 / best / 1e6);
    }
}
