//! Where requests go and whom they trust: the proxy, the roots that verify the service's
//! certificate, and the client certificate of mutual TLS.
//!
//! Roots are the system's store plus every PEM file the user names, through `ca_cert=` or the
//! variables Python users already set (`REQUESTS_CA_BUNDLE`, `SSL_CERT_FILE`, `SSL_CERT_DIR`).
//! They add to the system roots rather than replace them, so a file holding only a corporate
//! CA does not break every public host (with `requests` it would; a complete bundle works
//! either way). A system without a store (a slim container) gets Mozilla's roots instead of
//! a client that cannot start.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use reqwest::{Certificate, ClientBuilder, Identity, NoProxy, Proxy};
use rustls::pki_types::CertificateDer;

use crate::error::{Error, Result};
use crate::secrets::Registered;

#[derive(Debug, Clone)]
pub struct NetworkOptions {
    /// Every request through this proxy (http, https, socks5 or socks5h URL), except hosts
    /// in `NO_PROXY`. None: `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` decide.
    pub proxy: Option<String>,
    /// A PEM file or a directory of them, trusted besides the system roots.
    pub ca_cert: Option<PathBuf>,
    /// False accepts any certificate (the caller warns).
    pub verify: bool,
    /// A PEM file with the client certificate (and its key, unless `client_key` names one).
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
}

impl Default for NetworkOptions {
    fn default() -> Self {
        NetworkOptions {
            proxy: None,
            ca_cert: None,
            verify: true,
            client_cert: None,
            client_key: None,
        }
    }
}

/// The variables naming extra roots: a PEM file or directory, a PEM file, directories
/// separated by ':'.
pub const CA_BUNDLE_ENV: &str = "REQUESTS_CA_BUNDLE";
pub const CERT_FILE_ENV: &str = "SSL_CERT_FILE";
pub const CERT_DIR_ENV: &str = "SSL_CERT_DIR";

/// `builder` with the proxy, roots and client identity `opts` and the environment ask for.
/// `tls` says whether the base URL is https (roots are loaded only then: a stale
/// `SSL_CERT_FILE` should not stop a client of a loopback emulator). A proxy's password
/// joins `secrets`, kept out of messages while the client lives.
pub fn configure(
    mut builder: ClientBuilder,
    opts: &NetworkOptions,
    tls: bool,
    env: &impl Fn(&str) -> Option<String>,
    secrets: &mut Vec<Registered>,
) -> Result<ClientBuilder> {
    if let Some(url) = &opts.proxy {
        let (proxy, password) = proxy(url, env)?;
        builder = builder.proxy(proxy);
        secrets.extend(password);
    }
    if let Some(identity) = identity(opts)? {
        builder = builder.identity(identity);
    }
    if !opts.verify {
        return Ok(builder.tls_danger_accept_invalid_certs(true));
    }
    let mut extra = Vec::new();
    if let Some(path) = &opts.ca_cert {
        extra.extend(pem_certs(path, "ca_cert")?);
    }
    if tls {
        extra.extend(env_roots(env)?);
    }
    // Always our roots, never reqwest's platform verifier: it reads SSL_CERT_FILE as the
    // whole store and fails the build of even a plain-HTTP client when that file is gone.
    Ok(builder.tls_certs_only(with_system_roots(extra)?))
}

fn proxy(url: &str, env: &impl Fn(&str) -> Option<String>) -> Result<(Proxy, Option<Registered>)> {
    let shown = without_credentials(url);
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| Error::Config(format!("invalid proxy URL {shown:?}: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https" | "socks5" | "socks5h") {
        return Err(Error::Config(format!(
            "proxy URL {shown:?} must start with http://, https://, socks5:// or socks5h://"
        )));
    }
    let password = parsed.password().map(crate::secrets::register);
    let no_proxy = env("NO_PROXY")
        .or_else(|| env("no_proxy"))
        .and_then(|hosts| NoProxy::from_string(&hosts));
    Proxy::all(url)
        .map(|p| (p.no_proxy(no_proxy), password))
        .map_err(|e| Error::Config(format!("invalid proxy URL {shown:?}: {}", chain(&e))))
}

/// `url` with any user and password replaced by `***`, for messages.
fn without_credentials(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("***");
            let _ = u.set_password(None);
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

fn identity(opts: &NetworkOptions) -> Result<Option<Identity>> {
    let Some(cert) = &opts.client_cert else {
        if opts.client_key.is_some() {
            return Err(Error::Config(
                "client_key needs client_cert (the certificate it belongs to)".into(),
            ));
        }
        return Ok(None);
    };
    let mut pem = read(cert, "client_cert")?;
    if let Some(key) = &opts.client_key {
        pem.push(b'\n');
        pem.extend(read(key, "client_key")?);
    }
    Identity::from_pem(&pem).map(Some).map_err(|e| {
        Error::Config(format!(
            "cannot use client_cert {} as a client certificate (a PEM certificate and its \
             private key, in one file or with client_key=): {}",
            cert.display(),
            chain(&e)
        ))
    })
}

fn read(path: &Path, setting: &str) -> Result<Vec<u8>> {
    std::fs::read(path)
        .map_err(|e| Error::Config(format!("cannot read {setting} {}: {e}", path.display())))
}

/// The roots named by `REQUESTS_CA_BUNDLE`, `SSL_CERT_FILE` and `SSL_CERT_DIR`.
fn env_roots(env: &impl Fn(&str) -> Option<String>) -> Result<Vec<CertificateDer<'static>>> {
    let mut certs = Vec::new();
    for name in [CA_BUNDLE_ENV, CERT_FILE_ENV] {
        if let Some(path) = env(name).filter(|p| !p.trim().is_empty()) {
            certs.extend(pem_certs(Path::new(path.trim()), name)?);
        }
    }
    // A search path, as OpenSSL reads it: directories that are not there are skipped, but
    // one that names none with a certificate is a mistake worth saying.
    if let Some(dirs) = env(CERT_DIR_ENV).filter(|d| !d.trim().is_empty()) {
        let (system, others): (Vec<&Path>, Vec<&Path>) = dirs
            .split(':')
            .map(|d| Path::new(d.trim()))
            .filter(|d| d.is_dir())
            .partition(|d| in_system_store(d));
        let found: Vec<_> = others
            .into_iter()
            .flat_map(|d| rustls_native_certs::load_certs_from_paths(None, Some(d)).certs)
            .collect();
        if found.is_empty() && system.is_empty() {
            return Err(Error::Config(format!(
                "{CERT_DIR_ENV} {dirs}: no CA certificates were loaded from these directories"
            )));
        }
        certs.extend(found);
    }
    Ok(certs)
}

/// The certificates of a PEM file, or of every file in a directory; an error naming
/// `setting` when there is none (a typo in a path should not pass for "no extra roots").
fn pem_certs(path: &Path, setting: &str) -> Result<Vec<CertificateDer<'static>>> {
    if in_system_store(path) {
        // Already among the system's roots: many images point every variable at the
        // system's own store, and reading it again (292 files here) made each HTTPS client
        // take ~50 ms to build.
        return Ok(Vec::new());
    }
    let found = if path.is_dir() {
        rustls_native_certs::load_certs_from_paths(None, Some(path))
    } else if path.is_file() {
        rustls_native_certs::load_certs_from_paths(Some(path), None)
    } else {
        return Err(Error::Config(format!(
            "{setting} {}: no such file or directory",
            path.display()
        )));
    };
    if found.certs.is_empty() {
        let why = found
            .errors
            .first()
            .map_or_else(|| "no PEM certificates in it".to_owned(), |e| e.to_string());
        return Err(Error::Config(format!(
            "{setting} {}: no CA certificates were loaded ({why})",
            path.display()
        )));
    }
    Ok(found.certs)
}

/// Whether `path` is one of the directories the system roots were read from, or a file
/// directly in one (read with it).
fn in_system_store(path: &Path) -> bool {
    let Ok(path) = path.canonicalize() else {
        return false;
    };
    let dirs = &system_roots().2;
    dirs.contains(&path) || path.parent().is_some_and(|p| dirs.iter().any(|d| d == p))
}

/// The system's roots and `extra`, as reqwest takes them, each once: the variables often
/// name the system's own bundle again (many images set REQUESTS_CA_BUNDLE, SSL_CERT_FILE
/// and SSL_CERT_DIR to it), and every repeat would be parsed again into the root store.
fn with_system_roots(extra: Vec<CertificateDer<'static>>) -> Result<Vec<Certificate>> {
    let (system, _, _) = system_roots();
    let mut seen = std::collections::HashSet::new();
    let mut roots = Vec::new();
    for der in system.iter().chain(extra.iter()) {
        if seen.insert(der.as_ref()) {
            roots.push(
                Certificate::from_der(der).map_err(|e| {
                    Error::Config(format!("unusable CA certificate: {}", chain(&e)))
                })?,
            );
        }
    }
    Ok(roots)
}

/// Where the roots came from, for the DEBUG log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootSource {
    System,
    Bundled,
}

/// The system's roots, read once: every file in the directories OpenSSL looks in (whatever
/// `SSL_CERT_FILE` says: those are extra roots here), else Mozilla's; and those
/// directories, canonical.
type SystemRoots = (Vec<CertificateDer<'static>>, RootSource, Vec<PathBuf>);

fn system_roots() -> &'static SystemRoots {
    static ROOTS: OnceLock<SystemRoots> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let dirs: Vec<&Path> = openssl_probe::candidate_cert_dirs().collect();
        let (certs, source) = roots_from(&dirs);
        // Only directories that gave roots count as read (not when Mozilla's stand in).
        let canonical = match source {
            RootSource::System => dirs.iter().filter_map(|d| d.canonicalize().ok()).collect(),
            RootSource::Bundled => Vec::new(),
        };
        let roots = (certs, source, canonical);
        log::debug!(
            target: crate::events::HTTP,
            "{} CA roots from {}",
            roots.0.len(),
            match roots.1 {
                RootSource::System => "the system's store",
                RootSource::Bundled => "Mozilla's bundle (the system has no CA store)",
            }
        );
        roots
    })
}

/// The certificates in `dirs`, or the bundled Mozilla roots when they hold none.
fn roots_from(dirs: &[&Path]) -> (Vec<CertificateDer<'static>>, RootSource) {
    let certs: Vec<_> = dirs
        .iter()
        .flat_map(|dir| rustls_native_certs::load_certs_from_paths(None, Some(dir)).certs)
        .collect();
    if certs.is_empty() {
        (
            webpki_root_certs::TLS_SERVER_ROOT_CERTS.to_vec(),
            RootSource::Bundled,
        )
    } else {
        (certs, RootSource::System)
    }
}

/// An error and its causes, one after the other: reqwest's own message is terse
/// ("builder error") and the cause is what a user can act on.
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut message = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        let text = s.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        src = s.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_store_falls_back_to_mozillas_roots() {
        let empty = std::env::temp_dir().join("sqlquarry-no-roots-here");
        std::fs::create_dir_all(&empty).unwrap();
        let (roots, source) = roots_from(&[empty.as_path()]);
        assert_eq!(source, RootSource::Bundled);
        assert_eq!(roots.len(), webpki_root_certs::TLS_SERVER_ROOT_CERTS.len());
        let (_, source) = roots_from(&[]);
        assert_eq!(source, RootSource::Bundled);
    }

    #[test]
    fn a_missing_or_empty_ca_file_is_named() {
        let none = |_: &str| None;
        let opts = NetworkOptions {
            ca_cert: Some("/no/such/ca.pem".into()),
            ..Default::default()
        };
        let e = configure(reqwest::Client::builder(), &opts, true, &none, &mut vec![])
            .unwrap_err()
            .to_string();
        assert!(e.contains("ca_cert /no/such/ca.pem: no such file"), "{e}");
        let env = |name: &str| (name == CERT_FILE_ENV).then(|| "/no/such/bundle.pem".to_owned());
        let e = configure(
            reqwest::Client::builder(),
            &Default::default(),
            true,
            &env,
            &mut vec![],
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("SSL_CERT_FILE /no/such/bundle.pem"), "{e}");
        // Plain HTTP verifies nothing: a stale variable does not stop it.
        let plain = configure(
            reqwest::Client::builder(),
            &Default::default(),
            false,
            &env,
            &mut vec![],
        );
        assert!(plain.is_ok());
    }

    #[test]
    fn proxy_urls_are_checked_without_showing_credentials() {
        let none = |_: &str| None;
        let e = proxy("ftp://user:hunter2@proxy:1", &none)
            .unwrap_err()
            .to_string();
        assert!(e.contains("socks5://"), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
        for ok in [
            "http://p:3128",
            "https://p",
            "socks5://p:1080",
            "socks5h://u:pw@p",
        ] {
            assert!(proxy(ok, &none).is_ok(), "{ok}");
        }
    }

    #[test]
    fn client_key_alone_is_refused() {
        let opts = NetworkOptions {
            client_key: Some("/k.pem".into()),
            ..Default::default()
        };
        let e = identity(&opts).unwrap_err().to_string();
        assert!(e.contains("client_key needs client_cert"), "{e}");
    }
}
