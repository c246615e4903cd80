#!/usr/bin/env bash
# Provides a throwaway PostgreSQL server on loopback for the tests (idempotent; run as root).
#
#   source .ci/postgres.sh      # installs PostgreSQL from Debian packages if missing, starts a cluster,
#                               # exports QUALITY_PG, QUALITY_PG_CTL, QUALITY_PG_DATA
#   bash .ci/postgres.sh        # the same, printing the export lines
#
# Settings (optional): QUALITY_PG_PORT (default 55432), QUALITY_PG_DATA (default /tmp/quality-pg-PORT).
# QUALITY_PG_CTL is a small wrapper around pg_ctl that runs it as the postgres user, so tests can stop and
# start the server with "$QUALITY_PG_CTL stop -D "$QUALITY_PG_DATA" -m immediate" and
# "$QUALITY_PG_CTL start -D "$QUALITY_PG_DATA" -w -l "$QUALITY_PG_DATA/server.log"".

_quality_pg_setup() {
  local port="${QUALITY_PG_PORT:-55432}"
  local data="${QUALITY_PG_DATA:-/tmp/quality-pg-${port}}"
  local user="quality" password="quality" database="quality"
  local bindir

  # 1. Install (apt-get update only when the package is not installable from the current lists).
  if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y postgresql >/dev/null 2>&1; then
      apt-get update >/dev/null && apt-get install -y postgresql >/dev/null || {
        echo "postgres.sh: apt-get install postgresql failed" >&2; return 1; }
    fi
  fi
  bindir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"

  # 2. pg_ctl refuses to run as root: a wrapper runs it as the postgres user.
  local ctl="${data}.pg_ctl"
  mkdir -p "$(dirname "$data")"
  if [ "$(id -u)" -eq 0 ]; then
    printf '#!/bin/sh\ncd /tmp && exec runuser -u postgres -- %s "$@"\n' "$bindir/pg_ctl" > "$ctl"
  else
    printf '#!/bin/sh\nexec %s "$@"\n' "$bindir/pg_ctl" > "$ctl"
  fi
  chmod 755 "$ctl"

  # 3. A cluster in its own data folder, listening on 127.0.0.1:PORT only.
  if [ ! -f "$data/PG_VERSION" ]; then
    rm -rf "$data"; mkdir -p "$data"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$data"
    local pwfile; pwfile="$(mktemp)"; echo "postgres" > "$pwfile"; chmod 644 "$pwfile"
    local initdb=("$bindir/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8)
    if [ "$(id -u)" -eq 0 ]; then (cd /tmp && runuser -u postgres -- "${initdb[@]}") >/dev/null; else "${initdb[@]}" >/dev/null; fi || {
      rm -f "$pwfile"; echo "postgres.sh: initdb failed" >&2; return 1; }
    rm -f "$pwfile"
    {
      echo "port = ${port}"
      echo "listen_addresses = '127.0.0.1'"
      echo "unix_socket_directories = '${data}'"
      echo "max_connections = 200"
      echo "fsync = on"
    } >> "$data/postgresql.conf"
  fi
  if ! "$ctl" status -D "$data" >/dev/null 2>&1; then
    "$ctl" start -D "$data" -w -t 60 -l "$data/server.log" >/dev/null || {
      echo "postgres.sh: the server did not start; see $data/server.log" >&2; tail -n 20 "$data/server.log" >&2; return 1; }
  fi

  # 4. The test user and database (idempotent).
  local psql=("$bindir/psql" -h "$data" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA)
  local run=("${psql[@]}")
  [ "$(id -u)" -eq 0 ] && run=(runuser -u postgres -- "${psql[@]}")
  (cd /tmp && "${run[@]}" -c "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${user}') THEN CREATE ROLE ${user} LOGIN PASSWORD '${password}' CREATEDB; END IF; END\$\$;") || return 1
  if [ -z "$(cd /tmp && "${run[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '${database}'")" ]; then
    (cd /tmp && "${run[@]}" -c "CREATE DATABASE ${database} OWNER ${user}") || return 1
  fi

  export QUALITY_PG="Host=127.0.0.1;Port=${port};Username=${user};Password=${password};Database=${database}"
  export QUALITY_PG_CTL="$ctl"
  export QUALITY_PG_DATA="$data"
  echo "export QUALITY_PG='${QUALITY_PG}'"
  echo "export QUALITY_PG_CTL='${QUALITY_PG_CTL}'"
  echo "export QUALITY_PG_DATA='${QUALITY_PG_DATA}'"
}

_quality_pg_setup
_quality_pg_status=$?
unset -f _quality_pg_setup
if [ "${BASH_SOURCE[0]}" = "$0" ]; then exit "$_quality_pg_status"; else return "$_quality_pg_status"; fi
