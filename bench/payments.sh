#!/usr/bin/env bash
# ePayment: payment requests created per second (POST /api/v1/payments by an administration's
# API client, each with its own Idempotency-Key), card provider callbacks processed per second
# (POST /api/v1/payments/callbacks/sandbox, each HMAC-checked and applied once: the payment paid
# in one transaction with its history, audit entry and outbox job), and one camt.053 statement
# of BENCH_ENTRIES (100,000) entries imported and matched (seconds, and the server's peak memory
# before and after), beside GET /bench/bare of the same server in the same run, on SQLite and on
# PostgreSQL. Prints figures; judges nothing. The issue's aim: callbacks at 1,000 per second or
# more; the statement in seconds, with memory that does not grow with the file.
#
#   bench/payments.sh                                   # release build, both databases
#   BENCH_DBS=sqlite BENCH_DURATION=5s bench/payments.sh
#   BENCH_BIN=target/debug/portico BENCH_ENTRIES=2000 BENCH_DURATION=2s bench/payments.sh  # a smoke run
#
# wrk and the server share the machine's cores; compare ratios within a run.
set -euo pipefail

BUILD_RELEASE=1
[[ -z "${BENCH_BIN:-}" ]] || BUILD_RELEASE=0

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

read -ra DBS <<<"${BENCH_DBS:-sqlite postgres}"
DURATION="${BENCH_DURATION:-10s}"
WARMUP="${BENCH_WARMUP:-3s}"
ENTRIES="${BENCH_ENTRIES:-100000}"
WRK=(-t2 -c32 --timeout 10s)
ADMIN="admin@sofia.portico.demo"
PASSWORD="portico-demo-password"
TOTP_SECRET="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
SOFIA_EIK="000696327"
# The sandbox card provider's shared secret: callbacks are signed with it. The provider itself
# is not started (nothing here opens a session with it); Portico only needs to know it.
SANDBOX_SECRET="bench-sandbox-secret-of-more-than-32-bytes"
export PORTICO_PAY_SANDBOX_URL="http://127.0.0.1:9" PORTICO_PAY_SANDBOX_SECRET="$SANDBOX_SECRET"

if ((BUILD_RELEASE)); then
    echo "== building release binary"
    (cd "$BENCH_ROOT" && cargo build --release -p portico --quiet)
fi

echo "== machine"
echo "cores: $(nproc); cpu: $(lscpu | sed -n 's/^Model name: *//p'); memory: $(free -h | awk '/^Mem:/ {print $2}')"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown); binary: $BENCH_BIN"
echo "wrk ${WRK[*]} -d$DURATION --latency (warm-up $WARMUP); statement of $ENTRIES entries"
busy_before="$(bench_cpu_busy)"
echo "CPU busy before start: ${busy_before}%"
if ((busy_before > 10)); then
    bench_log "warning: something else is using the CPU (${busy_before}% busy); figures will be lower and noisier"
fi

# A valid EGN (its check digit computed), the obligor of every benchmarked payment.
OBLIGOR="$(python3 -c '
w = [2, 4, 8, 5, 10, 9, 7, 3, 6]
d = "750102001"
c = sum(int(x) * y for x, y in zip(d, w)) % 11
print(d + str(0 if c == 10 else c))')"

# Sofia's admin signs in and makes an API client with the payments scope; prints "client-id secret".
make_client() {
    local session administration created
    session="$(bench_sign_in "$ADMIN" "$PASSWORD" "$TOTP_SECRET")"
    administration="$(curl -s "$BENCH_URL/api/v1/administrations" | python3 -c '
import json, sys
print(next(a["id"] for a in json.load(sys.stdin)["items"] if a["eik"] == sys.argv[1]))' "$SOFIA_EIK")"
    created="$(curl -s -H "Cookie: portico_session=$session" -H 'Content-Type: application/json' \
        -d '{"name":"bench payments","scopes":["payments"],"auth_method":"client_secret"}' \
        "$BENCH_URL/api/v1/administrations/$administration/api-clients")"
    python3 -c '
import json, sys
c = json.loads(sys.argv[1]); print(c["client"]["id"], c["client_secret"])' "$created"
}

access_token() {
    curl -s -u "$1:$2" -d grant_type=client_credentials -d scope=payments "$BENCH_URL/oauth/token" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
}

# SQL on the server's database (its SQLite file, or its PostgreSQL database).
bench_sql() {
    if [[ "$BENCH_KIND" == sqlite ]]; then
        local file
        file="$(find "$BENCH_DIR/data" -maxdepth 2 -name '*.db' | head -n 1)"
        sqlite3 -cmd '.timeout 30000' "$file" "$1"
    else
        psql "$BENCH_PG_URL/$BENCH_DB" -qAt -v ON_ERROR_STOP=1 -c "$1"
    fi
}

# Every still unpaid benchmark payment gets a card session; a file of one signed "captured"
# callback per session is written to $1 (signed now: the run must start within the replay window).
make_callbacks() {
    bench_sql "INSERT INTO payments_card_sessions (provider, provider_ref, payment_id, attempt, redirect_url, created_at)
        SELECT 'sandbox', 'bench-' || id, id, 1, 'http://127.0.0.1:9/pay', 0 FROM payments_requests
        WHERE state = 'created' AND reason = 'Такса за бенчмарк'" >/dev/null
    # The script is an argument, not a here-document on standard input: that is where
    # bench_sql's rows come in.
    local script
    script="$(cat <<'PY'
import hashlib, hmac, json, sys, time
secret, out = sys.argv[1].encode(), sys.argv[2]
t = int(time.time())
with open(out, "w") as f:
    for n, line in enumerate(sys.stdin):
        ref, amount = line.strip().split("|")
        body = json.dumps({"event_id": f"bench-ev-{n}", "session_id": ref, "status": "captured",
                           "amount_minor": int(amount), "currency": "EUR"}, separators=(",", ":"))
        mac = hmac.new(secret, f"{t}.{body}".encode(), hashlib.sha256).hexdigest()
        f.write(f"t={t},v1={mac}\t{body}\n")
PY
    )"
    bench_sql "SELECT provider_ref, 1050 FROM payments_card_sessions WHERE provider_ref LIKE 'bench-%'" |
        python3 -c "$script" "$SANDBOX_SECRET" "$1"
}

# A camt.053 statement of N credit entries into $2: a tenth pay benchmark payments by their
# codes (matched or, paid already, duplicate), the rest name no payment (unknown).
make_statement() {
    # The script is an argument, not a here-document on standard input: that is where
    # bench_sql's rows come in.
    local script
    script="$(cat <<'PY'
import sys
n, out = int(sys.argv[1]), sys.argv[2]
codes = [c.strip() for c in sys.stdin if c.strip()]
with open(out, "w") as f:
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">'
            '<BkToCstmrStmt><GrpHdr><MsgId>BENCH-1</MsgId><CreDtTm>2026-12-03T18:00:00+02:00</CreDtTm></GrpHdr>'
            '<Stmt><Id>S</Id><Acct><Id><IBAN>BG80BNBG96611020345678</IBAN></Id></Acct>')
    for i in range(n):
        ref = codes[i // 10] if i % 10 == 0 and i // 10 < len(codes) else f"NO CODE {i}"
        f.write(f'<Ntry><Amt Ccy="EUR">10.50</Amt><CdtDbtInd>CRDT</CdtDbtInd><AcctSvcrRef>B{i}</AcctSvcrRef>'
                f'<NtryDtls><TxDtls><RmtInf><Ustrd>{ref}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>')
    f.write('</Stmt></BkToCstmrStmt></Document>\n')
PY
    )"
    bench_sql "SELECT code FROM payments_requests WHERE reason = 'Такса за бенчмарк' LIMIT $(($1 / 10))" |
        python3 -c "$script" "$1" "$2"
}

peak_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$BENCH_PID/status"; }

for kind in "${DBS[@]}"; do
    echo
    echo "== $kind"
    bench_start_server "$kind"
    read -r client_id client_secret < <(make_client)
    [[ -n "$client_secret" ]] || { bench_log "could not make an API client"; exit 1; }
    token="$(access_token "$client_id" "$client_secret")"
    [[ -n "$token" ]] || { bench_log "no access token"; exit 1; }
    bench_expect_status "$BENCH_URL/bench/bare" 200

    wrk "${WRK[@]}" -d"$WARMUP" "$BENCH_URL/bench/bare" >/dev/null
    bench_wrk "$kind bare" "${WRK[@]}" -d"$DURATION" "$BENCH_URL/bench/bare"

    api="$BENCH_URL/api/v1/payments"
    wrk "${WRK[@]}" -d"$WARMUP" -s "$BENCH_ROOT/bench/payment.lua" "$api" -- "$token" "$OBLIGOR" >/dev/null
    bench_wrk "$kind create" "${WRK[@]}" -d"$DURATION" -s "$BENCH_ROOT/bench/payment.lua" "$api" \
        -- "$token" "$OBLIGOR"
    echo "payment requests created / bare: $(bench_ratio "$kind create" "$kind bare")"

    callbacks="$BENCH_DIR/callbacks.tsv"
    make_callbacks "$callbacks"
    bench_log "$(wc -l <"$callbacks") signed callbacks, one per payment with a card session"
    bench_wrk "$kind callback" "${WRK[@]}" -d"$DURATION" -s "$BENCH_ROOT/bench/callback.lua" \
        "$api/callbacks/sandbox" -- "$callbacks" 2
    echo "callbacks processed / bare:      $(bench_ratio "$kind callback" "$kind bare")"
    echo "payments paid by callbacks:      $(bench_sql "SELECT COUNT(*) FROM payments_provider_events WHERE outcome = 'applied'")"

    xml="$BENCH_DIR/statement.xml"
    make_statement "$ENTRIES" "$xml"
    before="$(peak_kib)"
    started="$(date +%s.%N)"
    status="$(curl -s -o "$BENCH_DIR/imported.json" -w '%{http_code}' -H "Authorization: Bearer $token" \
        -H 'Content-Type: application/xml' --data-binary "@$xml" "$api/statements")"
    ended="$(date +%s.%N)"
    after="$(peak_kib)"
    [[ "$status" == 200 ]] || { bench_log "statement import answered $status: $(head -c 300 "$BENCH_DIR/imported.json")"; exit 1; }
    printf 'statement of %d entries (%s MiB): imported and matched in %.2f s; server peak memory %d MiB before, %d MiB after\n' \
        "$ENTRIES" "$(($(stat -c %s "$xml") / 1048576))" "$(echo "$ended - $started" | bc)" \
        "$((before / 1024))" "$((after / 1024))"
    echo "outcomes: $(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["outcomes"])' "$BENCH_DIR/imported.json")"
    bench_stop_server
done
