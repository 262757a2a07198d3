//! Importing applications from a CSV file — another tracker's export, a
//! spreadsheet, or our own export — and writing our own export's rows.
//!
//! The steps, each a function: [`decode`] the bytes, [`read_table`] into a
//! header and rows, [`plan`] which column fills which field, and [`convert`]
//! each row into a create that passed every rule of the API. Pure: the HTTP
//! layer reads the body, the store skips what already exists ([`MatchKey`]).
//!
//! Row numbers are spreadsheet row numbers: the header is row 1 and the first
//! row below it row 2, as a spreadsheet shows the file (blank lines count, a
//! cell holding line breaks does not add rows, an Excel `sep=` line does not).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::{Date, Month};

use super::application::{Application, ApplicationPatch, NewApplication, SALARY_MAX};
use super::currency::is_currency;
use super::duplicates::{name_key, url_key};
use super::fields::ValidationError;
use super::note::parse_note_body;
use super::pipeline::Status;
use super::time::{format_date, format_timestamp, parse_timestamp};

/// At most this many data rows (below the header) in one file.
pub const MAX_ROWS: usize = 10_000;
/// At most this many bytes in one file.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// At most this many columns: no tracker has more, and it bounds the work a
/// hostile file can ask for (every row is read against every column).
pub const MAX_COLUMNS: usize = 1_000;

// ---------------------------------------------------------------------------
// Targets: what a column fills.

/// What a column fills. The serde (snake_case) names are the API's field
/// names, plus `salary` (a range filling `salary_min`, `salary_max` and
/// `salary_currency`) and `notes` (the application's first note).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    Company,
    Title,
    Status,
    Url,
    Location,
    WorkMode,
    Salary,
    SalaryMin,
    SalaryMax,
    SalaryCurrency,
    Source,
    AppliedOn,
    Deadline,
    Tags,
    ContactName,
    ContactEmail,
    NextAction,
    NextActionAt,
    JobDescription,
    Notes,
}

impl Target {
    /// Every target, in the order of the API's fields.
    pub const ALL: [Target; 20] = [
        Target::Company,
        Target::Title,
        Target::Status,
        Target::Url,
        Target::Location,
        Target::WorkMode,
        Target::Salary,
        Target::SalaryMin,
        Target::SalaryMax,
        Target::SalaryCurrency,
        Target::Source,
        Target::AppliedOn,
        Target::Deadline,
        Target::Tags,
        Target::ContactName,
        Target::ContactEmail,
        Target::NextAction,
        Target::NextActionAt,
        Target::JobDescription,
        Target::Notes,
    ];

    /// The name a mapping uses (the API field name for most targets).
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Company => "company",
            Target::Title => "title",
            Target::Status => "status",
            Target::Url => "url",
            Target::Location => "location",
            Target::WorkMode => "work_mode",
            Target::Salary => "salary",
            Target::SalaryMin => "salary_min",
            Target::SalaryMax => "salary_max",
            Target::SalaryCurrency => "salary_currency",
            Target::Source => "source",
            Target::AppliedOn => "applied_on",
            Target::Deadline => "deadline",
            Target::Tags => "tags",
            Target::ContactName => "contact_name",
            Target::ContactEmail => "contact_email",
            Target::NextAction => "next_action",
            Target::NextActionAt => "next_action_at",
            Target::JobDescription => "job_description",
            Target::Notes => "notes",
        }
    }

    /// The target named exactly by [`Target::as_str`].
    pub fn parse(s: &str) -> Option<Target> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Whether the cell holds a value of a type (a date, a status, an amount)
    /// rather than free text, so "n/a" or "-" in it means "not given".
    fn is_typed(self) -> bool {
        !matches!(
            self,
            Target::Company
                | Target::Title
                | Target::Location
                | Target::Source
                | Target::ContactName
                | Target::NextAction
                | Target::JobDescription
                | Target::Notes
        )
    }
}

/// Header synonyms, compared after [`normalise`]; every target's own name is
/// recognised too.
const SYNONYMS: &[(&str, Target)] = &[
    ("companyname", Target::Company),
    ("employer", Target::Company),
    ("organization", Target::Company),
    ("organisation", Target::Company),
    ("organizationname", Target::Company),
    ("hiringcompany", Target::Company),
    ("jobtitle", Target::Title),
    ("position", Target::Title),
    ("role", Target::Title),
    ("jobposition", Target::Title),
    ("positiontitle", Target::Title),
    ("jobrole", Target::Title),
    ("job", Target::Title),
    ("stage", Target::Status),
    ("state", Target::Status),
    ("applicationstatus", Target::Status),
    ("jobstatus", Target::Status),
    ("currentstatus", Target::Status),
    ("currentstage", Target::Status),
    ("list", Target::Status),
    ("link", Target::Url),
    ("joblink", Target::Url),
    ("joburl", Target::Url),
    ("posting", Target::Url),
    ("postingurl", Target::Url),
    ("postinglink", Target::Url),
    ("jobposting", Target::Url),
    ("jobpostingurl", Target::Url),
    ("joblisting", Target::Url),
    ("listingurl", Target::Url),
    ("applicationlink", Target::Url),
    ("applicationurl", Target::Url),
    ("dateapplied", Target::AppliedOn),
    ("applied", Target::AppliedOn),
    ("appliedon", Target::AppliedOn),
    ("applicationdate", Target::AppliedOn),
    ("applieddate", Target::AppliedOn),
    ("appliedat", Target::AppliedOn),
    ("dateofapplication", Target::AppliedOn),
    ("datesubmitted", Target::AppliedOn),
    ("joblocation", Target::Location),
    ("city", Target::Location),
    ("workplace", Target::WorkMode),
    ("workplacetype", Target::WorkMode),
    ("workarrangement", Target::WorkMode),
    ("workmodel", Target::WorkMode),
    ("remoteonsite", Target::WorkMode),
    ("onsiteremote", Target::WorkMode),
    ("salaryrange", Target::Salary),
    ("compensation", Target::Salary),
    ("pay", Target::Salary),
    ("payrange", Target::Salary),
    ("comp", Target::Salary),
    ("basesalary", Target::Salary),
    ("expectedsalary", Target::Salary),
    ("minsalary", Target::SalaryMin),
    ("minimumsalary", Target::SalaryMin),
    ("salaryfrom", Target::SalaryMin),
    ("salarylow", Target::SalaryMin),
    ("maxsalary", Target::SalaryMax),
    ("maximumsalary", Target::SalaryMax),
    ("salaryto", Target::SalaryMax),
    ("salaryhigh", Target::SalaryMax),
    ("currency", Target::SalaryCurrency),
    ("paycurrency", Target::SalaryCurrency),
    ("jobsource", Target::Source),
    ("foundvia", Target::Source),
    ("foundon", Target::Source),
    ("foundthrough", Target::Source),
    ("channel", Target::Source),
    ("jobboard", Target::Source),
    ("applicationdeadline", Target::Deadline),
    ("applyby", Target::Deadline),
    ("closingdate", Target::Deadline),
    ("closeson", Target::Deadline),
    ("duedate", Target::Deadline),
    ("tag", Target::Tags),
    ("labels", Target::Tags),
    ("label", Target::Tags),
    ("keywords", Target::Tags),
    ("contact", Target::ContactName),
    ("contactperson", Target::ContactName),
    ("recruiter", Target::ContactName),
    ("recruitername", Target::ContactName),
    ("hiringmanager", Target::ContactName),
    ("email", Target::ContactEmail),
    ("emailaddress", Target::ContactEmail),
    ("recruiteremail", Target::ContactEmail),
    ("nextstep", Target::NextAction),
    ("nextsteps", Target::NextAction),
    ("todo", Target::NextAction),
    ("nextactiondate", Target::NextActionAt),
    ("nextstepdate", Target::NextActionAt),
    ("followupdate", Target::NextActionAt),
    ("followupon", Target::NextActionAt),
    ("description", Target::JobDescription),
    ("jd", Target::JobDescription),
    ("jobdetails", Target::JobDescription),
    ("note", Target::Notes),
    ("comments", Target::Notes),
    ("comment", Target::Notes),
    ("remarks", Target::Notes),
];

/// Columns of our own export that an import does not read (they are kept by
/// the store, not written by a user).
const IGNORED: &[&str] = &["id", "priorityscore", "createdat", "updatedat"];

/// A header or word compared without case, spaces or punctuation.
fn normalise(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The target a header names, ignoring case, spaces and punctuation, with
/// common synonyms. `None` for a column to ignore: an unknown header, or one
/// of our export's bookkeeping columns (`id`, `priority_score`,
/// `created_at`, `updated_at`).
pub fn recognise(header: &str) -> Option<Target> {
    let key = normalise(header);
    if IGNORED.contains(&key.as_str()) {
        return None;
    }
    Target::ALL
        .into_iter()
        .find(|t| normalise(t.as_str()) == key)
        .or_else(|| SYNONYMS.iter().find(|(k, _)| *k == key).map(|(_, t)| *t))
}

// ---------------------------------------------------------------------------
// Decoding: bytes to text.

/// A file's text and the encoding it was read in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, without a byte-order mark.
    pub text: String,
    /// `"utf-8"`, `"windows-1252"`, `"utf-16le"` or `"utf-16be"`.
    pub encoding: &'static str,
}

const ADVICE: &str = "save it as \"CSV UTF-8\" and try again";

/// Decodes a file: UTF-8 (a byte-order mark stripped); UTF-16 with a
/// byte-order mark; otherwise Windows-1252 (which covers Latin-1) when the
/// bytes look like Western text in it. A file with NUL characters, a file
/// mixing UTF-8 with another encoding, or one that is neither is refused
/// with a message saying what is wrong.
pub fn decode(bytes: &[u8]) -> Result<Decoded, String> {
    if bytes.len() > MAX_BYTES {
        return Err(format!(
            "the file is larger than 5 MiB ({} bytes): split it into smaller files",
            bytes.len()
        ));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return match std::str::from_utf8(rest) {
            Ok(text) => without_nul(text.to_owned(), "utf-8"),
            Err(e) => Err(format!(
                "the file says it is UTF-8 but is not: {}; {ADVICE}",
                invalid_at(rest, e.valid_up_to())
            )),
        };
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(rest, encoding_rs::UTF_16LE, "utf-16le");
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(rest, encoding_rs::UTF_16BE, "utf-16be");
    }
    if let Some(at) = bytes.iter().position(|b| *b == 0) {
        return Err(format!(
            "the file holds NUL bytes (line {}): it is not a text CSV file, or it is UTF-16 \
             without a byte-order mark; {ADVICE}",
            line_at(bytes, at)
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Decoded {
            text: text.to_owned(),
            encoding: "utf-8",
        }),
        Err(e) => windows_1252(bytes, e.valid_up_to()),
    }
}

fn utf16(
    bytes: &[u8],
    encoding: &'static encoding_rs::Encoding,
    name: &'static str,
) -> Result<Decoded, String> {
    match encoding.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) => without_nul(text.into_owned(), name),
        None => Err(format!(
            "the file says it is {} but is not valid {}; {ADVICE}",
            name.to_uppercase(),
            name.to_uppercase()
        )),
    }
}

fn without_nul(text: String, encoding: &'static str) -> Result<Decoded, String> {
    match text.find('\0') {
        Some(at) => Err(format!(
            "the file holds NUL characters (line {}): it is not a text CSV file; {ADVICE}",
            line_at(text.as_bytes(), at)
        )),
        None => Ok(Decoded { text, encoding }),
    }
}

/// Text that is not UTF-8 read as Windows-1252, unless it does not look
/// like Western text: control characters, bytes Windows-1252 leaves
/// undefined, runs of accented letters (Cyrillic or CJK read as Latin), or
/// valid UTF-8 characters beside invalid bytes (a file of mixed encodings).
fn windows_1252(bytes: &[u8], first_invalid: usize) -> Result<Decoded, String> {
    let refuse = |why: &str| {
        format!(
            "the file is not UTF-8 ({}) and {why}; {ADVICE}",
            invalid_at(bytes, first_invalid)
        )
    };
    if bytes.utf8_chunks().any(|chunk| !chunk.valid().is_ascii()) {
        return Err(refuse(
            "mixes UTF-8 with another encoding, so it cannot be read reliably",
        ));
    }
    let text = encoding_rs::WINDOWS_1252
        .decode_without_bom_handling(bytes)
        .0;
    if !looks_western(&text) {
        return Err(refuse(
            "does not look like Latin-1 (Windows-1252) text either",
        ));
    }
    Ok(Decoded {
        text: text.into_owned(),
        encoding: "windows-1252",
    })
}

fn looks_western(text: &str) -> bool {
    let mut run = 0;
    for c in text.chars() {
        let control = (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{fffd}';
        if control {
            return false;
        }
        run = if c.is_ascii() { 0 } else { run + 1 };
        if run >= 4 {
            return false;
        }
    }
    true
}

fn invalid_at(bytes: &[u8], at: usize) -> String {
    match bytes.get(at) {
        Some(b) => format!("byte 0x{b:02X} on line {} is not UTF-8", line_at(bytes, at)),
        None => format!("it ends inside a character on line {}", line_at(bytes, at)),
    }
}

fn line_at(bytes: &[u8], at: usize) -> usize {
    bytes.iter().take(at).filter(|b| **b == b'\n').count() + 1
}

// ---------------------------------------------------------------------------
// Reading the table.

/// A file read as a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The column names, trimmed; a blank one is named `Column N` (N counts
    /// from 1) and a repeated one gets ` (2)`, ` (3)`… so every name is
    /// unique (a mapping names columns by header).
    pub headers: Vec<String>,
    /// The rows below the header that hold anything; rows of blank cells are
    /// left out.
    pub rows: Vec<Row>,
    /// The delimiter found: `,`, `;` or tab (or what a `sep=` line named).
    pub delimiter: char,
}

/// One row of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The spreadsheet row number: the header is row 1.
    pub number: usize,
    /// The cells as written (untrimmed); there may be fewer or more than
    /// there are headers.
    pub cells: Vec<String>,
}

/// Marks the end of the text handed to the CSV reader: if it comes back as
/// a record of its own, every quoted cell of the file was closed.
const END: &str = "\u{0}end of file\u{0}";

/// Reads a file as a header row and data rows with the `csv` crate. The
/// delimiter is the one of `,`, `;` and tab that splits the header row into
/// the most cells (ties go to `,`), unless an Excel `sep=` line names one.
/// Records may be shorter or longer than the header ([`convert`] judges a
/// longer one). Refused with a message naming the line: an empty file, a
/// quoted cell never closed, more than [`MAX_ROWS`] rows or more than
/// [`MAX_COLUMNS`] columns.
pub fn read_table(text: &str) -> Result<Table, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err("the file is empty".into());
    }
    let (named, body, skipped) = separator_line(text);
    let delimiter = named.unwrap_or_else(|| detect_delimiter(body));
    let mut records = read_records(body, delimiter, skipped)?.into_iter();
    let header = records.next().ok_or("the file is empty")?;
    if header.cells.len() > MAX_COLUMNS {
        return Err(format!(
            "the header row has {} columns; at most {MAX_COLUMNS} can be read",
            header.cells.len()
        ));
    }
    Ok(Table {
        headers: header_names(&header.cells),
        rows: records.collect(),
        delimiter: char::from(delimiter),
    })
}

/// An Excel `sep=;` first line: the delimiter it names, the text after it,
/// and how many lines it took.
fn separator_line(text: &str) -> (Option<u8>, &str, usize) {
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    let first = first.trim_end_matches('\r');
    match first.get(..4).zip(first.get(4..)) {
        Some((sep, d))
            if sep.eq_ignore_ascii_case("sep=")
                && d.len() == 1
                && !d.starts_with(|c: char| c.is_alphanumeric() || c == '"') =>
        {
            (d.bytes().next(), rest, 1)
        }
        _ => (None, text, 0),
    }
}

fn detect_delimiter(text: &str) -> u8 {
    let mut best = (b',', 0);
    for delimiter in [b',', b';', b'\t'] {
        let mut reader = csv_reader(delimiter, text.as_bytes());
        let mut record = csv::StringRecord::new();
        let width = match reader.read_record(&mut record) {
            Ok(true) => record.len(),
            _ => 0,
        };
        if width > best.1 {
            best = (delimiter, width);
        }
    }
    best.0
}

fn csv_reader(delimiter: u8, bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
}

/// The non-blank records of `body` with their row numbers, the header first.
fn read_records(body: &str, delimiter: u8, skipped_lines: usize) -> Result<Vec<Row>, String> {
    let probe = format!("{body}\n{END}");
    let mut reader = csv_reader(delimiter, probe.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut rows = Vec::new();
    let mut lines = LineCounter::new(probe.as_bytes());
    let mut embedded_breaks = 0;
    let mut last_line = 1;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(&e, skipped_lines)),
        }
        last_line = lines.line_of(record.position().map_or(0, |p| p.byte() as usize));
        let number = last_line.saturating_sub(embedded_breaks);
        embedded_breaks += record.iter().map(|c| breaks(c.as_bytes())).sum::<usize>();
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        // Header, MAX_ROWS rows and the end marker.
        if rows.len() > MAX_ROWS + 1 {
            return Err(format!(
                "the file has more than {MAX_ROWS} rows: split it into smaller files"
            ));
        }
        rows.push(Row {
            number,
            cells: record.iter().map(str::to_owned).collect(),
        });
    }
    match rows.pop() {
        Some(end) if end.cells == [END] => Ok(rows),
        _ => Err(format!(
            "line {}: a quoted cell is never closed (a \" opens it and no \" ends it)",
            last_line + skipped_lines
        )),
    }
}

/// Line breaks as a spreadsheet counts them: CRLF, LF or CR alone.
fn breaks(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .enumerate()
        .filter(|(i, b)| **b == b'\n' || (**b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .count()
}

/// The line a record starts on. The reader's own position is where the
/// previous record ended, before any blank lines and the LF of a CRLF, and
/// it does not count lone CRs; this counts forward from there.
struct LineCounter<'a> {
    bytes: &'a [u8],
    counted_to: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            counted_to: 0,
            line: 1,
        }
    }

    /// The line of the first byte at or after `from` that is not a line break.
    fn line_of(&mut self, from: usize) -> usize {
        let rest = self.bytes.get(from..).unwrap_or_default();
        let start = from
            + rest
                .iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .count();
        if let Some(span) = self.bytes.get(self.counted_to..start) {
            self.line += breaks(span);
            self.counted_to = start;
        }
        self.line
    }
}

fn csv_error(e: &csv::Error, skipped_lines: usize) -> String {
    match e.position() {
        Some(p) => format!(
            "line {}: the file cannot be read as CSV: {e}",
            p.line() as usize + skipped_lines
        ),
        None => format!("the file cannot be read as CSV: {e}"),
    }
}

fn header_names(cells: &[String]) -> Vec<String> {
    let mut taken: HashSet<String> = HashSet::with_capacity(cells.len());
    let mut next_suffix: HashMap<String, usize> = HashMap::new();
    let mut names = Vec::with_capacity(cells.len());
    for (i, cell) in cells.iter().enumerate() {
        let base = match cell.trim() {
            "" => format!("Column {}", i + 1),
            name => name.to_owned(),
        };
        let mut name = base.clone();
        while taken.contains(&name) {
            let n = next_suffix.entry(base.clone()).or_insert(2);
            name = format!("{base} ({n})");
            *n += 1;
        }
        taken.insert(name.clone());
        names.push(name);
    }
    names
}

// ---------------------------------------------------------------------------
// Planning: which column fills which field.

/// Which target each column fills (`None`: ignored), index-aligned with the
/// headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// One entry per header.
    pub columns: Vec<Option<Target>>,
}

impl Mapping {
    /// `{header: field name or null}`, as the import's answer shows it.
    pub fn as_json(&self, headers: &[String]) -> Map<String, Value> {
        headers
            .iter()
            .zip(&self.columns)
            .map(|(h, t)| {
                let field = t.map_or(Value::Null, |t| Value::String(t.as_str().into()));
                (h.clone(), field)
            })
            .collect()
    }

    /// The column filling `target`.
    pub fn column(&self, target: Target) -> Option<usize> {
        self.columns.iter().position(|t| *t == Some(target))
    }
}

/// Plans the import: each header recognised ([`recognise`]), then an explicit
/// mapping `{header: field name | "ignore" | null}` overrides the columns it
/// names (a header matched exactly, or ignoring case and punctuation when
/// that is unambiguous). A column the mapping names takes its target from any
/// column recognised for it. Errors, all on the field `mapping`: a header not
/// in the file, a field that does not exist, two columns filling one target,
/// a salary range beside a minimum or maximum column, and no column for
/// company or title (listing the file's headers).
pub fn plan(
    headers: &[String],
    explicit: Option<&Map<String, Value>>,
) -> Result<Mapping, ValidationError> {
    let mut columns: Vec<Option<Target>> = headers.iter().map(|h| recognise(h)).collect();
    let mut messages = Vec::new();
    if let Some(explicit) = explicit {
        let mut chosen = vec![false; headers.len()];
        for (key, value) in explicit {
            let column = find_header(headers, key);
            let target = explicit_target(key, value);
            match (column, target) {
                (Ok(i), Ok(target)) => {
                    columns[i] = target;
                    chosen[i] = true;
                }
                (column, target) => {
                    messages.extend(column.err());
                    messages.extend(target.err());
                }
            }
        }
        // An explicit choice wins over a recognised column for the same target.
        let taken: Vec<Target> = columns
            .iter()
            .zip(&chosen)
            .filter_map(|(t, chosen)| t.filter(|_| *chosen))
            .collect();
        for (target, chosen) in columns.iter_mut().zip(&chosen) {
            if !chosen && target.is_some_and(|t| taken.contains(&t)) {
                *target = None;
            }
        }
    }
    let mapping = Mapping { columns };
    messages.extend(collisions(headers, &mapping));
    messages.extend(missing(headers, &mapping));
    if messages.is_empty() {
        Ok(mapping)
    } else {
        Err(ValidationError {
            errors: messages
                .into_iter()
                .map(|m| super::fields::FieldError::new("mapping", m))
                .collect(),
        })
    }
}

fn find_header(headers: &[String], key: &str) -> Result<usize, String> {
    if let Some(i) = headers.iter().position(|h| h == key) {
        return Ok(i);
    }
    let wanted = normalise(key);
    let mut alike = headers
        .iter()
        .enumerate()
        .filter(|(_, h)| !wanted.is_empty() && normalise(h) == wanted);
    match (alike.next(), alike.next()) {
        (Some((i, _)), None) => Ok(i),
        _ => Err(format!(
            "names the column {}, which is not in the file; its columns are: {}",
            quoted(key),
            list_headers(headers)
        )),
    }
}

fn explicit_target(key: &str, value: &Value) -> Result<Option<Target>, String> {
    let name = match value {
        Value::Null => return Ok(None),
        Value::String(s) => s.trim().to_ascii_lowercase(),
        _ => {
            return Err(format!(
                "the value for the column {} must be a field name or null",
                quoted(key)
            ))
        }
    };
    if name.is_empty() || name == "ignore" {
        return Ok(None);
    }
    Target::parse(&name).map(Some).ok_or_else(|| {
        let names: Vec<&str> = Target::ALL.iter().map(|t| t.as_str()).collect();
        format!(
            "maps the column {} to {}, which is not a field; use one of: {}, or null to ignore it",
            quoted(key),
            quoted(&name),
            names.join(", ")
        )
    })
}

/// Two columns filling one target, or a range beside its own bounds.
fn collisions(headers: &[String], mapping: &Mapping) -> Vec<String> {
    let mut messages = Vec::new();
    let header = |i: usize| quoted(headers.get(i).map_or("", String::as_str));
    for target in Target::ALL {
        let found: Vec<usize> = (0..mapping.columns.len())
            .filter(|i| mapping.columns[*i] == Some(target))
            .collect();
        if let [first, rest @ ..] = found.as_slice() {
            for other in rest {
                messages.push(format!(
                    "the columns {} and {} both fill {}: map one of them to null to ignore it",
                    header(*first),
                    header(*other),
                    target.as_str()
                ));
            }
        }
    }
    if let Some(range) = mapping.column(Target::Salary) {
        for bound in [Target::SalaryMin, Target::SalaryMax] {
            if let Some(other) = mapping.column(bound) {
                messages.push(format!(
                    "the column {} is a salary range, so the column {} cannot fill {} too: map one of them to null to ignore it",
                    header(range),
                    header(other),
                    bound.as_str()
                ));
            }
        }
    }
    messages
}

fn missing(headers: &[String], mapping: &Mapping) -> Option<String> {
    let absent: Vec<&str> = [Target::Company, Target::Title]
        .into_iter()
        .filter(|t| mapping.column(*t).is_none())
        .map(Target::as_str)
        .collect();
    if absent.is_empty() {
        return None;
    }
    Some(format!(
        "no column fills {}: name one with a mapping such as {{\"Employer\": \"company\"}}; the file's columns are: {}",
        absent.join(" or "),
        list_headers(headers)
    ))
}

fn list_headers(headers: &[String]) -> String {
    const SHOWN: usize = 30;
    let mut list: Vec<String> = headers.iter().take(SHOWN).map(|h| quoted(h)).collect();
    if headers.len() > SHOWN {
        list.push(format!("and {} more", headers.len() - SHOWN));
    }
    if list.is_empty() {
        "none".into()
    } else {
        list.join(", ")
    }
}

/// A cell or name quoted for a message, cut at 40 characters.
fn quoted(s: &str) -> String {
    const LONGEST: usize = 40;
    let mut short: String = s.chars().take(LONGEST).collect();
    if s.chars().nth(LONGEST).is_some() {
        short.push('…');
    }
    format!("\"{short}\"")
}

// ---------------------------------------------------------------------------
// Converting a row.

/// A problem with one row, naming the column at fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RowError {
    /// The spreadsheet row number (the header is row 1).
    pub row: usize,
    /// The header of the column at fault, or `""` when no single column is.
    pub column: String,
    pub message: String,
}

/// A row ready to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// The spreadsheet row number (the header is row 1).
    pub row: usize,
    /// The application, through the same rules as the API's create.
    pub application: NewApplication,
    /// The first note (from the notes column), checked like a note.
    pub note: Option<String>,
}

/// How the store finds an application a row would duplicate.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MatchKey {
    /// The posting's [`url_key`], as `job_applications.url_key` holds it.
    Url(String),
    /// No URL: company and title without case or surrounding space
    /// (`lower(company)`, `lower(title)`), and `applied_on` (an empty one
    /// matching an empty one).
    Name {
        company_lower: String,
        title_lower: String,
        applied_on: Option<Date>,
    },
}

impl ImportRow {
    /// The key an existing application must share for this row to be
    /// skipped. `applied_on` is the one the application will be created with
    /// (a row `applied` without a date gets today's, as every create does).
    pub fn match_key(&self) -> MatchKey {
        let fields = &self.application.fields;
        if let Some(key) = fields.url.as_deref().and_then(url_key) {
            return MatchKey::Url(key);
        }
        let (company_lower, title_lower) = name_key(&fields.company, &fields.title);
        MatchKey::Name {
            company_lower,
            title_lower,
            applied_on: fields.applied_on,
        }
    }
}

const STATUS_HELP: &str = "use one of: wishlist (or saved, bookmarked), applied, \
screening (or phone screen), interviewing (or interview, onsite), offer, accepted, declined, \
rejected, withdrawn, ghosted (or no response)";
const DATE_HELP: &str = "write it as 2026-03-05, 3/5/2026 (month first), 05.03.2026, \
Mar 5, 2026 or 5 March 2026";

/// Converts one row: builds the body the API's create would get (empty cells
/// are absent; `n/a`, `-`, `TBD` in a typed cell too), reads it with
/// [`ApplicationPatch::parse`] and [`NewApplication::from_patch`], and names
/// the column behind each problem. Statuses go through [`status_word`], dates
/// through [`parse_date`], salaries through [`parse_salary`] (a currency
/// column and a salary's symbol must agree); tags are split on `;`, or on
/// `,` when the cell has no `;`; a URL without a scheme (`example.com/jobs/1`)
/// gets `https://`; a cell our export protected with `'` loses it again.
pub fn convert(
    mapping: &Mapping,
    headers: &[String],
    row: usize,
    cells: &[String],
    today: Date,
) -> Result<ImportRow, Vec<RowError>> {
    let mut draft = Draft::new(headers, row);
    draft.check_width(cells);
    for (column, target) in mapping.columns.iter().enumerate().take(headers.len()) {
        if let Some(target) = *target {
            let cell = cells.get(column).map_or("", |c| clean(c));
            draft.fill(target, column, cell);
        }
    }
    draft.finish(mapping, today)
}

/// A cell trimmed, without the `'` our export puts before a formula-like cell.
fn clean(cell: &str) -> &str {
    let cell = cell.trim();
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest.trim(),
        _ => cell,
    }
}

/// A typed cell that says "not given".
fn is_placeholder(cell: &str) -> bool {
    matches!(
        normalise(cell).as_str(),
        "" | "na" | "none" | "tbd" | "tba" | "unknown" | "doe" | "competitive" | "negotiable"
    )
}

/// The body of one row as it is built, and its problems so far.
struct Draft<'a> {
    headers: &'a [String],
    row: usize,
    body: Map<String, Value>,
    /// The column each body field came from.
    origin: HashMap<&'static str, usize>,
    /// Currencies named by cells, in column order.
    currencies: Vec<(String, usize)>,
    note: Option<(String, usize)>,
    errors: Vec<RowError>,
}

impl<'a> Draft<'a> {
    fn new(headers: &'a [String], row: usize) -> Self {
        Self {
            headers,
            row,
            body: Map::new(),
            origin: HashMap::new(),
            currencies: Vec::new(),
            note: None,
            errors: Vec::new(),
        }
    }

    fn fail(&mut self, column: Option<usize>, message: String) {
        let column = column
            .and_then(|c| self.headers.get(c))
            .cloned()
            .unwrap_or_default();
        if !self
            .errors
            .iter()
            .any(|e| e.column == column && !column.is_empty())
        {
            self.errors.push(RowError {
                row: self.row,
                column,
                message,
            });
        }
    }

    fn set(&mut self, field: &'static str, column: usize, value: Value) {
        self.body.insert(field.into(), value);
        self.origin.insert(field, column);
    }

    /// A row with more non-blank cells than the header has columns.
    fn check_width(&mut self, cells: &[String]) {
        let used = cells
            .iter()
            .rposition(|c| !c.trim().is_empty())
            .map_or(0, |i| i + 1);
        if used > self.headers.len() {
            self.fail(
                None,
                format!(
                    "has {used} cells but the header has {} columns (is a cell holding the delimiter not quoted?)",
                    self.headers.len()
                ),
            );
        }
    }

    fn fill(&mut self, target: Target, column: usize, cell: &str) {
        if cell.is_empty() {
            if matches!(target, Target::Company | Target::Title) {
                self.fail(
                    Some(column),
                    format!("{} is required (the cell is empty)", target.as_str()),
                );
            }
            return;
        }
        if target.is_typed() && is_placeholder(cell) {
            return;
        }
        let field = target.as_str();
        match target {
            Target::Company
            | Target::Title
            | Target::Location
            | Target::Source
            | Target::ContactName
            | Target::NextAction
            | Target::JobDescription => self.set(field, column, cell.into()),
            Target::Url => self.set(field, column, with_scheme(cell).into()),
            Target::ContactEmail => {
                let email = cell.strip_prefix("mailto:").unwrap_or(cell);
                self.set(field, column, email.into());
            }
            Target::Status => match status_word(cell) {
                Some(s) => self.set(field, column, s.as_str().into()),
                None => self.fail(
                    Some(column),
                    format!("{} is not a status: {STATUS_HELP}", quoted(cell)),
                ),
            },
            Target::WorkMode => match work_mode_word(cell) {
                Some(mode) => self.set(field, column, mode.into()),
                None => self.fail(
                    Some(column),
                    format!(
                        "{} is not a work mode: use onsite, hybrid or remote",
                        quoted(cell)
                    ),
                ),
            },
            Target::Salary => self.salary(column, cell),
            Target::SalaryMin | Target::SalaryMax => self.amount(field, column, cell),
            Target::SalaryCurrency => match currency_word(cell) {
                Some(code) => self.currencies.push((code, column)),
                None => self.fail(
                    Some(column),
                    format!(
                        "{} is not a currency: use an ISO 4217 code such as USD or EUR",
                        quoted(cell)
                    ),
                ),
            },
            Target::AppliedOn | Target::Deadline => match parse_date(cell) {
                Some(d) => self.set(field, column, format_date(d).into()),
                None => self.fail(
                    Some(column),
                    format!("{} is not a date: {DATE_HELP}", quoted(cell)),
                ),
            },
            Target::NextActionAt => {
                let at = parse_timestamp(cell)
                    .or_else(|| parse_date(cell).map(|d| d.midnight().assume_utc()));
                match at {
                    Some(t) => self.set(field, column, format_timestamp(t).into()),
                    None => self.fail(
                        Some(column),
                        format!(
                            "{} is not a date or an RFC 3339 timestamp: {DATE_HELP}",
                            quoted(cell)
                        ),
                    ),
                }
            }
            Target::Tags => {
                let tags = split_tags(cell).into_iter().map(Value::String).collect();
                self.set(field, column, Value::Array(tags));
            }
            Target::Notes => self.note = Some((cell.to_owned(), column)),
        }
    }

    fn salary(&mut self, column: usize, cell: &str) {
        match parse_salary(cell) {
            Ok(salary) => {
                if let Some(min) = salary.min {
                    self.set("salary_min", column, min.into());
                }
                if let Some(max) = salary.max {
                    self.set("salary_max", column, max.into());
                }
                if let Some(code) = salary.currency {
                    self.currencies.push((code, column));
                }
            }
            Err(why) => self.fail(
                Some(column),
                format!("{} is not a salary: {why}", quoted(cell)),
            ),
        }
    }

    fn amount(&mut self, field: &'static str, column: usize, cell: &str) {
        match parse_salary(cell) {
            Ok(Salary {
                min: Some(min),
                max,
                currency,
            }) if max.is_none_or(|max| max == min) => {
                self.set(field, column, min.into());
                if let Some(code) = currency {
                    self.currencies.push((code, column));
                }
            }
            Ok(_) => self.fail(
                Some(column),
                format!("{} must be a single amount", quoted(cell)),
            ),
            Err(why) => self.fail(
                Some(column),
                format!("{} is not an amount: {why}", quoted(cell)),
            ),
        }
    }

    /// The first currency named wins; another one differing is an error.
    fn settle_currency(&mut self) {
        let currencies = std::mem::take(&mut self.currencies);
        let Some((code, column)) = currencies.first().cloned() else {
            return;
        };
        for (other, other_column) in &currencies[1..] {
            if *other != code {
                let first = self.headers.get(column).map_or("", String::as_str);
                self.fail(
                    Some(*other_column),
                    format!(
                        "names the currency {other} but the column {} names {code}",
                        quoted(first)
                    ),
                );
            }
        }
        self.set("salary_currency", column, code.into());
    }

    fn take_note(&mut self) -> Option<String> {
        let (text, column) = self.note.take()?;
        let body = Map::from_iter([("body".to_owned(), Value::String(text))]);
        match parse_note_body(&body) {
            Ok(note) => Some(note),
            Err(e) => {
                for error in e.errors {
                    self.fail(Some(column), format!("note {}", error.message));
                }
                None
            }
        }
    }

    /// The API's field errors, each on the column its field came from.
    fn field_errors(&mut self, error: ValidationError, mapping: &Mapping) {
        for e in error.errors {
            let column = self.origin.get(e.field.as_str()).copied().or_else(|| {
                let target = match e.field.as_str() {
                    "salary_min" | "salary_max" | "salary_currency" => Target::Salary,
                    field => Target::parse(field)?,
                };
                mapping.column(target)
            });
            self.fail(column, format!("{} {}", e.field, e.message));
        }
    }

    fn finish(mut self, mapping: &Mapping, today: Date) -> Result<ImportRow, Vec<RowError>> {
        self.settle_currency();
        let note = self.take_note();
        let created = ApplicationPatch::parse(&self.body)
            .and_then(|patch| NewApplication::from_patch(patch, today));
        match created {
            Ok(mut application) if self.errors.is_empty() => {
                // An import keeps only the dates the file gives: an "applied"
                // row without one stays undated (the API's "applied today"
                // would make a re-import on another day a new application).
                if !self.body.contains_key("applied_on") {
                    application.fields.applied_on = None;
                }
                Ok(ImportRow {
                    row: self.row,
                    application,
                    note,
                })
            }
            Ok(_) => Err(self.errors),
            Err(e) => {
                self.field_errors(e, mapping);
                Err(self.errors)
            }
        }
    }
}

/// `example.com/jobs/1` as `https://example.com/jobs/1`; anything with a
/// scheme (or that is not a bare host and path) is left to the URL check.
fn with_scheme(cell: &str) -> Cow<'_, str> {
    let host = cell.split('/').next().unwrap_or_default();
    if !cell.contains(':') && host.contains('.') && !cell.contains(char::is_whitespace) {
        Cow::Owned(format!("https://{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A tags cell: split on `;` (our export joins with `; `), or on `,` when the
/// cell has no `;`; trimmed, empty ones dropped.
fn split_tags(cell: &str) -> Vec<String> {
    let separator = if cell.contains(';') { ';' } else { ',' };
    cell.split(separator)
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Status words of other trackers, compared after [`normalise`].
const STATUS_WORDS: &[(&str, Status)] = &[
    ("wishlist", Status::Wishlist),
    ("saved", Status::Wishlist),
    ("bookmarked", Status::Wishlist),
    ("bookmark", Status::Wishlist),
    ("wishlisted", Status::Wishlist),
    ("interested", Status::Wishlist),
    ("toapply", Status::Wishlist),
    ("applying", Status::Wishlist),
    ("applied", Status::Applied),
    ("submitted", Status::Applied),
    ("applicationsubmitted", Status::Applied),
    ("applicationsent", Status::Applied),
    ("screening", Status::Screening),
    ("screen", Status::Screening),
    ("phonescreen", Status::Screening),
    ("phonescreening", Status::Screening),
    ("recruiterscreen", Status::Screening),
    ("recruitercall", Status::Screening),
    ("hrscreen", Status::Screening),
    ("interview", Status::Interviewing),
    ("interviewing", Status::Interviewing),
    ("interviews", Status::Interviewing),
    ("interviewed", Status::Interviewing),
    ("onsite", Status::Interviewing),
    ("onsiteinterview", Status::Interviewing),
    ("technicalinterview", Status::Interviewing),
    ("finalround", Status::Interviewing),
    ("offer", Status::Offer),
    ("offered", Status::Offer),
    ("offerreceived", Status::Offer),
    ("negotiating", Status::Offer),
    ("accepted", Status::Accepted),
    ("offeraccepted", Status::Accepted),
    ("hired", Status::Accepted),
    ("declined", Status::Declined),
    ("offerdeclined", Status::Declined),
    ("rejected", Status::Rejected),
    ("rejection", Status::Rejected),
    ("notselected", Status::Rejected),
    ("withdrawn", Status::Withdrawn),
    ("withdrew", Status::Withdrawn),
    ("ghosted", Status::Ghosted),
    ("noresponse", Status::Ghosted),
    ("noreply", Status::Ghosted),
    ("noanswer", Status::Ghosted),
];

/// The pipeline status a tracker's status word means, ignoring case, spaces
/// and punctuation ("Phone screen" → screening, "No response" → ghosted).
pub fn status_word(s: &str) -> Option<Status> {
    let key = normalise(s);
    STATUS_WORDS
        .iter()
        .find(|(word, _)| *word == key)
        .map(|(_, status)| *status)
}

fn work_mode_word(s: &str) -> Option<&'static str> {
    match normalise(s).as_str() {
        "onsite" | "office" | "inoffice" | "inperson" | "onpremises" => Some("onsite"),
        "hybrid" => Some("hybrid"),
        "remote" | "fullyremote" | "fullremote" | "remoteonly" | "wfh" => Some("remote"),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Dates.

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// A date as trackers and spreadsheets write it: ISO `2026-03-05` (also
/// `2026/03/05`, or followed by a time), `3/5/2026` (month first, as in the
/// US), `05.03.2026` (day first), `Mar 5, 2026`, `March 5th 2026`,
/// `Thu, Mar 5, 2026`, `5 March 2026`, `05-Mar-2026`. A two-digit year is
/// 2000–2069 or 1970–1999. `05-03-2026` is refused: month and day order is
/// unknown with dashes. Years outside 1900–2100 are refused as typos.
pub fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    if s.len() > 40 {
        return None;
    }
    iso_date(s)
        .or_else(|| numeric_date(s))
        .or_else(|| named_month_date(s))
}

fn iso_date(s: &str) -> Option<Date> {
    let rest = s.get(10..)?;
    if !(rest.is_empty() || rest.starts_with(['T', ' '])) {
        return None;
    }
    super::time::parse_date(s.get(..10)?)
}

fn numeric_date(s: &str) -> Option<Date> {
    let separator = s.chars().find(|c| !c.is_ascii_digit())?;
    let parts: Vec<&str> = s.split(separator).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let numeric = |p: &str| (1..=4).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit());
    if !(numeric(a) && numeric(b) && numeric(c)) {
        return None;
    }
    let (year, month, day) = match separator {
        _ if a.len() == 4 => (a, b, c),
        '/' => (c, a, b),
        '.' => (c, b, a),
        _ => return None,
    };
    calendar(
        two_digit_year(year)?,
        month.parse().ok()?,
        day.parse().ok()?,
    )
}

fn named_month_date(s: &str) -> Option<Date> {
    let mut tokens: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '-' | '.' | '/'))
        .filter(|t| !t.is_empty())
        .collect();
    if tokens.len() == 4 && is_weekday(tokens[0]) {
        tokens.remove(0);
    }
    let [a, b, year] = tokens.as_slice() else {
        return None;
    };
    let (month, day) = match (month_named(a), month_named(b)) {
        (Some(m), None) => (m, b),
        (None, Some(m)) => (m, a),
        _ => return None,
    };
    if !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    calendar(two_digit_year(year)?, month, day_of_month(day)?)
}

fn month_named(word: &str) -> Option<u8> {
    let word = word.to_lowercase();
    if word.len() < 3 {
        return None;
    }
    let index = MONTHS.iter().position(|m| m.starts_with(&word))?;
    u8::try_from(index + 1).ok()
}

fn is_weekday(word: &str) -> bool {
    let word = word.to_lowercase();
    word.len() >= 3 && WEEKDAYS.iter().any(|d| d.starts_with(&word))
}

/// "5", "05" or "5th".
fn day_of_month(s: &str) -> Option<u8> {
    let lower = s.to_ascii_lowercase();
    let digits = ["st", "nd", "rd", "th"]
        .iter()
        .find_map(|suffix| lower.strip_suffix(suffix))
        .unwrap_or(&lower);
    if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn two_digit_year(s: &str) -> Option<i32> {
    let n: i32 = s.parse().ok()?;
    match s.len() {
        4 => Some(n),
        2 if n < 70 => Some(2000 + n),
        2 => Some(1900 + n),
        _ => None,
    }
}

fn calendar(year: i32, month: u8, day: u8) -> Option<Date> {
    if !(1900..=2100).contains(&year) {
        return None;
    }
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

// ---------------------------------------------------------------------------
// Salaries.

/// A salary cell read: yearly whole amounts and the currency it named.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Salary {
    pub min: Option<i64>,
    pub max: Option<i64>,
    /// An ISO 4217 code, upper case.
    pub currency: Option<String>,
}

/// Reads a salary: one amount or a range (separated by `-`, `–`, `—`, `~` or
/// `to`), amounts with `k` (thousand) or `m` (million), thousands separators
/// (`120,000`, `80.000`, `80 000`) and decimals (`120.5k`, `1,5m`); a
/// currency symbol (`$ € £ ¥ ₹ …`, `US$`, `C$`) or ISO code (`EUR`) anywhere;
/// "per year" words ignored. One amount fills both `min` and `max`; `150k+`
/// fills only `min`. In `$120–150k` the first amount takes the second's `k`.
/// Refused: two currencies, an inverted range, hourly/monthly rates, more than
/// two amounts, amounts above [`SALARY_MAX`], and words it does not know.
pub fn parse_salary(s: &str) -> Result<Salary, String> {
    let chars: Vec<char> = s.trim().chars().collect();
    if chars.len() > 100 {
        return Err("it is too long to be a salary".into());
    }
    let pieces = salary_pieces(&chars)?;
    let currency = one_currency(&pieces)?;
    let (min, max) = salary_range(&pieces)?;
    Ok(Salary { min, max, currency })
}

/// One thing a salary cell says.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    /// The digits as written, and a `k`/`m` multiplier when one followed.
    Amount(String, Option<i64>),
    Currency(&'static str),
    Dash,
    Plus,
}

fn salary_pieces(chars: &[char]) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if c.is_ascii_digit() {
            let (digits, next) = scan_amount(chars, i);
            pieces.push(Piece::Amount(digits, None));
            i = next;
        } else if c.is_alphabetic() {
            let end = (i..chars.len())
                .find(|j| !chars[*j].is_alphabetic())
                .unwrap_or(chars.len());
            let word: String = chars[i..end].iter().collect::<String>().to_lowercase();
            i = end;
            if chars.get(end) == Some(&'$') {
                let code = dollar_prefix(&word)
                    .ok_or_else(|| format!("\"{word}$\" is not a currency it knows"))?;
                pieces.push(Piece::Currency(code));
                i += 1;
            } else {
                salary_word(&word, &mut pieces)?;
            }
        } else {
            if let Some(code) = currency_symbol(c) {
                pieces.push(Piece::Currency(code));
            } else {
                match c {
                    '-' | '–' | '—' | '~' => pieces.push(Piece::Dash),
                    '+' => pieces.push(Piece::Plus),
                    ',' | '.' | '/' | '(' | ')' | ':' => {}
                    c if c.is_whitespace() => {}
                    other => return Err(format!("\"{other}\" is not understood")),
                }
            }
            i += 1;
        }
    }
    Ok(pieces)
}

/// Digits with thousands or decimal separators: `120,000.50`, `80.000`,
/// `80 000` (a space before a group of exactly three digits).
fn scan_amount(chars: &[char], start: usize) -> (String, usize) {
    let digit_at = |j: usize| chars.get(j).is_some_and(char::is_ascii_digit);
    let mut digits = String::new();
    let mut j = start;
    while let Some(&c) = chars.get(j) {
        let group_of_three =
            digit_at(j + 1) && digit_at(j + 2) && digit_at(j + 3) && !digit_at(j + 4);
        if c.is_ascii_digit() || (matches!(c, ',' | '.') && digit_at(j + 1)) {
            digits.push(c);
        } else if matches!(c, ' ' | '\u{a0}' | '\u{202f}') && group_of_three {
            digits.push(',');
        } else {
            break;
        }
        j += 1;
    }
    (digits, j)
}

fn salary_word(word: &str, pieces: &mut Vec<Piece>) -> Result<(), String> {
    let multiplier = match word {
        "k" | "thousand" => Some(1_000),
        "m" | "mn" | "mio" | "million" => Some(1_000_000),
        _ => None,
    };
    if let Some(multiplier) = multiplier {
        return match pieces.last_mut() {
            Some(Piece::Amount(_, m @ None)) => {
                *m = Some(multiplier);
                Ok(())
            }
            _ => Err(format!("\"{word}\" must follow an amount")),
        };
    }
    match word {
        "to" => pieces.push(Piece::Dash),
        "a" | "p" | "per" | "pa" | "yr" | "year" | "annum" | "annual" | "annually" | "yearly"
        | "base" | "gross" => {}
        "h" | "hr" | "hour" | "hourly" | "mo" | "month" | "monthly" | "wk" | "week" | "weekly"
        | "day" | "daily" => {
            return Err(format!(
                "\"{word}\" is not yearly: salaries are yearly amounts"
            ))
        }
        _ => {
            let upper = word.to_ascii_uppercase();
            let code = super::currency::codes()
                .find(|c| *c == upper)
                .ok_or_else(|| format!("\"{word}\" is not understood"))?;
            pieces.push(Piece::Currency(code));
        }
    }
    Ok(())
}

fn currency_symbol(c: char) -> Option<&'static str> {
    Some(match c {
        '$' => "USD",
        '€' => "EUR",
        '£' => "GBP",
        '¥' => "JPY",
        '₹' => "INR",
        '₩' => "KRW",
        '₪' => "ILS",
        '₺' => "TRY",
        '₴' => "UAH",
        '₱' => "PHP",
        '₫' => "VND",
        '₦' => "NGN",
        _ => return None,
    })
}

fn dollar_prefix(word: &str) -> Option<&'static str> {
    Some(match word {
        "us" => "USD",
        "c" | "ca" | "can" => "CAD",
        "a" | "au" => "AUD",
        "nz" => "NZD",
        "hk" => "HKD",
        "s" | "sg" => "SGD",
        "mx" => "MXN",
        _ => return None,
    })
}

/// A currency column's cell: a symbol, `US$`-style prefix or ISO code.
fn currency_word(s: &str) -> Option<String> {
    let s = s.trim();
    let mut chars = s.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return currency_symbol(c).map(str::to_owned);
    }
    if let Some(prefix) = s.strip_suffix('$') {
        return dollar_prefix(&prefix.to_lowercase()).map(str::to_owned);
    }
    let upper = s.to_ascii_uppercase();
    is_currency(&upper).then_some(upper)
}

fn one_currency(pieces: &[Piece]) -> Result<Option<String>, String> {
    let mut codes = pieces.iter().filter_map(|p| match p {
        Piece::Currency(code) => Some(*code),
        _ => None,
    });
    let first = codes.next();
    if let (Some(first), Some(other)) = (first, codes.find(|c| Some(*c) != first)) {
        return Err(format!("it names two currencies, {first} and {other}"));
    }
    Ok(first.map(str::to_owned))
}

fn salary_range(pieces: &[Piece]) -> Result<(Option<i64>, Option<i64>), String> {
    let shape: Vec<&Piece> = pieces
        .iter()
        .filter(|p| !matches!(p, Piece::Currency(_)))
        .collect();
    match shape.as_slice() {
        [] => Err("it has no amount".into()),
        [Piece::Amount(d, m)] => {
            let n = amount(d, m.unwrap_or(1))?;
            Ok((Some(n), Some(n)))
        }
        [Piece::Amount(d, m), Piece::Plus] => Ok((Some(amount(d, m.unwrap_or(1))?), None)),
        [Piece::Amount(d1, m1), Piece::Dash, Piece::Amount(d2, m2)] => {
            let high = amount(d2, m2.unwrap_or(1))?;
            // "$120–150k": the first amount shares the second's multiplier.
            let low_multiplier = match (m1, m2) {
                (None, Some(m)) if amount(d1, 1)? < 1_000 => *m,
                _ => m1.unwrap_or(1),
            };
            let low = amount(d1, low_multiplier)?;
            if low > high {
                return Err(format!("the range is inverted ({low} is more than {high})"));
            }
            Ok((Some(low), Some(high)))
        }
        [Piece::Dash, Piece::Amount(..), ..] => Err("an amount must not be negative".into()),
        _ => Err("write one amount or a range such as 120k-150k".into()),
    }
}

/// Digits as written times a multiplier, rounded to a whole amount. With
/// both `,` and `.` the last one is the decimal mark; a single separator
/// followed by exactly three digits, or a repeated one, groups thousands.
fn amount(digits: &str, multiplier: i64) -> Result<i64, String> {
    let too_large = || format!("an amount is above {SALARY_MAX}");
    let decimal_mark = match (digits.rfind(','), digits.rfind('.')) {
        (Some(c), Some(d)) => Some(c.max(d)),
        (Some(i), None) | (None, Some(i)) => {
            let mark = &digits[i..=i];
            let once = digits.matches(mark).count() == 1;
            (once && digits.len() - i - 1 != 3).then_some(i)
        }
        (None, None) => None,
    };
    let (whole, fraction) = match decimal_mark {
        Some(i) => (&digits[..i], &digits[i + 1..]),
        None => (digits, ""),
    };
    let whole: String = whole.chars().filter(char::is_ascii_digit).collect();
    let fraction: String = fraction.chars().take(6).collect();
    if whole.len() > 15 {
        return Err(too_large());
    }
    let whole: i128 = whole.parse().unwrap_or(0);
    let scale = 10_i128.pow(fraction.len() as u32);
    let fraction: i128 = fraction.parse().unwrap_or(0);
    let multiplier = i128::from(multiplier);
    let value = whole * multiplier + (fraction * multiplier + scale / 2) / scale;
    i64::try_from(value)
        .ok()
        .filter(|v| *v <= SALARY_MAX)
        .ok_or_else(too_large)
}

// ---------------------------------------------------------------------------
// Our own export.

/// The header row of `GET /api/v1/export/applications.csv`.
pub const EXPORT_HEADERS: [&str; 21] = [
    "id",
    "company",
    "title",
    "status",
    "url",
    "location",
    "work_mode",
    "salary_min",
    "salary_max",
    "salary_currency",
    "source",
    "applied_on",
    "deadline",
    "tags",
    "contact_name",
    "contact_email",
    "next_action",
    "next_action_at",
    "priority_score",
    "created_at",
    "updated_at",
];

/// Characters that make a spreadsheet read a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Spreadsheet formula injection: a cell starting with `=`, `+`, `-`, `@`,
/// tab or CR gets a leading `'` (which [`convert`] removes again).
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTS) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// One application as the cells of an export row, in [`EXPORT_HEADERS`]
/// order, neutralised; tags joined with `; `.
pub fn export_record(application: &Application) -> Vec<String> {
    let f = &application.fields;
    let text = |v: &Option<Box<str>>| v.as_deref().unwrap_or_default().to_owned();
    let number = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    let date = |v: Option<Date>| v.map(format_date).unwrap_or_default();
    let cells = [
        application.id.to_string(),
        f.company.clone(),
        f.title.clone(),
        f.status.as_str().to_owned(),
        text(&f.url),
        text(&f.location),
        f.work_mode
            .map(|m| m.as_str().to_owned())
            .unwrap_or_default(),
        number(f.salary_min),
        number(f.salary_max),
        f.salary_currency.clone(),
        text(&f.source),
        date(f.applied_on),
        date(f.deadline),
        f.tags.join("; "),
        text(&f.contact_name),
        text(&f.contact_email),
        text(&f.next_action),
        f.next_action_at.map(format_timestamp).unwrap_or_default(),
        application.priority_score.to_string(),
        format_timestamp(application.created_at),
        format_timestamp(application.updated_at),
    ];
    cells
        .into_iter()
        .map(|c| neutralise(&c).into_owned())
        .collect()
}

/// One CSV record (RFC 4180: quoted where needed, CRLF at the end).
pub fn export_line<S: AsRef<str>>(cells: &[S]) -> String {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    // Writing to memory cannot fail; an error would only leave the line empty.
    let written = writer.write_record(cells.iter().map(AsRef::as_ref));
    match (written, writer.into_inner()) {
        (Ok(()), Ok(bytes)) => String::from_utf8(bytes).unwrap_or_default(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::application::{ApplicationFields, WorkMode};
    use serde_json::json;
    use time::macros::{date, datetime};
    use time::OffsetDateTime;
    use uuid::Uuid;

    const TODAY: Date = date!(2026 - 03 - 20);
    const NOW: OffsetDateTime = datetime!(2026-03-20 12:00 UTC);

    /// In the style of Huntr's export: a "Stage" column, a multi-line note, a
    /// column we do not know ("Date Created") and a status word we do not know.
    const HUNTR: &str = "\
Company,Job Title,Stage,URL,Location,Salary,Date Applied,Notes,Date Created
Acme Corp,Senior Rust Engineer,Applied,https://jobs.acme.example/42?utm_source=huntr,\"Berlin, Germany\",$120k–150k,2026-03-05,\"Referred by Ana.
Follow up next week.\",2026-03-01
Globex,Platform Engineer,Interview,https://globex.example/careers/7,Remote,120000-150000,3/9/2026,,2026-03-02
Initech,Backend Developer,Wishlist,,,,,,2026-03-03
Umbrella,SRE,Archived,,,,,,2026-03-04
";

    /// In the style of Teal's export: separate salary bounds and currency,
    /// "Mar 20, 2026" dates, a URL without a scheme, a follow-up date.
    const TEAL: &str = "\
Job Position,Company,Status,Min Salary,Max Salary,Currency,Location,Date Saved,Date Applied,Deadline,Excitement,Job URL,Job Description,Follow Up Date
Staff Engineer,Hooli,Bookmarked,180000,220000,USD,\"Palo Alto, CA\",2026-02-01,,\"Mar 20, 2026\",5,linkedin.com/jobs/view/123,\"Build things.
Many things.\",
Data Engineer,Pied Piper,Interviewing,150k,170k,,Remote,2026-02-02,\"Feb 10, 2026\",,4,https://piedpiper.example/jobs/de,,2026-03-12
Designer,Raviga,Negotiating,,,,,2026-02-03,10 February 2026,,3,,,
";

    /// A Google Sheets tracker exported by a European spreadsheet: `;`
    /// delimiter, day-first dates, euro amounts with `.` thousands.
    const SHEETS: &str = "\
Employer;Position;Stage;Link;Applied On;Salary;Notes;Tags
Société Générale;Analyste Quant;Phone screen;https://careers.socgen.example/123;05.03.2026;€80.000 – €95.000;\"Bon contact; relancer lundi\";\"finance; paris\"
Zalando;Backend Engineer;No response;;12.01.2026;70k EUR;;remote, berlin
Spotify;Data Scientist;Rejected;https://spotify.example/j/9;5 March 2026;n/a;;
";

    fn import(text: &str) -> Vec<Result<ImportRow, Vec<RowError>>> {
        let table = read_table(text).expect("a readable table");
        let mapping = plan(&table.headers, None).expect("a plan");
        table
            .rows
            .iter()
            .map(|r| convert(&mapping, &table.headers, r.number, &r.cells, TODAY))
            .collect()
    }

    fn created(result: &Result<ImportRow, Vec<RowError>>) -> &ImportRow {
        match result {
            Ok(row) => row,
            Err(errors) => panic!("row refused: {errors:?}"),
        }
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    fn fields(company: &str, title: &str) -> ApplicationFields {
        let mut fields = crate::domain::application::example().fields;
        fields.company = company.into();
        fields.title = title.into();
        fields.work_mode = None;
        fields
    }

    fn stored(fields: ApplicationFields) -> Application {
        Application {
            fields,
            priority_score: 42,
            created_at: NOW,
            updated_at: NOW,
            status_changed_at: NOW,
            ..crate::domain::application::example()
        }
    }

    fn export(applications: &[Application]) -> String {
        let mut text = export_line(&EXPORT_HEADERS);
        for application in applications {
            text.push_str(&export_line(&export_record(application)));
        }
        text
    }

    // --- recognising headers ---------------------------------------------

    #[test]
    fn headers_are_recognised_ignoring_case_spaces_punctuation_and_synonyms() {
        let cases = [
            ("Company", Some(Target::Company)),
            ("  company name ", Some(Target::Company)),
            ("EMPLOYER", Some(Target::Company)),
            ("Organization", Some(Target::Company)),
            ("Job-Title", Some(Target::Title)),
            ("Position", Some(Target::Title)),
            ("Role", Some(Target::Title)),
            ("Stage", Some(Target::Status)),
            ("state", Some(Target::Status)),
            ("Job URL", Some(Target::Url)),
            ("Link", Some(Target::Url)),
            ("Posting", Some(Target::Url)),
            ("Date Applied", Some(Target::AppliedOn)),
            ("applied", Some(Target::AppliedOn)),
            ("Application Date", Some(Target::AppliedOn)),
            ("date_applied", Some(Target::AppliedOn)),
            ("Salary", Some(Target::Salary)),
            ("Min. Salary", Some(Target::SalaryMin)),
            ("Notes", Some(Target::Notes)),
            ("Tags", Some(Target::Tags)),
            ("Deadline", Some(Target::Deadline)),
            ("Source", Some(Target::Source)),
            ("Excitement", None),
            ("Date Created", None),
            ("", None),
        ];
        for (header, target) in cases {
            assert_eq!(recognise(header), target, "{header:?}");
        }
    }

    #[test]
    fn every_target_is_recognised_by_its_own_name() {
        for target in Target::ALL {
            assert_eq!(recognise(target.as_str()), Some(target));
            assert_eq!(Target::parse(target.as_str()), Some(target));
            assert_eq!(
                serde_json::to_value(target).unwrap(),
                json!(target.as_str())
            );
        }
        assert_eq!(Target::parse("Company"), None);
    }

    #[test]
    fn every_column_of_our_export_is_recognised_or_deliberately_ignored() {
        for header in EXPORT_HEADERS {
            let ignored = ["id", "priority_score", "created_at", "updated_at"].contains(&header);
            match recognise(header) {
                Some(target) => assert_eq!(target.as_str(), header),
                None => assert!(ignored, "{header} is not recognised"),
            }
        }
        let mapping = plan(&strings(&EXPORT_HEADERS), None).unwrap();
        assert_eq!(mapping.columns.iter().filter(|c| c.is_none()).count(), 4);
    }

    // --- decoding ------------------------------------------------------------

    #[test]
    fn utf8_is_read_as_is_and_its_byte_order_mark_is_dropped() {
        let plain = decode("Company\nZürich AG\n".as_bytes()).unwrap();
        assert_eq!(plain.encoding, "utf-8");
        assert_eq!(plain.text, "Company\nZürich AG\n");
        let marked = decode(b"\xEF\xBB\xBFCompany\n").unwrap();
        assert_eq!(marked.text, "Company\n");
        assert_eq!(marked.encoding, "utf-8");
    }

    #[test]
    fn latin1_bytes_are_detected_and_decoded_as_windows_1252() {
        let bytes = b"Company,Title,Salary\nSoci\xE9t\xE9 G\xE9n\xE9rale,Analyste,\x8060k\n\x93Quoted\x94 M\xFCller,Dev,\n";
        let decoded = decode(bytes).unwrap();
        assert_eq!(decoded.encoding, "windows-1252");
        assert!(
            decoded.text.contains("Société Générale"),
            "{}",
            decoded.text
        );
        assert!(decoded.text.contains("€60k"));
        assert!(decoded.text.contains("“Quoted” Müller"));

        let table = read_table(&decoded.text).unwrap();
        let mapping = plan(&table.headers, None).unwrap();
        let row = &table.rows[0];
        let imported = convert(&mapping, &table.headers, row.number, &row.cells, TODAY).unwrap();
        assert_eq!(imported.application.fields.company, "Société Générale");
        assert_eq!(imported.application.fields.salary_currency, "EUR");
    }

    #[test]
    fn utf16_with_a_byte_order_mark_is_decoded() {
        let text = "Company,Title\nSociété Générale,Analyste\n";
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(
            decode(&le).unwrap(),
            Decoded {
                text: text.into(),
                encoding: "utf-16le"
            }
        );
        assert_eq!(decode(&be).unwrap().encoding, "utf-16be");
        assert!(decode(&le[..le.len() - 1])
            .unwrap_err()
            .contains("UTF-16LE"));
    }

    #[test]
    fn files_that_are_not_text_in_a_known_encoding_are_refused_clearly() {
        let utf16_without_bom: Vec<u8> = "Company\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let cases: [(&[u8], &str); 6] = [
            (&utf16_without_bom, "NUL"),
            (b"Company\nAcme\0Corp\n", "line 2"),
            // "Компания" in Windows-1251.
            (b"Company\n\xCA\xEE\xEC\xEF\xE0\xED\xE8\xFF\n", "Latin-1"),
            // "株式会社" in Shift_JIS.
            (b"Company\n\x8A\x94\x8E\xAE\x89\xEF\x8E\xD0\n", "not UTF-8"),
            // UTF-8 "Café" beside Latin-1 "Société".
            (b"Company\nCaf\xC3\xA9\nSoci\xE9t\xE9\n", "mixes UTF-8"),
            (b"\xEF\xBB\xBFCompany\nSoci\xE9t\xE9\n", "says it is UTF-8"),
        ];
        for (bytes, expected) in cases {
            let err = decode(bytes).unwrap_err();
            assert!(err.contains(expected), "{err}");
            assert!(err.contains("CSV UTF-8"), "{err}");
        }
        let too_large = vec![b'a'; MAX_BYTES + 1];
        assert!(decode(&too_large).unwrap_err().contains("5 MiB"));
    }

    // --- reading the table ---------------------------------------------------

    #[test]
    fn the_delimiter_is_the_one_that_splits_the_header_most() {
        for (text, delimiter) in [
            ("Company,Title\nA,B\n", ','),
            ("Company;Title;Salary\nA;B;\"80,5k\"\n", ';'),
            ("Company\tTitle\nA\tB\n", '\t'),
            ("\"Company; Inc\",Title\nA,B\n", ','),
            ("Company\nA\n", ','),
        ] {
            let table = read_table(text).unwrap();
            assert_eq!(table.delimiter, delimiter, "{text:?}");
            assert_eq!(table.rows[0].cells[0], "A");
        }
        let semicolon = read_table("Company;Title;Salary\nA;B;\"80,5k\"\n").unwrap();
        assert_eq!(semicolon.rows[0].cells, ["A", "B", "80,5k"]);
    }

    #[test]
    fn an_excel_sep_line_names_the_delimiter_and_is_not_a_row() {
        let table = read_table("sep=;\r\nCompany;Title\r\nA,1;B\r\n").unwrap();
        assert_eq!(table.headers, ["Company", "Title"]);
        assert_eq!(table.rows[0].cells, ["A,1", "B"]);
        assert_eq!(table.rows[0].number, 2);
    }

    #[test]
    fn row_numbers_are_spreadsheet_rows() {
        let text =
            "Company,Notes\r\nA,\"two\r\nlines\"\r\n\r\nB,\"three\nlines\nhere\"\nC,x\n,\nD,y";
        let table = read_table(text).unwrap();
        let numbers: Vec<(usize, &str)> = table
            .rows
            .iter()
            .map(|r| (r.number, r.cells[0].as_str()))
            .collect();
        // A is row 2; the blank line is row 3; B row 4; C row 5; the row of
        // blank cells (6) is left out; D row 7.
        assert_eq!(numbers, [(2, "A"), (4, "B"), (5, "C"), (7, "D")]);
    }

    #[test]
    fn classic_mac_line_endings_are_read() {
        let table = read_table("Company,Title\rA,B\rC,D\r").unwrap();
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.rows[1].number, 3);
    }

    #[test]
    fn a_lone_carriage_return_ends_a_row_as_a_spreadsheet_reads_it() {
        let table = read_table("Company,Title\nA,B\rC,D\r\nE,\"F\rG\"\nH,I\n").unwrap();
        let numbers: Vec<usize> = table.rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, [2, 3, 4, 5]);
        assert_eq!(table.rows[2].cells[1], "F\rG");
    }

    #[test]
    fn an_unclosed_quote_is_refused_naming_its_line() {
        let err = read_table("Company,Title\nA,B\n\"C,D\nE,F\n").unwrap_err();
        assert!(err.starts_with("line 3:"), "{err}");
        assert!(err.contains("never closed"), "{err}");
        let err = read_table("sep=,\nCompany,Title\n\"A,B\n").unwrap_err();
        assert!(err.starts_with("line 3:"), "{err}");
    }

    #[test]
    fn a_quote_inside_an_unquoted_cell_is_kept_literally() {
        let table = read_table("Company,Title\nAcme,27\" monitor tester\n").unwrap();
        assert_eq!(table.rows[0].cells[1], "27\" monitor tester");
    }

    #[test]
    fn empty_files_are_refused_and_a_header_alone_has_no_rows() {
        for text in ["", "  \n\r\n", "\u{feff}", ",,,\n , \n"] {
            assert_eq!(
                read_table(text).unwrap_err(),
                "the file is empty",
                "{text:?}"
            );
        }
        let table = read_table("\u{feff}Company,Title\n").unwrap();
        assert_eq!(table.headers, ["Company", "Title"]);
        assert!(table.rows.is_empty());
    }

    #[test]
    fn blank_and_repeated_headers_get_unique_names() {
        let table = read_table("Company, ,Notes,Notes,Title,,Notes\nA,b,c,d,e,f,g\n").unwrap();
        assert_eq!(
            table.headers,
            [
                "Company",
                "Column 2",
                "Notes",
                "Notes (2)",
                "Title",
                "Column 6",
                "Notes (3)"
            ]
        );
        let mapping = plan(&table.headers, None).unwrap();
        assert_eq!(mapping.column(Target::Notes), Some(2));
        assert_eq!(mapping.columns[3], None);
    }

    #[test]
    fn too_many_rows_or_columns_are_refused() {
        let mut text = String::from("Company,Title\n");
        for i in 0..MAX_ROWS {
            text.push_str(&format!("C{i},T\n"));
        }
        assert_eq!(read_table(&text).unwrap().rows.len(), MAX_ROWS);
        text.push_str("one,more\n");
        assert!(read_table(&text)
            .unwrap_err()
            .contains("more than 10000 rows"));

        let wide = format!("{}\n", vec!["h"; MAX_COLUMNS + 1].join(","));
        assert!(read_table(&wide).unwrap_err().contains("1001 columns"));
    }

    // --- planning ------------------------------------------------------------

    #[test]
    fn an_explicit_mapping_overrides_recognition_for_the_columns_it_names() {
        let headers = strings(&["Firma", "Stelle", "Status", "Notes", "Link", "URL"]);
        let explicit = json!({"Firma": "company", "stelle": "title", "Notes": null, "Link": "url"});
        let mapping = plan(&headers, explicit.as_object()).unwrap();
        assert_eq!(
            mapping.columns,
            [
                Some(Target::Company),
                Some(Target::Title),
                Some(Target::Status),
                None,
                Some(Target::Url),
                None
            ]
        );
        assert_eq!(
            Value::Object(mapping.as_json(&headers)),
            json!({"Firma": "company", "Stelle": "title", "Status": "status", "Notes": null, "Link": "url", "URL": null})
        );
        let ignore = json!({"Status": "ignore"});
        let headers = strings(&["Company", "Title", "Status"]);
        assert_eq!(plan(&headers, ignore.as_object()).unwrap().columns[2], None);
    }

    #[test]
    fn a_bad_mapping_is_a_validation_error_on_mapping_saying_why() {
        let headers = strings(&["Company", "Title", "Stage", "Status"]);
        let cases = [
            (
                json!({"Missing": "notes"}),
                "\"Missing\", which is not in the file",
            ),
            (json!({"Stage": "phase"}), "\"phase\", which is not a field"),
            (json!({"Stage": 3}), "must be a field name or null"),
            (
                json!({}),
                "the columns \"Stage\" and \"Status\" both fill status",
            ),
            (
                json!({"Stage": "notes", "Status": "notes"}),
                "both fill notes",
            ),
            (
                json!({"Company": null, "Title": null, "Stage": null}),
                "no column fills company or title",
            ),
        ];
        for (explicit, expected) in cases {
            let err = plan(&headers, explicit.as_object()).unwrap_err();
            assert!(err.errors.iter().all(|e| e.field == "mapping"));
            assert!(
                err.errors.iter().any(|e| e.message.contains(expected)),
                "{explicit}: {err:?}"
            );
        }
    }

    #[test]
    fn a_missing_company_or_title_names_it_and_lists_the_files_headers() {
        let err = plan(&strings(&["Firma", "Title", "Stand"]), None).unwrap_err();
        assert_eq!(err.errors.len(), 1);
        let message = &err.errors[0].message;
        assert!(message.starts_with("no column fills company:"), "{message}");
        assert!(
            message.contains("\"Firma\", \"Title\", \"Stand\""),
            "{message}"
        );
    }

    #[test]
    fn a_salary_range_beside_a_salary_bound_is_refused() {
        let headers = strings(&["Company", "Title", "Salary", "Min Salary"]);
        let err = plan(&headers, None).unwrap_err();
        assert!(err.errors[0].message.contains("cannot fill salary_min"));
        let fixed = json!({"Min Salary": null});
        assert!(plan(&headers, fixed.as_object()).is_ok());
    }

    // --- converting rows: other trackers' exports ------------------------------

    #[test]
    fn a_huntr_style_export_imports_with_its_unknown_status_refused() {
        let rows = import(HUNTR);
        assert_eq!(rows.len(), 4);

        let acme = created(&rows[0]);
        let f = &acme.application.fields;
        assert_eq!(acme.row, 2);
        assert_eq!(
            (f.company.as_str(), f.title.as_str()),
            ("Acme Corp", "Senior Rust Engineer")
        );
        assert_eq!(f.status, Status::Applied);
        assert_eq!(f.location.as_deref(), Some("Berlin, Germany"));
        assert_eq!((f.salary_min, f.salary_max), (Some(120_000), Some(150_000)));
        assert_eq!(f.salary_currency, "USD");
        assert_eq!(f.applied_on, Some(date!(2026 - 03 - 05)));
        assert_eq!(
            acme.note.as_deref(),
            Some("Referred by Ana.\nFollow up next week.")
        );

        let globex = created(&rows[1]);
        assert_eq!(globex.row, 3);
        assert_eq!(globex.application.fields.status, Status::Interviewing);
        assert_eq!(
            globex.application.fields.applied_on,
            Some(date!(2026 - 03 - 09))
        );
        assert_eq!(globex.application.fields.salary_max, Some(150_000));
        assert_eq!(globex.note, None);

        let initech = created(&rows[2]);
        assert_eq!(initech.application.fields.status, Status::Wishlist);
        assert_eq!(initech.application.fields.url, None);

        let errors = rows[3].as_ref().unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].row, 5);
        assert_eq!(errors[0].column, "Stage");
        assert!(errors[0]
            .message
            .starts_with("\"Archived\" is not a status"));
    }

    #[test]
    fn a_teal_style_export_imports_bounds_dates_and_descriptions() {
        let rows = import(TEAL);
        let hooli = created(&rows[0]);
        let f = &hooli.application.fields;
        assert_eq!(
            (f.company.as_str(), f.title.as_str()),
            ("Hooli", "Staff Engineer")
        );
        assert_eq!(f.status, Status::Wishlist);
        assert_eq!((f.salary_min, f.salary_max), (Some(180_000), Some(220_000)));
        assert_eq!(f.deadline, Some(date!(2026 - 03 - 20)));
        assert_eq!(f.applied_on, None);
        assert_eq!(f.url.as_deref(), Some("https://linkedin.com/jobs/view/123"));
        assert_eq!(
            hooli.application.job_description.as_deref(),
            Some("Build things.\nMany things.")
        );

        let pied = created(&rows[1]);
        let f = &pied.application.fields;
        assert_eq!(f.status, Status::Interviewing);
        assert_eq!((f.salary_min, f.salary_max), (Some(150_000), Some(170_000)));
        assert_eq!(f.applied_on, Some(date!(2026 - 02 - 10)));
        assert_eq!(f.next_action_at, Some(datetime!(2026-03-12 0:00 UTC)));

        let raviga = created(&rows[2]);
        assert_eq!(raviga.application.fields.status, Status::Offer);
        assert_eq!(
            raviga.application.fields.applied_on,
            Some(date!(2026 - 02 - 10))
        );
    }

    #[test]
    fn a_european_sheet_with_semicolons_and_day_first_dates_imports() {
        let table = read_table(SHEETS).unwrap();
        assert_eq!(table.delimiter, ';');
        let rows = import(SHEETS);

        let socgen = created(&rows[0]);
        let f = &socgen.application.fields;
        assert_eq!(f.company, "Société Générale");
        assert_eq!(f.status, Status::Screening);
        assert_eq!(f.applied_on, Some(date!(2026 - 03 - 05)));
        assert_eq!((f.salary_min, f.salary_max), (Some(80_000), Some(95_000)));
        assert_eq!(f.salary_currency, "EUR");
        assert_eq!(*f.tags, ["finance", "paris"]);
        assert_eq!(socgen.note.as_deref(), Some("Bon contact; relancer lundi"));

        let zalando = created(&rows[1]);
        let f = &zalando.application.fields;
        assert_eq!(f.status, Status::Ghosted);
        assert_eq!(f.applied_on, Some(date!(2026 - 01 - 12)));
        assert_eq!((f.salary_min, f.salary_max), (Some(70_000), Some(70_000)));
        assert_eq!(f.salary_currency, "EUR");
        assert_eq!(*f.tags, ["remote", "berlin"]);

        let spotify = created(&rows[2]);
        assert_eq!(spotify.application.fields.status, Status::Rejected);
        assert_eq!(spotify.application.fields.salary_min, None);
        assert_eq!(
            spotify.application.fields.applied_on,
            Some(date!(2026 - 03 - 05))
        );
    }

    #[test]
    fn our_own_export_imports_back_to_the_same_fields() {
        let mut full = fields("=HYPERLINK(\"x\")", "-Lead, \"Platform\"");
        full.url = Some("https://jobs.example/1".into());
        full.location = Some("@home".into());
        full.work_mode = Some(WorkMode::Remote);
        full.salary_min = Some(90_000);
        full.salary_max = Some(110_000);
        full.salary_currency = "GBP".into();
        full.status = Status::Interviewing;
        full.source = Some("+referral".into());
        full.applied_on = Some(date!(2026 - 02 - 01));
        full.deadline = Some(date!(2026 - 04 - 01));
        full.tags = strings(&["rust", "remote first"]).into();
        full.contact_name = Some("Ana Lima".into());
        full.contact_email = Some("ana@example.com".into());
        full.next_action = Some("Send portfolio".into());
        full.next_action_at = Some(datetime!(2026-03-25 09:30 UTC));
        let minimal = fields("Acme", "Engineer");
        let text = export(&[stored(full.clone()), stored(minimal.clone())]);

        assert!(text.starts_with("id,company,title,status,url,"));
        assert!(text.contains(",\"'=HYPERLINK(\"\"x\"\")\",\"'-Lead, \"\"Platform\"\"\","));
        assert!(text.ends_with("\r\n"));

        let rows = import(&text);
        assert_eq!(created(&rows[0]).application.fields, full);
        assert_eq!(created(&rows[1]).application.fields, minimal);
    }

    // --- converting rows: rules --------------------------------------------------

    fn convert_one(headers: &[&str], cells: &[&str]) -> Result<ImportRow, Vec<RowError>> {
        let headers = strings(headers);
        let mapping = plan(&headers, None).unwrap();
        convert(&mapping, &headers, 7, &strings(cells), TODAY)
    }

    fn error_of(headers: &[&str], cells: &[&str]) -> RowError {
        let errors = convert_one(headers, cells).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors.into_iter().next().unwrap()
    }

    #[test]
    fn every_problem_names_the_row_and_the_column_it_came_from() {
        let h = [
            "Company",
            "Job Title",
            "Status",
            "Salary",
            "Link",
            "Email",
            "Applied",
            "Notes",
            "Tags",
            "Remote?",
        ];
        let ok = ["Acme", "Dev", "", "", "", "", "", "", "", ""];
        let cases: [(usize, &str, &str, &str); 12] = [
            (0, "", "Company", "company is required"),
            (1, "  ", "Job Title", "title is required"),
            (2, "Hired!!", "Status", "accepted"),
            (2, "Maybe", "Status", "\"Maybe\" is not a status"),
            (3, "$150k-120k", "Salary", "the range is inverted"),
            (3, "lots", "Salary", "\"lots\" is not a salary"),
            (
                4,
                "ftp://x.example",
                "Link",
                "url must be an http or https URL",
            ),
            (
                5,
                "nobody",
                "Email",
                "contact_email must be an email address",
            ),
            (6, "05-03-2026", "Applied", "\"05-03-2026\" is not a date"),
            (
                7,
                &"x".repeat(20_001),
                "Notes",
                "note must be at most 20000 characters",
            ),
            (
                8,
                &"t".repeat(41),
                "Tags",
                "tags items must be at most 40 characters",
            ),
            (0, "Acme\nInc", "Company", "company must be a single line"),
        ];
        for (index, cell, column, message) in cases {
            let mut cells = ok;
            cells[index] = cell;
            match convert_one(&h, &cells) {
                Ok(row) if message == "accepted" => {
                    assert_eq!(row.application.fields.status, Status::Accepted)
                }
                Ok(row) => panic!("{cell:?} was accepted: {row:?}"),
                Err(errors) => {
                    assert_eq!(errors.len(), 1, "{errors:?}");
                    assert_eq!(errors[0].row, 7);
                    assert_eq!(errors[0].column, column, "{cell:?}");
                    assert!(errors[0].message.contains(message), "{:?}", errors[0]);
                }
            }
        }
    }

    #[test]
    fn a_row_collects_every_problem_it_has() {
        let errors = convert_one(
            &["Company", "Title", "Status", "Date Applied"],
            &["", "Dev", "Hmm", "yesterday"],
        )
        .unwrap_err();
        let columns: Vec<&str> = errors.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(columns, ["Company", "Status", "Date Applied"]);
    }

    #[test]
    fn a_row_longer_than_the_header_is_refused_unless_the_extra_cells_are_blank() {
        let error = error_of(&["Company", "Title"], &["Acme", "Dev", "oops"]);
        assert_eq!(error.column, "");
        assert!(error
            .message
            .contains("has 3 cells but the header has 2 columns"));
        assert!(convert_one(&["Company", "Title"], &["Acme", "Dev", "", " "]).is_ok());
        // A short row: the missing cells are empty.
        let short = convert_one(&["Company", "Title", "Location"], &["Acme", "Dev"]).unwrap();
        assert_eq!(short.application.fields.location, None);
    }

    #[test]
    fn a_salary_ranges_currency_must_agree_with_a_currency_column() {
        let row = convert_one(
            &["Company", "Title", "Salary", "Currency"],
            &["A", "B", "80k", "eur"],
        )
        .unwrap();
        assert_eq!(row.application.fields.salary_currency, "EUR");
        let row = convert_one(
            &["Company", "Title", "Salary", "Currency"],
            &["A", "B", "£80k", "£"],
        )
        .unwrap();
        assert_eq!(row.application.fields.salary_currency, "GBP");
        let error = error_of(
            &["Company", "Title", "Salary", "Currency"],
            &["A", "B", "€80k", "USD"],
        );
        assert_eq!(error.column, "Currency");
        assert!(error
            .message
            .contains("names the currency USD but the column \"Salary\" names EUR"));
        let error = error_of(&["Company", "Title", "Currency"], &["A", "B", "Dollars"]);
        assert!(error.message.contains("is not a currency"));
    }

    #[test]
    fn salary_bound_columns_take_single_amounts() {
        let row = convert_one(
            &["Company", "Title", "Salary Min", "Salary Max"],
            &["A", "B", "$90k", "110,000"],
        )
        .unwrap();
        let f = &row.application.fields;
        assert_eq!(
            (f.salary_min, f.salary_max, f.salary_currency.as_str()),
            (Some(90_000), Some(110_000), "USD")
        );
        let error = error_of(&["Company", "Title", "Salary Min"], &["A", "B", "90-100k"]);
        assert!(error.message.contains("must be a single amount"));
        let error = error_of(
            &["Company", "Title", "Salary Min", "Salary Max"],
            &["A", "B", "200k", "100k"],
        );
        assert_eq!(error.column, "Salary Min");
        assert!(error
            .message
            .contains("salary_min must not be greater than salary_max"));
    }

    #[test]
    fn placeholder_cells_in_typed_columns_mean_not_given() {
        let row = convert_one(
            &[
                "Company",
                "Title",
                "Salary",
                "Date Applied",
                "Status",
                "URL",
            ],
            &["N/A", "Dev", "Competitive", "n/a", "-", "TBD"],
        )
        .unwrap();
        let f = &row.application.fields;
        assert_eq!(f.company, "N/A");
        assert_eq!(
            (f.salary_min, f.applied_on, f.status, f.url.clone()),
            (None, None, Status::Wishlist, None)
        );
    }

    #[test]
    fn work_modes_tags_and_emails_are_read_the_way_trackers_write_them() {
        let row = convert_one(
            &["Company", "Title", "Work Mode", "Tags", "Contact Email"],
            &[
                "A",
                "B",
                "On-site",
                " rust ;; remote ;rust",
                "mailto:ana@example.com",
            ],
        )
        .unwrap();
        let f = &row.application.fields;
        assert_eq!(f.work_mode, Some(WorkMode::Onsite));
        assert_eq!(*f.tags, ["rust", "remote"]);
        assert_eq!(f.contact_email.as_deref(), Some("ana@example.com"));
        let error = error_of(&["Company", "Title", "Work Mode"], &["A", "B", "Moon base"]);
        assert!(error.message.contains("use onsite, hybrid or remote"));
    }

    #[test]
    fn a_tags_cell_that_says_not_given_is_no_tags() {
        for cell in ["na", "N/A", "none", "TBD"] {
            let row = convert_one(&["Company", "Title", "Tags"], &["A", "B", cell]).unwrap();
            assert!(row.application.fields.tags.is_empty(), "{cell}");
        }
        let row = convert_one(&["Company", "Title", "Tags"], &["A", "B", "na; rust"]).unwrap();
        assert_eq!(*row.application.fields.tags, ["na", "rust"]);
    }

    #[test]
    fn an_applied_row_without_a_date_stays_undated_so_a_reimport_matches_it() {
        let row = convert_one(&["Company", "Title", "Status"], &["A", "B", "Applied"]).unwrap();
        assert_eq!(row.application.fields.applied_on, None);
        let dated = convert_one(
            &["Company", "Title", "Status", "Applied"],
            &["A", "B", "Applied", "2026-03-05"],
        )
        .unwrap();
        assert_eq!(
            dated.application.fields.applied_on,
            Some(time::macros::date!(2026 - 03 - 05))
        );
    }

    #[test]
    fn a_cell_our_export_protected_loses_its_quote_mark_on_import() {
        let row = convert_one(&["Company", "Title"], &["'=SUM(A1)", "'Quoted title"]).unwrap();
        assert_eq!(row.application.fields.company, "=SUM(A1)");
        assert_eq!(row.application.fields.title, "'Quoted title");
    }

    #[test]
    fn the_match_key_is_the_url_key_or_the_lower_case_name_and_date() {
        let rows = import(HUNTR);
        assert_eq!(
            created(&rows[0]).match_key(),
            MatchKey::Url("https://jobs.acme.example/42".into())
        );
        assert_eq!(
            created(&rows[2]).match_key(),
            MatchKey::Name {
                company_lower: "initech".into(),
                title_lower: "backend developer".into(),
                applied_on: None
            }
        );
    }

    // --- words, dates, salaries ------------------------------------------------

    #[test]
    fn status_words_of_other_trackers_map_to_the_pipeline() {
        let cases = [
            ("Saved", Status::Wishlist),
            ("bookmarked", Status::Wishlist),
            ("Wishlist", Status::Wishlist),
            ("Applied", Status::Applied),
            ("Phone screen", Status::Screening),
            ("phone-screen", Status::Screening),
            ("SCREENING", Status::Screening),
            ("Interview", Status::Interviewing),
            ("Interviewing", Status::Interviewing),
            ("On-site", Status::Interviewing),
            ("Onsite", Status::Interviewing),
            ("Offer", Status::Offer),
            ("Accepted", Status::Accepted),
            ("Declined", Status::Declined),
            ("Rejected", Status::Rejected),
            ("Withdrawn", Status::Withdrawn),
            ("Ghosted", Status::Ghosted),
            ("No response", Status::Ghosted),
        ];
        for (word, status) in cases {
            assert_eq!(status_word(word), Some(status), "{word}");
        }
        for status in Status::ALL {
            assert_eq!(status_word(status.as_str()), Some(status));
        }
        for word in ["", "Archived", "Hmm", "applied?maybe"] {
            assert_eq!(status_word(word), None, "{word}");
        }
    }

    #[test]
    fn dates_are_read_in_every_listed_format() {
        let d = date!(2026 - 03 - 05);
        let cases = [
            ("2026-03-05", Some(d)),
            (" 2026-03-05 ", Some(d)),
            ("2026-03-05T14:30:00Z", Some(d)),
            ("2026-03-05 14:30", Some(d)),
            ("2026/03/05", Some(d)),
            ("2026-3-5", Some(d)),
            ("3/5/2026", Some(d)),
            ("03/05/2026", Some(d)),
            ("3/5/26", Some(d)),
            ("05.03.2026", Some(d)),
            ("5.3.2026", Some(d)),
            ("Mar 5, 2026", Some(d)),
            ("Mar. 5, 2026", Some(d)),
            ("March 5, 2026", Some(d)),
            ("march 5th 2026", Some(d)),
            ("Thu, Mar 5, 2026", Some(d)),
            ("5 March 2026", Some(d)),
            ("5 Mar 2026", Some(d)),
            ("05-Mar-2026", Some(d)),
            ("5-Mar-26", Some(d)),
            ("Sept 5, 2026", Some(date!(2026 - 09 - 05))),
            ("12/31/1999", Some(date!(1999 - 12 - 31))),
            ("05-03-2026", None),
            ("2026-02-30", None),
            ("2/30/2026", None),
            ("13/5/2026", None),
            ("31.02.2026", None),
            ("Ma 5, 2026", None),
            ("Mar 5", None),
            ("5 March 2026 extra", None),
            ("3/5/0026", None),
            ("1/1/3000", None),
            ("yesterday", None),
            ("", None),
            ("2026-03-05X", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_date(text), expected, "{text:?}");
        }
    }

    #[test]
    fn salaries_are_read_as_ranges_single_amounts_and_currencies() {
        let s = |min: Option<i64>, max: Option<i64>, currency: Option<&str>| Salary {
            min,
            max,
            currency: currency.map(str::to_owned),
        };
        let cases = [
            ("$120k–150k", s(Some(120_000), Some(150_000), Some("USD"))),
            ("$120–150k", s(Some(120_000), Some(150_000), Some("USD"))),
            ("120000-150000", s(Some(120_000), Some(150_000), None)),
            (
                "€80,000 - €95,000",
                s(Some(80_000), Some(95_000), Some("EUR")),
            ),
            (
                "€80.000 – €95.000",
                s(Some(80_000), Some(95_000), Some("EUR")),
            ),
            (
                "80 000 — 95 000 €",
                s(Some(80_000), Some(95_000), Some("EUR")),
            ),
            ("£60k", s(Some(60_000), Some(60_000), Some("GBP"))),
            ("100k EUR", s(Some(100_000), Some(100_000), Some("EUR"))),
            ("USD 90,000", s(Some(90_000), Some(90_000), Some("USD"))),
            ("120.5k", s(Some(120_500), Some(120_500), None)),
            ("1,5m", s(Some(1_500_000), Some(1_500_000), None)),
            ("1.2M", s(Some(1_200_000), Some(1_200_000), None)),
            ("$120,000.00", s(Some(120_000), Some(120_000), Some("USD"))),
            ("90k to 110k per year", s(Some(90_000), Some(110_000), None)),
            ("¥8m-10m", s(Some(8_000_000), Some(10_000_000), Some("JPY"))),
            (
                "₹12,00,000",
                s(Some(1_200_000), Some(1_200_000), Some("INR")),
            ),
            (
                "C$95k - C$105k p.a.",
                s(Some(95_000), Some(105_000), Some("CAD")),
            ),
            ("US$70K/yr", s(Some(70_000), Some(70_000), Some("USD"))),
            ("150k+", s(Some(150_000), None, None)),
            ("chf 100k", s(Some(100_000), Some(100_000), Some("CHF"))),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_salary(text), Ok(expected), "{text:?}");
        }
    }

    #[test]
    fn salaries_that_cannot_be_read_say_why() {
        let cases = [
            ("€80k-$95k", "two currencies, EUR and USD"),
            (
                "150k-120k",
                "the range is inverted (150000 is more than 120000)",
            ),
            ("$50/hr", "not yearly"),
            ("5000 a month", "not yearly"),
            ("1-2-3", "write one amount or a range"),
            ("-5000", "must not be negative"),
            ("$", "it has no amount"),
            ("", "it has no amount"),
            ("k", "must follow an amount"),
            ("9999999999999999", "above"),
            ("2000000m", "above"),
            ("lots", "\"lots\" is not understood"),
            ("100k XYZ", "\"xyz\" is not understood"),
            ("100#", "\"#\" is not understood"),
            ("Z$100", "\"z$\" is not a currency"),
        ];
        for (text, expected) in cases {
            let err = parse_salary(text).unwrap_err();
            assert!(err.contains(expected), "{text:?}: {err}");
        }
    }

    // --- export ----------------------------------------------------------------

    #[test]
    fn formula_cells_are_neutralised_and_others_left_alone() {
        for cell in ["=1+1", "+49 30 1234", "-5", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise(cell), format!("'{cell}"));
        }
        for cell in ["Acme", "", " =1", "'=1", "1-2", "a@b.c"] {
            assert!(matches!(neutralise(cell), Cow::Borrowed(c) if c == cell));
        }
    }

    #[test]
    fn export_lines_quote_only_what_needs_it_and_end_with_crlf() {
        assert_eq!(
            export_line(&["a", "b c", "d,e", "f\"g", "h\ni", ""]),
            "a,b c,\"d,e\",\"f\"\"g\",\"h\ni\",\r\n"
        );
    }

    #[test]
    fn an_export_record_follows_the_header_and_joins_tags() {
        let mut f = fields("Acme", "Dev");
        f.tags = strings(&["rust", "go"]).into();
        f.salary_min = Some(10);
        let cells = export_record(&stored(f));
        assert_eq!(cells.len(), EXPORT_HEADERS.len());
        let by_header: HashMap<&str, &str> = EXPORT_HEADERS
            .iter()
            .copied()
            .zip(cells.iter().map(String::as_str))
            .collect();
        assert_eq!(by_header["tags"], "rust; go");
        assert_eq!(by_header["salary_min"], "10");
        assert_eq!(by_header["salary_max"], "");
        assert_eq!(by_header["priority_score"], "42");
        assert_eq!(by_header["created_at"], "2026-03-20T12:00:00Z");
        assert_eq!(by_header["id"], Uuid::nil().to_string());
    }

    // --- properties --------------------------------------------------------------

    /// The whole import over any bytes: never panics, and every row error
    /// names its row and either no column or a header of the file.
    fn import_anything(bytes: &[u8]) -> Result<(), proptest::test_runner::TestCaseError> {
        let Ok(decoded) = decode(bytes) else {
            return Ok(());
        };
        let Ok(table) = read_table(&decoded.text) else {
            return Ok(());
        };
        let mut previous = 0;
        for row in &table.rows {
            proptest::prop_assert!(row.number > previous, "{:?}", table.rows);
            previous = row.number;
        }
        let _ = plan(&table.headers, Some(&Map::new()));
        let Ok(mapping) = plan(&table.headers, None) else {
            return Ok(());
        };
        for row in &table.rows {
            match convert(&mapping, &table.headers, row.number, &row.cells, TODAY) {
                Ok(imported) => {
                    let f = &imported.application.fields;
                    proptest::prop_assert!(!f.company.is_empty() && !f.title.is_empty());
                    let _ = imported.match_key();
                }
                Err(errors) => {
                    proptest::prop_assert!(!errors.is_empty());
                    for e in errors {
                        proptest::prop_assert_eq!(e.row, row.number);
                        proptest::prop_assert!(
                            e.column.is_empty() || table.headers.contains(&e.column)
                        );
                    }
                }
            }
        }
        Ok(())
    }

    /// Pieces of CSV that make parsers stumble.
    fn csv_soup() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        use proptest::prelude::*;
        let header = prop::sample::select(vec![
            "Company,Title,Status,Salary,Date Applied,Tags,Notes,URL\n",
            "Employer;Position;Stage;Link;Applied On;Salary;Notes;Tags\n",
            "company\ttitle\tdeadline\tnext_action_at\twork_mode\tsalary_min\tsalary_max\n",
            "sep=;\nCompany;Title;Currency;Salary\n",
            "",
        ]);
        let fragment = prop::sample::select(vec![
            ",",
            ";",
            "\t",
            "\"",
            "\"\"",
            "\n",
            "\r\n",
            "\r",
            " ",
            "Acme",
            "Dev",
            "applied",
            "Phone screen",
            "$120k–150k",
            "€80.000",
            "150k-120k",
            "3/5/2026",
            "05.03.2026",
            "Mar 5, 2026",
            "2026-02-30",
            "=cmd",
            "'=x",
            "https://x.example/a",
            "x.org",
            "n/a",
            "é",
            "\u{feff}",
            "\u{0}",
            "\u{1b}",
            "💥",
            "\u{a0}",
            "k",
            "m",
            "-",
            "+",
            "to",
        ]);
        (header, prop::collection::vec(fragment, 0..60)).prop_map(|(header, fragments)| {
            let mut text = header.to_owned();
            text.extend(fragments);
            text.into_bytes()
        })
    }

    fn application_fields() -> impl proptest::strategy::Strategy<Value = ApplicationFields> {
        use proptest::prelude::*;
        let name = "[=+@-]?[A-Za-z0-9][A-Za-z0-9 ,;\"'=+-]{0,15}[A-Za-z0-9.]";
        (
            (name, name, prop::sample::select(Status::ALL.to_vec())),
            prop::option::of(prop::sample::select(vec![
                "https://jobs.example/1",
                "https://x.example/a?id=2&b=c",
            ])),
            prop::option::of((0i64..1_000_000_000, 0i64..1_000_000_000)),
            prop::option::of((2000i32..2100, 1u8..=12, 1u8..=28)),
            prop::collection::btree_set("[a-z][a-z ]{0,8}[a-z]", 0..4),
            prop::option::of(prop::sample::select(WorkMode::CHOICES.to_vec())),
        )
            .prop_map(
                |((company, title, status), url, salary, applied, tags, mode)| {
                    let mut f = fields(&company, &title);
                    f.status = status;
                    f.url = url.map(Into::into);
                    if let Some((a, b)) = salary {
                        f.salary_min = Some(a.min(b));
                        f.salary_max = Some(a.max(b));
                        f.salary_currency = "EUR".into();
                    }
                    f.applied_on = applied.and_then(|(y, m, d)| calendar(y, m, d));
                    // A lone tag that reads "not given" ("na", "none", "tbd"…)
                    // is read as no tags, as the import documents.
                    f.tags = tags.into_iter().filter(|t| !is_placeholder(t)).collect();
                    f.work_mode = mode.map(|(_, m)| m);
                    f
                },
            )
    }

    fn with_thousands(n: i64) -> String {
        let digits = n.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_never_make_the_import_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
            import_anything(&bytes)?;
        }

        #[test]
        fn hostile_csv_never_makes_the_import_panic(bytes in csv_soup()) {
            import_anything(&bytes)?;
        }

        #[test]
        fn latin1_soup_never_makes_the_import_panic(bytes in csv_soup(), high in proptest::collection::vec(0x80u8..=0xFF, 0..8)) {
            let mut bytes = bytes;
            bytes.extend(high);
            import_anything(&bytes)?;
        }

        #[test]
        fn any_text_into_salaries_dates_and_words_never_panics(s in "\\PC{0,40}", t in proptest::prelude::any::<String>()) {
            for text in [&s, &t] {
                let _ = parse_salary(text);
                let _ = parse_date(text);
                let _ = status_word(text);
                let _ = recognise(text);
                let _ = currency_word(text);
            }
        }

        #[test]
        fn every_date_format_reads_back_the_same_date(y in 1900i32..=2100, m in 1u8..=12, d in 1u8..=31) {
            if let Some(date) = calendar(y, m, d) {
                let month = MONTHS[usize::from(m) - 1];
                let short: String = month.chars().take(3).collect();
                for text in [
                    format_date(date),
                    format!("{m}/{d}/{y}"),
                    format!("{d:02}.{m:02}.{y}"),
                    format!("{short} {d}, {y}"),
                    format!("{month} {d}, {y}"),
                    format!("{d} {month} {y}"),
                    format!("{d:02}-{short}-{y}"),
                ] {
                    proptest::prop_assert_eq!(parse_date(&text), Some(date), "{}", text);
                }
            }
        }

        #[test]
        fn salary_ranges_read_back_their_bounds(a in 0i64..=SALARY_MAX, b in 0i64..=SALARY_MAX, k in 0i64..1_000_000) {
            let (low, high) = (a.min(b), a.max(b));
            let plain = parse_salary(&format!("{low}-{high}")).unwrap();
            proptest::prop_assert_eq!((plain.min, plain.max), (Some(low), Some(high)));
            let grouped = parse_salary(&format!("€{} – €{}", with_thousands(low), with_thousands(high))).unwrap();
            proptest::prop_assert_eq!((grouped.min, grouped.max), (Some(low), Some(high)));
            proptest::prop_assert_eq!(grouped.currency.as_deref(), Some("EUR"));
            let thousands = parse_salary(&format!("${k}k")).unwrap();
            proptest::prop_assert_eq!(thousands.min, Some(k * 1000));
        }

        #[test]
        fn neutralised_cells_never_start_like_a_formula(s in "\\PC{0,20}|[=+@\t\r-]\\PC{0,5}") {
            let out = neutralise(&s);
            proptest::prop_assert!(!out.starts_with(FORMULA_STARTS));
            if s.starts_with(FORMULA_STARTS) {
                proptest::prop_assert_eq!(out.as_ref(), format!("'{s}"));
            } else {
                proptest::prop_assert_eq!(out.as_ref(), s.as_str());
            }
        }

        #[test]
        fn an_export_imports_back_to_the_same_fields(f in application_fields()) {
            let text = export(&[stored(f.clone())]);
            let rows = import(&text);
            proptest::prop_assert_eq!(&created(&rows[0]).application.fields, &f);
        }
    }
}
