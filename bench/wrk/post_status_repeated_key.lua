-- POST /api/v1/statuses as a signed-in user, every request with the same Idempotency-Key: a
-- client retrying. The first request publishes; every later one answers with that status.
-- Argument (after `--`): the bearer token.

local headers = {}

-- A fresh key per run (warm-up, then the measured run), from the kernel rather than a clock.
local function random_hex(bytes)
  local source = assert(io.open("/dev/urandom", "rb"))
  local raw = source:read(bytes)
  source:close()
  return (raw:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end

function init(args)
  headers["Authorization"] = "Bearer " .. args[1]
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  headers["Idempotency-Key"] = "retry-" .. random_hex(8)
end

function request()
  return wrk.format("POST", nil, headers, "status=bench+retry")
end
