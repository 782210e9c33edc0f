//! HTTPS: a self-signed certificate for 127.0.0.1 and localhost, or certificate files given by the operator.

use std::path::PathBuf;
use std::sync::Arc;

use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

/// Where the TLS certificate comes from.
#[derive(Debug, Clone)]
pub enum TlsConfig {
    /// A fresh self-signed certificate (PEM kept here so clients can trust it).
    SelfSigned {
        /// Certificate, PEM.
        cert_pem: String,
        /// Private key, PEM.
        key_pem: String,
    },
    /// Certificate chain and key files (PEM).
    Files {
        /// Certificate chain file.
        cert: PathBuf,
        /// Private key file.
        key: PathBuf,
    },
}

impl TlsConfig {
    /// A new self-signed certificate for `127.0.0.1`, `::1` and `localhost`.
    ///
    /// # Errors
    /// When the certificate cannot be generated.
    pub fn self_signed() -> Result<Self, String> {
        let names = vec![
            "localhost".to_owned(),
            "127.0.0.1".to_owned(),
            "::1".to_owned(),
        ];
        let certified = rcgen::generate_simple_self_signed(names).map_err(|e| e.to_string())?;
        Ok(Self::SelfSigned {
            cert_pem: certified.cert.pem(),
            key_pem: certified.signing_key.serialize_pem(),
        })
    }

    /// The certificate in PEM, for clients to trust.
    ///
    /// # Errors
    /// When the certificate file cannot be read.
    pub fn cert_pem(&self) -> Result<String, String> {
        match self {
            Self::SelfSigned { cert_pem, .. } => Ok(cert_pem.clone()),
            Self::Files { cert, .. } => {
                std::fs::read_to_string(cert).map_err(|e| format!("{}: {e}", cert.display()))
            }
        }
    }

    pub(crate) fn acceptor(&self) -> Result<tokio_rustls::TlsAcceptor, String> {
        let (certs, key): (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) = match self {
            Self::SelfSigned { cert_pem, key_pem } => (
                CertificateDer::pem_slice_iter(cert_pem.as_bytes())
                    .collect::<Result<_, _>>()
                    .map_err(|e| e.to_string())?,
                PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).map_err(|e| e.to_string())?,
            ),
            Self::Files { cert, key } => (
                CertificateDer::pem_file_iter(cert)
                    .map_err(|e| format!("{}: {e}", cert.display()))?
                    .collect::<Result<_, _>>()
                    .map_err(|e| format!("{}: {e}", cert.display()))?,
                PrivateKeyDer::from_pem_file(key).map_err(|e| format!("{}: {e}", key.display()))?,
            ),
        };
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|e| e.to_string())?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
    }
}
