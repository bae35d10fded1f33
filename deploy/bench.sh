#!/usr/bin/env bash
# Runs a benchmark (tests/Billing.Benchmarks) against a throwaway local PostgreSQL (fsync on, as in production).
#   ./deploy/bench.sh [completes] [--circuits 200] [--concurrency 64] [--seconds 10]
#   ./deploy/bench.sh switch [--circuits 200] [--seconds 10] [--rate N] [--no-sip]   (the bench plays Kamailio's evapi,
#                                                     then the sip scenario)
#   ./deploy/bench.sh sip [--circuits 200] [--seconds 10] [--sip-rates 50,100,200,400] [--call-ms 1000]
#                                                     (SIPp circuits and carrier through the shipped Kamailio)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
. deploy/lib.sh
ensure_dotnet
ensure_postgres
case "${1:-}" in
  switch|sip) apt_install kamailio kamailio-extra-modules kamailio-json-modules sip-tester ;;
esac
PG_TMP="$(mktemp -d /tmp/billing-bench-pg.XXXXXX)"
chmod 755 "$PG_TMP"
PORT="${BILLING_BENCH_PG_PORT:-$(( 58000 + RANDOM % 1000 ))}"
trap 'pg_stop "$PG_TMP/data"; rm -rf "$PG_TMP"' EXIT INT TERM
pg_start "$PG_TMP/data" "$PORT"
export BILLING_BENCH_DB="Host=127.0.0.1;Port=$PORT;Username=postgres;Database=postgres;Maximum Pool Size=200"
dotnet run -c Release --project tests/Billing.Benchmarks -- "$@"
