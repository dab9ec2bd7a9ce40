-- wrk script: a card provider's signed callbacks (POST /api/v1/payments/callbacks/sandbox), read
-- from a file made just before the run (one "<Portico-Signature>\t<body>" per line, each a
-- "captured" event of its own for a payment with a card session), each answered 200 once its
-- HMAC is checked and it is applied in one transaction. Each thread takes its own lines; when
-- they run out it starts again, and those repeats are answered as duplicates (counted apart).
--
--   wrk -t2 -s bench/callback.lua <url>/api/v1/payments/callbacks/sandbox -- <file> <threads>

local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("id", counter)
   table.insert(threads, thread)
end

function init(args)
   local file, nthreads = args[1], tonumber(args[2])
   if not (file and nthreads) then
      error("usage: -- <file of signed callbacks> <wrk threads>")
   end
   lines = {}
   local i = 0
   for line in io.lines(file) do
      i = i + 1
      -- Each thread its own lines: line i to thread (i mod threads) + 1.
      if (i % nthreads) == (id - 1) then
         table.insert(lines, line)
      end
   end
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
   next_line, ok, bad, wrapped, statuses = 0, 0, 0, 0, ""
end

function request()
   next_line = next_line + 1
   if next_line > #lines then
      next_line = 1
      wrapped = wrapped + 1
   end
   local signature, body = lines[next_line]:match("^([^\t]*)\t(.*)$")
   wrk.headers["Portico-Signature"] = signature
   return wrk.format(nil, nil, nil, body)
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
   local total_ok, total_bad, total_wrapped, seen = 0, 0, 0, ""
   for _, t in ipairs(threads) do
      total_ok = total_ok + t:get("ok")
      total_bad = total_bad + t:get("bad")
      total_wrapped = total_wrapped + t:get("wrapped")
      seen = seen .. t:get("statuses")
   end
   io.write(string.format("bench: callback ok(200)=%d bad=%d (threads that ran out of fresh events: %d)%s\n",
      total_ok, total_bad, total_wrapped,
      total_bad > 0 and (" first non-200 statuses:" .. seen) or ""))
end
