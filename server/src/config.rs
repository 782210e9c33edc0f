//! Configuration: defaults, then an optional `roster.toml`, then `ROSTER_*` environment variables.
//! A wrong value stops start-up with a message naming the setting and what it accepts.

use secrecy::{ExposeSecret, SecretSlice};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// A configuration problem, phrased for the person starting Roster.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {setting}: {message}")]
pub struct ConfigError {
    pub setting: String,
    pub message: String,
}

fn bad(setting: &str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        setting: setting.to_owned(),
        message: message.into(),
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// The key that encrypts secrets at rest: 32 bytes, never logged.
#[derive(Clone)]
pub struct MasterKey {
    bytes: SecretSlice<u8>,
    /// Where it came from, for the start-up log.
    pub source: String,
    /// True when it was read from (or generated into) the data directory's key file, which
    /// `roster rotate-key` may then replace by itself.
    pub from_key_file: bool,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MasterKey(id {}, {})", self.id(), self.source)
    }
}

impl MasterKey {
    /// Reads a key written as 64 hexadecimal digits or as base64 of 32 bytes.
    pub fn parse(text: &str, source: &str) -> Result<Self, String> {
        use base64::Engine;
        let t = text.trim();
        let bytes = if t.len() == 64 && t.chars().all(|c| c.is_ascii_hexdigit()) {
            hex::decode(t).map_err(|e| e.to_string())?
        } else {
            base64::engine::general_purpose::STANDARD
                .decode(t)
                .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(t))
                .map_err(|_| {
                    "expected 64 hexadecimal digits or base64 of 32 bytes (generate one with `openssl rand -hex 32`)".to_owned()
                })?
        };
        if bytes.len() != 32 {
            return Err(format!(
                "the key is {} bytes long; it must be exactly 32 bytes (64 hexadecimal digits)",
                bytes.len()
            ));
        }
        Ok(Self {
            bytes: SecretSlice::from(bytes),
            source: source.to_owned(),
            from_key_file: false,
        })
    }

    /// A short public identifier of the key (the first 8 hex digits of its SHA-256).
    pub fn id(&self) -> String {
        hex::encode(&Sha256::digest(self.bytes.expose_secret())[..4])
    }

    /// The raw key, for the encryption code only.
    pub fn expose(&self) -> &[u8] {
        self.bytes.expose_secret()
    }

    /// Loads the key file in `dir`, creating it (mode 0600) with a random key on first run.
    pub fn from_data_dir(dir: &Path) -> Result<Self, ConfigError> {
        let path = dir.join("master.key");
        let source = format!("key file {}", path.display());
        let key = match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(&text, &source)
                .map_err(|m| bad("ROSTER_MASTER_KEY", format!("{}: {m}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                rand::RngCore::fill_bytes(&mut rand::rng(), &mut key);
                let text = hex::encode(key);
                write_private(&path, &text).map_err(|e| {
                    bad(
                        "ROSTER_DATA_DIR",
                        format!("cannot write {}: {e}", path.display()),
                    )
                })?;
                Self::parse(&text, &format!("{source} (generated)"))
                    .map_err(|m| bad("ROSTER_MASTER_KEY", m))
            }
            Err(e) => Err(bad(
                "ROSTER_MASTER_KEY",
                format!("cannot read {}: {e}", path.display()),
            )),
        };
        key.map(|k| Self {
            from_key_file: true,
            ..k
        })
    }
}

impl MasterKey {
    /// Keys kept from earlier rotations (`master.key.previous`, one per line) and an unfinished
    /// rotation's `master.key.next`: all still accepted for opening secrets.
    pub fn previous_from_data_dir(dir: &Path) -> Result<Vec<Self>, ConfigError> {
        let mut out = Vec::new();
        for name in ["master.key.previous", "master.key.next"] {
            let path = dir.join(name);
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            for (i, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
                out.push(
                    Self::parse(line, &format!("{} line {}", path.display(), i + 1)).map_err(
                        |m| {
                            bad(
                                "ROSTER_MASTER_KEY",
                                format!("{} line {}: {m}", path.display(), i + 1),
                            )
                        },
                    )?,
                );
            }
        }
        Ok(out)
    }

    /// The raw 32 bytes (for building the keyring).
    pub fn bytes(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        out.copy_from_slice(self.bytes.expose_secret());
        out
    }

    /// The key as 64 hex digits (only for writing key files).
    pub fn to_hex(&self) -> String {
        hex::encode(self.bytes.expose_secret())
    }
}

/// Writes a new file readable only by its owner; fails if it exists.
pub fn write_key_file(path: &Path, text: &str) -> std::io::Result<()> {
    write_private(path, text)
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())?;
    f.write_all(b"\n")?;
    f.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

/// Roster's effective configuration.
#[derive(Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub master_key: MasterKey,
    pub log_format: LogFormat,
    /// The https or http base URL people reach Roster at (secure cookies and origin checks).
    pub public_url: Option<String>,
    /// Keys that sealed secrets before a rotation; still accepted for opening.
    pub previous_keys: Vec<MasterKey>,
    /// Microsoft's identity platform (token endpoint) base URL.
    pub login_url: String,
    /// Microsoft Graph base URL.
    pub graph_url: String,
    /// Reverse proxies whose `Forwarded` / `X-Forwarded-For` headers name the client.
    pub trusted_proxies: crate::proxies::TrustedProxies,
    /// How many syncs this instance runs at once (each on a different tenant).
    pub sync_workers: usize,
}

/// The settings a `roster.toml` may contain (all optional).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    listen: Option<String>,
    data_dir: Option<String>,
    database_url: Option<String>,
    master_key: Option<String>,
    log_format: Option<String>,
    public_url: Option<String>,
    previous_master_keys: Option<String>,
    login_url: Option<String>,
    graph_url: Option<String>,
    trusted_proxies: Option<String>,
    sync_workers: Option<String>,
}

/// The raw settings before parsing, for tests and the command line.
#[derive(Debug, Default, Clone)]
pub struct RawSettings {
    pub values: HashMap<&'static str, String>,
}

pub const SETTINGS: [&str; 11] = [
    "ROSTER_LISTEN",
    "ROSTER_DATA_DIR",
    "ROSTER_DATABASE_URL",
    "ROSTER_MASTER_KEY",
    "ROSTER_PREVIOUS_MASTER_KEYS",
    "ROSTER_LOG_FORMAT",
    "ROSTER_PUBLIC_URL",
    "ROSTER_LOGIN_URL",
    "ROSTER_GRAPH_URL",
    "ROSTER_TRUSTED_PROXIES",
    "ROSTER_SYNC_WORKERS",
];

impl RawSettings {
    /// Reads `roster.toml` (from `ROSTER_CONFIG`, else the working directory if present), then the environment.
    pub fn gather(env: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut raw = RawSettings::default();
        let explicit = env("ROSTER_CONFIG");
        let path = explicit
            .clone()
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("roster.toml"));
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let file: FileSettings = toml::from_str(&text).map_err(|e| {
                    bad(
                        "ROSTER_CONFIG",
                        format!("{} is not valid: {}", path.display(), e.message()),
                    )
                })?;
                let pairs = [
                    ("ROSTER_LISTEN", file.listen),
                    ("ROSTER_DATA_DIR", file.data_dir),
                    ("ROSTER_DATABASE_URL", file.database_url),
                    ("ROSTER_MASTER_KEY", file.master_key),
                    ("ROSTER_LOG_FORMAT", file.log_format),
                    ("ROSTER_PUBLIC_URL", file.public_url),
                    ("ROSTER_PREVIOUS_MASTER_KEYS", file.previous_master_keys),
                    ("ROSTER_LOGIN_URL", file.login_url),
                    ("ROSTER_GRAPH_URL", file.graph_url),
                    ("ROSTER_TRUSTED_PROXIES", file.trusted_proxies),
                    ("ROSTER_SYNC_WORKERS", file.sync_workers),
                ];
                for (k, v) in pairs {
                    if let Some(v) = v {
                        raw.values.insert(k, v);
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && explicit.is_none() => {}
            Err(e) => {
                return Err(bad(
                    "ROSTER_CONFIG",
                    format!("cannot read {}: {e}", path.display()),
                ));
            }
        }
        for key in SETTINGS {
            if let Some(v) = env(key) {
                raw.values.insert(key, v);
            }
        }
        Ok(raw)
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.values
            .get(key)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }

    /// Parses and checks every setting; creates the data directory and the key file if needed.
    pub fn resolve(&self) -> Result<Config, ConfigError> {
        let listen = self
            .get("ROSTER_LISTEN")
            .unwrap_or("127.0.0.1:3000")
            .parse::<SocketAddr>()
            .map_err(|_| {
                bad(
                    "ROSTER_LISTEN",
                    format!(
                        "{:?} is not an address and port such as 127.0.0.1:3000 or 0.0.0.0:8080",
                        self.get("ROSTER_LISTEN").unwrap_or_default()
                    ),
                )
            })?;
        let data_dir = PathBuf::from(self.get("ROSTER_DATA_DIR").unwrap_or("./roster-data"));
        std::fs::create_dir_all(&data_dir).map_err(|e| {
            bad(
                "ROSTER_DATA_DIR",
                format!("cannot create {}: {e}", data_dir.display()),
            )
        })?;
        let database_url = match self.get("ROSTER_DATABASE_URL") {
            Some(url)
                if url.starts_with("sqlite:")
                    || url.starts_with("postgres://")
                    || url.starts_with("postgresql://") =>
            {
                url.to_owned()
            }
            Some(other) => {
                return Err(bad(
                    "ROSTER_DATABASE_URL",
                    format!(
                        "{:?} is not supported; use sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE",
                        roster_store::redact_url(other)
                    ),
                ));
            }
            None => format!("sqlite:{}", data_dir.join("roster.db").display()),
        };
        let master_key = match self.get("ROSTER_MASTER_KEY") {
            Some(text) => MasterKey::parse(text, "ROSTER_MASTER_KEY")
                .map_err(|m| bad("ROSTER_MASTER_KEY", m))?,
            None => MasterKey::from_data_dir(&data_dir)?,
        };
        let log_format = match self.get("ROSTER_LOG_FORMAT").unwrap_or("pretty") {
            "pretty" => LogFormat::Pretty,
            "json" => LogFormat::Json,
            other => {
                return Err(bad(
                    "ROSTER_LOG_FORMAT",
                    format!("{other:?} is not allowed; use pretty or json"),
                ));
            }
        };
        let public_url = match self.get("ROSTER_PUBLIC_URL") {
            None => None,
            Some(url) => Some(parse_public_url(url, "ROSTER_PUBLIC_URL")?),
        };
        if public_url.is_none() && !listen.ip().is_loopback() {
            return Err(bad(
                "ROSTER_PUBLIC_URL",
                format!(
                    "required when ROSTER_LISTEN ({listen}) is not a loopback address: set the URL people use, \
                     such as https://roster.example.com, so Roster can check where forms come from"
                ),
            ));
        }
        let mut previous_keys = Vec::new();
        if let Some(list) = self.get("ROSTER_PREVIOUS_MASTER_KEYS") {
            for (i, part) in list.split(',').filter(|p| !p.trim().is_empty()).enumerate() {
                previous_keys.push(
                    MasterKey::parse(part, &format!("ROSTER_PREVIOUS_MASTER_KEYS #{}", i + 1))
                        .map_err(|m| {
                            bad(
                                "ROSTER_PREVIOUS_MASTER_KEYS",
                                format!("key #{}: {m}", i + 1),
                            )
                        })?,
                );
            }
        }
        if self.get("ROSTER_MASTER_KEY").is_none() {
            previous_keys.extend(MasterKey::previous_from_data_dir(&data_dir)?);
        }
        let login_url = parse_microsoft_url(
            self.get("ROSTER_LOGIN_URL")
                .unwrap_or("https://login.microsoftonline.com"),
            "ROSTER_LOGIN_URL",
        )?;
        let graph_url = parse_microsoft_url(
            self.get("ROSTER_GRAPH_URL")
                .unwrap_or("https://graph.microsoft.com"),
            "ROSTER_GRAPH_URL",
        )?;
        let trusted_proxies =
            crate::proxies::TrustedProxies::parse(self.get("ROSTER_TRUSTED_PROXIES").unwrap_or(""))
                .map_err(|m| bad("ROSTER_TRUSTED_PROXIES", m))?;
        let sync_workers = match self.get("ROSTER_SYNC_WORKERS") {
            None => DEFAULT_SYNC_WORKERS,
            Some(n) => match n.parse::<usize>() {
                Ok(n) if (1..=64).contains(&n) => n,
                _ => {
                    return Err(bad(
                        "ROSTER_SYNC_WORKERS",
                        format!("{n:?} is not a number of syncs between 1 and 64"),
                    ));
                }
            },
        };
        Ok(Config {
            sync_workers,
            trusted_proxies,
            previous_keys,
            login_url,
            graph_url,
            listen,
            data_dir,
            database_url,
            master_key,
            log_format,
            public_url,
        })
    }
}

/// Syncs one instance runs at once unless `ROSTER_SYNC_WORKERS` says otherwise: syncs wait on
/// Microsoft far more than they compute, so a few share even a small machine well.
pub const DEFAULT_SYNC_WORKERS: usize = 4;

/// A Microsoft base URL: https, or plain http only to this machine (an emulator).
fn parse_microsoft_url(url: &str, setting: &str) -> Result<String, ConfigError> {
    let parsed = parse_public_url(url, setting)?;
    let uri: http::Uri = parsed.parse().map_err(|_| bad(setting, "not a URL"))?;
    let loopback = uri.host().is_some_and(|h| {
        h.eq_ignore_ascii_case("localhost")
            || h.trim_matches(['[', ']'])
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    });
    if uri.scheme_str() == Some("http") && !loopback {
        return Err(bad(
            setting,
            format!(
                "{url:?} uses http: client secrets would travel unencrypted; use https (plain http is accepted only for this machine)"
            ),
        ));
    }
    Ok(parsed)
}

fn parse_public_url(url: &str, setting: &str) -> Result<String, ConfigError> {
    let complaint = || {
        bad(
            setting,
            format!(
                "{url:?} is not a base URL such as https://host.example.com (scheme and host, no path)"
            ),
        )
    };
    let uri: http::Uri = url.parse().map_err(|_| complaint())?;
    let scheme_ok = matches!(uri.scheme_str(), Some("http") | Some("https"));
    let path_ok = matches!(uri.path(), "" | "/");
    let has_userinfo = uri.authority().is_some_and(|a| a.as_str().contains('@'));
    if !scheme_ok || uri.host().is_none() || !path_ok || uri.query().is_some() || has_userinfo {
        return Err(complaint());
    }
    // Browsers omit a default port from Origin, so it is dropped here too.
    let scheme = uri.scheme_str().unwrap_or("https");
    let host = uri.host().unwrap_or_default();
    let port = match (scheme, uri.port_u16()) {
        ("https", Some(443)) | ("http", Some(80)) | (_, None) => String::new(),
        (_, Some(p)) => format!(":{p}"),
    };
    Ok(format!("{scheme}://{host}{port}"))
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &roster_store::redact_url(&self.database_url),
            )
            .field("master_key", &self.master_key)
            .field("public_url", &self.public_url)
            .field("login_url", &self.login_url)
            .field("graph_url", &self.graph_url)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("sync_workers", &self.sync_workers)
            .finish()
    }
}

impl Config {
    /// Loads the configuration from `roster.toml` and the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        RawSettings::gather(&|k| std::env::var(k).ok())?.resolve()
    }

    /// Whether cookies must carry `Secure`.
    pub fn secure_cookies(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }

    /// The keyring that seals and opens secrets: the master key and any previous keys.
    pub fn keyring(&self) -> roster_core::crypto::Keyring {
        let previous: Vec<[u8; 32]> = self.previous_keys.iter().map(MasterKey::bytes).collect();
        roster_core::crypto::Keyring::new(&self.master_key.bytes(), &previous)
    }

    /// The configuration as log fields, with the database password and the key hidden.
    pub fn log_effective(&self) {
        tracing::info!(
            listen = %self.listen,
            data_dir = %self.data_dir.display(),
            database_url = %roster_store::redact_url(&self.database_url),
            master_key = %format!("id {} ({})", self.master_key.id(), self.master_key.source),
            log_format = ?self.log_format,
            public_url = self.public_url.as_deref().unwrap_or("(not set)"),
            previous_keys = self.previous_keys.len(),
            sync_workers = self.sync_workers,
            login_url = %self.login_url,
            graph_url = %self.graph_url,
            trusted_proxies = %self
                .trusted_proxies
                .networks()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            "effective configuration"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(pairs: &[(&'static str, &str)]) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let mut raw = RawSettings::default();
        raw.values
            .insert("ROSTER_DATA_DIR", dir.path().display().to_string());
        for (k, v) in pairs {
            raw.values.insert(k, (*v).to_owned());
        }
        let out = raw.resolve();
        drop(dir);
        out
    }

    #[test]
    fn defaults_give_sqlite_in_the_data_dir_and_a_generated_key_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut raw = RawSettings::default();
        raw.values
            .insert("ROSTER_DATA_DIR", dir.path().display().to_string());
        let c = raw.resolve().unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:3000");
        assert!(c.database_url.starts_with("sqlite:"));
        assert!(c.database_url.ends_with("roster.db"));
        let key_file = dir.path().join("master.key");
        assert!(key_file.exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // The same key is read back on the next start.
        let again = raw.resolve().unwrap();
        assert_eq!(again.master_key.id(), c.master_key.id());
    }

    #[test]
    fn each_wrong_value_names_its_setting() {
        let cases: [(&'static str, &str); 9] = [
            ("ROSTER_LISTEN", "localhost"),
            ("ROSTER_DATABASE_URL", "mysql://x"),
            ("ROSTER_MASTER_KEY", "short"),
            ("ROSTER_LOG_FORMAT", "xml"),
            ("ROSTER_PUBLIC_URL", "roster.example.com/app"),
            ("ROSTER_LOGIN_URL", "http://login.example.com"),
            ("ROSTER_GRAPH_URL", "graph"),
            ("ROSTER_PREVIOUS_MASTER_KEYS", "abc"),
            ("ROSTER_TRUSTED_PROXIES", "10.0.0.0/8, proxy.internal"),
        ];
        for (key, value) in cases {
            let err = resolve(&[(key, value)]).unwrap_err();
            assert_eq!(err.setting, key, "{value}");
            assert!(err.to_string().contains(key));
        }
    }

    #[test]
    fn a_hex_master_key_is_accepted_and_never_printed() {
        let hex_key = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
        let c = resolve(&[("ROSTER_MASTER_KEY", hex_key)]).unwrap();
        assert_eq!(c.master_key.expose().len(), 32);
        assert!(!format!("{c:?}").contains("00112233"));
    }

    #[test]
    fn https_public_urls_make_cookies_secure() {
        let c = resolve(&[("ROSTER_PUBLIC_URL", "https://roster.example.com/")]).unwrap();
        assert!(c.secure_cookies());
        assert_eq!(c.public_url.as_deref(), Some("https://roster.example.com"));
        let c = resolve(&[("ROSTER_PUBLIC_URL", "http://10.0.0.5:3000")]).unwrap();
        assert!(!c.secure_cookies());
    }

    #[test]
    fn a_public_listener_needs_a_public_url() {
        let err = resolve(&[("ROSTER_LISTEN", "0.0.0.0:3000")]).unwrap_err();
        assert_eq!(err.setting, "ROSTER_PUBLIC_URL");
        let ok = resolve(&[
            ("ROSTER_LISTEN", "0.0.0.0:3000"),
            ("ROSTER_PUBLIC_URL", "https://roster.example.com:443"),
        ])
        .unwrap();
        assert_eq!(ok.public_url.as_deref(), Some("https://roster.example.com"));
        assert!(resolve(&[("ROSTER_PUBLIC_URL", "https://user:pw@roster.example.com")]).is_err());
    }

    #[test]
    fn microsoft_urls_must_be_https_unless_local() {
        assert!(resolve(&[("ROSTER_LOGIN_URL", "http://127.0.0.1:8089")]).is_ok());
        assert!(resolve(&[("ROSTER_GRAPH_URL", "http://graph.example.com")]).is_err());
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("roster.toml");
        std::fs::write(&file, "listen = \"127.0.0.1:4000\"\nlisten_port = 4\n").unwrap();
        let f = file.display().to_string();
        let err = RawSettings::gather(&|k| (k == "ROSTER_CONFIG").then(|| f.clone())).unwrap_err();
        assert_eq!(err.setting, "ROSTER_CONFIG");
        assert!(err.message.contains("listen_port"));
    }

    #[test]
    fn the_environment_overrides_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("roster.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:4000\"\nlog_format = \"json\"\n",
        )
        .unwrap();
        let f = file.display().to_string();
        let raw = RawSettings::gather(&|k| match k {
            "ROSTER_CONFIG" => Some(f.clone()),
            "ROSTER_LISTEN" => Some("127.0.0.1:5000".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(raw.get("ROSTER_LISTEN"), Some("127.0.0.1:5000"));
        assert_eq!(raw.get("ROSTER_LOG_FORMAT"), Some("json"));
    }
}
