-- The load plan for wrk (scripts/bench/wrk.ts): requests read from a file, sent in turn from
-- WRK_START on, round and round; answers with another status than WRK_EXPECTED are counted (and
-- the first one kept) when WRK_CHECK is 1, and with WRK_IDS also 1 the `id` of each expected JSON answer is collected.
-- At the end one line `WRK_RESULT {json}` on stdout carries what wrk measured.
--
-- The plan file: the request headers, one `name: value` a line, an empty line, then one request a
-- line: METHOD, TAB, path, TAB, body (a JSON body has no raw newline or tab).

local start = tonumber(os.getenv("WRK_START") or "0")
local expected = tonumber(os.getenv("WRK_EXPECTED") or "200")
local collect = os.getenv("WRK_IDS") == "1"
-- Reading each answer costs wrk a Lua call and a copy of the body: only the warm-up does it (to
-- check the status and collect ids); the measured run counts what wrk itself sees as errors.
local check = os.getenv("WRK_CHECK") == "1"
local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
end

function init(args)
  local headers = {}
  local file = assert(io.open(os.getenv("WRK_PLAN"), "r"))
  for line in file:lines() do
    if line == "" then break end
    local name, value = line:match("^([^:]+):%s*(.*)$")
    headers[name] = value
  end
  plan = {}
  for line in file:lines() do
    local method, path, body = line:match("^(%u+)\t([^\t]+)\t(.*)$")
    plan[#plan + 1] = wrk.format(method, path, headers, body ~= "" and body or nil)
  end
  file:close()
  sent = 0
  mismatched = 0
  firstError = ""
  ids = {}
end

function request()
  sent = sent + 1
  return plan[((start + sent - 1) % #plan) + 1]
end

local function checkResponse(status, headers, body)
  if status ~= expected then
    mismatched = mismatched + 1
    if firstError == "" then firstError = status .. " " .. string.sub(body or "", 1, 300) end
  elseif collect then
    ids[#ids + 1] = string.match(body, '"id":"([^"]+)"')
  end
end

if check then response = checkResponse end

local function quoted(s)
  return '"' .. string.gsub(s, '[%c"\\]', function(c) return string.format("\\u%04x", string.byte(c)) end) .. '"'
end

function done(summary, latency, requests)
  local total, wrong, first, all = 0, 0, "", {}
  for _, thread in ipairs(threads) do
    total = total + thread:get("sent")
    wrong = wrong + thread:get("mismatched")
    if first == "" then first = thread:get("firstError") end
    for _, id in ipairs(thread:get("ids")) do all[#all + 1] = quoted(id) end
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"durationUs":%d,"p50Us":%d,"p99Us":%d,"maxUs":%d,"mismatched":%d,"socketErrors":%d,"sent":%d,"firstError":%s,"ids":[%s]}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max, wrong,
    e.connect + e.read + e.write + e.timeout + (check and 0 or e.status), total, quoted(first), table.concat(all, ",")))
end
