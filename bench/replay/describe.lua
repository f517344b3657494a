-- Replays ONE pre-signed DescribeCompilationJob (SigV4 accepts a replay for 15 minutes).
--   SIGNED=describe.tsv wrk -t2 -c32 -d10s --latency -s describe.lua http://127.0.0.1:PORT/
-- describe.tsv is written by dev.sagebrush.bench.Presign: body<TAB>header: value<TAB>...
local file = os.getenv("SIGNED") or "describe.tsv"
local f = assert(io.open(file, "rb"))
local line = f:read("*l")
f:close()
local fields = {}
for field in string.gmatch(line, "[^\t]+") do fields[#fields + 1] = field end
wrk.method = "POST"
wrk.path = "/"
wrk.body = fields[1]
for i = 2, #fields do
  local k, v = string.match(fields[i], "^([^:]+): (.*)$")
  wrk.headers[k] = v
end
-- No request() function: wrk builds the request once and sends the same bytes every time.

local non200 = 0
response = function(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
end
