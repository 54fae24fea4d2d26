/// mulberry32: a 32-bit seeded generator, exact in both Rust and JS (`Math.imul`), so the native
/// and TS engines draw the same numbers from the same seed. Not for cryptography.
#[derive(Clone, Debug)]
pub struct SeededRandom {
    state: u32,
}

impl SeededRandom {
    /// A generator starting from `seed`.
    pub fn new(seed: u32) -> Self {
        Self { state: seed }
    }

    /// The next 32-bit value.
    pub fn next_u32(&mut self) -> u32 {
        self.state = self.state.wrapping_add(0x6d2b_79f5);
        let mut value = self.state;
        value = (value ^ (value >> 15)).wrapping_mul(value | 1);
        value ^= value.wrapping_add((value ^ (value >> 7)).wrapping_mul(value | 61));
        value ^ (value >> 14)
    }

    /// A number in [0, 1).
    pub fn next_unit(&mut self) -> f64 {
        f64::from(self.next_u32()) / 4_294_967_296.0
    }

    /// An index in [0, count).
    pub fn next_index(&mut self, count: usize) -> usize {
        (self.next_unit() * count as f64).floor() as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_values_of_seed_42_match_the_js_generator() {
        let mut random = SeededRandom::new(42);
        let values: Vec<u32> = (0..3).map(|_| random.next_u32()).collect();
        assert_eq!(values, vec![2_581_720_956, 1_925_393_290, 3_661_312_704]);
    }
}
