//! The program's one error type. Domain and store errors convert into it;
//! the HTTP layer maps it to problem+json in one place (`http::error`).

use crate::domain::application::PatchError;
use crate::domain::{InvalidTransition, ValidationError};
use crate::store::page::{BadCursor, ListError};
use crate::store::{Constraint, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error(transparent)]
    InvalidTransition(#[from] InvalidTransition),
    #[error("not found")]
    NotFound,
    #[error("If-Match names version {expected}, but the current version is {current}")]
    StaleVersion { expected: i32, current: i32 },
    #[error("{0}")]
    Conflict(String),
    #[error("authentication required")]
    Unauthenticated,
    /// A cookie-authenticated unsafe request without the session's CSRF token.
    #[error("missing or wrong CSRF token")]
    Csrf,
    /// A sign-up while the operator has closed registration.
    #[error("registration is closed on this server")]
    RegistrationClosed,
    /// Sign-in with a wrong email or password (the same answer for both).
    #[error("wrong email or password")]
    BadCredentials,
    #[error("too many attempts")]
    RateLimited { retry_after: u64 },
    /// A limit on what a user may start (AI generations), explained.
    #[error("{detail}")]
    LimitReached { retry_after: u64, detail: String },
    /// A malformed request: `param` names the query parameter or header.
    #[error("{message}")]
    BadRequest {
        param: Option<String>,
        message: String,
    },
    #[error("request body is larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("method not allowed")]
    MethodNotAllowed { allow: Vec<String> },
    #[error("a dependency is unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn bad_request(param: impl Into<String>, message: impl Into<String>) -> Self {
        Error::BadRequest {
            param: Some(param.into()),
            message: message.into(),
        }
    }

    pub fn internal(e: impl std::fmt::Display) -> Self {
        Error::Internal(e.to_string())
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(m) => Error::Unavailable(m),
            StoreError::Conflict(Constraint::EmailTaken) => {
                Error::Conflict("an account with this email already exists".into())
            }
            StoreError::Conflict(Constraint::IdentityTaken) => {
                Error::Conflict("this identity already belongs to another account".into())
            }
            StoreError::Conflict(Constraint::Other(_)) => {
                Error::Conflict("conflicts with an existing record".into())
            }
            StoreError::Missing => Error::NotFound,
            StoreError::Internal(m) => Error::Internal(m),
        }
    }
}

impl From<tokio_postgres::Error> for Error {
    fn from(e: tokio_postgres::Error) -> Self {
        StoreError::from(e).into()
    }
}

impl From<deadpool_postgres::PoolError> for Error {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        StoreError::from(e).into()
    }
}

impl From<PatchError> for Error {
    fn from(e: PatchError) -> Self {
        match e {
            PatchError::Validation(v) => Error::Validation(v),
            PatchError::InvalidTransition(t) => Error::InvalidTransition(t),
        }
    }
}

impl From<ListError> for Error {
    fn from(e: ListError) -> Self {
        match e {
            ListError::Cursor(c) => c.into(),
            ListError::Store(s) => s.into(),
        }
    }
}

impl From<BadCursor> for Error {
    fn from(e: BadCursor) -> Self {
        Error::bad_request("cursor", e.to_string())
    }
}

impl From<actix::MailboxError> for Error {
    fn from(e: actix::MailboxError) -> Self {
        Error::Unavailable(format!("actor mailbox: {e}"))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<crate::domain::StaleVersion> for Error {
    fn from(e: crate::domain::StaleVersion) -> Self {
        Error::StaleVersion {
            expected: e.expected,
            current: e.current,
        }
    }
}
