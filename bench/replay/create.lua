-- Replays pre-signed CreateCompilationJob requests, each with its own CompilationJobName (a name can be created once).
--   SIGNED=create.tsv wrk -t2 -c32 -d10s --latency -s create.lua http://127.0.0.1:PORT/
-- create.tsv is written by dev.sagebrush.bench.Presign create: one request per line, body<TAB>header: value<TAB>...
-- Thread k of T sends lines k, k+T, k+2T, ... so no two threads send the same name. When a thread runs out of lines
-- it starts over; the server then answers 400 ResourceInUse, which wrk counts as "Non-2xx" (make N large enough).
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local file = os.getenv("SIGNED") or "create.tsv"
  local nthreads = tonumber(os.getenv("WRK_THREADS") or "2")
  reqs = {}
  local n = 0
  for line in io.lines(file) do
    if n % nthreads == id then
      local fields = {}
      for field in string.gmatch(line, "[^\t]+") do fields[#fields + 1] = field end
      local headers = {}
      for i = 2, #fields do
        local k, v = string.match(fields[i], "^([^:]+): (.*)$")
        headers[k] = v
      end
      reqs[#reqs + 1] = wrk.format("POST", "/", headers, fields[1])
    end
    n = n + 1
  end
  idx = 0
end

function request()
  idx = idx + 1
  if idx > #reqs then idx = 1; wrapped = (wrapped or 0) + 1 end
  return reqs[idx]
end
