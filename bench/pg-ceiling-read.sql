-- What PostgreSQL alone does for one application read on this machine: the
-- server's own statement (its version and job description by id and user),
-- for a random application of a random user (bench_ids numbers them). Run by
-- bench/pg-ceiling with prepared statements, as the server's pool does.
\set r random(1, :rows)
SELECT a.version, a.job_description
  FROM bench_ids b JOIN job_applications a ON a.id = b.id AND a.user_id = b.user_id
 WHERE b.n = :r;
