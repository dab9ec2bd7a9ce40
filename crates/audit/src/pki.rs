//! The platform's certificates: a self-signed platform CA, and a signing certificate for the
//! platform's Ed25519 key issued by that CA. Evidence carries the chain (leaf first) in its JWS
//! header, so anyone holding the CA certificate can check it offline, with openssl or any JOSE
//! library. Made with rcgen, read and checked with x509-parser.

use crate::AuditError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use ed25519_dalek::pkcs8::EncodePrivateKey;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SerialNumber,
};
use sha2::{Digest, Sha256};
use x509_parser::certificate::X509Certificate;
use x509_parser::oid_registry::OID_SIG_ED25519;
use x509_parser::time::ASN1Time;

/// The chain beside the key in the data folder: the signing certificate, then the CA.
pub const CHAIN_FILE: &str = "signing-chain.pem";
/// The CA certificate alone: what a verifier is given.
pub const CA_FILE: &str = "platform-ca.pem";
/// The CA's private key (mode 0600), kept to issue the next signing certificate.
pub const CA_KEY_FILE: &str = "platform-ca-key.pem";
/// Who the certificates name.
pub const PLATFORM_NAME: &str = "Portico";

/// How long certificates made on first run are valid. Evidence is checked against the chain's
/// validity when it is verified, so both outlive the records they sign by years.
const CA_YEARS: i64 = 30;
const LEAF_YEARS: i64 = 10;

/// A certificate, DER-encoded.
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate(Vec<u8>);

impl std::fmt::Debug for Certificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Certificate({})", self.describe().subject)
    }
}

impl Certificate {
    pub fn from_der(der: Vec<u8>) -> Result<Self, AuditError> {
        parse(&der)?;
        Ok(Self(der))
    }

    pub fn der(&self) -> &[u8] {
        &self.0
    }

    pub fn pem(&self) -> String {
        let body = base64::engine::general_purpose::STANDARD.encode(&self.0);
        let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
        for line in body.as_bytes().chunks(64) {
            out.push_str(&String::from_utf8_lossy(line));
            out.push('\n');
        }
        out.push_str("-----END CERTIFICATE-----\n");
        out
    }

    /// SHA-256 of the DER, base64url: the JWS `x5t#S256` of this certificate.
    pub fn thumbprint(&self) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(&self.0))
    }

    /// Subject, issuer, serial and validity, for people to read.
    pub fn describe(&self) -> CertInfo {
        match parse(&self.0) {
            Ok(cert) => info(&cert),
            Err(_) => CertInfo::default(),
        }
    }

    /// The Ed25519 public key the certificate certifies.
    pub fn ed25519_public_key(&self) -> Result<[u8; 32], AuditError> {
        ed25519_key(&parse(&self.0)?)
    }
}

/// Every certificate in a PEM text, in order.
pub fn certificates_from_pem(pem: &str) -> Result<Vec<Certificate>, AuditError> {
    let mut out = Vec::new();
    for block in x509_parser::pem::Pem::iter_from_buffer(pem.as_bytes()) {
        let block = block.map_err(|e| AuditError::Certificate(format!("PEM: {e}")))?;
        if block.label == "CERTIFICATE" {
            out.push(Certificate::from_der(block.contents)?);
        }
    }
    if out.is_empty() {
        return Err(AuditError::Certificate(
            "no certificate in the PEM text".into(),
        ));
    }
    Ok(out)
}

pub fn certificates_to_pem(chain: &[Certificate]) -> String {
    chain.iter().map(Certificate::pem).collect()
}

/// What a certificate says about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertInfo {
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
}

fn parse(der: &[u8]) -> Result<X509Certificate<'_>, AuditError> {
    match x509_parser::parse_x509_certificate(der) {
        Ok(([], cert)) => Ok(cert),
        Ok(_) => Err(AuditError::Certificate(
            "trailing bytes after a certificate".into(),
        )),
        Err(e) => Err(AuditError::Certificate(format!("not a certificate: {e}"))),
    }
}

fn info(cert: &X509Certificate<'_>) -> CertInfo {
    let at = |t: ASN1Time| DateTime::<Utc>::from_timestamp(t.timestamp(), 0).unwrap_or_default();
    CertInfo {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        serial: cert.raw_serial_as_string(),
        not_before: at(cert.validity().not_before),
        not_after: at(cert.validity().not_after),
    }
}

fn ed25519_key(cert: &X509Certificate<'_>) -> Result<[u8; 32], AuditError> {
    let spki = cert.public_key();
    if spki.algorithm.algorithm != OID_SIG_ED25519 {
        return Err(AuditError::InvalidEvidence(
            "the signing certificate's key is not Ed25519".into(),
        ));
    }
    <[u8; 32]>::try_from(spki.subject_public_key.data.as_ref()).map_err(|_| {
        AuditError::InvalidEvidence("the signing certificate's key is malformed".into())
    })
}

fn is_ca(cert: &X509Certificate<'_>) -> bool {
    matches!(cert.basic_constraints(), Ok(Some(bc)) if bc.value.ca)
}

fn valid_at(cert: &X509Certificate<'_>, now: DateTime<Utc>) -> Result<(), AuditError> {
    let at = ASN1Time::from_timestamp(now.timestamp())
        .map_err(|e| AuditError::InvalidEvidence(e.to_string()))?;
    if cert.validity().is_valid_at(at) {
        Ok(())
    } else {
        let i = info(cert);
        Err(AuditError::InvalidEvidence(format!(
            "certificate \"{}\" is valid from {} to {}, not at {}",
            i.subject,
            i.not_before.format("%Y-%m-%d %H:%M:%S UTC"),
            i.not_after.format("%Y-%m-%d %H:%M:%S UTC"),
            now.format("%Y-%m-%d %H:%M:%S UTC"),
        )))
    }
}

/// Checks that `chain` (leaf first, as in `x5c`) leads to `anchor`: each certificate signed by
/// the next (the last by the anchor), every issuer a CA, all valid at `now`. The anchor may also
/// close the chain itself. Returns what the leaf says and its Ed25519 key.
pub fn check_chain(
    chain: &[Certificate],
    anchor: &Certificate,
    now: DateTime<Utc>,
) -> Result<(CertInfo, [u8; 32]), AuditError> {
    let anchor_cert = parse(anchor.der())?;
    if !is_ca(&anchor_cert) {
        return Err(AuditError::InvalidEvidence(
            "the trust anchor is not a CA certificate".into(),
        ));
    }
    // The anchor is trusted because the verifier holds it, not because the evidence carries it.
    let mut links: Vec<&Certificate> = chain.iter().collect();
    if links.len() > 1 && links.last().map(|c| c.der()) == Some(anchor.der()) {
        links.pop();
    }
    let leaf = links.first().ok_or_else(|| {
        AuditError::InvalidEvidence("the evidence carries no certificate (x5c)".into())
    })?;
    if leaf.der() == anchor.der() {
        return Err(AuditError::InvalidEvidence(
            "signed by the CA itself, not by a signing certificate".into(),
        ));
    }
    let parsed: Vec<X509Certificate<'_>> = links
        .iter()
        .map(|c| parse(c.der()))
        .collect::<Result<_, _>>()?;
    valid_at(&anchor_cert, now)?;
    for (i, cert) in parsed.iter().enumerate() {
        valid_at(cert, now)?;
        let issuer = parsed.get(i + 1).unwrap_or(&anchor_cert);
        if i + 1 < parsed.len() && !is_ca(issuer) {
            return Err(AuditError::InvalidEvidence(format!(
                "certificate \"{}\" is not a CA",
                issuer.subject()
            )));
        }
        cert.verify_signature(Some(issuer.public_key()))
            .map_err(|_| {
                AuditError::InvalidEvidence(format!(
                    "certificate \"{}\" is not signed by \"{}\"",
                    cert.subject(),
                    issuer.subject()
                ))
            })?;
    }
    let leaf_cert = &parsed[0];
    if let Ok(Some(usage)) = leaf_cert.key_usage() {
        if !usage.value.digital_signature() {
            return Err(AuditError::InvalidEvidence(
                "the signing certificate may not sign".into(),
            ));
        }
    }
    Ok((info(leaf_cert), ed25519_key(leaf_cert)?))
}

/// A new platform CA and a signing certificate for `key` issued by it, valid from a day before
/// `now` (clocks differ). Returns the chain (leaf, CA) and the CA's private key as PKCS#8 PEM.
pub fn issue(
    key: &ed25519_dalek::SigningKey,
    now: DateTime<Utc>,
) -> Result<(Vec<Certificate>, String), AuditError> {
    let err = |e: rcgen::Error| AuditError::Certificate(e.to_string());
    let from = to_time(now - Duration::days(1))?;
    let ca_key = KeyPair::generate_for(&rcgen::PKCS_ED25519).map_err(err)?;
    let mut ca = CertificateParams::default();
    ca.distinguished_name = name(&format!("{PLATFORM_NAME} Platform CA"));
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    ca.not_before = from;
    ca.not_after = to_time(now + Duration::days(365 * CA_YEARS))?;
    ca.serial_number = Some(serial());
    let ca_cert = ca.self_signed(&ca_key).map_err(err)?;

    let pkcs8 = key
        .to_pkcs8_der()
        .map_err(|e| AuditError::Key(e.to_string()))?;
    let leaf_key = KeyPair::try_from(pkcs8.as_bytes()).map_err(err)?;
    let mut leaf = CertificateParams::default();
    leaf.distinguished_name = name(&format!("{PLATFORM_NAME} evidence signing"));
    leaf.is_ca = IsCa::ExplicitNoCa;
    leaf.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ];
    leaf.use_authority_key_identifier_extension = true;
    leaf.not_before = from;
    leaf.not_after = to_time(now + Duration::days(365 * LEAF_YEARS))?;
    leaf.serial_number = Some(serial());
    let issuer = Issuer::new(ca, &ca_key);
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).map_err(err)?;
    Ok((
        vec![
            Certificate(leaf_cert.der().to_vec()),
            Certificate(ca_cert.der().to_vec()),
        ],
        ca_key.serialize_pem(),
    ))
}

fn name(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    dn.push(DnType::OrganizationName, PLATFORM_NAME);
    dn.push(DnType::CountryName, "BG");
    dn
}

fn serial() -> SerialNumber {
    let mut bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    bytes[0] &= 0x7f; // positive, as RFC 5280 asks
    bytes[0] |= 0x01; // and with no leading zero byte to strip
    SerialNumber::from_slice(&bytes)
}

fn to_time(t: DateTime<Utc>) -> Result<time::OffsetDateTime, AuditError> {
    time::OffsetDateTime::from_unix_timestamp(t.timestamp())
        .map_err(|e| AuditError::Certificate(e.to_string()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn key() -> ed25519_dalek::SigningKey {
        ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng)
    }

    #[test]
    fn an_issued_chain_checks_against_its_ca_only() {
        let key = key();
        let (chain, _) = issue(&key, Utc::now()).unwrap();
        let (leaf, public) = check_chain(&chain, &chain[1], Utc::now()).unwrap();
        assert_eq!(public, key.verifying_key().to_bytes());
        assert!(leaf.subject.contains("Portico"), "{leaf:?}");
        assert!(leaf.not_after > Utc::now() + Duration::days(365 * 9));

        let (other, _) = issue(&self::key(), Utc::now()).unwrap();
        let err = check_chain(&chain, &other[1], Utc::now()).unwrap_err();
        assert!(err.to_string().contains("is not signed by"), "{err}");
        // A chain of someone else's leaf and this CA does not pass either.
        let forged = vec![other[0].clone(), chain[1].clone()];
        assert!(check_chain(&forged, &chain[1], Utc::now()).is_err());
        // Nor the CA's certificate standing in for a signing certificate.
        assert!(check_chain(&chain[1..], &chain[1], Utc::now()).is_err());
    }

    #[test]
    fn validity_is_checked() {
        let (chain, _) = issue(&key(), Utc::now()).unwrap();
        let later = Utc::now() + Duration::days(365 * 11);
        let err = check_chain(&chain, &chain[1], later).unwrap_err();
        assert!(err.to_string().contains("is valid from"), "{err}");
        let before = Utc::now() - Duration::days(2);
        assert!(check_chain(&chain, &chain[1], before).is_err());
    }

    #[test]
    fn pem_round_trip() {
        let (chain, _) = issue(&key(), Utc::now()).unwrap();
        let pem = certificates_to_pem(&chain);
        assert_eq!(certificates_from_pem(&pem).unwrap(), chain);
        assert!(certificates_from_pem("nothing here").is_err());
    }
}
