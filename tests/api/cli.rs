//! The binary itself: settings errors and the embedded database.

use std::process::Command;

fn jobcopilot() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jobcopilot"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    cmd
}

#[test]
fn a_bad_setting_stops_start_up_with_one_line_naming_it() {
    for (name, value) in [
        ("JOBCOPILOT_LISTEN", "not-an-address"),
        ("DATABASE_URL", "mysql://nope"),
        ("JOBCOPILOT_AI_CONCURRENCY", "lots"),
        ("JOBCOPILOT_TRUSTED_PROXIES", "banana"),
    ] {
        let out = jobcopilot()
            .arg("migrate")
            .env(name, value)
            .output()
            .expect("runs");
        assert!(!out.status.success(), "{name}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(stderr.contains(name), "{stderr}");
    }
}

#[test]
fn the_embedded_database_is_created_reused_and_left_stopped() {
    let dir = tempfile::Builder::new()
        .prefix("jc-embedded-")
        .tempdir_in("/tmp")
        .expect("tempdir");
    let data = dir.path().join("data");
    for _ in 0..2 {
        let out = jobcopilot()
            .arg("migrate")
            .env("JOBCOPILOT_DATA_DIR", &data)
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(data.join("postgres/PG_VERSION").exists());
    let pid_file = data.join("postgres/postmaster.pid");
    assert!(!pid_file.exists(), "the cluster was stopped on exit");
}
