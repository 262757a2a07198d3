-- One application: a random user, a random one of their applications.
local users = {}
for line in io.lines(os.getenv("BENCH_COLD")) do
  local token, ids = line:match("^(%S+) %S+ %S+ (%S+)")
  local list = {}
  for id in ids:gmatch("[^,]+") do list[#list + 1] = id end
  users[#users + 1] = { token = token, ids = list }
end
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
request = function()
  local u = users[math.random(#users)]
  return wrk.format("GET", "/api/v1/applications/" .. u.ids[math.random(#u.ids)],
    { ["Authorization"] = "Bearer " .. u.token })
end
