-- POST /api/v1/statuses as a signed-in user, each request with its own Idempotency-Key, or
-- (with "repeat") every request with the same one: a client retrying, so the first request
-- publishes and every later one answers with that status.
-- Arguments (after `--`): the bearer token, then optionally "repeat".

local headers = {}
local prefix
local counter = 0
local repeat_key = false

-- Keys must be unique across threads and across runs (warm-up, then the measured run), so each
-- thread's prefix comes from the kernel rather than from a clock-seeded math.random.
local function random_hex(bytes)
  local source = assert(io.open("/dev/urandom", "rb"))
  local raw = source:read(bytes)
  source:close()
  return (raw:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end

function init(args)
  prefix = random_hex(8)
  repeat_key = args[2] == "repeat"
  headers["Authorization"] = "Bearer " .. args[1]
  headers["Content-Type"] = "application/x-www-form-urlencoded"
end

function request()
  if repeat_key then
    headers["Idempotency-Key"] = prefix .. "-retry"
    return wrk.format("POST", nil, headers, "status=bench+retry")
  end
  counter = counter + 1
  headers["Idempotency-Key"] = prefix .. "-" .. counter
  return wrk.format("POST", nil, headers, "status=bench+post+" .. counter)
end
