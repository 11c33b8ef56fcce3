#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer through cargo-fuzz) of every target in src/fuzzing/, on
# the stable toolchain: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its -Z flags, and
# `--sanitizer none` needs no nightly-only sanitizer runtime. Used by `make soak`.
#   tests/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default 300 s, every target)
# New inputs that widen coverage go to target/fuzz/corpus/<target>/ (not the repo's corpus);
# a crash is written to target/fuzz/artifacts/ and the run fails: see README "Fuzzing".
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-300}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(codice_fiscale filter_dates form_urlencoded range multipart_form
           dicomweb_multipart dicom_header patient_csv api_json)
fi
bash tests/install-deps.sh soak >/dev/null
out=${CARGO_TARGET_DIR:-$PWD/target}/fuzz
export CARGO_TARGET_DIR=$out/build RUSTC_BOOTSTRAP=1
(cd fuzz && cargo fuzz build --sanitizer none --release fuzz)
bin=$(ls "$CARGO_TARGET_DIR"/*/release/fuzz | head -n1)
mkdir -p "$out/artifacts"
executed=0
for t in "${targets[@]}"; do
  mkdir -p "$out/corpus/$t"
  echo "fuzz: $t, $secs s"
  CDS_FUZZ_TARGET=$t "$bin" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 \
    -malloc_limit_mb=64 -artifact_prefix="$out/artifacts/$t-" -print_final_stats=1 \
    "$out/corpus/$t" "fuzz/corpus/$t" 2>&1 |
    grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::average_exec_per_sec|==|SUMMARY|artifact_prefix|Test unit written)' |
    tee "$out/$t.last" || true
  n=$(awk '/^stat::number_of_executed_units/ { print $NF }' "$out/$t.last")
  executed=$((executed + ${n:-0}))
  if ls "$out/artifacts/$t-"* >/dev/null 2>&1; then
    echo "fuzz: $t failed, see $out/artifacts/" >&2
    exit 1
  fi
done
# The soak figures (bench/soak.sh sums them): targets run and inputs tried.
soak=$PWD/${CDS_SOAK_DIR:-target/soak}
[[ ${CDS_SOAK_DIR:-} == /* ]] && soak=$CDS_SOAK_DIR
mkdir -p "$soak"
printf 'suite fuzz-libfuzzer\nwhen %s\nruns %s\nbad_inputs %s\n' \
  "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${#targets[@]}" "$executed" > "$soak/fuzz-libfuzzer.txt"
echo "fuzz: ${#targets[@]} targets, $executed executions"
