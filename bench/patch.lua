-- PATCH /api/v1/applications/{id}: a new title each time (no If-Match).
local n = 0
request = function()
  n = n + 1
  local body = string.format('{"title":"Load tester %d"}', n)
  return wrk.format("PATCH", wrk.path, nil, body)
end
