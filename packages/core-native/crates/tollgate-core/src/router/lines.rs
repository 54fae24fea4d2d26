//! A growable buffer of plain numbers in whole cache lines: its allocation starts on a line and
//! ends on one, so no other allocation (another group's buffers, written by another thread)
//! shares a line with it. Small per-group buffers from `Vec` would sit next to each other in the
//! heap and make threads on different groups write the same lines.

use std::marker::PhantomData;

/// Asks the core to fetch the cache line holding `pointer` for writing, without waiting for it:
/// a lease's lines (last written by another core, likely) then arrive together rather than one
/// miss after another. A hint only: no effect on results, and no fault on any address. A core
/// without a write prefetch (CPUID `PRFCHW`) gets a read prefetch.
#[inline(always)]
pub(crate) fn prefetch_write<T>(pointer: *const T) {
    #[cfg(target_arch = "x86_64")]
    {
        if has_write_prefetch() {
            // SAFETY: the core has PREFETCHW (CPUID checked); a prefetch never faults or writes.
            unsafe {
                std::arch::asm!(
                    "prefetchw byte ptr [{0}]",
                    in(reg) pointer,
                    options(nostack, preserves_flags, readonly)
                );
            }
        } else {
            // SAFETY: a prefetch reads nothing and never faults.
            unsafe {
                std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                    pointer.cast(),
                )
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = pointer;
}

/// Whether the core has PREFETCHW (CPUID 0x8000_0001, ECX bit 8), asked once.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn has_write_prefetch() -> bool {
    use std::sync::atomic::{AtomicU8, Ordering};
    /// 0: not asked yet, 1: no, 2: yes.
    static KNOWN: AtomicU8 = AtomicU8::new(0);
    match KNOWN.load(Ordering::Relaxed) {
        0 => {
            use std::arch::x86_64::__cpuid;
            let yes =
                __cpuid(0x8000_0000).eax >= 0x8000_0001 && (__cpuid(0x8000_0001).ecx >> 8) & 1 == 1;
            KNOWN.store(if yes { 2 } else { 1 }, Ordering::Relaxed);
            yes
        }
        known => known == 2,
    }
}
use std::ops::{Deref, DerefMut};

#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Line([u64; 8]);

/// Numbers for which every bit pattern, all zero bits included, is a value.
pub(crate) trait Plain: Copy {}
impl Plain for u32 {}
impl Plain for f64 {}

pub(crate) struct LineBuffer<T: Plain> {
    lines: Vec<Line>,
    kind: PhantomData<T>,
}

impl<T: Plain> LineBuffer<T> {
    pub(crate) fn new() -> Self {
        Self {
            lines: Vec::new(),
            kind: PhantomData,
        }
    }

    /// Grows the buffer to hold at least `count` values (new ones are zero).
    pub(crate) fn ensure(&mut self, count: usize) {
        let lines = (count * size_of::<T>()).div_ceil(size_of::<Line>());
        if self.lines.len() < lines {
            self.lines.resize(lines, Line([0; 8]));
        }
    }
}

impl<T: Plain> Deref for LineBuffer<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        let count = self.lines.len() * size_of::<Line>() / size_of::<T>();
        // SAFETY: the lines are initialised, aligned for `T` (64 bytes) and hold `count` values of
        // `T`, for which every bit pattern is valid (`Plain`).
        unsafe { std::slice::from_raw_parts(self.lines.as_ptr().cast::<T>(), count) }
    }
}

impl<T: Plain> DerefMut for LineBuffer<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        let count = self.lines.len() * size_of::<Line>() / size_of::<T>();
        // SAFETY: as in `deref`, and `&mut self` makes this the only view.
        unsafe { std::slice::from_raw_parts_mut(self.lines.as_mut_ptr().cast::<T>(), count) }
    }
}

impl<T: Plain> std::fmt::Debug for LineBuffer<T> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "LineBuffer({} lines)", self.lines.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_prefetch_changes_nothing_and_the_cpu_answer_is_stable() {
        let value = 7u64;
        prefetch_write(&value);
        prefetch_write(std::ptr::null::<u64>());
        assert_eq!(value, 7);
        #[cfg(target_arch = "x86_64")]
        assert_eq!(has_write_prefetch(), has_write_prefetch());
    }

    #[test]
    fn values_live_in_whole_aligned_lines() {
        let mut buffer = LineBuffer::<f64>::new();
        buffer.ensure(9);
        assert_eq!(buffer.len(), 16);
        buffer[8] = 2.5;
        assert_eq!(buffer[8], 2.5);
        assert_eq!(buffer.as_ptr() as usize % 64, 0);
        let mut ids = LineBuffer::<u32>::new();
        ids.ensure(3);
        assert_eq!((ids.len(), ids[2]), (16, 0));
    }
}
