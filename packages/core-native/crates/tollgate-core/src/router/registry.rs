//! Routers by name for the whole process. The native module is loaded once per process, so every
//! worker thread that opens the same name gets the same router: in-flight counts, metrics and
//! cooldowns are shared. A handle is an index into a fixed table of slots, read without a global
//! lock; a router locks per model group inside (see [`Router`]).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, OnceLock};

use super::router::{Router, RouterConfig};

/// Most routers one process can open (closed names keep their slot).
pub const MAX_ROUTERS: usize = 16_384;

static SLOTS: [OnceLock<Box<Router>>; MAX_ROUTERS] = [const { OnceLock::new() }; MAX_ROUTERS];
/// Open routers by name: their handle and how many opens have not been closed yet.
static NAMES: Mutex<Option<HashMap<String, (u32, usize)>>> = Mutex::new(None);

/// Why a registry call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistryError {
    /// No router has this handle.
    UnknownRouter(u32),
    /// [`MAX_ROUTERS`] routers are open.
    TooManyRouters,
}

fn names() -> MutexGuard<'static, Option<HashMap<String, (u32, usize)>>> {
    // A panic while the lock was held leaves the map valid (every update is one insert/remove).
    NAMES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Opens the router `name`, building it from `config` when no open router has this name. Each
/// open counts until its [`close`].
pub fn open(name: &str, config: impl FnOnce() -> RouterConfig) -> Result<u32, RegistryError> {
    let mut guard = names();
    let map = guard.get_or_insert_with(HashMap::new);
    if let Some((handle, opens)) = map.get_mut(name) {
        *opens += 1;
        return Ok(*handle);
    }
    let handle = SLOTS
        .iter()
        .position(|slot| slot.get().is_none())
        .ok_or(RegistryError::TooManyRouters)?;
    if SLOTS[handle].set(Box::new(Router::new(config()))).is_err() {
        return Err(RegistryError::TooManyRouters);
    }
    map.insert(name.to_string(), (handle as u32, 1));
    Ok(handle as u32)
}

/// Closes one open of `name`. When every open is closed the name is forgotten, so the next
/// [`open`] builds a fresh router; handles already held keep working on the old one. While other
/// opens remain (worker threads sharing the router), a later open joins it as before.
pub fn close(name: &str) {
    let mut guard = names();
    let Some(map) = guard.as_mut() else {
        return;
    };
    if let Some((_, opens)) = map.get_mut(name) {
        *opens -= 1;
        if *opens == 0 {
            map.remove(name);
        }
    }
}

/// The router behind `handle`.
pub fn get(handle: u32) -> Result<&'static Router, RegistryError> {
    SLOTS
        .get(handle as usize)
        .and_then(OnceLock::get)
        .map(|router| &**router)
        .ok_or(RegistryError::UnknownRouter(handle))
}
