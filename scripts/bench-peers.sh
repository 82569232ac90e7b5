#!/usr/bin/env bash
# Runs the peer benchmark (scripts/bench-peers.py): lotgraph against DuckDB,
# PostgreSQL and Neo4j on identical generated data, answers checked equal
# before timing. Installs what the peers need first:
#   - the Python packages of scripts/peers-requirements.txt, in a virtualenv
#     (target/peers-venv, or $PEERS_VENV), the DuckDB CLI of the cold mode
#     among them (the duckdb-cli wheel ships the binary);
#   - Debian's PostgreSQL server when it is missing (needs root and apt);
#   - Neo4j comes from scripts/neo4j-dev (Java + Maven, Maven Central).
#
#   scripts/bench-peers.sh --sizes 100k,1M --plot docs/bench-growth.png
#   scripts/bench-peers.sh --smoke          # the test command's small run
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'bench-peers: %s\n' "$*" >&2; }

venv=${PEERS_VENV:-${CARGO_TARGET_DIR:-$PWD/target}/peers-venv}
req=scripts/peers-requirements.txt
# The cache key: the requirements and the Python that installed them.
key="$(sha256sum "$req" | cut -d' ' -f1) $(python3 --version 2>&1)"
if [[ ! -x $venv/bin/python || ! -f $venv/.req || $(cat "$venv/.req") != "$key" ]]; then
  log "installing Python packages into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
  printf '%s\n' "$key" >"$venv/.req"
fi

if [[ " $* " != *" --peers "* || " $* " == *postgres* ]] && ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    log "installing Debian's PostgreSQL server"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null; }
  else
    log "PostgreSQL server not found; install Debian's postgresql package"
    exit 2
  fi
fi

# Neo4j needs Java. Without it a local smoke run goes on with the SQL peers,
# loudly; in CI (CI set) it fails, as the Neo4j tests do.
args=("$@")
if ! command -v java >/dev/null 2>&1 && [[ " $* " == *" --smoke "* ]]; then
  if [[ -n ${CI:-} ]]; then
    log "FAILED: java not found, so Neo4j cannot run (CI is set)"
    exit 1
  fi
  log "!!!!!!!! java not found: the smoke run SKIPS Neo4j !!!!!!!!"
  args+=(--peers duckdb,postgres)
fi

exec "$venv/bin/python" scripts/bench-peers.py "${args[@]}"
