-- wrk's results as one machine-readable line (the human summary stays above it),
-- plus wrk's own CPU time and peak RSS: the load generator shares the cores
-- with the servers, so the bench reports what it used too.
-- Only done() is defined, so wrk keeps its fast static-request path.

local function slurp(path)
  local f = io.open(path, "r")
  if not f then return "" end
  local s = f:read("*a")
  f:close()
  return s
end

done = function(summary, latency, requests)
  -- /proc/self/stat after "(comm) ": field 3 is first, so utime (14) and stime (15) are 12th and 13th.
  local rest = slurp("/proc/self/stat"):match("%)%s+(.*)$") or ""
  local fields = {}
  for w in rest:gmatch("%S+") do fields[#fields + 1] = w end
  local hwm = tonumber(slurp("/proc/self/status"):match("VmHWM:%s+(%d+)")) or -1
  local pcts = {}
  for _, q in ipairs({ 50, 75, 90, 99, 99.9 }) do
    pcts[#pcts + 1] = string.format('"%s":%d', tostring(q), latency:percentile(q))
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"duration_us":%d,"requests":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"mean":%.1f,"stdev":%.1f,"max":%d,"percentiles":{%s}},' ..
    '"cpu_ticks":%d,"vm_hwm_kb":%d}\n',
    summary.duration, summary.requests, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.stdev, latency.max, table.concat(pcts, ","),
    (tonumber(fields[12]) or 0) + (tonumber(fields[13]) or 0), hwm))
end
