//! Bulk data for the load benchmark: a realistic job search of any size,
//! generated inside PostgreSQL (set-based, seconds for 100,000 applications).

use uuid::Uuid;

use super::{GenericClient, StoreResult};

/// Gives the user `n` applications over the past ten weeks, in every status,
/// with their status history and some interviews.
pub async fn applications(db: &impl GenericClient, user_id: Uuid, n: i32) -> StoreResult<()> {
    db.execute(
        "WITH apps AS (
           INSERT INTO job_applications (id, user_id, company, title, status, source, applied_on, location,
                                         work_mode, salary_min, salary_max, tags, job_description,
                                         created_at, updated_at, status_changed_at)
           SELECT gen_random_uuid(), $1, 'Company ' || (g % 5000),
                  (ARRAY['Backend Engineer','Platform Engineer','Site Reliability Engineer','Data Engineer'])[1 + g % 4],
                  (ARRAY['wishlist','applied','applied','screening','interviewing','offer','rejected','rejected','ghosted','withdrawn'])[1 + g % 10],
                  (ARRAY['LinkedIn','referral','company site','recruiter'])[1 + g % 4],
                  CASE WHEN g % 10 = 0 THEN NULL ELSE (now() - (g % 70) * interval '1 day')::date END,
                  (ARRAY['Berlin','Remote','Amsterdam','London'])[1 + g % 4],
                  (ARRAY['remote','hybrid','onsite'])[1 + g % 3],
                  70000 + (g % 50) * 1000, 90000 + (g % 50) * 1000,
                  ARRAY[(ARRAY['rust','go','kubernetes','postgres'])[1 + g % 4]],
                  -- A realistic posting (about 0.6 to 1 KB), varied by g: what the
                  -- company does, the role, its stack, requirements and perks.
                  concat_ws(' ',
                    (ARRAY['Company ' || (g % 5000) || ' builds payment infrastructure for small businesses across Europe.',
                           'Company ' || (g % 5000) || ' runs the logistics platform behind same-day delivery in forty cities.',
                           'Company ' || (g % 5000) || ' makes scheduling software that clinics and hospitals rely on every day.',
                           'Company ' || (g % 5000) || ' develops tools that help engineering teams ship software safely.'])[1 + g % 4],
                    'In this role you will design, build and operate services that handle millions of requests a day,',
                    'own them in production and improve how the team works.',
                    (ARRAY['You will work with Rust, PostgreSQL and Kubernetes on Linux.',
                           'You will work with Go, Kafka and Terraform on AWS.',
                           'You will work with Python, Spark and Airflow on Google Cloud.',
                           'You will work with TypeScript, Node.js and GraphQL on Azure.',
                           'You will work with Java, Cassandra and gRPC in our own data centres.'])[1 + (g / 4) % 5],
                    'We are looking for 5+ years of backend experience, a strong grasp of distributed systems,',
                    'observability and incident response, and clear written communication.',
                    (ARRAY['Experience with event sourcing is a plus.', 'Experience with machine learning pipelines is a plus.',
                           'Experience with mobile backends is a plus.', 'Experience with search engines is a plus.',
                           'Experience with payments and compliance is a plus.', 'Experience with embedded systems is a plus.'])[1 + (g / 20) % 6],
                    repeat('We value ownership, kind code reviews and a sustainable pace. ', 1 + g % 4),
                    'We offer a remote-friendly team, thirty days of holiday, a learning budget and a pension plan.'),
                  now() - (g % 70) * interval '1 day' - (g % 1000) * interval '1 second',
                  now() - (g % 70) * interval '1 day' + interval '2 days',
                  now() - (g % 70) * interval '1 day' + interval '2 days'
             FROM generate_series(1, $2) g
           RETURNING id, status, created_at
         ), first AS (
           INSERT INTO status_history (id, user_id, application_id, from_status, to_status, changed_at)
           SELECT gen_random_uuid(), $1, id, NULL, CASE WHEN status = 'wishlist' THEN 'wishlist' ELSE 'applied' END, created_at
             FROM apps
         ), scores AS (
           INSERT INTO application_scores (application_id, user_id, score) SELECT id, $1, 0 FROM apps
         ), later AS (
           INSERT INTO status_history (id, user_id, application_id, from_status, to_status, changed_at)
           SELECT gen_random_uuid(), $1, id, 'applied', status, created_at + interval '2 days'
             FROM apps WHERE status NOT IN ('wishlist', 'applied')
         )
         -- Past interviews for every application that got that far, and a
         -- realistic handful (about ten) still to come.
         INSERT INTO interviews (id, user_id, application_id, kind, scheduled_at, outcome)
         SELECT gen_random_uuid(), $1, id, 'technical',
                CASE WHEN row_number() OVER (ORDER BY id) <= 10 THEN now() + (row_number() OVER (ORDER BY id)) * interval '1 day'
                     ELSE created_at + interval '1 day' END,
                CASE WHEN row_number() OVER (ORDER BY id) <= 10 THEN 'scheduled' ELSE 'completed' END
           FROM apps WHERE status IN ('interviewing', 'offer')",
        &[&user_id, &n],
    )
    .await?;
    Ok(())
}

/// Fresh statistics, so the planner does not meet the seeded rows blind.
pub async fn analyze(db: &impl GenericClient) -> StoreResult<()> {
    db.batch_execute("ANALYZE job_applications, application_scores, status_history, interviews")
        .await?;
    Ok(())
}

/// Every application id of the user, newest change first.
pub async fn application_ids(db: &impl GenericClient, user_id: Uuid) -> StoreResult<Vec<Uuid>> {
    let rows = db
        .query(
            "SELECT id FROM job_applications WHERE user_id = $1 ORDER BY updated_at DESC, id DESC",
            &[&user_id],
        )
        .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}
