#!/usr/bin/env bash
# Installs what the tests need, starts a throwaway PostgreSQL (own port, temp dir, removed afterwards
# even on failure), runs `dotnet test Billing.sln` and prints "N passed, N failed, N skipped" last.
#   ./deploy/test.sh [extra dotnet test args, e.g. --filter Category!=Slow]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
. deploy/lib.sh

ensure_dotnet
ensure_postgres
command -v curl >/dev/null || apt_install curl
apt_install fonts-dejavu-core   # invoice PDFs embed DejaVu Sans
apt_install chromium   # browser tests (Playwright drives Debian's Chromium)
apt_install kamailio kamailio-extra-modules kamailio-json-modules   # switch edge: evapi, jansson, config check

PG_TMP="$(mktemp -d /tmp/billing-test-pg.XXXXXX)"
chmod 755 "$PG_TMP"
RESULTS="$(mktemp -d /tmp/billing-test-results.XXXXXX)"
PORT="${BILLING_TEST_PG_PORT:-$(( 56000 + RANDOM % 2000 ))}"
cleanup() {
  pg_stop "$PG_TMP/data"
  rm -rf "$PG_TMP" "$RESULTS"
}
trap cleanup EXIT INT TERM

PG_FSYNC=off pg_start "$PG_TMP/data" "$PORT"
export BILLING_TEST_DB="Host=127.0.0.1;Port=$PORT;Username=postgres;Database=postgres;Maximum Pool Size=200"
log "PostgreSQL de teste em 127.0.0.1:$PORT"

set +e
dotnet test "$ROOT/Billing.sln" -nologo --logger "trx" --results-directory "$RESULTS" "$@"
STATUS=$?
set -e

passed=0; failed=0; skipped=0
for f in "$RESULTS"/*.trx; do
  [ -f "$f" ] || continue
  counters="$(grep -o '<Counters [^>]*>' "$f" | head -1)"
  get() { printf '%s' "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done
if [ "$STATUS" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
if [ "$failed" -gt 0 ]; then
  echo "testes que falharam:"
  cat "$RESULTS"/*.trx 2>/dev/null | grep -o '<UnitTestResult [^>]*outcome="Failed"' | grep -o 'testName="[^"]*"' | sed 's/^testName=/  /' || true
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$STATUS"
