#!/usr/bin/env bash
# The soak's figures (`make soak`, tests/soak/run.sh) beside the speed figures: each suite
# that counts something wrote `$CDS_SOAK_DIR/<suite>.txt` (default target/soak) with lines
# `key value` (suite, when, runs, kills, requests, bad_inputs, leaks, double_payments).
# Prints each suite and the sum; leaks and double payments must be 0. Run by bench/run.sh
# (rows to $SUMMARY_FILE), or alone: `bash bench/soak.sh`. Reads files only: instant.
set -euo pipefail

cd "$(dirname "$0")/.."
source bench/lib.sh   # record
SUMMARY=()
DIR=${CDS_SOAK_DIR:-target/soak}
KEYS=(runs kills requests bad_inputs leaks double_payments)

shopt -s nullglob
files=("$DIR"/*.txt)
echo "== soak figures from $DIR"
if ((${#files[@]} == 0)); then
    echo "no soak run yet: run make soak"
    record "16. soak figures" "no soak run yet: run make soak" "-" "info"
else
    declare -A total=()
    for f in "${files[@]}"; do
        suite=$(awk '$1 == "suite" { print $2 }' "$f")
        when=$(awk '$1 == "when" { print $2 }' "$f")
        line=""
        for k in "${KEYS[@]}"; do
            v=$(awk -v k="$k" '$1 == k { print $2 }' "$f")
            [[ -n $v ]] || continue
            total[$k]=$(( ${total[$k]:-0} + v ))
            line+=" $k $v"
        done
        echo "${suite:-$(basename "$f" .txt)} ($when):$line"
        record "16. soak ${suite:-?} ($when)" "${line# }" "-" "info"
    done
    summary=""
    for k in "${KEYS[@]}"; do
        [[ -n ${total[$k]:-} ]] && summary+=" $k ${total[$k]}"
    done
    echo "all suites:$summary"
    record "   soak: kills survived" "${total[kills]:-0}" "-" "info"
    record "   soak: requests sent" "${total[requests]:-0}" "-" "info"
    record "   soak: bad inputs tried" "${total[bad_inputs]:-0}" "-" "info"
    record "   soak: leaks found" "${total[leaks]:-0}" "= 0" "$( ((${total[leaks]:-0} == 0)) && echo PASS || echo FAIL)"
    record "   soak: double payments" "${total[double_payments]:-0}" "= 0" "$( ((${total[double_payments]:-0} == 0)) && echo PASS || echo FAIL)"
fi
if [[ -z ${SUMMARY_FILE:-} ]]; then printf '%s\n' "${SUMMARY[@]}"; fi
