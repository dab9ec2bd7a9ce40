-- wrk script: payment requests asked for over the administrations' API (POST /api/v1/payments),
-- each with its own Idempotency-Key, each expected to answer 201 (the request, its payment
-- code, its history row, the audit entry and its expiry job written in one transaction).
--
--   wrk -s bench/payment.lua <url>/api/v1/payments -- <bearer token> <obligor EGN>

local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("id", counter)
   table.insert(threads, thread)
end

function init(args)
   local token, obligor = args[1], args[2]
   if not (token and obligor) then
      error("usage: -- <bearer token> <obligor EGN>")
   end
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
   wrk.headers["Authorization"] = "Bearer " .. token
   wrk.body = string.format(
      '{"amount_minor":1050,"reason":"Такса за бенчмарк","beneficiary_name":"Столична община",' ..
      '"iban":"BG80BNBG96611020345678","bic":"BNBGBGSD","obligor_id":"%s"}', obligor)
   n, ok, bad, statuses = 0, 0, 0, ""
   -- Seeded per thread and run: unseeded, every run (the warm-up, then the timed run) would draw
   -- the same keys and the second would only replay the first's answers.
   math.randomseed(os.time() * 100 + id)
   prefix = string.format("bench-%d-%d-%d-", id, os.time(), math.random(1, 1000000000))
end

function request()
   n = n + 1
   wrk.headers["Idempotency-Key"] = prefix .. n
   return wrk.format()
end

function response(status, headers, body)
   if status == 201 then
      ok = ok + 1
   else
      bad = bad + 1
      if bad <= 5 then
         statuses = statuses .. " " .. status
      end
   end
end

function done(summary, latency, requests)
   local total_ok, total_bad, seen = 0, 0, ""
   for _, t in ipairs(threads) do
      total_ok = total_ok + t:get("ok")
      total_bad = total_bad + t:get("bad")
      seen = seen .. t:get("statuses")
   end
   io.write(string.format("bench: create ok(201)=%d bad=%d%s\n", total_ok, total_bad,
      total_bad > 0 and (" first non-201 statuses:" .. seen) or ""))
end
