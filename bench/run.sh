#!/usr/bin/env bash
# CDS Portal benchmarks (`make bench`). See bench/README.md for what each figure means.
#
# Builds the release binary, then measures, on 127.0.0.1 only:
#   1. stripped binary size (+ ldd line count)
#   2. start to first served request (GET /healthz) on an empty data dir
#   3. idle RSS after a few requests
#   4. GET /accedi throughput and p99 (wrk -t1 -c64)
#   5. GET /accedi p99 during a flood of wrong-PIN logins (wrk + bench/login_flood.lua)
#   6-9. "Documenti Interscambiati": bench/documents.sh (packaging vs Orthanc and zip -0,
#        peak RSS packaging 2 GB, cached ZIP download, filter fragment on 1M documents)
#   10-11. the cartella clinica: bench/orders.sh (Dashboard p99, order-status fragment)
#   12. the ingest API: bench/api.sh (documents published per second, in batches)
#   13. the operators' "Registro accessi": bench/audit.sh (searches over 10M audit lines)
#   14-15. the real pagoPA providers against their contract stub: bench/payments.sh
#        (Conferma's own time over the provider's answer; polling 10,000 pending orders)
#   16. the last `make soak`'s figures: bench/soak.sh (kills survived, requests sent, bad
#        inputs tried, leaks and double payments found, per suite and summed)
# and prints a summary table with targets and PASS/FAIL. Total run time after the
# build is about 15-16 minutes; every load phase has a fixed duration or a timeout.
set -euo pipefail

cd "$(dirname "$0")/.."
BIN=target/release/cds-portal
BENCH=bench
source "$BENCH/lib.sh"   # cleanup, forget_pid, stop_pid, machine_busy, wrk_* parsers

# --- durations and loads (kept here so they are easy to read and change) ----------
STARTUP_RUNS=5
WARMUP_REQUESTS=100        # GET /accedi before reading idle RSS
IDLE_WAIT_SECS=2
PAGE_CONNS=64              # figure 4
PAGE_SECS=10
FLOOD_CONNS=64             # figure 5: the wrong-PIN flood
DURING_CONNS=8             # figure 5: the concurrent login-page measurement
DURING_SECS=10
FLOOD_LEAD_SECS=2          # the flood runs alone this long before the measurement
FLOOD_SECS=$((FLOOD_LEAD_SECS + DURING_SECS + 2))
DOCUMENTS_TIMEOUT=900      # figures 6-9 (bench/documents.sh), about 3 minutes when idle
ORDERS_TIMEOUT=300         # figures 10-11 (bench/orders.sh), about 1 minute
API_TIMEOUT=180            # figure 12 (bench/api.sh), about 30 s
AUDIT_TIMEOUT=900          # figure 13 (bench/audit.sh), about 3-4 minutes (2 of them seeding)
PAYMENTS_TIMEOUT=1200      # figures 14-15 (bench/payments.sh), about 8 minutes (5 of them polling)

# --- targets -------------------------------------------------------------------------
MAX_SIZE_BYTES=25000000    # 25 MB
MAX_STARTUP_MS=200
MAX_RSS_KB=30000           # 30 MB (VmRSS is reported in kB)
MIN_PAGE_RPS=10000
MAX_PAGE_P99_MS=10
MIN_PAGE_X_NGINX=0.80      # the login page vs nginx serving the same bytes (issue 12)
MAX_FLOOD_P99_MS=50

# --- temp dir and cleanup ------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cds-bench.XXXXXX")
PIDS=()   # every background process we start (servers, wrk)
trap cleanup EXIT   # bench/lib.sh
trap 'exit 130' INT TERM

# --- helpers -------------------------------------------------------------------------
SUMMARY=()

# start_server NAME SUBCOMMAND [VAR=VALUE...]: starts the binary on a free port with
# a fresh data dir; sets SERVER_PID and SERVER_ADDR (from the first stdout line).
start_server() {
    local name=$1 cmd=$2
    shift 2
    local dir="$WORK/$name"
    mkdir -p "$dir"
    env "$@" "$BIN" "$cmd" --listen 127.0.0.1:0 --data "$dir/data" \
        >"$dir/stdout" 2>"$dir/stderr" &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    local _
    for _ in $(seq 1 200); do   # up to 10 s
        SERVER_ADDR=$(head -n1 "$dir/stdout" 2>/dev/null || true)
        if [[ $SERVER_ADDR =~ ^127\.0\.0\.1:[0-9]+$ ]]; then return 0; fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "server '$name' exited; stderr:" >&2
            cat "$dir/stderr" >&2
            return 1
        fi
        sleep 0.05
    done
    echo "server '$name' printed no address within 10 s" >&2
    return 1
}

# login_page ADDR: GET /accedi without a cookie; sets COOKIE (cds_pre) and CSRF.
login_page() {
    curl -sS -D "$WORK/hdr" -o "$WORK/body" "http://$1/accedi"
    COOKIE=$(sed -nE 's/^[Ss]et-[Cc]ookie: cds_pre=([0-9a-fA-F]{32}).*/\1/p' "$WORK/hdr" | head -n1)
    CSRF=$(grep -o 'name="csrf" value="[^"]*"' "$WORK/body" | head -n1 | sed 's/.*value="//; s/"$//')
    if [[ -z $COOKIE || -z $CSRF ]]; then
        echo "could not read cds_pre cookie / csrf token from GET /accedi" >&2
        return 1
    fi
}

# wrk_p99_ms FILE / wrk_errors FILE: parse wrk output (wrk_rps, wrk_non2xx: bench/lib.sh).
wrk_p99_ms() { wrk_pct_ms "$1" 99%; }
wrk_errors() { grep -m1 'Socket errors:' "$1" | sed 's/^ *Socket errors: *//' || echo none; }

# --- 0. tools and build --------------------------------------------------------------
if [ ! -x /usr/sbin/nginx ]; then
    echo "== installing nginx-light (the ceiling of figure 4)"
    apt-get install -y nginx-light >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y nginx-light >/dev/null; }
fi
if ! command -v wrk >/dev/null; then
    echo "== installing wrk"
    apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
command -v curl >/dev/null || { echo "curl is required" >&2; exit 1; }

echo "== cargo build --release"
cargo build --release
echo
echo "machine: $(nproc) cores; wrk, the server and its hashing thread share them"
BUSY_BEFORE=$(machine_busy)
echo "CPU used by other processes before measuring: $BUSY_BEFORE% (1 s sample; >10% skews every figure)"
echo

# --- 1. binary size ------------------------------------------------------------------
echo "== 1. binary size"
size=$(stat -c %s "$BIN")
size_mb=$(awk -v s="$size" 'BEGIN { printf "%.2f", s / 1e6 }')
if ldd_out=$(ldd "$BIN" 2>&1) && ! grep -q 'not a dynamic executable\|statically linked' <<<"$ldd_out"; then
    ldd_summary="$(wc -l <<<"$ldd_out") ldd lines"
else
    ldd_summary="static"
fi
echo "$BIN: $size bytes ($size_mb MB), $ldd_summary"
echo "$ldd_out" | sed 's/^/    /'
file "$BIN" 2>/dev/null | grep -q 'not stripped' && echo "    WARNING: binary is not stripped"
record "1. binary size" "$size_mb MB ($ldd_summary)" "<= 25 MB" "$(pass_if "$size" '<=' "$MAX_SIZE_BYTES")"
echo

# --- 2. start to first served request -------------------------------------------------
echo "== 2. start to first GET /healthz 200 (empty data dir, $STARTUP_RUNS runs)"
python3 "$BENCH/startup.py" "$BIN" "$WORK" "$STARTUP_RUNS" | tee "$WORK/startup.txt"
st_median=$(awk '$1 == "startup_median_ms" { print $2 }' "$WORK/startup.txt")
st_max=$(awk '$1 == "startup_max_ms" { print $2 }' "$WORK/startup.txt")
record "2. start->first request (median)" "$st_median ms" "<= 200 ms" "$(pass_if "$st_median" '<=' "$MAX_STARTUP_MS")"
record "   start->first request (max)" "$st_max ms" "<= 200 ms" "$(pass_if "$st_max" '<=' "$MAX_STARTUP_MS")"
echo

# --- 3. idle RSS -----------------------------------------------------------------------
echo "== 3. idle RSS after $WARMUP_REQUESTS x GET /accedi and ${IDLE_WAIT_SECS}s idle"
start_server page serve
PAGE_PID=$SERVER_PID PAGE_ADDR=$SERVER_ADDR
echo "server pid $PAGE_PID at $PAGE_ADDR"
for _ in $(seq 1 "$WARMUP_REQUESTS"); do
    curl -sS -o /dev/null "http://$PAGE_ADDR/accedi"
done
sleep "$IDLE_WAIT_SECS"
rss_kb=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$PAGE_PID/status")
threads=$(awk '$1 == "Threads:" { print $2 }' "/proc/$PAGE_PID/status")
rss_mb=$(awk -v k="$rss_kb" 'BEGIN { printf "%.1f", k / 1000 }')
echo "VmRSS $rss_kb kB ($rss_mb MB), $threads threads"
record "3. idle RSS" "$rss_mb MB" "<= 30 MB" "$(pass_if "$rss_kb" '<=' "$MAX_RSS_KB")"
echo

# --- 4. login page throughput ---------------------------------------------------------
echo "== 4. GET /accedi, wrk -t1 -c$PAGE_CONNS -d${PAGE_SECS}s --latency (steady-state cookie)"
login_page "$PAGE_ADDR"
# Steady state: with the cookie the server must not set a new one.
if curl -sS -D - -o /dev/null -H "Cookie: cds_pre=$COOKIE" "http://$PAGE_ADDR/accedi" | grep -qi '^set-cookie: cds_pre='; then
    echo "WARNING: server sets cds_pre again although the request carries it"
fi
wrk -t1 -c"$PAGE_CONNS" -d2s -H "Cookie: cds_pre=$COOKIE" "http://$PAGE_ADDR/accedi" >/dev/null  # warm-up
wrk -t1 -c"$PAGE_CONNS" -d"${PAGE_SECS}s" --latency -H "Cookie: cds_pre=$COOKIE" \
    "http://$PAGE_ADDR/accedi" | tee "$WORK/page.txt"
page_rps=$(wrk_rps "$WORK/page.txt")
page_p99=$(wrk_p99_ms "$WORK/page.txt")
page_bad=$(wrk_non2xx "$WORK/page.txt")
[[ $page_bad == 0 ]] || echo "WARNING: $page_bad non-2xx/3xx responses"
rss_after=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$PAGE_PID/status")
hwm_after=$(awk '$1 == "VmHWM:" { print $2 }' "/proc/$PAGE_PID/status")
echo "after the load: VmRSS $rss_after kB, peak VmHWM $hwm_after kB (information only)"
record "4. login page req/s" "$page_rps req/s" ">= 10000" "$(pass_if "$page_rps" '>=' "$MIN_PAGE_RPS")"
record "   login page p99" "$page_p99 ms (non-2xx $page_bad)" "<= 10 ms" "$(pass_if "$page_p99" '<=' "$MAX_PAGE_P99_MS")"

# The ceiling: Debian's nginx, one worker, no access log, serving the same bytes as a
# static file, measured the same way right after.
curl -sS -o "$WORK/accedi.html" -H "Cookie: cds_pre=$COOKIE" "http://$PAGE_ADDR/accedi"
stop_pid "$PAGE_PID"
NGINX_PORT=$(free_port)
mkdir -p "$WORK/nginx/www" "$WORK/nginx/tmp"
cp "$WORK/accedi.html" "$WORK/nginx/www/accedi"
cat >"$WORK/nginx/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx/tmp;
    proxy_temp_path $WORK/nginx/tmp;
    fastcgi_temp_path $WORK/nginx/tmp;
    uwsgi_temp_path $WORK/nginx/tmp;
    scgi_temp_path $WORK/nginx/tmp;
    default_type text/html;
    server { listen 127.0.0.1:$NGINX_PORT; root $WORK/nginx/www; }
}
NGINX
/usr/sbin/nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
NGINX_PID=$!
PIDS+=("$NGINX_PID")
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/accedi" && break; sleep 0.1; done
wrk -t1 -c"$PAGE_CONNS" -d2s "http://127.0.0.1:$NGINX_PORT/accedi" >/dev/null
wrk -t1 -c"$PAGE_CONNS" -d"${PAGE_SECS}s" --latency "http://127.0.0.1:$NGINX_PORT/accedi" | tee "$WORK/nginx.txt"
nginx_rps=$(wrk_rps "$WORK/nginx.txt")
page_x=$(PREC=3 calc 'a / b' a="$page_rps" b="$nginx_rps")
record "   nginx, same bytes (info)" "$nginx_rps req/s, p99 $(wrk_p99_ms "$WORK/nginx.txt") ms" "-" "info"
record "   login page / nginx" "${page_x}x" ">= $MIN_PAGE_X_NGINX" "$(pass_if "$page_x" '>=' "$MIN_PAGE_X_NGINX")"
stop_pid "$NGINX_PID"
echo

# --- 5. login page during a wrong-PIN flood -------------------------------------------
echo "== 5. GET /accedi p99 (wrk -c$DURING_CONNS) during a wrong-PIN flood (wrk -c$FLOOD_CONNS)"
# Throttles raised so that every flood request reaches argon2id.
start_server flood demo \
    CDS_AUTH_IP_ATTEMPTS_PER_MINUTE=1000000000 CDS_AUTH_MAX_FAILURES=1000000000
FLOOD_SRV_PID=$SERVER_PID FLOOD_ADDR=$SERVER_ADDR
echo "demo server pid $FLOOD_SRV_PID at $FLOOD_ADDR"
login_page "$FLOOD_ADDR"
probe=$(curl -sS -o /dev/null -w '%{http_code}' -H "Cookie: cds_pre=$COOKIE" \
    --data "csrf=$CSRF&codice_fiscale=RSSMRA80A01A182N&pin=00000000" "http://$FLOOD_ADDR/accedi")
echo "one wrong-PIN POST /accedi answers $probe (expected 401)"

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }   # utime + stime

# Cost of one wrong-PIN attempt: server CPU over a short single-connection flood.
ticks0=$(cpu_ticks "$FLOOD_SRV_PID")
BENCH_CSRF=$CSRF BENCH_COOKIE=$COOKIE wrk -t1 -c1 -d3s --latency \
    -s "$BENCH/login_flood.lua" "http://$FLOOD_ADDR/accedi" >"$WORK/single.txt" 2>&1
ticks1=$(cpu_ticks "$FLOOD_SRV_PID")
single_n=$(awk '$1 == "flood_status" { n += $3 } END { print n + 0 }' "$WORK/single.txt")
attempt_ms=$(awk -v t="$((ticks1 - ticks0))" -v hz="$(getconf CLK_TCK)" -v n="$single_n" \
    'BEGIN { if (n > 0) printf "%.1f", t / hz * 1000 / n; else print "n/a" }')
echo "one connection, 3 s: $single_n wrong-PIN attempts, p50 $(awk '$1 == "50%" { print $2 }' "$WORK/single.txt"),"\
    "server CPU per attempt $attempt_ms ms"

# Baseline on the same server without the flood (information only).
wrk -t1 -c"$DURING_CONNS" -d5s --latency -H "Cookie: cds_pre=$COOKIE" \
    "http://$FLOOD_ADDR/accedi" >"$WORK/baseline.txt"
echo "baseline without flood: $(wrk_rps "$WORK/baseline.txt") req/s, p99 $(wrk_p99_ms "$WORK/baseline.txt") ms"

ticks0=$(cpu_ticks "$FLOOD_SRV_PID")
BENCH_CSRF=$CSRF BENCH_COOKIE=$COOKIE \
    wrk -t1 -c"$FLOOD_CONNS" -d"${FLOOD_SECS}s" --timeout 10s --latency \
    -s "$BENCH/login_flood.lua" "http://$FLOOD_ADDR/accedi" >"$WORK/flood.txt" 2>&1 &
FLOOD_WRK_PID=$!
PIDS+=("$FLOOD_WRK_PID")
sleep "$FLOOD_LEAD_SECS"
wrk -t1 -c"$DURING_CONNS" -d"${DURING_SECS}s" --latency -H "Cookie: cds_pre=$COOKIE" \
    "http://$FLOOD_ADDR/accedi" | tee "$WORK/during.txt"
wait "$FLOOD_WRK_PID"
forget_pid "$FLOOD_WRK_PID"
ticks1=$(cpu_ticks "$FLOOD_SRV_PID")
echo "-- flood (wrong PIN, $FLOOD_SECS s):"
cat "$WORK/flood.txt"
server_cpu=$(awk -v t="$((ticks1 - ticks0))" -v hz="$(getconf CLK_TCK)" -v d="$FLOOD_SECS" \
    'BEGIN { printf "%.2f", t / hz / d }')
echo "server CPU during the flood: $server_cpu cores on average"

during_rps=$(wrk_rps "$WORK/during.txt")
during_p99=$(wrk_p99_ms "$WORK/during.txt")
during_bad=$(wrk_non2xx "$WORK/during.txt")
flood_rps=$(wrk_rps "$WORK/flood.txt")
flood_p99=$(wrk_p99_ms "$WORK/flood.txt")
flood_statuses=$(awk '$1 == "flood_status" { printf "%s%s=%s", sep, $2, $3; sep = " " }' "$WORK/flood.txt")
flood_errors=$(wrk_errors "$WORK/flood.txt")
record "5. login page p99 under flood" "$during_p99 ms ($during_rps rps)" "<= 50 ms" "$(pass_if "$during_p99" '<=' "$MAX_FLOOD_P99_MS")"
record "   CPU per wrong-PIN attempt (info)" "$attempt_ms ms" "-" "info"
record "   flood req/s (info)" "$flood_rps req/s" "-" "info"
record "   flood statuses (info)" "${flood_statuses:-none}" "-" "info"
record "   flood p99 (info)" "$flood_p99 ms" "-" "info"
[[ $during_bad == 0 ]] || echo "WARNING: $during_bad non-2xx/3xx login-page responses during the flood"
[[ $flood_errors == none ]] || echo "flood socket errors: $flood_errors"
stop_pid "$FLOOD_SRV_PID"
echo

# --- 6-9. Documenti Interscambiati ------------------------------------------------------
# run_part SCRIPT TIMEOUT FIGURES: a part's own script; its rows join the summary, and a
# failure or timeout is a FAIL row of its own.
run_part() {
    local file=$WORK/summary-$(basename "$1" .sh).txt ok=1
    echo "== $3. bench/$1"
    : >"$file"
    SUMMARY_FILE=$file timeout "$2" bash "$BENCH/$1" || ok=0
    while IFS= read -r row; do SUMMARY+=("$row"); done <"$file"
    if ((!ok)); then
        echo "WARNING: bench/$1 failed or timed out: figures $3 are incomplete"
        record "$3. bench/$1" "failed / timed out" "completes" "FAIL"
    fi
    echo
}
run_part documents.sh "$DOCUMENTS_TIMEOUT" 6-9
run_part orders.sh "$ORDERS_TIMEOUT" 10-11
run_part api.sh "$API_TIMEOUT" 12
run_part audit.sh "$AUDIT_TIMEOUT" 13
run_part payments.sh "$PAYMENTS_TIMEOUT" 14-15
run_part soak.sh 60 16

# --- summary ---------------------------------------------------------------------------
print_summary "================================ summary ================================"
