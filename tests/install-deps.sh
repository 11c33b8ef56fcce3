#!/usr/bin/env bash
# Installs what the tests need and is missing; safe to run again (idempotent).
#   Debian: openssl (test certificates), curl (TLS client), chromium (browser tests),
#           nodejs + npm (browser test runner), dcmtk + dicom3tools (DICOMDIR checks),
#           orthanc + orthanc-dicomweb (a real PACS for the DICOMweb archive tests),
#           poppler-utils + zbar-tools (the payment notice's text and QR read back),
#           unzip (unzip -t and zipinfo check the download ZIP)
#   PyPI:   schemathesis and openapi-core (pinned) in the venv tests/.venv, for the API test
#           (tests/it/api.rs) and the payment providers' contract stub (tests/contract/)
#   cargo:  cargo-fuzz (pinned), with `install-deps.sh soak` only (tests/fuzz.sh, `make soak`)
#   npm:    tests/e2e, pinned by its package-lock.json (playwright-core, @axe-core/playwright,
#           oidc-provider + jose for the test OpenID provider tests/e2e/oidc-op.mjs)
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v openssl >/dev/null || need_apt+=(openssl)
command -v curl >/dev/null || need_apt+=(curl ca-certificates)
command -v sqlite3 >/dev/null || need_apt+=(sqlite3)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v node >/dev/null || need_apt+=(nodejs)
command -v npm >/dev/null || need_apt+=(npm)
command -v dcmdump >/dev/null || need_apt+=(dcmtk)
command -v dciodvfy >/dev/null || need_apt+=(dicom3tools)
[ -x /usr/sbin/Orthanc ] || need_apt+=(orthanc)
[ -f /usr/share/orthanc/plugins/libOrthancDicomWeb.so ] || need_apt+=(orthanc-dicomweb)
command -v pdftotext >/dev/null || need_apt+=(poppler-utils)
command -v zbarimg >/dev/null || need_apt+=(zbar-tools)
command -v zipinfo >/dev/null || need_apt+=(unzip)
command -v python3 >/dev/null || need_apt+=(python3)
# Debian's python3 makes venvs only with python3-venv (ensurepip).
if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then need_apt+=(python3-venv); fi

if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  echo "install-deps: apt-get install ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# npm ci only when the lockfile changed since the last install.
stamp=tests/e2e/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ tests/e2e/package-lock.json -nt "$stamp" ]; then
  echo "install-deps: npm ci (tests/e2e)"
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi
# schemathesis and openapi-core, pinned, in their own venv (never the system's site-packages):
# schemathesis for the API test (tests/it/api.rs), openapi-core for the payment providers'
# contract stub (tests/contract/payments_stub.py). Rebuilt only when a pinned version differs.
SCHEMATHESIS=4.32.5
OPENAPI_CORE=0.23.1
venv=tests/.venv
have_st="$("$venv/bin/st" --version 2>/dev/null | awk '{print $NF}' || true)"
have_oc="$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("openapi-core"))' 2>/dev/null || true)"
if [ "$have_st" != "$SCHEMATHESIS" ] || [ "$have_oc" != "$OPENAPI_CORE" ]; then
  echo "install-deps: schemathesis $SCHEMATHESIS, openapi-core $OPENAPI_CORE (pip, $venv)"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "schemathesis==$SCHEMATHESIS" "openapi-core==$OPENAPI_CORE"
fi
# cargo-fuzz (pinned) for the coverage-guided fuzzing of `make soak` (tests/fuzz.sh, which
# runs `install-deps.sh soak`), on the stable toolchain. Only then: building it takes about
# 3 minutes, and `make test` runs the same targets without it (src/fuzzing/runner.rs).
CARGO_FUZZ=0.13.2
if [ "${1:-}" = soak ] && [ "$(cargo fuzz --version 2>/dev/null | awk '{print $2}')" != "$CARGO_FUZZ" ]; then
  echo "install-deps: cargo-fuzz $CARGO_FUZZ (cargo install)"
  cargo install --locked --quiet --version "$CARGO_FUZZ" cargo-fuzz
fi
echo "install-deps: ok"
