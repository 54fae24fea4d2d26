//! The draws of a pick among the candidates a scan listed: by weight (simple_shuffle), lowest
//! score with a near-best buffer, one of tied lowest scores, and the better of two at random.

use super::super::deployment::Deployment;
use super::{Group, Scratch};

impl Group {
    /// By weight, else rpm, else tpm, else uniformly (limits are never negative, so a field is in
    /// use when its total is above 0). By weight, `sums` holds the running totals and a binary
    /// search finds the first candidate whose running total passes the draw; rpm and tpm (used
    /// only when no candidate has a weight) are summed and walked here.
    pub(super) fn pick_shuffled(&mut self, scratch: &Scratch, weight_total: f64) -> u32 {
        let candidates = &scratch.candidates[..scratch.count];
        let deployments = &self.deployments;
        if weight_total > 0.0 {
            let target = self.random.next_unit() * weight_total;
            let sums = &scratch.sums[..scratch.count];
            let index = sums.partition_point(|&running| running <= target);
            if index < candidates.len() {
                return candidates[index];
            }
            // The draw rounded up to the total: the last candidate with a weight wins.
            let last = candidates
                .iter()
                .rposition(|&local| deployments[local as usize].weight > 0.0);
            return candidates[last.unwrap_or(0)];
        }
        let total_of = |field: fn(&Deployment) -> f64| -> f64 {
            let mut total = 0.0;
            for &local in candidates {
                total += field(&deployments[local as usize]);
            }
            total
        };
        let field: fn(&Deployment) -> f64 = |deployment| deployment.rpm;
        let (field, total) = match total_of(field) {
            total if total > 0.0 => (field, total),
            _ => {
                let field: fn(&Deployment) -> f64 = |deployment| deployment.tpm;
                (field, total_of(field))
            }
        };
        if total <= 0.0 {
            let index = self.random.next_index(candidates.len());
            return candidates[index];
        }
        let target = self.random.next_unit() * total;
        let mut reached = 0.0;
        let mut last = candidates[0];
        for &local in candidates {
            let value = field(&deployments[local as usize]);
            if value <= 0.0 {
                continue;
            }
            reached += value;
            last = local;
            if target < reached {
                return local;
            }
        }
        last
    }

    /// Lowest score (`scores`, lowest `best`); candidates within `buffer` (a fraction) of the
    /// best share the draw.
    pub(super) fn pick_lowest(&mut self, scratch: &Scratch, best: f64, buffer: f64) -> u32 {
        let scores = &scratch.scores[..scratch.count];
        let limit = best * (1.0 + buffer);
        let ties = scores.iter().filter(|&&score| score <= limit).count();
        let mut chosen = if ties > 1 {
            self.random.next_index(ties)
        } else {
            0
        };
        for (index, &score) in scores.iter().enumerate() {
            if score > limit {
                continue;
            }
            if chosen == 0 {
                return scratch.candidates[index];
            }
            chosen -= 1;
        }
        scratch.candidates[0]
    }

    /// Lowest score without a buffer: one of the `count` ties the filter pass listed, drawn as
    /// [`Self::pick_lowest`] draws (the first candidate when every score was NaN).
    pub(super) fn pick_tied(&mut self, scratch: &Scratch, count: usize) -> u32 {
        match count {
            0 => scratch.candidates[0],
            1 => scratch.ties[0],
            _ => {
                let index = self.random.next_index(count);
                scratch.ties[index]
            }
        }
    }

    pub(super) fn pick_of_two(&mut self, scratch: &Scratch, now_ms: f64) -> u32 {
        let count = scratch.count;
        let first = self.random.next_index(count);
        let mut second = self.random.next_index(count - 1);
        if second >= first {
            second += 1;
        }
        let a = scratch.candidates[first];
        let b = scratch.candidates[second];
        let load = |local: u32| self.deployments[local as usize].load(now_ms);
        if load(b) < load(a) {
            b
        } else {
            a
        }
    }
}
