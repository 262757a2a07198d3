-- Cold list pages: per request a random user, a limit from 10 to 50, half the
-- time a status filter, most of the time a one-word q, a random sort of the
-- contract's in either direction. $BENCH_COLD has "token email password ids"
-- lines (bench-seed --full).
local users = {}
for line in io.lines(os.getenv("BENCH_COLD")) do
  local token = line:match("^(%S+)")
  users[#users + 1] = token
end
local words = { "engineer", "backend", "platform", "data", "reliability", "berlin", "remote",
  "amsterdam", "london", "payments", "logistics", "clinics", "kubernetes", "kafka", "spark",
  "graphql", "cassandra", "pension", "holiday", "compliance", "zebra", "quantum" }
local statuses = { "wishlist", "applied", "screening", "interviewing", "offer", "rejected", "ghosted", "withdrawn" }
local sorts = { "updated_at", "created_at", "applied_on", "company", "priority_score", "deadline" }
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
request = function()
  local token = users[math.random(#users)]
  local path = "/api/v1/applications?limit=" .. math.random(10, 50)
  if math.random() < 0.5 then path = path .. "&status=" .. statuses[math.random(#statuses)] end
  if math.random() < 0.8 then path = path .. "&q=" .. words[math.random(#words)] end
  local sort = sorts[math.random(#sorts)]
  if math.random() < 0.5 then sort = "-" .. sort end
  return wrk.format("GET", path .. "&sort=" .. sort, { ["Authorization"] = "Bearer " .. token })
end
