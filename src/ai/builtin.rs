//! The built-in drafter: no model, no network. The domain's fit analysis
//! (`domain::fit`) reads the job description for its requirements and
//! matches them with the profile; the templates in
//! `templates/prompts/builtin/` turn that into a draft. The drafts are deterministic
//! and honest about what they are (provider `builtin`, model
//! `template-drafter`): a solid first version to edit, not prose from a model.

use super::{Chunk, ChunkStream};
use crate::domain::generation::Usage;

pub const MODEL: &str = "template-drafter";

#[derive(Clone, Default)]
pub struct Builtin;

impl Builtin {
    pub fn new() -> Builtin {
        Builtin
    }

    /// The draft, paragraph by paragraph.
    pub fn stream(&self, text: String) -> ChunkStream {
        let mut chunks: Vec<Result<Chunk, _>> = text
            .split_inclusive("\n\n")
            .map(|p| Ok(Chunk::Text(p.to_owned())))
            .collect();
        chunks.push(Ok(Chunk::Usage(Usage::default())));
        Box::pin(futures_util::stream::iter(chunks))
    }
}
