//! A lock for a model group: a compare-and-swap when free, a short spin while a holder (on
//! another core) finishes, then yielding the core to the holder (which may be waiting for it
//! when there are more threads than cores). A group is held for well under a microsecond, so
//! putting a waiter to sleep and waking it (two system calls) costs more than the wait.

use std::cell::UnsafeCell;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, Ordering};

/// Spins before yielding: about the length of a short critical section.
const SPINS: u32 = 64;

/// The flag has a cache line to itself: waiters spin reading it, and if it shared a line with
/// the value, every read would pull that line away from the holder while it writes the value.
#[repr(C)]
pub(crate) struct SpinLock<T> {
    held: AtomicBool,
    value: Aligned<UnsafeCell<T>>,
}

/// A value that starts on a cache line of its own.
#[repr(C, align(64))]
struct Aligned<T>(T);

// SAFETY: the value is reached only through a guard, and one guard exists at a time.
unsafe impl<T: Send> Sync for SpinLock<T> {}
unsafe impl<T: Send> Send for SpinLock<T> {}

pub(crate) struct SpinGuard<'a, T> {
    lock: &'a SpinLock<T>,
}

impl<T> SpinLock<T> {
    pub(crate) fn new(value: T) -> Self {
        Self {
            held: AtomicBool::new(false),
            value: Aligned(UnsafeCell::new(value)),
        }
    }

    #[inline]
    pub(crate) fn lock(&self) -> SpinGuard<'_, T> {
        if self
            .held
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            self.wait();
        }
        SpinGuard { lock: self }
    }

    #[cold]
    fn wait(&self) {
        loop {
            let mut spins = 0;
            while self.held.load(Ordering::Relaxed) {
                if spins < SPINS {
                    spins += 1;
                    std::hint::spin_loop();
                } else {
                    std::thread::yield_now();
                }
            }
            if self
                .held
                .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
            {
                return;
            }
        }
    }
}

impl<T> Deref for SpinGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: this guard holds the lock.
        unsafe { &*self.lock.value.0.get() }
    }
}

impl<T> DerefMut for SpinGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: this guard holds the lock, and `&mut self` makes this the only view.
        unsafe { &mut *self.lock.value.0.get() }
    }
}

impl<T> Drop for SpinGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.held.store(false, Ordering::Release);
    }
}

impl<T> std::fmt::Debug for SpinLock<T> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("SpinLock")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_more_than_cores_never_lose_an_update() {
        let lock = SpinLock::new((0u64, 0u64));
        let threads = 2 * std::thread::available_parallelism().map_or(2, |n| n.get());
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    for _ in 0..20_000 {
                        let mut pair = lock.lock();
                        // Two plain writes a racing thread could split.
                        pair.0 += 1;
                        pair.1 = pair.0 * 2;
                    }
                });
            }
        });
        let pair = lock.lock();
        assert_eq!(*pair, (threads as u64 * 20_000, threads as u64 * 40_000));
    }

    #[test]
    fn a_panic_while_held_releases_the_lock() {
        let lock = SpinLock::new(1);
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _guard = lock.lock();
            panic!("while held");
        }));
        assert!(caught.is_err());
        assert_eq!(*lock.lock(), 1);
    }
}
