#!/usr/bin/env bash
# `npm run test:e2e:loaded`: the browser suite twice in a row while another process keeps one core busy (as a
# shared CI machine may), with each run's time. The burner is bounded (E2E_BURN_MAX_S, 3600 s) and stopped at the
# end. Needs the built product (npm run build); TEST_DATABASE_URL selects Postgres as for npm test.
set -euo pipefail
cd "$(dirname "$0")/.."
timeout "${E2E_BURN_MAX_S:-3600}" node -e 'for (;;) {}' &
burner=$!
trap 'kill "$burner" 2>/dev/null || true' EXIT
db=SQLite
[ -n "${TEST_DATABASE_URL:-}" ] && db=PostgreSQL
for run in 1 2; do
  started=$(date +%s)
  npx playwright test "$@"
  echo "--- loaded browser run $run: passed in $(($(date +%s) - started)) s on $db, one core kept busy"
done
