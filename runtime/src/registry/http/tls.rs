//! TLS settings of an [`HttpRegistry`](super::HttpRegistry): the CA to trust
//! and a client certificate, read from PEM files when the client is built.

use std::path::PathBuf;

/// The PEM files an [`HttpRegistryBuilder`](super::HttpRegistryBuilder) was
/// given; empty means the system's trust roots and no client certificate.
#[derive(Debug, Default)]
pub(super) struct TlsFiles {
    pub(super) ca: Option<PathBuf>,
    pub(super) identity: Option<(PathBuf, PathBuf)>,
}

impl TlsFiles {
    /// Applies the settings to `builder`; the error says which file or
    /// setting is at fault.
    #[cfg(feature = "registry-tls")]
    pub(super) fn apply(
        &self,
        mut builder: reqwest::ClientBuilder,
    ) -> Result<reqwest::ClientBuilder, String> {
        if let Some(ca) = &self.ca {
            let certificates = reqwest::Certificate::from_pem_bundle(&read(ca, "CA certificate")?)
                .map_err(|e| format!("`{}` is not a PEM certificate bundle: {e}", ca.display()))?;
            if certificates.is_empty() {
                return Err(format!("`{}` holds no PEM certificate", ca.display()));
            }
            // Like librdkafka's `ssl.ca.location`: this CA, not the system's.
            builder = builder.tls_certs_only(certificates);
        }
        if let Some((certificate, key)) = &self.identity {
            let mut pem = read(certificate, "client certificate")?;
            pem.push(b'\n');
            pem.extend(read(key, "client key")?);
            let identity = reqwest::Identity::from_pem(&pem).map_err(|e| {
                format!(
                    "`{}` and `{}` are not a PEM certificate and private key: {e}",
                    certificate.display(),
                    key.display()
                )
            })?;
            builder = builder.identity(identity);
        }
        Ok(builder)
    }

    /// Without TLS support, only empty settings are accepted.
    #[cfg(not(feature = "registry-tls"))]
    pub(super) fn apply(
        &self,
        builder: reqwest::ClientBuilder,
    ) -> Result<reqwest::ClientBuilder, String> {
        if self.ca.is_none() && self.identity.is_none() {
            Ok(builder)
        } else {
            Err(NO_TLS.to_owned())
        }
    }
}

/// Why a build without the `registry-tls` feature refuses TLS settings.
#[cfg(not(feature = "registry-tls"))]
pub(super) const NO_TLS: &str =
    "TLS needs the `registry-tls` feature of schemabus (this build has no TLS)";

/// Whether `url`'s scheme can be served by this build.
pub(super) fn scheme_supported(url: &str) -> Result<(), &'static str> {
    if url.starts_with("http://") {
        return Ok(());
    }
    if url.starts_with("https://") {
        #[cfg(feature = "registry-tls")]
        return Ok(());
        #[cfg(not(feature = "registry-tls"))]
        return Err(NO_TLS);
    }
    Err("the URL must start with http:// or https://")
}

#[cfg(feature = "registry-tls")]
fn read(path: &std::path::Path, what: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read the {what} `{}`: {e}", path.display()))
}
