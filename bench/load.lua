-- Rotates through the request mix given as arguments ("path|accept|if-none-match",
-- empty fields allowed) and counts answers that are neither 2xx nor 304.
local mix = {}
local threads = {}
local position = 0
unexpected = 0  -- globals, so done() can read them with thread:get()
statuses = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  for _, spec in ipairs(args) do
    local path, accept, etag = spec:match("^([^|]*)|([^|]*)|(.*)$")
    local headers = {}
    if accept ~= "" then headers["Accept"] = accept end
    if etag ~= "" then headers["If-None-Match"] = etag end
    table.insert(mix, wrk.format("GET", path, headers))
  end
  -- threads start at different places in the mix
  position = id * 7
end

function request()
  position = position + 1
  return mix[(position % #mix) + 1]
end

function response(status, headers, body)
  if not ((status >= 200 and status < 300) or status == 304) then
    unexpected = unexpected + 1
  end
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local bad = 0
  local by_status = {}
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("unexpected")
    for status, count in pairs(thread:get("statuses")) do
      by_status[tostring(status)] = (by_status[tostring(status)] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(by_status) do
    table.insert(parts, string.format('"%s": %d', status, count))
  end
  local e = summary.errors
  io.write(string.format(
    'LOAD-RESULT {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "unexpected_status": %d, ' ..
    '"socket_errors": %d, "timeouts": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    bad, e.connect + e.read + e.write, e.timeout, table.concat(parts, ", ")))
end
