-- wrk script: the trigger call, rotating over many tokens (so the per-token rate limit does
-- not cap the run) and over the demo accounts.
-- Arguments: tokens_file play_id account_ids(comma-separated) [max_requests_per_thread]
local tokens = {}
local bodies = {}
local counter = 0
local limit = 0
local answered = 0

function init(args)
  for line in io.lines(args[1]) do
    tokens[#tokens + 1] = line
  end
  for account in string.gmatch(args[3], "[^,]+") do
    bodies[#bodies + 1] = '{"successplayId": "' .. args[2] .. '", "accountId": "' .. account .. '"}'
  end
  limit = tonumber(args[4] or "0")
  -- Threads start at different points so they do not use the same token at once.
  counter = math.random(1, #tokens)
end

function request()
  counter = counter + 1
  return wrk.format("POST", "/api/v2/automations/run-manual-successplay", {
    ["app-token"] = tokens[(counter % #tokens) + 1],
    ["Content-Type"] = "application/json",
  }, bodies[(counter % #bodies) + 1])
end

function response(status, headers, body)
  answered = answered + 1
  if limit > 0 and answered >= limit then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "non_2xx": %d, "socket_errors": %d,'
      .. ' "p50_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
