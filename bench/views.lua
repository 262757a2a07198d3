-- What a page shows, read through the API instead (the page's JSON
-- equivalent), one view after another per connection: $VIEW is "app" (an
-- application's six reads: the application, its notes, history, interviews,
-- drafts and fit) or "board" (the 500 most recently updated applications:
-- three pages of the list, following next_cursor). bench/cold multiplies the
-- CPU per request by the requests per view. $BENCH_SESSIONS as for pages.lua.
local users = {}
for line in io.lines(os.getenv("BENCH_SESSIONS")) do
  local cookie, token, ids = line:match("^(%S+) (%S+) (%S+)")
  local list = {}
  for id in ids:gmatch("[^,]+") do list[#list + 1] = id end
  users[#users + 1] = { token = token, ids = list }
end
local view = os.getenv("VIEW")
local user, id, step, cursor = nil, nil, 0, nil
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)

local function app_paths(id)
  return {
    "/api/v1/applications/" .. id,
    "/api/v1/applications/" .. id .. "/notes",
    "/api/v1/applications/" .. id .. "/history",
    "/api/v1/interviews?application_id=" .. id,
    "/api/v1/generations?application_id=" .. id,
    "/api/v1/applications/" .. id .. "/fit",
  }
end

request = function()
  if step == 0 then
    user = users[math.random(#users)]
    id = user.ids[math.random(#user.ids)]
    cursor = nil
  end
  local path
  if view == "app" then
    path = app_paths(id)[step + 1]
    step = (step + 1) % 6
  else
    path = "/api/v1/applications?limit=" .. (step == 2 and 100 or 200)
    if cursor then path = path .. "&cursor=" .. cursor end
    step = (step + 1) % 3
  end
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. user.token })
end

response = function(status, headers, body)
  if view == "board" then
    cursor = body:match('"next_cursor":"([^"]+)"')
  end
end
