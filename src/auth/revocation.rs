//! What a revocation names: the API tokens and sessions that stopped working
//! (their live streams close on every replica), and whether every cached
//! credential lookup of the user must go.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocation {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub token_ids: Vec<Uuid>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub session_ids: Vec<Uuid>,
    /// Forget every cached lookup of the user (account linking, deletion).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cached_lookups: bool,
}

impl Revocation {
    pub fn tokens(ids: Vec<Uuid>) -> Revocation {
        Revocation {
            token_ids: ids,
            ..Revocation::default()
        }
    }

    pub fn sessions(ids: Vec<Uuid>) -> Revocation {
        Revocation {
            session_ids: ids,
            ..Revocation::default()
        }
    }

    pub fn is_empty(&self) -> bool {
        self.token_ids.is_empty() && self.session_ids.is_empty() && !self.cached_lookups
    }

    /// The event's data.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or_default()
    }

    /// Read from an event's data (an unreadable one names nothing).
    pub fn from_value(data: &Value) -> Revocation {
        serde_json::from_value(data.clone()).unwrap_or_default()
    }

    pub fn names_token(&self, id: Uuid) -> bool {
        self.token_ids.contains(&id)
    }

    pub fn names_session(&self, id: Uuid) -> bool {
        self.session_ids.contains(&id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_revocation_travels_as_json_and_names_what_it_revoked() {
        let (t, s) = (Uuid::now_v7(), Uuid::now_v7());
        let r = Revocation {
            token_ids: vec![t],
            session_ids: vec![s],
            cached_lookups: true,
        };
        let back = Revocation::from_value(&r.to_value());
        assert_eq!(back, r);
        assert!(back.names_token(t) && back.names_session(s) && !back.names_token(s));
        assert!(Revocation::from_value(&serde_json::json!("junk")).is_empty());
    }
}
