#!/usr/bin/env bash
# Reports on a PostgreSQL streaming replica (issue 16): builds a primary and a real
# streaming replica on ports of their own, loads the benchmark data into the primary,
# then runs the same report traffic twice, without and with REPLICA_DATABASE_URL, and
# prints the CPU seconds each cluster spent (bench/replica_load.py). Drops both clusters
# at the end (REPLICA_KEEP=1 keeps them).
#
#   bench/replica.sh     environment: REPLICA_PRIMARY_PORT (18610), REPLICA_PORT (18611),
#                        REPLICA_CUSTOMERS (100000), REPLICA_ENTRIES (1000000),
#                        REPLICA_SECONDS (60 per phase), REPLICA_THREADS (4)
#
# Runs as root (it creates clusters with pg_createcluster and runs pg_basebackup as the
# postgres user). Never touches the shared cluster on 5432.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
VERSION=${PG_VERSION:-15}
PRIMARY_PORT=${REPLICA_PRIMARY_PORT:-18610}
REPLICA_PORT=${REPLICA_PORT:-18611}
PRIMARY=speedpg_primary
REPLICA=speedpg_replica
DB=bench_replica
PRIMARY_URL=postgres://postgres@127.0.0.1:$PRIMARY_PORT/$DB
REPLICA_URL=postgres://postgres@127.0.0.1:$REPLICA_PORT/$DB

drop() {
    for c in $REPLICA $PRIMARY; do
        pg_ctlcluster "$VERSION" "$c" stop --force 2>/dev/null || true
        pg_dropcluster "$VERSION" "$c" 2>/dev/null || true
    done
}
[ "${REPLICA_KEEP:-0}" = 1 ] || trap drop EXIT
drop

echo "== primary cluster on $PRIMARY_PORT =="
pg_createcluster "$VERSION" $PRIMARY -p "$PRIMARY_PORT" -- --auth=trust >/dev/null
conf=/etc/postgresql/$VERSION/$PRIMARY
cat >>"$conf/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
wal_level = replica
max_wal_senders = 4
shared_buffers = 512MB
random_page_cost = 1.1
jit = off
CONF
echo "host replication all 127.0.0.1/32 trust" >>"$conf/pg_hba.conf"
echo "host all all 127.0.0.1/32 trust" >>"$conf/pg_hba.conf"
pg_ctlcluster "$VERSION" $PRIMARY start

echo "== benchmark data into the primary =="
"$PY" bench/generate.py --server "postgres://postgres@127.0.0.1:$PRIMARY_PORT" --database $DB \
    --customers "${REPLICA_CUSTOMERS:-100000}" --entries "${REPLICA_ENTRIES:-1000000}" | tail -2

echo "== streaming replica on $REPLICA_PORT (pg_basebackup -R) =="
pg_createcluster "$VERSION" $REPLICA -p "$REPLICA_PORT" -- --auth=trust >/dev/null
rconf=/etc/postgresql/$VERSION/$REPLICA
data=/var/lib/postgresql/$VERSION/$REPLICA
rm -rf "${data:?}"/*
runuser -u postgres -- pg_basebackup -h 127.0.0.1 -p "$PRIMARY_PORT" -D "$data" -R -X stream -c fast
cat >>"$rconf/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
hot_standby = on
shared_buffers = 512MB
random_page_cost = 1.1
jit = off
CONF
echo "host all all 127.0.0.1/32 trust" >>"$rconf/pg_hba.conf"
pg_ctlcluster "$VERSION" $REPLICA start
for _ in $(seq 30); do
    psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -d $DB -Atc "SELECT pg_is_in_recovery()" \
        2>/dev/null | grep -q t && break
    sleep 1
done
echo "replica in recovery: $(psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -d $DB -Atc 'SELECT pg_is_in_recovery()')"

export REPLICA_BENCH_PRIMARY_PORT=$PRIMARY_PORT REPLICA_BENCH_REPLICA_PORT=$REPLICA_PORT
echo "== phase 1: reports on the primary (no REPLICA_DATABASE_URL) =="
DATABASE_URL=$PRIMARY_URL "$PY" bench/replica_load.py --label "primary only"
echo "== phase 2: reports on the replica (REPLICA_DATABASE_URL set) =="
DATABASE_URL=$PRIMARY_URL REPLICA_DATABASE_URL=$REPLICA_URL "$PY" bench/replica_load.py \
    --label "with replica"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
