-- wrk script for benchmarks/run.py: rotates through the paths listed in a file (one a
-- line), sends the headers listed in another ("Name: value" a line), and prints one
-- line of JSON at the end with throughput, latency percentiles and errors.
local paths = {}
local headers = {}
local counter = 0

local function read_lines(name)
  local lines = {}
  if name == nil or name == "" then return lines end
  for line in io.lines(name) do
    if line ~= "" then table.insert(lines, line) end
  end
  return lines
end

function init(args)
  paths = read_lines(args[1])
  for _, line in ipairs(read_lines(args[2])) do
    local name, value = line:match("^([^:]+):%s*(.*)$")
    if name then headers[name] = value end
  end
  -- Threads start at different points of the list, so rotating terms are spread out.
  counter = math.random(0, #paths)
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1], headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH-JSON {"requests": %d, "duration_us": %d, "bytes": %d, "errors_connect": %d, "errors_read": %d, ' ..
    '"errors_write": %d, "errors_status": %d, "errors_timeout": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "mean_us": %f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
end
