#!/usr/bin/env bash
# Citizen participation figures, in one run per database: ballots cast per second with the
# verification done (the population-register look-ups through the mediator and the SMS code
# queued, untimed; then each ballot: its code checked, the voters row, the ballot under a new
# receipt, the abuse counters, in one transaction), measured in-process by
# `portico bench-participation`; the proposals page of a process with 10,000 proposals (the
# first page and a deep one, p50 and p99) over HTTP; and the bare endpoint beside them. Prints
# figures and ratios; judges nothing.
#
#   bench/participation.sh                                        # both databases
#   BENCH_DBS=sqlite BENCH_VOTERS=200 BENCH_DURATION=3s bench/participation.sh
#   BENCH_BIN=target/debug/portico BENCH_NO_BUILD=1 ...           # another binary, no build
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

read -ra DBS <<<"${BENCH_DBS:-sqlite postgres}"
DURATION="${BENCH_DURATION:-10s}"
WARMUP="${BENCH_WARMUP:-3s}"
VOTERS="${BENCH_VOTERS:-2000}"
PROPOSALS="${BENCH_PROPOSALS:-10000}"
CONCURRENCY="${BENCH_CONCURRENCY:-16}"
WRK=(-t2 -c32 --timeout 10s)

if [[ -z "${BENCH_NO_BUILD:-}" ]]; then
    echo "== building release binary"
    (cd "$BENCH_ROOT" && cargo build --release -p portico --quiet)
fi
echo "== machine"
echo "cores: $(nproc); date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "cpu busy before the run: $(bench_cpu_busy)%"
echo "wrk ${WRK[*]} -d$DURATION --latency; $VOTERS voters cast $CONCURRENCY at a time; $PROPOSALS proposals"

for db in "${DBS[@]}"; do
    echo
    echo "== $db"
    bench_start_server "$db"
    db_env=(-u DATABASE_URL)
    [[ "$db" == postgres ]] && db_env=(DATABASE_URL="$BENCH_PG_URL/$BENCH_DB")
    figures="$(env "${db_env[@]}" PORTICO_DATA_DIR="$BENCH_DIR/data" PORTICO_LOG=warn \
        "$BENCH_BIN" bench-participation --voters "$VOTERS" --concurrency "$CONCURRENCY" \
        --proposals "$PROPOSALS")"
    echo "$figures"
    cast_per_s="$(awk '{print $2}' <<<"$figures")"
    slug="$(awk '{print $NF}' <<<"$figures")"
    first="$BENCH_URL/participation/$slug/proposals"
    # The last page's link as the page's "next" links lead to it: after proposal number P-20.
    deep="$BENCH_URL/participation/$slug/proposals?status=&after=$((PROPOSALS - 20))"
    bench_expect_status "$first" 200
    bench_expect_status "$deep" 200
    bench_expect_status "$BENCH_URL/bench/bare" 200

    wrk "${WRK[@]}" -d"$WARMUP" "$BENCH_URL/bench/bare" >/dev/null
    bench_wrk "$db bare" "${WRK[@]}" -d"$DURATION" "$BENCH_URL/bench/bare"
    wrk "${WRK[@]}" -d"$WARMUP" "$first" >/dev/null
    bench_wrk "$db proposals page 1" "${WRK[@]}" -d"$DURATION" "$first"
    bench_wrk "$db proposals last page" "${WRK[@]}" -d"$DURATION" "$deep"
    printf '%-28s %10.1f ballots/s\n' "$db ballots cast" "$cast_per_s"
    printf 'ballots / bare: %s   page 1 / bare: %s   last page / bare: %s\n' \
        "$(bench_ratio "$cast_per_s" "${BENCH_RPS[$db bare]}")" \
        "$(bench_ratio "${BENCH_RPS[$db proposals page 1]}" "${BENCH_RPS[$db bare]}")" \
        "$(bench_ratio "${BENCH_RPS[$db proposals last page]}" "${BENCH_RPS[$db bare]}")"
    bench_stop_server
done
