//! The `roster` binary's command line: help, wrong configuration, create-admin, migrate.

use std::process::Command;

fn roster() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_roster"));
    for key in roster_server::config::SETTINGS {
        c.env_remove(key);
    }
    c.env_remove("ROSTER_CONFIG");
    c
}

#[test]
fn every_command_has_help() {
    let out = roster().arg("--help").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    for cmd in ["serve", "migrate", "create-admin", "demo"] {
        assert!(text.contains(cmd), "{cmd} missing from --help");
        let sub = roster().args([cmd, "--help"]).output().unwrap();
        assert!(sub.status.success(), "{cmd} --help failed");
    }
}

#[test]
fn a_wrong_setting_stops_start_up_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = roster()
        .env("ROSTER_DATA_DIR", dir.path())
        .env("ROSTER_LOG_FORMAT", "xml")
        .arg("serve")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ROSTER_LOG_FORMAT"), "{err}");
    assert!(err.contains("pretty or json"), "{err}");
}

#[test]
fn create_admin_creates_an_owner_then_refuses_a_duplicate_and_migrate_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        roster()
            .env("ROSTER_DATA_DIR", dir.path())
            .env("ROSTER_ADMIN_PASSWORD", "command line password")
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&[
        "create-admin",
        "--email",
        "cli@acme.test",
        "--name",
        "Cli",
        "--workspace",
        "Acme",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Created workspace"));
    let again = run(&["create-admin", "--email", "cli@acme.test", "--name", "Cli"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    let weak = roster()
        .env("ROSTER_DATA_DIR", dir.path())
        .env("ROSTER_ADMIN_PASSWORD", "short")
        .args(["create-admin", "--email", "x@acme.test", "--name", "X"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&weak.stderr).contains("--password: Use at least 12"));
    for _ in 0..2 {
        let m = run(&["migrate"]);
        assert!(m.status.success());
    }
    assert!(dir.path().join("roster.db").exists());
    assert!(dir.path().join("master.key").exists());
    // The database and its WAL files are the owner's alone: they hold password hashes and
    // sealed secrets.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for name in ["roster.db", "roster.db-wal", "roster.db-shm"] {
            let path = dir.path().join(name);
            if name == "roster.db" || path.exists() {
                let mode = std::fs::metadata(&path).unwrap().permissions().mode();
                assert_eq!(mode & 0o777, 0o600, "{name}");
            }
        }
    }
}

#[test]
fn create_admin_for_an_existing_login_says_its_password_was_not_used() {
    let dir = tempfile::tempdir().unwrap();
    let run = |password: &str, args: &[&str]| {
        roster()
            .env("ROSTER_DATA_DIR", dir.path())
            .env("ROSTER_ADMIN_PASSWORD", password)
            .args(args)
            .output()
            .unwrap()
    };
    let first = run(
        "the first password",
        &[
            "create-admin",
            "--email",
            "ops@acme.test",
            "--name",
            "Ops",
            "--workspace",
            "Acme",
        ],
    );
    assert!(first.status.success());
    let second = run(
        "another password!",
        &[
            "create-admin",
            "--email",
            "OPS@acme.test",
            "--name",
            "Ops",
            "--workspace",
            "Beta",
        ],
    );
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    let said = String::from_utf8_lossy(&second.stdout);
    assert!(said.contains("already had a login"), "{said}");
    assert!(
        said.contains("the password given here was not used"),
        "{said}"
    );
}
