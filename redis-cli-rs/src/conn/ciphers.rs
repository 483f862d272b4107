//! `--tls-ciphers` and `--tls-ciphersuites`.
//!
//! native-tls (through redis-blocking) has no setting for cipher lists.
//! Where it runs on OpenSSL (Linux and the other Unixes but Apple's), the
//! TLS 1.3 suites are handed to OpenSSL's own configuration instead: a
//! private configuration file whose `system_default` section sets
//! `Ciphersuites` is named in `OPENSSL_CONF` before OpenSSL starts, so
//! every TLS context it creates afterwards (native-tls's included) applies
//! them. The file replaces the system's `openssl.cnf` for this process
//! only, and only when the option is given; it is removed once OpenSSL has
//! read it.
//!
//! The TLS 1.2 list (`--tls-ciphers`) cannot be applied that way: the
//! `openssl` crate's connector, which native-tls uses, sets its own list
//! on every context after the configuration's. Rather than connect with
//! ciphers the user did not ask for, a valid `--tls-ciphers` is refused
//! with a message saying so.
//!
//! Each list is first checked on a context of its own, with `redis-cli`'s
//! words when OpenSSL refuses it. On Apple platforms (Secure Transport)
//! there is no hook at all: both options are refused there.

use crate::options::TlsSettings;

/// Applies the cipher lists of `settings` to every TLS connection this
/// process opens. Call it before the first one. `Err` with what
/// `redis-cli` says after `Could not negotiate a TLS connection: `.
#[cfg(not(any(target_os = "windows", target_vendor = "apple")))]
pub(crate) fn configure(settings: &TlsSettings) -> Result<(), &'static str> {
    use std::sync::OnceLock;

    if settings.ciphers.is_none() && settings.ciphersuites.is_none() {
        return Ok(());
    }
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| install(settings));
    let mut builder = openssl::ssl::SslContext::builder(openssl::ssl::SslMethod::tls_client())
        .map_err(|_| "Failed to create SSL_CTX")?;
    if let Some(ciphers) = &settings.ciphers {
        builder
            .set_cipher_list(ciphers)
            .map_err(|_| "Error while configuring ciphers")?;
    }
    if let Some(suites) = &settings.ciphersuites {
        builder
            .set_ciphersuites(suites)
            .map_err(|_| "Error while setting cypher suites")?;
    }
    if settings.ciphers.is_some() {
        return Err(TLS12_REFUSED);
    }
    Ok(())
}

/// Why a valid `--tls-ciphers` is refused.
pub(crate) const TLS12_REFUSED: &str = "--tls-ciphers cannot be applied here: native-tls sets its own TLS 1.2 cipher list (--tls-ciphersuites works, for TLS 1.3)";

/// Writes the configuration, points `OPENSSL_CONF` at it, makes OpenSSL
/// read it, and removes it.
#[cfg(not(any(target_os = "windows", target_vendor = "apple")))]
fn install(settings: &TlsSettings) {
    let mut conf = String::from(
        "openssl_conf = openssl_init\n\
         [openssl_init]\n\
         ssl_conf = redis_cli_rs_ssl\n\
         [redis_cli_rs_ssl]\n\
         system_default = redis_cli_rs_tls\n\
         [redis_cli_rs_tls]\n",
    );
    // Values end at a newline; a list never holds one.
    let clean = |v: &str| v.replace(['\n', '\r'], "");
    if let Some(suites) = &settings.ciphersuites {
        conf.push_str(&format!("Ciphersuites = {}\n", clean(suites)));
    }
    let path =
        std::env::temp_dir().join(format!("redis-cli-rs-openssl-{}.cnf", std::process::id()));
    if std::fs::write(&path, conf).is_ok() {
        // Single-threaded here: before any connection is opened.
        std::env::set_var("OPENSSL_CONF", &path);
        openssl::init();
        let _ = std::fs::remove_file(&path);
    }
}

/// Without OpenSSL under native-tls, the lists cannot be applied.
#[cfg(any(target_os = "windows", target_vendor = "apple"))]
pub(crate) fn configure(settings: &TlsSettings) -> Result<(), &'static str> {
    if settings.ciphers.is_none() && settings.ciphersuites.is_none() {
        return Ok(());
    }
    Err("--tls-ciphers and --tls-ciphersuites need OpenSSL (not available on this platform)")
}
