#!/usr/bin/env bash
# The load run: gunicorn on the benchmark database, 50 simulated controllers (locust,
# headless) for LOAD_TIME (default 5m), a follow-up engine run in the middle; then the
# client-side figures (locust) and the server-side ones (gunicorn's access log, per page).
#
#   bench/load.sh            environment: LOAD_DATABASE (default creditcontrol_bench),
#                            LOAD_USERS (50), LOAD_TIME (5m), LOAD_PORT (8311), WEB_WORKERS (3)
#
# Needs the benchmark data (bench/generate.py, or bench/run.sh) and `pip install -e .[load]`.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
DB=${LOAD_DATABASE:-creditcontrol_bench}
PORT=${LOAD_PORT:-8311}
USERS=${LOAD_USERS:-50}
TIME=${LOAD_TIME:-5m}
OUT=bench/out/load-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"

export DATABASE_URL=${LOAD_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/$DB}
export SECRET_KEY=load-test-key-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz
export DEBUG=false ALLOWED_HOSTS=127.0.0.1,localhost SECURE_SSL_REDIRECT=false
export SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false LOG_LEVEL=WARNING
export LOGIN_ADDRESS_FAILURE_LIMIT=100000 API_THROTTLE_USER=100000/minute

.venv/bin/gunicorn creditcontrol.wsgi --bind 127.0.0.1:"$PORT" --workers "${WEB_WORKERS:-3}" \
    --access-logfile "$OUT/access.log" --access-logformat '%(m)s %(U)s %(q)s %(s)s %(D)s' \
    --error-logfile "$OUT/gunicorn.log" --timeout 60 &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null || true' EXIT
for _ in $(seq 30); do curl -fs "http://127.0.0.1:$PORT/login/" >/dev/null && break; sleep 1; done

seconds=$(python3 -c "import re,sys; t='$TIME'; m=re.fullmatch(r'(\d+)([smh]?)', t); print(int(m[1])*{'':1,'s':1,'m':60,'h':3600}[m[2]])")
( sleep $((seconds / 2)); echo "== engine run (middle of the load) =="; \
  /usr/bin/time -f "engine run: %e s" "$PY" manage.py run_followups >"$OUT/engine.log" 2>&1; \
  tail -1 "$OUT/engine.log" ) &

.venv/bin/locust -f bench/load.py --headless -u "$USERS" -r 10 -t "$TIME" \
    --host "http://127.0.0.1:$PORT" --csv "$OUT/locust" --only-summary 2>"$OUT/locust.log" || true
wait %2 2>/dev/null || true
"$PY" bench/load_report.py "$OUT"
