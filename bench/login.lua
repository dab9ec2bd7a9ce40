-- wrk script: password sign-ins (POST /login), each expected to end in 303 to the second factor.
--
--   wrk -s bench/login.lua <url>/login -- <csrf cookie> <csrf token> <identifier> <password>
--
-- One csrf cookie/token pair serves every request (the token is bound to the cookie, not to a
-- request). Any answer but 303 is counted and reported: a wrong password, a CSRF refusal or a
-- rate limit are all much cheaper than a real sign-in, so a run with failures would flatter the
-- figure instead of measuring it.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

local function urlencode(s)
   return (s:gsub("[^%w%-%._~]", function(c)
      return string.format("%%%02X", string.byte(c))
   end))
end

function init(args)
   local cookie, token, identifier, password = args[1], args[2], args[3], args[4]
   if not (cookie and token and identifier and password) then
      error("usage: -- <csrf cookie> <csrf token> <identifier> <password>")
   end
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
   wrk.headers["Cookie"] = "csrf=" .. cookie
   wrk.body = "_csrf=" .. urlencode(token)
      .. "&identifier=" .. urlencode(identifier)
      .. "&password=" .. urlencode(password)
   ok, bad, statuses = 0, 0, ""
end

function response(status, headers, body)
   if status == 303 then
      ok = ok + 1
   else
      bad = bad + 1
      -- Keep the first few odd statuses so a failing run says why it failed.
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
   io.write(string.format("bench: login ok(303)=%d bad=%d%s\n", total_ok, total_bad,
      total_bad > 0 and (" first non-303 statuses:" .. seen) or ""))
end
