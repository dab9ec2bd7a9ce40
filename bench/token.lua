-- wrk script: client credentials grants (POST /oauth/token), each expected to answer 200.
--
--   wrk -s bench/token.lua <url>/oauth/token -- <client id> <client secret>
--
-- The client authenticates with HTTP Basic (client_secret_basic). Any answer but 200 is counted
-- and reported: a refused client is much cheaper than a signed token, so a run with failures
-- would flatter the figure instead of measuring it.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

-- RFC 4648 base64, for the Basic credentials (Lua 5.1 has none built in).
local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function base64(s)
   return ((s:gsub(".", function(c)
      local bits, byte = "", c:byte()
      for i = 8, 1, -1 do bits = bits .. (byte % 2 ^ i - byte % 2 ^ (i - 1) > 0 and "1" or "0") end
      return bits
   end) .. "0000"):gsub("%d%d%d?%d?%d?%d?", function(x)
      if #x < 6 then return "" end
      local n = 0
      for i = 1, 6 do n = n + (x:sub(i, i) == "1" and 2 ^ (6 - i) or 0) end
      return alphabet:sub(n + 1, n + 1)
   end) .. ({ "", "==", "=" })[#s % 3 + 1])
end

function init(args)
   local id, secret = args[1], args[2]
   if not (id and secret) then
      error("usage: -- <client id> <client secret>")
   end
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
   wrk.headers["Authorization"] = "Basic " .. base64(id .. ":" .. secret)
   wrk.body = "grant_type=client_credentials&scope=cases"
   ok, bad, statuses = 0, 0, ""
end

function response(status, headers, body)
   if status == 200 then
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
   io.write(string.format("bench: token ok(200)=%d bad=%d%s\n", total_ok, total_bad,
      total_bad > 0 and (" first non-200 statuses:" .. seen) or ""))
end
