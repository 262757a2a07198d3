-- PATCH /api/v1/applications/{id} of one user: a new title each time (no
-- If-Match). One user's writes are serialized by design.
local n = 0
request = function()
  n = n + 1
  return wrk.format("PATCH", wrk.path, nil, string.format('{"title":"Load tester %d"}', n))
end
