-- bench/simulate's mix (issue #18): per request a random user of many.
-- $BENCH_SIM has "token email password ids" lines (every simulated user);
-- $BENCH_SESSIONS has "cookie token ids" lines (the users signed in with a
-- browser). The mix, by share of requests:
--   30 % pages, signed in: the dashboard, the list, an application, the board
--   55 % API reads: the dashboard, a list (filters, sorts, searches), one application
--   15 % API writes: creates and edits (PATCH of a status-free field)
local users, browsers = {}, {}
local function ids_of(s)
  local list = {}
  for id in s:gmatch("[^,]+") do list[#list + 1] = id end
  return list
end
for line in io.lines(os.getenv("BENCH_SIM")) do
  local token, ids = line:match("^(%S+) %S+ %S+ (%S+)")
  users[#users + 1] = { token = token, ids = ids_of(ids) }
end
for line in io.lines(os.getenv("BENCH_SESSIONS")) do
  local cookie, ids = line:match("^(%S+) %S+ (%S+)")
  browsers[#browsers + 1] = { cookie = cookie, ids = ids_of(ids) }
end
local words = { "engineer", "platform", "data", "berlin", "remote", "payments", "kafka", "graphql", "pension", "zebra" }
local statuses = { "wishlist", "applied", "screening", "interviewing", "offer", "rejected" }
local sorts = { "updated_at", "-updated_at", "company", "-priority_score", "applied_on", "-deadline" }
local pages = { "/", "/applications", "app", "/applications/board" }
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
local n = 0
request = function()
  n = n + 1
  local r = math.random()
  if r < 0.30 then
    local b = browsers[math.random(#browsers)]
    local path = pages[math.random(#pages)]
    if path == "app" then path = "/applications/" .. b.ids[math.random(#b.ids)] end
    return wrk.format("GET", path, { ["Cookie"] = b.cookie, ["Accept"] = "text/html" })
  end
  local u = users[math.random(#users)]
  local auth = { ["Authorization"] = "Bearer " .. u.token }
  if r < 0.45 then
    return wrk.format("GET", "/api/v1/dashboard", auth)
  elseif r < 0.65 then
    local path = "/api/v1/applications?limit=" .. math.random(10, 50) .. "&sort=" .. sorts[math.random(#sorts)]
    if math.random() < 0.4 then path = path .. "&status=" .. statuses[math.random(#statuses)] end
    if math.random() < 0.5 then path = path .. "&q=" .. words[math.random(#words)] end
    return wrk.format("GET", path, auth)
  elseif r < 0.85 then
    return wrk.format("GET", "/api/v1/applications/" .. u.ids[math.random(#u.ids)], auth)
  end
  auth["Content-Type"] = "application/json"
  if r < 0.93 then
    local body = string.format('{"company":"Simulated %d","title":"Engineer","status":"wishlist","tags":["sim"]}', n)
    return wrk.format("POST", "/api/v1/applications", auth, body)
  end
  local body = string.format('{"next_action":"Follow up %d"}', n)
  return wrk.format("PATCH", "/api/v1/applications/" .. u.ids[math.random(#u.ids)], auth, body)
end
