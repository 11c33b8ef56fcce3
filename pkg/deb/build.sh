#!/usr/bin/env bash
# Builds cds-portal_<version>_<arch>.deb with dpkg-deb alone (no cargo-deb) and prints its path.
#   bash pkg/deb/build.sh BINARY OUTDIR
# DEB_COMPRESSION: xz (default; what `make deb` ships), gzip, zstd or none (the test: faster).
# DEB_MAINTAINER: the Maintainer field.
set -euo pipefail
umask 022
[ $# -eq 2 ] || { echo "uso: $0 BINARY OUTDIR" >&2; exit 2; }
bin=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
die() { echo "build.sh: $*" >&2; exit 1; }
[ -x "$bin" ] || die "$bin: not an executable"

# A [package] field of Cargo.toml.
package_field() { awk -F'"' -v k="$1" '/^\[/ { p = ($0 == "[package]") }
    p && $1 ~ "^" k " *= *$" { print $2; exit }' "$top/Cargo.toml"; }
version=$(package_field version)
version=${version//-/\~}   # semver 1.0.0-rc.1 → 1.0.0~rc.1, which Debian sorts before 1.0.0
summary_it=$(package_field description)
arch=$(dpkg --print-architecture)
[ -n "$version" ] || die "no version in Cargo.toml"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root=$stage/root
install -d -m 755 "$root" "$root/DEBIAN" "$root/usr/bin" "$root/lib/systemd/system" \
    "$root/etc/cds-portal"

# The release binary is stripped already (profile.release); a debug one goes from ~180 to
# ~15 MB. Without strip, or if it fails, the binary goes in as it is.
if ! { command -v strip >/dev/null && strip -o "$root/usr/bin/cds-portal" "$bin" 2>/dev/null; }; then
    cp "$bin" "$root/usr/bin/cds-portal"
fi
chmod 755 "$root/usr/bin/cds-portal"
install -m 644 "$here/cds-portal.service" "$root/lib/systemd/system/cds-portal.service"

# config.toml from the binary's own defaults (env -i: no CDS_* of this shell leaks in),
# then checked by the binary.
env -i "$root/usr/bin/cds-portal" check-config >"$stage/defaults.toml" 2>"$stage/err" \
    || die "check-config: $(cat "$stage/err")"
awk -f "$here/config.awk" "$top/README.md" "$stage/defaults.toml" >"$root/etc/cds-portal/config.toml"
env -i "$root/usr/bin/cds-portal" check-config --config "$root/etc/cds-portal/config.toml" \
    >/dev/null 2>"$stage/err" || die "the generated config.toml is invalid: $(cat "$stage/err")"
echo /etc/cds-portal/config.toml >"$root/DEBIAN/conffiles"

for s in postinst prerm postrm; do
    sh -n "$here/$s"
    install -m 755 "$here/$s" "$root/DEBIAN/$s"
done

# Depends, as dpkg-shlibdeps (dpkg-dev, not always installed) would find them: the packages
# of the shared libraries the binary loads, libc6 at least the newest GLIBC_ version it uses.
deps=()
for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
    pkg=$(dpkg -S "$lib" 2>/dev/null || dpkg -S "$(readlink -f "$lib")" 2>/dev/null) \
        || die "$lib belongs to no package"
    deps+=("${pkg%%:*}")
done
glibc=$(objdump -T "$bin" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)
depends=$( { printf '%s\n' "${deps[@]}" | sort -u | sed "s/^libc6\$/libc6${glibc:+ (>= $glibc)}/"
    echo "adduser | passwd"; } | grep . | paste -sd, | sed 's/,/, /g')

cat >"$root/DEBIAN/control" <<CONTROL
Package: cds-portal
Version: $version
Architecture: $arch
Maintainer: ${DEB_MAINTAINER:-CDS Portal maintainers <cds-portal@localhost>}
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: $depends
Section: web
Priority: optional
Description: patient portal of an Italian local health authority (ASL)
 One self-contained binary with which an ASL lets its patients collect clinical
 documents and diagnostic images online and buy a copy of their medical record.
 It runs as the systemd service cds-portal (user cds), keeps its SQLite database
 in /var/lib/cds-portal and reads /etc/cds-portal/config.toml.
 .
 $summary_it.
CONTROL

mkdir -p "$out"
deb=$out/cds-portal_${version}_${arch}.deb
dpkg-deb --build --root-owner-group -Z"${DEB_COMPRESSION:-xz}" "$root" "$deb" >/dev/null
echo "$deb"
