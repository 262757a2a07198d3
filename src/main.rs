//! The `jobcopilot` command: parses the command line and calls the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use jobcopilot::config::Settings;
use jobcopilot::startup::{Application, Database, RunOptions};
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
    /// Write a consistent dump of the database (pg_dump's custom format) to FILE.
    Backup { file: PathBuf },
    /// Restore FILE into an empty database (a fresh data directory creates the embedded one), then migrate.
    Restore { file: PathBuf },
    /// For bench/run: create an account with N applications; print its token and one application id.
    #[command(hide = true)]
    BenchSeed { applications: i32 },
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("jobcopilot: {message}");
    ExitCode::FAILURE
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load() {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    if let Some(Command::Healthcheck) = cli.command {
        return match healthcheck::check(settings.listen) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => fail("not ready"),
            Err(e) => fail(format!("cannot reach {}: {e}", settings.listen)),
        };
    }
    telemetry::init(settings.env, &settings.log);
    actix_web::rt::System::new().block_on(async move {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => serve(settings).await,
            Command::Migrate => migrate(settings).await,
            Command::Demo => run_demo(settings).await,
            Command::Backup { file } => backup(settings, file).await,
            Command::Restore { file } => restore(settings, file).await,
            Command::BenchSeed { applications } => bench_seed(settings, applications).await,
            Command::Healthcheck => ExitCode::SUCCESS,
        }
    })
}

async fn serve(settings: Settings) -> ExitCode {
    let db = match Database::connect(&settings).await {
        Ok(db) => db,
        Err(e) => return fail(e),
    };
    let app = match Application::build(settings, db, RunOptions::default()).await {
        Ok(app) => app,
        Err(e) => return fail(e),
    };
    match app.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

async fn migrate(settings: Settings) -> ExitCode {
    let db = match Database::connect(&settings).await {
        Ok(db) => db,
        Err(e) => return fail(e),
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
        Err(e) => return fail(e),
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

async fn backup(settings: Settings, file: PathBuf) -> ExitCode {
    match store::backup::backup(&settings, &file).await {
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

async fn restore(settings: Settings, file: PathBuf) -> ExitCode {
    match store::backup::restore(&settings, &file).await {
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

async fn bench_seed(settings: Settings, n: i32) -> ExitCode {
    let db = match Database::connect(&settings).await {
        Ok(db) => db,
        Err(e) => return fail(e),
    };
    if let Err(e) = store::migrate(&db.pool).await {
        return fail(e);
    }
    match demo::bench_account(&db.pool, n).await {
        Ok((token, id)) => {
            println!("{token} {id}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}
