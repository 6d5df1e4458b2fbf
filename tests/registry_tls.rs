//! `HttpRegistry` over TLS: a registry behind a TLS front signed by a
//! private CA, reached with that CA, refused without it, and mutual TLS.

#![cfg(feature = "registry-tls")]
#![allow(clippy::unwrap_used)]

#[path = "support/registry.rs"]
mod registry_support;
use registry_support::registry_server;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use schemabus::kafka::KafkaConfig;
use schemabus::registry::{HttpRegistry, HttpRegistryBuilder, RegistryError, SchemaRegistry};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::server::WebPkiClientVerifier;
use tokio_rustls::rustls::{self, RootCertStore, ServerConfig};
use tokio_rustls::TlsAcceptor;

const SCHEMA: &str = r#"{"type":"record","name":"R","fields":[]}"#;

/// A private CA, a server certificate for 127.0.0.1 and a client
/// certificate it signed; the PEM files the client reads live in `dir`.
struct Pki {
    dir: tempfile::TempDir,
    ca: CertificateDer<'static>,
    server: (CertificateDer<'static>, PrivateKeyDer<'static>),
}

impl Pki {
    fn new() -> Self {
        let mut ca_params = CertificateParams::new(Vec::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
        let leaf = |name: &str| {
            let key = KeyPair::generate().unwrap();
            let params = CertificateParams::new(vec![name.to_owned()]).unwrap();
            (params.signed_by(&key, &ca).unwrap(), key)
        };
        let (server, server_key) = leaf("127.0.0.1");
        let (client, client_key) = leaf("schemabus-client");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ca.pem"), ca.pem()).unwrap();
        std::fs::write(dir.path().join("client.pem"), client.pem()).unwrap();
        std::fs::write(
            dir.path().join("client-key.pem"),
            client_key.serialize_pem(),
        )
        .unwrap();
        Pki {
            dir,
            ca: ca.der().clone(),
            server: (
                server.der().clone(),
                PrivatePkcs8KeyDer::from(server_key.serialize_der()).into(),
            ),
        }
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The TLS server side; `client_auth` demands a certificate of the CA.
    fn server_config(&self, client_auth: bool) -> ServerConfig {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let builder = ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .unwrap();
        let builder = if client_auth {
            let mut roots = RootCertStore::empty();
            roots.add(self.ca.clone()).unwrap();
            let verifier = WebPkiClientVerifier::builder_with_provider(roots.into(), provider)
                .build()
                .unwrap();
            builder.with_client_cert_verifier(verifier)
        } else {
            builder.with_no_client_auth()
        };
        let (certificate, key) = &self.server;
        builder
            .with_single_cert(vec![certificate.clone()], key.clone_key())
            .unwrap()
    }
}

/// A TLS front for the plain registry at `upstream`; its `https://` URL.
async fn tls_front(upstream: &str, config: ServerConfig) -> String {
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    let upstream = upstream.trim_start_matches("http://").to_owned();
    tokio::spawn(async move {
        loop {
            let (tcp, _) = listener.accept().await.unwrap();
            let (acceptor, upstream) = (acceptor.clone(), upstream.clone());
            tokio::spawn(async move {
                // A refused handshake (what some tests want) ends the connection.
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut plain = TcpStream::connect(&upstream).await.unwrap();
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    url
}

async fn registry_behind_tls(pki: &Pki, client_auth: bool) -> String {
    tls_front(&registry_server().await, pki.server_config(client_auth)).await
}

fn client(url: &str) -> HttpRegistryBuilder {
    HttpRegistry::builder(url).timeout(Duration::from_secs(5))
}

async fn round_trip(registry: &HttpRegistry) -> Result<(), RegistryError> {
    let id = registry.register("R", SCHEMA).await?;
    assert_eq!(registry.schema_by_id(id).await?, SCHEMA);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registry_signed_by_a_private_ca_is_reached_with_that_ca() {
    let pki = Pki::new();
    let url = registry_behind_tls(&pki, false).await;
    let registry = client(&url)
        .ca_certificate_file(pki.file("ca.pem"))
        .build()
        .unwrap();
    round_trip(&registry).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_certificate_is_refused_and_the_error_says_why() {
    let pki = Pki::new();
    let url = registry_behind_tls(&pki, false).await;
    // The system's roots do not know the private CA.
    let error = round_trip(&client(&url).build().unwrap())
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, RegistryError::Transport { .. }),
        "{message}"
    );
    assert!(
        message.contains("cannot connect: ") && message.contains("UnknownIssuer"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutual_tls_needs_the_client_certificate() {
    let pki = Pki::new();
    let url = registry_behind_tls(&pki, true).await;
    let with_certificate = client(&url)
        .ca_certificate_file(pki.file("ca.pem"))
        .client_certificate_files(pki.file("client.pem"), pki.file("client-key.pem"))
        .build()
        .unwrap();
    round_trip(&with_certificate).await.unwrap();

    let without = client(&url)
        .ca_certificate_file(pki.file("ca.pem"))
        .build()
        .unwrap();
    let error = round_trip(&without).await.unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, RegistryError::Transport { .. }),
        "{message}"
    );
    assert!(message.contains("CertificateRequired"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kafka_settings_carry_the_tls_files() {
    let pki = Pki::new();
    let url = registry_behind_tls(&pki, true).await;
    // As a TOML file gives them (the variables are tested with the config).
    let path = |name: &str| pki.file(name).display().to_string();
    let toml = format!(
        "schema_registry_url = {url:?}\n\
         schema_registry_ca_location = {:?}\n\
         schema_registry_certificate_location = {:?}\n\
         schema_registry_key_location = {:?}\n",
        path("ca.pem"),
        path("client.pem"),
        path("client-key.pem"),
    );
    let config = KafkaConfig::from_toml(&toml).unwrap();
    let registry = config.http_registry().unwrap().unwrap();
    round_trip(&registry).await.unwrap();

    let mut half = config;
    half.schema_registry_key_location = None;
    let error = half.http_registry().unwrap_err().to_string();
    assert!(error.contains("needs both"), "{error}");
}

#[test]
fn tls_files_that_cannot_be_used_are_named() {
    let pki = Pki::new();
    let missing = pki.file("missing.pem");
    let error = client("https://127.0.0.1:1")
        .ca_certificate_file(&missing)
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("cannot read the CA certificate") && error.contains(&display(&missing)),
        "{error}"
    );

    let not_pem = pki.file("kafka.txt");
    std::fs::write(&not_pem, "not a certificate").unwrap();
    let error = client("https://127.0.0.1:1")
        .ca_certificate_file(&not_pem)
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("holds no PEM certificate") && error.contains(&display(&not_pem)),
        "{error}"
    );

    // The CA certificate is no private key.
    let error = client("https://127.0.0.1:1")
        .client_certificate_files(pki.file("client.pem"), pki.file("ca.pem"))
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("not a PEM certificate and private key"),
        "{error}"
    );
}

fn display(path: &Path) -> String {
    path.display().to_string()
}
