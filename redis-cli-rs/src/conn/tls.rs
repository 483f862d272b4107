//! `--tls` and friends as redis-blocking's [`TlsOptions`] (redis-blocking
//! does the TLS). What it does not take is done here:
//!
//! * `--cacertdir`: redis-blocking trusts one CA file. Every certificate
//!   found in the directory's files (and in `--cacert`) is written to one
//!   temporary file, [`CaBundle`], which is given as the CA file and
//!   removed once the connection is open. Files without certificates
//!   (keys, anything else) are skipped.
//! * Unreadable files are reported as before (`<path>: <error>`), and a
//!   `--cacert` file without any certificate is ignored, as before.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use redis_blocking::TlsOptions;

use crate::options::TlsSettings;

const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
const END: &str = "-----END CERTIFICATE-----";

/// Every PEM certificate block in `pem`, each with a newline.
fn certificates(pem: &[u8]) -> String {
    let text = String::from_utf8_lossy(pem);
    let mut blocks = String::new();
    let mut rest = &text[..];
    while let Some(start) = rest.find(BEGIN) {
        let Some(len) = rest[start..].find(END) else {
            break;
        };
        blocks.push_str(&rest[start..start + len + END.len()]);
        blocks.push('\n');
        rest = &rest[start + len + END.len()..];
    }
    blocks
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// A temporary file of CA certificates, removed when dropped.
pub(crate) struct CaBundle {
    path: PathBuf,
}

impl CaBundle {
    fn write(pem: &str) -> Result<CaBundle, String> {
        static COUNT: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "redis-cli-rs-ca-{}-{}.pem",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .and_then(|mut file| file.write_all(pem.as_bytes()));
        let bundle = CaBundle { path };
        match written {
            Ok(()) => Ok(bundle),
            Err(e) => Err(format!("{}: {e}", bundle.path.display())),
        }
    }
}

impl Drop for CaBundle {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The options for `settings`, and the CA bundle they name (keep it until
/// the connection is open). `Err` with what to print after `Could not
/// connect to Redis at ...: `.
pub(crate) fn options_for(
    settings: &TlsSettings,
) -> Result<(TlsOptions, Option<CaBundle>), String> {
    let mut ca_file = None;
    let mut bundled = String::new();
    if let Some(path) = &settings.ca_file {
        let found = certificates(&read(path)?);
        if !found.is_empty() {
            ca_file = Some(path.clone());
        }
        bundled.push_str(&found);
    }
    let mut bundle = None;
    if let Some(dir) = &settings.ca_dir {
        let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut paths: Vec<PathBuf> = entries.flatten().map(|entry| entry.path()).collect();
        paths.sort();
        for path in paths {
            // Unreadable entries (subdirectories, ...) are skipped.
            if let Ok(pem) = std::fs::read(&path) {
                bundled.push_str(&certificates(&pem));
            }
        }
        ca_file = None;
        if !bundled.is_empty() {
            let written = CaBundle::write(&bundled)?;
            ca_file = Some(written.path.clone());
            bundle = Some(written);
        }
    }
    match (&settings.cert_file, &settings.key_file) {
        (Some(cert), Some(key)) => {
            read(cert)?;
            read(key)?;
        }
        (None, None) => {}
        _ => return Err("Both --cert and --key are required".into()),
    }
    let options = TlsOptions {
        ca_file,
        cert_file: settings.cert_file.clone(),
        key_file: settings.key_file.clone(),
        sni: settings.sni.clone(),
        insecure: settings.insecure,
    };
    Ok((options, bundle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(name: &str) -> String {
        format!("{BEGIN}\n{name}\n{END}\n")
    }

    #[test]
    fn ca_directory_becomes_one_bundle() {
        let dir = std::env::temp_dir().join(format!("redis-cli-rs-cadir-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(
            dir.join("a.pem"),
            format!("junk\n{}{}", cert("A"), cert("B")),
        )
        .unwrap();
        std::fs::write(dir.join("b.key"), "-----BEGIN PRIVATE KEY-----\nx\n").unwrap();
        std::fs::write(dir.join("c.crt"), cert("C")).unwrap();
        let file = dir.join("sub").join("extra.pem");
        std::fs::write(&file, cert("F")).unwrap();

        let settings = TlsSettings {
            ca_file: Some(file.clone()),
            ca_dir: Some(dir.clone()),
            sni: Some("example.org".into()),
            ..TlsSettings::default()
        };
        let (options, bundle) = options_for(&settings).unwrap();
        let bundle_path = options.ca_file.clone().unwrap();
        assert_eq!(
            std::fs::read_to_string(&bundle_path).unwrap(),
            [cert("F"), cert("A"), cert("B"), cert("C")].concat()
        );
        assert_eq!(options.sni.as_deref(), Some("example.org"));
        drop(bundle);
        assert!(!bundle_path.exists(), "the bundle is removed");

        // No certificate anywhere: the system's roots only.
        let empty = dir.join("sub");
        std::fs::remove_file(&file).unwrap();
        let settings = TlsSettings {
            ca_dir: Some(empty.clone()),
            ..TlsSettings::default()
        };
        let (options, bundle) = options_for(&settings).unwrap();
        assert!(options.ca_file.is_none() && bundle.is_none());

        // A CA file alone is given as it is.
        let settings = TlsSettings {
            ca_file: Some(dir.join("c.crt")),
            ..TlsSettings::default()
        };
        let (options, bundle) = options_for(&settings).unwrap();
        assert_eq!(options.ca_file, Some(dir.join("c.crt")));
        assert!(bundle.is_none());

        let missing = TlsSettings {
            ca_dir: Some(dir.join("nonexistent")),
            ..TlsSettings::default()
        };
        assert_eq!(
            options_for(&missing).err().unwrap(),
            format!(
                "{}: No such file or directory (os error 2)",
                dir.join("nonexistent").display()
            )
        );
        let half = TlsSettings {
            cert_file: Some(dir.join("c.crt")),
            ..TlsSettings::default()
        };
        assert_eq!(
            options_for(&half).err().unwrap(),
            "Both --cert and --key are required"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
