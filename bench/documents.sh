#!/usr/bin/env bash
# CDS Portal benchmarks for "Documenti Interscambiati" (see bench/README.md, figures 6-9):
#   6. (A) packaging throughput of a 500-instance CT (~263 MB): `cds-portal package` vs
#          Orthanc's GET /studies/{id}/archive vs `zip -0`; ZIP sizes vs Orthanc's
#   7. (B) peak RSS growth while packaging a ~2 GB study (8 copies of the CT's files)
#   8. (C) a cached (recovered) ZIP downloaded over loopback, 1 and 4 at a time
#   9. (D) the filter fragment of a patient with 2,000 documents in a 1,000,000-document DB
#
# Run by bench/run.sh at the end (`make bench`), or alone: `bash bench/documents.sh`.
# Alone it builds the release binary and prints its own summary; from run.sh
# (SUMMARY_FILE set) it skips the build and writes its summary rows to that file.
# Everything runs on 127.0.0.1, in a temp dir removed on exit (Ctrl-C too); every phase
# is bounded by `timeout`/`curl --max-time`/fixed wrk durations. About 2-3 minutes.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/cds-portal
BENCH=$ROOT/bench
source "$BENCH/lib.sh"   # cleanup, forget_pid, stop_pid, machine_busy, wrk_* parsers

# --- sizes, durations and loads ------------------------------------------------------
CT_SLICES=500              # 512x512 16-bit: ~525 KB each, ~263 MB
PACKAGE_RUNS=3             # A: `cds-portal package` runs (best and median)
ZIP0_RUNS=3                # A: `zip -0` runs (best)
UPLOAD_PARALLEL=4          # A: curl uploads to Orthanc at a time
BIG_COPIES=8               # B: copies of the CT's files in the big study (8 x 263 MB)
DOWNLOAD_RUNS=5            # C: sequential downloads (best and median)
PARALLEL_DOWNLOADS=4       # C: simultaneous downloads (aggregate)
EXTRA_PATIENTS=5000        # D: patients added to the database
OTHER_DOCS=998000          # D: their documents
MARIO_DOCS=2000            # D: the logged-in patient's documents (last 45 days)
FILTER_THREADS=2           # D: wrk -t
FILTER_CONNS=32            # D: wrk -c
FILTER_SECS=10             # D: wrk -d (after a 2 s warm-up)
# Upper bounds of single steps (they end long before on an idle machine).
GEN_TIMEOUT=120            # demo start incl. writing the synthetic archive
PACKAGE_TIMEOUT=300        # one `cds-portal package` / `zip -0` run
ORTHANC_TIMEOUT=300        # Orthanc upload, and its archive download
RECOVERY_TIMEOUT=120       # C: recupera -> "Disponibile"
DOWNLOAD_TIMEOUT=60        # C: one download
SEED_TIMEOUT=300           # D: inserting the documents

# --- targets -------------------------------------------------------------------------
PACK_X_ZIP0=0.64           # A: ours >= 0.64 x zip -0 (1.6 x the 0.40 x of issue 12's start)
MAX_ZIP_RATIO=1.00         # A: DICOM entries no larger than Orthanc's (issue 12)
MAX_RSS_GROWTH_KB=64000    # B: 64 MB (same 1 MB = 1000 kB convention as figure 3)
MIN_DOWNLOAD_MBPS=1000     # C: 1 GB/s = 1000 MB/s (10^6 bytes)
MAX_FILTER_P99_MS=10       # D (issue 12, item 3)
MIN_FILTER_RPS=6800        # D: twice the ~3,400 req/s of issue 12's start

MARIO_CF=RSSMRA80A01A182N
MARIO_PIN=12345678
CT_TITLE="TC torace senza mdc"

# --- temp dir and cleanup ------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cds-bench-docs.XXXXXX")
PIDS=()
trap cleanup EXIT   # bench/lib.sh
trap 'exit 130' INT TERM

# --- helpers -------------------------------------------------------------------------
SUMMARY=()
# best / median of numbers on stdin (best = max for rates, min for times: pass max|min)
best() { sort -g | if [[ $1 == max ]]; then tail -n1; else head -n1; fi; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
dir_bytes() { find "$1" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'; }

# zip_sizes FILE: prints "total_bytes dicom_entries_compressed_bytes all_entries_compressed_bytes"
zip_sizes() {
    python3 - "$1" <<'EOF'
import os, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
infos = z.infolist()
dicom = sum(i.compress_size for i in infos if i.filename.startswith("DICOM/"))
print(os.path.getsize(sys.argv[1]), dicom, sum(i.compress_size for i in infos))
EOF
}

# CPU used by other processes during a phase: the machine's busy CPU time (/proc/stat)
# minus the CPU time of this script's children (bash `times`: every process it started
# and reaped, with their own children). phase_begin; ...; phase_end "6" records it.
stat_busy_secs() {
    awk -v hz="$(getconf CLK_TCK)" '{
        for (i = 2; i <= 9; i++) t += $i
        printf "%.3f", (t - $5 - $6) / hz }' <<<"$1"
}
# children_secs VAR: sets VAR (not $(...): `times` in a subshell would see no children).
children_secs() {
    times >"$WORK/times"
    printf -v "$1" '%s' "$(awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/)
        printf "%.3f", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$WORK/times")"
}
phase_begin() {
    PHASE_T0=$(now)
    PHASE_STAT0=$(head -n1 /proc/stat)
    children_secs PHASE_OURS0
}
phase_end() {
    local wall busy ours pct ours1
    children_secs ours1
    wall=$(PREC=3 calc 'b - a' a="$PHASE_T0" b="$(now)")
    busy=$(PREC=3 calc 'b - a' a="$(stat_busy_secs "$PHASE_STAT0")" b="$(stat_busy_secs "$(head -n1 /proc/stat)")")
    ours=$(PREC=3 calc 'b - a' a="$PHASE_OURS0" b="$ours1")
    pct=$(PREC=0 calc '(x - o) > 0 ? 100 * (x - o) / (w * n) : 0' x="$busy" o="$ours" w="$wall" n="$(nproc)")
    echo "figure $1: ${wall} s; CPU of this benchmark ${ours} s, of other processes $pct % of the machine"
    record "   others' CPU during $1 (info)" "$pct % of $(nproc) cores" "<= 10 %" "$( ((pct <= 10)) && echo info || echo 'info: BUSY')"
}

# --- tools and build -----------------------------------------------------------------
need_apt=()
command -v wrk >/dev/null || need_apt+=(wrk)
command -v zip >/dev/null || need_apt+=(zip)
command -v unzip >/dev/null || need_apt+=(unzip)
[[ -x /usr/sbin/Orthanc ]] || need_apt+=(orthanc)
[[ -x /usr/bin/time ]] || need_apt+=(time)
if ((${#need_apt[@]})); then
    echo "== installing ${need_apt[*]}"
    apt-get install -y "${need_apt[@]}" >/dev/null 2>&1 ||
        { apt-get update >/dev/null && apt-get install -y "${need_apt[@]}" >/dev/null; }
fi
if [[ -z ${SUMMARY_FILE:-} ]]; then
    echo "== cargo build --release"
    cargo build --release
    echo
    BUSY_BEFORE=$(machine_busy)
    echo "machine: $(nproc) cores; CPU used by other processes before measuring: $BUSY_BEFORE% (1 s sample)"
    echo
fi

# ======================================================================================
# A. packaging throughput
# ======================================================================================
echo "== 6. packaging a $CT_SLICES-instance CT: cds-portal package vs Orthanc /archive vs zip -0"
phase_begin
DEMO_DATA=$WORK/demo-data
t0=$(now)
start_server gen demo "$DEMO_DATA" CDS_DEMO_CT_SLICES="$CT_SLICES"
stop_pid "$SERVER_PID"
echo "synthetic archive written (and demo started) in $(calc 'b - a' a="$t0" b="$(now)") s"
mapfile -t UIDS <"$DEMO_DATA/archive/demo-studies.txt"
CT_DIR=$DEMO_DATA/archive/${UIDS[0]}
XRAY_DIR=$DEMO_DATA/archive/${UIDS[2]}
ct_files=$(find "$CT_DIR" -type f | wc -l)
ct_bytes=$(dir_bytes "$CT_DIR")
ct_mb=$(calc 'b / 1e6' b="$ct_bytes")
echo "CT: $ct_files files, $ct_bytes bytes ($ct_mb MB) in $CT_DIR"
cat "$CT_DIR"/* >/dev/null   # page cache warm

# (1) ours
: >"$WORK/pack_secs"
for i in $(seq 1 "$PACKAGE_RUNS"); do
    rm -f "$WORK/ours.zip"
    t0=$(now)
    /usr/bin/time -v -o "$WORK/pack_time_$i" \
        timeout "$PACKAGE_TIMEOUT" "$BIN" package "$CT_DIR" "$WORK/ours.zip" >"$WORK/pack_out_$i"
    t1=$(now)
    secs=$(PREC=3 calc 'b - a' a="$t0" b="$t1")
    echo "$secs" >>"$WORK/pack_secs"
    rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$WORK/pack_time_$i")
    echo "  run $i: wall $secs s ($(calc 'n / 1e6 / s' n="$ct_bytes" s="$secs") MB/s), max RSS $rss kB; says: $(cat "$WORK/pack_out_$i" | sed "s|$WORK/||")"
done
pack_best_s=$(best min <"$WORK/pack_secs")
pack_med_s=$(median <"$WORK/pack_secs")
ours_best=$(calc 'n / 1e6 / s' n="$ct_bytes" s="$pack_best_s")
ours_med=$(calc 'n / 1e6 / s' n="$ct_bytes" s="$pack_med_s")
read -r ours_size ours_dicom ours_entries < <(zip_sizes "$WORK/ours.zip") || true
echo "ours: best $ours_best MB/s, median $ours_med MB/s (input bytes / wall time incl. process start)"
# The same with recovery.deflate_level = 1: faster, a little larger (for information).
: >"$WORK/pack1_secs"
for i in $(seq 1 "$PACKAGE_RUNS"); do
    rm -f "$WORK/ours1.zip"
    t0=$(now)
    CDS_RECOVERY_DEFLATE_LEVEL=1 timeout "$PACKAGE_TIMEOUT" "$BIN" package "$CT_DIR" "$WORK/ours1.zip" >/dev/null
    PREC=3 calc 'b - a' a="$t0" b="$(now)" >>"$WORK/pack1_secs"
    echo >>"$WORK/pack1_secs"
done
ours1_best=$(calc 'n / 1e6 / s' n="$ct_bytes" s="$(best min <"$WORK/pack1_secs")")
read -r _ ours1_dicom _ < <(zip_sizes "$WORK/ours1.zip") || true
rm -f "$WORK/ours1.zip"
echo "ours at deflate level 1: best $ours1_best MB/s"

# (2) Orthanc
ORTH=$WORK/orthanc
mkdir -p "$ORTH/storage" "$ORTH/index"
ORTH_PORT=$(free_port)
cat >"$ORTH/config.json" <<EOF
{
  "Name": "cds-bench",
  "HttpPort": $ORTH_PORT,
  "RemoteAccessAllowed": false,
  "AuthenticationEnabled": false,
  "DicomServerEnabled": false,
  "StorageDirectory": "$ORTH/storage",
  "IndexDirectory": "$ORTH/index"
}
EOF
/usr/sbin/Orthanc "$ORTH/config.json" >"$ORTH/log" 2>&1 &
ORTH_PID=$!
PIDS+=("$ORTH_PID")
ORTH_URL=http://127.0.0.1:$ORTH_PORT
for _ in $(seq 1 100); do   # up to 10 s
    curl -s -o /dev/null --max-time 1 "$ORTH_URL/system" && break
    kill -0 "$ORTH_PID" 2>/dev/null || { echo "Orthanc exited:" >&2; cat "$ORTH/log" >&2; exit 1; }
    sleep 0.1
done
echo "Orthanc $(curl -s --max-time 5 "$ORTH_URL/system" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Version"])' || true) on port $ORTH_PORT (pid $ORTH_PID)"
t0=$(now)
find "$CT_DIR" -type f -print0 |
    timeout "$ORTHANC_TIMEOUT" xargs -0 -P"$UPLOAD_PARALLEL" -I{} \
        curl -s -o /dev/null --max-time 60 -w '%{http_code}\n' -X POST \
        -H 'Content-Type: application/dicom' --data-binary @{} "$ORTH_URL/instances" \
        >"$ORTH/upload_codes" || true
upload_s=$(calc 'b - a' a="$t0" b="$(now)")
echo "upload of $ct_files files (curl -P$UPLOAD_PARALLEL): $upload_s s; status codes: $(sort "$ORTH/upload_codes" | uniq -c | awk '{ printf "%s%s x %s", s, $1, $2; s = ", " }')"
ORTH_STUDY=$(curl -s --max-time 10 "$ORTH_URL/studies" | python3 -c 'import json,sys; s = json.load(sys.stdin); print(s[0] if len(s) == 1 else "")' || true)
orth_mbps="" orth_size="" orth_entries=""
if [[ -n $ORTH_STUDY ]]; then
    read -r orth_s orth_dl orth_code < <(curl -s --max-time "$ORTHANC_TIMEOUT" -o "$WORK/orthanc.zip" \
        -w '%{time_total} %{size_download} %{http_code}\n' "$ORTH_URL/studies/$ORTH_STUDY/archive" || true) || true
    if [[ ${orth_code:-} == 200 ]]; then
        orth_mbps=$(calc 'n / 1e6 / s' n="$ct_bytes" s="$orth_s")
        read -r orth_size _ orth_entries < <(zip_sizes "$WORK/orthanc.zip") || true
        echo "Orthanc GET /studies/$ORTH_STUDY/archive: $orth_s s, $orth_mbps MB/s, $orth_size bytes"
    else
        echo "Orthanc archive download failed (status ${orth_code:-none})"
    fi
else
    echo "Orthanc: expected exactly one study in GET /studies"
fi
stop_pid "$ORTH_PID"
rm -rf "$ORTH" "$WORK/orthanc.zip"

# (3) zip -0
: >"$WORK/zip0_secs"
for i in $(seq 1 "$ZIP0_RUNS"); do
    rm -f "$WORK/zip0.zip"
    t0=$(now)
    (cd "$(dirname "$CT_DIR")" && timeout "$PACKAGE_TIMEOUT" zip -0 -q -r "$WORK/zip0.zip" "$(basename "$CT_DIR")")
    PREC=3 calc 'b - a' a="$t0" b="$(now)" >>"$WORK/zip0_secs"
    echo >>"$WORK/zip0_secs"
done
zip0_best_s=$(best min <"$WORK/zip0_secs")
zip0_mbps=$(calc 'n / 1e6 / s' n="$ct_bytes" s="$zip0_best_s")
zip0_size=$(stat -c %s "$WORK/zip0.zip")
rm -f "$WORK/zip0.zip"
echo "zip -0 -r: best of $ZIP0_RUNS $zip0_best_s s, $zip0_mbps MB/s, $zip0_size bytes"

pack_target=$(calc 'y * z' y="$PACK_X_ZIP0" z="$zip0_mbps")
if [[ -n $orth_mbps ]]; then
    x_orth=$(calc 'a / b' a="$ours_best" b="$orth_mbps")
    size_ratio=$(PREC=3 calc 'a / b' a="$ours_size" b="$orth_size")
    dicom_ratio=$(PREC=3 calc 'a / b' a="$ours_dicom" b="$orth_entries")
    dicom1_ratio=$(PREC=3 calc 'a / b' a="${ours1_dicom:-0}" b="$orth_entries")
else
    x_orth=n/a size_ratio=n/a dicom_ratio=n/a dicom1_ratio=n/a
fi
echo "sizes: ours $ours_size bytes (DICOM/ entries $ours_dicom compressed; viewer, DICOMDIR and the rest $((ours_entries - ours_dicom)));"\
    "Orthanc ${orth_size:-n/a} bytes (entries ${orth_entries:-n/a} compressed); input $ct_bytes"
record "6. package 263 MB CT (best)" "$ours_best MB/s (med $ours_med)" ">= $pack_target" "$(pass_if "$ours_best" '>=' "$pack_target")"
record "   Orthanc /archive (info)" "${orth_mbps:-n/a} MB/s (ours ${x_orth}x)" "-" "info"
record "   zip -0 -r (info)" "$zip0_mbps MB/s (ours $(calc 'a / b' a="$ours_best" b="$zip0_mbps")x)" "-" "info"
record "   deflate level 1 (info)" "$ours1_best MB/s, DICOM entries ${dicom1_ratio}x Orthanc's" "-" "info"
# DESIGN.md's "no more than 5 % larger than Orthanc's" compares like with like: the DICOM
# entries. The whole package also holds the viewer and the DICOMDIR, which
# Orthanc's /archive has not: shown for information.
record "   DICOM/ entries / Orthanc's" "$dicom_ratio ($(calc 'a / 1e6' a="$ours_dicom") MB)" "<= $MAX_ZIP_RATIO" "$(pass_if "$dicom_ratio" '<=' "$MAX_ZIP_RATIO")"
record "   whole ZIP / Orthanc's (info)" "$size_ratio ($(calc 'a / 1e6' a="$ours_size") MB, with viewer)" "-" "info"
record "   Orthanc ZIP size (info)" "${orth_size:+$(calc 'a / 1e6' a="$orth_size") MB} ($(PREC=0 calc '100 * a / b' a="${orth_entries:-0}" b="$ct_bytes") % of input)" "-" "info"
rm -f "$WORK/ours.zip"
phase_end 6
echo

# ======================================================================================
# B. peak RSS packaging ~2 GB
# ======================================================================================
echo "== 7. peak RSS packaging $BIG_COPIES copies of the CT's files (one folder)"
phase_begin
BIG=$WORK/big-study
mkdir -p "$BIG"
t0=$(now)
python3 - "$CT_DIR" "$BIG" "$BIG_COPIES" <<'EOF'
import os, shutil, sys
src, dst, copies = sys.argv[1], sys.argv[2], int(sys.argv[3])
names = sorted(os.listdir(src))
for k in range(copies):
    for n in names:
        shutil.copyfile(os.path.join(src, n), os.path.join(dst, f"c{k}-{n}"))
EOF
big_files=$(find "$BIG" -type f | wc -l)
big_bytes=$(dir_bytes "$BIG")
echo "copied $big_files files, $(calc 'b / 1e6' b="$big_bytes") MB in $(calc 'b - a' a="$t0" b="$(now)") s"
cat "$BIG"/* >/dev/null
# The baseline: the same binary packaging one CT slice (~525 KB).
mkdir -p "$WORK/one-slice"
cp "$(find "$CT_DIR" -type f | sort | head -n1)" "$WORK/one-slice/"
peak_kb() {  # peak_kb NAME DIR: max RSS (kB) of `cds-portal package DIR`; prints what it says
    /usr/bin/time -v -o "$WORK/$1_time" timeout "$PACKAGE_TIMEOUT" "$BIN" package "$2" "$WORK/$1.zip" >"$WORK/$1_out"
    rm -f "$WORK/$1.zip"
    awk -F': ' '/Maximum resident set size/ { print $2 }' "$WORK/$1_time"
}
trivial_kb=$(peak_kb trivial "$WORK/one-slice")
echo "trivial run (1 CT slice): max RSS $trivial_kb kB; says: $(sed "s|$WORK/||" "$WORK/trivial_out")"
xray_kb=$(peak_kb xray "$XRAY_DIR")
echo "for information, the demo's 1-file X-ray study: max RSS $xray_kb kB; says: $(sed "s|$WORK/||" "$WORK/xray_out")"
big_kb="" big_says=""
if /usr/bin/time -v -o "$WORK/big_time" \
    timeout "$PACKAGE_TIMEOUT" "$BIN" package "$BIG" "$WORK/big.zip" >"$WORK/big_out"; then
    big_kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$WORK/big_time")
    big_says=$(sed "s|$WORK/||" "$WORK/big_out")
    echo "2 GB run: max RSS $big_kb kB, wall $(awk -F': ' '/Elapsed \(wall clock\)/ { print $2 }' "$WORK/big_time"); says: $big_says"
else
    echo "2 GB run failed or timed out:"; cat "$WORK/big_time" "$WORK/big_out" 2>/dev/null | tail -n 5
fi
rm -rf "$BIG" "$WORK/big.zip"
growth_kb=""
[[ -n $big_kb && -n $trivial_kb ]] && growth_kb=$((big_kb - trivial_kb))
record "7. RSS growth packaging 2 GB" "${growth_kb:+$(calc 'k / 1000' k="$growth_kb") MB}" "<= 64 MB" "$(pass_if "${growth_kb:-x}" '<=' "$MAX_RSS_GROWTH_KB")"
record "   peak RSS 2 GB / 1 slice (info)" "${big_kb:+$(calc 'k / 1000' k="$big_kb")} / $(calc 'k / 1000' k="$trivial_kb") MB" "-" "info"
record "   peak RSS, 1-file X-ray (info)" "$(calc 'k / 1000' k="$xray_kb") MB ($(calc 'b / 1e6' b="$(dir_bytes "$XRAY_DIR")") MB in)" "-" "info"
big_mbps=$(sed -nE 's/.* ([0-9.]+) MB\/s,.*/\1/p' <<<"$big_says")
record "   packaging 2 GB (info)" "${big_mbps:-n/a} MB/s (server clock)" "-" "info"
phase_end 7
echo

# ======================================================================================
# C. cached ZIP download
# ======================================================================================
echo "== 8. downloading the recovered CT ZIP over loopback (demo server)"
phase_begin
start_server dl demo "$DEMO_DATA" CDS_DEMO_CT_SLICES="$CT_SLICES"
DL_PID=$SERVER_PID DL_ADDR=$SERVER_ADDR
echo "demo server pid $DL_PID at $DL_ADDR"
SESSION=$(timeout 30 python3 "$BENCH/portal_client.py" login "$DL_ADDR" "$MARIO_CF" "$MARIO_PIN" | awk '$1 == "session" { print $2 }')
timeout $((RECOVERY_TIMEOUT + 30)) python3 "$BENCH/portal_client.py" recover "$DL_ADDR" "$SESSION" "$CT_TITLE" "$RECOVERY_TIMEOUT" \
    | tee "$WORK/recover.txt"
DOC=$(awk '$1 == "doc_id" { print $2 }' "$WORK/recover.txt")
recovery_s=$(awk '$1 == "recovery_secs" { print $2 }' "$WORK/recover.txt")
URL=http://$DL_ADDR/documenti-interscambiati/$DOC/download
: >"$WORK/dl_speeds"
for i in $(seq 1 "$DOWNLOAD_RUNS"); do
    read -r speed size code < <(curl -s --max-time "$DOWNLOAD_TIMEOUT" -o /dev/null \
        -w '%{speed_download} %{size_download} %{http_code}\n' -H "Cookie: cds_session=$SESSION" "$URL" || true) || true
    echo "  run $i: status $code, $size bytes, $(calc 's / 1e6' s="$speed") MB/s"
    [[ $code == 200 ]] && calc 's / 1e6' s="$speed" >>"$WORK/dl_speeds" && echo >>"$WORK/dl_speeds"
done
dl_size=${size:-0}
dl_best=$(best max <"$WORK/dl_speeds")
dl_med=$(median <"$WORK/dl_speeds")
t0=$(now)
par=()
for i in $(seq 1 "$PARALLEL_DOWNLOADS"); do
    curl -s --max-time "$DOWNLOAD_TIMEOUT" -o /dev/null -w '%{size_download} %{http_code}\n' \
        -H "Cookie: cds_session=$SESSION" "$URL" >"$WORK/par_$i" &
    par+=($!)
    PIDS+=($!)
done
for p in "${par[@]}"; do wait "$p" || true; forget_pid "$p"; done
par_s=$(PREC=3 calc 'b - a' a="$t0" b="$(now)")
par_bytes=$(cat "$WORK"/par_* | awk '$2 == 200 { s += $1 } END { print s + 0 }')
par_ok=$(cat "$WORK"/par_* | awk '$2 == 200' | wc -l)
par_mbps=$(calc 'b / 1e6 / s' b="$par_bytes" s="$par_s")
echo "$PARALLEL_DOWNLOADS at once: $par_ok x 200, $par_bytes bytes in $par_s s = $par_mbps MB/s aggregate"
stop_pid "$DL_PID"
record "8. cached ZIP download (best)" "${dl_best:-n/a} MB/s (med ${dl_med:-n/a})" ">= $MIN_DOWNLOAD_MBPS MB/s" "$(pass_if "${dl_best:-x}" '>=' "$MIN_DOWNLOAD_MBPS")"
record "   $PARALLEL_DOWNLOADS parallel downloads (aggr.)" "$par_mbps MB/s" ">= $MIN_DOWNLOAD_MBPS MB/s" "$(pass_if "$par_mbps" '>=' "$MIN_DOWNLOAD_MBPS")"
record "   recovery -> Disponibile (info)" "${recovery_s:-n/a} s, $(calc 'b / 1e6' b="$dl_size") MB ZIP" "-" "info"
phase_end 8
echo

# ======================================================================================
# D. filter fragment, 1,000,000 documents
# ======================================================================================
echo "== 9. filter fragment: $MARIO_DOCS documents of the patient among $((OTHER_DOCS + MARIO_DOCS)) (wrk -t$FILTER_THREADS -c$FILTER_CONNS)"
# A fresh data dir: `demo` creates the schema and the demo patients (with a 2-slice CT),
# then the documents go straight into SQLite and `serve` (which does not re-seed) answers.
rm -rf "$DEMO_DATA"
FDATA=$WORK/filter-data
start_server fgen demo "$FDATA" CDS_DEMO_CT_SLICES=2
stop_pid "$SERVER_PID"
timeout "$SEED_TIMEOUT" python3 "$BENCH/seed_documents.py" "$FDATA/cds-portal.db" \
    "$EXTRA_PATIENTS" "$OTHER_DOCS" "$MARIO_DOCS" | tee "$WORK/seed.txt"
first_day=$(awk '$1 == "seed_first_day" { print $2 }' "$WORK/seed.txt")
today=$(awk '$1 == "seed_today" { print $2 }' "$WORK/seed.txt")
phase_begin
start_server filter serve "$FDATA"
F_PID=$SERVER_PID F_ADDR=$SERVER_ADDR
echo "server (serve) pid $F_PID at $F_ADDR"
SESSION=$(timeout 30 python3 "$BENCH/portal_client.py" login "$F_ADDR" "$MARIO_CF" "$MARIO_PIN" | awk '$1 == "session" { print $2 }')
filter_run() {  # filter_run NAME QUERY
    local name=$1 q=$2
    timeout 30 python3 "$BENCH/portal_client.py" fragment "$F_ADDR" "$SESSION" "$q" >"$WORK/frag_$name"
    echo "-- $name: GET /documenti-interscambiati?$q -> status $(awk '$1 == "status" { print $2 }' "$WORK/frag_$name"),"\
        "$(awk '$1 == "rows" { print $2 }' "$WORK/frag_$name") rows, $(awk '$1 == "bytes" { print $2 }' "$WORK/frag_$name") bytes"
    local hdrs=(-H "HX-Request: true" -H "HX-Target: risultati" -H "Cookie: cds_session=$SESSION")
    wrk -t"$FILTER_THREADS" -c"$FILTER_CONNS" -d2s "${hdrs[@]}" "http://$F_ADDR/documenti-interscambiati?$q" >/dev/null
    local t0 t1
    t0=$(awk '{ print $14 + $15 }' "/proc/$F_PID/stat")
    wrk -t"$FILTER_THREADS" -c"$FILTER_CONNS" -d"${FILTER_SECS}s" --latency "${hdrs[@]}" \
        "http://$F_ADDR/documenti-interscambiati?$q" | tee "$WORK/wrk_$name"
    t1=$(awk '{ print $14 + $15 }' "/proc/$F_PID/stat")
    # Server CPU (user + system) per request during the measured run.
    PREC=3 calc '(b - a) / hz * 1000 / n' a="$t0" b="$t1" hz="$(getconf CLK_TCK)" \
        n="$(awk '/requests in/ { print $1 }' "$WORK/wrk_$name")" >"$WORK/cpu_$name"
    echo "server CPU per request: $(cat "$WORK/cpu_$name") ms"
}
filter_run all "da=$first_day&a=$today"
filter_run referto "da=$first_day&a=$today&categoria=Referto"
stop_pid "$F_PID"
for name in all referto; do
    label="9. filter fragment, 45 days"
    [[ $name == referto ]] && label="   same, categoria=Referto"
    p50=$(wrk_pct_ms "$WORK/wrk_$name" 50%)
    p99=$(wrk_pct_ms "$WORK/wrk_$name" 99%)
    rps=$(wrk_rps "$WORK/wrk_$name")
    bad=$(wrk_non2xx "$WORK/wrk_$name")
    rows=$(awk '$1 == "rows" { print $2 }' "$WORK/frag_$name")
    [[ $bad == 0 ]] || echo "WARNING: $name: $bad non-2xx/3xx responses"
    [[ $rows == 20 ]] || echo "WARNING: $name: the fragment has $rows rows, expected 20"
    record "$label p99" "$p99 ms (p50 $p50)" "<= $MAX_FILTER_P99_MS ms" "$(pass_if "$p99" '<=' "$MAX_FILTER_P99_MS")"
    record "   req/s" "$rps req/s" ">= $MIN_FILTER_RPS" "$(pass_if "$rps" '>=' "$MIN_FILTER_RPS")"
    record "   server CPU/req (info)" "$(cat "$WORK/cpu_$name") ms" "-" "info"
done
phase_end 9
echo

if [[ -z ${SUMMARY_FILE:-} ]]; then
    print_summary "=========================== documents summary ==========================="
fi
