//! A real IMAP server for the tests: Debian's Dovecot (`dovecot-imapd`,
//! which `scripts/test` installs), started per test as an unprivileged
//! process (`nobody` when the tests run as root) on loopback, with its own
//! configuration in a temp dir: IMAPS on one free port and STARTTLS on
//! another, a certificate for `localhost`/127.0.0.1 signed by a CA the test
//! makes with the `openssl` CLI, one user in a passwd-file, and a Maildir
//! the test fills by dropping files into it as a delivery agent would.
//!
//! What the mailbox looks like afterwards is read from the Maildir's file
//! names (Dovecot keeps a message's flags there: `…:2,FS`) and, as a second
//! witness, from a separate IMAP session (`EXAMINE` + `FETCH FLAGS`).

use crate::helpers::free_port;
use std::collections::BTreeMap;
use std::os::unix::fs::{chown, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use async_imap::imap_proto::Response;
use futures_util::TryStreamExt;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use time::OffsetDateTime;

pub const USER: &str = "jobseeker@example.com";
pub const PASSWORD: &str = "correct \"horse\" battery \\ staple";

/// Flags as Maildir spells them in a file name, for [`Dovecot::deliver_with_flags`].
pub const SEEN: &str = "S";
pub const FLAGGED: &str = "F";
pub const ANSWERED: &str = "R";

pub struct Dovecot {
    dir: tempfile::TempDir,
    child: Option<Child>,
    /// IMAPS: TLS from the first byte (0 when started without TLS).
    pub tls_port: u16,
    /// Plain IMAP, upgraded with STARTTLS (or, without TLS, plain only).
    pub starttls_port: u16,
    /// The CA that signed the server's certificate (PEM).
    pub ca_pem: Vec<u8>,
    owner: (u32, u32),
    serial: AtomicU32,
}

impl Dovecot {
    /// Dovecot with `ssl = required`: IMAPS and STARTTLS.
    pub fn start() -> Dovecot {
        Dovecot::launch(true)
    }

    /// Dovecot with TLS switched off (`ssl = no`): a server that offers no
    /// STARTTLS.
    pub fn start_without_tls() -> Dovecot {
        Dovecot::launch(false)
    }

    fn launch(tls: bool) -> Dovecot {
        let dir = tempfile::Builder::new()
            .prefix("jc-dovecot-")
            .tempdir_in("/tmp")
            .unwrap();
        let root = dir.path().to_path_buf();
        let (user, group, uid, gid) = run_as();
        for sub in [
            "run",
            "state",
            "Maildir",
            "Maildir/new",
            "Maildir/cur",
            "Maildir/tmp",
        ] {
            std::fs::create_dir_all(root.join(sub)).unwrap();
        }
        let ca_pem = if tls {
            make_certificates(&root)
        } else {
            Vec::new()
        };
        std::fs::write(
            root.join("passwd"),
            format!("{USER}:{{PLAIN}}{PASSWORD}::::::\n"),
        )
        .unwrap();
        own_tree(&root, uid, gid);
        std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755)).unwrap();
        let mut dovecot = Dovecot {
            dir,
            child: None,
            tls_port: 0,
            starttls_port: 0,
            ca_pem,
            owner: (uid, gid),
            serial: AtomicU32::new(0),
        };
        // A free port can be taken by another test's connection before
        // Dovecot binds it: then again with others.
        for attempt in 1.. {
            dovecot.tls_port = if tls { free_port() } else { 0 };
            dovecot.starttls_port = free_port();
            let conf = root.join("dovecot.conf");
            std::fs::write(
                &conf,
                config(
                    &root,
                    tls,
                    dovecot.tls_port,
                    dovecot.starttls_port,
                    &user,
                    &group,
                    uid,
                    gid,
                ),
            )
            .unwrap();
            chown(&conf, Some(uid), Some(gid)).unwrap();
            dovecot.child = Some(spawn(&root, uid, gid));
            match dovecot.wait_until_listening() {
                Ok(()) => return dovecot,
                Err(log) if log.contains("Address already in use") && attempt < 5 => {
                    dovecot.stop();
                    let _ = std::fs::remove_file(root.join("dovecot.log"));
                    let _ = std::fs::remove_file(root.join("run/master.pid"));
                }
                Err(log) => panic!("{log}"),
            }
        }
        unreachable!()
    }

    /// Ok once every port listens; else why not, with the log.
    fn wait_until_listening(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        let ports: Vec<u16> = [self.tls_port, self.starttls_port]
            .into_iter()
            .filter(|p| *p != 0)
            .collect();
        loop {
            if ports.iter().all(|p| listening(*p)) {
                return Ok(());
            }
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                return Err(format!("dovecot exited ({status}):\n{}", self.log()));
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "dovecot is not listening after 10 s:\n{}",
                    self.log()
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The server's certificate authority, as the client's settings take it.
    pub fn ca(&self) -> Vec<CertificateDer<'static>> {
        CertificateDer::pem_slice_iter(&self.ca_pem)
            .collect::<Result<Vec<_>, _>>()
            .unwrap()
    }

    pub fn maildir(&self) -> PathBuf {
        self.dir.path().join("Maildir")
    }

    /// Dovecot's own log (logins, disconnects, errors).
    pub fn log(&self) -> String {
        let root = self.dir.path();
        let mut text = std::fs::read_to_string(root.join("dovecot.log")).unwrap_or_default();
        text.push_str(&std::fs::read_to_string(root.join("stdout.log")).unwrap_or_default());
        text
    }

    /// The log once `needle` is in it `times` times (Dovecot logs through
    /// its own process, a moment after the fact); panics after 10 s.
    pub async fn log_once(&self, needle: &str, times: usize) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let log = self.log();
            if log.matches(needle).count() >= times {
                return log;
            }
            assert!(
                Instant::now() < deadline,
                "{needle:?} not {times} times in Dovecot's log:\n{log}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Drops a new message into the Maildir as a delivery agent does
    /// (written in `tmp/`, renamed into `new/`); Dovecot sees it at the next
    /// look. Its arrival date (INTERNALDATE) is now. Returns its file name.
    pub fn deliver(&self, message: &[u8]) -> String {
        self.put(message, None, SystemTime::now())
    }

    /// [`Dovecot::deliver`] with the arrival date `at`.
    pub fn deliver_at(&self, message: &[u8], at: OffsetDateTime) -> String {
        self.put(message, None, at.into())
    }

    /// A message that is already in `cur/` with Maildir flags (`"S"` seen,
    /// `"FS"` flagged and seen, `""` none).
    pub fn deliver_with_flags(&self, message: &[u8], flags: &str) -> String {
        self.put(message, Some(flags), SystemTime::now())
    }

    fn put(&self, message: &[u8], flags: Option<&str>, at: SystemTime) -> String {
        let n = self.serial.fetch_add(1, Ordering::SeqCst);
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap();
        let base = format!(
            "{}.M{}P{}Q{n}.jobcopilot-test",
            now.as_secs(),
            now.subsec_micros(),
            std::process::id()
        );
        let maildir = self.maildir();
        let tmp = maildir.join("tmp").join(&base);
        std::fs::write(&tmp, message).unwrap();
        let file = std::fs::File::options().write(true).open(&tmp).unwrap();
        file.set_modified(at).unwrap();
        drop(file);
        chown(&tmp, Some(self.owner.0), Some(self.owner.1)).unwrap();
        let target = match flags {
            None => maildir.join("new").join(&base),
            Some(flags) => maildir.join("cur").join(format!("{base}:2,{flags}")),
        };
        std::fs::rename(&tmp, target).unwrap();
        base
    }

    /// A folder beside INBOX (Maildir++: `.Name`, in IMAP's modified UTF-7).
    pub fn create_folder(&self, on_disk_name: &str) {
        let folder = self.maildir().join(format!(".{on_disk_name}"));
        for sub in ["", "new", "cur", "tmp"] {
            let path = folder.join(sub);
            std::fs::create_dir_all(&path).unwrap();
            chown(&path, Some(self.owner.0), Some(self.owner.1)).unwrap();
        }
    }

    /// Every message file of INBOX (`new/…` and `cur/…:2,FLAGS`): a flag
    /// change renames a file, so an unchanged listing is an unchanged mailbox.
    pub fn files(&self) -> Vec<String> {
        let mut files = Vec::new();
        for sub in ["new", "cur"] {
            for entry in std::fs::read_dir(self.maildir().join(sub)).unwrap() {
                let name = entry.unwrap().file_name().to_string_lossy().into_owned();
                files.push(format!("{sub}/{name}"));
            }
        }
        files.sort();
        files
    }

    /// Each message's Maildir flags by its delivered name (`""` for none).
    pub fn flags_of_all(&self) -> BTreeMap<String, String> {
        self.files()
            .into_iter()
            .map(|path| {
                let name = path.split_once('/').map_or(path.as_str(), |(_, n)| n);
                match name.split_once(":2,") {
                    Some((base, flags)) => (base.to_owned(), flags.to_owned()),
                    None => (name.to_owned(), String::new()),
                }
            })
            .collect()
    }

    /// Each message's flags as the server tells another session (`EXAMINE`,
    /// `UID FETCH 1:* (UID FLAGS)`), by UID; `\Recent` (a property of a
    /// session, not of the message) left out.
    pub async fn flags_via_imap(&self) -> BTreeMap<u32, Vec<String>> {
        let mut session = self.session().await;
        session.examine("INBOX").await.unwrap();
        let fetches: Vec<_> = session
            .uid_fetch("1:*", "(UID FLAGS)")
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        let mut flags = BTreeMap::new();
        for fetch in &fetches {
            let mut these: Vec<String> = fetch
                .flags()
                .map(|f| format!("{f:?}"))
                .filter(|f| f != "Recent")
                .collect();
            these.sort();
            flags.insert(fetch.uid.unwrap(), these);
        }
        session.logout().await.unwrap();
        flags
    }

    /// The control for the witnesses: a read-write session (`SELECT`) that
    /// fetches `BODY[]` without PEEK, which marks the message `\Seen`.
    pub async fn read_as_a_mail_client_would(&self, uid: u32) {
        let mut session = self.session().await;
        session.select("INBOX").await.unwrap();
        let fetched: Vec<_> = session
            .uid_fetch(uid.to_string(), "BODY[]")
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(fetched.len(), 1);
        session.logout().await.unwrap();
    }

    async fn session(
        &self,
    ) -> async_imap::Session<tokio_rustls::client::TlsStream<tokio::net::TcpStream>> {
        let mut roots = rustls::RootCertStore::empty();
        for ca in self.ca() {
            roots.add(ca).unwrap();
        }
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", self.tls_port))
            .await
            .unwrap();
        let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(ServerName::try_from("localhost").unwrap(), tcp)
            .await
            .unwrap();
        let mut client = async_imap::Client::new(tls);
        let greeting = client.read_response().await.unwrap().unwrap();
        assert!(matches!(greeting.parsed(), Response::Data { .. }));
        client
            .login(USER, PASSWORD)
            .await
            .map_err(|(e, _)| e)
            .unwrap()
    }

    /// Forgets the folder's UIDs (Dovecot's uidlist and index), as a server
    /// restored from a backup or migrated would: the next session sees a new
    /// UIDVALIDITY and numbers the messages afresh.
    pub fn reset_uid_validity(&self) {
        for entry in std::fs::read_dir(self.maildir()).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with("dovecot-uidlist") || name.starts_with("dovecot.index") {
                std::fs::remove_file(entry.path()).unwrap();
            }
        }
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SIGKILL rather than SIGTERM (which waits a second for clients):
            // Dovecot's processes watch the master and exit with it.
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Starts Dovecot in the foreground as `uid`/`gid` (when the tests run as
/// root), its output in `stdout.log`.
fn spawn(root: &Path, uid: u32, gid: u32) -> Child {
    let out = root.join("stdout.log");
    let log = std::fs::File::create(&out).unwrap();
    chown(&out, Some(uid), Some(gid)).unwrap();
    let mut cmd = Command::new(binary());
    cmd.arg("-F")
        .arg("-c")
        .arg(root.join("dovecot.conf"))
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log);
    if unsafe { libc::geteuid() } == 0 {
        // std also drops root's supplementary groups with the uid.
        cmd.uid(uid).gid(gid);
    }
    unsafe {
        // Dovecot dies with the test thread that started it, even if the
        // test process is killed before Drop runs.
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd.spawn()
        .expect("dovecot starts (scripts/test installs dovecot-imapd)")
}

fn binary() -> PathBuf {
    for candidate in ["/usr/sbin/dovecot", "/usr/local/sbin/dovecot"] {
        if Path::new(candidate).exists() {
            return PathBuf::from(candidate);
        }
    }
    PathBuf::from("dovecot")
}

/// Who Dovecot (and the tests' nginx) runs as: `nobody` when the tests run
/// as root (it then never needs root), else the user running the tests.
pub(crate) fn run_as() -> (String, String, u32, u32) {
    unsafe {
        let uid = libc::geteuid();
        let pw = if uid == 0 {
            libc::getpwnam(c"nobody".as_ptr())
        } else {
            libc::getpwuid(uid)
        };
        assert!(!pw.is_null(), "no user to run dovecot as");
        // getpwnam/getgrgid return static storage: copied out at once.
        let name = std::ffi::CStr::from_ptr((*pw).pw_name)
            .to_string_lossy()
            .into_owned();
        let (uid, gid) = ((*pw).pw_uid, (*pw).pw_gid);
        let gr = libc::getgrgid(gid);
        assert!(!gr.is_null(), "no group {gid}");
        let group = std::ffi::CStr::from_ptr((*gr).gr_name)
            .to_string_lossy()
            .into_owned();
        (name, group, uid, gid)
    }
}

fn own_tree(path: &Path, uid: u32, gid: u32) {
    chown(path, Some(uid), Some(gid)).unwrap();
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            own_tree(&entry.unwrap().path(), uid, gid);
        }
    }
}

/// Whether something listens on 127.0.0.1:`port`, read from the kernel's
/// table rather than by connecting (a probe would show in Dovecot's log,
/// which tests read to prove nothing connected).
fn listening(port: u16) -> bool {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    let local = format!("0100007F:{port:04X}");
    table.lines().skip(1).any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        // st 0A is LISTEN.
        fields.get(1) == Some(&local.as_str()) && fields.get(3) == Some(&"0A")
    })
}

#[allow(clippy::too_many_arguments)]
fn config(
    root: &Path,
    tls: bool,
    tls_port: u16,
    starttls_port: u16,
    user: &str,
    group: &str,
    uid: u32,
    gid: u32,
) -> String {
    let root = root.display();
    let ssl = if tls {
        format!(
            "ssl = required\nssl_cert = <{root}/server.pem\nssl_key = <{root}/server.key\n\
             disable_plaintext_auth = yes\n"
        )
    } else {
        "ssl = no\ndisable_plaintext_auth = no\n".to_owned()
    };
    let imaps = if tls {
        format!("  inet_listener imaps {{\n    port = {tls_port}\n    ssl = yes\n  }}\n")
    } else {
        "  inet_listener imaps {\n    port = 0\n  }\n".to_owned()
    };
    format!(
        "# Written by tests/api/dovecot.rs for one test.
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
# 127.0.0.2 serves the same certificate under a name it does not carry.
listen = 127.0.0.1, 127.0.0.2
{ssl}auth_mechanisms = plain login
# A refused password answers at once (the tests refuse several).
auth_failure_delay = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}
}}
mail_location = maildir:{root}/Maildir
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {starttls_port}
  }}
{imaps}}}
service anvil {{
  chroot =
  # No growing delay after refused passwords from 127.0.0.1 (the tests
  # refuse several): the auth process finds no penalty socket to ask.
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"
    )
}

/// A CA (`ca.pem`, `ca.key`) and a server certificate for `localhost` and
/// 127.0.0.1 it signs (`server.pem`, `server.key`), all in `root` (EC P-256,
/// two days); returns the CA's PEM. Dovecot's, and Redis's in
/// `production_redis`.
pub fn make_certificates(root: &Path) -> Vec<u8> {
    make_ca(root, "ca", "Dovecot Test CA");
    openssl(
        root,
        &[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=localhost",
        ],
    );
    std::fs::write(
        root.join("server.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
         keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        root,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "server.ext",
        ],
    );
    std::fs::read(root.join("ca.pem")).unwrap()
}

/// A self-signed CA in `dir` (`{name}.pem`, `{name}.key`); returns its PEM.
pub fn make_ca(dir: &Path, name: &str, common_name: &str) -> Vec<u8> {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.pem"),
            "-days",
            "2",
            "-subj",
            &format!("/CN={common_name}"),
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
    std::fs::read(dir.join(format!("{name}.pem"))).unwrap()
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the openssl command runs");
    assert!(
        out.status.success(),
        "openssl {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A plain message with CRLF line ends, as it arrives.
pub fn message(n: u32, subject: &str) -> Vec<u8> {
    format!(
        "From: Talent Team <no-reply@acme.example>\r\n\
         To: {USER}\r\n\
         Subject: {subject}\r\n\
         Message-ID: <msg-{n}@acme.example>\r\n\
         Date: Mon, 30 Nov 2026 10:00:00 +0000\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         \r\n\
         Message number {n}: thank you for applying.\r\n"
    )
    .into_bytes()
}
