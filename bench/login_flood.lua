-- wrk script: a flood of wrong-PIN logins (POST /accedi).
--
-- Every request carries a valid anonymous CSRF token and the `cds_pre` cookie it is
-- bound to, so the server gets past the CSRF check and really runs argon2id on the
-- (wrong) PIN. Inputs come from the environment (set by bench/run.sh):
--   BENCH_CSRF    the token from <input name="csrf"> of GET /accedi
--   BENCH_COOKIE  the cds_pre value that token is bound to
--   BENCH_CF      codice fiscale to try (default: the demo patient)
--   BENCH_PIN     the wrong PIN (default 00000000)
-- At the end it prints one line per HTTP status, e.g. "flood_status 401 1234":
-- 401 = the PIN was hashed and rejected, 503 = hashing queue full (refused without
-- hashing), 429 = throttled (should not happen with the limits raised by run.sh).

local csrf = os.getenv("BENCH_CSRF") or error("BENCH_CSRF not set")
local cookie = os.getenv("BENCH_COOKIE") or error("BENCH_COOKIE not set")
local cf = os.getenv("BENCH_CF") or "RSSMRA80A01A182N"
local pin = os.getenv("BENCH_PIN") or "00000000"

wrk.method = "POST"
wrk.path = "/accedi"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "cds_pre=" .. cookie
-- The token is "<ts>.<hex>": no characters that need form-encoding.
wrk.body = "csrf=" .. csrf .. "&codice_fiscale=" .. cf .. "&pin=" .. pin

-- Per-thread status counters, collected in done().
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

statuses = {}

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local total = {}
   for _, t in ipairs(threads) do
      for status, n in pairs(t:get("statuses")) do
         total[status] = (total[status] or 0) + n
      end
   end
   local keys = {}
   for status in pairs(total) do table.insert(keys, status) end
   table.sort(keys)
   for _, status in ipairs(keys) do
      io.write(string.format("flood_status %d %d\n", status, total[status]))
   end
end
