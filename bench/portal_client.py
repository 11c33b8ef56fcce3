#!/usr/bin/env python3
"""Small HTTP client for bench/documents.sh (127.0.0.1 only, stdlib only).

  portal_client.py login ADDR CF PIN
      GET /accedi (cds_pre cookie + csrf), POST /accedi; prints `session <cds_session>`.
  portal_client.py recover ADDR SESSION TITLE TIMEOUT_SECS
      finds today's row whose description is TITLE in /documenti-interscambiati, POSTs
      /<id>/recupera (X-CSRF-Token, HX-Request) and polls /<id>/riga until "Disponibile";
      prints `doc_id`, `recover_status`, `recovery_secs`.
  portal_client.py fragment ADDR SESSION QUERY
      GET /documenti-interscambiati?QUERY as htmx (HX-Request, HX-Target: risultati);
      prints `status`, `rows` (number of <tr id="doc-…">), `bytes`.
  portal_client.py oplogin ADDR USERNAME PASSWORD
      GET /operatore/accedi (cds_pre cookie + csrf), POST /operatore/accedi (no second
      factor); prints `session <cds_op>`.
  portal_client.py registro ADDR SESSION PATH
      GET PATH (a "Registro accessi" page or its CSV) with the operator's cookie; prints
      `status`, `rows` (table rows, or CSV lines without the header), `bytes`, `secs`,
      and `next <query>` when the page links the next (older) one.
"""
import http.client
import re
import sys
import time
import urllib.parse

TIMEOUT = 30


def request(addr, method, path, headers=None, body=None):
    host, port = addr.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=TIMEOUT)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        data = r.read()
        return r.status, r.getheaders(), data.decode("utf-8", "replace")
    finally:
        conn.close()


def cookie(headers, name):
    for k, v in headers:
        if k.lower() == "set-cookie" and v.startswith(name + "="):
            return v.split(";", 1)[0].split("=", 1)[1]
    return None


def login(addr, cf, pin):
    status, headers, body = request(addr, "GET", "/accedi")
    pre = cookie(headers, "cds_pre")
    m = re.search(r'name="csrf" value="([^"]*)"', body)
    if status != 200 or not pre or not m:
        sys.exit(f"GET /accedi: status {status}, cds_pre {pre!r}, csrf found {bool(m)}")
    form = urllib.parse.urlencode({"csrf": m.group(1), "codice_fiscale": cf, "pin": pin})
    status, headers, body = request(
        addr,
        "POST",
        "/accedi",
        {"Cookie": f"cds_pre={pre}", "Content-Type": "application/x-www-form-urlencoded"},
        form,
    )
    session = cookie(headers, "cds_session")
    if not session:
        sys.exit(f"POST /accedi: status {status}, no cds_session cookie")
    print(f"session {session}")


def recover(addr, session, title, timeout):
    h = {"Cookie": f"cds_session={session}"}
    status, _, body = request(addr, "GET", "/documenti-interscambiati", h)
    if status != 200:
        sys.exit(f"GET /documenti-interscambiati: status {status}")
    m = re.search(r'<meta name="csrf-token" content="([^"]*)"', body)
    if not m:
        sys.exit("no csrf-token meta in /documenti-interscambiati")
    csrf = m.group(1)
    doc = None
    for part in body.split('<tr id="doc-')[1:]:
        if title in part.split("</tr>", 1)[0]:
            doc = part[:32]
            break
    if not doc or not re.fullmatch(r"[0-9a-f]{32}", doc):
        sys.exit(f"no row {title!r} in today's list")
    print(f"doc_id {doc}")
    hx = dict(h, **{"HX-Request": "true"})
    started = time.monotonic()
    status, _, body = request(
        addr,
        "POST",
        f"/documenti-interscambiati/{doc}/recupera",
        dict(hx, **{"X-CSRF-Token": csrf, "Content-Length": "0"}),
        b"",
    )
    print(f"recover_status {status}")
    if status >= 400:
        sys.exit(f"POST recupera: status {status}")
    while "Disponibile" not in body:
        if time.monotonic() - started > timeout:
            sys.exit(f"not Disponibile after {timeout} s; last row: {body[:300]!r}")
        time.sleep(0.1)
        status, _, body = request(addr, "GET", f"/documenti-interscambiati/{doc}/riga", hx)
        if status != 200:
            sys.exit(f"GET riga: status {status}")
    print(f"recovery_secs {time.monotonic() - started:.2f}")


def fragment(addr, session, query):
    h = {"Cookie": f"cds_session={session}", "HX-Request": "true", "HX-Target": "risultati"}
    status, _, body = request(addr, "GET", f"/documenti-interscambiati?{query}", h)
    print(f"status {status}")
    rows = body.count('<tr id="doc-')
    print(f"rows {rows}")
    print(f"bytes {len(body.encode())}")


def oplogin(addr, username, password):
    status, headers, body = request(addr, "GET", "/operatore/accedi")
    pre = cookie(headers, "cds_pre")
    m = re.search(r'name="csrf" value="([^"]*)"', body)
    if status != 200 or not pre or not m:
        sys.exit(f"GET /operatore/accedi: status {status}, cds_pre {pre!r}, csrf found {bool(m)}")
    form = urllib.parse.urlencode({"csrf": m.group(1), "username": username, "password": password})
    status, headers, body = request(
        addr,
        "POST",
        "/operatore/accedi",
        {"Cookie": f"cds_pre={pre}", "Content-Type": "application/x-www-form-urlencoded"},
        form,
    )
    session = cookie(headers, "cds_op")
    if not session:
        sys.exit(f"POST /operatore/accedi: status {status}, no cds_op cookie")
    print(f"session {session}")


def registro(addr, session, path):
    started = time.monotonic()
    status, _, body = request(addr, "GET", path, {"Cookie": f"cds_op={session}"})
    secs = time.monotonic() - started
    print(f"status {status}")
    if ".csv" in path.split("?", 1)[0]:
        rows = max(0, len(body.splitlines()) - 1)
    else:
        tbody = body.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in body else ""
        rows = tbody.count("<tr>")
        m = re.search(r'href="/operatore/registro\?([^"]*prima=[^"]*)"', body)
        if m:
            print(f"next {m.group(1).replace('&amp;', '&')}")
    print(f"rows {rows}")
    print(f"bytes {len(body.encode())}")
    print(f"secs {secs:.3f}")


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "login":
        login(*args)
    elif cmd == "recover":
        recover(args[0], args[1], args[2], float(args[3]))
    elif cmd == "fragment":
        fragment(*args)
    elif cmd == "oplogin":
        oplogin(*args)
    elif cmd == "registro":
        registro(*args)
    else:
        sys.exit(f"unknown command {cmd}")
