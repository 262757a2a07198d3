//! The embedded PostgreSQL: with no `DATABASE_URL`, Job Copilot runs a
//! private cluster from the machine's PostgreSQL binaries. It listens on a Unix
//! socket only, in a short directory that only its owner can enter; started by
//! root it runs as an unprivileged user; it dies with the process that started
//! it (a parent-death signal), and a second process on the same data directory
//! attaches to it instead of starting another.

use std::ffi::CString;
use std::fs;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

/// The superuser that `initdb` creates and the program connects as.
pub const SUPERUSER: &str = "postgres";

#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    #[error("PostgreSQL server binaries (initdb, postgres) were not found: install them (Debian/Ubuntu: apt-get install postgresql) or set DATABASE_URL")]
    BinariesMissing,
    #[error("JOBCOPILOT_DATA_DIR ({0}) cannot be used by the user '{1}' that runs the embedded PostgreSQL: choose a directory whose parents that user can enter, e.g. /var/lib/jobcopilot")]
    Unreachable(String, String),
    #[error("the embedded PostgreSQL could not start: {0}")]
    Start(String),
}

/// How to run the cluster.
#[derive(Debug, Clone)]
pub struct EmbeddedOptions {
    /// The cluster's data directory (created by `initdb` if new).
    pub cluster_dir: PathBuf,
    /// Durable writes; tests turn it off for speed.
    pub durable: bool,
    /// More server settings (`name=value`, after ours, so they win): the
    /// tests' TCP and TLS clusters. Empty for the program's own cluster.
    pub server_settings: Vec<String>,
}

/// The unprivileged account the server runs as when we are root.
#[derive(Debug, Clone)]
struct RunAs {
    name: String,
    uid: u32,
    gid: u32,
}

/// A running cluster, started by us (stopped on drop) or attached to.
pub struct EmbeddedPostgres {
    socket_dir: PathBuf,
    /// The port its socket is named after (5432 unless a server setting
    /// says otherwise).
    port: u16,
    server: Option<Server>,
    /// The binaries it runs from (its client programs too).
    bin: PathBuf,
    /// Who the server runs as, when that is not us.
    run_as: Option<RunAs>,
}

struct Server {
    pid: i32,
    /// Signalled when the server process has exited (a Mutex makes it Sync).
    exited: std::sync::Mutex<mpsc::Receiver<()>>,
}

impl Server {
    fn has_exited(&self) -> bool {
        self.exited
            .lock()
            .map(|rx| rx.try_recv().is_ok())
            .unwrap_or(true)
    }

    fn wait_exit(&self, timeout: Duration) -> bool {
        self.exited
            .lock()
            .map(|rx| rx.recv_timeout(timeout).is_ok())
            .unwrap_or(true)
    }
}

impl std::fmt::Debug for EmbeddedPostgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedPostgres")
            .field("socket_dir", &self.socket_dir)
            .field("owned", &self.server.is_some())
            .finish()
    }
}

impl EmbeddedPostgres {
    /// Starts (or attaches to) the cluster and waits until it accepts connections.
    pub async fn start(options: EmbeddedOptions) -> Result<EmbeddedPostgres, EmbeddedError> {
        let opts = options.clone();
        let mut pg = tokio::task::spawn_blocking(move || Self::launch(&opts))
            .await
            .map_err(|e| EmbeddedError::Start(e.to_string()))??;
        pg.wait_ready(&options.cluster_dir).await?;
        Ok(pg)
    }

    /// Whether this process started the server (and will stop it).
    pub fn owns_server(&self) -> bool {
        self.server.is_some()
    }

    /// A connection configuration for database `dbname` on this cluster.
    pub fn config(&self, dbname: &str) -> tokio_postgres::Config {
        let mut c = tokio_postgres::Config::new();
        c.host_path(&self.socket_dir)
            .port(self.port)
            .user(SUPERUSER)
            .dbname(dbname);
        c
    }

    /// The cluster's own client program `name` (`pg_dump`, `pg_restore`),
    /// connecting to database `dbname` over the socket. It runs as the server's
    /// user, the only one that may enter the socket directory, so it can open
    /// no file of ours: give it its input and output as open handles.
    pub fn client(&self, name: &str, dbname: &str) -> Command {
        let mut cmd = Command::new(self.bin.join(name));
        cmd.arg("--host")
            .arg(&self.socket_dir)
            .arg("--port")
            .arg(self.port.to_string())
            .args(["--username", SUPERUSER, "--dbname", dbname])
            // Our working directory may be one that user cannot enter.
            .current_dir("/");
        // The connection is named in full; the caller's PG* settings
        // (PGOPTIONS, PGSSLMODE, …) are meant for other servers.
        for (key, _) in std::env::vars_os() {
            if key.as_encoded_bytes().starts_with(b"PG") {
                cmd.env_remove(key);
            }
        }
        as_user(&mut cmd, self.run_as.as_ref());
        cmd
    }

    fn launch(options: &EmbeddedOptions) -> Result<EmbeddedPostgres, EmbeddedError> {
        let bin = find_binaries().ok_or(EmbeddedError::BinariesMissing)?;
        let run_as = run_as()?;
        let dir = &options.cluster_dir;
        let display = dir.display().to_string();
        fs::create_dir_all(dir)
            .map_err(|e| EmbeddedError::Start(format!("cannot create {display}: {e}")))?;
        let dir =
            fs::canonicalize(dir).map_err(|e| EmbeddedError::Start(format!("{display}: {e}")))?;
        prepare_dir(&dir, run_as.as_ref(), 0o700)?;
        if let Some(user) = &run_as {
            if !can_use(&dir, user) {
                return Err(EmbeddedError::Unreachable(
                    dir.display().to_string(),
                    user.name.clone(),
                ));
            }
        }

        let socket_dir = socket_dir_for(&dir);
        let port = options
            .server_settings
            .iter()
            .find_map(|s| s.strip_prefix("port=")?.trim().parse().ok())
            .unwrap_or(5432);
        fs::create_dir_all(&socket_dir)
            .map_err(|e| EmbeddedError::Start(format!("{}: {e}", socket_dir.display())))?;
        prepare_dir(&socket_dir, run_as.as_ref(), 0o700)?;

        if let Some(pid) = running_postmaster(&dir, &socket_dir) {
            tracing::info!(pid, data = %dir.display(), "attached to the running embedded PostgreSQL");
            return Ok(EmbeddedPostgres {
                socket_dir,
                port,
                server: None,
                bin,
                run_as,
            });
        }

        if !dir.join("PG_VERSION").exists() {
            init_cluster(&bin, &dir, run_as.as_ref(), options.durable)?;
        }
        let server = spawn_server(&bin, &dir, &socket_dir, run_as.as_ref(), options)?;
        tracing::info!(pid = server.pid, data = %dir.display(), "started the embedded PostgreSQL (Unix socket only)");
        Ok(EmbeddedPostgres {
            socket_dir,
            port,
            server: Some(server),
            bin,
            run_as,
        })
    }

    async fn wait_ready(&mut self, dir: &Path) -> Result<(), EmbeddedError> {
        let deadline = Instant::now() + Duration::from_secs(60);
        let config = self.config("postgres");
        loop {
            match config.connect(tokio_postgres::NoTls).await {
                Ok((client, conn)) => {
                    tokio::spawn(conn);
                    drop(client);
                    return Ok(());
                }
                Err(e) => {
                    if let Some(server) = &self.server {
                        if server.has_exited() {
                            self.server = None;
                            return Err(EmbeddedError::Start(format!(
                                "the server exited; its log ends with: {}",
                                log_tail(&dir.join("postgres.log"))
                            )));
                        }
                    }
                    if Instant::now() > deadline {
                        return Err(EmbeddedError::Start(format!("not ready after 60 s: {e}")));
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }

    /// Asks the server for a fast shutdown and waits for it (when we own it).
    pub fn stop(&mut self) {
        let Some(server) = self.server.take() else {
            return;
        };
        // SIGINT is PostgreSQL's "fast" shutdown: sessions end, data is flushed.
        unsafe { libc::kill(server.pid, libc::SIGINT) };
        if !server.wait_exit(Duration::from_secs(60)) {
            unsafe { libc::kill(server.pid, libc::SIGQUIT) };
            server.wait_exit(Duration::from_secs(5));
        }
        // The socket directory is ours alone (derived from the data directory).
        let _ = fs::remove_dir_all(&self.socket_dir);
        tracing::info!("stopped the embedded PostgreSQL");
    }
}

impl Drop for EmbeddedPostgres {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `pg_config --bindir` when it has the server, else the newest
/// `/usr/lib/postgresql/*/bin`.
fn find_binaries() -> Option<PathBuf> {
    find_bindir(&["initdb", "postgres"])
}

/// The PostgreSQL client program `name` (`pg_dump`, `pg_restore`) for a
/// server of our own or not: the embedded cluster's binaries when the
/// machine has them, else the newest that has the program, else `PATH`.
pub fn client_program(name: &str) -> Option<PathBuf> {
    find_binaries()
        .map(|dir| dir.join(name))
        .filter(|p| p.is_file())
        .or_else(|| find_bindir(&[name]).map(|dir| dir.join(name)))
        .or_else(|| {
            let path = std::env::var_os("PATH")?;
            std::env::split_paths(&path)
                .map(|dir| dir.join(name))
                .find(|p| p.is_file())
        })
}

/// `pg_config --bindir`, else the newest `/usr/lib/postgresql/*/bin`, that
/// holds every one of `programs`.
fn find_bindir(programs: &[&str]) -> Option<PathBuf> {
    let has_all = |d: &Path| programs.iter().all(|p| d.join(p).is_file());
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() && has_all(&dir) {
            return Some(dir);
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let v = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            has_all(&bin).then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, p)| p)
}

/// How the WAL's full-page images are compressed: lz4 where the server has
/// it (PostgreSQL 15 or later, built with it), else PostgreSQL's own.
fn wal_compression(bin: &Path) -> &'static str {
    let pg_config = |arg: &str| {
        Command::new(bin.join("pg_config"))
            .arg(arg)
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let version = pg_config("--version");
    let with_lz4 = pg_config("--configure").is_some_and(|c| c.contains("--with-lz4"));
    wal_compression_for(version.as_deref().and_then(major_version), with_lz4)
}

fn wal_compression_for(major: Option<u32>, with_lz4: bool) -> &'static str {
    if with_lz4 && major.is_some_and(|m| m >= 15) {
        "lz4"
    } else {
        "on"
    }
}

/// 15 of `PostgreSQL 15.18 (Debian 15.18-0+deb12u1)`.
fn major_version(version: &str) -> Option<u32> {
    let number = version.split_whitespace().nth(1)?;
    number
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// When running as root, PostgreSQL must run as someone else.
fn run_as() -> Result<Option<RunAs>, EmbeddedError> {
    if unsafe { libc::geteuid() } != 0 {
        return Ok(None);
    }
    for name in ["postgres", "nobody"] {
        if let Some(user) = lookup_user(name) {
            return Ok(Some(user));
        }
    }
    Err(EmbeddedError::Start(
        "running as root and neither user 'postgres' nor 'nobody' exists to run PostgreSQL".into(),
    ))
}

fn lookup_user(name: &str) -> Option<RunAs> {
    let cname = CString::new(name).ok()?;
    // getpwnam returns a pointer into static storage; we copy out at once.
    let pw = unsafe { libc::getpwnam(cname.as_ptr()) };
    if pw.is_null() {
        return None;
    }
    let (uid, gid) = unsafe { ((*pw).pw_uid, (*pw).pw_gid) };
    Some(RunAs {
        name: name.to_owned(),
        uid,
        gid,
    })
}

fn prepare_dir(dir: &Path, owner: Option<&RunAs>, mode: u32) -> Result<(), EmbeddedError> {
    let err = |e: std::io::Error| EmbeddedError::Start(format!("{}: {e}", dir.display()));
    if let Some(user) = owner {
        std::os::unix::fs::chown(dir, Some(user.uid), Some(user.gid)).map_err(err)?;
    }
    fs::set_permissions(dir, fs::Permissions::from_mode(mode)).map_err(err)
}

fn as_user(cmd: &mut Command, user: Option<&RunAs>) {
    if let Some(u) = user {
        // std also drops root's supplementary groups when it changes the uid.
        cmd.uid(u.uid).gid(u.gid);
    }
}

/// Whether `user` can enter and write `dir` (all its parents must be traversable).
fn can_use(dir: &Path, user: &RunAs) -> bool {
    let mut cmd = Command::new("test");
    cmd.arg("-w").arg(dir).arg("-a").arg("-x").arg(dir);
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    cmd.uid(user.uid).gid(user.gid);
    cmd.status().map(|s| s.success()).unwrap_or(false)
}

/// A short socket directory (Unix socket paths are limited to 107 bytes),
/// unique per data directory.
fn socket_dir_for(dir: &Path) -> PathBuf {
    let digest = Sha256::digest(dir.as_os_str().as_encoded_bytes());
    PathBuf::from(format!("/tmp/jcpg-{}", &hex::encode(digest)[..12]))
}

/// The pid of a live postmaster serving this data directory, if any.
fn running_postmaster(dir: &Path, socket_dir: &Path) -> Option<i32> {
    let pid_file = fs::read_to_string(dir.join("postmaster.pid")).ok()?;
    let pid: i32 = pid_file.lines().next()?.trim().parse().ok()?;
    let alive = unsafe { libc::kill(pid, 0) } == 0;
    let socket = socket_dir.join(".s.PGSQL.5432");
    (alive && socket.exists()).then_some(pid)
}

fn init_cluster(
    bin: &Path,
    dir: &Path,
    user: Option<&RunAs>,
    durable: bool,
) -> Result<(), EmbeddedError> {
    let mut cmd = Command::new(bin.join("initdb"));
    cmd.arg("-D").arg(dir).args([
        "-U",
        SUPERUSER,
        "--auth=trust",
        "-E",
        "UTF8",
        "--locale=C.UTF-8",
    ]);
    if !durable {
        cmd.arg("-N");
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    as_user(&mut cmd, user);
    let out = cmd
        .output()
        .map_err(|e| EmbeddedError::Start(format!("initdb: {e}")))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let last = stderr
            .lines()
            .rfind(|l| !l.trim().is_empty())
            .unwrap_or("failed");
        return Err(EmbeddedError::Start(format!("initdb: {last}")));
    }
    tracing::info!(data = %dir.display(), "created the embedded PostgreSQL cluster");
    Ok(())
}

fn spawn_server(
    bin: &Path,
    dir: &Path,
    socket_dir: &Path,
    user: Option<&RunAs>,
    options: &EmbeddedOptions,
) -> Result<Server, EmbeddedError> {
    let log_path = dir.join("postgres.log");
    let log = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .map_err(|e| EmbeddedError::Start(format!("{}: {e}", log_path.display())))?;
    let log2 = log
        .try_clone()
        .map_err(|e| EmbeddedError::Start(e.to_string()))?;

    let mut cmd = Command::new(bin.join("postgres"));
    cmd.arg("-D")
        .arg(dir)
        .arg("-k")
        .arg(socket_dir)
        .args([
            "-c",
            "listen_addresses=",
            "-c",
            "unix_socket_permissions=0700",
        ])
        .args(["-c", "max_connections=200"]);
    if options.durable {
        // Checkpoints by time, not by WAL volume: the first change of a page
        // after a checkpoint writes the whole page to the WAL, so with
        // PostgreSQL's defaults (1 GB of WAL between checkpoints, pages
        // uncompressed) a sustained burst of writes on a large database
        // turned into a checkpoint every 7 seconds and 24 full pages per
        // write, and its writes waited on 150 KiB of WAL each
        // (bench/simulate, 10,000 users). Compressed full pages, more WAL
        // room between checkpoints (disk used only while writes are that
        // heavy) and a 15-minute interval keep them rare.
        cmd.arg("-c")
            .arg(format!("wal_compression={}", wal_compression(bin)));
        cmd.args(["-c", "max_wal_size=8GB", "-c", "checkpoint_timeout=15min"]);
    } else {
        cmd.args([
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
        ]);
    }
    for setting in &options.server_settings {
        cmd.arg("-c").arg(setting);
    }
    cmd.stdin(Stdio::null()).stdout(log).stderr(log2);
    // Its own process group: a Ctrl-C in the terminal reaches only us, and we
    // stop the server after in-flight requests have finished.
    cmd.process_group(0);
    as_user(&mut cmd, user);
    let parent = std::process::id() as libc::pid_t;
    unsafe {
        // Runs in the child after the uid change, so the signal survives it.
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGINT) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            if libc::getppid() != parent {
                // The parent died before the signal was armed.
                libc::_exit(1);
            }
            Ok(())
        });
    }

    // The parent-death signal fires when the *thread* that forked the child
    // ends, so the child is spawned and awaited on a thread of its own that
    // lives exactly as long as the server.
    let (started_tx, started_rx) = mpsc::channel();
    let (exited_tx, exited_rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("embedded-postgres".into())
        .spawn(move || match cmd.spawn() {
            Ok(mut child) => {
                let _ = started_tx.send(Ok(child.id() as i32));
                let _ = child.wait();
                let _ = exited_tx.send(());
            }
            Err(e) => {
                let _ = started_tx.send(Err(e));
            }
        })
        .map_err(|e| EmbeddedError::Start(e.to_string()))?;
    let pid = started_rx
        .recv()
        .map_err(|e| EmbeddedError::Start(e.to_string()))?
        .map_err(|e| EmbeddedError::Start(format!("postgres: {e}")))?;
    Ok(Server {
        pid,
        exited: std::sync::Mutex::new(exited_rx),
    })
}

fn log_tail(path: &Path) -> String {
    let mut s = String::new();
    if let Ok(mut f) = fs::File::open(path) {
        let _ = f.read_to_string(&mut s);
    }
    s.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("(empty log)")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_major_version_is_read_from_pg_config() {
        assert_eq!(
            major_version("PostgreSQL 15.18 (Debian 15.18-0+deb12u1)"),
            Some(15)
        );
        assert_eq!(major_version("PostgreSQL 17devel"), Some(17));
        assert_eq!(major_version("PostgreSQL 9.6.24\n"), Some(9));
        assert_eq!(major_version("PostgreSQL"), None);
        assert_eq!(major_version(""), None);
        assert_eq!(major_version("PostgreSQL beta"), None);
    }

    #[test]
    fn lz4_only_where_the_server_takes_it() {
        assert_eq!(wal_compression_for(Some(15), true), "lz4");
        assert_eq!(wal_compression_for(Some(17), true), "lz4");
        // PostgreSQL 14 had lz4 for TOAST, but its wal_compression is a boolean.
        assert_eq!(wal_compression_for(Some(14), true), "on");
        assert_eq!(wal_compression_for(Some(16), false), "on");
        assert_eq!(wal_compression_for(None, true), "on");
    }
}
