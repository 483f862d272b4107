//! TLS material generated at test time with `rcgen`: a CA, a server
//! certificate for 127.0.0.1/localhost and a client certificate, both signed
//! by the CA, written as PEM files.

use std::fs;
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

use crate::error::{HarnessError, Result};

/// The server's `tls-auth-clients` setting: whether clients must present a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsAuthClients {
    /// Client certificates are not requested.
    No,
    /// A client certificate is verified if presented, but not required.
    #[default]
    Optional,
    /// A valid client certificate is required.
    Yes,
}

impl TlsAuthClients {
    /// The value written to `tls-auth-clients` in the config file.
    pub fn config_value(self) -> &'static str {
        match self {
            TlsAuthClients::No => "no",
            TlsAuthClients::Optional => "optional",
            TlsAuthClients::Yes => "yes",
        }
    }
}

/// Paths of freshly generated PEM files (CA, server and client certificates and keys).
#[derive(Debug, Clone)]
pub struct TlsCerts {
    ca_cert: PathBuf,
    ca_key: PathBuf,
    server_cert: PathBuf,
    server_key: PathBuf,
    client_cert: PathBuf,
    client_key: PathBuf,
}

impl TlsCerts {
    /// Generates a new CA, a server certificate (SANs `127.0.0.1`, `localhost`)
    /// and a client certificate (CN `redis-test-client`), and writes them as
    /// PEM files into `dir`.
    pub fn generate(dir: &Path) -> Result<Self> {
        generate(dir)
            .map_err(|e| e.context(format!("generating TLS certificates in {}", dir.display())))
    }

    /// The CA certificate that signed both the server and client certificates.
    pub fn ca_cert(&self) -> &Path {
        &self.ca_cert
    }

    /// The CA's private key.
    pub fn ca_key(&self) -> &Path {
        &self.ca_key
    }

    /// The server certificate (valid for 127.0.0.1 and localhost).
    pub fn server_cert(&self) -> &Path {
        &self.server_cert
    }

    /// The server's private key.
    pub fn server_key(&self) -> &Path {
        &self.server_key
    }

    /// The client certificate (for `tls-auth-clients yes`).
    pub fn client_cert(&self) -> &Path {
        &self.client_cert
    }

    /// The client's private key.
    pub fn client_key(&self) -> &Path {
        &self.client_key
    }
}

fn generate(dir: &Path) -> Result<TlsCerts> {
    let ca_key = KeyPair::generate().map_err(rcgen_error)?;
    let mut ca_params = CertificateParams::new(Vec::new()).map_err(rcgen_error)?;
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "redis-test-harness CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params.self_signed(&ca_key).map_err(rcgen_error)?;
    let issuer = Issuer::new(ca_params, &ca_key);

    let leaf = |names: Vec<String>, cn: &str, usage: ExtendedKeyUsagePurpose| {
        let key = KeyPair::generate().map_err(rcgen_error)?;
        let mut params = CertificateParams::new(names).map_err(rcgen_error)?;
        params.distinguished_name.push(DnType::CommonName, cn);
        params.use_authority_key_identifier_extension = true;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![usage];
        let cert = params.signed_by(&key, &issuer).map_err(rcgen_error)?;
        Ok::<_, HarnessError>((cert.pem(), key.serialize_pem()))
    };
    let (server_cert, server_key) = leaf(
        vec!["127.0.0.1".into(), "localhost".into()],
        "localhost",
        ExtendedKeyUsagePurpose::ServerAuth,
    )?;
    let (client_cert, client_key) = leaf(
        Vec::new(),
        "redis-test-client",
        ExtendedKeyUsagePurpose::ClientAuth,
    )?;

    let write = |name: &str, pem: &str| -> Result<PathBuf> {
        let path = dir.join(name);
        fs::write(&path, pem)
            .map_err(|e| HarnessError::from(e).context(format!("writing {}", path.display())))?;
        Ok(path)
    };
    Ok(TlsCerts {
        ca_cert: write("ca.crt", &ca_cert.pem())?,
        ca_key: write("ca.key", &ca_key.serialize_pem())?,
        server_cert: write("server.crt", &server_cert)?,
        server_key: write("server.key", &server_key)?,
        client_cert: write("client.crt", &client_cert)?,
        client_key: write("client.key", &client_key)?,
    })
}

fn rcgen_error(err: rcgen::Error) -> HarnessError {
    HarnessError::new(format!("rcgen: {err}"))
}
