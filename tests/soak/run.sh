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

echo "soak done: figures in $CDS_SOAK_DIR"
