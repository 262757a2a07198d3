//! `jobcopilot demo`: a fresh account with a realistic ten-week job search —
//! about 40 applications in every status, their histories, notes and
//! interviews — so a newcomer sees a living product at once.

use deadpool_postgres::Pool;
use rand::seq::SliceRandom;
use rand::Rng;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::auth::accounts;
use crate::domain::account::Registration;
use crate::domain::application::{ApplicationFields, WorkMode};
use crate::domain::interview::{InterviewFields, InterviewKind, Outcome};
use crate::domain::pipeline::Status;
use crate::error::{Error, Result};
use crate::store::{applications, history, interviews, notes};

/// The demo account, as printed for the newcomer.
pub struct DemoAccount {
    pub email: String,
    pub password: String,
    pub token: String,
    pub applications: usize,
}

impl DemoAccount {
    pub fn instructions(&self, public_url: &url::Url) -> String {
        let base = public_url.as_str().trim_end_matches('/');
        format!(
            "Demo account created with {n} applications.\n\n  email:     {email}\n  password:  {password}\n  API token: {token}\n\n\
             Try it:\n  curl -H 'Authorization: Bearer {token}' {base}/api/v1/applications?limit=5\n  \
             curl -H 'Authorization: Bearer {token}' {base}/api/v1/interviews\n\nAPI docs: {base}/api/docs/",
            n = self.applications,
            email = self.email,
            password = self.password,
            token = self.token,
        )
    }
}

const COMPANIES: [(&str, &str); 40] = [
    ("Northwind Labs", "Berlin"),
    ("Helio Energy", "Remote (EU)"),
    ("Quarry Analytics", "Amsterdam"),
    ("Brightline Health", "London"),
    ("Tessellate", "Remote"),
    ("Juniper Robotics", "Munich"),
    ("Fathom Maps", "Copenhagen"),
    ("Cobalt Payments", "Dublin"),
    ("Lumen Learning", "Remote (US)"),
    ("Orbital Freight", "Rotterdam"),
    ("Saffron Foods", "Paris"),
    ("Kestrel Security", "Zurich"),
    ("Atlas Climate", "Stockholm"),
    ("Pinecone Studio", "Lisbon"),
    ("Meridian Bank", "Frankfurt"),
    ("Waypoint Travel", "Barcelona"),
    ("Nimbus Cloud", "Remote"),
    ("Harbor Logistics", "Hamburg"),
    ("Vertex Games", "Helsinki"),
    ("Clearwater Bio", "Basel"),
    ("Granite Data", "Vienna"),
    ("Beacon Insurance", "Cologne"),
    ("Sparrow Mobility", "Oslo"),
    ("Tidal Audio", "Remote (EU)"),
    ("Ember Analytics", "Prague"),
    ("Copperleaf", "Edinburgh"),
    ("Polaris Space", "Bremen"),
    ("Riverbend Software", "Utrecht"),
    ("Summit Health", "Leipzig"),
    ("Quill Docs", "Remote"),
    ("Arcadia Retail", "Milan"),
    ("Foundry AI", "London"),
    ("Lattice Networks", "Warsaw"),
    ("Evergreen Energy", "Madrid"),
    ("Monarch Media", "Brussels"),
    ("Keystone Legal", "Luxembourg"),
    ("Driftwood Homes", "Gothenburg"),
    ("Signal Systems", "Tallinn"),
    ("Parallel Finance", "Remote (EU)"),
    ("Cascade Devices", "Eindhoven"),
];

const TITLES: [&str; 10] = [
    "Senior Backend Engineer",
    "Staff Software Engineer",
    "Platform Engineer",
    "Rust Engineer",
    "Site Reliability Engineer",
    "Senior Software Engineer, Payments",
    "Backend Engineer (Go/Rust)",
    "Engineering Lead, Infrastructure",
    "Senior Data Engineer",
    "Distributed Systems Engineer",
];

const SOURCES: [&str; 6] = [
    "LinkedIn",
    "referral",
    "company site",
    "Hacker News",
    "recruiter",
    "Otta",
];
const TAGS: [&str; 8] = [
    "rust",
    "kubernetes",
    "postgres",
    "fintech",
    "climate",
    "remote-first",
    "startup",
    "go",
];

const NOTES: [&str; 8] = [
    "Recruiter call went well: they care most about on-call experience and PostgreSQL depth.",
    "Asked a former colleague who works there about the team; sounds like a calm, senior group.",
    "Sent a follow-up email to the hiring manager.",
    "Salary band confirmed on the call; equity is on top.",
    "Prepared a story about the migration to event sourcing for the behavioural round.",
    "Take-home due Friday — keep it under four hours as they asked.",
    "They are hiring for two teams; I prefer the platform one.",
    "Glassdoor reviews mention long release cycles; ask about deployment frequency.",
];

/// Where each demo application ends, and how many of each.
const ENDINGS: [(Status, usize); 10] = [
    (Status::Wishlist, 6),
    (Status::Applied, 9),
    (Status::Screening, 4),
    (Status::Interviewing, 5),
    (Status::Offer, 2),
    (Status::Accepted, 1),
    (Status::Declined, 1),
    (Status::Rejected, 7),
    (Status::Withdrawn, 2),
    (Status::Ghosted, 3),
];

/// The statuses an application passed through to reach `end`.
fn path_to(end: Status, rng: &mut impl Rng) -> Vec<Status> {
    use Status::*;
    let mut path = match end {
        Wishlist => vec![Wishlist],
        Applied => vec![Applied],
        Screening => vec![Applied, Screening],
        Interviewing => vec![Applied, Screening, Interviewing],
        Offer => vec![Applied, Screening, Interviewing, Offer],
        Accepted => vec![Applied, Screening, Interviewing, Offer, Accepted],
        Declined => vec![Applied, Interviewing, Offer, Declined],
        Rejected => match rng.gen_range(0..3) {
            0 => vec![Applied, Rejected],
            1 => vec![Applied, Screening, Rejected],
            _ => vec![Applied, Screening, Interviewing, Rejected],
        },
        Withdrawn => vec![Applied, Screening, Withdrawn],
        Ghosted => vec![Applied, Ghosted],
    };
    if path[0] == Applied && rng.gen_bool(0.4) {
        path.insert(0, Wishlist);
    }
    path
}

fn description(title: &str, company: &str, tags: &[&str]) -> String {
    format!(
        "{company} is hiring a {title}.\n\nYou will design, build and run services that thousands of customers rely on every day, \
         working closely with product and design in a small, senior team.\n\nWhat we look for:\n\
         - Several years building backend systems in production\n- Experience with {}\n\
         - Comfort with on-call, observability and incident reviews\n- Clear written communication\n\n\
         We offer flexible hours, a learning budget and a calm, remote-friendly culture.",
        tags.join(", ")
    )
}

/// Creates the demo account and its data.
pub async fn create(pool: &Pool) -> Result<DemoAccount> {
    let mut rng = rand::thread_rng();
    let suffix: String = (0..6)
        .map(|_| char::from(b'a' + rng.gen_range(0..26)))
        .collect();
    let password: String = (0..16)
        .map(|_| {
            let chars = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
            char::from(chars[rng.gen_range(0..chars.len())])
        })
        .collect();
    let email = format!("demo+{suffix}@example.com");
    let reg = Registration {
        email: email.clone(),
        password: password.clone(),
        display_name: Some("Alex Demo".into()),
    };
    let (user, token, _) = accounts::register(pool, reg).await?;

    let mut endings: Vec<Status> = ENDINGS
        .iter()
        .flat_map(|(s, n)| std::iter::repeat_n(*s, *n))
        .collect();
    endings.shuffle(&mut rng);
    let now = OffsetDateTime::now_utc();
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    for (i, end) in endings.iter().enumerate() {
        let (company, location) = COMPANIES[i % COMPANIES.len()];
        let title = TITLES[rng.gen_range(0..TITLES.len())];
        let tag_count = rng.gen_range(1..4);
        let mut tags: Vec<&str> = TAGS.choose_multiple(&mut rng, tag_count).copied().collect();
        tags.sort_unstable();
        let path = path_to(*end, &mut rng);

        // Walk the path from a start in the last ten weeks, never into the future.
        let start =
            now - Duration::days(rng.gen_range(3..70)) - Duration::minutes(rng.gen_range(0..600));
        let mut times = vec![start];
        for _ in 1..path.len() {
            let prev = *times.last().unwrap_or(&start);
            let next = (prev + Duration::days(rng.gen_range(2..10)))
                .min(now - Duration::minutes(rng.gen_range(5..600)));
            times.push(next.max(prev + Duration::minutes(1)));
        }
        let applied_on = path
            .iter()
            .position(|s| *s == Status::Applied)
            .map(|p| times[p].date());
        let salary_min = rng.gen_range(70..120) * 1000;
        let work_mode = if location.starts_with("Remote") {
            WorkMode::Remote
        } else {
            *[WorkMode::Onsite, WorkMode::Hybrid, WorkMode::Hybrid]
                .choose(&mut rng)
                .unwrap_or(&WorkMode::Hybrid)
        };
        let fields = ApplicationFields {
            company: company.to_owned(),
            title: title.to_owned(),
            url: Some(
                format!(
                    "https://careers.{}.example/jobs/{}",
                    company.to_lowercase().replace(' ', ""),
                    rng.gen_range(1000..9999)
                )
                .into(),
            ),
            location: Some(location.into()),
            work_mode: Some(work_mode),
            salary_min: Some(salary_min),
            salary_max: Some(salary_min + rng.gen_range(10..40) * 1000),
            salary_currency: "EUR".into(),
            status: *end,
            source: Some(SOURCES[rng.gen_range(0..SOURCES.len())].into()),
            applied_on,
            deadline: (*end == Status::Wishlist)
                .then(|| (now + Duration::days(rng.gen_range(2..20))).date()),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            contact_name: rng.gen_bool(0.5).then(|| "Sam Rivera".into()),
            contact_email: None,
            next_action: matches!(end, Status::Interviewing | Status::Offer)
                .then(|| "Prepare questions for the team".into()),
            next_action_at: matches!(end, Status::Interviewing | Status::Offer)
                .then(|| now + Duration::days(rng.gen_range(1..6))),
        };
        let jd = description(title, company, &tags);
        let id = Uuid::now_v7();
        let write = applications::Write {
            fields: &fields,
            job_description: Some(&jd),
            priority_score: 0,
            priority_reasons: &[],
        };
        applications::insert(&tx, user.id, id, write, None, start).await?;
        let mut from = None;
        for (status, at) in path.iter().zip(&times) {
            history::insert(
                &tx,
                user.id,
                history::NewEntry {
                    id: Uuid::now_v7(),
                    application_id: id,
                    from_status: from,
                    to_status: *status,
                    changed_at: *at,
                    note: None,
                    is_undo: false,
                },
            )
            .await?;
            from = Some(*status);
        }
        let last = *times.last().unwrap_or(&start);
        for _ in 0..rng.gen_range(0..3) {
            let at = start + (last - start) * rng.gen_range(0.1..1.0);
            notes::insert(
                &tx,
                user.id,
                Uuid::now_v7(),
                id,
                NOTES[rng.gen_range(0..NOTES.len())],
                at,
            )
            .await?;
        }
        for (status, at) in path.iter().zip(&times) {
            let (kind, reached) = match status {
                Status::Screening => (InterviewKind::PhoneScreen, *at),
                Status::Interviewing => (InterviewKind::Technical, *at),
                Status::Offer => (InterviewKind::Final, *at - Duration::days(3)),
                _ => continue,
            };
            let current = status == end && end.is_active();
            let scheduled_at = if current {
                now + Duration::days(rng.gen_range(1..10)) + Duration::hours(rng.gen_range(0..8))
            } else {
                reached + Duration::days(1)
            };
            let fields = InterviewFields {
                kind,
                scheduled_at,
                duration_minutes: if kind == InterviewKind::PhoneScreen {
                    30
                } else {
                    60
                },
                location: None,
                meeting_url: Some("https://meet.example.com/abc-defg-hij".into()),
                interviewers: vec!["Jordan Lee".into()],
                notes: None,
                outcome: if current {
                    Outcome::Scheduled
                } else {
                    Outcome::Passed
                },
            };
            interviews::insert(
                &tx,
                user.id,
                Uuid::now_v7(),
                id,
                &fields,
                scheduled_at.min(now),
            )
            .await?;
        }
        applications::set_times(&tx, user.id, id, last, last).await?;
    }
    let prefs = crate::domain::preferences::Preferences {
        target_salary: Some(110_000),
        salary_currency: "EUR".into(),
        work_modes: vec![WorkMode::Remote, WorkMode::Hybrid],
        keywords_include: vec!["Rust".into(), "PostgreSQL".into(), "Kubernetes".into()],
        ..Default::default()
    };
    crate::store::preferences::put(&tx, user.id, &prefs, now).await?;
    crate::actors::commands::rescore_all(&tx, user.id, &prefs, "UTC", now).await?;
    tx.commit().await.map_err(Error::from)?;
    Ok(DemoAccount {
        email,
        password,
        token,
        applications: endings.len(),
    })
}

/// A benchmark account with `n` applications; answers (token, one application id).
pub async fn bench_account(pool: &Pool, n: i32) -> Result<BenchAccount> {
    let suffix = Uuid::now_v7().simple().to_string();
    let email = format!("bench-{n}-{}@example.com", &suffix[20..]);
    let reg = Registration {
        email: email.clone(),
        password: suffix.clone(),
        display_name: Some(format!("Bench {n}")),
    };
    let (user, token, _) = accounts::register(pool, reg).await?;
    let client = pool.get().await?;
    crate::store::seed::applications(&client, user.id, n).await?;
    crate::store::seed::analyze(&client).await?;
    let ids = crate::store::seed::application_ids(&client, user.id).await?;
    if ids.is_empty() {
        return Err(Error::internal("no application was seeded"));
    }
    Ok(BenchAccount {
        token,
        email,
        password: suffix,
        ids,
    })
}

/// `users` benchmark accounts of `n` applications each (bench/simulate):
/// one password for all, seeded a batch of accounts at a time.
pub async fn bench_accounts(pool: &Pool, users: usize, n: i32) -> Result<Vec<BenchAccount>> {
    let password = Uuid::new_v4().simple().to_string();
    let mut all = Vec::with_capacity(users);
    let client = pool.get().await?;
    while all.len() < users {
        let emails: Vec<String> = (0..(users - all.len()).min(500))
            .map(|_| format!("sim-{}@example.com", Uuid::now_v7().simple()))
            .collect();
        for (user, token) in accounts::register_many(pool, &password, &emails).await? {
            crate::store::seed::applications(&client, user.id, n).await?;
            let ids = crate::store::seed::application_ids(&client, user.id).await?;
            all.push(BenchAccount {
                token,
                email: user.email,
                password: password.clone(),
                ids,
            });
        }
    }
    crate::store::seed::analyze(&client).await?;
    Ok(all)
}

/// A load-benchmark account: how to sign in, and what it holds.
pub struct BenchAccount {
    pub token: String,
    pub email: String,
    pub password: String,
    /// Its applications, newest change first (never empty).
    pub ids: Vec<Uuid>,
}
