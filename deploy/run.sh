#!/usr/bin/env bash
# Starts the whole billing cluster on this machine: PostgreSQL (local, unless BILLING_DB is given),
# N silos and the API on http://127.0.0.1:5080, and with --kamailio the SIP edge (Kamailio with
# deploy/kamailio/kamailio.cfg; the silos connect to its evapi). Stays in the foreground; Ctrl-C stops
# everything it started and keeps the data under .data/ for the next run.
#   ./deploy/run.sh [--silos N] [--api-port P] [--kamailio]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
. deploy/lib.sh

SILOS=1
KAMAILIO=""
API_PORT="${BILLING_API_PORT:-5080}"
SILO_PORT_BASE="${BILLING_SILO_PORT_BASE:-11111}"
GATEWAY_PORT_BASE="${BILLING_GATEWAY_PORT_BASE:-30000}"
PG_PORT="${BILLING_PG_PORT:-55432}"
while [ $# -gt 0 ]; do
  case "$1" in
    --silos) SILOS="$2"; shift 2 ;;
    --api-port) API_PORT="$2"; shift 2 ;;
    --kamailio) KAMAILIO=1; shift ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) log "argumento desconhecido: $1"; exit 2 ;;
  esac
done
case "$SILOS" in ''|*[!0-9]*) log "--silos precisa de um número"; exit 2 ;; esac

DATA="$ROOT/.data"
mkdir -p "$DATA/logs"
PIDS=()
STARTED_PG=""

cleanup() {
  trap - INT TERM EXIT
  log "parando..."
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  [ -n "$STARTED_PG" ] && pg_stop "$STARTED_PG"
  log "parado; os dados ficam em $DATA"
}
trap cleanup INT TERM EXIT

ensure_dotnet
command -v curl >/dev/null || apt_install curl
apt_install fonts-dejavu-core   # invoice PDFs embed DejaVu Sans

if [ -z "${BILLING_DB:-}" ]; then
  ensure_postgres
  pg_start "$DATA/pg" "$PG_PORT"
  STARTED_PG="$DATA/pg"
  export BILLING_DB="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=billing;Maximum Pool Size=40"
  if ! "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='billing'" | grep -q 1; then
    "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE billing" >/dev/null
  fi
  log "PostgreSQL local em 127.0.0.1:$PG_PORT (dados em $DATA/pg)"
fi

# Keys: from the environment, else generated once and kept in .data/keys.env (git-ignored).
if [ -z "${BILLING_ADMIN_KEY:-}" ] || [ -z "${BILLING_SWITCH_KEY:-}" ]; then
  if [ ! -f "$DATA/keys.env" ]; then
    umask 077
    printf 'BILLING_ADMIN_KEY=%s\nBILLING_SWITCH_KEY=%s\n' "$(random_key)" "$(random_key)" > "$DATA/keys.env"
    umask 022
  fi
  set -a; . "$DATA/keys.env"; set +a
fi

# First web admin (/admin), created by the API when no admin exists: from the environment, else generated once
# into .data/admin.env (git-ignored). More admins and password changes live in the database afterwards.
if [ -z "${BILLING_ADMIN_USER:-}" ] || [ -z "${BILLING_ADMIN_PASSWORD:-}" ]; then
  if [ ! -f "$DATA/admin.env" ]; then
    umask 077
    first_password="$(random_key)"
    printf 'BILLING_ADMIN_USER=admin\nBILLING_ADMIN_PASSWORD=Adm1n-%s\n' "${first_password:0:20}" > "$DATA/admin.env"
    umask 022
  fi
  set -a; . "$DATA/admin.env"; set +a
  log "web admin: usuário $BILLING_ADMIN_USER, senha em $DATA/admin.env"
fi

if [ -n "$KAMAILIO" ]; then
  apt_install kamailio kamailio-extra-modules kamailio-json-modules   # evapi, jansson
  KAMAILIO_BIN="$(command -v kamailio || echo /usr/sbin/kamailio)"
  export BILLING_SIP_IP="${BILLING_SIP_IP:-127.0.0.1}" BILLING_SIP_PORT="${BILLING_SIP_PORT:-5060}"
  export BILLING_SIP_CARRIER="${BILLING_SIP_CARRIER:-127.0.0.1:5070}" BILLING_EVAPI_BIND="${BILLING_EVAPI_BIND:-127.0.0.1:8448}"
  # the silos keep a connection to this Kamailio's evapi (see README "Switch protocol (evapi)")
  export BILLING_SWITCH_EVAPI="$BILLING_EVAPI_BIND"
  # the digest realm: the silos make the SIP passwords' HA1 with the same one (README "SIP accounts")
  export BILLING_SIP_REALM="${BILLING_SIP_REALM:-billing}"
  export Billing__Sip__Realm="$BILLING_SIP_REALM"
  mkdir -p "$DATA/kamailio"
  # foreground (-DD), log to stderr (-E), runtime files (control sockets) under .data/ instead of /var/run
  "$KAMAILIO_BIN" -DD -E -Y "$DATA/kamailio" -f "$ROOT/deploy/kamailio/kamailio.cfg" >"$DATA/logs/kamailio.log" 2>&1 &
  PIDS+=($!)
  sleep 1
  if ! kill -0 "${PIDS[-1]}" 2>/dev/null; then
    log "o Kamailio não iniciou; veja $DATA/logs/kamailio.log"
    tail -n 20 "$DATA/logs/kamailio.log" >&2 || true
    exit 1
  fi
  log "Kamailio: SIP udp/tcp $BILLING_SIP_IP:$BILLING_SIP_PORT, operadora $BILLING_SIP_CARRIER, evapi $BILLING_EVAPI_BIND (log: .data/logs/kamailio.log)"
fi

log "compilando (Release)..."
dotnet build -c Release -nologo -v q "$ROOT/silo/Billing.Silo.csproj" >"$DATA/logs/build-silo.log" 2>&1 || { cat "$DATA/logs/build-silo.log"; exit 1; }
dotnet build -c Release -nologo -v q "$ROOT/api/Billing.Api.csproj" >"$DATA/logs/build-api.log" 2>&1 || { cat "$DATA/logs/build-api.log"; exit 1; }
SILO_DLL="$ROOT/silo/bin/Release/net10.0/Billing.Silo.dll"
API_DLL="$ROOT/api/bin/Release/net10.0/Billing.Api.dll"

for i in $(seq 0 $((SILOS - 1))); do
  (
    cd "$(dirname "$SILO_DLL")"
    export BILLING_SILO_PORT=$((SILO_PORT_BASE + i)) BILLING_GATEWAY_PORT=$((GATEWAY_PORT_BASE + i))
    export BILLING_SILO_NAME="silo-$i" BILLING_ADVERTISED_IP="${BILLING_ADVERTISED_IP:-127.0.0.1}"
    exec dotnet "$SILO_DLL"
  ) >"$DATA/logs/silo-$i.log" 2>&1 &
  PIDS+=($!)
  log "silo-$i: porta $((SILO_PORT_BASE + i)), gateway $((GATEWAY_PORT_BASE + i)) (log: .data/logs/silo-$i.log)"
  # the first silo applies the migrations; let it get ahead so the others find the schema
  [ "$i" -eq 0 ] && sleep 2
done

(
  cd "$(dirname "$API_DLL")"
  exec dotnet "$API_DLL" --urls "http://127.0.0.1:$API_PORT"
) >"$DATA/logs/api.log" 2>&1 &
PIDS+=($!)

if wait_http "http://127.0.0.1:$API_PORT/health/ready" 120; then
  cat <<MSG

  Billing cluster pronto ($SILOS silo(s))
  API:          http://127.0.0.1:$API_PORT
  Saúde:        http://127.0.0.1:$API_PORT/health/ready
  OpenAPI:      http://127.0.0.1:$API_PORT/openapi/v1.json
  Documentação: http://127.0.0.1:$API_PORT/scalar
  Chave admin:  $BILLING_ADMIN_KEY
  Chave switch: $BILLING_SWITCH_KEY
  Logs:         $DATA/logs/
${KAMAILIO:+  SIP:          udp/tcp $BILLING_SIP_IP:$BILLING_SIP_PORT (operadora $BILLING_SIP_CARRIER, evapi $BILLING_EVAPI_BIND)
}  Ctrl-C para parar (os dados ficam).

MSG
else
  log "a API não ficou pronta em 120 s; veja $DATA/logs/"
  tail -n 30 "$DATA/logs/api.log" "$DATA/logs/silo-0.log" >&2 || true
  exit 1
fi

# stay in the foreground until a child dies or we are interrupted
wait -n "${PIDS[@]}" || true
log "um processo terminou; parando o resto"
