#!/usr/bin/env python3
"""Figure 12's client (bench/api.sh): registers patients through the ingest API (the
upserts are not timed), then publishes batches of the demo's archive studies, each for its
own patient, (`POST /api/v1/documenti/lotto`) over keep-alive
connections, and prints documents/s. Request bodies are encoded before the clock starts.

usage: api_client.py ADDR TOKEN STUDIES_FILE BATCHES BATCH_SIZE CONNS PATIENTS
"""
import http.client
import json
import sys
import threading
import time

ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]


# Whose each demo study is (src/demo/archive.rs writes them in this order: Mario Rossi's CT
# and MR, Laura Bianchi's X-ray): the API refuses a study whose PatientID is another
# codice fiscale, so each document goes to its study's own patient.
OWNERS = ["RSSMRA80A01A182N", "RSSMRA80A01A182N", "BNCLRA85M52A182Y"]


def codice_fiscale(n):
    """A valid codice fiscale, one per n (the last three digits and the check character)."""
    body = "TSTPAZ80A01H%03d" % n
    val = lambda c: ord(c) - 48 if c.isdigit() else ord(c) - 65
    total = sum(ODD[val(c)] if i % 2 == 0 else val(c) for i, c in enumerate(body))
    return body + chr(65 + total % 26)


def main():
    addr, token, studies_file, batches, size, conns, patients = sys.argv[1:8]
    batches, size, conns, patients = int(batches), int(size), int(conns), int(patients)
    host, port = addr.split(":")
    studies = [line.split()[0] for line in open(studies_file) if line.strip()]
    assert len(studies) == len(OWNERS), "the demo's archive has changed: update OWNERS"
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}

    c = http.client.HTTPConnection(host, int(port), timeout=60)
    cfs = [codice_fiscale(n) for n in range(patients)]
    for cf in cfs:
        c.request("PUT", "/api/v1/pazienti/" + cf, json.dumps({"nome": "Paziente", "cognome": "Prova"}), headers)
        r = c.getresponse()
        r.read()
        assert r.status in (200, 201), (cf, r.status)

    today = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    bodies = []
    for b in range(batches):
        docs = []
        for i in range(size):
            n = b * size + i
            docs.append({
                "codice_fiscale": OWNERS[n % len(studies)], "categoria": "Immagini diagnostiche",
                "titolo": "Studio %d" % n, "data": today, "id_esterno": "BENCH-%d" % n,
                "studio": studies[n % len(studies)],
            })
        bodies.append(json.dumps({"documenti": docs}).encode())

    def run(label, expect):
        queue = list(enumerate(bodies))
        lock = threading.Lock()
        latencies, counts, errors = [], {}, []

        def worker():
            conn = http.client.HTTPConnection(host, int(port), timeout=120)
            while True:
                with lock:
                    if not queue:
                        return
                    _, body = queue.pop(0)
                t0 = time.perf_counter()
                conn.request("POST", "/api/v1/documenti/lotto", body, headers)
                r = conn.getresponse()
                data = r.read()
                dt = time.perf_counter() - t0
                with lock:
                    latencies.append(dt)
                    if r.status != 200:
                        errors.append((r.status, data[:200]))
                        continue
                    for item in json.loads(data)["risultati"]:
                        counts[item["stato"]] = counts.get(item["stato"], 0) + 1

        threads = [threading.Thread(target=worker) for _ in range(conns)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - start
        total = batches * size
        latencies.sort()
        ok = counts.get(expect, 0) == total and not errors
        print("%s: %d documents in %d batches of %d, %d connections: %.2f s, %.0f documents/s; "
              "batch p50 %.0f ms, max %.0f ms; statuses %s%s" % (
                  label, total, batches, size, conns, wall, total / wall,
                  latencies[len(latencies) // 2] * 1000, latencies[-1] * 1000, counts,
                  "" if not errors else " errors %s" % errors[:3]))
        return total / wall, ok

    rate, ok = run("new", 201)
    again, ok_again = run("again (idempotent)", 200)
    print("RESULT %.0f %.0f %d" % (rate, again, 1 if ok and ok_again else 0))


main()
