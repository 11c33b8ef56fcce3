#!/usr/bin/env python3
"""Seeder and client of bench/payments.sh (figures 14-15; 127.0.0.1 only, stdlib only).

The stub's credentials and names come from the environment, as payments.sh exports them to
the stub and the portal too: PP_USER, PP_PASS, PP_ORG, PP_TYPE, GPD_KEY, GPD_CF.

  payments_client.py drafts DB N PROVIDER OUT
      N draft orders of Mario Rossi (one priced document each, both consents given), as
      "Acquista ora" leaves them, straight into SQLite; their numbers to OUT, one a line.
      The demo's own orders (positions of the sandbox, unknown to the stub) are no longer
      polled.
  payments_client.py pending DB STUB_URL PROVIDER N
      N debt positions created at the stub through its provider API (as the portal's
      Conferma makes them: notice numbers from the database's IUV sequence), and N pending
      orders of Mario's with those positions, straight into SQLite, in the poller's steady
      state (`checks` high enough that every wait is `payments.poll_max_secs`).
  payments_client.py spread DB SECS
      The pending orders' next checks spread evenly over the next SECS seconds from now.
  payments_client.py disk DIR N
      N times: 4 KB appended to a file in DIR, then fdatasync (what a commit costs while
      SQLite's write-ahead log grows); prints the median and p95 in ms.
  payments_client.py confirm ADDR STUB_URL DB PROVIDER CF PIN ORDERS DIRECT
      Logs in, then "Conferma" (POST /ordini/<n>/conferma, payer e-mail) of every order in
      the file ORDERS, one after the other over one keep-alive connection, each timed at
      the client from the request to the end of the answer; then DIRECT creation requests
      like the portal's sent straight to the stub over one keep-alive connection. Matches
      every request the stub recorded (`GET /_stub/requests`) and prints `key value` lines.
"""
import base64
import datetime
import http.client
import json
import math
import os
import re
import sqlite3
import sys
import time
import urllib.parse
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from portal_client import cookie, request  # noqa: E402

MARIO_CF = "RSSMRA80A01A182N"
EMAIL = "mario.rossi@example.it"
SEGREGATION = "01"  # payments.segregation_code (default)
DUE_DAYS = 30       # payments.due_days (default)
STEADY_CHECKS = 10  # 5 s * 2^10 > 600 s: every wait is poll_max_secs
ROME = ZoneInfo("Europe/Rome")
PP_BASE = "/epayapi/api/v1"
GPD_BASE = "/gpd/debt-positions-service/v1"
CREATE_OP = {"gpd": "createPosition", "piemontepay": "createDebtPosition"}


def env(name):
    v = os.environ.get(name)
    if not v:
        sys.exit(f"{name} is not set (bench/payments.sh exports it)")
    return v


def notice_of(base):
    """The notice number of an IUV base (payments::notice::NoticeNumber::new)."""
    body = f"3{SEGREGATION}{base:013d}"
    return f"{body}{int(body) % 93:02d}"


def due_day():
    return datetime.datetime.now(ROME).date() + datetime.timedelta(days=DUE_DAYS)


def day_end(day):
    return datetime.datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=ROME)


class Stub:
    """The stub's provider API over one keep-alive connection."""

    def __init__(self, url, provider):
        u = urllib.parse.urlsplit(url)
        self.host, self.port = u.hostname, u.port
        self.provider = provider
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        if provider == "gpd":
            self.auth = {"Ocp-Apim-Subscription-Key": env("GPD_KEY")}
        else:
            token = base64.b64encode(f"{env('PP_USER')}:{env('PP_PASS')}".encode()).decode()
            self.auth = {"Authorization": f"Basic {token}"}

    def send(self, method, path, body=None):
        headers = dict(self.auth, Accept="application/json")
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.conn.request(method, path, body=data, headers=headers)
        r = self.conn.getresponse()
        return r.status, r.read()

    def create(self, notice, amount_cents, causale, given, family, company):
        """The creation request the portal sends (payments::gpd / payments::piemontepay):
        (status, answer, the position as (notice_number, iuv, provider_ref), key)."""
        day = due_day()
        if self.provider == "gpd":
            iupd = f"CDS-{notice}"
            body = {
                "iupd": iupd, "type": "F", "fiscalCode": MARIO_CF,
                "fullName": f"{given} {family}"[:70], "email": EMAIL,
                "companyName": company[:140], "switchToExpired": True,
                "paymentOption": [{
                    "iuv": notice[1:], "amount": amount_cents, "description": causale[:140],
                    "isPartialPayment": False,
                    "dueDate": day_end(day).astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                    "transfer": [{
                        "idTransfer": "1", "amount": amount_cents,
                        "remittanceInformation": causale[:140], "category": "9/0201133IM/",
                        "iban": "IT60X0542811101000000123456",
                    }],
                }],
            }
            path = f"{GPD_BASE}/organizations/{env('GPD_CF')}/debtpositions?toPublish=true"
            status, raw = self.send("POST", path, body)
            return status, raw, (notice, notice[1:], iupd), iupd
        body = {
            "identificativoPagamento": notice, "importo": amount_cents / 100, "causale": causale,
            "dataScadenza": day_end(day).isoformat(), "codiceFiscalePartitaIVAPagatore": MARIO_CF,
            "nome": given, "cognome": family, "email": EMAIL,
        }
        path = f"{PP_BASE}/organizations/{env('PP_ORG')}/paymenttypes/{env('PP_TYPE')}/debtpositions"
        status, raw = self.send("POST", path, body)
        try:
            a = json.loads(raw)
            pos = (a["codiceAvviso"], a["iuv"], notice)
        except (ValueError, KeyError):
            pos = None
        return status, raw, pos, notice


def control(url, path):
    u = urllib.parse.urlsplit(url)
    status, _, body = request(f"{u.hostname}:{u.port}", "GET", path)
    if status != 200:
        sys.exit(f"GET {path} at the stub: status {status}")
    return json.loads(body)


def mario(c):
    row = c.execute("SELECT id, given_name, family_name FROM patients WHERE codice_fiscale = ?",
                    (MARIO_CF,)).fetchone()
    doc = c.execute("SELECT id, title, category, price_cents FROM documents WHERE patient_id = ? AND price_cents > 0"
                    " ORDER BY id LIMIT 1", (row[0],)).fetchone()
    terms = c.execute("SELECT causale, payee FROM orders LIMIT 1").fetchone()
    return row, doc, terms


def new_order(c, patient, doc, terms, provider, state, now, **extra):
    cols = {
        "number": os.urandom(16).hex(), "patient_id": patient, "state": state,
        "total_cents": doc[3], "causale": terms[0], "provider": provider,
        "provider_name": "pagoPA" if provider == "gpd" else "Piemonte Pay", "payee": terms[1],
        "created_at": now, "consents_at": now, "updated_at": now, **extra,
    }
    names = ", ".join(cols)
    marks = ", ".join("?" for _ in cols)
    cur = c.execute(f"INSERT INTO orders ({names}) VALUES ({marks})", list(cols.values()))
    c.execute("INSERT INTO order_items (order_id, document_id, title, category, price_cents) VALUES (?, ?, ?, ?, ?)",
              (cur.lastrowid, doc[0], doc[1], doc[2], doc[3]))
    return cur.lastrowid, cols["number"]


def drafts(db, n, provider, out):
    c = sqlite3.connect(db)
    (patient, _, _), doc, terms = mario(c)
    now = int(time.time())
    numbers = [new_order(c, patient, doc, terms, provider, "draft", now)[1] for _ in range(n)]
    c.execute("UPDATE orders SET next_check_at = NULL WHERE provider = 'sandbox'")
    c.commit()
    with open(out, "w") as f:
        f.write("\n".join(numbers) + "\n")
    print(f"drafts {len(numbers)}")


def pending(db, url, provider, n):
    c = sqlite3.connect(db)
    (patient, given, family), doc, terms = mario(c)
    first = c.execute("UPDATE iuv_sequence SET next_base = next_base + ? WHERE id = 1 RETURNING next_base - ?",
                      (n, n)).fetchone()[0]
    stub = Stub(url, provider)
    now = int(time.time())
    due_at = int(day_end(due_day()).timestamp())
    started = time.monotonic()
    for i in range(n):
        status, raw, pos, _ = stub.create(notice_of(first + i), doc[3], terms[0], given, family, terms[1])
        if status not in (200, 201) or pos is None:
            sys.exit(f"create at the stub: HTTP {status}: {raw[:300]!r}")
        notice, iuv, ref = pos
        oid, _ = new_order(c, patient, doc, terms, provider, "pending", now, payer_email=EMAIL,
                           confirmed_at=now, notice_number=notice, iuv=iuv, provider_ref=ref,
                           due_at=due_at, next_check_at=now + 600, checks=STEADY_CHECKS)
        c.execute("INSERT INTO payment_positions (order_id, notice_number, iuv, provider_ref, amount_cents, due_at,"
                  " state, created_at) VALUES (?, ?, ?, ?, ?, ?, 'open', ?)",
                  (oid, notice, iuv, ref, doc[3], due_at, now))
    c.execute("UPDATE orders SET next_check_at = NULL WHERE provider = 'sandbox'")
    c.commit()
    print(f"pending {n}")
    print(f"seed_secs {time.monotonic() - started:.1f}")


def spread(db, secs):
    c = sqlite3.connect(db)
    ids = [r[0] for r in c.execute("SELECT id FROM orders WHERE state = 'pending' AND next_check_at IS NOT NULL"
                                   " ORDER BY id")]
    now = int(time.time())
    c.executemany("UPDATE orders SET next_check_at = ? WHERE id = ?",
                  ((now + 1 + i * secs // max(len(ids), 1), oid) for i, oid in enumerate(ids)))
    c.commit()
    print(f"spread {len(ids)}")


def disk(directory, n):
    path = os.path.join(directory, "disk-probe")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    times = []
    try:
        for _ in range(n):
            os.write(fd, b"\0" * 4096)
            t0 = time.perf_counter()
            os.fdatasync(fd)
            times.append((time.perf_counter() - t0) * 1000)
    finally:
        os.close(fd)
        os.unlink(path)
    print(f"sync_median_ms {pct(times, 50):.2f}")
    print(f"sync_p95_ms {pct(times, 95):.2f}")


def pct(values, p):
    """Nearest-rank percentile."""
    s = sorted(values)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def confirm(addr, url, db, provider, cf, pin, orders_file, direct):
    numbers = [line.strip() for line in open(orders_file) if line.strip()]
    # Login, then the session's CSRF token from any page.
    status, headers, body = request(addr, "GET", "/accedi")
    pre = cookie(headers, "cds_pre")
    m = re.search(r'name="csrf" value="([^"]*)"', body)
    if status != 200 or not pre or not m:
        sys.exit(f"GET /accedi: status {status}")
    form = urllib.parse.urlencode({"csrf": m.group(1), "codice_fiscale": cf, "pin": pin})
    status, headers, _ = request(addr, "POST", "/accedi", {
        "Cookie": f"cds_pre={pre}", "Content-Type": "application/x-www-form-urlencoded"}, form)
    session = cookie(headers, "cds_session")
    if not session:
        sys.exit(f"POST /accedi: status {status}, no session")
    status, _, body = request(addr, "GET", "/dashboard", {"Cookie": f"cds_session={session}"})
    m = re.search(r'<meta name="csrf-token" content="([^"]*)"', body)
    if status != 200 or not m:
        sys.exit(f"GET /dashboard: status {status}, csrf-token found {bool(m)}")
    form = urllib.parse.urlencode({"csrf": m.group(1), "email": EMAIL}).encode()
    headers = {"Cookie": f"cds_session={session}", "Content-Type": "application/x-www-form-urlencoded"}

    host, port = addr.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    wall, bad = {}, []
    for n in numbers:
        t0 = time.perf_counter()
        conn.request("POST", f"/ordini/{n}/conferma", body=form, headers=headers)
        r = conn.getresponse()
        r.read()
        t1 = time.perf_counter()
        wall[n] = (t1 - t0) * 1000
        if r.status != 303 or r.getheader("Location") != f"/ordini/{n}":
            bad.append(f"{n}: {r.status} {r.getheader('Location')}")
    conn.close()

    # The same creation sent straight to the stub: what the network and a client add to the
    # stub's own time (bases far above the portal's sequence).
    stub = Stub(url, provider)
    c = sqlite3.connect(db)
    (_, given, family), doc, terms = mario(c)
    direct_wall = {}
    for i in range(direct):
        t0 = time.perf_counter()
        status, raw, _, key = stub.create(notice_of(9_000_000_000_000 + i), doc[3], terms[0], given,
                                      family, terms[1])
        direct_wall[key] = (time.perf_counter() - t0) * 1000
        if status not in (200, 201):
            bad.append(f"direct create: HTTP {status} {raw[:200]!r}")

    refs = {}
    for n in numbers:
        row = c.execute("SELECT state, provider_ref FROM orders WHERE number = ?", (n,)).fetchone()
        if not row or row[0] != "pending" or not row[1]:
            bad.append(f"{n}: {row}")
        else:
            refs[n] = row[1]
    creates = {}
    for r in control(url, "/_stub/requests"):
        if r.get("op") != CREATE_OP[provider] or not isinstance(r.get("body"), dict):
            continue
        key = r["body"].get("iupd" if provider == "gpd" else "identificativoPagamento")
        creates.setdefault(key, []).append(r)
    provider_ms, own = [], []
    for n, ref in refs.items():
        rs = creates.get(ref, [])
        if len(rs) != 1 or rs[0].get("ms_total") is None:
            bad.append(f"{n}: {len(rs)} creation requests at the stub")
            continue
        p = rs[0]["ms_total"]
        provider_ms.append(p)
        own.append(wall[n] - p)
    transit = [direct_wall[k] - creates[k][0]["ms_total"] for k in direct_wall
               if len(creates.get(k, [])) == 1 and creates[k][0].get("ms_total") is not None]
    for b in bad[:10]:
        print(f"problem {b}", file=sys.stderr)
    print(f"confirms {len(numbers)}")
    print(f"matched {len(own)}")
    print(f"problems {len(bad)}")
    if own:
        walls = list(wall.values())
        print(f"wall_median_ms {pct(walls, 50):.2f}")
        print(f"wall_p95_ms {pct(walls, 95):.2f}")
        print(f"provider_median_ms {pct(provider_ms, 50):.2f}")
        print(f"provider_p95_ms {pct(provider_ms, 95):.2f}")
        print(f"own_median_ms {pct(own, 50):.2f}")
        print(f"own_p95_ms {pct(own, 95):.2f}")
    if transit:
        print(f"direct_median_ms {pct(list(direct_wall.values()), 50):.2f}")
        print(f"transit_median_ms {pct(transit, 50):.2f}")
        print(f"transit_p95_ms {pct(transit, 95):.2f}")


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd, args = argv[1], argv[2:]
    if cmd == "drafts" and len(args) == 4:
        drafts(args[0], int(args[1]), args[2], args[3])
    elif cmd == "pending" and len(args) == 4:
        pending(args[0], args[1], args[2], int(args[3]))
    elif cmd == "spread" and len(args) == 2:
        spread(args[0], int(args[1]))
    elif cmd == "disk" and len(args) == 2:
        disk(args[0], int(args[1]))
    elif cmd == "confirm" and len(args) == 8:
        confirm(*args[:7], int(args[7]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
