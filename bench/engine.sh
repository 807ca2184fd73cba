#!/usr/bin/env bash
# Time the follow-up engine on a database of its own (it writes proposals), generating it
# when missing (or with --regenerate), and print each figure against its target:
#
#   bench/engine.sh [--regenerate] [--restored] [--customers N --entries N] [engine.py options]
#
# --restored also copies the database with pg_dump/pg_restore (no ANALYZE afterwards, as a
# restore leaves it) and times the first run on the copy: the first-run target must hold
# without statistics. Environment: BENCH_ENGINE_DATABASE (default
# creditcontrol_bench_engine), BENCH_PG_SERVER (default postgres://postgres@127.0.0.1:5432),
# PYTHON (default .venv/bin/python).
set -euo pipefail
cd "$(dirname "$0")/.."

DB=${BENCH_ENGINE_DATABASE:-creditcontrol_bench_engine}
SERVER=${BENCH_PG_SERVER:-postgres://postgres@127.0.0.1:5432}
PY=${PYTHON:-.venv/bin/python}

regenerate=0
restored=0
generate=()
args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --regenerate) regenerate=1 ;;
        --restored) restored=1 ;;
        --customers|--entries) generate+=("$1" "$2"); shift ;;
        *) args+=("$1") ;;
    esac
    shift
done
if [ "$regenerate" -eq 0 ] && ! psql "$SERVER/$DB" -tAc "SELECT 1 FROM auth_user WHERE username = 'bench_manager'" 2>/dev/null | grep -q 1; then
    echo "No generated engine benchmark database $DB: generating it."
    regenerate=1
fi
if [ "$regenerate" -eq 1 ]; then
    "$PY" bench/generate.py --database "$DB" --server "$SERVER" ${generate[@]+"${generate[@]}"}
fi
DATABASE_URL="$SERVER/$DB" "$PY" manage.py migrate -v0
DATABASE_URL="$SERVER/$DB" "$PY" bench/engine.py ${args[@]+"${args[@]}"}
if [ "$restored" -eq 1 ]; then
    COPY="${DB}_restored"
    psql "$SERVER/postgres" -qc "DROP DATABASE IF EXISTS $COPY" -c "CREATE DATABASE $COPY"
    started=$(date +%s)
    pg_dump -Fc "$SERVER/$DB" | pg_restore --no-owner -d "$SERVER/$COPY"
    echo "pg_dump | pg_restore into $COPY: $(( $(date +%s) - started )) s (no ANALYZE after it)"
    DATABASE_URL="$SERVER/$COPY" "$PY" bench/engine.py --only first --forget-statistics \
        --label "restored by pg_restore, not analysed" ${args[@]+"${args[@]}"}
fi
