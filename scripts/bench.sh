#!/usr/bin/env bash
# Runs every benchmark and writes bench/results/report.md and bench/results/speedups.svg.
source "$(dirname "$0")/lib.sh"

bash scripts/setup.sh
pnpm exec tsx bench/src/main.ts "$@"
