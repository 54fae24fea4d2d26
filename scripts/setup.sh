#!/usr/bin/env bash
# Installs and builds everything from the repo's own files: pnpm (pinned), the locked
# dependencies, the Rust core in release mode, and the TypeScript packages.
source "$(dirname "$0")/lib.sh"

ensure_pnpm
log "installing dependencies (pnpm install --frozen-lockfile)"
pnpm install --frozen-lockfile

log "building the Rust core (cargo build --release)"
node packages/core-native/scripts/build-native.mjs

log "building the TypeScript packages"
pnpm --filter "./packages/**" --if-present run build
