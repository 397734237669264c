-- POST /api/v1/statuses as a signed-in user, each request with its own Idempotency-Key.
-- Argument (after `--`): the bearer token.

local headers = {}
local prefix
local counter = 0

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
  headers["Authorization"] = "Bearer " .. args[1]
  headers["Content-Type"] = "application/x-www-form-urlencoded"
end

function request()
  counter = counter + 1
  headers["Idempotency-Key"] = prefix .. "-" .. counter
  return wrk.format("POST", nil, headers, "status=bench+post+" .. counter)
end
