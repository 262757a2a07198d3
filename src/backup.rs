//! `jobcopilot backup FILE` and `jobcopilot restore FILE`: the whole database
//! (embedded or `DATABASE_URL`) as one `pg_dump` archive (custom format), and
//! its restore into an empty database followed by the migrations, which is
//! also how an older backup is brought up to date.
//!
//! The machine's own `pg_dump`/`pg_restore` do the work; this process opens
//! FILE itself and hands it over as their standard output or input. So FILE
//! may be anywhere the invoking user can write or read, even where the
//! embedded cluster's unprivileged user could never enter.

use std::ffi::OsStr;
use std::fs;
use std::io::{Seek, SeekFrom};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::config::Settings;
use crate::startup::{embedded_cluster_dir, Database, StartError, EMBEDDED_DATABASE};
use crate::store::embedded::{self, EmbeddedError};
use crate::store::{self, StoreError};

/// What a backup wrote.
#[derive(Debug, Clone)]
pub struct BackupSummary {
    pub file: PathBuf,
    pub bytes: u64,
}

impl std::fmt::Display for BackupSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "backed up the database to {} ({} bytes)",
            self.file.display(),
            self.bytes
        )
    }
}

/// What a restore did.
#[derive(Debug, Clone)]
pub struct RestoreSummary {
    pub file: PathBuf,
    /// Migrations applied after the restore (a backup from an older version).
    pub migrations_applied: usize,
}

impl std::fmt::Display for RestoreSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "restored the database from {}; migrations applied: {}",
            self.file.display(),
            self.migrations_applied
        )
    }
}

/// Why a backup or restore did not happen. Each message is one line.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// A setting cannot work (exit 78).
    #[error("{0}")]
    Setting(String),
    /// The database or a PostgreSQL program cannot be reached (exit 69).
    #[error("{0}")]
    Unavailable(String),
    /// FILE cannot be written or read.
    #[error("{0}")]
    File(String),
    /// FILE is not a backup of Job Copilot's database.
    #[error("{0}")]
    NotABackup(String),
    /// The restore's target already holds data; nothing was changed.
    #[error("{0}")]
    NotEmpty(String),
    /// `pg_dump`/`pg_restore` or the database refused.
    #[error("{0}")]
    Failed(String),
}

impl BackupError {
    /// The process exit code, after sysexits: 69 unavailable, 78 a bad
    /// setting, 1 anything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            BackupError::Unavailable(_) => 69,
            BackupError::Setting(_) => 78,
            _ => 1,
        }
    }
}

impl From<StartError> for BackupError {
    fn from(e: StartError) -> Self {
        match e {
            StartError::Embedded(EmbeddedError::BinariesMissing) => {
                BackupError::Unavailable(e.to_string())
            }
            StartError::Embedded(EmbeddedError::Unreachable(..)) => {
                BackupError::Setting(e.to_string())
            }
            StartError::Store(e) => e.into(),
            StartError::Unreachable(_) => BackupError::Unavailable(e.to_string()),
            StartError::Setting(_) | StartError::Other(_) => BackupError::Setting(e.to_string()),
            StartError::Embedded(_) | StartError::Listen(..) => BackupError::Failed(e.to_string()),
        }
    }
}

impl From<StoreError> for BackupError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(_) => BackupError::Unavailable(e.to_string()),
            _ => BackupError::Failed(e.to_string()),
        }
    }
}

/// Dumps the database into FILE: written whole or not at all (a temporary
/// file beside it is renamed into place), readable by its owner only.
pub async fn backup(settings: &Settings, file: &Path) -> Result<BackupSummary, BackupError> {
    let pending = PendingFile::create(file)?;
    if settings.database.is_none() && !embedded_cluster_dir(settings).join("PG_VERSION").exists() {
        return Err(BackupError::Failed(format!(
            "there is nothing to back up: no embedded database in {} (JOBCOPILOT_DATA_DIR)",
            settings.data_dir.display()
        )));
    }
    let db = connect(settings).await?;
    let dumped = dump(settings, &db, &pending).await;
    close(db).await;
    dumped?;
    let bytes = pending.commit()?;
    Ok(BackupSummary {
        file: file.to_owned(),
        bytes,
    })
}

/// Restores FILE into an empty database (creating the embedded cluster in a
/// fresh data directory), then applies the migrations. A file that is not a
/// backup, or a database that already holds data, is refused before anything
/// is changed; a restore that fails midway is rolled back.
pub async fn restore(settings: &Settings, file: &Path) -> Result<RestoreSummary, BackupError> {
    let archive = open_archive(file)?;
    check_archive(&archive, file).await?;
    let db = connect(settings).await?;
    let restored = restore_into(settings, &db, &archive, file).await;
    let migrated = match restored {
        Ok(()) => store::migrate(&db.pool).await.map_err(BackupError::from),
        Err(e) => Err(e),
    };
    close(db).await;
    let migrations_applied = migrated?;
    Ok(RestoreSummary {
        file: file.to_owned(),
        migrations_applied,
    })
}

/// The database, reachable: `Database::connect` and one round trip.
async fn connect(settings: &Settings) -> Result<Database, BackupError> {
    let db = Database::connect(settings).await?;
    if let Err(e) = store::ping(&db.pool).await {
        close(db).await;
        return Err(e.into());
    }
    Ok(db)
}

/// Closes our connections, then stops the embedded cluster if we started it.
async fn close(db: Database) {
    db.pool.close();
    if let Some(mut pg) = db.embedded {
        let _ = tokio::task::spawn_blocking(move || pg.stop()).await;
    }
}

async fn dump(settings: &Settings, db: &Database, out: &PendingFile) -> Result<(), BackupError> {
    let mut cmd = client(settings, db, "pg_dump")?;
    cmd.args(["--format=custom", "--no-password"])
        .stdin(Stdio::null())
        .stdout(out.handle()?);
    run(cmd, "pg_dump").await
}

async fn restore_into(
    settings: &Settings,
    db: &Database,
    archive: &fs::File,
    file: &Path,
) -> Result<(), BackupError> {
    refuse_unless_empty(db).await?;
    let mut cmd = client(settings, db, "pg_restore")?;
    cmd.args([
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        "--no-password",
    ])
    .stdin(rewound(archive, file)?)
    .stdout(Stdio::null());
    run(cmd, "pg_restore").await.map_err(|e| match e {
        // One transaction: a restore that fails leaves nothing behind.
        BackupError::Failed(why) => BackupError::Failed(format!("{why}; nothing was restored")),
        other => other,
    })
}

/// Refuses a target that holds any table, view or sequence of its own.
async fn refuse_unless_empty(db: &Database) -> Result<(), BackupError> {
    let client = db.pool.get().await.map_err(StoreError::from)?;
    let rows = client
        .query(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') \
               AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
               AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%' \
               AND NOT EXISTS (SELECT 1 FROM pg_depend d \
                               WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid \
                                 AND d.deptype = 'e') \
             ORDER BY c.relname = 'users' DESC, c.relname",
            &[],
        )
        .await
        .map_err(StoreError::from)?;
    if rows.is_empty() {
        return Ok(());
    }
    let first: String = rows[0].try_get(0).map_err(StoreError::from)?;
    Err(BackupError::NotEmpty(format!(
        "the database already holds data ({} tables, views or sequences, e.g. {first}): \
         restore only into an empty database (a fresh JOBCOPILOT_DATA_DIR or a new, empty DATABASE_URL); nothing was changed",
        rows.len()
    )))
}

/// `name` from the embedded cluster's binaries over its socket, or the
/// machine's for `DATABASE_URL` (its password passed in the environment,
/// not on the command line).
fn client(settings: &Settings, db: &Database, name: &str) -> Result<Command, BackupError> {
    if let Some(pg) = &db.embedded {
        return Ok(pg.client(name, EMBEDDED_DATABASE));
    }
    let database = settings
        .database
        .as_ref()
        .ok_or_else(|| BackupError::Failed("no database to connect to".into()))?;
    let program = embedded::client_program(name).ok_or_else(|| missing_program(name))?;
    let (conninfo, password) = without_password(&database.url)?;
    let mut cmd = Command::new(program);
    cmd.arg("--dbname").arg(conninfo);
    if let Some(password) = password {
        cmd.env("PGPASSWORD", OsStr::from_bytes(&password));
    }
    // libpq reads sslmode from the URL; the CA file the program was given
    // (JOBCOPILOT_DATABASE_CA_FILE) is its root certificate too.
    if let Some((path, _)) = &database.ca {
        cmd.env("PGSSLROOTCERT", path);
    }
    Ok(cmd)
}

fn missing_program(name: &str) -> BackupError {
    BackupError::Unavailable(format!(
        "{name} was not found: install PostgreSQL's client programs (Debian/Ubuntu: apt-get install postgresql-client), \
         of the server's major version or newer"
    ))
}

/// Runs a PostgreSQL program to its end; its complaint, in one line, if it fails.
async fn run(mut cmd: Command, name: &'static str) -> Result<(), BackupError> {
    cmd.stderr(Stdio::piped());
    let output: std::io::Result<Output> =
        tokio::task::spawn_blocking(move || cmd.output())
            .await
            .map_err(|e| BackupError::Failed(format!("{name}: {e}")))?;
    let output = match output {
        Ok(o) => o,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(missing_program(name)),
        Err(e) => return Err(BackupError::Failed(format!("{name}: {e}"))),
    };
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    Err(BackupError::Failed(format!(
        "{name} failed: {}",
        first_error(&stderr)
    )))
}

/// The line that says what went wrong: the first `error:` line, else the
/// last one, without the program's name in front.
fn first_error(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let line = lines
        .iter()
        .find(|l| l.contains("error:"))
        .or(lines.last())
        .copied()
        .unwrap_or("no message");
    ["pg_dump: ", "pg_restore: "]
        .iter()
        .find_map(|p| line.strip_prefix(p))
        .unwrap_or(line)
        .to_owned()
}

/// FILE, opened for reading by this process (the invoking user).
fn open_archive(file: &Path) -> Result<fs::File, BackupError> {
    let cannot =
        |e: std::io::Error| BackupError::File(format!("cannot read {}: {e}", file.display()));
    let archive = fs::File::open(file).map_err(cannot)?;
    if !archive.metadata().map_err(cannot)?.is_file() {
        return Err(BackupError::File(format!(
            "cannot read {}: not a regular file",
            file.display()
        )));
    }
    Ok(archive)
}

/// The archive as a child's standard input, from its first byte (the
/// child shares the file offset with us).
fn rewound(archive: &fs::File, file: &Path) -> Result<Stdio, BackupError> {
    let cannot =
        |e: std::io::Error| BackupError::File(format!("cannot read {}: {e}", file.display()));
    let mut handle = archive.try_clone().map_err(cannot)?;
    handle.seek(SeekFrom::Start(0)).map_err(cannot)?;
    Ok(Stdio::from(handle))
}

/// Checks, before any database is touched, that FILE is a `pg_dump`
/// archive of Job Copilot's database: its table of contents must list the
/// migrations' history table.
async fn check_archive(archive: &fs::File, file: &Path) -> Result<(), BackupError> {
    let program =
        embedded::client_program("pg_restore").ok_or_else(|| missing_program("pg_restore"))?;
    let mut cmd = Command::new(program);
    cmd.arg("--list")
        .stdin(rewound(archive, file)?)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let output = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .map_err(|e| BackupError::Failed(format!("pg_restore: {e}")))?
        .map_err(|e| BackupError::Failed(format!("pg_restore: {e}")))?;
    let not_a_backup = |why: String| {
        BackupError::NotABackup(format!(
            "{} is not a Job Copilot backup ({why}); nothing was changed",
            file.display()
        ))
    };
    if !output.status.success() {
        return Err(not_a_backup(first_error(&String::from_utf8_lossy(
            &output.stderr,
        ))));
    }
    let contents = String::from_utf8_lossy(&output.stdout);
    if !lists_history_table(&contents) {
        return Err(not_a_backup(
            "a PostgreSQL archive, but without Job Copilot's tables".into(),
        ));
    }
    Ok(())
}

/// Whether a `pg_restore --list` names refinery's history table.
fn lists_history_table(contents: &str) -> bool {
    contents.lines().any(|line| {
        !line.starts_with(';')
            && line.contains(" TABLE ")
            && line
                .split_whitespace()
                .any(|word| word == "refinery_schema_history")
    })
}

/// `DATABASE_URL` without its password, and the password, for the
/// environment (`PGPASSWORD`) instead of a command line anyone can read.
fn without_password(url: &str) -> Result<(String, Option<Vec<u8>>), BackupError> {
    let config: tokio_postgres::Config = url
        .parse()
        .map_err(|_| BackupError::Setting("DATABASE_URL is not a PostgreSQL URL".into()))?;
    let password = config.get_password().map(<[u8]>::to_vec);
    let conninfo = match url.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{}", uri_without_password(rest)),
        None => keywords_without_password(url),
    };
    Ok((conninfo, password))
}

/// A URI's part after `scheme://` without `:password` in its user info and
/// without a `password=` parameter. User info ends at the first `@` before
/// any `/`, as libpq reads it.
fn uri_without_password(rest: &str) -> String {
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let rest = match rest[..authority_end].find('@') {
        Some(at) => match rest[..at].split_once(':') {
            Some((user, _)) => format!("{user}{}", &rest[at..]),
            None => rest.to_owned(),
        },
        None => rest.to_owned(),
    };
    match rest.split_once('?') {
        Some((base, query)) => {
            let kept: Vec<&str> = query
                .split('&')
                .filter(|pair| pair.split('=').next() != Some("password"))
                .collect();
            if kept.is_empty() {
                base.to_owned()
            } else {
                format!("{base}?{}", kept.join("&"))
            }
        }
        None => rest,
    }
}

/// A `key=value` connection string without its `password`, each value
/// re-quoted. (The settings have already checked that it parses.)
fn keywords_without_password(conninfo: &str) -> String {
    let mut out = Vec::new();
    let mut chars = conninfo.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let key: String =
            std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace() && *c != '=')).collect();
        if key.is_empty() {
            break;
        }
        while chars.next_if(|c| c.is_whitespace() || *c == '=').is_some() {}
        let quoted = chars.next_if_eq(&'\'').is_some();
        let mut value = String::new();
        while let Some(c) = chars.next() {
            match c {
                '\\' => value.extend(chars.next()),
                '\'' if quoted => break,
                c if c.is_whitespace() && !quoted => break,
                c => value.push(c),
            }
        }
        if key != "password" {
            let escaped = value.replace('\\', "\\\\").replace('\'', "\\'");
            out.push(format!("{key}='{escaped}'"));
        }
    }
    out.join(" ")
}

/// FILE while it is being written: a temporary file beside it (so on the
/// same file system), renamed over FILE once complete, removed otherwise.
struct PendingFile {
    temp: PathBuf,
    target: PathBuf,
    file: fs::File,
    committed: bool,
}

impl PendingFile {
    fn create(target: &Path) -> Result<PendingFile, BackupError> {
        let cannot =
            |why: String| BackupError::File(format!("cannot write {}: {why}", target.display()));
        let name = target
            .file_name()
            .ok_or_else(|| cannot("not a file name".into()))?;
        if target.is_dir() {
            return Err(cannot("it is a directory".into()));
        }
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".partial-{}", std::process::id()));
        let temp = target.with_file_name(temp_name);
        // A backup holds password hashes and tokens: its owner's eyes only.
        let file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temp)
            .map_err(|e| cannot(e.to_string()))?;
        Ok(PendingFile {
            temp,
            target: target.to_owned(),
            file,
            committed: false,
        })
    }

    fn cannot(&self, e: std::io::Error) -> BackupError {
        BackupError::File(format!("cannot write {}: {e}", self.target.display()))
    }

    /// A handle on the temporary file for a child's standard output.
    fn handle(&self) -> Result<Stdio, BackupError> {
        let handle = self.file.try_clone().map_err(|e| self.cannot(e))?;
        Ok(Stdio::from(handle))
    }

    /// Flushes the file to disk and renames it over FILE; its size.
    fn commit(mut self) -> Result<u64, BackupError> {
        self.file.sync_all().map_err(|e| self.cannot(e))?;
        let bytes = self.file.metadata().map_err(|e| self.cannot(e))?.len();
        fs::rename(&self.temp, &self.target).map_err(|e| self.cannot(e))?;
        self.committed = true;
        // The rename itself is durable once the directory is synced.
        let dir = match self.target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(bytes)
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_file(&self.temp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uri_password_moves_out_of_the_connection_string() {
        let (conninfo, password) =
            without_password("postgres://app:s%3Acret@db.example.com:5432/jc?sslmode=require")
                .unwrap();
        assert_eq!(
            conninfo,
            "postgres://app@db.example.com:5432/jc?sslmode=require"
        );
        assert_eq!(password.as_deref(), Some(&b"s:cret"[..]));
    }

    #[test]
    fn a_password_parameter_moves_out_of_a_uri() {
        let (conninfo, password) =
            without_password("postgresql://app@h/jc?password=pw&sslmode=require").unwrap();
        assert_eq!(conninfo, "postgresql://app@h/jc?sslmode=require");
        assert_eq!(password.as_deref(), Some(&b"pw"[..]));
        let (conninfo, _) = without_password("postgresql://h/jc?password=pw").unwrap();
        assert_eq!(conninfo, "postgresql://h/jc");
    }

    #[test]
    fn a_uri_without_password_is_left_alone() {
        let (conninfo, password) = without_password("postgres://app@h:1,g:2/jc").unwrap();
        assert_eq!(conninfo, "postgres://app@h:1,g:2/jc");
        assert!(password.is_none());
    }

    #[test]
    fn a_keyword_password_moves_out_and_the_rest_is_requoted() {
        let (conninfo, password) = without_password(
            r"host=/tmp/s user = app password='it\'s secret' dbname=jc sslmode=prefer",
        )
        .unwrap();
        assert_eq!(
            conninfo,
            "host='/tmp/s' user='app' dbname='jc' sslmode='prefer'"
        );
        assert_eq!(password.as_deref(), Some(&b"it's secret"[..]));
        let reparsed: tokio_postgres::Config = conninfo.parse().unwrap();
        assert_eq!(reparsed.get_user(), Some("app"));
        assert_eq!(reparsed.get_dbname(), Some("jc"));
    }

    #[test]
    fn the_history_table_marks_a_job_copilot_archive() {
        let toc = ";\n; Archive created at 2026-11-30\n;\n\
                   215; 1259 16390 TABLE public refinery_schema_history postgres\n";
        assert!(lists_history_table(toc));
        assert!(!lists_history_table(
            "215; 1259 16390 TABLE public invoices postgres\n"
        ));
    }

    #[test]
    fn exit_codes_follow_sysexits() {
        assert_eq!(BackupError::Unavailable("x".into()).exit_code(), 69);
        assert_eq!(BackupError::Setting("x".into()).exit_code(), 78);
        assert_eq!(BackupError::NotEmpty("x".into()).exit_code(), 1);
    }
}
