//! The `jobcopilot` command: parses the command line and calls the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use jobcopilot::config::Settings;
use jobcopilot::operators::{self, NewPassword, OperatorError, PasswordSet};
use jobcopilot::startup::{Application, Database, RunOptions, StartError};
use jobcopilot::{demo, healthcheck, store, telemetry};

#[derive(Parser)]
#[command(
    name = "jobcopilot",
    version,
    about = "Job Copilot: track your job search, see what works, draft with AI"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run migrations, then serve HTTP (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Create a demo account with a realistic job search and print how to sign in.
    Demo,
    /// Ask the running server's /readyz; exit 0 when ready, 1 otherwise.
    Healthcheck,
    /// Operators' account commands (work with registration closed too).
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// Write a consistent dump of the database (pg_dump's custom format) to FILE.
    Backup { file: PathBuf },
    /// Restore FILE into an empty database (a fresh data directory creates the embedded one), then migrate.
    Restore { file: PathBuf },
    /// For bench/run: create an account with N applications; print its token and one application id
    /// (with --full: its token, email, password and every application id, comma-separated).
    #[command(hide = true)]
    BenchSeed {
        applications: i32,
        #[arg(long)]
        full: bool,
        /// This many accounts (one line each, as with --full).
        #[arg(long)]
        users: Option<usize>,
    },
}

#[derive(Subcommand)]
enum UsersCommand {
    /// List every account.
    List,
    /// Create a local account; its password is printed once.
    Create {
        email: String,
        /// The person's name.
        #[arg(long)]
        name: Option<String>,
        /// Read the password from standard input (one line) instead of making one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a new password (printed once); every session of the account ends.
    ResetPassword {
        email: String,
        /// Read the password from standard input (one line) instead of making one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Stop an account from signing in; its sessions and tokens stop working.
    Disable { email: String },
    /// Let a disabled account sign in again.
    Enable { email: String },
    /// Delete an account and everything it owns, for good.
    Delete { email: String },
}

/// Exit codes (sysexits): a bad command line, a bad setting.
const EX_USAGE: u8 = 64;
const EX_CONFIG: u8 = 78;

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("jobcopilot: {message}");
    ExitCode::FAILURE
}

/// Start-up failed: one line, and the exit code the failure calls for (69
/// PostgreSQL never answered, 78 a setting that cannot work, else 1).
fn fail_start(e: StartError) -> ExitCode {
    eprintln!("jobcopilot: {e}");
    ExitCode::from(e.exit_code())
}

/// mimalloc: small objects in size classes without a header each (a
/// working set is mostly short strings), pages per thread given back to the
/// system when free. With glibc's malloc the same working sets took 60 %
/// more memory, which grew with the number of threads and users (arenas,
/// fragmentation), and large transient blocks (a password hash's 19 MiB)
/// stayed in the heap after use (bench/cold, bench/simulate).
#[cfg(not(feature = "heap-stats"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
/// The same allocator, its live bytes counted (`heap_live_bytes`).
#[cfg(feature = "heap-stats")]
#[global_allocator]
static ALLOCATOR: jobcopilot::telemetry::CountingHeap = jobcopilot::telemetry::CountingHeap;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(EX_USAGE),
            };
        }
    };
    let settings = match Settings::load() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("jobcopilot: {e}");
            return ExitCode::from(EX_CONFIG);
        }
    };
    if let Some(Command::Healthcheck) = cli.command {
        return match healthcheck::check(settings.listen) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => fail("not ready"),
            Err(e) => fail(format!("cannot reach {}: {e}", settings.listen)),
        };
    }
    telemetry::init(settings.env, &settings.log);
    // The Redis client builds its own rustls configuration from the default.
    jobcopilot::tls::install_default_provider();
    actix_web::rt::System::new().block_on(async move {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => serve(settings).await,
            Command::Migrate => migrate(settings).await,
            Command::Demo => run_demo(settings).await,
            Command::Backup { file } => {
                backup_outcome(jobcopilot::backup::backup(&settings, &file).await)
            }
            Command::Restore { file } => {
                backup_outcome(jobcopilot::backup::restore(&settings, &file).await)
            }
            Command::BenchSeed {
                applications,
                full,
                users,
            } => bench_seed(settings, applications, full, users).await,
            Command::Users { command } => users(settings, command).await,
            Command::Healthcheck => ExitCode::SUCCESS,
        }
    })
}

async fn serve(settings: Settings) -> ExitCode {
    let db = match Database::connect(&settings).await {
        Ok(db) => db,
        Err(e) => return fail_start(e),
    };
    let app = match Application::build(settings, db, RunOptions::default()).await {
        Ok(app) => app,
        Err(e) => return fail_start(e),
    };
    match app.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

async fn migrate(settings: Settings) -> ExitCode {
    let db = match Database::connect(&settings).await {
        Ok(db) => db,
        Err(e) => return fail_start(e),
    };
    match store::migrate(&db.pool).await {
        Ok(n) => {
            println!("migrations applied: {n}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

async fn run_demo(settings: Settings) -> ExitCode {
    let db = match Database::connect(&settings).await {
        Ok(db) => db,
        Err(e) => return fail_start(e),
    };
    if let Err(e) = store::migrate(&db.pool).await {
        return fail(e);
    }
    match demo::create(&db.pool).await {
        Ok(account) => {
            println!("{}", account.instructions(&settings.public_url));
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

/// The outcome of `backup` or `restore`: its summary, or one line and the
/// exit code it calls for.
fn backup_outcome(
    outcome: Result<impl std::fmt::Display, jobcopilot::backup::BackupError>,
) -> ExitCode {
    match outcome {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("jobcopilot: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

async fn bench_seed(settings: Settings, n: i32, full: bool, users: Option<usize>) -> ExitCode {
    let db = match Database::connect(&settings).await {
        Ok(db) => db,
        Err(e) => return fail_start(e),
    };
    if let Err(e) = store::migrate(&db.pool).await {
        return fail(e);
    }
    let print_full = |account: &demo::BenchAccount| {
        let ids: Vec<String> = account.ids.iter().map(ToString::to_string).collect();
        println!(
            "{} {} {} {}",
            account.token,
            account.email,
            account.password,
            ids.join(",")
        );
    };
    if let Some(users) = users {
        return match demo::bench_accounts(&db.pool, users, n).await {
            Ok(accounts) => {
                accounts.iter().for_each(print_full);
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        };
    }
    match demo::bench_account(&db.pool, n).await {
        Ok(account) if full => {
            print_full(&account);
            ExitCode::SUCCESS
        }
        Ok(account) => {
            println!("{} {}", account.token, account.ids[0]);
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

/// Connects and migrates, for a command that works on the data.
async fn database(settings: &Settings) -> Result<Database, ExitCode> {
    let db = Database::connect(settings).await.map_err(fail_start)?;
    store::migrate(&db.pool).await.map_err(fail)?;
    Ok(db)
}

fn new_password(from_stdin: bool) -> Result<NewPassword, ExitCode> {
    if !from_stdin {
        return Ok(NewPassword::Generate);
    }
    operators::password_from(std::io::stdin().lock())
        .map(NewPassword::Given)
        .map_err(|e| fail(format!("cannot read the password from standard input: {e}")))
}

fn password_set(set: PasswordSet, what: &str) {
    match set.generated {
        Some(p) => println!("{what} {}. Its password (shown this once): {p}", set.email),
        None => println!("{what} {}.", set.email),
    }
}

async fn users(settings: Settings, command: UsersCommand) -> ExitCode {
    // A password on standard input is read before anything else happens.
    let password = match &command {
        UsersCommand::Create { password_stdin, .. }
        | UsersCommand::ResetPassword { password_stdin, .. } => {
            match new_password(*password_stdin) {
                Ok(p) => p,
                Err(code) => return code,
            }
        }
        _ => NewPassword::Generate,
    };
    let db = match database(&settings).await {
        Ok(db) => db,
        Err(code) => return code,
    };
    match run_users(&db.pool, command, password).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

async fn run_users(
    pool: &deadpool_postgres::Pool,
    command: UsersCommand,
    password: NewPassword,
) -> Result<(), OperatorError> {
    match command {
        UsersCommand::List => print!("{}", operators::format_list(&operators::list(pool).await?)),
        UsersCommand::Create { email, name, .. } => {
            password_set(
                operators::create(pool, &email, name, password).await?,
                "Created",
            );
        }
        UsersCommand::ResetPassword { email, .. } => {
            password_set(
                operators::reset_password(pool, &email, password).await?,
                "New password set for",
            );
        }
        UsersCommand::Disable { email } => {
            operators::disable(pool, &email).await?;
            println!(
                "Disabled {email}: it cannot sign in, and its sessions and tokens stop working."
            );
        }
        UsersCommand::Enable { email } => {
            operators::enable(pool, &email).await?;
            println!("Enabled {email}.");
        }
        UsersCommand::Delete { email } => {
            operators::delete(pool, &email).await?;
            println!("Deleted {email} and everything it owned.");
        }
    }
    Ok(())
}
