-- wrk script of the HTTP benchmarks (scripts/bench-feed.ts): each request is a random line of the
-- targets file (path<TAB>authorization header, empty when none); prints one JSON line of figures.
local targets = {}

function init(args)
  for line in io.lines(args[1]) do
    local path, auth = line:match("^([^\t]*)\t?(.*)$")
    targets[#targets + 1] = { path = path, auth = auth }
  end
end

function request()
  local t = targets[math.random(#targets)]
  if t.auth ~= "" then
    return wrk.format("GET", t.path, { ["Authorization"] = t.auth })
  end
  return wrk.format("GET", t.path)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"rps":%.1f,"p50":%.1f,"p95":%.1f,"p99":%.1f,"max":%.1f,"errors":%d,"non2xx":%d,"total":%d}\n',
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.connect + e.read + e.write + e.timeout, e.status, summary.requests))
end
