#!/usr/bin/env bash
# Run every benchmark of benchmarks/ and keep their printouts in ${BENCH_OUT:-/tmp/bench_output/<date>}.
#
#   benchmarks/run_all.sh            # all of them (about 20-30 minutes on 2 cores)
#   DURATION=5 benchmarks/run_all.sh # shorter wrk scenarios
#
# Needs: wrk (apt-get install -y wrk), redis-server for the run with limits in Redis (else skipped,
# loudly), the repository's .venv (or services/feedback/.venv) with
# the service's requirements, PostgreSQL with role odoo/odoo on 127.0.0.1. The Odoo parts need
# Odoo 18.0 (`odoo` on PATH, its Python in /opt/odoo18/venv; see BENCH_ODOO_* in _bench.py)
# and are skipped, loudly, without it. Loopback only, ports 8480-8499, databases bench_*; every
# server it starts is stopped at the end of its script.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

PY=.venv/bin/python
[ -x "$PY" ] || PY=services/feedback/.venv/bin/python
ODOO_PY="${BENCH_ODOO_PYTHON:-/opt/odoo18/venv/bin/python}"
DURATION="${DURATION:-10}"
OUT="${BENCH_OUT:-/tmp/bench_output/$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
status=0

run() {  # run NAME COMMAND...: print and keep the output, remember a failure
    local name=$1
    shift
    echo
    echo "################ $name: $* ################"
    "$@" 2>&1 | tee "$OUT/$name.txt"
    local rc=${PIPESTATUS[0]}
    [ "$rc" -eq 0 ] || { echo "!!!!! $name exited with $rc !!!!!"; status=1; }
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)   nproc: $(nproc)   $(grep -m1 'model name' /proc/cpuinfo)"
run rating_path "$PY" benchmarks/rating_path.py --duration "$DURATION"
run sync "$PY" benchmarks/sync.py
run floor "$PY" benchmarks/floor.py --duration "$DURATION"
if [ -x "$ODOO_PY" ] && "$ODOO_PY" -c "import odoo.release as r; assert r.version.startswith('18.0')" 2>/dev/null; then
    run kanban_scale "$ODOO_PY" benchmarks/kanban_scale.py
else
    echo
    echo "!!!!!!!!!!!!!!!! SKIPPING kanban_scale.py: no Odoo 18.0 Python at $ODOO_PY !!!!!!!!!!!!!!!!"
fi
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "printouts kept in $OUT"
exit $status
