//! Text as words, and phrase patterns matched against them: the rule tables
//! are written as plain phrases, matched word by word within one sentence,
//! so punctuation, case and line breaks never decide a match.
//!
//! A pattern is words separated by spaces, where a word may be
//! - `a|b|c` — any one of these words,
//! - `*` — a gap of up to [`GAP`] words (so "decided to * forward" reads
//!   "decided to move forward" and "decided to not go forward"),
//! - `word~` — any word starting with `word` ("recruit~": recruiter, recruiting).
//!
//! A [`Frame`] is several patterns found in one sentence in their order, with
//! any words between them ("not" … "moving" … "ahead" reads "we will not be
//! moving ahead with your candidacy"), and none of its `!`-patterns in that
//! sentence.

/// The most words a `*` in a pattern may stand for.
pub const GAP: usize = 3;

/// Words of a text, lowercased: letters and digits; everything else
/// (apostrophes and hyphens too) separates words, so patterns are written the
/// same way ("we ve", "take home").
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// A text cut into sentences, each as its words. Sentences end at `.`, `!`,
/// `?`, `;` and line breaks, so a pattern never joins two of them.
pub fn sentences(text: &str) -> Vec<Vec<String>> {
    text.split(['.', '!', '?', ';', '\n', '\r', '•', '|'])
        .map(words)
        .filter(|w| !w.is_empty())
        .collect()
}

/// One word of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// Any of these choices.
    Any(Vec<Choice>),
    /// Up to [`GAP`] words.
    Gap,
}

/// One choice of a pattern word: words of text (an apostrophe makes two),
/// or a stem the text's word starts with.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Choice {
    Words(Vec<String>),
    Prefix(String),
}

/// A compiled phrase pattern (see the module's documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    tokens: Vec<Token>,
}

impl Pattern {
    pub fn new(pattern: &str) -> Pattern {
        let tokens = pattern
            .split_whitespace()
            .filter_map(|t| {
                if t == "*" {
                    return Some(Token::Gap);
                }
                let choices: Vec<Choice> = t
                    .split('|')
                    .filter_map(|c| match c.strip_suffix('~') {
                        Some(stem) => {
                            let stem = words(stem).concat();
                            (!stem.is_empty()).then_some(Choice::Prefix(stem))
                        }
                        // A word with an apostrophe or hyphen is several words of text.
                        None => {
                            let w = words(c);
                            (!w.is_empty()).then_some(Choice::Words(w))
                        }
                    })
                    .collect();
                (!choices.is_empty()).then_some(Token::Any(choices))
            })
            .collect();
        Pattern { tokens }
    }

    /// Whether the pattern occurs anywhere in these words.
    pub fn is_in(&self, words: &[String]) -> bool {
        self.first_at(words).is_some()
    }

    /// Where the pattern first occurs in these words.
    pub fn first_at(&self, words: &[String]) -> Option<usize> {
        self.find_from(words, 0).map(|(start, _)| start)
    }

    /// The first occurrence starting at or after `from`: its start and end.
    pub fn find_from(&self, words: &[String], from: usize) -> Option<(usize, usize)> {
        if self.tokens.is_empty() {
            return None;
        }
        (from..words.len())
            .find_map(|start| matches_at(&self.tokens, words, start).map(|end| (start, end)))
    }
}

/// Whether `tokens` match `words` starting at `at`.
/// Where `tokens` matching `words` from `at` end (the shortest match).
fn matches_at(tokens: &[Token], words: &[String], at: usize) -> Option<usize> {
    let Some((first, rest)) = tokens.split_first() else {
        return Some(at);
    };
    match first {
        Token::Gap => (0..=GAP)
            .filter(|skip| at + skip <= words.len())
            .find_map(|skip| matches_at(rest, words, at + skip)),
        Token::Any(choices) => choices.iter().find_map(|choice| match choice {
            Choice::Prefix(stem) => words
                .get(at)
                .filter(|w| w.starts_with(stem.as_str()))
                .and_then(|_| matches_at(rest, words, at + 1)),
            // A choice may be several words ("we ve" from "we've").
            Choice::Words(choice) => {
                let n = choice.len();
                words
                    .get(at..at + n)
                    .filter(|w| *w == choice.as_slice())
                    .and_then(|_| matches_at(rest, words, at + n))
            }
        }),
    }
}

/// Patterns found in one sentence in order, and none of some others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    parts: Vec<Pattern>,
    unless: Vec<Pattern>,
}

impl Frame {
    /// A frame from its parts; a part starting with `!` must not occur.
    pub fn new(parts: &[&str]) -> Frame {
        let (unless, parts): (Vec<&str>, Vec<&str>) =
            parts.iter().partition(|p| p.starts_with('!'));
        Frame {
            parts: parts.iter().map(|p| Pattern::new(p)).collect(),
            unless: unless
                .iter()
                .map(|p| Pattern::new(p.trim_start_matches('!')))
                .collect(),
        }
    }

    /// Where the frame's first part starts in these words, if it is there.
    pub fn first_at(&self, words: &[String]) -> Option<usize> {
        if self.parts.is_empty() || self.unless.iter().any(|u| u.is_in(words)) {
            return None;
        }
        let mut from = 0;
        let mut start = None;
        for part in &self.parts {
            let (s, e) = part.find_from(words, from)?;
            start.get_or_insert(s);
            from = e;
        }
        start
    }
}

/// Patterns compiled once from a table of phrases.
pub fn compile(phrases: &[&str]) -> Vec<Pattern> {
    phrases.iter().map(|p| Pattern::new(p)).collect()
}

/// Frames compiled once from a table of phrases and a table of frames.
pub fn compile_frames(phrases: &[&str], frames: &[&[&str]]) -> Vec<Frame> {
    compile_hedged(phrases, frames, &[])
}

/// Like [`compile_frames`], each phrase also refused in a sentence with one
/// of `unless` (`!`-patterns).
pub fn compile_hedged(phrases: &[&str], frames: &[&[&str]], unless: &[&str]) -> Vec<Frame> {
    phrases
        .iter()
        .map(|p| Frame::new(&[&[*p], unless].concat()))
        .chain(frames.iter().map(|f| Frame::new(f)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(pattern: &str, text: &str) -> bool {
        sentences(text)
            .iter()
            .any(|s| Pattern::new(pattern).is_in(s))
    }

    #[test]
    fn a_phrase_matches_whatever_the_case_and_punctuation() {
        assert!(found(
            "thank you for applying",
            "Hi Sam, THANK YOU, for applying!"
        ));
        assert!(!found("thank you for applying", "Thank you. For applying"));
    }

    #[test]
    fn a_gap_stands_for_up_to_three_words() {
        let p = "decided to * forward with other";
        assert!(found(p, "we decided to forward with other"));
        assert!(found(
            p,
            "we have decided to move forward with other candidates"
        ));
        assert!(found(p, "decided to not go ahead forward with other"));
        assert!(!found(p, "decided to a b c d forward with other"));
    }

    #[test]
    fn alternatives_and_prefixes_match_one_word() {
        assert!(found("move|go forward", "we will go forward"));
        assert!(found("recruit~ team", "the Recruiting team"));
        assert!(!found("recruit~ team", "the team"));
        assert!(found("other candidate~|applicant~", "other applicants"));
        assert!(found("other candidate~|applicant~", "other candidates"));
    }

    #[test]
    fn apostrophes_in_patterns_and_text_read_the_same() {
        assert!(found(
            "we've received your application",
            "We’ve received your application"
        ));
        assert!(found("we've received", "We've received"));
        assert!(found(
            "won't be moving forward",
            "we won't be moving forward"
        ));
    }

    #[test]
    fn a_frame_finds_its_parts_in_order_within_one_sentence() {
        let f = Frame::new(&["not", "moving|move", "ahead|forward", "!if"]);
        let first = |text: &str| sentences(text).iter().find_map(|s| f.first_at(s));
        assert_eq!(
            first("We will not be moving ahead with your candidacy."),
            Some(2)
        );
        assert_eq!(
            first("Moving ahead, we will not call."),
            None,
            "out of order"
        );
        assert_eq!(
            first("We will not. Be moving ahead."),
            None,
            "two sentences"
        );
        assert_eq!(
            first("If we are not moving forward we will say so"),
            None,
            "an excluded word"
        );
    }

    #[test]
    fn an_empty_pattern_matches_nothing() {
        assert!(!Pattern::new("  ").is_in(&words("anything at all")));
        assert!(!Pattern::new("*").is_in(&[]));
    }
}
