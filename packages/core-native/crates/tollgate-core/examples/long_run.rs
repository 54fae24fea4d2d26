//! Times counting long runs of one character: `cargo run --release --example long_run`.
use std::time::Instant;
use tollgate_core::{Encoding, EncodingName};

fn main() {
    let encoding = Encoding::get(EncodingName::O200kBase);
    for unit in ["a", ".", " "] {
        let text = unit.repeat(1_000_000);
        let mut best = f64::MAX;
        let mut count = 0;
        for _ in 0..5 {
            let started = Instant::now();
            count = encoding.count(&text, 0);
            best = best.min(started.elapsed().as_secs_f64() * 1e3);
        }
        println!("{unit:?} x 1e6: {count} tokens, best of 5: {best:.1} ms");
    }
}
