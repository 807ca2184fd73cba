#!/usr/bin/env bash
# Generate the benchmark database when it is missing (or with --regenerate), then measure.
#
#   bench/run.sh [--regenerate] [--customers N] [--entries N] [--largest N] [--seed N]
#                [any option of bench/run.py: --repeat 5 --explain --only sort= --no-sync ...]
#
# Environment: BENCH_DATABASE (default creditcontrol_bench), BENCH_PG_SERVER
# (default postgres://postgres@127.0.0.1:5432), PYTHON (default .venv/bin/python).
set -euo pipefail
cd "$(dirname "$0")/.."

DB=${BENCH_DATABASE:-creditcontrol_bench}
SERVER=${BENCH_PG_SERVER:-postgres://postgres@127.0.0.1:5432}
PY=${PYTHON:-.venv/bin/python}

regenerate=0
gen_args=()
run_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --regenerate) regenerate=1 ;;
        --customers|--entries|--largest|--seed) gen_args+=("$1" "$2"); shift ;;
        *) run_args+=("$1") ;;
    esac
    shift
done

# Generated already? The database exists and holds the bench users (a load that died
# halfway rolled back, so it has none).
if [ "$regenerate" -eq 0 ] && ! "$PY" - "$SERVER/$DB" <<'PYEOF'
import sys
import psycopg2
try:
    conn = psycopg2.connect(sys.argv[1])
    cur = conn.cursor()
    cur.execute("SELECT 1 FROM auth_user WHERE username = 'bench_manager'")
    sys.exit(0 if cur.fetchone() else 1)
except psycopg2.Error:
    sys.exit(1)
PYEOF
then
    echo "No generated benchmark database $DB: generating it."
    regenerate=1
fi
if [ "$regenerate" -eq 1 ]; then
    "$PY" bench/generate.py --database "$DB" --server "$SERVER" ${gen_args[@]+"${gen_args[@]}"}
    echo
fi

DATABASE_URL="$SERVER/$DB" exec "$PY" bench/run.py ${run_args[@]+"${run_args[@]}"}
