//! Accounts and credentials: what a valid email, password, display name and
//! time zone are, and the shape of API tokens.

use serde::Serialize;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use super::fields::{Fields, Patch, Presence, ValidationError};
use super::time::{is_time_zone, serde_ts};

pub const PASSWORD_MIN: usize = 10;
/// Long enough for any passphrase, short enough that hashing stays cheap.
pub const PASSWORD_MAX: usize = 1_024;
pub const DISPLAY_NAME_MAX: usize = 200;
pub const TOKEN_NAME_MAX: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub display_name: Option<String>,
    pub timezone: String,
    /// `password` and/or `oidc`.
    pub auth_methods: Vec<String>,
    pub version: i32,
    #[serde(serialize_with = "serde_ts::timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

/// A personal access token's metadata (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TokenInfo {
    pub id: Uuid,
    pub name: String,
    #[serde(serialize_with = "serde_ts::timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(serialize_with = "serde_ts::option_timestamp")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_used_at: Option<OffsetDateTime>,
    #[serde(serialize_with = "serde_ts::option_timestamp")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<OffsetDateTime>,
}

/// A session as its owner sees it in the list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SessionInfo {
    pub id: Uuid,
    #[serde(serialize_with = "serde_ts::timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(serialize_with = "serde_ts::timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub last_seen_at: OffsetDateTime,
    pub user_agent: Option<String>,
    pub address: Option<String>,
    /// Whether this is the session the request came with.
    pub current: bool,
}

/// A registration request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub email: String,
    pub password: String,
    pub display_name: Option<String>,
}

/// A sign-in request for a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub email: String,
    pub password: String,
    pub token_name: Option<String>,
}

/// A new personal access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    pub name: String,
    pub expires_at: Option<OffsetDateTime>,
}

/// Changes to the signed-in user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserPatch {
    pub display_name: Patch<String>,
    pub timezone: Patch<String>,
}

/// A password field: not trimmed (spaces may be part of a passphrase);
/// `strength` checks a new password's length.
fn password_field(
    f: &mut Fields<'_>,
    object: &Map<String, Value>,
    name: &'static str,
    presence: Presence,
    check_strength: bool,
) -> Option<String> {
    let raw = f.text(name, PASSWORD_MAX, presence);
    if presence == Presence::Required {
        f.require(name, &raw);
    }
    let Some(Value::String(exact)) = object.get(name) else {
        return None;
    };
    if raw.is_absent() {
        return None;
    }
    if check_strength && exact.chars().count() < PASSWORD_MIN {
        f.error(name, format!("must be at least {PASSWORD_MIN} characters"));
    }
    Some(exact.clone())
}

fn password(f: &mut Fields<'_>, object: &Map<String, Value>, check_strength: bool) -> String {
    password_field(f, object, "password", Presence::Required, check_strength).unwrap_or_default()
}

/// A password change (or a first password for an account that signs in
/// with OIDC only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordChange {
    /// Required when the account has a password.
    pub current_password: Option<String>,
    pub new_password: String,
    /// Revoke every API token too, the calling one included.
    pub revoke_tokens: bool,
}

impl PasswordChange {
    pub fn parse(body: &Map<String, Value>) -> Result<PasswordChange, ValidationError> {
        let mut f = Fields::new(body);
        let current_password =
            password_field(&mut f, body, "current_password", Presence::Optional, false);
        let new_password = password_field(&mut f, body, "new_password", Presence::Required, true);
        let revoke_tokens = f
            .boolean("revoke_tokens", Presence::Optional)
            .into_option()
            .unwrap_or(false);
        f.finish()?;
        Ok(PasswordChange {
            current_password,
            new_password: new_password.unwrap_or_default(),
            revoke_tokens,
        })
    }
}

/// A request to delete the account: the email typed as confirmation, and
/// the password when the account has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountDeletion {
    pub confirm: String,
    pub password: Option<String>,
}

impl AccountDeletion {
    pub fn parse(body: &Map<String, Value>) -> Result<AccountDeletion, ValidationError> {
        let mut f = Fields::new(body);
        let confirm = f.text("confirm", 254, Presence::Required);
        f.require("confirm", &confirm);
        let password = password_field(&mut f, body, "password", Presence::Optional, false);
        f.finish()?;
        Ok(AccountDeletion {
            confirm: confirm.into_option().unwrap_or_default(),
            password,
        })
    }

    /// Whether the confirmation names this account's email (any case).
    pub fn confirms(&self, email: &str) -> bool {
        self.confirm.to_lowercase() == email.to_lowercase()
    }
}

fn email(f: &mut Fields<'_>) -> String {
    let email = f.email("email", Presence::Required);
    f.require("email", &email);
    email.into_option().unwrap_or_default()
}

impl Registration {
    pub fn parse(body: &Map<String, Value>) -> Result<Registration, ValidationError> {
        let mut f = Fields::new(body);
        let email = email(&mut f);
        let password = password(&mut f, body, true);
        let display_name = f
            .text("display_name", DISPLAY_NAME_MAX, Presence::Optional)
            .into_option();
        f.finish()?;
        Ok(Registration {
            email,
            password,
            display_name,
        })
    }
}

impl Credentials {
    pub fn parse(body: &Map<String, Value>) -> Result<Credentials, ValidationError> {
        let mut f = Fields::new(body);
        let email = email(&mut f);
        let password = password(&mut f, body, false);
        let token_name = f
            .text("token_name", TOKEN_NAME_MAX, Presence::Optional)
            .into_option();
        f.finish()?;
        Ok(Credentials {
            email,
            password,
            token_name,
        })
    }
}

impl NewToken {
    pub fn parse(
        body: &Map<String, Value>,
        now: OffsetDateTime,
    ) -> Result<NewToken, ValidationError> {
        let mut f = Fields::new(body);
        f.read_only(&["id", "token", "created_at", "last_used_at"]);
        let name = f.text("name", TOKEN_NAME_MAX, Presence::Required);
        f.require("name", &name);
        let expires_at = f.timestamp("expires_at", Presence::Optional).into_option();
        if expires_at.is_some_and(|t| t <= now) {
            f.error("expires_at", "must be in the future");
        }
        f.finish()?;
        Ok(NewToken {
            name: name.into_option().unwrap_or_default(),
            expires_at,
        })
    }
}

impl NewToken {
    /// A token made with an expiring credential expires no later than it.
    pub fn capped_by(mut self, maker_expires_at: Option<OffsetDateTime>) -> NewToken {
        if let Some(cap) = maker_expires_at {
            self.expires_at = Some(self.expires_at.map_or(cap, |e| e.min(cap)));
        }
        self
    }
}

impl UserPatch {
    pub fn parse(body: &Map<String, Value>) -> Result<UserPatch, ValidationError> {
        let mut f = Fields::new(body);
        f.read_only(&["id", "email", "auth_methods", "created_at", "version"]);
        let display_name = f.text("display_name", DISPLAY_NAME_MAX, Presence::Optional);
        let timezone = match f.text("timezone", 64, Presence::Required) {
            Patch::Set(tz) if !is_time_zone(&tz) => {
                f.error(
                    "timezone",
                    "must be an IANA time zone name such as Europe/Berlin",
                );
                Patch::Absent
            }
            other => other,
        };
        f.finish()?;
        Ok(UserPatch {
            display_name,
            timezone,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::datetime;

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn registration_needs_an_email_and_a_ten_character_password() {
        let ok = Registration::parse(&body(
            json!({"email": "ada@example.com", "password": "0123456789"}),
        ));
        assert!(ok.is_ok());
        for (b, field) in [
            (
                json!({"email": "ada@example.com", "password": "012345678"}),
                "password",
            ),
            (json!({"email": "ada@example.com"}), "password"),
            (json!({"email": "ada", "password": "0123456789"}), "email"),
            (json!({"password": "0123456789"}), "email"),
        ] {
            let err = Registration::parse(&body(b.clone())).expect_err(&b.to_string());
            assert_eq!(err.errors[0].field, field, "{b}");
        }
    }

    #[test]
    fn a_password_change_needs_a_strong_new_password() {
        let ok = PasswordChange::parse(&body(
            json!({"current_password": "old", "new_password": "0123456789", "revoke_tokens": true}),
        ))
        .unwrap();
        assert_eq!(ok.current_password.as_deref(), Some("old"));
        assert!(ok.revoke_tokens);
        let first = PasswordChange::parse(&body(json!({"new_password": "0123456789"}))).unwrap();
        assert_eq!(first.current_password, None);
        assert!(!first.revoke_tokens);
        for b in [
            json!({"current_password": "old", "new_password": "short"}),
            json!({"current_password": "old"}),
            json!({"new_password": 1234567890}),
        ] {
            let err = PasswordChange::parse(&body(b.clone())).expect_err(&b.to_string());
            assert_eq!(err.errors[0].field, "new_password", "{b}");
        }
        let err = PasswordChange::parse(&body(
            json!({"new_password": "0123456789", "revoke_tokens": "yes"}),
        ))
        .unwrap_err();
        assert_eq!(err.errors[0].field, "revoke_tokens");
    }

    #[test]
    fn deleting_an_account_is_confirmed_by_its_email() {
        let d = AccountDeletion::parse(&body(json!({"confirm": " Ada@Example.com "}))).unwrap();
        assert!(d.confirms("ada@example.com") && !d.confirms("bob@example.com"));
        assert_eq!(d.password, None);
        let err = AccountDeletion::parse(&body(json!({"password": "x"}))).unwrap_err();
        assert_eq!(err.errors[0].field, "confirm");
    }

    #[test]
    fn passwords_keep_their_spaces_and_count_characters() {
        let r = Registration::parse(&body(json!({"email": "a@b.co", "password": " ééééééééé "})))
            .unwrap();
        assert_eq!(r.password, " ééééééééé ");
    }

    #[test]
    fn a_token_must_have_a_name_and_expire_in_the_future() {
        let now = datetime!(2026-11-25 12:00 UTC);
        assert!(NewToken::parse(&body(json!({"name": "ci"})), now).is_ok());
        let err = NewToken::parse(
            &body(json!({"name": "ci", "expires_at": "2026-11-01T00:00:00Z"})),
            now,
        )
        .unwrap_err();
        assert_eq!(err.errors[0].field, "expires_at");
        let err = NewToken::parse(&body(json!({})), now).unwrap_err();
        assert_eq!(err.errors[0].field, "name");
    }

    #[test]
    fn time_zones_must_be_iana_names() {
        assert!(UserPatch::parse(&body(json!({"timezone": "Europe/Berlin"}))).is_ok());
        let err = UserPatch::parse(&body(json!({"timezone": "CEST+2"}))).unwrap_err();
        assert_eq!(err.errors[0].field, "timezone");
        let err = UserPatch::parse(&body(json!({"email": "x@y.z"}))).unwrap_err();
        assert_eq!(err.errors[0].field, "email");
    }
}
