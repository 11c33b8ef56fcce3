#!/usr/bin/env bash
# Installation test of the Debian package (run by `make test`): builds the .deb from the
# debug binary, installs it with dpkg, checks what the maintainer scripts made, starts the
# unit's own ExecStart as user cds (systemd does not run here) on a free port, asks
# /healthz, stops it with SIGTERM, then removes and purges the package.
# Needs root (or passwordless sudo). Refuses to run where cds-portal, its user or its
# folders already exist: purging would delete a real installation.
set -euo pipefail
cd "$(dirname "$0")/../.."
t0=$SECONDS
say() { echo "deb-test: $*"; }
fail() { say "FAIL: $*"; exit 1; }

if [ "$(id -u)" -eq 0 ]; then SUDO=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO=(sudo)
elif [ -n "${CI+set}" ]; then fail "needs root or passwordless sudo (CI is set: not skipping)"
else say "skipped: needs root or passwordless sudo"; exit 0
fi
as_root() { "${SUDO[@]}" "$@"; }

bin=${CARGO_TARGET_DIR:-target}/debug/cds-portal
[ -x "$bin" ] || fail "$bin is missing: build it first (cargo build)"
unit=/lib/systemd/system/cds-portal.service conf=/etc/cds-portal/config.toml
data=/var/lib/cds-portal

# dpkg knows the package (installed, half-installed, or only its configuration left).
known() { local st; st=$(dpkg-query -W -f='${db:Status-Status}' cds-portal 2>/dev/null) \
    && [ -n "$st" ] && [ "$st" != not-installed ]; }
if known || getent passwd cds >/dev/null \
    || getent group cds >/dev/null || [ -e $data ] || [ -e /etc/cds-portal ]; then
    fail "cds-portal, the user cds or its folders exist already: not touching them (dpkg -P cds-portal first if they are a leftover of this test)"
fi

# The runuser started below (bash reaps it: /proc/PID goes when it ends; kill -0 would fail
# under sudo), and its child cds-portal of user cds, found without procps (maybe absent);
# with systemd running, the service the postinst started is another one.
running() { [ -n "$rpid" ] && [ -e "/proc/$rpid" ]; }
server_pid() {
    local d uid ppid; uid=$(id -u cds) || return 0
    for d in /proc/[0-9]*; do
        [ "$(cat "$d/comm" 2>/dev/null)" = cds-portal ] && [ "$(stat -c %u "$d" 2>/dev/null)" = "$uid" ] \
            && ppid=$(awk '{ print $4 }' "$d/stat" 2>/dev/null) \
            && [ "$(cat "/proc/$ppid/comm" 2>/dev/null)" = runuser ] && echo "${d#/proc/}"
    done
    return 0
}

tmp=$(mktemp -d)
installed=0 rpid=
cleanup() {
    local rc=$? p
    if running; then
        for p in $(server_pid); do as_root kill -KILL "$p" || true; done
        wait "$rpid" 2>/dev/null || true
    fi
    if [ $installed = 1 ] && known; then
        say "cleanup: dpkg -P cds-portal"
        as_root dpkg -P cds-portal >/dev/null 2>&1 || say "cleanup: dpkg -P failed"
    fi
    rm -rf "$tmp"
    if [ $rc -eq 0 ]; then say "ok ($((SECONDS - t0)) s)"; else say "failed ($((SECONDS - t0)) s)"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Uncompressed: xz would take ~8 s here and tests nothing of ours.
deb=$(DEB_COMPRESSION=none bash pkg/deb/build.sh "$bin" "$tmp") || fail "build.sh failed"
say "built $(basename "$deb")"

installed=1
as_root dpkg -i "$deb" >"$tmp/dpkg-i.log" 2>&1 || { cat "$tmp/dpkg-i.log"; fail "dpkg -i"; }
say "installed"
[ "$(dpkg-query -W -f='${Status}' cds-portal)" = "install ok installed" ] || fail "package state"
[ -x /usr/bin/cds-portal ] || fail "/usr/bin/cds-portal missing"
getent passwd cds | grep -q ":$data:/usr/sbin/nologin\$" || fail "user cds (home $data, nologin)"
[ "$(as_root stat -c '%U:%G %a' $data)" = "cds:cds 700" ] || fail "$data is $(as_root stat -c '%U:%G %a' $data), want cds:cds 700"
[ "$(stat -c '%U:%G %a' $conf)" = "root:cds 640" ] || fail "$conf is $(stat -c '%U:%G %a' $conf), want root:cds 640"
dpkg-query -W -f='${Conffiles}' cds-portal | grep -q "^ $conf " || fail "$conf is not a conffile"
as_root test -s $data/cds-portal.db || fail "init did not create $data/cds-portal.db"
[ "$(as_root stat -c %U $data/cds-portal.db)" = cds ] || fail "the database is not owned by cds"
as_root runuser -u cds -- /usr/bin/cds-portal check-config --config $conf >/dev/null 2>"$tmp/cc.err" \
    || { cat "$tmp/cc.err"; fail "check-config of the shipped config"; }
say "user cds, $data (cds:cds 700), conffile $conf (root:cds 640), database: ok"

# The unit's own command line (without systemd's -@+! prefixes), on a free port.
exec_start=$(sed -n 's/^ExecStart=[-@+!:]*//p' $unit)
[ -n "$exec_start" ] || fail "no ExecStart= in $unit"
read -r -a cmd <<<"$exec_start"
say "starting as cds: ${cmd[*]} --listen 127.0.0.1:0"
as_root runuser -u cds -- "${cmd[@]}" --listen 127.0.0.1:0 >"$tmp/out" 2>"$tmp/err" &
rpid=$!
addr=
for _ in $(seq 100); do                      # 10 s
    addr=$(head -n1 "$tmp/out")
    [ -n "$addr" ] && break
    running || { tail -n 20 "$tmp/err"; fail "the server exited before listening"; }
    sleep 0.1
done
[ -n "$addr" ] || { tail -n 20 "$tmp/err"; fail "no address on stdout within 10 s"; }
health=$(curl -fsS --max-time 5 "http://$addr/healthz") || { tail -n 20 "$tmp/err"; fail "GET /healthz"; }
grep -q '"status":"ok"' <<<"$health" || fail "/healthz said: $health"
say "serving on $addr, /healthz: $health"

# SIGTERM to the server itself (runuser is its parent), then runuser ends with its status.
pid=$(server_pid)
[[ $pid =~ ^[0-9]+$ ]] || fail "not one cds-portal process of user cds: '$pid'"
as_root kill -TERM "$pid"
for _ in $(seq 150); do running || break; sleep 0.1; done   # 15 s
running && { tail -n 20 "$tmp/err"; fail "still running 15 s after SIGTERM"; }
status=0; wait "$rpid" || status=$?
rpid=
[ $status -eq 0 ] || { tail -n 20 "$tmp/err"; fail "exit status $status after SIGTERM"; }
say "stopped by SIGTERM (exit 0)"

as_root dpkg -r cds-portal >"$tmp/dpkg-r.log" 2>&1 || { cat "$tmp/dpkg-r.log"; fail "dpkg -r"; }
[ "$(dpkg-query -W -f='${Status}' cds-portal)" = "deinstall ok config-files" ] || fail "state after dpkg -r"
[ ! -e /usr/bin/cds-portal ] && [ ! -e $unit ] || fail "dpkg -r left the binary or the unit"
[ -f $conf ] && as_root test -s $data/cds-portal.db && getent passwd cds >/dev/null \
    || fail "dpkg -r removed the configuration, the database or the user"
say "dpkg -r: binary gone; configuration, data and user kept"

as_root dpkg -P cds-portal >"$tmp/dpkg-P.log" 2>&1 || { cat "$tmp/dpkg-P.log"; fail "dpkg -P"; }
! known || fail "dpkg still knows cds-portal after purge"
[ ! -e /etc/cds-portal ] || fail "/etc/cds-portal left after purge"
[ ! -e $data ] || fail "$data left after purge"
! getent passwd cds >/dev/null || fail "user cds left after purge"
! getent group cds >/dev/null || fail "group cds left after purge"
! as_root dpkg-statoverride --list $conf >/dev/null || fail "statoverride left after purge"
installed=0
say "dpkg -P: configuration, data folder, user and group gone"
