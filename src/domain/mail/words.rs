//! Text as words, and phrase patterns matched against them: the rule tables
//! are written as plain phrases, matched word by word within one sentence,
//! so punctuation, case and line breaks never decide a match.
//!
//! A pattern is words separated by spaces, where a word may be
//! - `a|b|c` — any one of these words,
//! - `*` — a gap of up to [`GAP`] words (so "decided to * forward" reads
//!   "decided to move forward" and "decided to not go forward"),
//! - `word~` — any word starting with `word` ("recruit~": recruiter, recruiting).

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
        if self.tokens.is_empty() {
            return None;
        }
        (0..words.len()).find(|&start| matches_at(&self.tokens, words, start))
    }
}

/// Whether `tokens` match `words` starting at `at`.
fn matches_at(tokens: &[Token], words: &[String], at: usize) -> bool {
    let Some((first, rest)) = tokens.split_first() else {
        return true;
    };
    match first {
        Token::Gap => {
            (0..=GAP).any(|skip| at + skip <= words.len() && matches_at(rest, words, at + skip))
        }
        Token::Any(choices) => choices.iter().any(|choice| match choice {
            Choice::Prefix(stem) => {
                words.get(at).is_some_and(|w| w.starts_with(stem.as_str()))
                    && matches_at(rest, words, at + 1)
            }
            // A choice may be several words ("we ve" from "we've").
            Choice::Words(choice) => {
                let n = choice.len();
                words
                    .get(at..at + n)
                    .is_some_and(|w| w == choice.as_slice())
                    && matches_at(rest, words, at + n)
            }
        }),
    }
}

/// Patterns compiled once from a table of phrases.
pub fn compile(phrases: &[&str]) -> Vec<Pattern> {
    phrases.iter().map(|p| Pattern::new(p)).collect()
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
    fn an_empty_pattern_matches_nothing() {
        assert!(!Pattern::new("  ").is_in(&words("anything at all")));
        assert!(!Pattern::new("*").is_in(&[]));
    }
}
