#!/usr/bin/env python3
"""Fills a stopped portal's database with synthetic documents for figure D of
bench/documents.sh (see bench/README.md).

  seed_documents.py DB PATIENTS OTHER_DOCS MARIO_DOCS

Adds PATIENTS patients (codice fiscale BNCHMK + 10 digits), OTHER_DOCS documents spread
evenly over them with exchange times over the last 2 years, and MARIO_DOCS documents for
the demo patient RSSMRA80A01A182N with exchange days over the last 45 days (Europe/Rome:
today-44 .. today). Mario's rows are interleaved with the others (one every
OTHER_DOCS/MARIO_DOCS rows), as they would be in a real table, so that reading his rows
touches pages spread over the whole table. One transaction, executemany.
Prints counts, timings and the query plan of the list query (information only).
"""
import datetime
import os
import random
import sqlite3
import sys
import time
import zoneinfo

CATEGORIES = [
    "Immagini diagnostiche",
    "Referto",
    "Lettera di dimissione",
    "Cartella clinica",
    "Verbale di pronto soccorso",
    "Altro",
]
MARIO_CF = "RSSMRA80A01A182N"
ROME = zoneinfo.ZoneInfo("Europe/Rome")


def main():
    db, patients, other_docs, mario_docs = sys.argv[1], *map(int, sys.argv[2:5])
    rng = random.Random(42)
    now = int(time.time())
    today = datetime.datetime.fromtimestamp(now, ROME).date()
    first = today - datetime.timedelta(days=44)
    first_ts = int(datetime.datetime.combine(first, datetime.time(), ROME).timestamp())

    hour_day = {}

    def rome_day(ts):
        h = ts // 3600  # Europe/Rome offsets are whole hours
        d = hour_day.get(h)
        if d is None:
            d = hour_day[h] = datetime.datetime.fromtimestamp(h * 3600, ROME).date().isoformat()
        return d

    c = sqlite3.connect(db, timeout=30)
    c.execute("PRAGMA synchronous = OFF")
    c.execute("PRAGMA cache_size = -262144")  # 256 MiB
    started = time.monotonic()
    with c:
        mario = c.execute("SELECT id FROM patients WHERE codice_fiscale = ?", (MARIO_CF,)).fetchone()
        if not mario:
            sys.exit(f"patient {MARIO_CF} not found in {db}")
        mario = mario[0]
        c.executemany(
            "INSERT INTO patients (codice_fiscale, given_name, family_name, family_key, created_at) VALUES (?, ?, ?, ?, ?)",
            ((f"BNCHMK{i:010d}", "Paziente", f"Sintetico {i}", f"SINTETICO{i}", now) for i in range(patients)),
        )
        ids = [r[0] for r in c.execute("SELECT id FROM patients WHERE codice_fiscale LIKE 'BNCHMK%' ORDER BY id")]
        every = max(1, other_docs // max(1, mario_docs))

        def doc(patient, ts, n):
            cat = CATEGORIES[rng.randrange(len(CATEGORIES))]
            return (
                os.urandom(16).hex(), patient, cat, f"{cat} n. {n}", ts, rome_day(ts), ts,
                "pdf", "x.pdf", 0, "available", ts,
            )

        def rows():
            m = 0
            for n in range(other_docs):
                yield doc(ids[n % len(ids)], now - rng.randrange(730 * 86400), n)
                if n % every == every - 1 and m < mario_docs:
                    yield doc(mario, rng.randrange(first_ts, now + 1), m)
                    m += 1
            for m in range(m, mario_docs):
                yield doc(mario, rng.randrange(first_ts, now + 1), m)

        c.executemany(
            """INSERT INTO documents (public_id, patient_id, category, title, exchanged_at,
                 exchange_day, published_at, source_kind, source_ref, price_cents, state, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            rows(),
        )
    inserted = time.monotonic() - started
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    total = c.execute("SELECT count(*) FROM documents").fetchone()[0]
    npat = c.execute("SELECT count(*) FROM patients").fetchone()[0]
    online = c.execute(
        "SELECT count(*) FROM documents WHERE patient_id = ? AND exchange_day BETWEEN ? AND ?",
        (mario, first.isoformat(), today.isoformat()),
    ).fetchone()[0]
    # The list's two queries (src/documents/store.rs list_sql): all categories, and one.
    plans = {}
    for name, clause, category in (("all", "?4 IS NULL", None), ("categoria", "d.category = ?4", "Referto")):
        plans[name] = c.execute(
            f"""EXPLAIN QUERY PLAN SELECT d.id FROM documents d LEFT JOIN recoveries r ON r.document_id = d.id
               WHERE d.patient_id = ?1 AND d.exchange_day BETWEEN ?2 AND ?3
                 AND {clause} AND (?5 OR d.hidden_at IS NULL) AND d.state != 'withdrawn'
               ORDER BY d.exchange_day DESC, d.exchanged_at DESC, d.id DESC LIMIT 21 OFFSET 0""",
            (mario, first.isoformat(), today.isoformat(), category, 0),
        ).fetchall()
    c.close()
    print(f"seed_patients {npat}")
    print(f"seed_documents {total}")
    print(f"seed_mario_online {online}")
    print(f"seed_first_day {first.isoformat()}")
    print(f"seed_today {today.isoformat()}")
    print(f"seed_secs {inserted:.1f}")
    print(f"seed_db_mb {os.path.getsize(db) / 1e6:.0f}")
    for name, plan in plans.items():
        for row in plan:
            print(f"seed_plan_{name} {row[-1]}")


if __name__ == "__main__":
    main()
