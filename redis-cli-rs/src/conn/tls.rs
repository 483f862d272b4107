//! TLS through `native-tls` (OpenSSL on Linux, as `redis-cli` uses).

use std::net::TcpStream;
use std::path::Path;

use native_tls::{Certificate, Identity, TlsConnector, TlsStream};

use crate::options::TlsSettings;

/// Every PEM certificate in the file at `path`.
fn certificates(path: &Path) -> Result<Vec<Certificate>, String> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let pem = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let text = String::from_utf8_lossy(&pem);
    let mut certs = Vec::new();
    let mut rest = &text[..];
    while let Some(start) = rest.find(BEGIN) {
        let Some(len) = rest[start..].find(END) else {
            break;
        };
        let block = &rest[start..start + len + END.len()];
        certs.push(Certificate::from_pem(block.as_bytes()).map_err(|e| e.to_string())?);
        rest = &rest[start + len + END.len()..];
    }
    Ok(certs)
}

fn connector(settings: &TlsSettings) -> Result<TlsConnector, String> {
    let mut builder = TlsConnector::builder();
    if let Some(path) = &settings.ca_file {
        for cert in certificates(path)? {
            builder.add_root_certificate(cert);
        }
    }
    if let Some(dir) = &settings.ca_dir {
        let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries.flatten() {
            // Files that are not certificates (hash links to them, keys)
            // are skipped.
            for cert in certificates(&entry.path()).unwrap_or_default() {
                builder.add_root_certificate(cert);
            }
        }
    }
    match (&settings.cert_file, &settings.key_file) {
        (Some(cert), Some(key)) => {
            let cert = std::fs::read(cert).map_err(|e| format!("{}: {e}", cert.display()))?;
            let key = std::fs::read(key).map_err(|e| format!("{}: {e}", key.display()))?;
            let identity = Identity::from_pkcs8(&cert, &key).map_err(|e| e.to_string())?;
            builder.identity(identity);
        }
        (None, None) => {}
        _ => return Err("Both --cert and --key are required".into()),
    }
    if settings.insecure {
        builder
            .danger_accept_invalid_certs(true)
            .danger_accept_invalid_hostnames(true);
    }
    builder.build().map_err(|e| e.to_string())
}

/// Runs the TLS handshake on a connected socket.
pub(super) fn connect(
    tcp: TcpStream,
    host: &str,
    settings: &TlsSettings,
) -> Result<TlsStream<TcpStream>, String> {
    let connector = connector(settings)?;
    let domain = settings.sni.as_deref().unwrap_or(host);
    connector.connect(domain, tcp).map_err(|e| match e {
        native_tls::HandshakeError::Failure(e) => e.to_string(),
        native_tls::HandshakeError::WouldBlock(_) => "TLS handshake interrupted".into(),
    })
}
