//! A job application: its fields, how a create body and a merge patch are
//! read, and what a patch does to an application.

use serde::Serialize;
use serde_json::{Map, Value};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::currency::is_currency;
use super::fields::{Fields, Patch, Presence, ValidationError};
use super::pipeline::{decide, EnteringChange, InvalidTransition, Status, StatusChange};
use super::time::serde_ts;

pub const NAME_MAX: usize = 200;
pub const URL_MAX: usize = 2_000;
pub const NOTE_MAX: usize = 20_000;
pub const DESCRIPTION_MAX: usize = 100_000;
pub const TAGS_MAX: usize = 20;
pub const TAG_MAX: usize = 40;
pub const NEXT_ACTION_MAX: usize = 500;
/// Salaries are yearly whole amounts; a trillion is far above any real one.
pub const SALARY_MAX: i64 = 1_000_000_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WorkMode {
    Onsite,
    Hybrid,
    Remote,
}

impl WorkMode {
    pub const CHOICES: [(&'static str, WorkMode); 3] = [
        ("onsite", WorkMode::Onsite),
        ("hybrid", WorkMode::Hybrid),
        ("remote", WorkMode::Remote),
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WorkMode::Onsite => "onsite",
            WorkMode::Hybrid => "hybrid",
            WorkMode::Remote => "remote",
        }
    }

    pub fn parse(s: &str) -> Option<WorkMode> {
        Self::CHOICES.iter().find(|(n, _)| *n == s).map(|(_, v)| *v)
    }
}

/// The fields a user writes (everything but identity, bookkeeping and scores).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ApplicationFields {
    pub company: String,
    pub title: String,
    #[schema(value_type = Option<String>)]
    pub url: Option<Box<str>>,
    #[schema(value_type = Option<String>)]
    pub location: Option<Box<str>>,
    pub work_mode: Option<WorkMode>,
    pub salary_min: Option<i64>,
    pub salary_max: Option<i64>,
    pub salary_currency: String,
    pub status: Status,
    #[schema(value_type = Option<String>)]
    pub source: Option<Box<str>>,
    #[serde(serialize_with = "serde_ts::option_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub applied_on: Option<Date>,
    #[serde(serialize_with = "serde_ts::option_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub deadline: Option<Date>,
    #[schema(value_type = Vec<String>)]
    pub tags: Box<[String]>,
    #[schema(value_type = Option<String>)]
    pub contact_name: Option<Box<str>>,
    #[schema(value_type = Option<String>)]
    pub contact_email: Option<Box<str>>,
    #[schema(value_type = Option<String>)]
    pub next_action: Option<Box<str>>,
    #[serde(serialize_with = "serde_ts::option_timestamp")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_action_at: Option<OffsetDateTime>,
}

/// A stored application as lists show it (no job description).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Application {
    pub id: Uuid,
    #[serde(flatten)]
    pub fields: ApplicationFields,
    pub priority_score: i16,
    #[schema(value_type = Vec<String>)]
    pub priority_reasons: Box<[String]>,
    pub possible_duplicate_of: Option<Uuid>,
    pub version: i32,
    #[serde(serialize_with = "serde_ts::timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(serialize_with = "serde_ts::timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    /// When the status last changed (freshness); not part of the API.
    #[serde(skip)]
    pub status_changed_at: OffsetDateTime,
}

/// One application with its job description.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ApplicationDetail {
    #[serde(flatten)]
    pub application: Application,
    pub job_description: Option<String>,
}

/// A validated create body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApplication {
    pub fields: ApplicationFields,
    pub job_description: Option<String>,
    pub status_note: Option<String>,
}

/// A validated merge patch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplicationPatch {
    pub company: Patch<String>,
    pub title: Patch<String>,
    pub url: Patch<String>,
    pub location: Patch<String>,
    pub work_mode: Patch<WorkMode>,
    pub salary_min: Patch<i64>,
    pub salary_max: Patch<i64>,
    pub salary_currency: Patch<String>,
    pub status: Patch<Status>,
    pub status_note: Patch<String>,
    pub source: Patch<String>,
    pub applied_on: Patch<Date>,
    pub deadline: Patch<Date>,
    pub job_description: Patch<String>,
    pub tags: Patch<Vec<String>>,
    pub contact_name: Patch<String>,
    pub contact_email: Patch<String>,
    pub next_action: Patch<String>,
    pub next_action_at: Patch<OffsetDateTime>,
}

const READ_ONLY: [&str; 7] = [
    "id",
    "version",
    "created_at",
    "updated_at",
    "priority_score",
    "priority_reasons",
    "possible_duplicate_of",
];

impl ApplicationPatch {
    /// Reads every writable field of a body. Used for both create and patch:
    /// a create then requires `company` and `title`.
    pub fn parse(body: &Map<String, Value>) -> Result<ApplicationPatch, ValidationError> {
        let mut f = Fields::new(body);
        f.read_only(&READ_ONLY);
        let patch = ApplicationPatch {
            company: f.text("company", NAME_MAX, Presence::Required),
            title: f.text("title", NAME_MAX, Presence::Required),
            url: f.url("url", URL_MAX),
            location: f.text("location", NAME_MAX, Presence::Optional),
            work_mode: f.choice("work_mode", &WorkMode::CHOICES, Presence::Optional),
            salary_min: f.integer("salary_min", 0, SALARY_MAX, Presence::Optional),
            salary_max: f.integer("salary_max", 0, SALARY_MAX, Presence::Optional),
            salary_currency: currency(&mut f),
            status: f.choice("status", &Status::CHOICES, Presence::Required),
            status_note: f.multiline("status_note", NOTE_MAX, Presence::Optional),
            source: f.text("source", NAME_MAX, Presence::Optional),
            applied_on: f.date("applied_on", Presence::Optional),
            deadline: f.date("deadline", Presence::Optional),
            job_description: f.multiline("job_description", DESCRIPTION_MAX, Presence::Optional),
            tags: f.string_list("tags", TAGS_MAX, TAG_MAX, Presence::Optional),
            contact_name: f.text("contact_name", NAME_MAX, Presence::Optional),
            contact_email: f.email("contact_email", Presence::Optional),
            next_action: f.text("next_action", NEXT_ACTION_MAX, Presence::Optional),
            next_action_at: f.timestamp("next_action_at", Presence::Optional),
        };
        f.finish()?;
        Ok(patch)
    }
}

fn currency(f: &mut Fields<'_>) -> Patch<String> {
    match f.text("salary_currency", 3, Presence::Required) {
        Patch::Set(c) => {
            let upper = c.to_ascii_uppercase();
            if is_currency(&upper) {
                Patch::Set(upper)
            } else {
                f.error(
                    "salary_currency",
                    "must be an ISO 4217 currency code such as USD or EUR",
                );
                Patch::Absent
            }
        }
        other => other,
    }
}

fn check_salary_range(fields: &ApplicationFields) -> Result<(), ValidationError> {
    match (fields.salary_min, fields.salary_max) {
        (Some(min), Some(max)) if min > max => Err(ValidationError::single(
            "salary_min",
            "must not be greater than salary_max",
        )),
        _ => Ok(()),
    }
}

impl NewApplication {
    /// Reads a create body; `today` is the user's local date (for `applied_on`).
    pub fn parse(
        body: &Map<String, Value>,
        today: Date,
    ) -> Result<NewApplication, ValidationError> {
        Self::from_patch(ApplicationPatch::parse(body)?, today)
    }

    /// A create from a parsed body: `company` and `title` are required, the
    /// rest defaults; `today` is the user's local date.
    pub fn from_patch(
        patch: ApplicationPatch,
        today: Date,
    ) -> Result<NewApplication, ValidationError> {
        let mut missing = Vec::new();
        if patch.company.is_absent() {
            missing.push("company");
        }
        if patch.title.is_absent() {
            missing.push("title");
        }
        if !missing.is_empty() {
            return Err(ValidationError {
                errors: missing
                    .into_iter()
                    .map(|f| super::fields::FieldError::new(f, "is required"))
                    .collect(),
            });
        }
        let status = patch.status.into_option().unwrap_or(Status::Wishlist);
        let mut fields = ApplicationFields {
            company: patch.company.into_option().unwrap_or_default(),
            title: patch.title.into_option().unwrap_or_default(),
            url: patch.url.into_option().map(Into::into),
            location: patch.location.into_option().map(Into::into),
            work_mode: patch.work_mode.into_option(),
            salary_min: patch.salary_min.into_option(),
            salary_max: patch.salary_max.into_option(),
            salary_currency: patch
                .salary_currency
                .into_option()
                .unwrap_or_else(|| "USD".into()),
            status,
            source: patch.source.into_option().map(Into::into),
            applied_on: patch.applied_on.into_option(),
            deadline: patch.deadline.into_option(),
            tags: patch.tags.into_option().unwrap_or_default().into(),
            contact_name: patch.contact_name.into_option().map(Into::into),
            contact_email: patch.contact_email.into_option().map(Into::into),
            next_action: patch.next_action.into_option().map(Into::into),
            next_action_at: patch.next_action_at.into_option(),
        };
        check_salary_range(&fields)?;
        if status == Status::Applied && fields.applied_on.is_none() {
            fields.applied_on = Some(today);
        }
        Ok(NewApplication {
            fields,
            job_description: patch.job_description.into_option(),
            status_note: patch.status_note.into_option(),
        })
    }
}

/// Why a patch cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatchError {
    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error(transparent)]
    InvalidTransition(#[from] InvalidTransition),
}

/// The result of applying a patch: the new fields and what the status did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchOutcome {
    pub fields: ApplicationFields,
    pub job_description: Option<String>,
    pub status_change: StatusChange,
    pub status_note: Option<String>,
    /// Whether any of the application's own fields changed (bumps `version`).
    pub changed: bool,
}

/// Applies a merge patch to an application: validates the status change
/// against the pipeline and the salary range against the merged values.
pub fn apply_patch(
    current: &ApplicationDetail,
    patch: ApplicationPatch,
    entering: Option<&EnteringChange>,
    now: OffsetDateTime,
    today: Date,
) -> Result<PatchOutcome, PatchError> {
    let before = &current.application.fields;
    let mut fields = before.clone();
    let mut job_description = current.job_description.clone();

    if let Patch::Set(v) = patch.company {
        fields.company = v;
    }
    if let Patch::Set(v) = patch.title {
        fields.title = v;
    }
    patch.url.apply_to(&mut fields.url);
    patch.location.apply_to(&mut fields.location);
    patch.work_mode.apply_to(&mut fields.work_mode);
    patch.salary_min.apply_to(&mut fields.salary_min);
    patch.salary_max.apply_to(&mut fields.salary_max);
    if let Patch::Set(v) = patch.salary_currency {
        fields.salary_currency = v;
    }
    patch.source.apply_to(&mut fields.source);
    patch.applied_on.apply_to(&mut fields.applied_on);
    patch.deadline.apply_to(&mut fields.deadline);
    patch.job_description.apply_to(&mut job_description);
    match patch.tags {
        Patch::Set(tags) => fields.tags = tags.into(),
        Patch::Null => fields.tags = Box::default(),
        Patch::Absent => {}
    }
    patch.contact_name.apply_to(&mut fields.contact_name);
    patch.contact_email.apply_to(&mut fields.contact_email);
    patch.next_action.apply_to(&mut fields.next_action);
    patch.next_action_at.apply_to(&mut fields.next_action_at);
    check_salary_range(&fields)?;

    let status_change = match patch.status {
        Patch::Set(requested) => decide(before.status, requested, entering, now)?,
        _ => StatusChange::Unchanged,
    };
    match status_change {
        StatusChange::Move { to, .. } | StatusChange::Undo { to, .. } => {
            fields.status = to;
            if to == Status::Applied && fields.applied_on.is_none() {
                fields.applied_on = Some(today);
            }
        }
        StatusChange::Unchanged => {}
    }
    let changed = fields != *before || job_description != current.job_description;
    Ok(PatchOutcome {
        fields,
        job_description,
        status_change,
        status_note: patch.status_note.into_option(),
        changed,
    })
}

/// An application to build tests on: a remote developer's post at "Acme",
/// wishlisted, created and changed at 2026-11-25 12:00 UTC.
#[cfg(test)]
pub fn example() -> Application {
    let at = time::macros::datetime!(2026-11-25 12:00 UTC);
    Application {
        id: Uuid::nil(),
        fields: ApplicationFields {
            company: "Acme".into(),
            title: "Dev".into(),
            url: None,
            location: None,
            work_mode: Some(WorkMode::Remote),
            salary_min: None,
            salary_max: None,
            salary_currency: "USD".into(),
            status: Status::Wishlist,
            source: None,
            applied_on: None,
            deadline: None,
            tags: Box::default(),
            contact_name: None,
            contact_email: None,
            next_action: None,
            next_action_at: None,
        },
        priority_score: 0,
        priority_reasons: Box::default(),
        possible_duplicate_of: None,
        version: 1,
        created_at: at,
        updated_at: at,
        status_changed_at: at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::{date, datetime};

    const NOW: OffsetDateTime = datetime!(2026-11-25 12:00 UTC);
    const TODAY: Date = date!(2026 - 11 - 25);

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    fn stored(fields: ApplicationFields) -> ApplicationDetail {
        ApplicationDetail {
            application: Application {
                id: Uuid::nil(),
                fields,
                priority_score: 0,
                priority_reasons: Box::default(),
                possible_duplicate_of: None,
                version: 1,
                created_at: NOW,
                updated_at: NOW,
                status_changed_at: NOW,
            },
            job_description: None,
        }
    }

    fn minimal() -> ApplicationDetail {
        let new = NewApplication::parse(
            &body(json!({"company": "Acme", "title": "Engineer"})),
            TODAY,
        )
        .expect("valid body");
        stored(new.fields)
    }

    #[test]
    fn create_requires_company_and_title_and_defaults_the_rest() {
        let err = NewApplication::parse(&body(json!({})), TODAY).unwrap_err();
        let fields: Vec<_> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["company", "title"]);

        let new = NewApplication::parse(&body(json!({"company": " Acme ", "title": "Dev"})), TODAY)
            .unwrap();
        assert_eq!(new.fields.company, "Acme");
        assert_eq!(new.fields.status, Status::Wishlist);
        assert_eq!(new.fields.salary_currency, "USD");
        assert!(new.fields.tags.is_empty());
    }

    #[test]
    fn creating_as_applied_without_a_date_sets_applied_on_to_today() {
        let new = NewApplication::parse(
            &body(json!({"company": "A", "title": "B", "status": "applied"})),
            TODAY,
        )
        .unwrap();
        assert_eq!(new.fields.applied_on, Some(TODAY));
    }

    #[test]
    fn every_validation_rule_names_its_field() {
        let cases = [
            (json!({"company": ""}), "company"),
            (json!({"company": "x".repeat(201)}), "company"),
            (json!({"title": null}), "title"),
            (json!({"url": "ftp://x.org"}), "url"),
            (
                json!({"url": format!("https://x.org/{}", "a".repeat(2000))}),
                "url",
            ),
            (json!({"work_mode": "moon"}), "work_mode"),
            (json!({"salary_min": -1}), "salary_min"),
            (json!({"salary_max": "100"}), "salary_max"),
            (json!({"salary_currency": "XXQ"}), "salary_currency"),
            (json!({"salary_currency": null}), "salary_currency"),
            (json!({"status": "hired"}), "status"),
            (json!({"status": null}), "status"),
            (json!({"applied_on": "yesterday"}), "applied_on"),
            (json!({"deadline": 20261201}), "deadline"),
            (json!({"tags": vec!["t"; 21]}), "tags"),
            (json!({"tags": ["x".repeat(41)]}), "tags"),
            (json!({"tags": "rust"}), "tags"),
            (json!({"contact_email": "nobody"}), "contact_email"),
            (
                json!({"next_action_at": "2026-13-01T00:00:00Z"}),
                "next_action_at",
            ),
            (
                json!({"job_description": "x".repeat(100_001)}),
                "job_description",
            ),
            (json!({"source": 5}), "source"),
            (json!({"priority_score": 50}), "priority_score"),
            (json!({"version": 2}), "version"),
            (json!({"favourite": true}), "favourite"),
        ];
        for (patch, field) in cases {
            let err = ApplicationPatch::parse(&body(patch.clone())).expect_err(&patch.to_string());
            assert_eq!(err.errors[0].field, field, "{patch}");
        }
    }

    #[test]
    fn a_salary_range_must_not_be_inverted_after_merging() {
        let mut current = minimal();
        current.application.fields.salary_max = Some(100);
        let patch = ApplicationPatch::parse(&body(json!({"salary_min": 200}))).unwrap();
        let err = apply_patch(&current, patch, None, NOW, TODAY).unwrap_err();
        assert!(matches!(err, PatchError::Validation(e) if e.errors[0].field == "salary_min"));
    }

    #[test]
    fn null_clears_an_optional_field_and_absent_leaves_it() {
        let mut current = minimal();
        current.application.fields.location = Some("Berlin".into());
        current.application.fields.source = Some("LinkedIn".into());
        let patch = ApplicationPatch::parse(&body(json!({"location": null}))).unwrap();
        let out = apply_patch(&current, patch, None, NOW, TODAY).unwrap();
        assert_eq!(out.fields.location, None);
        assert_eq!(out.fields.source.as_deref(), Some("LinkedIn"));
        assert!(out.changed);
    }

    #[test]
    fn moving_to_applied_sets_applied_on_only_when_missing() {
        let current = minimal();
        let patch = ApplicationPatch::parse(&body(json!({"status": "applied"}))).unwrap();
        let out = apply_patch(&current, patch, None, NOW, TODAY).unwrap();
        assert_eq!(out.fields.applied_on, Some(TODAY));

        let patch = ApplicationPatch::parse(&body(
            json!({"status": "applied", "applied_on": "2026-11-01"}),
        ))
        .unwrap();
        let out = apply_patch(&current, patch, None, NOW, TODAY).unwrap();
        assert_eq!(out.fields.applied_on, Some(date!(2026 - 11 - 01)));
    }

    #[test]
    fn the_same_status_again_changes_nothing_but_other_fields_still_apply() {
        let current = minimal();
        let patch = ApplicationPatch::parse(&body(json!({"status": "wishlist", "title": "Staff"})))
            .unwrap();
        let out = apply_patch(&current, patch, None, NOW, TODAY).unwrap();
        assert_eq!(out.status_change, StatusChange::Unchanged);
        assert_eq!(out.fields.title, "Staff");
    }

    #[test]
    fn a_forbidden_status_change_is_refused_with_the_allowed_ones() {
        let current = minimal();
        let patch = ApplicationPatch::parse(&body(json!({"status": "offer"}))).unwrap();
        let err = apply_patch(&current, patch, None, NOW, TODAY).unwrap_err();
        match err {
            PatchError::InvalidTransition(t) => {
                assert_eq!(t.allowed, vec![Status::Applied, Status::Withdrawn])
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn an_identical_patch_is_not_a_change() {
        let current = minimal();
        let patch = ApplicationPatch::parse(&body(json!({"company": "Acme"}))).unwrap();
        assert!(
            !apply_patch(&current, patch, None, NOW, TODAY)
                .unwrap()
                .changed
        );
    }

    #[test]
    fn currency_codes_are_upper_cased() {
        let patch = ApplicationPatch::parse(&body(json!({"salary_currency": "eur"}))).unwrap();
        assert_eq!(patch.salary_currency, Patch::Set("EUR".into()));
    }

    /// Any JSON value (nested, unicode, control characters, huge numbers).
    fn json_value() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>().prop_map(|n| json!(n)),
            "(?s).{0,30}".prop_map(Value::String),
            prop::sample::select(vec![
                "applied",
                "offer",
                "2026-02-30",
                "https://a.example/x",
                "remote",
                "EUR"
            ])
            .prop_map(|s| Value::String(s.to_owned())),
        ];
        leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map("[a-z_]{1,8}", inner, 0..3)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        /// A merge patch of arbitrary members never panics; every error names
        /// a member that was sent; an accepted patch keeps the rules (required
        /// fields present, salary range ordered, nothing but what was named
        /// changed) and applying the same patch twice changes nothing more.
        #[test]
        fn merge_patches_are_total_and_named(
            members in proptest::collection::btree_map(
                proptest::sample::select(vec![
                    "company", "title", "url", "location", "work_mode", "salary_min", "salary_max",
                    "salary_currency", "status", "status_note", "source", "applied_on", "deadline",
                    "job_description", "tags", "contact_name", "contact_email", "next_action",
                    "next_action_at", "id", "version", "priority_score", "nonsense",
                ]),
                json_value(),
                0..6,
            )
        ) {
            let object: Map<String, Value> = members.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
            let current = minimal();
            match ApplicationPatch::parse(&object) {
                Err(e) => {
                    for error in &e.errors {
                        proptest::prop_assert!(object.contains_key(&error.field), "{error:?} not sent");
                    }
                }
                Ok(patch) => {
                    if let Ok(out) = apply_patch(&current, patch, None, NOW, TODAY) {
                        proptest::prop_assert!(!out.fields.company.is_empty() && !out.fields.title.is_empty());
                        if let (Some(lo), Some(hi)) = (out.fields.salary_min, out.fields.salary_max) {
                            proptest::prop_assert!(lo <= hi);
                        }
                        // Single-line text keeps tabs, nothing else of C0 (api.md).
                        for text in [&out.fields.company, &out.fields.title] {
                            proptest::prop_assert!(!text.chars().any(|c| c.is_control() && c != '\t'));
                        }
                        if !object.contains_key("company") {
                            proptest::prop_assert_eq!(&out.fields.company, &current.application.fields.company);
                        }
                        let again = stored(out.fields.clone());
                        let patch = ApplicationPatch::parse(&object).unwrap();
                        let twice = apply_patch(&again, patch, None, NOW, TODAY);
                        if let Ok(twice) = twice {
                            proptest::prop_assert_eq!(twice.fields, out.fields);
                        }
                    }
                }
            }
        }
    }
}
