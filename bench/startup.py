#!/usr/bin/env python3
"""Start-to-first-served-request time of `cds-portal serve` on an empty data dir.

usage: startup.py BINARY WORKDIR RUNS

Each run: a fresh, non-existent data dir; the clock starts just before spawning the
process; we read the bound address from its first stdout line, then poll
GET /healthz in a tight loop (new connection each try) until it answers 200.
The clock stops at that first 200. Prints one line per run ("startup_ms 12.3")
and then "startup_median_ms X" and "startup_max_ms Y".
"""

import http.client
import os
import statistics
import subprocess
import sys
import time


def one_run(binary, data_dir):
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [binary, "serve", "--listen", "127.0.0.1:0", "--data", data_dir],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    try:
        line = proc.stdout.readline().decode().strip()
        host, _, port = line.rpartition(":")
        if host != "127.0.0.1" or not port.isdigit():
            raise RuntimeError(f"unexpected first stdout line: {line!r}")
        deadline = t0 + 10.0
        while True:
            if time.perf_counter() > deadline:
                raise RuntimeError("no 200 from /healthz within 10 s")
            try:
                conn = http.client.HTTPConnection(host, int(port), timeout=1)
                conn.request("GET", "/healthz")
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return (time.perf_counter() - t0) * 1000.0
            except OSError:
                pass  # not accepting yet: retry at once
            time.sleep(0.0005)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main():
    binary, workdir, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    times = []
    for i in range(runs):
        data_dir = os.path.join(workdir, f"startup-{i}")  # does not exist yet
        ms = one_run(binary, data_dir)
        times.append(ms)
        print(f"startup_ms {ms:.1f}", flush=True)
    print(f"startup_median_ms {statistics.median(times):.1f}")
    print(f"startup_max_ms {max(times):.1f}")


if __name__ == "__main__":
    main()
