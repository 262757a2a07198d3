-- The pages people load, signed in (a session cookie per user): $PAGE is
-- "/", "/applications", "/board", "app" (an application's page) or an API
-- path; the user (and the application) are chosen at random per request.
-- $BENCH_SESSIONS has "cookie token ids" lines.
local users = {}
for line in io.lines(os.getenv("BENCH_SESSIONS")) do
  local cookie, token, ids = line:match("^(%S+) (%S+) (%S+)")
  local list = {}
  for id in ids:gmatch("[^,]+") do list[#list + 1] = id end
  users[#users + 1] = { cookie = cookie, token = token, ids = list }
end
local page = os.getenv("PAGE")
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
request = function()
  local u = users[math.random(#users)]
  local path = page
  local headers = {}
  if page == "app" then
    path = "/applications/" .. u.ids[math.random(#u.ids)]
  elseif page == "api-app" then
    path = "/api/v1/applications/" .. u.ids[math.random(#u.ids)]
  end
  if path:sub(1, 8) == "/api/v1/" then
    headers["Authorization"] = "Bearer " .. u.token
  else
    headers["Cookie"] = u.cookie
    headers["Accept"] = "text/html"
  end
  return wrk.format("GET", path, headers)
end
