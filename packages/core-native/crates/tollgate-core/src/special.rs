//! Which special tokens are recognised in a text, and where.

/// Bit `i` allows `Encoding::specials()[i]`; every other special-token text is ordinary text.
pub type SpecialMask = u32;

/// Finds the leftmost allowed special token at or after a position (the longest on a tie).
pub(crate) struct Finder<'a> {
    text: &'a str,
    specials: &'static [(&'static str, u32)],
    allowed: SpecialMask,
    /// Next known occurrence of each special at or after the last search (`usize::MAX`: none).
    cached: Vec<Option<usize>>,
}

impl<'a> Finder<'a> {
    pub fn new(text: &'a str, specials: &'static [(&'static str, u32)], allowed: SpecialMask) -> Self {
        Finder { text, specials, allowed, cached: vec![None; specials.len()] }
    }

    /// The start and index of the next allowed special token at or after `from`.
    pub fn next_from(&mut self, from: usize) -> Option<(usize, usize)> {
        if self.allowed == 0 {
            return None;
        }
        let mut best: Option<(usize, usize)> = None;
        for (index, (special, _)) in self.specials.iter().enumerate() {
            if self.allowed & (1 << index) == 0 {
                continue;
            }
            let found = match self.cached[index] {
                Some(usize::MAX) => None,
                Some(at) if at >= from => Some(at),
                _ => {
                    let at = self.text[from..].find(special).map(|offset| from + offset);
                    self.cached[index] = Some(at.unwrap_or(usize::MAX));
                    at
                }
            };
            let Some(at) = found else { continue };
            let better = match best {
                None => true,
                Some((best_at, best_index)) => {
                    at < best_at || (at == best_at && special.len() > self.specials[best_index].0.len())
                }
            };
            if better {
                best = Some((at, index));
            }
        }
        best
    }
}
