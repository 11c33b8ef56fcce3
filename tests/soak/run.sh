#!/usr/bin/env bash
# `make soak`: the long runs of the resistance suites (issue 16), one block per suite.
# Each suite writes its figures to $CDS_SOAK_DIR/<suite>.txt (`make bench` prints them).
# A suite that fails stops the script (set -e): its seed or input is in its output.
set -euo pipefail

cd "$(dirname "$0")/../.."
export CDS_SOAK_DIR=${CDS_SOAK_DIR:-$PWD/target/soak}
mkdir -p "$CDS_SOAK_DIR"
CARGO=${CARGO:-cargo}

# --- crash: SIGKILL at random moments and failpoints (tests/it/crash) ----------------
# CDS_CRASH_RUNS runs (100 by default); CDS_CRASH_SEED=<seed> replays one.
CDS_CRASH_RUNS=${CDS_CRASH_RUNS:-100} $CARGO test --locked --test it -- crash::killed --nocapture

# --- abuse: brute force, floods, slowloris, keep-alive, markup, redirects, traversal -------
# (tests/it/abuse) at three times the size of make test's run.
CDS_ABUSE_SCALE=${CDS_ABUSE_SCALE:-3} $CARGO test --locked --test it -- abuse::

# --- faults: every provider down, slow, 5xx, garbage (tests/it/faults), again and again --
# Each round rewrites the faults-*.txt figures; a failure stops here.
for i in $(seq "${CDS_FAULT_ROUNDS:-10}"); do
    echo "faults round $i"
    $CARGO test --locked --test it -- faults:: --skip payments_faults
done

# --- fuzz: the nine targets, coverage-guided by cargo-fuzz on stable (tests/fuzz.sh), then
# the in-test mutator for longer. CDS_FUZZ_SOAK_SECS per target (300: about 45 min).
bash tests/fuzz.sh "${CDS_FUZZ_SOAK_SECS:-300}"
CDS_FUZZ_SEED=${CDS_FUZZ_SEED:-random} CDS_FUZZ_SECS=${CDS_FUZZ_SECS:-60} $CARGO test --locked --lib fuzzing::

echo "soak done: figures in $CDS_SOAK_DIR"
