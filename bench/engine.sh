#!/usr/bin/env bash
# Time the follow-up engine on a database of its own (it writes proposals), generating it
# when missing (or with --regenerate):
#
#   bench/engine.sh [--regenerate] [--date YYYY-MM-DD] [--keep]
#
# Environment: BENCH_ENGINE_DATABASE (default creditcontrol_bench_engine), BENCH_PG_SERVER
# (default postgres://postgres@127.0.0.1:5432), PYTHON (default .venv/bin/python).
set -euo pipefail
cd "$(dirname "$0")/.."

DB=${BENCH_ENGINE_DATABASE:-creditcontrol_bench_engine}
SERVER=${BENCH_PG_SERVER:-postgres://postgres@127.0.0.1:5432}
PY=${PYTHON:-.venv/bin/python}

regenerate=0
args=()
for arg in "$@"; do
    if [ "$arg" = "--regenerate" ]; then regenerate=1; else args+=("$arg"); fi
done
if [ "$regenerate" -eq 0 ] && ! psql "$SERVER/$DB" -tAc "SELECT 1 FROM auth_user WHERE username = 'bench_manager'" 2>/dev/null | grep -q 1; then
    echo "No generated engine benchmark database $DB: generating it."
    regenerate=1
fi
if [ "$regenerate" -eq 1 ]; then
    "$PY" bench/generate.py --database "$DB" --server "$SERVER"
fi
DATABASE_URL="$SERVER/$DB" "$PY" manage.py migrate -v0
DATABASE_URL="$SERVER/$DB" exec "$PY" bench/engine.py ${args[@]+"${args[@]}"}
