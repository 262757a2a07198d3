//! Where drafts come from: any OpenAI-compatible chat-completions endpoint
//! (streamed), or the built-in drafter (templates, no model). Both answer a
//! stream of chunks; the AI pool's workers turn it into progress, retries
//! and a committed draft.

pub mod builtin;
pub mod openai;
pub mod prompts;

#[cfg(test)]
mod drafts_corpus;

use std::pin::Pin;

use futures_util::Stream;

use crate::config::AiSettings;
use crate::domain::generation::{Failure, Kind, Usage};

/// A piece of an answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Chunk {
    Text(String),
    Usage(Usage),
}

pub type ChunkStream = Pin<Box<dyn Stream<Item = Result<Chunk, Failure>> + Send>>;

/// What is sent: instructions apart from the data they work on.
#[derive(Debug, Clone)]
pub struct Prompt {
    pub system: String,
    pub user: String,
}

/// The active provider.
#[derive(Clone)]
pub enum Provider {
    Builtin(builtin::Builtin),
    OpenAi(openai::OpenAi),
}

impl Provider {
    pub fn from_settings(ai: &AiSettings) -> Provider {
        match &ai.base_url {
            Some(url) => Provider::OpenAi(openai::OpenAi::new(url.clone(), ai)),
            None => Provider::Builtin(builtin::Builtin::new()),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Provider::Builtin(_) => "builtin",
            Provider::OpenAi(_) => "openai-compatible",
        }
    }

    /// The model for a kind of draft.
    pub fn model(&self, kind: Kind) -> String {
        match self {
            Provider::Builtin(_) => builtin::MODEL.to_owned(),
            Provider::OpenAi(o) => o.model_for(kind),
        }
    }

    /// Whether it answers (the built-in drafter always does).
    pub async fn reachable(&self) -> bool {
        match self {
            Provider::Builtin(_) => true,
            Provider::OpenAi(o) => o.reachable().await,
        }
    }
}
