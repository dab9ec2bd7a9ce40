-- wrk script: catalogue searches, cycling through realistic queries in Bulgarian and English —
-- exact titles, loose word order, other word endings, typos, single words — so the figure is not
-- one cached answer. Every answer must be 200; anything else is counted and reported.
--
--   wrk -s bench/search.lua <url> -- <path prefix>        e.g. -- /api/v1/services?q=
--
-- Each connection starts at a different place in the list and then walks it in order.

local threads = {}

-- bench/services.sh reads this list too (one query a line, quoted), to check each query once
-- before timing and to print how many services it matches.
local queries = {
   "удостоверение наследници",
   "разрешение за строеж",
   "адресна регистраця",        -- typo
   "регистрации",               -- other ending
   "certificate heirs",
   "parking permit",
   "данъци",
   "детска градина",
   "удостоверение за наследници",
   "декларация местни данъци",
   "такса смет",
   "смяна на адрес",
   "детски градини",            -- plural
   "сеч на дървета",
   "социална помощ",
   "реклама",
   "разрешение паркиране",
   "удостоверение за семейно положение",
   "kindergarten",
   "local taxes",
   "waste fee",
   "certficate of heirs",       -- typo
   "construction permit",
   "marital status certificate",
   "tree felling",
   "social assistance",
   "register entry",
   "water supply",
   "домашен любимец",
   "водоснабдяване",
   "търговски обект",
   "наследство",
   "adresna registracia",       -- Latin-typed Bulgarian
   "udostoverenie za naslednici",
   "parkirane",
   "данак сгради",              -- informal spelling
}

local function urlencode(s)
   return (s:gsub("[^%w%-%._~]", function(c)
      return string.format("%%%02X", string.byte(c))
   end))
end

local counter = 0

function setup(thread)
   thread:set("id", counter)
   counter = counter + 1
   table.insert(threads, thread)
end

function init(args)
   prefix = args[1]
   if not prefix then
      error("usage: -- <path prefix, e.g. /api/v1/services?q=>")
   end
   paths = {}
   for i, q in ipairs(queries) do
      paths[i] = prefix .. urlencode(q)
   end
   -- Spread the connections of this thread over the list; wrk calls request() per connection
   -- in turn, so one counter per thread is enough.
   n = (id * 7) % #paths
   ok, bad, statuses = 0, 0, ""
end

function request()
   n = n % #paths + 1
   return wrk.format("GET", paths[n])
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
   io.write(string.format("bench: search ok(200)=%d bad=%d%s\n", total_ok, total_bad,
      total_bad > 0 and (" first non-200 statuses:" .. seen) or ""))
end
