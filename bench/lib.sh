# Helpers shared by bench/run.sh, bench/documents.sh and bench/orders.sh (sourced after they
# have cd'ed to the repository root). They use the caller's globals: PIDS (every background
# process started), WORK (the temp dir).

# cleanup: stop and reap every process in PIDS, remove WORK (the scripts' EXIT trap).
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$WORK"
}

# forget_pid PID: drop an exited process from PIDS (so cleanup never signals a reused PID).
forget_pid() {
    local p keep=()
    for p in "${PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
    PIDS=("${keep[@]}")
}

# stop_pid PID: stop a background process, reap it and forget it.
stop_pid() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
    forget_pid "$1"
}

# machine_busy: percent of all CPUs busy during 1 s (call it while our processes are idle).
machine_busy() {
    local a b
    a=$(head -n1 /proc/stat)
    sleep 1
    b=$(head -n1 /proc/stat)
    # cpu user nice system idle iowait irq softirq steal ...
    awk -v a="$a" -v b="$b" 'BEGIN {
        split(a, x); split(b, y)
        for (i = 2; i <= 9; i++) total += y[i] - x[i]
        idle = (y[5] - x[5]) + (y[6] - x[6])
        pct = total > 0 ? 100 * (total - idle) / total : 0
        printf "%.0f", pct }'
}

# wrk_rps FILE / wrk_pct_ms FILE PCT (e.g. 99%) / wrk_non2xx FILE: parse wrk output.
wrk_rps() { awk '/^Requests\/sec:/ { print $2 }' "$1"; }
wrk_pct_ms() {
    awk -v p="$2" '$1 == p {
        v = $2; n = v + 0
        if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /m$/) n *= 60000;
        else if (v ~ /s$/) n *= 1000
        printf "%.2f\n", n }' "$1"
}
wrk_non2xx() { awk '/Non-2xx or 3xx responses:/ { print $NF; f = 1 } END { if (!f) print 0 }' "$1"; }

# pass_if VALUE OP LIMIT  (OP is <= or >=): PASS or FAIL; an empty/non-numeric VALUE fails.
pass_if() {
    if [[ ! $1 =~ ^-?[0-9]+(\.[0-9]+)?$ ]]; then echo FAIL; return; fi
    if awk -v a="$1" -v b="$3" -v op="$2" \
        'BEGIN { exit !((op == "<=") ? (a <= b) : (a >= b)) }'; then
        echo PASS
    else
        echo FAIL
    fi
}
now() { date +%s.%N; }
# calc EXPR [VAR=VALUE...]: awk arithmetic, e.g. calc 'a / b' a=1 b=2
calc() {
    local expr=$1 args=()
    shift
    for kv in "$@"; do args+=(-v "$kv"); done
    awk "${args[@]}" "BEGIN { printf \"%.${PREC:-1}f\", ($expr) }"
}

# start_server NAME SUBCOMMAND DATA_DIR [VAR=VALUE...]: sets SERVER_PID, SERVER_ADDR.
start_server() {
    local name=$1 cmd=$2 data=$3
    shift 3
    mkdir -p "$WORK/$name"
    env "$@" "$BIN" "$cmd" --listen 127.0.0.1:0 --data "$data" \
        >"$WORK/$name/stdout" 2>"$WORK/$name/stderr" &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    local deadline
    deadline=$(calc 'n + t' n="$(now)" t="${GEN_TIMEOUT:-120}")
    while :; do
        SERVER_ADDR=$(head -n1 "$WORK/$name/stdout" 2>/dev/null || true)
        if [[ $SERVER_ADDR =~ ^127\.0\.0\.1:[0-9]+$ ]]; then return 0; fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "server '$name' exited; stderr:" >&2
            cat "$WORK/$name/stderr" >&2
            return 1
        fi
        if awk -v n="$(now)" -v d="$deadline" 'BEGIN { exit !(n > d) }'; then
            echo "server '$name' printed no address within ${GEN_TIMEOUT:-120} s" >&2
            return 1
        fi
        sleep 0.05
    done
}


# record NAME MEASURED TARGET RESULT: one summary row. A script run by run.sh (SUMMARY_FILE
# set) also writes it there as it comes, so run.sh still shows it if a later part fails.
record() {
    local row
    row=$(printf '%-34s | %-24s | %-12s | %s' "$1" "$2" "$3" "$4")
    SUMMARY+=("$row")
    if [[ -n ${SUMMARY_FILE:-} ]]; then printf '%s\n' "$row" >>"$SUMMARY_FILE"; fi
}

# print_summary TITLE: the summary table, the machine's load before (BUSY_BEFORE) and now,
# and whether every target was met.
print_summary() {
    echo "$1"
    printf '%-34s | %-24s | %-12s | %s\n' "figure" "measured" "target" "result"
    printf -- '-%.0s' $(seq 1 82); echo
    printf '%s\n' "${SUMMARY[@]}"
    local fails busy_after
    fails=$(printf '%s\n' "${SUMMARY[@]}" | grep -c '| FAIL$' || true)
    echo
    busy_after=$(machine_busy)
    echo "CPU used by other processes: $BUSY_BEFORE% before measuring, $busy_after% after (1 s samples)"
    if ((BUSY_BEFORE > 10 || busy_after > 10)); then
        echo "WARNING: the machine was busy with other work: these figures are not representative"
    fi
    if [[ $fails == 0 ]]; then echo "all targets met"; else echo "$fails target(s) missed"; fi
}

# free_port: a TCP port free on 127.0.0.1 now.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
