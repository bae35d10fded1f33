# Shared helpers for run.sh and test.sh (sourced, not executed).

log() { printf '[billing] %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi
}

apt_install() {
  # apt_install pkg... : installs the Debian packages that are missing
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "instalando pacotes Debian: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

pg_bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null && { dirname "$(readlink -f "$(command -v initdb)")"; return 0; }
  return 1
}

ensure_postgres() {
  if ! pg_bindir >/dev/null; then apt_install postgresql; fi
  command -v psql >/dev/null || apt_install postgresql-client
  PG_BIN="$(pg_bindir)"
  export PG_BIN
}

ensure_dotnet() {
  if ! command -v dotnet >/dev/null; then
    log "dotnet não encontrado no PATH: instale o .NET SDK 10 (https://dot.net) e rode de novo."
    exit 1
  fi
}

# PostgreSQL refuses to run as root: run its commands as the 'postgres' system user then.
pg_user_exec() {
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# pg_start <datadir> <port> : creates (first time) and starts a local cluster listening on 127.0.0.1 only
pg_start() {
  local dir="$1" port="$2"
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown -R postgres: "$dir" 2>/dev/null || { id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres; chown -R postgres: "$dir"; }; fi
  if [ ! -f "$dir/PG_VERSION" ]; then
    log "criando cluster PostgreSQL em $dir"
    pg_user_exec "$PG_BIN/initdb" -D "$dir" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  pg_user_exec "$PG_BIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB -c fsync=${PG_FSYNC:-on} -c synchronous_commit=on" start >/dev/null
}

pg_stop() {
  local dir="$1"
  [ -f "$dir/postmaster.pid" ] && pg_user_exec "$PG_BIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
}

wait_http() {
  # wait_http <url> <seconds>
  local url="$1" secs="$2" i=0
  while [ "$i" -lt "$secs" ]; do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    sleep 1; i=$((i + 1))
  done
  return 1
}

random_key() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
