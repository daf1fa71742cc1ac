-- wrk script for the load run in README.md: POST a quote request for the demo market's first
-- offer (a German business buying 8 GPUs for 720 hours, priced in EUR), count the responses
-- by status and print the latency percentiles and the error rate at the end.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"offer_id":"demo-offer-001","gpus":8,"hours":720,"buyer":{"country":"DE","type":"business","vat_id":"DE123456789"},"currency":"EUR"}'

local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end

function done(summary, latency, requests)
  local total, n, bad = {}, 0, 0
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do total[k] = (total[k] or 0) + v end
  end
  for k, v in pairs(total) do
    io.write(string.format("status %d: %d\n", k, v))
    n = n + v
    if k ~= 201 then bad = bad + v end
  end
  local e = summary.errors
  local sockerr = e.connect + e.read + e.write + e.timeout
  io.write(string.format("requests/s %.0f; p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000))
  io.write(string.format("error rate %.2f%% (%d responses other than 201, %d socket errors of %d requests)\n",
    100 * (bad + sockerr) / math.max(summary.requests + sockerr, 1), bad, sockerr, summary.requests))
end
