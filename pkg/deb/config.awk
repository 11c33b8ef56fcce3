# Writes the shipped /etc/cds-portal/config.toml from what the binary itself says, so it can
# never drift from the code:
#   awk -f config.awk README.md DEFAULTS      (DEFAULTS: `cds-portal check-config` output)
# Every key is commented out with its default, under a one-line meaning taken from
# README.md's "Configuration" table; only the keys in SET are active. Section headers stay
# active (an empty table is valid TOML), so uncommenting one key is enough.
function clean(s) { gsub(/`/, "", s); sub(/^ +/, "", s); sub(/ +$/, "", s); return s }
BEGIN {
    SET["data_dir"] = "\"/var/lib/cds-portal\""
    NOTE["data_dir"] = "Another folder also needs ReadWritePaths= in a drop-in (systemctl edit cds-portal)."
    SET["listen"] = "\"127.0.0.1:8080\""
    NOTE["listen"] = "Behind a reverse proxy (set http.trusted_proxy), or 0.0.0.0:443 with [tls]."
    # production = true is refused with the console SMS gateway: it needs a real one.
    SET["production"] = "false"
    NOTE["production"] = "Set to true once [sms] gateway = \"http\" and [sms.http] url (and token) point at\n# the ASL's SMS gateway: production refuses the console gateway and the sandboxes. Until\n# then new-PIN SMS are not sent: they stay in the database (console gateway's outbox)."
}
FNR == NR {                      # README.md: | `key` | `ENV` | default | meaning |
    if ($0 ~ /^## Configuration/) { inconf = 1; next }
    if ($0 ~ /^## /) inconf = 0
    if (!inconf || $0 !~ /^\| `[a-z0-9_.*]+`/) next
    split($0, f, /\|/)
    n = split(f[2], names, /,/)
    for (i = 1; i <= n; i++) {
        k = clean(names[i])
        if (i == 1) prefix = k; else k = substr(prefix, 1, match(prefix, /[^.]*$/) - 1) k
        MEAN[k] = clean(f[5]); DEF[k] = clean(f[4])
    }
    next
}
function meaning(k,   sec, last, w, base) {
    if (k in MEAN) return MEAN[k]
    # `oidc.cie.*` | … | as `oidc.spid.*` | the CIE button's provider
    sec = k; sub(/\.[^.]*$/, "", sec); last = substr(k, length(sec) + 2); w = sec ".*"
    if ((w in MEAN) && DEF[w] ~ /^as [a-z.]+\.\*$/) {
        base = substr(DEF[w], 4); sub(/\*$/, last, base)
        if (base in MEAN) { DEF[k] = DEF[base]; return "as " base ", for " MEAN[w] }
    }
    print "config.awk: warning: " k " has no row in README.md's Configuration table" > "/dev/stderr"
    return "(see README.md, Configuration)"
}
FNR == 1 {
    print "# CDS Portal configuration (Debian package). Defaults -> this file -> CDS_* environment"
    print "# variables -> command-line flags. Check it with:"
    print "#   cds-portal check-config --config /etc/cds-portal/config.toml"
    print "# Every key is listed with its default, commented out; README.md explains them all."
    print "# Secrets (tokens, passwords) may go in `systemctl edit cds-portal` as Environment=CDS_…"
    print "# Configurazione del portale: le chiavi commentate hanno il valore predefinito."
}
multi { print "# " $0; if ($0 ~ close_re) multi = 0; next }
/^\[/ { sec = substr($0, 2, length($0) - 2); print ""; print; next }
/^[a-z0-9_]+ = / {
    key = (sec == "" ? "" : sec ".") $1
    val = substr($0, index($0, " = ") + 3)
    d = meaning(key)
    if (val == "\"\"" && DEF[key] != "" && DEF[key] != "empty") {
        e = DEF[key]; gsub(/^\(|\)$/, "", e); d = d " (empty: " e ")"
    }
    print ""
    print "# " d
    if (key in SET) {
        if (key in NOTE) print "# " NOTE[key]
        print $1 " = " SET[key]
        next
    }
    print "# " $0
    # Values over several lines: """strings""" and [arrays]
    if (val ~ /^"""/ && substr(val, 4) !~ /"""/) { multi = 1; close_re = "\"\"\"" }
    else if (val ~ /^\[$/) { multi = 1; close_re = "^\\]" }
    next
}
/^$/ { next }
{ print "config.awk: unexpected line: " $0 > "/dev/stderr"; exit 1 }
