#!/usr/bin/env bash
# Runs every test: Rust unit tests, type checks, and the vitest suites on the native core and
# again on the pure-TS fallback, then a quick pass of the benchmarks so they cannot rot.
source "$(dirname "$0")/lib.sh"

bash scripts/setup.sh

# The Redis limiter tests start their own redis-server on 127.0.0.1; install Debian's when we can.
if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing redis-server (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  else
    log "redis-server is not installed and cannot be installed here: the Redis tests will be skipped"
  fi
fi

log "Rust unit tests"
cargo test --release --locked --quiet

log "type checks"
for project in packages/core-native packages/openai-wrapper packages/langchain-plugin tools/mock-openai-server; do
  pnpm exec tsc -p "$project/tsconfig.json" --noEmit
done

log "tests on the native core"
TOLLGATE_BACKEND=native pnpm exec vitest run

log "tests on the pure-TS fallback"
TOLLGATE_BACKEND=fallback pnpm exec vitest run

if [ -f bench/src/main.ts ]; then
  log "benchmarks, quick mode (no timing is asserted)"
  pnpm exec tsx bench/src/main.ts --quick --out "$(mktemp -d)"
fi
log "all tests passed"
