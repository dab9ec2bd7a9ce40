-- wrk script: eDelivery sends over the institutions' API (POST /api/v1/mailbox/messages), each
-- expected to answer 201 (the message, its recipient's state and its evidence written in one
-- transaction before the answer).
--
--   wrk -s bench/delivery.lua <url>/api/v1/mailbox/messages -- <bearer token> <administration id>
--
-- Every message goes from the administration's mailbox to the administration's own mailbox, so
-- the same run fills the mailbox whose listing is measured next. Any other answer is counted and
-- reported: a refused send is far cheaper than a delivered one.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   local token, administration = args[1], args[2]
   if not (token and administration) then
      error("usage: -- <bearer token> <administration id>")
   end
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
   wrk.headers["Authorization"] = "Bearer " .. token
   wrk.body = string.format(
      '{"sender":{"kind":"administration","identifier":"%s"},' ..
      '"recipients":[{"kind":"administration","identifier":"%s"}],' ..
      '"subject":"Писмо за бенчмарк","body":"Съдържание на съобщението, ред първи.\\nРед втори."}',
      administration, administration)
   ok, bad, statuses = 0, 0, ""
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
   io.write(string.format("bench: send ok(201)=%d bad=%d%s\n", total_ok, total_bad,
      total_bad > 0 and (" first non-201 statuses:" .. seen) or ""))
end
