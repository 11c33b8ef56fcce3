#!/usr/bin/env python3
"""Fills a stopped portal's database with a large audit log for bench/audit.sh (figure 12,
see bench/README.md).

  seed_audit.py DB ROWS PATIENTS DOCUMENTS

The database must hold the schema and no patients yet (`cds-portal operator add` on a new
data dir makes both, and the operator who logs in: id 1). Adds:

- PATIENTS patients (ids 1..PATIENTS, valid codici fiscali; patient 1 is the bench's
  "heavy" patient, `seed_cf`), DOCUMENTS documents (patient 1 owns the first 10, the
  others one patient in four), 20 operators `op01`..`op20` (ids 2..21, unusable password)
  and 4 API clients (RIS, LIS, PACS, CUP);
- ROWS audit lines, one every ~(2 years / ROWS) seconds up to now, ids in time order as the
  portal writes them: ~75 % patients (logins, logouts, views and downloads of their own
  documents, failed logins, orders), ~17 % operators (patient views and searches,
  publishing, new PINs, replies, logins), ~7 % API clients (publishing), ~1 % the portal;
  plus one line in 10,000 for patient 1, who also owns 10 documents: ~1,800 lines in all.

The lines come from one INSERT … SELECT over a recursive CTE (its random() values are
drawn once per row: a recursive CTE is never flattened), into the table without its
indexes, which are then built again from their own SQL (sorting once is much faster than
10 million b-tree inserts). journal_mode OFF and synchronous OFF while seeding; WAL again
at the end. Prints `seed_*` lines: counts, timings, the bench's codice fiscale, and the
keyset cursor of a line about half-way down the log (`seed_deep_cursor AT.ID`).
"""
import os
import sqlite3
import sys
import time

ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]
MONTHS = "ABCDEHLMPRST"
YEARS = 2
OPERATORS = 20
TOKENS = ["RIS", "LIS", "PACS", "CUP"]
HEAVY_EVERY = 10000  # one line in HEAVY_EVERY is patient 1's


def cf(i):
    """A valid, unique codice fiscale for patient number i (< 1,008,000)."""
    year, month, day, place = i % 100, (i // 100) % 12, 1 + (i // 1200) % 28, i // 33600
    s = f"BNCPZN{year:02d}{MONTHS[month]}{day:02d}Z{place:03d}"
    total = sum(ODD[int(c) if c.isdigit() else ord(c) - 65] if k % 2 == 0 else (int(c) if c.isdigit() else ord(c) - 65)
                for k, c in enumerate(s))
    return s + chr(65 + total % 26)


def main():
    db, rows, patients, documents = sys.argv[1], *map(int, sys.argv[2:5])
    now = int(time.time())
    start = now - YEARS * 365 * 86400
    c = sqlite3.connect(db, isolation_level=None)
    if c.execute("SELECT count(*) FROM patients").fetchone()[0]:
        sys.exit(f"{db} already has patients: seed a new data dir")
    c.execute("PRAGMA journal_mode = OFF")
    c.execute("PRAGMA synchronous = OFF")
    c.execute("PRAGMA cache_size = -524288")  # 512 MiB
    c.execute("PRAGMA temp_store = MEMORY")
    t0 = time.monotonic()
    c.execute("BEGIN")
    c.executemany(
        "INSERT INTO patients (id, codice_fiscale, given_name, family_name, family_key, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        ((i + 1, cf(i), "Paziente", f"Sintetico {i + 1}", f"SINTETICO{i + 1}", start) for i in range(patients)),
    )
    # Document d belongs to patient 1 for d <= 10, else to 1 + ((d - 1) * 4) % PATIENTS.
    c.execute(
        """WITH RECURSIVE g(d) AS (SELECT 1 UNION ALL SELECT d + 1 FROM g WHERE d < ?1)
           INSERT INTO documents (id, public_id, patient_id, category, title, exchanged_at, exchange_day,
                                  published_at, source_kind, source_ref, created_at)
           SELECT d, lower(hex(randomblob(16))), CASE WHEN d <= 10 THEN 1 ELSE 1 + ((d - 1) * 4) % ?2 END,
                  'Referto', 'Referto n. ' || d, ?3, date(?3, 'unixepoch'), ?3, 'pdf', 'x.pdf', ?3
           FROM g""",
        (documents, patients, start),
    )
    c.executemany(
        "INSERT INTO operators (id, username, display_name, role, password_hash, password_set_at, created_at)"
        " VALUES (?, ?, ?, 'operatore', '!', ?, ?)",
        ((k + 2, f"op{k + 1:02d}", f"Operatore {k + 1}", start, start) for k in range(OPERATORS)),
    )
    c.executemany(
        "INSERT INTO api_tokens (id, client, token_hash, scopes, created_at) VALUES (?, ?, randomblob(32), 'documents:write', ?)",
        ((k + 1, name, start) for k, name in enumerate(TOKENS)),
    )
    c.execute("COMMIT")
    t_ref = time.monotonic() - t0

    # The audit log: indexes off, one INSERT … SELECT, indexes on.
    indexes = c.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_log' AND sql IS NOT NULL"
    ).fetchall()
    t1 = time.monotonic()
    c.execute("BEGIN")
    for name, _ in indexes:
        c.execute(f"DROP INDEX {name}")
    # r: the kind of line, s: what it did (both per mille); p: a patient or a document;
    # q: an operator, a token, an address. owner(doc) is the document's patient.
    owner = "CASE WHEN doc <= 10 THEN 1 ELSE 1 + ((doc - 1) * 4) % ?5 END"
    c.execute(
        f"""WITH RECURSIVE g(n, r, s, p, q) AS (
              SELECT 0, abs(random()) % 1000, abs(random()) % 1000, abs(random()), abs(random())
              UNION ALL
              SELECT n + 1, abs(random()) % 1000, abs(random()) % 1000, abs(random()), abs(random())
              FROM g WHERE n + 1 < ?1
            ),
            l(at, kind, s, doc, patient, q) AS (
              SELECT ?2 + n * ?3 / ?1,
                     CASE WHEN n % {HEAVY_EVERY} = 1234 THEN 'heavy'
                          WHEN r < 750 THEN 'patient' WHEN r < 920 THEN 'operator'
                          WHEN r < 990 THEN 'api' ELSE 'system' END,
                     s, 1 + p % ?4, 1 + p % ?5, q
              FROM g
            )
            INSERT INTO audit_log (at, actor, patient_id, operator_id, api_token_id, document_id, action, detail, ip)
            SELECT at,
              CASE WHEN kind <> 'heavy' THEN kind WHEN s < 800 THEN 'patient' ELSE 'operator' END,
              -- patient_id
              CASE kind
                WHEN 'heavy' THEN 1
                WHEN 'patient' THEN CASE WHEN s BETWEEN 400 AND 772 THEN {owner} ELSE patient END
                WHEN 'operator' THEN CASE WHEN s BETWEEN 450 AND 629 THEN {owner}
                                          WHEN s < 800 THEN patient END
                WHEN 'api' THEN {owner} END,
              -- operator_id
              CASE WHEN kind = 'operator' OR kind = 'heavy' AND s >= 800 THEN 2 + q % {OPERATORS} END,
              -- api_token_id
              CASE WHEN kind = 'api' THEN 1 + q % {len(TOKENS)} END,
              -- document_id
              CASE
                WHEN kind = 'heavy' AND s BETWEEN 300 AND 799 THEN 1 + q % 10
                WHEN kind = 'patient' AND s BETWEEN 400 AND 772 OR kind = 'operator' AND s BETWEEN 450 AND 629
                     OR kind = 'api' THEN doc END,
              -- action
              CASE kind
                WHEN 'heavy' THEN CASE WHEN s < 300 THEN 'login' WHEN s < 600 THEN 'document_view'
                  WHEN s < 800 THEN 'document_download' ELSE 'patient_view' END
                WHEN 'patient' THEN CASE WHEN s < 300 THEN 'login' WHEN s < 400 THEN 'logout'
                  WHEN s < 580 THEN 'document_view' WHEN s < 773 THEN 'document_download'
                  WHEN s < 813 THEN 'login_failed' WHEN s < 866 THEN 'recovery_request'
                  WHEN s < 906 THEN 'order_create' WHEN s < 946 THEN 'order_view'
                  WHEN s < 973 THEN 'support_request' ELSE 'notifications' END
                WHEN 'operator' THEN CASE WHEN s < 450 THEN 'patient_view' WHEN s < 630 THEN 'document_publish'
                  WHEN s < 680 THEN 'patient_pin' WHEN s < 800 THEN 'support_reply'
                  WHEN s < 900 THEN 'patient_search' ELSE 'op_login' END
                WHEN 'api' THEN 'document_publish'
                ELSE CASE WHEN s < 500 THEN 'order_confirm' ELSE 'operator_create' END END,
              -- detail
              CASE
                WHEN kind IN ('patient', 'heavy') AND s < 300 OR kind = 'patient' AND s BETWEEN 773 AND 812
                  THEN CASE WHEN q % 3 = 0 THEN 'spid' ELSE 'pin' END
                WHEN kind = 'operator' AND s BETWEEN 800 AND 899 THEN 'cognome: rossi'
                WHEN kind = 'api' THEN 'pubblicato via API'
                ELSE '' END,
              -- ip
              CASE WHEN kind IN ('operator', 'api') THEN '10.20.' || (q % 32) || '.' || (q / 32 % 250 + 2)
                   ELSE (q % 200 + 2) || '.' || (q / 200 % 256) || '.' || (q / 51200 % 256) || '.' || (q / 13107200 % 250 + 2) END
            FROM l""",
        (rows, start, now - start, documents, patients),
    )
    t2 = time.monotonic()
    for _, sql in indexes:
        c.execute(sql)
    c.execute("COMMIT")
    t3 = time.monotonic()
    c.execute("PRAGMA journal_mode = WAL")

    total = c.execute("SELECT max(id) FROM audit_log").fetchone()[0]  # ids are dense
    heavy = c.execute("SELECT count(*) FROM audit_log WHERE patient_id = 1").fetchone()[0]
    op1 = c.execute("SELECT count(*) FROM audit_log WHERE operator_id = 2").fetchone()[0]
    mid = start + (now - start) // 2
    deep = c.execute(
        "SELECT at, id FROM audit_log INDEXED BY audit_log_at WHERE at <= ? ORDER BY at DESC, id DESC LIMIT 1", (mid,)
    ).fetchone()
    deep_rank = total - deep[1] + 1
    c.close()
    print(f"seed_rows {total}")
    print(f"seed_patients {patients}")
    print(f"seed_documents {documents}")
    print(f"seed_cf {cf(0)}")
    print(f"seed_cf_lines {heavy}")
    print("seed_operator op01")
    print(f"seed_operator_lines {op1}")
    print(f"seed_deep_cursor {deep[0]}.{deep[1]}")
    print(f"seed_deep_rank {deep_rank}")
    print(f"seed_reference_secs {t_ref:.1f}")
    print(f"seed_insert_secs {t2 - t1:.1f}")
    print(f"seed_index_secs {t3 - t2:.1f}")
    print(f"seed_secs {time.monotonic() - t0:.1f}")
    print(f"seed_db_mb {os.path.getsize(db) / 1e6:.0f}")


if __name__ == "__main__":
    main()
