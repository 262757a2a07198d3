-- POST /api/v1/applications, spread over the bench users (one per
-- connection, as many people would): $BENCH_USERS has "token app_id" lines.
local users = {}
for line in io.lines(os.getenv("BENCH_USERS") or "bench-users.txt") do
  local token, app = line:match("(%S+) (%S+)")
  users[#users + 1] = { token = token, app = app }
end
local n = 0
request = function()
  n = n + 1
  local u = users[(n % #users) + 1]
  local body = string.format('{"company":"Bench %d","title":"Load tester","status":"applied","tags":["bench"]}', n)
  return wrk.format("POST", "/api/v1/applications",
    { ["Authorization"] = "Bearer " .. u.token, ["Content-Type"] = "application/json" }, body)
end
