//! TLS through `native-tls`, with the handshake bounded by the deadline.

use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use native_tls::{Certificate, HandshakeError, Identity, TlsConnector};

use super::{wait, Stream};
use crate::config::TlsOptions;
use crate::error::{Error, ErrorKind, Executed, Result};

fn tls_error(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Tls, Executed::No, message)
}

fn read_file(path: &Path, what: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        tls_error(format!("reading the {what} {}: {e}", path.display())).with_source(e)
    })
}

/// Every PEM certificate in `pem`.
fn certificates(pem: &[u8], path: &Path) -> Result<Vec<Certificate>> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let text = String::from_utf8_lossy(pem);
    let mut certs = Vec::new();
    let mut rest = &text[..];
    while let Some(start) = rest.find(BEGIN) {
        let Some(len) = rest[start..].find(END) else {
            break;
        };
        let block = &rest[start..start + len + END.len()];
        let cert = Certificate::from_pem(block.as_bytes()).map_err(|e| {
            tls_error(format!("invalid certificate in {}: {e}", path.display())).with_source(e)
        })?;
        certs.push(cert);
        rest = &rest[start + len + END.len()..];
    }
    if certs.is_empty() {
        return Err(tls_error(format!(
            "no PEM certificate in {}",
            path.display()
        )));
    }
    Ok(certs)
}

pub(crate) fn connector(options: &TlsOptions) -> Result<TlsConnector> {
    let mut builder = TlsConnector::builder();
    if let Some(path) = &options.ca_file {
        for cert in certificates(&read_file(path, "CA file")?, path)? {
            builder.add_root_certificate(cert);
        }
    }
    match (&options.cert_file, &options.key_file) {
        (Some(cert), Some(key)) => {
            let identity =
                Identity::from_pkcs8(&read_file(cert, "certificate")?, &read_file(key, "key")?)
                    .map_err(|e| {
                        tls_error(format!("invalid client certificate or key: {e}")).with_source(e)
                    })?;
            builder.identity(identity);
        }
        (None, None) => {}
        _ => {
            return Err(Error::config(
                "a client certificate needs both a certificate and a key file",
            ))
        }
    }
    if options.insecure {
        builder
            .danger_accept_invalid_certs(true)
            .danger_accept_invalid_hostnames(true);
    }
    builder
        .build()
        .map_err(|e| tls_error(format!("setting up TLS: {e}")).with_source(e))
}

/// Runs the TLS handshake on a non-blocking `tcp` until `deadline`.
pub(crate) fn handshake(
    tcp: TcpStream,
    host: &str,
    options: &TlsOptions,
    deadline: Option<Instant>,
) -> Result<Stream> {
    let connector = connector(options)?;
    let domain = options.sni.as_deref().unwrap_or(host);
    let fd = std::os::fd::AsRawFd::as_raw_fd(&tcp);
    let mut attempt = connector.connect(domain, tcp);
    loop {
        match attempt {
            Ok(stream) => return Ok(Stream::Tls(Box::new(stream))),
            Err(HandshakeError::Failure(e)) => {
                return Err(tls_error(format!(
                    "TLS handshake with {host} failed: {e} (is the server speaking TLS, and is its certificate trusted?)"
                ))
                .with_source(e))
            }
            Err(HandshakeError::WouldBlock(mid)) => {
                // The handshake mostly waits for the server; a short cap on
                // each wait covers the rare case where it waits to write.
                let cap = Instant::now() + Duration::from_millis(20);
                let until = deadline.map_or(cap, |d| d.min(cap));
                match wait(fd, true, false, Some(until)) {
                    Ok(_) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                        if deadline.is_some_and(|d| Instant::now() >= d) {
                            return Err(Error::new(
                                ErrorKind::Timeout,
                                Executed::No,
                                format!("TLS handshake with {host} timed out (is the server speaking TLS?)"),
                            ));
                        }
                    }
                    Err(e) => return Err(Error::io(Executed::No, "TLS handshake", e)),
                }
                attempt = mid.handshake();
            }
        }
    }
}
