//! Sliding windows kept as a ring of counters.
//!
//! A window of length `W` is cut into [`SLOTS_PER_WINDOW`] slots of `W / SLOTS_PER_WINDOW`
//! milliseconds; the ring holds one more slot than that. At time `t` the count is the sum of the
//! slots from the one holding `t - W` up to the one holding `t`, which covers all of `(t - W, t]`
//! and a little more. Admission requires `count + cost <= limit`, so no span of length `W` ever
//! holds more than `limit` units: there is no double burst at a window edge. The price is that a
//! unit is forgotten between `W` and `W * (1 + 1 / SLOTS_PER_WINDOW)` after it was taken.
//! Memory: `4 * (SLOTS_PER_WINDOW + 1)` bytes plus an 8-byte head per key and window.
//!
//! The TS fallback (`src/limiter/fallback/window.ts`) and the Redis script do the same arithmetic
//! in the same order on IEEE doubles, so all three agree to the millisecond.

/// Slots a window is cut into; the ring holds one more.
pub const SLOTS_PER_WINDOW: usize = 12;

/// Number of counters in the ring of one window.
pub const RING: usize = SLOTS_PER_WINDOW + 1;

/// Milliseconds covered by one slot of a window of `period_ms`.
pub fn slot_ms(period_ms: f64) -> f64 {
    period_ms / SLOTS_PER_WINDOW as f64
}

/// The absolute number of the slot holding `now_ms`.
pub fn slot_of(now_ms: f64, slot_ms: f64) -> i64 {
    (now_ms / slot_ms).floor() as i64
}

/// Moves the ring forward to the slot of `now_ms`, clearing the slots that fall out.
pub fn advance(ring: &mut [u32], head: &mut i64, now_ms: f64, slot_ms: f64) {
    let current = slot_of(now_ms, slot_ms);
    if current <= *head {
        return;
    }
    let steps = (current - *head).min(RING as i64);
    for step in 1..=steps {
        ring[((*head + step).rem_euclid(RING as i64)) as usize] = 0;
    }
    *head = current;
}

/// Units counted at the head's time (call [`advance`] first).
pub fn counted(ring: &[u32]) -> u64 {
    ring.iter().map(|&count| count as u64).sum()
}

/// Milliseconds from `now_ms` until at least `needed` units have left the count.
pub fn wait_ms(ring: &[u32], head: i64, needed: u64, now_ms: f64, slot_ms: f64) -> f64 {
    let mut freed = 0u64;
    for slot in (head - SLOTS_PER_WINDOW as i64)..=head {
        freed += ring[slot.rem_euclid(RING as i64) as usize] as u64;
        if freed >= needed {
            return ((slot + RING as i64) as f64 * slot_ms - now_ms).max(0.0);
        }
    }
    f64::INFINITY
}

/// True when no unit in the ring still counts at slot `now_slot`.
pub fn is_clear(ring: &[u32], head: i64, now_slot: i64) -> bool {
    let oldest = (head - SLOTS_PER_WINDOW as i64).max(now_slot - SLOTS_PER_WINDOW as i64);
    (oldest..=head).all(|slot| ring[slot.rem_euclid(RING as i64) as usize] == 0)
}

/// Adds `units` to the head slot, saturating.
pub fn add(ring: &mut [u32], head: i64, units: u64) {
    let index = head.rem_euclid(RING as i64) as usize;
    ring[index] = (ring[index] as u64 + units).min(u32::MAX as u64) as u32;
}

/// Takes back up to `units` from the slot of `at_ms`, if that slot is still in the ring.
pub fn refund(ring: &mut [u32], head: i64, units: u64, at_ms: f64, slot_ms: f64) {
    let slot = slot_of(at_ms, slot_ms);
    if slot > head || slot < head - SLOTS_PER_WINDOW as i64 {
        return;
    }
    let index = slot.rem_euclid(RING as i64) as usize;
    ring[index] = (ring[index] as u64).saturating_sub(units) as u32;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_leaves_the_count_after_one_window_and_one_slot_at_most() {
        let slot = slot_ms(1000.0);
        let mut ring = [0u32; RING];
        let mut head = slot_of(950.0, slot);
        add(&mut ring, head, 1);
        let wait = wait_ms(&ring, head, 1, 950.0, slot);
        assert!(950.0 + wait >= 1950.0 && 950.0 + wait <= 950.0 + 1000.0 + slot);
        advance(&mut ring, &mut head, 950.0 + wait - 0.001, slot);
        assert_eq!(counted(&ring), 1);
        advance(&mut ring, &mut head, 950.0 + wait, slot);
        assert_eq!(counted(&ring), 0);
    }
}
