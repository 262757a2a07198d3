//! Words as the matcher sees them: tokens with their original case, folded
//! to a canonical form (a small synonym table, so "k8s" is "kubernetes") and
//! cut to a stem (so "mentored" is "mentor"). Everything here is one pass
//! over the text.

/// A word of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token<'a> {
    /// As written.
    pub raw: &'a str,
    /// Lower-cased, synonyms folded, stemmed: what is compared.
    pub term: String,
    /// A name a reader would not mistake for a plain word (a technology, an
    /// acronym, a version): one such word in common is evidence by itself.
    pub key: bool,
}

/// Words that carry no meaning of their own in a posting or a résumé.
const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "across",
    "after",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "been",
    "being",
    "both",
    "but",
    "by",
    "can",
    "could",
    "do",
    "does",
    "each",
    "e.g",
    "eg",
    "either",
    "etc",
    "every",
    "for",
    "from",
    "get",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "his",
    "how",
    "i",
    "i.e",
    "ie",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "just",
    "like",
    "made",
    "make",
    "many",
    "may",
    "me",
    "more",
    "most",
    "much",
    "must",
    "my",
    "new",
    "no",
    "not",
    "of",
    "on",
    "one",
    "or",
    "other",
    "our",
    "out",
    "over",
    "own",
    "per",
    "plus",
    "s",
    "same",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "two",
    "up",
    "us",
    "use",
    "used",
    "using",
    "very",
    "via",
    "was",
    "we",
    "well",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "within",
    "without",
    "would",
    "you",
    "your",
    "yours",
    "ll",
    "ve",
    "re",
    "d",
    "m",
    // what requirements are made of rather than about
    "ability",
    "able",
    "advanced",
    "bonus",
    "background",
    "comfortable",
    "deep",
    "demonstrated",
    "desire",
    "excellent",
    "expert",
    "expertise",
    "experience",
    "experienced",
    "familiar",
    "familiarity",
    "good",
    "great",
    "hands",
    "ideally",
    "knowledge",
    "least",
    "level",
    "love",
    "minimum",
    "nice",
    "plus",
    "preferably",
    "preferred",
    "professional",
    "proficiency",
    "proficient",
    "proven",
    "record",
    "related",
    "relevant",
    "required",
    "requirement",
    "senior",
    "similar",
    "skill",
    "skills",
    "solid",
    "strong",
    "track",
    "understanding",
    "want",
    "working",
    "year",
    "years",
    "yrs",
    "wide",
    "various",
    "real",
    "world",
    "someone",
    "people",
    "thing",
    "things",
    "way",
    "ways",
    "day",
    "days",
    "lot",
    "lots",
    "help",
    "helping",
    "role",
    "job",
    "team",
    "teams",
    "company",
    "work",
    "works",
    "worked",
    "environment",
    "engineer",
    "engineers",
    "engineering",
    "developer",
    "developers",
    "development",
    "develop",
    "software",
    "entwickler",
    "entwicklerin",
    "field",
    "related",
    "equivalent",
    // German
    "aber",
    "als",
    "am",
    "an",
    "auch",
    "auf",
    "aus",
    "bei",
    "bist",
    "das",
    "dass",
    "dein",
    "deine",
    "deinen",
    "deiner",
    "dem",
    "den",
    "der",
    "des",
    "die",
    "dich",
    "dir",
    "du",
    "ein",
    "eine",
    "einem",
    "einen",
    "einer",
    "eines",
    "erfahrung",
    "erfahrungen",
    "es",
    "fuer",
    "für",
    "gute",
    "guten",
    "gutes",
    "hast",
    "hat",
    "haben",
    "ihr",
    "ihre",
    "im",
    "in",
    "ist",
    "ja",
    "kenntnisse",
    "mit",
    "nach",
    "oder",
    "sehr",
    "sein",
    "sich",
    "sie",
    "sind",
    "so",
    "über",
    "um",
    "und",
    "uns",
    "unser",
    "unsere",
    "von",
    "vor",
    "was",
    "wenn",
    "wir",
    "wie",
    "zu",
    "zum",
    "zur",
    "idealerweise",
    "mehrjährige",
    "mehrere",
    "jahre",
    "jahren",
    "bringst",
    "mit",
    "verfügst",
    "team",
    "arbeit",
    "wirst",
];

/// Technologies and fields that are names, not plain words; any one in
/// common makes a line evidence.
const NAMES: &[&str] = &[
    "rust",
    "python",
    "java",
    "kotlin",
    "scala",
    "ruby",
    "rails",
    "php",
    "go",
    "c++",
    "c#",
    "swift",
    "objective-c",
    "elixir",
    "erlang",
    "haskell",
    "clojure",
    "perl",
    "lua",
    "dart",
    "flutter",
    "sql",
    "nosql",
    "postgresql",
    "mysql",
    "sqlite",
    "oracle",
    "redis",
    "kafka",
    "rabbitmq",
    "nats",
    "kubernetes",
    "docker",
    "helm",
    "terraform",
    "ansible",
    "pulumi",
    "aws",
    "gcp",
    "azure",
    "linux",
    "unix",
    "git",
    "graphql",
    "grpc",
    "rest",
    "react",
    "vue",
    "angular",
    "svelte",
    "node",
    "javascript",
    "typescript",
    "html",
    "css",
    "tailwind",
    "django",
    "flask",
    "fastapi",
    "spring",
    "tokio",
    "axum",
    "actix",
    "ml",
    "ai",
    "llm",
    "nlp",
    "pytorch",
    "tensorflow",
    "spark",
    "hadoop",
    "airflow",
    "dbt",
    "snowflake",
    "bigquery",
    "redshift",
    "elasticsearch",
    "mongodb",
    "cassandra",
    "dynamodb",
    "clickhouse",
    "prometheus",
    "grafana",
    "datadog",
    "opentelemetry",
    "ci",
    "figma",
    "sketch",
    "excel",
    "tableau",
    "looker",
    "salesforce",
    "hubspot",
    "sap",
    "jira",
    "webassembly",
    "wasm",
    "ebpf",
    "cuda",
    "llvm",
    ".net",
    "nginx",
    "envoy",
    "istio",
    "serverless",
    "lambda",
    "s3",
    "ec2",
    "gitlab",
    "github",
    "jenkins",
    "devops",
    "sre",
    "ios",
    "android",
    "pandas",
    "numpy",
    "r",
    "matlab",
    "german",
    "english",
    "french",
    "spanish",
    "seo",
    "sem",
    "crm",
    "erp",
    "gdpr",
    "soc2",
    "iso",
    "tdd",
    "ddd",
    "oauth",
    "oidc",
    "saml",
    "tcp",
    "http",
    "udp",
    "dns",
    "bgp",
    "kernel",
    "embedded",
    "rtos",
    "fpga",
    "verilog",
    "vhdl",
    "unity",
    "unreal",
    "blender",
    "photoshop",
    "monitoring",
    "accessibility",
    "statistics",
    "playwright",
    "cypress",
    "electron",
];

/// What a word on a résumé also shows: a Grafana dashboard is monitoring,
/// PostgreSQL is SQL. Added to the profile's terms only.
const IMPLIES: &[(&str, &[&str])] = &[
    ("opentelemetry", &["monitoring"]),
    ("grafana", &["monitoring"]),
    ("prometheus", &["monitoring"]),
    ("datadog", &["monitoring"]),
    ("postgresql", &["sql", "database"]),
    ("mysql", &["sql", "database"]),
    ("sqlite", &["sql", "database"]),
    ("bigquery", &["sql", "warehouse"]),
    ("snowflake", &["sql", "warehouse"]),
    ("redshift", &["sql", "warehouse"]),
    ("aws", &["cloud", "infrastructure"]),
    ("gcp", &["cloud", "infrastructure"]),
    ("azure", &["cloud", "infrastructure"]),
    ("kubernetes", &["infrastructure", "container"]),
    ("docker", &["container"]),
    ("terraform", &["infrastructure"]),
    ("react", &["frontend"]),
    ("vue", &["frontend"]),
    ("angular", &["frontend"]),
    ("svelte", &["frontend"]),
    ("pytorch", &["ml"]),
    ("tensorflow", &["ml"]),
    ("scikit", &["ml"]),
    ("lightgbm", &["ml"]),
    ("xgboost", &["ml"]),
    ("kafka", &["stream"]),
    ("mentor", &["coach"]),
    ("okr", &["metric", "goal"]),
    ("kpi", &["metric"]),
    ("amplitude", &["analytics", "metric"]),
    ("mixpanel", &["analytics", "metric"]),
    ("jira", &["agile"]),
    ("coach", &["mentor"]),
];

/// The terms a profile's term also stands for.
pub fn implied(term: &str) -> &'static [&'static str] {
    IMPLIES
        .iter()
        .find(|(t, _)| *t == term)
        .map_or(&[], |(_, also)| also)
}

/// One word spellings that mean the same thing: spelling → canonical.
const SYNONYMS: &[(&str, &str)] = &[
    ("postgres", "postgresql"),
    ("psql", "postgresql"),
    ("k8s", "kubernetes"),
    ("kube", "kubernetes"),
    ("js", "javascript"),
    ("ecmascript", "javascript"),
    ("ts", "typescript"),
    ("golang", "go"),
    ("nodejs", "node"),
    ("node.js", "node"),
    ("reactjs", "react"),
    ("react.js", "react"),
    ("vuejs", "vue"),
    ("vue.js", "vue"),
    ("cpp", "c++"),
    ("csharp", "c#"),
    ("dotnet", ".net"),
    ("mongo", "mongodb"),
    ("elastic", "elasticsearch"),
    ("restful", "rest"),
    ("cicd", "ci"),
    ("llms", "llm"),
    ("apis", "api"),
    ("infra", "infrastructure"),
    ("db", "database"),
    ("dbs", "database"),
    ("datenbank", "database"),
    ("datenbanken", "database"),
    ("entwicklung", "development"),
    ("verteilte", "distributed"),
    ("verteilten", "distributed"),
    ("systeme", "system"),
    ("systemen", "system"),
    ("englisch", "english"),
    ("deutsch", "german"),
    ("deutschkenntnisse", "german"),
    ("englischkenntnisse", "english"),
    ("führung", "leadership"),
    ("teamführung", "leadership"),
    ("sicherheit", "security"),
    ("automatisierung", "automation"),
    ("kunden", "customer"),
    ("betrieb", "operate"),
    ("microservice", "microservices"),
    ("micro-services", "microservices"),
    ("observability", "monitoring"),
    ("accessible", "accessibility"),
    ("statistik", "statistics"),
    ("mathematik", "mathematics"),
    ("informatik", "computer"),
    ("a11y", "accessibility"),
];

/// Irregular verb forms, as résumés write them: form → base.
const VERB_FORMS: &[(&str, &str)] = &[
    ("led", "lead"),
    ("built", "build"),
    ("rebuilt", "build"),
    ("ran", "run"),
    ("wrote", "write"),
    ("written", "write"),
    ("rewrote", "rewrite"),
    ("taught", "teach"),
    ("grew", "grow"),
    ("drove", "drive"),
    ("brought", "bring"),
    ("kept", "keep"),
    ("oversaw", "oversee"),
    ("spoke", "speak"),
    ("sold", "sell"),
    ("won", "win"),
    ("cut", "cut"),
    ("shipped", "ship"),
];

/// Phrases that mean one thing: words → canonical.
const PHRASES: &[(&[&str], &str)] = &[
    (&["machine", "learning"], "ml"),
    (&["artificial", "intelligence"], "ai"),
    (&["amazon", "web", "services"], "aws"),
    (&["google", "cloud", "platform"], "gcp"),
    (&["google", "cloud"], "gcp"),
    (&["large", "language", "models"], "llm"),
    (&["large", "language", "model"], "llm"),
    (&["natural", "language", "processing"], "nlp"),
    (&["continuous", "integration"], "ci"),
    (&["continuous", "delivery"], "ci"),
    (&["continuous", "deployment"], "ci"),
    (&["site", "reliability"], "sre"),
    (&["test", "driven"], "tdd"),
    (&["microsoft", "azure"], "azure"),
    (&["github", "actions"], "ci"),
    (&["gitlab", "ci"], "ci"),
    (&["ci", "cd"], "ci"),
    (&["machine", "learning"], "ml"),
    (&["maschinelles", "lernen"], "ml"),
    (&["künstliche", "intelligenz"], "ai"),
];

/// Short names that are also ordinary words: they count only as written
/// ("Go", not "go live").
const CASED: &[(&str, &[&str])] = &[
    ("go", &["Go", "GO"]),
    ("r", &["R"]),
    ("c", &["C"]),
    ("d", &["D"]),
];

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// The words of a text as written: letters and digits, with `+`, `#`
/// after a word (C++, C#) and `.` between letters (Node.js) kept.
/// A résumé line shaped like a heading: a short "Name — Role" or
/// "Role | Company", or (`dated`) one that carries a year such as 2019.
pub fn heading_shape(text: &str) -> (bool, bool) {
    let short = text.split_whitespace().count() <= 6;
    let separated = short && (text.contains(" — ") || text.contains(" | "));
    let dated = raw_words(text).iter().any(|w| {
        w.len() == 4
            && (w.starts_with("19") || w.starts_with("20"))
            && w.chars().all(|c| c.is_ascii_digit())
    });
    (separated, dated)
}

pub fn raw_words(text: &str) -> Vec<&str> {
    spans(text).into_iter().map(|(a, b)| &text[a..b]).collect()
}

/// Where each word of [`raw_words`] starts and ends (byte offsets).
fn spans(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let bytes: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < bytes.len() {
        let (start, c) = bytes[i];
        if !is_word_char(c) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < bytes.len() {
            let c = bytes[j].1;
            let dotted = c == '.'
                && bytes[j - 1].1.is_alphabetic()
                && bytes.get(j + 1).is_some_and(|b| b.1.is_lowercase());
            if is_word_char(c) || dotted {
                j += 1;
            } else {
                break;
            }
        }
        while j < bytes.len() && matches!(bytes[j].1, '+' | '#') {
            j += 1;
        }
        let end = bytes.get(j).map_or(text.len(), |b| b.0);
        out.push((start, end));
        i = j;
    }
    out
}

/// A word cut to its stem: common English inflections and derivations
/// taken off, so "services", "service" and "servicing" meet.
pub fn stem(word: &str) -> String {
    let mut w = word.to_owned();
    if !w.chars().all(char::is_alphabetic) {
        return w;
    }
    const SUFFIXES: &[(&str, &str)] = &[
        ("ational", "ate"),
        ("ization", "ize"),
        ("isation", "ize"),
        ("ations", "ate"),
        ("ation", "ate"),
        ("ingly", ""),
        ("ments", ""),
        ("ment", ""),
        ("ness", ""),
        ("ities", ""),
        ("ity", ""),
        ("ings", ""),
        ("ing", ""),
        ("ies", "y"),
        ("ied", "y"),
        ("edly", ""),
        ("ers", ""),
        ("ed", ""),
        ("er", ""),
        ("es", ""),
        ("ly", ""),
        ("s", ""),
    ];
    for _ in 0..2 {
        let before = w.clone();
        for (suffix, with) in SUFFIXES {
            if let Some(base) = w.strip_suffix(suffix) {
                if base.chars().count() >= 3 && !(suffix == &"s" && base.ends_with('s')) {
                    w = format!("{base}{with}");
                    break;
                }
            }
        }
        if w == before {
            break;
        }
    }
    // "shipp" → "ship", "operate" → "operat": both spellings meet.
    let chars: Vec<char> = w.chars().collect();
    let n = chars.len();
    let doubled = n >= 4 && chars[n - 1] == chars[n - 2] && !"aeiouls".contains(chars[n - 1]);
    if doubled || (n >= 4 && chars[n - 1] == 'e') {
        w.pop();
    }
    w
}

fn is_stopword(lower: &str) -> bool {
    STOPWORDS.contains(&lower)
}

/// Whether a word is a name of a technology or field the matcher knows.
pub fn is_name(term: &str) -> bool {
    NAMES.contains(&term)
}

/// The canonical spelling of one lower-cased word.
pub fn canonical(lower: &str) -> &str {
    SYNONYMS
        .iter()
        .chain(VERB_FORMS)
        .find(|(s, _)| *s == lower)
        .map_or(lower, |(_, c)| c)
}

/// The meaningful words of a text, compared as terms.
pub fn tokens(text: &str) -> Vec<Token<'_>> {
    let spans = spans(text);
    let raw: Vec<&str> = spans.iter().map(|&(a, b)| &text[a..b]).collect();
    let lower: Vec<String> = raw.iter().map(|w| w.to_lowercase()).collect();
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if let Some((words, canon)) = PHRASES.iter().find(|(words, _)| {
            words.len() <= raw.len() - i && words.iter().zip(&lower[i..]).all(|(a, b)| *a == b)
        }) {
            // the phrase as written, all its words
            out.push(Token {
                raw: &text[spans[i].0..spans[i + words.len() - 1].1],
                term: (*canon).to_owned(),
                key: true,
            });
            i += words.len();
            continue;
        }
        let w = raw[i];
        let l = lower[i].as_str();
        i += 1;
        if let Some((_, cased)) = CASED.iter().find(|(c, _)| *c == l) {
            if cased.contains(&w) {
                out.push(Token {
                    raw: w,
                    term: l.to_owned(),
                    key: true,
                });
            }
            continue;
        }
        let canon = canonical(l);
        if is_stopword(canon) || !canon.chars().any(char::is_alphabetic) {
            continue;
        }
        let symbolic =
            canon.chars().any(|c| !c.is_alphabetic()) && canon.chars().any(char::is_alphabetic);
        let acronym = w.chars().count() >= 2
            && w.chars().all(|c| c.is_uppercase() || c.is_ascii_digit())
            && w.chars().any(char::is_alphabetic);
        let key = is_name(canon) || symbolic || acronym;
        let term = if is_name(canon) || symbolic || canon != l {
            canon.to_owned()
        } else {
            stem(canon)
        };
        out.push(Token { raw: w, term, key });
    }
    out
}

/// Words that a capital mid-sentence does not make a name (headings and
/// departments are often capitalised).
const COMMON_CAPITALISED: &[&str] = &[
    "product",
    "design",
    "engineering",
    "sales",
    "marketing",
    "data",
    "customer",
    "customers",
    "business",
    "finance",
    "operations",
    "support",
    "people",
    "legal",
    "security",
    "research",
    "platform",
    "cloud",
    "backend",
    "frontend",
    "mobile",
    "web",
    "senior",
    "junior",
    "lead",
    "staff",
    "principal",
    "manager",
    "engineer",
    "developer",
    "team",
    "teams",
    "we",
    "you",
    "our",
    "the",
    "a",
    "an",
    "i",
];

/// Whether a word written with a capital mid-sentence is a name
/// ("Kafka", "Stripe") rather than an ordinary word.
pub fn capitalised_name(raw: &str) -> bool {
    let mut chars = raw.chars();
    let first_upper = chars.next().is_some_and(char::is_uppercase);
    first_upper
        && raw.chars().count() >= 2
        && !COMMON_CAPITALISED.contains(&raw.to_lowercase().as_str())
}

/// Whether a text reads as German (where every noun has a capital, so a
/// capital says nothing about a name).
pub fn is_german(text: &str) -> bool {
    let words = raw_words(text);
    let sample = words.len().min(3_000);
    let german = words
        .iter()
        .take(3_000)
        .filter(|w| {
            matches!(
                w.to_lowercase().as_str(),
                "und"
                    | "der"
                    | "die"
                    | "das"
                    | "mit"
                    | "für"
                    | "du"
                    | "wir"
                    | "sie"
                    | "ist"
                    | "deine"
                    | "dein"
                    | "oder"
                    | "eine"
                    | "einen"
                    | "von"
                    | "zu"
                    | "bei"
                    | "auf"
                    | "in"
                    | "sehr"
                    | "gute"
            )
        })
        .count();
    german >= 2 && german * 10 > sample
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        tokens(text).into_iter().map(|t| t.term).collect()
    }

    #[test]
    fn synonyms_and_stems_meet() {
        assert_eq!(terms("Postgres"), terms("PostgreSQL"));
        assert_eq!(terms("k8s"), terms("Kubernetes"));
        assert_eq!(terms("JS"), terms("JavaScript"));
        assert_eq!(terms("Golang"), terms("Go"));
        assert_eq!(terms("ML"), terms("machine learning"));
        assert_eq!(terms("Mentored engineers"), terms("mentor engineering"));
        assert_eq!(terms("services"), terms("service"));
        assert_eq!(terms("led"), terms("leading"));
        assert_eq!(terms("C++ and C#"), vec!["c++", "c#"]);
        assert_eq!(terms("Node.js"), vec!["node"]);
    }

    #[test]
    fn short_names_that_are_words_count_only_as_written() {
        assert_eq!(terms("we go live weekly"), vec!["liv", "week"]);
        assert_eq!(terms("Go services"), vec!["go", "servic"]);
    }

    #[test]
    fn names_and_acronyms_are_key_words() {
        let t = tokens("Rust services on AWS with p99 budgets");
        let keys: Vec<&str> = t.iter().filter(|t| t.key).map(|t| t.raw).collect();
        assert_eq!(keys, vec!["Rust", "AWS", "p99"]);
    }
}
