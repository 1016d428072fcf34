-- wrk script: inbound events, each signed (Standard Webhooks) with its own id, read from a
-- file made by benchmarks/run.py just before the run (signatures are only good for minutes).
-- Arguments: events_file events_path
-- Each line of the file: webhook-id TAB webhook-timestamp TAB webhook-signature TAB body.
local events = {}
local counter = 0
local path = ""

function init(args)
  for line in io.lines(args[1]) do
    local id, stamp, signature, body = string.match(line, "^([^\t]+)\t([^\t]+)\t([^\t]+)\t(.*)$")
    events[#events + 1] = {id, stamp, signature, body}
  end
  path = args[2]
end

function request()
  counter = counter + 1
  -- Past the end of the file the events repeat: answered 200 (duplicates), counted apart.
  local event = events[((counter - 1) % #events) + 1]
  return wrk.format("POST", path, {
    ["webhook-id"] = event[1],
    ["webhook-timestamp"] = event[2],
    ["webhook-signature"] = event[3],
    ["Content-Type"] = "application/json",
  }, event[4])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "non_2xx": %d, "socket_errors": %d,'
      .. ' "p50_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
