#!/usr/bin/env bash
# Insights figures: the public dashboard over the counters of 10 million events (p50, p99), and
# event ingestion per second (emitting through the outbox, then counting with the job worker),
# each beside GET /bench/bare of the same server in the same run, on SQLite and on PostgreSQL.
# The counters make the page independent of the number of events: it reads monthly rows (twelve
# a year per service and channel), never the events. Prints figures; judges nothing.
#
#   bench/insights.sh                                   # release build, both databases
#   BENCH_BIN=target/debug/portico BENCH_DBS=sqlite BENCH_EVENTS=200000 BENCH_INGEST=2000 \
#     BENCH_DURATION=3s bench/insights.sh               # a quick check that it works
#
# wrk and the server share the machine's cores; compare ratios within a run.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

read -ra DBS <<<"${BENCH_DBS:-sqlite postgres}"
DURATION="${BENCH_DURATION:-10s}"
WARMUP="${BENCH_WARMUP:-3s}"
SERVICES="${BENCH_SERVICES:-1000}"
EVENTS="${BENCH_EVENTS:-10000000}"
INGEST="${BENCH_INGEST:-20000}"
WRK=(-t2 -c32 --timeout 10s)
WRK_ONE=(-t1 -c1 --timeout 10s)

if [[ "$BENCH_BIN" == "$BENCH_ROOT/target/release/portico" ]]; then
    echo "== building release binary"
    (cd "$BENCH_ROOT" && cargo build --release -p portico --quiet)
fi

echo "== machine"
echo "cores: $(nproc); cpu: $(lscpu | sed -n 's/^Model name: *//p'); memory: $(free -h | awk '/^Mem:/ {print $2}')"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown); binary: $BENCH_BIN"
echo "history: counters of ~$EVENTS events over a year, demo + $SERVICES synthetic services; ingestion: $INGEST events"
echo "pages: wrk ${WRK[*]} and ${WRK_ONE[*]}, -d$DURATION --latency (warm-up $WARMUP)"
busy_before="$(bench_cpu_busy)"
echo "CPU busy before start: ${busy_before}%"
if ((busy_before > 10)); then
    bench_log "warning: something else is using the CPU (${busy_before}% busy); figures will be lower and noisier"
fi

CLI_ENV=()
set_cli_env() {
    CLI_ENV=(PORTICO_DATA_DIR="$BENCH_DIR/data" PORTICO_LOG="${PORTICO_LOG:-warn}")
    case "$BENCH_KIND" in
        sqlite) CLI_ENV=(-u DATABASE_URL "${CLI_ENV[@]}") ;;
        postgres) CLI_ENV+=(DATABASE_URL="$BENCH_PG_URL/$BENCH_DB") ;;
    esac
}

# lib.sh starts `portico demo` on a fresh database; the history and the ingestion run with the
# server stopped (nothing else counts the events meanwhile), then the server starts again with
# `portico serve` on the same port, folder and database.
start_seeded_server() {
    local kind="$1" port
    bench_start_server "$kind"
    port="${BENCH_URL##*:}"
    set_cli_env
    kill -TERM "$BENCH_PID"
    wait "$BENCH_PID" 2>/dev/null || true
    BENCH_PID=""

    env "${CLI_ENV[@]}" "$BENCH_BIN" bench-seed --services "$SERVICES" >&2
    echo "    $(env "${CLI_ENV[@]}" "$BENCH_BIN" bench-insights-history --events "$EVENTS")"
    INGEST_LINE="$(env "${CLI_ENV[@]}" "$BENCH_BIN" bench-insights-ingest --events "$INGEST")"
    echo "    $INGEST_LINE"

    env "${CLI_ENV[@]}" PORTICO_LISTEN="127.0.0.1:$port" PORTICO_BENCH=true PORTICO_DEV_SINKS=true "$BENCH_BIN" serve \
        >>"$BENCH_DIR/server.out" 2>>"$BENCH_DIR/server.err" &
    BENCH_PID=$!
    local i
    for ((i = 0; i < 600; i++)); do
        if ! kill -0 "$BENCH_PID" 2>/dev/null; then
            bench_log "server exited during restart; its stderr:"
            tail -n 30 "$BENCH_DIR/server.err" >&2
            BENCH_PID=""
            return 1
        fi
        [[ "$(curl -s -o /dev/null -w '%{http_code}' "$BENCH_URL/readyz")" == 200 ]] && return 0
        sleep 0.1
    done
    bench_log "server not ready 60 s after restart"
    return 1
}

warm_up() { wrk "${WRK[@]}" -d"$WARMUP" "$@" >/dev/null; }

for db in "${DBS[@]}"; do
    echo
    echo "== $db"
    start_seeded_server "$db"
    busy="$(bench_cpu_busy)"
    for ((i = 0; i < 15 && busy > 20; i++)); do busy="$(bench_cpu_busy)"; done
    echo "CPU busy before this database's runs: ${busy}%"

    bench_expect_status "$BENCH_URL/bench/bare" 200
    bench_expect_status "$BENCH_URL/performance" 200
    bench_expect_status "$BENCH_URL/performance?format=json" 200

    warm_up "$BENCH_URL/bench/bare"
    bench_wrk "$db bare" "${WRK[@]}" -d"$DURATION" "$BENCH_URL/bench/bare"
    warm_up "$BENCH_URL/performance"
    bench_wrk "$db dashboard" "${WRK[@]}" -d"$DURATION" "$BENCH_URL/performance"
    bench_wrk "$db dashboard json" "${WRK[@]}" -d"$DURATION" "$BENCH_URL/performance?format=json"
    bench_wrk "$db bare c1" "${WRK_ONE[@]}" -d"$DURATION" "$BENCH_URL/bench/bare"
    bench_wrk "$db dashboard c1" "${WRK_ONE[@]}" -d"$DURATION" "$BENCH_URL/performance"

    emit="$(sed -n 's/.*emit \([0-9.]*\) events\/s.*/\1/p' <<<"$INGEST_LINE")"
    count="$(sed -n 's/.*count \([0-9.]*\) events\/s.*/\1/p' <<<"$INGEST_LINE")"
    echo
    printf '%-34s %s\n' "dashboard / bare (req/s, c32)" "$(bench_ratio "$db dashboard" "$db bare")"
    printf '%-34s %s\n' "dashboard json / bare (req/s)" "$(bench_ratio "$db dashboard json" "$db bare")"
    printf '%-34s p50 %s ms, p99 %s ms (bare: p50 %s ms, p99 %s ms)\n' "dashboard alone (c1)" \
        "${BENCH_P50["$db dashboard c1"]}" "${BENCH_P99["$db dashboard c1"]}" \
        "${BENCH_P50["$db bare c1"]}" "${BENCH_P99["$db bare c1"]}"
    printf '%-34s %s\n' "events emitted / bare req/s" "$(bench_ratio "$emit" "$db bare")"
    printf '%-34s %s\n' "events counted / bare req/s" "$(bench_ratio "$count" "$db bare")"
    bench_stop_server
done
