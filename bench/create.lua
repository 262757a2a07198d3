-- POST /api/v1/applications with a new application each time.
local n = 0
request = function()
  n = n + 1
  local body = string.format('{"company":"Bench %d","title":"Load tester","status":"applied","tags":["bench"]}', n)
  return wrk.format("POST", "/api/v1/applications", nil, body)
end
