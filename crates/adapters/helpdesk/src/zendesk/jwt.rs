//! The token Zendesk posts to a server-side app's first page when its manifest says
//! `"signedUrls": true` (developer.zendesk.com, "Authenticating Zendesk in your server-side
//! app"): a JWT signed with RS256 by the app's own RSA key, sent as the form field `token`.
//!
//! The app's public key is the one Zendesk shows for the installed app
//! (`GET /api/v2/apps/{app_id}/public_key.pem`, a PEM `PUBLIC KEY`); the audience is the
//! installation, `https://{subdomain}.zendesk.com/api/v2/apps/installations/{installation_id}.json`;
//! the issuer is the account's host, `{subdomain}.zendesk.com`. A token is accepted only when
//! its signature verifies with that key, `alg` is `RS256`, `aud` and `iss` are exactly those,
//! and `exp` has not passed (with a little leeway for clocks).
//!
//! Verification is by hand on purpose: ring (already in the tree) checks the RSA signature, and
//! the rest is base64url and a few JSON fields; a JWT library would add a crate for that.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use serde::Deserialize;

/// The form field Zendesk posts the token in.
pub const TOKEN_FIELD: &str = "token";

/// How far past `exp` a token is still taken, in seconds (clocks differ a little).
pub const LEEWAY_SECONDS: i64 = 60;

/// Why a token is refused; each said so an operator knows what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    /// The stored key is not a PEM RSA public key.
    #[error("the app's public key is not a PEM RSA public key ({0})")]
    BadKey(&'static str),
    /// Not three base64url parts, or a part that is not the JSON it should be.
    #[error("the token is not a well-formed JWT ({0})")]
    Malformed(&'static str),
    /// The header names another algorithm than RS256.
    #[error("the token is signed with {0:?}, not RS256")]
    WrongAlgorithm(String),
    /// The signature does not verify with the app's public key.
    #[error("the token's signature does not verify with the app's public key")]
    BadSignature,
    /// The token is for another installation.
    #[error("the token is for the audience {0:?}, not this installation")]
    WrongAudience(String),
    /// The token was issued by another Zendesk account.
    #[error("the token was issued by {0:?}, not this installation's account")]
    WrongIssuer(String),
    /// The token's time has passed.
    #[error("the token expired at {expired_at} (now {now})")]
    Expired {
        /// Its `exp`, Unix seconds.
        expired_at: i64,
        /// The time it was checked at, Unix seconds.
        now: i64,
    },
}

/// What a verified token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppToken {
    /// The Zendesk user (agent) the app was opened by (`sub`), if given.
    pub user: Option<String>,
    /// When it expires, Unix seconds.
    pub expires_at: i64,
    /// The location the app was opened in (`context.location`), e.g. `ticket_sidebar`.
    pub location: Option<String>,
}

/// What a token must match.
#[derive(Debug, Clone)]
pub struct Expected<'a> {
    /// The installation: `https://{subdomain}.zendesk.com/api/v2/apps/installations/{id}.json`.
    pub audience: &'a str,
    /// The account: `{subdomain}.zendesk.com` (see [`issuer_of`]).
    pub issuer: &'a str,
    /// Now, Unix seconds.
    pub now: i64,
}

/// The issuer an installation's tokens carry: the host of its audience URL.
#[must_use]
pub fn issuer_of(audience: &str) -> Option<&str> {
    let rest = audience.strip_prefix("https://")?;
    let host = rest.split('/').next()?;
    (!host.is_empty()).then_some(host)
}

#[derive(Deserialize)]
struct Header {
    alg: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
struct Context {
    location: Option<String>,
}

#[derive(Deserialize)]
struct Claims {
    iss: Option<String>,
    aud: Option<Audience>,
    exp: Option<i64>,
    sub: Option<serde_json::Value>,
    context: Option<Context>,
}

/// Checks a token posted by Zendesk against the app's public key (PEM) and what it must match.
///
/// # Errors
/// A [`JwtError`] naming the first check that failed, in this order: key, form, algorithm,
/// signature, audience, issuer, expiry (so only a holder of the private key learns more than
/// "bad signature").
pub fn verify(
    token: &str,
    public_key_pem: &str,
    expected: &Expected<'_>,
) -> Result<AppToken, JwtError> {
    let key = rsa_public_key_der(public_key_pem)?;
    let mut parts = token.trim().split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Malformed("not three parts"));
    };
    let header: Header = json_part(header, "header")?;
    if header.alg != "RS256" {
        return Err(JwtError::WrongAlgorithm(header.alg));
    }
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| JwtError::Malformed("the signature is not base64url"))?;
    let signing_input = &token.trim()[..token.trim().len() - signature_len(token)];
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &key)
        .verify(signing_input.as_bytes(), &signature)
        .map_err(|_| JwtError::BadSignature)?;
    let claims: Claims = json_part(payload, "payload")?;
    let audience_matches = match &claims.aud {
        Some(Audience::One(one)) => one == expected.audience,
        Some(Audience::Many(many)) => many.iter().any(|one| one == expected.audience),
        None => false,
    };
    if !audience_matches {
        let named = match claims.aud {
            Some(Audience::One(one)) => one,
            Some(Audience::Many(many)) => many.join(" "),
            None => String::new(),
        };
        return Err(JwtError::WrongAudience(named));
    }
    if claims.iss.as_deref() != Some(expected.issuer) {
        return Err(JwtError::WrongIssuer(claims.iss.unwrap_or_default()));
    }
    let expires_at = claims.exp.ok_or(JwtError::Malformed("no exp claim"))?;
    if expected.now > expires_at.saturating_add(LEEWAY_SECONDS) {
        return Err(JwtError::Expired {
            expired_at: expires_at,
            now: expected.now,
        });
    }
    Ok(AppToken {
        user: claims.sub.map(|sub| match sub {
            serde_json::Value::String(text) => text,
            other => other.to_string(),
        }),
        expires_at,
        location: claims.context.and_then(|context| context.location),
    })
}

/// The length of the token's last part plus its dot (the signing input is what precedes it).
fn signature_len(token: &str) -> usize {
    token
        .trim()
        .rsplit('.')
        .next()
        .map_or(0, |last| last.len() + 1)
}

fn json_part<T: for<'de> Deserialize<'de>>(part: &str, what: &'static str) -> Result<T, JwtError> {
    let bytes = URL_SAFE_NO_PAD.decode(part).map_err(|_| {
        JwtError::Malformed(if what == "header" {
            "the header is not base64url"
        } else {
            "the payload is not base64url"
        })
    })?;
    serde_json::from_slice(&bytes).map_err(|_| {
        JwtError::Malformed(if what == "header" {
            "the header is not a JSON object"
        } else {
            "the payload is not the JSON claims expected"
        })
    })
}

/// The PKCS#1 `RSAPublicKey` DER ring wants, from a PEM `PUBLIC KEY` (SubjectPublicKeyInfo,
/// what Zendesk gives) or `RSA PUBLIC KEY` (PKCS#1).
///
/// # Errors
/// [`JwtError::BadKey`] when it is neither, or not RSA.
pub fn rsa_public_key_der(pem: &str) -> Result<Vec<u8>, JwtError> {
    let (label, der) = pem_body(pem)?;
    match label.as_str() {
        "RSA PUBLIC KEY" => Ok(der),
        "PUBLIC KEY" => spki_rsa_key(&der),
        _ => Err(JwtError::BadKey("expected BEGIN PUBLIC KEY")),
    }
}

/// Checks that a PEM holds an RSA public key ring can verify RS256 with (2048-8192 bits).
///
/// # Errors
/// [`JwtError::BadKey`].
pub fn check_public_key(pem: &str) -> Result<(), JwtError> {
    let der = rsa_public_key_der(pem)?;
    // ring refuses a key outside 2048-8192 bits only when verifying; say it when it is stored.
    let modulus_len = modulus_len(&der)?;
    if !(256..=1024).contains(&modulus_len) {
        return Err(JwtError::BadKey("the RSA key must be 2048-8192 bits"));
    }
    Ok(())
}

fn pem_body(pem: &str) -> Result<(String, Vec<u8>), JwtError> {
    let pem = pem.trim();
    let first = pem.lines().next().unwrap_or_default().trim();
    let label = first
        .strip_prefix("-----BEGIN ")
        .and_then(|rest| rest.strip_suffix("-----"))
        .ok_or(JwtError::BadKey("no BEGIN line"))?
        .to_owned();
    let end = format!("-----END {label}-----");
    let mut body = String::new();
    let mut ended = false;
    for line in pem.lines().skip(1) {
        let line = line.trim();
        if line == end {
            ended = true;
            break;
        }
        body.push_str(line);
    }
    if !ended {
        return Err(JwtError::BadKey("no END line"));
    }
    let der = STANDARD
        .decode(body)
        .map_err(|_| JwtError::BadKey("the body is not base64"))?;
    Ok((label, der))
}

/// One DER element: (tag, content, rest).
fn der_element(input: &[u8]) -> Result<(u8, &[u8], &[u8]), JwtError> {
    const BAD: JwtError = JwtError::BadKey("bad DER");
    let (&tag, rest) = input.split_first().ok_or(BAD)?;
    let (&first, mut rest) = rest.split_first().ok_or(BAD)?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return Err(BAD);
        }
        let (bytes, after) = rest.split_at(count);
        rest = after;
        bytes
            .iter()
            .fold(0_usize, |len, byte| (len << 8) | usize::from(*byte))
    };
    if rest.len() < len {
        return Err(BAD);
    }
    let (content, after) = rest.split_at(len);
    Ok((tag, content, after))
}

/// The rsaEncryption object identifier, 1.2.840.113549.1.1.1.
const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

/// SubjectPublicKeyInfo ::= SEQUENCE { SEQUENCE { OID, params }, BIT STRING } -> the bit
/// string's bytes (an `RSAPublicKey`), when the algorithm is rsaEncryption.
fn spki_rsa_key(der: &[u8]) -> Result<Vec<u8>, JwtError> {
    let (tag, spki, _) = der_element(der)?;
    if tag != 0x30 {
        return Err(JwtError::BadKey("not a DER sequence"));
    }
    let (tag, algorithm, rest) = der_element(spki)?;
    if tag != 0x30 {
        return Err(JwtError::BadKey("no algorithm identifier"));
    }
    let (tag, oid, _) = der_element(algorithm)?;
    if tag != 0x06 || oid != RSA_ENCRYPTION {
        return Err(JwtError::BadKey("not an RSA key"));
    }
    let (tag, bits, _) = der_element(rest)?;
    match (tag, bits.split_first()) {
        (0x03, Some((0, key))) => Ok(key.to_vec()),
        _ => Err(JwtError::BadKey("no public key bit string")),
    }
}

/// The length in bytes of the first INTEGER of a SEQUENCE (an RSA modulus, without its sign
/// byte).
fn modulus_len(der: &[u8]) -> Result<usize, JwtError> {
    let (tag, sequence, _) = der_element(der)?;
    if tag != 0x30 {
        return Err(JwtError::BadKey("not a DER sequence"));
    }
    let (tag, modulus, _) = der_element(sequence)?;
    if tag != 0x02 {
        return Err(JwtError::BadKey("no modulus"));
    }
    let modulus = modulus.strip_prefix(&[0]).unwrap_or(modulus);
    Ok(modulus.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;
    use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};

    const PRIVATE: &str = include_str!("../../tests/keys/zendesk-app-test.pk8.pem");
    const PUBLIC: &str = include_str!("../../tests/keys/zendesk-app-test.pub.pem");
    const OTHER_PUBLIC: &str = include_str!("../../tests/keys/other-app-test.pub.pem");
    const AUDIENCE: &str = "https://acme.zendesk.com/api/v2/apps/installations/360001.json";
    const NOW: i64 = 1_798_761_600;

    fn sign(header: &str, claims: &serde_json::Value) -> String {
        let (_, der) = pem_body(PRIVATE).unwrap();
        let pair = RsaKeyPair::from_pkcs8(&der).unwrap();
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = vec![0; pair.public().modulus_len()];
        pair.sign(
            &RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            input.as_bytes(),
            &mut signature,
        )
        .unwrap();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    fn claims(aud: &str, iss: &str, exp: i64) -> serde_json::Value {
        serde_json::json!({
            "iss": iss, "aud": aud, "exp": exp, "iat": exp - 300, "sub": 42,
            "qsh": "", "context": {"product": "support", "location": "ticket_sidebar"}
        })
    }

    fn expected() -> Expected<'static> {
        Expected {
            audience: AUDIENCE,
            issuer: issuer_of(AUDIENCE).unwrap(),
            now: NOW,
        }
    }

    const RS256: &str = r#"{"typ":"JWT","alg":"RS256"}"#;

    #[test]
    fn a_token_signed_with_the_apps_key_for_this_installation_verifies() {
        let token = sign(RS256, &claims(AUDIENCE, "acme.zendesk.com", NOW + 300));
        let verified = verify(&token, PUBLIC, &expected()).unwrap();
        assert_eq!(verified.user.as_deref(), Some("42"));
        assert_eq!(verified.location.as_deref(), Some("ticket_sidebar"));
        assert_eq!(verified.expires_at, NOW + 300);
    }

    #[test]
    fn another_key_a_changed_payload_and_another_algorithm_are_refused() {
        let token = sign(RS256, &claims(AUDIENCE, "acme.zendesk.com", NOW + 300));
        assert_eq!(
            verify(&token, OTHER_PUBLIC, &expected()),
            Err(JwtError::BadSignature)
        );
        let parts: Vec<&str> = token.split('.').collect();
        let forged =
            URL_SAFE_NO_PAD.encode(claims(AUDIENCE, "acme.zendesk.com", NOW + 99_999).to_string());
        let tampered = format!("{}.{forged}.{}", parts[0], parts[2]);
        assert_eq!(
            verify(&tampered, PUBLIC, &expected()),
            Err(JwtError::BadSignature)
        );
        let none = sign(
            r#"{"alg":"HS256"}"#,
            &claims(AUDIENCE, "acme.zendesk.com", NOW + 300),
        );
        assert_eq!(
            verify(&none, PUBLIC, &expected()),
            Err(JwtError::WrongAlgorithm("HS256".to_owned()))
        );
        assert!(matches!(
            verify("a.b", PUBLIC, &expected()),
            Err(JwtError::Malformed(_))
        ));
    }

    #[test]
    fn another_installation_another_account_and_an_expired_token_are_refused() {
        let other = "https://acme.zendesk.com/api/v2/apps/installations/999.json";
        let token = sign(RS256, &claims(other, "acme.zendesk.com", NOW + 300));
        assert_eq!(
            verify(&token, PUBLIC, &expected()),
            Err(JwtError::WrongAudience(other.to_owned()))
        );
        let token = sign(RS256, &claims(AUDIENCE, "evil.zendesk.com", NOW + 300));
        assert_eq!(
            verify(&token, PUBLIC, &expected()),
            Err(JwtError::WrongIssuer("evil.zendesk.com".to_owned()))
        );
        let token = sign(
            RS256,
            &claims(AUDIENCE, "acme.zendesk.com", NOW - LEEWAY_SECONDS - 1),
        );
        assert!(matches!(
            verify(&token, PUBLIC, &expected()),
            Err(JwtError::Expired { .. })
        ));
        let token = sign(
            RS256,
            &claims(AUDIENCE, "acme.zendesk.com", NOW - LEEWAY_SECONDS),
        );
        assert!(verify(&token, PUBLIC, &expected()).is_ok());
    }

    #[test]
    fn keys_are_read_from_pem_and_checked() {
        assert_eq!(check_public_key(PUBLIC), Ok(()));
        assert!(check_public_key("not a key").is_err());
        assert!(check_public_key(PRIVATE).is_err());
        assert_eq!(
            issuer_of(AUDIENCE),
            Some("acme.zendesk.com"),
            "the issuer is the audience's host"
        );
        assert_eq!(issuer_of("http://acme.zendesk.com/x"), None);
    }
}
