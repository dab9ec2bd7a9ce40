//! The client-certificate listener (`PORTICO_TLS_CLIENT_CERT_LISTEN`): the same application over
//! TLS, asking the browser for a client certificate (an eID card, a QES). The handshake proves the
//! client holds the certificate's private key; whether the certificate is trusted (its CA, its
//! validity, revocation, the identifier it carries) is decided by the application
//! (`portico_identity::service::certificates`), the same way as for a certificate a trusted proxy
//! forwards, so that a refused certificate gets a page saying why instead of a browser's
//! handshake error. The certificate reaches handlers as
//! [`portico_identity::routes::certificates::TlsPeerCertificate`].

use anyhow::{Context, Result};
use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::service::TowerToHyperService;
use portico_identity::routes::certificates::TlsPeerCertificate;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

/// Asks for a client certificate (optional, so that a browser without one still gets a page),
/// hints the trusted CAs' names, checks the client's handshake signature with its key, and
/// leaves every trust decision to the application.
#[derive(Debug)]
struct AskForCertificate {
    hints: Vec<DistinguishedName>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ClientCertVerifier for AskForCertificate {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        false
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &self.hints
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        // Checked by the application before anything is done with it (see the module's text).
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// The TLS configuration of the listener: the server's certificate chain and key (PEM files),
/// and the CA names to hint.
pub fn server_config(
    cert_file: &Path,
    key_file: &Path,
    ca_subjects: Vec<Vec<u8>>,
) -> Result<Arc<rustls::ServerConfig>> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert_file)
        .with_context(|| format!("PORTICO_TLS_CERT: cannot read {}", cert_file.display()))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("PORTICO_TLS_CERT: {} is not PEM", cert_file.display()))?;
    let key = PrivateKeyDer::from_pem_file(key_file).with_context(|| {
        format!(
            "PORTICO_TLS_KEY: cannot read a key from {}",
            key_file.display()
        )
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = AskForCertificate {
        hints: ca_subjects
            .into_iter()
            .map(DistinguishedName::from)
            .collect(),
        algorithms: provider.signature_verification_algorithms,
    };
    let mut config =
        rustls::ServerConfig::builder_with_provider(provider.clone() as Arc<CryptoProvider>)
            .with_safe_default_protocol_versions()
            .context("TLS protocol versions")?
            .with_client_cert_verifier(Arc::new(verifier))
            .with_single_cert(chain, key)
            .context(
                "PORTICO_TLS_CERT and PORTICO_TLS_KEY do not make a usable certificate and key",
            )?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Serves `router` over TLS on `listener` until the process ends: each request carries the
/// connection's peer address (`ConnectInfo`) and its client certificate, if it presented one.
pub async fn serve(listener: TcpListener, router: Router, config: Arc<rustls::ServerConfig>) {
    let acceptor = TlsAcceptor::from(config);
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                tracing::warn!(%error, "could not accept a TLS connection");
                continue;
            }
        };
        let acceptor = acceptor.clone();
        let router = router.clone();
        tokio::spawn(async move {
            let Ok(tls) = acceptor.accept(stream).await else {
                return;
            };
            let certificate = tls
                .get_ref()
                .1
                .peer_certificates()
                .and_then(|chain| chain.first())
                .map(|der| TlsPeerCertificate(der.to_vec()));
            let service =
                tower::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                    let mut request = request.map(axum::body::Body::new);
                    request
                        .extensions_mut()
                        .insert(ConnectInfo::<SocketAddr>(peer));
                    if let Some(certificate) = certificate.clone() {
                        request.extensions_mut().insert(certificate);
                    }
                    router.clone().oneshot(request)
                });
            let service = TowerToHyperService::new(service);
            let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                .serve_connection_with_upgrades(TokioIo::new(tls), service)
                .await;
        });
    }
}
