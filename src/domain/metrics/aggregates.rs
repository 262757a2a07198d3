//! The incrementally maintained figures of one user: each application and
//! interview contributes, and a write swaps the old contribution for the new.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

use crate::domain::application::Application;
use crate::domain::interview::{Interview, InterviewKind, Outcome};
use crate::domain::pipeline::Status;
use crate::domain::time::{local_date, local_midnight};

use super::*;

/// What the dashboard needs to know about one application.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplicationFacts {
    pub application: Application,
    /// Effective history entries, oldest first.
    pub history: Box<[Change]>,
    /// When a note was last written.
    pub last_note_at: Option<OffsetDateTime>,
}

/// The user's settings that shape actions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionSettings {
    pub timezone: String,
    pub follow_up_after_days: i64,
    pub ghosted_after_days: i64,
}

impl Default for ActionSettings {
    fn default() -> Self {
        ActionSettings {
            timezone: "UTC".into(),
            follow_up_after_days: 7,
            ghosted_after_days: 30,
        }
    }
}

/// An application's contribution to the aggregates (what to take away when
/// it changes).
#[derive(Debug, Clone, PartialEq)]
struct Contribution {
    status: Status,
    active: bool,
    stage: Option<Stage>,
    responded: bool,
    response_days: Option<i64>,
    /// Completed stays, in whole seconds (integers keep the sums exact).
    stays: Box<[(Stage, i64)]>,
    source: Option<Box<str>>,
    applied_on: Option<Date>,
    offer_date: Option<Date>,
    follow_up: Option<Date>,
    deadline: Option<Date>,
    next_action: Option<OffsetDateTime>,
    last_activity: Option<OffsetDateTime>,
    ghost_candidate: bool,
    rank: Option<(Reverse<i16>, Reverse<OffsetDateTime>)>,
}

fn contribution(
    f: &ApplicationFacts,
    interview_activity: Option<OffsetDateTime>,
    s: &ActionSettings,
) -> Contribution {
    let a = &f.application;
    let fields = &a.fields;
    let tz = s.timezone.as_str();
    let stage = f.history.iter().filter_map(|c| stage_of(c.to_status)).max();
    let first_response = f.history.iter().find(|c| is_response(c.to_status));
    let responded = first_response.is_some();
    let response_days = match (first_response, fields.applied_on) {
        (Some(r), Some(applied)) => Some((local_date(r.changed_at, tz) - applied).whole_days()),
        _ => None,
    };
    // A stay ends when an entry implies another stage (or none); runs of the
    // same stage are one stay (applied → ghosted stays in "applied").
    let stays = merge_stays(&f.history);
    let offer_date = f
        .history
        .iter()
        .find(|c| stage_of(c.to_status).is_some_and(|st| st >= Stage::Offer))
        .map(|c| local_date(c.changed_at, tz));
    let last_change = f.history.last().map(|c| c.changed_at);
    let last_note_date = f.last_note_at.map(|t| local_date(t, tz));
    let follow_up = if fields.status == Status::Applied {
        [fields.applied_on, last_note_date]
            .into_iter()
            .flatten()
            .max()
            .map(|d| d + Duration::days(s.follow_up_after_days))
    } else {
        None
    };
    let active = fields.status.is_active();
    let last_activity = [last_change, f.last_note_at, interview_activity]
        .into_iter()
        .flatten()
        .max();
    Contribution {
        status: fields.status,
        active,
        stage,
        responded,
        response_days: if responded { response_days } else { None },
        stays: stays.into_boxed_slice(),
        source: fields.source.as_deref().map(Box::from),
        applied_on: fields.applied_on,
        offer_date,
        follow_up,
        deadline: if active { fields.deadline } else { None },
        next_action: fields.next_action_at,
        last_activity,
        ghost_candidate: matches!(fields.status, Status::Applied | Status::Screening),
        rank: active.then_some((Reverse(a.priority_score), Reverse(a.updated_at))),
    }
}

fn merge_stays(history: &[Change]) -> Vec<(Stage, i64)> {
    let mut stays = Vec::new();
    let mut current: Option<(Stage, OffsetDateTime)> = None;
    for c in history {
        let st = stage_of(c.to_status);
        match (current, st) {
            (Some((cur, _)), Some(next)) if cur == next => {}
            (Some((cur, since)), _) => {
                if cur != Stage::Accepted {
                    stays.push((cur, (c.changed_at - since).whole_seconds()));
                }
                current = st.map(|s| (s, c.changed_at));
            }
            (None, _) => current = st.map(|s| (s, c.changed_at)),
        }
    }
    stays
}

/// An interview's contribution.
#[derive(Debug, Clone, PartialEq)]
struct InterviewEntry {
    application_id: Uuid,
    kind: InterviewKind,
    outcome: Outcome,
    scheduled_at: OffsetDateTime,
    duration_minutes: i32,
    location: Option<String>,
    meeting_url: Option<String>,
    created_at: OffsetDateTime,
    local_day: Date,
}

/// An application in the working set. Both parts boxed: a table's free slots
/// then cost two pointers, not whole rows, and each box fits an allocation
/// size class (see the size test below).
#[derive(Debug, Clone)]
struct Held {
    facts: Box<ApplicationFacts>,
    contribution: Box<Contribution>,
}

/// The incrementally maintained figures of one user.
#[derive(Debug, Clone, Default)]
pub struct Aggregates {
    settings: ActionSettings,
    /// Each application and what it adds to the figures, in one table.
    apps: HashMap<Uuid, Held>,
    interviews: HashMap<Uuid, InterviewEntry>,
    /// Each application's interviews, as (application, interview) pairs (so
    /// one application never scans them all; one tree for all, as most
    /// applications have one interview or none).
    interviews_of: BTreeSet<(Uuid, Uuid)>,
    by_status: [i64; 10],
    stages: [i64; 5],
    responded: i64,
    response_days: BTreeMap<i64, i64>,
    stays: [(i64, i64); 4],
    sources: HashMap<String, (i64, i64)>,
    applied_days: BTreeMap<Date, i64>,
    offer_days: BTreeMap<Date, i64>,
    interview_days: BTreeMap<Date, i64>,
    scheduled: BTreeSet<(OffsetDateTime, Uuid)>,
    follow_ups: BTreeSet<(Date, Uuid)>,
    deadlines: BTreeSet<(Date, Uuid)>,
    next_actions: BTreeSet<(OffsetDateTime, Uuid)>,
    quiet_since: BTreeSet<(OffsetDateTime, Uuid)>,
    ranking: BTreeSet<(Reverse<i16>, Reverse<OffsetDateTime>, Uuid)>,
}

/// Adds `by` to a count, dropping the key when it reaches zero.
fn bump<K: Ord + Copy>(map: &mut BTreeMap<K, i64>, key: K, by: i64) {
    let entry = map.entry(key).or_insert(0);
    *entry += by;
    if *entry == 0 {
        map.remove(&key);
    }
}

fn status_index(s: Status) -> usize {
    Status::ALL.iter().position(|x| *x == s).unwrap_or(0)
}

impl Aggregates {
    pub fn new(settings: ActionSettings) -> Self {
        Aggregates {
            settings,
            ..Default::default()
        }
    }

    /// Aggregates of a whole working set, built from scratch.
    pub fn build(
        settings: ActionSettings,
        apps: Vec<ApplicationFacts>,
        interviews: Vec<Interview>,
    ) -> Self {
        let mut agg = Aggregates::new(settings);
        for i in interviews {
            agg.put_interview_entry(&i);
        }
        for f in apps {
            agg.put_application(f);
        }
        agg
    }

    pub fn settings(&self) -> &ActionSettings {
        &self.settings
    }

    /// Changes the settings (time zone, delays): everything is recomputed.
    pub fn set_settings(&mut self, settings: ActionSettings) {
        let apps: Vec<ApplicationFacts> = self
            .apps
            .values()
            .map(|h| ApplicationFacts::clone(&h.facts))
            .collect();
        let interviews: Vec<(Uuid, InterviewEntry)> = self.interviews.drain().collect();
        *self = Aggregates::new(settings);
        for (id, mut e) in interviews {
            e.local_day = local_date(e.scheduled_at, &self.settings.timezone);
            self.add_interview_entry(id, e);
        }
        for f in apps {
            self.put_application(f);
        }
    }

    pub fn applications(&self) -> usize {
        self.apps.len()
    }

    pub fn interviews(&self) -> usize {
        self.interviews.len()
    }

    pub fn facts(&self, id: &Uuid) -> Option<&ApplicationFacts> {
        self.apps.get(id).map(|h| &*h.facts)
    }

    fn facts_mut(&mut self, id: &Uuid) -> Option<&mut ApplicationFacts> {
        self.apps.get_mut(id).map(|h| &mut *h.facts)
    }

    /// The interviews of one application.
    fn interview_ids(&self, application_id: Uuid) -> impl Iterator<Item = Uuid> + '_ {
        self.interviews_of
            .range((application_id, Uuid::nil())..=(application_id, Uuid::max()))
            .map(|(_, id)| *id)
    }

    /// Every application, in no order.
    pub fn all_applications(&self) -> impl Iterator<Item = &Application> {
        self.apps.values().map(|h| &h.facts.application)
    }

    fn interview_activity(&self, application_id: Uuid) -> Option<OffsetDateTime> {
        self.interview_ids(application_id)
            .filter_map(|id| self.interviews.get(&id))
            .map(|i| i.created_at.max(i.scheduled_at))
            .max()
    }

    fn apply(&mut self, id: Uuid, c: &Contribution, sign: i64) {
        let add = sign > 0;
        self.by_status[status_index(c.status)] += sign;
        if let Some(st) = c.stage {
            self.stages[st.index()] += sign;
        }
        if c.responded {
            self.responded += sign;
        }
        if let Some(d) = c.response_days {
            bump(&mut self.response_days, d, sign);
        }
        for (st, secs) in &c.stays {
            let slot = &mut self.stays[st.index()];
            slot.0 += sign * secs;
            slot.1 += sign;
        }
        if let (Some(src), Some(_)) = (&c.source, c.stage) {
            let e = self.sources.entry(src.to_string()).or_insert((0, 0));
            e.0 += sign;
            if c.responded {
                e.1 += sign;
            }
            if e.0 == 0 {
                self.sources.remove(&**src);
            }
        }
        if let Some(d) = c.applied_on {
            bump(&mut self.applied_days, d, sign);
        }
        if let Some(d) = c.offer_date {
            bump(&mut self.offer_days, d, sign);
        }
        if let Some(d) = c.follow_up {
            if add {
                self.follow_ups.insert((d, id));
            } else {
                self.follow_ups.remove(&(d, id));
            }
        }
        if let Some(d) = c.deadline {
            if add {
                self.deadlines.insert((d, id));
            } else {
                self.deadlines.remove(&(d, id));
            }
        }
        if let Some(t) = c.next_action {
            if add {
                self.next_actions.insert((t, id));
            } else {
                self.next_actions.remove(&(t, id));
            }
        }
        if let (true, Some(t)) = (c.ghost_candidate, c.last_activity) {
            if add {
                self.quiet_since.insert((t, id));
            } else {
                self.quiet_since.remove(&(t, id));
            }
        }
        if let Some((score, updated)) = c.rank {
            if add {
                self.ranking.insert((score, updated, id));
            } else {
                self.ranking.remove(&(score, updated, id));
            }
        }
    }

    /// Adds or replaces an application.
    pub fn put_application(&mut self, facts: ApplicationFacts) {
        let id = facts.application.id;
        self.take(id);
        let c = contribution(&facts, self.interview_activity(id), &self.settings);
        self.apply(id, &c, 1);
        self.apps.insert(
            id,
            Held {
                facts: Box::new(facts),
                contribution: Box::new(c),
            },
        );
    }

    /// Takes an application out, with its contribution to the figures.
    fn take(&mut self, id: Uuid) {
        if let Some(old) = self.apps.remove(&id) {
            self.apply(id, &old.contribution, -1);
        }
    }

    /// Recomputes one application (after a note or an interview changed it).
    fn refresh(&mut self, id: Uuid) {
        if let Some(f) = self.facts(&id) {
            let f = ApplicationFacts::clone(f);
            self.put_application(f);
        }
    }

    /// Removes an application and its interviews; no other application
    /// names it as its possible duplicate any more (as in PostgreSQL).
    pub fn remove_application(&mut self, id: Uuid) {
        self.take(id);
        for h in self.apps.values_mut() {
            if h.facts.application.possible_duplicate_of == Some(id) {
                h.facts.application.possible_duplicate_of = None;
            }
        }
        let gone: Vec<Uuid> = self.interview_ids(id).collect();
        for iv in gone {
            self.remove_interview_entry(iv);
        }
    }

    /// Sets an application's score and reasons (after a re-score).
    pub fn set_priority(&mut self, id: Uuid, score: i16, reasons: Vec<String>) {
        if let Some(f) = self.facts_mut(&id) {
            if f.application.priority_score == score && *f.application.priority_reasons == reasons {
                return;
            }
            f.application.priority_score = score;
            f.application.priority_reasons = reasons.into();
            self.refresh(id);
        }
    }

    /// Records that a note was written on an application at `at`.
    pub fn note_written(&mut self, application_id: Uuid, at: OffsetDateTime) {
        if let Some(f) = self.facts_mut(&application_id) {
            f.last_note_at = Some(f.last_note_at.map_or(at, |t| t.max(at)));
            self.refresh(application_id);
        }
    }

    /// Replaces when an application's last note was written (after a delete).
    pub fn set_last_note(&mut self, application_id: Uuid, at: Option<OffsetDateTime>) {
        if let Some(f) = self.facts_mut(&application_id) {
            f.last_note_at = at;
            self.refresh(application_id);
        }
    }

    fn put_interview_entry(&mut self, i: &Interview) {
        let entry = InterviewEntry {
            application_id: i.application_id,
            kind: i.fields.kind,
            outcome: i.fields.outcome,
            scheduled_at: i.fields.scheduled_at,
            duration_minutes: i.fields.duration_minutes,
            location: i.fields.location.clone(),
            meeting_url: i.fields.meeting_url.clone(),
            created_at: i.created_at,
            local_day: local_date(i.fields.scheduled_at, &self.settings.timezone),
        };
        self.remove_interview_entry(i.id);
        self.add_interview_entry(i.id, entry);
    }

    fn add_interview_entry(&mut self, id: Uuid, e: InterviewEntry) {
        if e.outcome != Outcome::Cancelled {
            bump(&mut self.interview_days, e.local_day, 1);
        }
        if e.outcome == Outcome::Scheduled {
            self.scheduled.insert((e.scheduled_at, id));
        }
        self.interviews_of.insert((e.application_id, id));
        self.interviews.insert(id, e);
    }

    fn remove_interview_entry(&mut self, id: Uuid) -> Option<Uuid> {
        let e = self.interviews.remove(&id)?;
        self.interviews_of.remove(&(e.application_id, id));
        if e.outcome != Outcome::Cancelled {
            bump(&mut self.interview_days, e.local_day, -1);
        }
        self.scheduled.remove(&(e.scheduled_at, id));
        Some(e.application_id)
    }

    /// Adds or replaces an interview.
    pub fn put_interview(&mut self, i: &Interview) {
        let before = self.remove_interview_entry(i.id);
        self.put_interview_entry(i);
        if let Some(app) = before {
            if app != i.application_id {
                self.refresh(app);
            }
        }
        self.refresh(i.application_id);
    }

    pub fn remove_interview(&mut self, id: Uuid) {
        if let Some(app) = self.remove_interview_entry(id) {
            self.refresh(app);
        }
    }

    /// The dashboard at instant `now`.
    pub fn dashboard(&self, now: OffsetDateTime) -> Dashboard {
        let tz = self.settings.timezone.as_str();
        let today = local_date(now, tz);
        let all: i64 = self.by_status.iter().sum();
        let by_status: BTreeMap<String, i64> = Status::ALL
            .iter()
            .map(|s| (s.as_str().to_owned(), self.by_status[status_index(*s)]))
            .collect();
        let active = Status::ALL
            .iter()
            .filter(|s| s.is_active())
            .map(|s| self.by_status[status_index(*s)])
            .sum();

        // A stage counts every application at that stage or a later one.
        let mut reached = [0i64; 5];
        let mut running = 0;
        for i in (0..5).rev() {
            running += self.stages[i];
            reached[i] = running;
        }
        let funnel = Stage::ALL
            .iter()
            .enumerate()
            .map(|(i, st)| FunnelStage {
                stage: *st,
                count: reached[i],
                rate_from_previous: (i > 0).then(|| ratio(reached[i], reached[i - 1])),
            })
            .collect();
        let ever_applied = reached[0];
        let rates = Rates {
            response_rate: ratio(self.responded, ever_applied),
            interview_rate: ratio(reached[Stage::Interviewing.index()], ever_applied),
            offer_rate: ratio(reached[Stage::Offer.index()], ever_applied),
        };
        let days_in_stage = [
            Stage::Applied,
            Stage::Screening,
            Stage::Interviewing,
            Stage::Offer,
        ]
        .iter()
        .map(|st| {
            let (sum, n) = self.stays[st.index()];
            (
                st.as_str().to_owned(),
                (n > 0).then(|| sum as f64 / n as f64 / 86_400.0),
            )
        })
        .collect();
        let mut by_source: Vec<SourceRate> = self
            .sources
            .iter()
            .filter(|(_, (applied, _))| *applied >= SOURCE_MIN)
            .map(|(source, (applied, responded))| SourceRate {
                source: source.clone(),
                applied: *applied,
                responded: *responded,
                response_rate: ratio(*responded, *applied),
            })
            .collect();
        by_source.sort_by(|a, b| {
            b.applied
                .cmp(&a.applied)
                .then_with(|| a.source.cmp(&b.source))
        });

        Dashboard {
            totals: Totals {
                all,
                active,
                by_status,
            },
            funnel,
            rates,
            median_days_to_response: median(&self.response_days),
            days_in_stage,
            by_source,
            weekly: self.weekly(today),
            upcoming: Upcoming {
                interviews: self.upcoming_interviews(now),
                actions: self.actions(now, today),
            },
            recommendations: self
                .ranking
                .iter()
                .take(5)
                .filter_map(|(_, _, id)| {
                    let a = &self.facts(id)?.application;
                    Some(Recommendation {
                        application_id: *id,
                        company: a.fields.company.clone(),
                        title: a.fields.title.clone(),
                        priority_score: a.priority_score,
                        reasons: a.priority_reasons.to_vec(),
                    })
                })
                .collect(),
        }
    }

    fn weekly(&self, today: Date) -> Vec<Week> {
        let this_monday = today - Duration::days(today.weekday().number_days_from_monday() as i64);
        (0..12)
            .rev()
            .map(|back| {
                let start = this_monday - Duration::weeks(back);
                let end = start + Duration::days(7);
                let count = |m: &BTreeMap<Date, i64>| m.range(start..end).map(|(_, n)| n).sum();
                Week {
                    week_start: start,
                    applied: count(&self.applied_days),
                    interviews: count(&self.interview_days),
                    offers: count(&self.offer_days),
                }
            })
            .collect()
    }

    fn upcoming_interviews(&self, now: OffsetDateTime) -> Vec<UpcomingInterview> {
        let from = (now, Uuid::nil());
        let to = (now + UPCOMING_WINDOW, Uuid::max());
        self.scheduled
            .range(from..=to)
            .filter_map(|(_, id)| {
                let e = self.interviews.get(id)?;
                let a = &self.facts(&e.application_id)?.application.fields;
                Some(UpcomingInterview {
                    id: *id,
                    application_id: e.application_id,
                    company: a.company.clone(),
                    title: a.title.clone(),
                    kind: e.kind,
                    scheduled_at: e.scheduled_at,
                    duration_minutes: e.duration_minutes,
                    location: e.location.clone(),
                    meeting_url: e.meeting_url.clone(),
                })
            })
            .collect()
    }

    fn actions(&self, now: OffsetDateTime, today: Date) -> Vec<Action> {
        let tz = self.settings.timezone.as_str();
        let name = |id: &Uuid| {
            self.facts(id)
                .map(|f| {
                    format!(
                        "{} ({})",
                        f.application.fields.company, f.application.fields.title
                    )
                })
                .unwrap_or_default()
        };
        let mut out = Vec::new();
        // Each index is ordered by due time: take at most ACTIONS_MAX of each.
        for (due, id) in self
            .follow_ups
            .range(..=(today, Uuid::max()))
            .take(ACTIONS_MAX)
        {
            out.push(Action {
                kind: ActionKind::FollowUp,
                application_id: *id,
                due_at: local_midnight(*due, tz),
                title: format!("Follow up with {}", name(id)),
            });
        }
        let horizon = today + Duration::days(7);
        for (day, id) in self
            .deadlines
            .range((today, Uuid::nil())..=(horizon, Uuid::max()))
            .take(ACTIONS_MAX)
        {
            out.push(Action {
                kind: ActionKind::Deadline,
                application_id: *id,
                due_at: local_midnight(*day, tz),
                title: format!("Deadline for {}", name(id)),
            });
        }
        let until = now + Duration::days(7);
        for (at, id) in self
            .next_actions
            .range(..(until, Uuid::nil()))
            .take(ACTIONS_MAX)
        {
            let text = self
                .facts(id)
                .and_then(|f| f.application.fields.next_action.clone());
            out.push(Action {
                kind: ActionKind::NextAction,
                application_id: *id,
                due_at: *at,
                title: match text {
                    Some(t) => format!("{t} — {}", name(id)),
                    None => format!("Next step for {}", name(id)),
                },
            });
        }
        let quiet = Duration::days(self.settings.ghosted_after_days);
        for (since, id) in self
            .quiet_since
            .range(..=(now - quiet, Uuid::max()))
            .take(ACTIONS_MAX)
        {
            out.push(Action {
                kind: ActionKind::SuggestGhosted,
                application_id: *id,
                due_at: *since + quiet,
                title: format!(
                    "No news from {} for {} days — mark as ghosted?",
                    name(id),
                    self.settings.ghosted_after_days
                ),
            });
        }
        out.sort_by(|a, b| {
            a.due_at
                .cmp(&b.due_at)
                .then_with(|| a.kind.cmp(&b.kind))
                .then_with(|| a.application_id.cmp(&b.application_id))
        });
        out.truncate(ACTIONS_MAX);
        out
    }
}

fn ratio(n: i64, d: i64) -> f64 {
    if d == 0 {
        0.0
    } else {
        n as f64 / d as f64
    }
}

fn median(counts: &BTreeMap<i64, i64>) -> Option<f64> {
    let total: i64 = counts.values().sum();
    if total == 0 {
        return None;
    }
    let nth = |k: i64| {
        let mut seen = 0;
        for (v, n) in counts {
            seen += n;
            if seen > k {
                return *v as f64;
            }
        }
        0.0
    };
    Some(if total % 2 == 1 {
        nth(total / 2)
    } else {
        (nth(total / 2 - 1) + nth(total / 2)) / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::interview::InterviewFields;
    use time::macros::{date, datetime};

    const NOW: OffsetDateTime = datetime!(2026-11-25 12:00 UTC); // a Wednesday

    /// The working set's memory per application (issue #18: at most 1 KiB)
    /// is mostly these boxes; each fits an allocation size class of the
    /// allocator (mimalloc: …, 128, 160, …, 320, 384, 448, 512): a field that
    /// pushes one over the class costs a whole class step per application.
    #[test]
    fn an_application_held_fits_its_allocation_classes() {
        use std::mem::size_of;
        eprintln!(
            "Application {} ApplicationFacts {} Contribution {} Held {} InterviewEntry {}",
            size_of::<Application>(),
            size_of::<ApplicationFacts>(),
            size_of::<Contribution>(),
            size_of::<Held>(),
            size_of::<InterviewEntry>()
        );
        // Its optional text in boxed strs, its lists in boxed slices: 448 → 384.
        assert!(size_of::<ApplicationFacts>() <= 384);
        assert!(size_of::<Contribution>() <= 128);
        assert_eq!(size_of::<Held>(), 16);
    }

    fn app(n: u128, status: Status) -> Application {
        let mut a = crate::domain::application::example();
        a.id = Uuid::from_u128(n);
        a.fields.company = format!("Co{n}");
        a.fields.status = status;
        a.created_at = NOW - Duration::days(60);
        a.updated_at = NOW - Duration::days(n as i64);
        a.status_changed_at = NOW;
        a
    }

    /// An application that went through `path`, one status every `step` days, ending `end_ago` days ago.
    fn walked(n: u128, path: &[Status], step: i64, end_ago: i64) -> ApplicationFacts {
        let last = *path.last().unwrap();
        let start = NOW - Duration::days(end_ago + step * (path.len() as i64 - 1));
        let history: Vec<Change> = path
            .iter()
            .enumerate()
            .map(|(i, s)| Change {
                to_status: *s,
                changed_at: start + Duration::days(step * i as i64),
            })
            .collect();
        let mut a = app(n, last);
        a.fields.applied_on = history
            .iter()
            .find(|c| c.to_status == Status::Applied)
            .map(|c| c.changed_at.date());
        ApplicationFacts {
            application: a,
            history: history.into(),
            last_note_at: None,
        }
    }

    fn dash(apps: Vec<ApplicationFacts>) -> Dashboard {
        Aggregates::build(ActionSettings::default(), apps, vec![]).dashboard(NOW)
    }

    use Status::*;

    #[test]
    fn removing_an_application_clears_it_as_anothers_possible_duplicate() {
        let mut agg = Aggregates::new(ActionSettings::default());
        let first = app(1, Status::Applied);
        let mut second = app(2, Status::Applied);
        second.possible_duplicate_of = Some(first.id);
        for a in [first.clone(), second.clone()] {
            agg.put_application(ApplicationFacts {
                application: a,
                history: Box::default(),
                last_note_at: None,
            });
        }
        agg.remove_application(first.id);
        let kept = agg
            .facts(&second.id)
            .map(|f| f.application.possible_duplicate_of);
        assert_eq!(kept, Some(None));
    }

    #[test]
    fn stages_follow_the_contract_table() {
        let table = [
            (Wishlist, None),
            (Applied, Some(Stage::Applied)),
            (Rejected, Some(Stage::Applied)),
            (Ghosted, Some(Stage::Applied)),
            (Screening, Some(Stage::Screening)),
            (Interviewing, Some(Stage::Interviewing)),
            (Offer, Some(Stage::Offer)),
            (Declined, Some(Stage::Offer)),
            (Accepted, Some(Stage::Accepted)),
            (Withdrawn, None),
        ];
        for (status, stage) in table {
            assert_eq!(stage_of(status), stage, "{status}");
        }
        let responses: Vec<Status> = Status::ALL
            .into_iter()
            .filter(|s| is_response(*s))
            .collect();
        assert_eq!(
            responses,
            [Screening, Interviewing, Offer, Accepted, Declined, Rejected]
        );
    }

    #[test]
    fn the_funnel_counts_the_highest_stage_ever_reached_and_never_grows() {
        let d = dash(vec![
            walked(1, &[Applied], 1, 1),
            walked(2, &[Applied, Screening, Rejected], 2, 1),
            walked(3, &[Applied, Interviewing, Offer, Accepted], 2, 1),
            walked(4, &[Wishlist, Withdrawn], 2, 1),
            walked(5, &[Applied, Ghosted, Interviewing], 2, 1),
        ]);
        let counts: Vec<i64> = d.funnel.iter().map(|f| f.count).collect();
        assert_eq!(counts, [4, 3, 2, 1, 1]);
        assert_eq!(d.funnel[0].rate_from_previous, None);
        assert_eq!(d.funnel[1].rate_from_previous, Some(0.75));
        assert_eq!(d.funnel[2].rate_from_previous, Some(2.0 / 3.0));
        assert_eq!(d.totals.all, 5);
        assert_eq!(
            d.totals.active, 2,
            "rejected, accepted and withdrawn are not active"
        );
        assert_eq!(d.totals.by_status["rejected"], 1);
        assert_eq!(d.totals.by_status.len(), 10, "every status key is present");
    }

    #[test]
    fn rates_are_over_ever_applied_and_zero_when_nothing_was_applied() {
        assert_eq!(
            dash(vec![walked(1, &[Wishlist], 1, 1)]).rates,
            Rates {
                response_rate: 0.0,
                interview_rate: 0.0,
                offer_rate: 0.0
            }
        );
        let d = dash(vec![
            walked(1, &[Applied, Rejected], 3, 1),
            walked(2, &[Applied, Ghosted], 3, 1),
            walked(3, &[Applied, Ghosted, Screening], 3, 1),
            walked(4, &[Applied, Interviewing, Offer], 3, 1),
        ]);
        assert_eq!(
            d.rates.response_rate, 0.75,
            "a rejection and a late answer after ghosted count"
        );
        assert_eq!(d.rates.interview_rate, 0.25);
        assert_eq!(d.rates.offer_rate, 0.25);
    }

    #[test]
    fn the_median_days_to_response_uses_applied_on_and_the_first_response() {
        let d = dash(vec![
            walked(1, &[Applied, Screening, Interviewing], 4, 1),
            walked(2, &[Applied, Rejected], 10, 1),
            walked(3, &[Applied], 10, 1),
        ]);
        assert_eq!(d.median_days_to_response, Some(7.0), "(4 + 10) / 2");
        assert_eq!(
            dash(vec![walked(1, &[Applied], 1, 1)]).median_days_to_response,
            None
        );
    }

    #[test]
    fn days_in_stage_average_completed_stays_only() {
        let d = dash(vec![
            walked(1, &[Applied, Ghosted, Screening, Rejected], 2, 1),
            walked(2, &[Applied, Screening], 6, 1),
        ]);
        assert_eq!(
            d.days_in_stage["applied"],
            Some(5.0),
            "(4 + 6) / 2: applied → ghosted is one stay"
        );
        assert_eq!(
            d.days_in_stage["screening"],
            Some(2.0),
            "the open stay of #2 is not counted"
        );
        assert_eq!(d.days_in_stage["interviewing"], None);
    }

    #[test]
    fn sources_need_five_ever_applied_applications() {
        let mut apps = Vec::new();
        for i in 0..6 {
            let mut f = walked(
                i,
                if i < 3 {
                    &[Applied, Screening]
                } else {
                    &[Applied]
                },
                1,
                1,
            );
            f.application.fields.source = Some(if i < 5 {
                "LinkedIn".into()
            } else {
                "referral".into()
            });
            apps.push(f);
        }
        let d = dash(apps);
        assert_eq!(
            d.by_source,
            vec![SourceRate {
                source: "LinkedIn".into(),
                applied: 5,
                responded: 3,
                response_rate: 0.6
            }]
        );
    }

    #[test]
    fn weeks_start_on_monday_in_the_users_zone_oldest_first() {
        let mut f = walked(1, &[Applied, Interviewing, Offer], 1, 0);
        f.application.fields.applied_on = Some(date!(2026 - 11 - 23));
        let d = dash(vec![f]);
        assert_eq!(d.weekly.len(), 12);
        assert_eq!(d.weekly[11].week_start, date!(2026 - 11 - 23));
        assert_eq!(d.weekly[0].week_start, date!(2026 - 09 - 07));
        assert_eq!(d.weekly[11].applied, 1);
        assert_eq!(d.weekly[11].offers, 1);
    }

    #[test]
    fn actions_are_due_follow_ups_deadlines_next_actions_and_quiet_applications() {
        let mut follow = walked(1, &[Applied], 1, 10);
        follow.application.fields.applied_on = Some(NOW.date() - Duration::days(10));
        let mut noted = walked(2, &[Applied], 1, 10);
        noted.application.fields.applied_on = Some(NOW.date() - Duration::days(10));
        noted.last_note_at = Some(NOW - Duration::days(2));
        let mut deadline = walked(3, &[Wishlist], 1, 1);
        deadline.application.fields.deadline = Some(NOW.date() + Duration::days(3));
        let mut far = walked(4, &[Wishlist], 1, 1);
        far.application.fields.deadline = Some(NOW.date() + Duration::days(8));
        let mut next = walked(5, &[Wishlist], 1, 1);
        next.application.fields.next_action_at = Some(NOW - Duration::days(1));
        next.application.fields.next_action = Some("Call Sam".into());
        let quiet = walked(6, &[Applied, Screening], 5, 40);
        let d = dash(vec![follow, noted, deadline, far, next, quiet]);
        let kinds: Vec<(ActionKind, u128)> = d
            .upcoming
            .actions
            .iter()
            .map(|a| (a.kind, a.application_id.as_u128()))
            .collect();
        assert!(kinds.contains(&(ActionKind::FollowUp, 1)));
        assert!(
            !kinds
                .iter()
                .any(|(_, id)| *id == 2 && kinds.contains(&(ActionKind::FollowUp, 2))),
            "a recent note postpones the follow-up"
        );
        assert!(kinds.contains(&(ActionKind::Deadline, 3)));
        assert!(!kinds
            .iter()
            .any(|(k, id)| *k == ActionKind::Deadline && *id == 4));
        assert!(kinds.contains(&(ActionKind::NextAction, 5)));
        assert!(kinds.contains(&(ActionKind::SuggestGhosted, 6)));
        let dues: Vec<OffsetDateTime> = d.upcoming.actions.iter().map(|a| a.due_at).collect();
        assert!(dues.windows(2).all(|w| w[0] <= w[1]), "sorted by due time");
    }

    #[test]
    fn upcoming_interviews_are_scheduled_ones_in_the_next_two_weeks() {
        let f = walked(1, &[Applied, Interviewing], 1, 1);
        let iv = |n: u128, days: i64, outcome: Outcome| Interview {
            id: Uuid::from_u128(100 + n),
            application_id: Uuid::from_u128(1),
            fields: InterviewFields {
                kind: InterviewKind::Technical,
                scheduled_at: NOW + Duration::days(days),
                duration_minutes: 60,
                location: None,
                meeting_url: None,
                interviewers: vec![],
                notes: None,
                outcome,
            },
            version: 1,
            created_at: NOW - Duration::days(20),
            updated_at: NOW,
        };
        let ivs = vec![
            iv(1, 3, Outcome::Scheduled),
            iv(2, 15, Outcome::Scheduled),
            iv(3, 1, Outcome::Cancelled),
            iv(4, -1, Outcome::Scheduled),
        ];
        let d = Aggregates::build(ActionSettings::default(), vec![f], ivs).dashboard(NOW);
        let ids: Vec<u128> = d
            .upcoming
            .interviews
            .iter()
            .map(|i| i.id.as_u128())
            .collect();
        assert_eq!(ids, [101]);
        let this_week = d.weekly.last().unwrap();
        assert_eq!(this_week.interviews, 2, "cancelled ones are not counted");
    }

    #[test]
    fn recommendations_are_the_top_five_active_by_score_then_recency() {
        let apps: Vec<ApplicationFacts> = (1..=7)
            .map(|n| {
                let mut f = walked(n, &[Applied], 1, 1);
                f.application.priority_score = if n == 7 { 99 } else { 50 };
                f
            })
            .chain(std::iter::once({
                let mut f = walked(8, &[Applied, Rejected], 1, 1);
                f.application.priority_score = 100;
                f
            }))
            .collect();
        let d = dash(apps);
        let ids: Vec<u128> = d
            .recommendations
            .iter()
            .map(|r| r.application_id.as_u128())
            .collect();
        assert_eq!(
            ids,
            [7, 1, 2, 3, 4],
            "final statuses never; ties by most recently updated"
        );
    }

    #[test]
    fn incremental_updates_equal_a_rebuild() {
        let mut agg = Aggregates::new(ActionSettings::default());
        let mut f1 = walked(1, &[Applied], 1, 3);
        agg.put_application(f1.clone());
        agg.put_application(walked(2, &[Applied, Screening], 2, 1));
        let mut history = f1.history.to_vec();
        history.push(Change {
            to_status: Rejected,
            changed_at: NOW - Duration::days(1),
        });
        f1.history = history.into();
        f1.application.fields.status = Rejected;
        agg.put_application(f1.clone());
        agg.note_written(Uuid::from_u128(2), NOW - Duration::hours(3));
        agg.remove_application(Uuid::from_u128(2));
        let rebuilt = Aggregates::build(ActionSettings::default(), vec![f1], vec![]);
        assert_eq!(agg.dashboard(NOW), rebuilt.dashboard(NOW));
    }

    #[test]
    fn a_snapshot_replays_history_as_it_stood_then() {
        let f = walked(1, &[Applied, Screening, Rejected], 5, 0);
        let history: Vec<RecordedChange> = f
            .history
            .iter()
            .map(|c| RecordedChange {
                to_status: c.to_status,
                changed_at: c.changed_at,
                undone: false,
                is_undo: false,
            })
            .collect();
        let apps = vec![(f.application.clone(), history)];
        let s = ActionSettings::default();
        let then = snapshot_at(&apps, NOW - Duration::days(7), &s);
        assert_eq!(
            then.totals.by_status["applied"], 1,
            "a week ago it was applied"
        );
        assert_eq!(then.funnel[1].count, 0);
        let mid = snapshot_at(&apps, NOW - Duration::days(2), &s);
        assert_eq!(mid.totals.by_status["screening"], 1);
        let now = snapshot_at(&apps, NOW, &s);
        assert_eq!(now.totals.by_status["rejected"], 1);
        assert_eq!(now.rates.response_rate, 1.0);
        let before = snapshot_at(&apps, NOW - Duration::days(30), &s);
        assert_eq!(before.totals.all, 0, "not created yet");
    }
}
