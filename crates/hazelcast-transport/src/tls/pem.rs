//! Reading PEM files: CA and client certificates, private keys (PKCS#8, PKCS#1, SEC1, and
//! encrypted PKCS#8 with a password).

use std::path::Path;

use hazelcast_codec::Secret;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use super::{TlsConfig, TlsConfigError};

fn read_file(what: &'static str, path: &Path) -> Result<Vec<u8>, TlsConfigError> {
    std::fs::read(path).map_err(|e| TlsConfigError::UnreadableFile {
        what,
        path: path.to_path_buf(),
        kind: e.kind(),
        message: e.to_string(),
    })
}

pub(super) fn load_certs(
    what: &'static str,
    path: &Path,
) -> Result<Vec<CertificateDer<'static>>, TlsConfigError> {
    let pem = read_file(what, path)?;
    let mut certs = Vec::new();
    for item in CertificateDer::pem_slice_iter(&pem) {
        match item {
            Ok(cert) => certs.push(cert),
            Err(e) => {
                return Err(TlsConfigError::NoCertificate {
                    what,
                    path: path.to_path_buf(),
                    message: Some(e.to_string()),
                });
            }
        }
    }
    if certs.is_empty() {
        return Err(TlsConfigError::NoCertificate {
            what,
            path: path.to_path_buf(),
            message: None,
        });
    }
    Ok(certs)
}

pub(super) type Identity = (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>);

pub(super) fn load_identity(
    config: &TlsConfig,
    provider: &CryptoProvider,
) -> Result<Option<Identity>, TlsConfigError> {
    let (cert_path, key_path) = match (&config.cert_file, &config.key_file) {
        (None, None) => return Ok(None),
        (None, Some(key)) => {
            return Err(TlsConfigError::IncompleteClientIdentity {
                message: format!("key_file {} is set but cert_file is not", key.display()),
            });
        }
        (Some(cert), key) => (cert.as_path(), key.as_deref().unwrap_or(cert.as_path())),
    };
    let certs = load_certs("certificate", cert_path)?;
    let key = load_private_key(key_path, config.key_password.as_ref())?;
    // Fail here, not at the first handshake, when the key type is not usable.
    provider
        .key_provider
        .load_private_key(key.clone_key())
        .map_err(|e| TlsConfigError::InvalidPrivateKey {
            path: key_path.to_path_buf(),
            message: e.to_string(),
        })?;
    Ok(Some((certs, key)))
}

const ENCRYPTED_PKCS8_LABEL: &str = "ENCRYPTED PRIVATE KEY";

/// Loads a private key: PKCS#8, PKCS#1 or SEC1, or an encrypted PKCS#8 key with a password.
pub(crate) fn load_private_key(
    path: &Path,
    password: Option<&Secret>,
) -> Result<PrivateKeyDer<'static>, TlsConfigError> {
    let pem = read_file("private key", path)?;
    let text = String::from_utf8_lossy(&pem);
    if text.contains("Proc-Type: 4,ENCRYPTED") {
        return Err(TlsConfigError::UnsupportedKeyEncryption {
            path: path.to_path_buf(),
        });
    }
    let begin = format!("-----BEGIN {ENCRYPTED_PKCS8_LABEL}-----");
    if let Some(start) = text.find(&begin) {
        let Some(password) = password else {
            return Err(TlsConfigError::KeyPasswordRequired {
                path: path.to_path_buf(),
            });
        };
        let end_marker = format!("-----END {ENCRYPTED_PKCS8_LABEL}-----");
        let block = text[start..]
            .find(&end_marker)
            .map(|end| &text[start..start + end + end_marker.len()])
            .ok_or_else(|| TlsConfigError::InvalidPrivateKey {
                path: path.to_path_buf(),
                message: "unterminated ENCRYPTED PRIVATE KEY block".into(),
            })?;
        return decrypt_pkcs8(path, block, password);
    }
    PrivateKeyDer::from_pem_slice(&pem).map_err(|e| match e {
        rustls::pki_types::pem::Error::NoItemsFound => TlsConfigError::NoPrivateKey {
            path: path.to_path_buf(),
            message: None,
        },
        other => TlsConfigError::NoPrivateKey {
            path: path.to_path_buf(),
            message: Some(other.to_string()),
        },
    })
}

fn decrypt_pkcs8(
    path: &Path,
    block: &str,
    password: &Secret,
) -> Result<PrivateKeyDer<'static>, TlsConfigError> {
    use pkcs8::der::Decode;
    let invalid = |message: String| TlsConfigError::InvalidPrivateKey {
        path: path.to_path_buf(),
        message,
    };
    let (label, der) = pkcs8::der::pem::decode_vec(block.as_bytes()).map_err(|e| invalid(e.to_string()))?;
    if label != ENCRYPTED_PKCS8_LABEL {
        return Err(invalid(format!("unexpected PEM label {label}")));
    }
    let info = pkcs8::EncryptedPrivateKeyInfo::from_der(&der).map_err(|e| invalid(e.to_string()))?;
    let plain =
        info.decrypt(password.expose().as_bytes())
            .map_err(|e| TlsConfigError::KeyDecryptionFailed {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?;
    // A wrong password with CBC padding that happens to be valid yields garbage: check the DER.
    pkcs8::PrivateKeyInfo::from_der(plain.as_bytes()).map_err(|e| TlsConfigError::KeyDecryptionFailed {
        path: path.to_path_buf(),
        message: format!("decrypted data is not a PKCS#8 key: {e}"),
    })?;
    Ok(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        plain.as_bytes().to_vec(),
    )))
}
