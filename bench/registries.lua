-- wrk script: mediator queries, POST /api/v1/registries/population/person, each for another person
-- of the population register (EGNs read from the file named as the first argument), with the
-- context a real caller sends. Every answer must be 200; anything else is counted and reported.
--
--   wrk -s bench/registries.lua <url>/api/v1/registries/population/person -- <egn file> <session>

local egns = {}
local counter = 0
local bad = 0
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   for line in io.lines(args[1]) do
      if #line == 10 then table.insert(egns, line) end
   end
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
   wrk.headers["Cookie"] = "portico_session=" .. args[2]
   counter = math.random(#egns)
end

function request()
   counter = counter % #egns + 1
   local body = '{"context":{"legal_basis":"Закон за гражданската регистрация, чл. 92","service":"address-registration-sofia","subject":"'
      .. egns[counter] .. '"}}'
   return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
   if status ~= 200 then bad = bad + 1 end
end

function done(summary, latency, requests)
   local total = 0
   for _, t in ipairs(threads) do total = total + (t:get("bad") or 0) end
   io.write(string.format("bench: queries bad=%d\n", total))
end
