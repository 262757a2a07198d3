-- PATCH one application of each bench user in turn (a new title each time).
local users = {}
for line in io.lines(os.getenv("BENCH_USERS") or "bench-users.txt") do
  local token, app = line:match("(%S+) (%S+)")
  users[#users + 1] = { token = token, app = app }
end
local n = 0
request = function()
  n = n + 1
  local u = users[(n % #users) + 1]
  local body = string.format('{"title":"Load tester %d"}', n)
  return wrk.format("PATCH", "/api/v1/applications/" .. u.app,
    { ["Authorization"] = "Bearer " .. u.token, ["Content-Type"] = "application/json" }, body)
end
