//! The process-wide registry of limiters. Rust statics live once per process, so every
//! `worker_thread` that loads the binding sees the same limiters: a worker attaches to a limiter
//! by name and shares its counters exactly.

use std::sync::atomic::{AtomicPtr, AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};

use rustc_hash::FxHashMap;

use super::limiter::Limiter;
use super::spec::{LimiterSpec, SpecError};

/// Most limiters one process may create (ids are never reused, so a stale id cannot reach
/// another limiter). The table is 512 KiB of zeroed memory that the OS maps on first touch.
pub const MAX_LIMITERS: usize = 1 << 16;

static TABLE: [AtomicPtr<Limiter>; MAX_LIMITERS] =
    [const { AtomicPtr::new(std::ptr::null_mut()) }; MAX_LIMITERS];
static NEXT_ID: AtomicU32 = AtomicU32::new(0);
static NAMES: OnceLock<Mutex<FxHashMap<String, u32>>> = OnceLock::new();

/// Why a limiter could not be created or attached.
#[derive(Debug, PartialEq)]
pub enum RegistryError {
    InvalidSpec(SpecError),
    /// A limiter of this name exists with other rules.
    Conflict,
    /// [`MAX_LIMITERS`] limiters were already created.
    Full,
}

/// Creates a limiter, or with a non-empty `name` attaches to the one of that name when its spec
/// is equal. Limiters live until the process exits; [`Limiter::clear`] frees their keys.
pub fn create(name: &str, spec: LimiterSpec) -> Result<&'static Limiter, RegistryError> {
    spec.validate().map_err(RegistryError::InvalidSpec)?;
    let names = NAMES.get_or_init(|| Mutex::new(FxHashMap::default()));
    let mut names = names
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if !name.is_empty() {
        if let Some(existing) = names.get(name).and_then(|&id| get(id)) {
            return if existing.spec == spec {
                Ok(existing)
            } else {
                Err(RegistryError::Conflict)
            };
        }
    }
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    if id as usize >= MAX_LIMITERS {
        return Err(RegistryError::Full);
    }
    let limiter: &'static Limiter = Box::leak(Box::new(Limiter::new(id, spec)));
    TABLE[id as usize].store(limiter as *const Limiter as *mut Limiter, Ordering::Release);
    if !name.is_empty() {
        names.insert(name.to_string(), id);
    }
    Ok(limiter)
}

/// The limiter with `id`, if one was created. Lock-free: one atomic load.
pub fn get(id: u32) -> Option<&'static Limiter> {
    let pointer = TABLE.get(id as usize)?.load(Ordering::Acquire);
    // SAFETY: pointers in TABLE come from Box::leak and are never freed.
    unsafe { pointer.as_ref() }
}

/// Drops `name` from the registry so a later create with that name builds a new limiter.
pub fn forget_name(name: &str) {
    if let Some(names) = NAMES.get() {
        names
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(name);
    }
}
