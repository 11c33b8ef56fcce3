#!/usr/bin/env bash
# CDS Portal benchmarks of the real pagoPA providers (see bench/README.md, figures 14-15),
# against the contract stub tests/contract/payments_stub.py (PiemontePay epayapi, pagoPA GPD:
# every request checked against the providers' OpenAPI files; a broken one fails the figure):
#   14. "Conferma" adds <= 5 ms of the portal's own time to the provider's answer (median;
#       p95 shown), for GPD and for PiemontePay
#   15. polling 10,000 pending orders at the default rhythm (payments.poll_first_secs 5,
#       doubling to poll_max_secs 600) costs < 1% of one core
#
# Run by bench/run.sh (`make bench`), or alone: `bash bench/payments.sh` (builds the release
# binary and prints its own summary; from run.sh, SUMMARY_FILE set, it skips the build and
# writes its summary rows there). Everything runs on 127.0.0.1 in a temp dir removed on
# exit. About 8 minutes: ~1 to seed the stub, 2.5 a provider for figure 15.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/cds-portal
[[ $BIN == /* ]] || BIN=$ROOT/$BIN
BENCH=$ROOT/bench
PY=$ROOT/tests/.venv/bin/python   # the stub needs openapi-core (tests/install-deps.sh)
source "$BENCH/lib.sh"   # cleanup, stop_pid, machine_busy, pass_if, calc, start_server, record

CONFIRMS=200               # figure 14: Conferma POSTs per provider, each a fresh draft order
DIRECT=200                 # figure 14: creations sent straight to the stub (the network's part)
DISK_SYNCS=20              # figure 14: the disk's sync time, probed in the data dir (info)
BUSY_DISK_MS=1             # figure 14: a slower median sync is a warning (the disk is busy)
CONFIRM_PROVIDERS="gpd piemontepay"
PENDING=10000              # figure 15: pending orders, each with its position at the stub
POLL_PROVIDERS="gpd piemontepay"
WARMUP_SECS=30             # figure 15: after `serve` starts, before the window
WINDOW_SECS=120            # figure 15: the measured window
POLL_MAX_SECS=600          # payments.poll_max_secs, the default (not set: the default rhythm)
SEED_TIMEOUT=300           # one provider's PENDING creations at the stub (~40 s when idle)
MAX_OWN_MS=5               # figure 14 (median of Conferma wall time - the stub's time)
MAX_CPU_PCT=1              # figure 15 (% of one core)
MARIO_CF=RSSMRA80A01A182N
MARIO_PIN=12345678
# The stub's credentials and names; the portal is configured with the same.
export PP_USER=cds-portal-bench PP_PASS=pp-bench-password PP_ORG=ASLTEST PP_TYPE=COPIA_CARTELLA
export GPD_KEY=gpd-bench-subscription-key GPD_CF=12345678901

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cds-bench-payments.XXXXXX")
PIDS=()
trap cleanup EXIT
trap 'exit 130' INT TERM

SUMMARY=()

if [[ -z ${SUMMARY_FILE:-} ]]; then
    echo "== cargo build --release"
    cargo build --release
    BUSY_BEFORE=$(machine_busy)
    echo "machine: $(nproc) cores; CPU used by other processes before measuring: $BUSY_BEFORE% (1 s sample)"
fi
if ! "$PY" -c 'import openapi_core' 2>/dev/null; then
    echo "== bash tests/install-deps.sh (the stub's openapi-core)"
    bash tests/install-deps.sh
fi

# --- the stub -----------------------------------------------------------------------------
mkdir -p "$WORK/stub"
"$PY" tests/contract/payments_stub.py --listen 127.0.0.1:0 --pp-user "$PP_USER" --pp-pass "$PP_PASS" \
    --pp-org "$PP_ORG" --pp-type "$PP_TYPE" --gpd-key "$GPD_KEY" --gpd-cf "$GPD_CF" \
    >"$WORK/stub/stdout" 2>"$WORK/stub/stderr" &
STUB_PID=$!
PIDS+=("$STUB_PID")
for _ in $(seq 1 600); do   # openapi-core reads the specs: a few seconds
    STUB=$(head -n1 "$WORK/stub/stdout" 2>/dev/null || true)
    [[ $STUB =~ ^http://127\.0\.0\.1:[0-9]+$ ]] && break
    kill -0 "$STUB_PID" 2>/dev/null || { cat "$WORK/stub/stderr" >&2; exit 1; }
    sleep 0.1
done
[[ $STUB =~ ^http:// ]] || { echo "the stub printed no URL" >&2; exit 1; }
echo "payments stub (pid $STUB_PID) at $STUB"
stub_get() { curl -sS --fail "$STUB$1"; }
stub_reset() { curl -sS --fail -X POST "$STUB/_stub/reset" >/dev/null; }
violations() { stub_get /_stub/violations | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))'; }
stub_count() { stub_get "/_stub/count?op=$1" | python3 -c 'import json, sys; print(json.load(sys.stdin)["count"])'; }

# provider_env PROVIDER: the portal's settings for PROVIDER against the stub (the test
# suite's tests/it/payments_real.rs, without its fast polls).
provider_env() {
    case $1 in
        gpd) ENV=(CDS_PAYMENTS_PROVIDER=gpd CDS_PAYMENTS_PROVIDER_NAME=pagoPA
                  CDS_PAYMENTS_ENTE_CF="$GPD_CF"
                  CDS_PAYMENTS_GPD_URL="$STUB/gpd/debt-positions-service/v1"
                  CDS_PAYMENTS_GPD_CHECKOUT_URL="$STUB/checkout/ec/v1"
                  CDS_PAYMENTS_GPD_SUBSCRIPTION_KEY="$GPD_KEY"
                  CDS_PAYMENTS_GPD_IBAN=IT60X0542811101000000123456
                  CDS_PAYMENTS_GPD_TAXONOMY=9/0201133IM/
                  CDS_HTTP_PUBLIC_URL=https://referti.asl.example.it) ;;
        piemontepay) ENV=(CDS_PAYMENTS_PROVIDER=piemontepay "CDS_PAYMENTS_PROVIDER_NAME=Piemonte Pay"
                  CDS_PAYMENTS_ENTE_CF="$GPD_CF"
                  CDS_PAYMENTS_PIEMONTEPAY_URL="$STUB/epayapi/api/v1"
                  CDS_PAYMENTS_PIEMONTEPAY_ORGANIZATION="$PP_ORG"
                  CDS_PAYMENTS_PIEMONTEPAY_PAYMENT_TYPE="$PP_TYPE"
                  CDS_PAYMENTS_PIEMONTEPAY_USERNAME="$PP_USER"
                  CDS_PAYMENTS_PIEMONTEPAY_PASSWORD="$PP_PASS") ;;
    esac
}
status_op() { [[ $1 == gpd ]] && echo getOrganizationDebtPositionByIUPD || echo getDebtPositionStatus; }
label() { [[ $1 == gpd ]] && echo GPD || echo PiemontePay; }

# The demo makes the schema, Mario Rossi (PIN) and his priced documents; stopped, its data
# dir is copied for each part.
start_server gen demo "$WORK/base" CDS_DEMO_CT_SLICES=2
stop_pid "$SERVER_PID"

# --- 14. Conferma --------------------------------------------------------------------------
for p in $CONFIRM_PROVIDERS; do
    echo "== 14. Conferma, $(label "$p"): $CONFIRMS orders one after the other, then $DIRECT creations straight to the stub"
    data=$WORK/data-confirm-$p
    cp -a "$WORK/base" "$data"
    python3 "$BENCH/payments_client.py" drafts "$data/cds-portal.db" "$CONFIRMS" "$p" "$WORK/orders-$p.txt"
    stub_reset
    provider_env "$p"
    # The first check of the new pending orders an hour later: the figure is Conferma alone
    # (figure 15 is the poller).
    start_server "confirm-$p" serve "$data" "${ENV[@]}" CDS_PAYMENTS_POLL_FIRST_SECS=3600 CDS_PAYMENTS_POLL_MAX_SECS=3600
    python3 "$BENCH/payments_client.py" disk "$data" "$DISK_SYNCS" | tee "$WORK/disk-$p.txt"
    python3 "$BENCH/payments_client.py" confirm "$SERVER_ADDR" "$STUB" "$data/cds-portal.db" "$p" \
        "$MARIO_CF" "$MARIO_PIN" "$WORK/orders-$p.txt" "$DIRECT" | tee "$WORK/confirm-$p.txt"
    stop_pid "$SERVER_PID"
    v=$(violations)
    get() { awk -v k="$1" '$1 == k { print $2 }' "$WORK/confirm-$p.txt"; }
    own=$(get own_median_ms)
    name=$(label "$p")
    record "14. Conferma own time, $name" "$own ms (p95 $(get own_p95_ms))" "<= $MAX_OWN_MS ms" "$(pass_if "$own" '<=' "$MAX_OWN_MS")"
    record "   wall / stub time (info)" "$(get wall_median_ms) / $(get provider_median_ms) ms" "-" "info"
    record "   network+client (info)" "$(get transit_median_ms) ms (p95 $(get transit_p95_ms))" "-" "info"
    sync=$(awk '$1 == "sync_median_ms" { print $2 }' "$WORK/disk-$p.txt")
    record "   disk sync, 4 KB (info)" "$sync ms (p95 $(awk '$1 == "sync_p95_ms" { print $2 }' "$WORK/disk-$p.txt"))" "-" "info"
    if awk -v s="$sync" -v m="$BUSY_DISK_MS" 'BEGIN { exit !(s > m) }'; then
        echo "WARNING: the disk was busy (a sync took $sync ms): each Conferma waits for two, figure 14 is not representative"
    fi
    ok=$(get matched)
    [[ $ok == "$CONFIRMS" && $(get problems) == 0 ]] || record "   $name: every Conferma pending" "$ok of $CONFIRMS" "all" "FAIL"
    [[ $v == 0 ]] || record "   $name: stub violations" "$v" "0" "FAIL"
done
echo

# --- 15. polling ---------------------------------------------------------------------------
for p in $POLL_PROVIDERS; do
    name=$(label "$p")
    echo "== 15. polling, $name: $PENDING pending orders, ${WARMUP_SECS}s warm-up, ${WINDOW_SECS}s window"
    data=$WORK/data-poll-$p
    cp -a "$WORK/base" "$data"
    stub_reset
    timeout "$SEED_TIMEOUT" python3 "$BENCH/payments_client.py" pending "$data/cds-portal.db" "$STUB" "$p" "$PENDING"
    python3 "$BENCH/payments_client.py" spread "$data/cds-portal.db" "$POLL_MAX_SECS"
    provider_env "$p"
    start_server "poll-$p" serve "$data" "${ENV[@]}"
    pid=$SERVER_PID
    op=$(status_op "$p")
    sleep "$WARMUP_SECS"
    t0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
    c0=$(stub_count "$op")
    s0=$(now)
    sleep "$WINDOW_SECS"
    t1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
    c1=$(stub_count "$op")
    secs=$(PREC=3 calc 'b - a' a="$s0" b="$(now)")
    rss=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$pid/status")
    stop_pid "$pid"
    v=$(violations)
    cpu=$(PREC=2 calc '(b - a) / hz / s * 100' a="$t0" b="$t1" hz="$(getconf CLK_TCK)" s="$secs")
    rate=$(calc '(b - a) / s' a="$c0" b="$c1" s="$secs")
    expected=$(calc 'n / m' n="$PENDING" m="$POLL_MAX_SECS")
    per_check=$(PREC=3 calc '(b - a) / hz * 1000 / (d > 0 ? d : 1)' a="$t0" b="$t1" hz="$(getconf CLK_TCK)" d="$((c1 - c0))")
    warnings=$(grep -c 'WARN' "$WORK/poll-$p/stderr" || true)
    echo "portal CPU $((t1 - t0)) ticks in $secs s: $cpu% of one core; $((c1 - c0)) status checks ($rate/s, expected $expected/s);" \
        "$per_check ms of CPU per check; VmRSS $rss kB; $warnings warnings in its log"
    below=$(awk -v c="$cpu" -v m="$MAX_CPU_PCT" 'BEGIN { print (c != "" && c < m) ? "PASS" : "FAIL" }')
    record "15. polling $PENDING, $name" "$cpu% of one core" "< $MAX_CPU_PCT%" "$below"
    record "   status checks/s (info)" "$rate/s (expected $expected)" "-" "info"
    record "   CPU per check (info)" "$per_check ms" "-" "info"
    [[ $v == 0 ]] || record "   $name: stub violations" "$v" "0" "FAIL"
done

if [[ -z ${SUMMARY_FILE:-} ]]; then
    print_summary "============================ payments summary ============================"
fi
