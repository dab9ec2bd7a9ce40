#!/usr/bin/env bash
# Open data figures, in one run per database: the load time of a large CSV into the datastore
# (BENCH_ROWS rows, 1,000,000 by default), datastore_search on it (a filter, a sort, a
# full-text query, deep paging) beside Datasette (from PyPI) serving the same CSV loaded into
# SQLite on the same machine at the same time, package_search p50/p99 over BENCH_DATASETS
# datasets (100,000 by default), and the bare endpoint. Prints figures and ratios; judges nothing.
#
#   bench/opendata.sh                                   # release binary, both databases
#   BENCH_BIN=target/debug/portico BENCH_DBS=sqlite BENCH_ROWS=20000 BENCH_DATASETS=500 \
#     BENCH_DURATION=3s bench/opendata.sh               # a quick check that it works
#
# The datasets and the CSV are added by the hidden `portico bench-opendata` command, through the
# block's service functions (HTTP uploads stop at 20 MB; this loads the file whole, in memory).
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

read -ra DBS <<<"${BENCH_DBS:-sqlite postgres}"
DURATION="${BENCH_DURATION:-10s}"
WARMUP="${BENCH_WARMUP:-2s}"
ROWS="${BENCH_ROWS:-1000000}"
DATASETS="${BENCH_DATASETS:-100000}"
WRK=(-t2 -c16 --timeout 20s)

if [[ -z "${BENCH_BIN_GIVEN:-}" && "$BENCH_BIN" == "$BENCH_ROOT/target/release/portico" ]]; then
    echo "== building release binary"
    (cd "$BENCH_ROOT" && cargo build --release -p portico --quiet)
fi
python3 -c 'import datasette' 2>/dev/null || {
    echo "== installing Datasette from PyPI"
    python3 -m pip install --quiet datasette || python3 -m pip install --quiet --break-system-packages datasette
}
echo "== machine"
echo "cores: $(nproc); busy: $(bench_cpu_busy)%; date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "binary: $BENCH_BIN; rows: $ROWS; datasets: $DATASETS; wrk ${WRK[*]} -d$DURATION; wrk, Portico and Datasette share the cores"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/opendata-bench.XXXXXX")"
DATASETTE_PID=""
stop_datasette() { [[ -z "$DATASETTE_PID" ]] || { kill "$DATASETTE_PID" 2>/dev/null || true; wait "$DATASETTE_PID" 2>/dev/null || true; DATASETTE_PID=""; }; }
trap 'stop_datasette; bench_cleanup; rm -rf "$WORK"' EXIT

echo "== generating $ROWS rows"
python3 - "$WORK/rows.csv" "$WORK/rows.db" "$ROWS" <<'PY'
import csv, random, sqlite3, sys
path, db, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
rnd = random.Random(7)
districts = ["Средец", "Красно село", "Възраждане", "Оборище", "Сердика", "Подуяне", "Слатина", "Изгрев",
             "Лозенец", "Триадица", "Младост", "Люлин", "Витоша", "Надежда", "Искър", "Овча купел"]
kinds = ["ремонт", "почистване", "озеленяване", "осветление", "транспорт", "училище", "болница", "парк"]
with open(path, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["id", "district", "kind", "amount", "year", "note"])
    for i in range(1, n + 1):
        w.writerow([i, rnd.choice(districts), rnd.choice(kinds), rnd.randint(100, 1_000_000),
                    rnd.randint(2015, 2025), f"{rnd.choice(kinds)} {rnd.choice(districts)} {i % 997}"])
con = sqlite3.connect(db)
con.execute("CREATE TABLE rows (id INTEGER PRIMARY KEY, district TEXT, kind TEXT, amount INTEGER, year INTEGER, note TEXT)")
with open(path, encoding="utf-8") as f:
    r = csv.reader(f)
    next(r)
    con.executemany("INSERT INTO rows VALUES (?, ?, ?, ?, ?, ?)", r)
con.commit()
PY
echo "csv: $(du -h "$WORK/rows.csv" | cut -f1)"

enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }

for db in "${DBS[@]}"; do
    echo
    echo "== $db"
    bench_start_server "$db"
    db_env=(-u DATABASE_URL)
    [[ "$db" == postgres ]] && db_env=(DATABASE_URL="$BENCH_PG_URL/$BENCH_DB")
    out="$(env "${db_env[@]}" PORTICO_DATA_DIR="$BENCH_DIR/data" PORTICO_LOG=warn \
        "$BENCH_BIN" bench-opendata --datasets "$DATASETS" --csv "$WORK/rows.csv")"
    resource="$(awk '$1 == "resource" {print $2}' <<<"$out")"
    load_ms="$(awk '$1 == "load_ms" {print $2}' <<<"$out")"
    printf '%-28s %10s ms   (%s rows, %.0f rows/s)\n' "$db load" "$load_ms" "$ROWS" \
        "$(awk -v n="$ROWS" -v ms="$load_ms" 'BEGIN { print (ms > 0 ? n * 1000 / ms : 0) }')"

    port="$(bench_free_port)"
    datasette serve "$WORK/rows.db" --host 127.0.0.1 --port "$port" --setting sql_time_limit_ms 20000 \
        --setting max_returned_rows 1000 >"$WORK/datasette.log" 2>&1 &
    DATASETTE_PID=$!
    for ((i = 0; i < 300; i++)); do
        [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/rows/rows.json?_size=1")" == 200 ]] && break
        sleep 0.1
    done
    ds="http://127.0.0.1:$port/rows/rows.json"
    api="$BENCH_URL/api/3/action/datastore_search?resource_id=$resource"
    deep=$((ROWS / 2))
    # label, Portico's URL, Datasette's URL (the same question).
    queries=(
        "filter|$api&limit=100&filters=$(enc '{"district":"Лозенец"}')|$ds?_size=100&district=$(enc 'Лозенец')"
        "sort|$api&limit=100&sort=$(enc 'amount desc')|$ds?_size=100&_sort_desc=amount"
        "full-text|$api&limit=100&q=$(enc 'озеленяване')|$ds?_size=100&note__contains=$(enc 'озеленяване')"
        "deep page|$api&limit=100&offset=$deep|$ds?_size=100&_next=$deep"
    )
    bench_expect_status "$BENCH_URL/bench/bare" 200
    wrk "${WRK[@]}" -d"$WARMUP" "$BENCH_URL/bench/bare" >/dev/null
    bench_wrk "$db bare" "${WRK[@]}" -d"$DURATION" "$BENCH_URL/bench/bare"
    for q in "${queries[@]}"; do
        IFS='|' read -r label portico datasette <<<"$q"
        bench_expect_status "$portico" 200
        bench_expect_status "$datasette" 200
        wrk "${WRK[@]}" -d"$WARMUP" "$portico" >/dev/null
        bench_wrk "$db portico $label" "${WRK[@]}" -d"$DURATION" "$portico"
        wrk "${WRK[@]}" -d"$WARMUP" "$datasette" >/dev/null
        bench_wrk "$db datasette $label" "${WRK[@]}" -d"$DURATION" "$datasette"
        printf '  portico / datasette (%s): %s   portico / bare: %s\n' "$label" \
            "$(bench_ratio "$db portico $label" "$db datasette $label")" \
            "$(bench_ratio "$db portico $label" "$db bare")"
    done
    stop_datasette

    search="$BENCH_URL/api/3/action/package_search?rows=10&q=$(enc 'разрешение строеж')"
    bench_expect_status "$search" 200
    # The first search after the seeding builds the index; that is not what is measured.
    started="$(date +%s%N)"
    curl -s -o /dev/null "$search"
    printf '%-28s %10s ms\n' "$db index build" "$((($(date +%s%N) - started) / 1000000))"
    wrk "${WRK[@]}" -d"$WARMUP" "$search" >/dev/null
    bench_wrk "$db package_search" "${WRK[@]}" -d"$DURATION" "$search"
    facets="$BENCH_URL/api/3/action/package_search?rows=10&q=$(enc 'разрешения')&facet.field=$(enc '["organization","groups","res_format","license_id"]')"
    bench_wrk "$db package_search facets" "${WRK[@]}" -d"$DURATION" "$facets"
    printf '  package_search / bare: %s   p99 %s ms (aim: under 20 ms)\n' \
        "$(bench_ratio "$db package_search" "$db bare")" "${BENCH_P99[$db package_search]}"
    bench_stop_server
done
