#!/usr/bin/env bash
# The main demo: builds everything, starts local OpenAI-compatible servers, and sends chat
# requests built from real text through the official openai client wrapped by wrapOpenAI.
# Arguments are passed on, e.g. `npm run demo -- path/to/your/files`.
source "$(dirname "$0")/lib.sh"

bash scripts/setup.sh
pnpm exec tsx examples/demo/main.ts "$@"
