-- wrk script: certificate sign-ins (POST /login/certificate) with the certificate forwarded by a
-- trusted proxy in X-Client-Cert, each expected to answer 303 (signed in, a new session).
--
--   wrk -s bench/certificate.lua <url>/login/certificate -- <csrf cookie> <csrf token> <escaped PEM>
--
-- Any other answer is counted and reported: a refused certificate skips the session and audit
-- writes, so a run with refusals would flatter the figure instead of measuring it.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   local cookie, token, pem = args[1], args[2], args[3]
   if not (cookie and token and pem) then
      error("usage: -- <csrf cookie> <csrf token> <URL-encoded PEM>")
   end
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
   wrk.headers["Cookie"] = "csrf=" .. cookie
   wrk.headers["X-Client-Cert"] = pem
   wrk.body = "_csrf=" .. token .. "&next="
   ok, bad, statuses = 0, 0, ""
end

function response(status, headers, body)
   if status == 303 then
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
   io.write(string.format("bench: certificate ok(303)=%d bad=%d%s\n", total_ok, total_bad,
      total_bad > 0 and (" first non-303 statuses:" .. seen) or ""))
end
