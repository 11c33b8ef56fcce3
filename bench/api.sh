#!/usr/bin/env bash
# CDS Portal benchmark of the ingest API (see bench/README.md, figure 12):
#   12. the hospital's systems publish >= 1,000 documents/s through
#       `POST /api/v1/documenti/lotto` (batches of 1,000 archive studies, 2 connections)
#
# Run by bench/run.sh (`make bench`), or alone: `bash bench/api.sh` (builds the release
# binary and prints its own summary; from run.sh, SUMMARY_FILE set, it skips the build and
# writes its summary rows there). Everything runs on 127.0.0.1 in a temp dir removed on
# exit. About 30 s.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/cds-portal
BENCH=$ROOT/bench
source "$BENCH/lib.sh"   # cleanup, stop_pid, machine_busy, pass_if, calc, start_server

BATCHES=20                 # batches sent
BATCH_SIZE=1000            # documents per batch (api.max_batch)
CONNS=2                    # connections sending batches at once
PATIENTS=200               # patients registered first (PUT), the documents spread over them
MIN_DOCS_PER_SEC=1000      # issue 13's figure
TOKEN=cdsapi_demo0000000000000000000000000000000000000000000000000000000000

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cds-bench-api.XXXXXX")
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

# The demo (its token, its archive of 3 studies in a folder: the `fs` archive, where a
# study's PatientID is read from its first files once per batch) serves the API; SMS
# notices stay on.
DATA=$WORK/data
start_server api demo "$DATA" CDS_DEMO_CT_SLICES=2
cpu_before=$(awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat")
python3 "$BENCH/api_client.py" "$SERVER_ADDR" "$TOKEN" "$DATA/archive/demo-studies.txt" \
    "$BATCHES" "$BATCH_SIZE" "$CONNS" "$PATIENTS" | tee "$WORK/api.txt"
cpu_after=$(awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat")
read -r _ rate again ok < <(grep '^RESULT' "$WORK/api.txt")
total=$((2 * BATCHES * BATCH_SIZE))
cpu_per_doc=$(PREC=3 calc '(b - a) * 10 / t' a="$cpu_before" b="$cpu_after" t="$total")
stop_pid "$SERVER_PID"

record "12. API publishing, batches" "$rate docs/s" ">= $MIN_DOCS_PER_SEC" "$(pass_if "$rate" '>=' "$MIN_DOCS_PER_SEC")"
record "   same batches again (info)" "$again docs/s (200 each)" "-" "info"
record "   server CPU/document (info)" "$cpu_per_doc ms" "-" "info"
[[ $ok == 1 ]] || record "   every document 201 then 200" "no" "yes" "FAIL"

if [[ -z ${SUMMARY_FILE:-} ]]; then
    print_summary "============================== API summary =============================="
fi
