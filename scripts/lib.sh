# Shared by the scripts in this folder: puts a pinned pnpm on PATH, installing it into .tools/
# (inside the repo, nothing global) when the machine has no pnpm of the pinned version.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

PNPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")
export PATH="$ROOT/.tools/node_modules/.bin:$PATH"

# Registries behind a TLS-inspecting proxy need the system's CA bundle; Node does not read it by
# default. Adding it changes nothing where the proxy is absent.
if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -r /etc/ssl/certs/ca-certificates.crt ]; then
  export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
fi

log() { printf '\033[1m[tollgate]\033[0m %s\n' "$*" >&2; }

ensure_pnpm() {
  if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$PNPM_VERSION" ]; then
    return
  fi
  log "installing pnpm $PNPM_VERSION into .tools/"
  npm install --silent --no-audit --no-fund --prefix "$ROOT/.tools" "pnpm@$PNPM_VERSION" >/dev/null
}
