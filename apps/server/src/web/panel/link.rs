//! The signed panel URL (docs/panel.md) and the panel's own short session.
//!
//! A help desk opens `/panel?integration=…&email=…&ticket=…&expires=…&signature=…`, signed with
//! the integration's secret: HMAC-SHA256 over the canonical string, which is every parameter
//! but `signature`, as `key=value` lines sorted by key and joined by `\n` (values decoded, none
//! with a line break, no key twice, no key Kasa does not know — so no two sets of parameters give
//! the same string). The signature is checked in constant time (`ring::hmac::verify`).
//!
//! Third-party cookies are blocked in iframes, so the panel's session is not a cookie: it is a
//! token carried in the panel's own links (ADR 0009), bound to the integration and the customer,
//! signed with the same secret under another label, and short-lived. Revoking the integration
//! ends every one of its sessions at once, since each request looks the integration up.

use kasa_domain::{CustomerId, EmailAddress, ExternalId, IntegrationId, Language};
use ring::hmac;

/// A signed URL may be used at most this long after its `expires` (clocks differ a little).
pub const CLOCK_SKEW_SECONDS: i64 = 60;
/// A signed URL's `expires` may be at most this far ahead: a URL is a one-moment grant.
pub const MAX_LIFETIME_SECONDS: i64 = 300;
/// How long the panel's session lasts after a signed URL opened it.
pub const SESSION_SECONDS: i64 = 30 * 60;

/// The parameters a signed URL may carry, besides `signature`.
const KNOWN: [&str; 6] = [
    "email",
    "expires",
    "external_id",
    "integration",
    "lang",
    "ticket",
];

/// Who the panel is for, as the host named them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PanelCustomer {
    /// By e-mail.
    Email(EmailAddress),
    /// By the id in the help desk (`zendesk:12345`).
    External(ExternalId),
}

/// A signed URL's parameters, read but not yet verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedLink {
    /// Which integration signed it.
    pub integration: IntegrationId,
    /// The customer.
    pub customer: PanelCustomer,
    /// The help desk's ticket, shown in the panel's heading.
    pub ticket: Option<String>,
    /// Unix seconds after which the URL opens nothing.
    pub expires: i64,
    /// The language asked for; else the customer's.
    pub language: Option<Language>,
    /// The signature, as sent (lower-case hex).
    pub signature: String,
    /// What was signed.
    pub canonical: String,
}

/// Why a signed URL (or a panel session) opens nothing; each is a page with its status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkRefusal {
    /// 401: no `signature` parameter.
    NoSignature,
    /// 400: a parameter missing, repeated, unknown or malformed (what, for the page).
    Malformed(String),
    /// 401: no integration has this id.
    UnknownIntegration,
    /// 401: the signature does not match (a parameter was changed, or another secret signed).
    BadSignature,
    /// 401: `expires` has passed.
    Expired,
    /// 401: `expires` is further ahead than [`MAX_LIFETIME_SECONDS`].
    TooLong,
    /// 403: the integration was revoked.
    Revoked,
    /// 401: the panel's session ended (or its token is not one Kasa gave).
    SessionEnded,
}

impl LinkRefusal {
    /// The stable code (docs/api-errors.md) and the words key of the page.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::NoSignature => "panel-signature-missing",
            Self::Malformed(_) => "panel-link-invalid",
            Self::UnknownIntegration => "panel-integration-unknown",
            Self::BadSignature => "panel-signature-invalid",
            Self::Expired => "panel-link-expired",
            Self::TooLong => "panel-link-too-long",
            Self::Revoked => "panel-integration-revoked",
            Self::SessionEnded => "panel-session-ended",
        }
    }

    /// The HTTP status of the page.
    pub const fn status(&self) -> u16 {
        match self {
            Self::Malformed(_) => 400,
            Self::Revoked => 403,
            _ => 401,
        }
    }
}

/// Reads a signed URL's query (`application/x-www-form-urlencoded`).
///
/// # Errors
/// [`LinkRefusal::NoSignature`] first when there is no signature, else
/// [`LinkRefusal::Malformed`].
pub fn parse(query: &str) -> Result<SignedLink, LinkRefusal> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect();
    let signature = match pairs.iter().filter(|(key, _)| key == "signature").count() {
        0 => return Err(LinkRefusal::NoSignature),
        1 => pairs
            .iter()
            .find(|(key, _)| key == "signature")
            .map(|(_, value)| value.to_ascii_lowercase())
            .unwrap_or_default(),
        _ => return Err(malformed("`signature` is given twice")),
    };
    let signed: Vec<(String, String)> = pairs
        .into_iter()
        .filter(|(key, _)| key != "signature")
        .collect();
    let canonical = canonical(&signed)?;
    let one = |name: &str| {
        signed
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    let integration = one("integration")
        .ok_or_else(|| malformed("`integration` is missing"))?
        .parse::<uuid::Uuid>()
        .map(IntegrationId::from)
        .map_err(|_| malformed("`integration` is not an integration id"))?;
    let customer = customer(one("email"), one("external_id"))?;
    let ticket = ticket(one("ticket"))?;
    let expires = one("expires")
        .ok_or_else(|| malformed("`expires` is missing"))?
        .parse::<i64>()
        .map_err(|_| malformed("`expires` is not a whole number of Unix seconds"))?;
    let language = asked_language(one("lang"))?;
    if signature.len() != 64 || !signature.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return Err(LinkRefusal::BadSignature);
    }
    Ok(SignedLink {
        integration,
        customer,
        ticket,
        expires,
        language,
        signature,
        canonical,
    })
}

/// The customer named by exactly one of `email` and `external_id` (`system:value`).
///
/// # Errors
/// [`LinkRefusal::Malformed`].
pub fn customer(
    email: Option<&str>,
    external_id: Option<&str>,
) -> Result<PanelCustomer, LinkRefusal> {
    match (email, external_id) {
        (Some(email), None) => Ok(PanelCustomer::Email(
            EmailAddress::parse(email)
                .map_err(|_| malformed("`email` is not an e-mail address"))?,
        )),
        (None, Some(external)) => {
            let (system, value) = external
                .split_once(':')
                .ok_or_else(|| malformed("`external_id` is not `system:value`"))?;
            Ok(PanelCustomer::External(
                ExternalId::new(system, value)
                    .map_err(|_| malformed("`external_id` is not `system:value`"))?,
            ))
        }
        _ => Err(malformed("give exactly one of `email` and `external_id`")),
    }
}

/// A ticket id as the panel shows it: 1-100 characters.
///
/// # Errors
/// [`LinkRefusal::Malformed`].
pub fn ticket(ticket: Option<&str>) -> Result<Option<String>, LinkRefusal> {
    match ticket {
        Some(ticket) if ticket.is_empty() || ticket.chars().count() > 100 => {
            Err(malformed("`ticket` is 1-100 characters"))
        }
        other => Ok(other.map(str::to_owned)),
    }
}

/// The language a `lang` parameter asks for, if given.
///
/// # Errors
/// [`LinkRefusal::Malformed`] for anything but `tr` and `en`.
pub fn asked_language(code: Option<&str>) -> Result<Option<Language>, LinkRefusal> {
    code.map(|code| language(code).ok_or_else(|| malformed("`lang` is `tr` or `en`")))
        .transpose()
}

fn malformed(what: &str) -> LinkRefusal {
    LinkRefusal::Malformed(what.to_owned())
}

fn language(code: &str) -> Option<Language> {
    match code {
        "tr" => Some(Language::Tr),
        "en" => Some(Language::En),
        _ => None,
    }
}

/// The string a host signs: `key=value` lines sorted by key, joined by `\n`, no final newline.
///
/// # Errors
/// [`LinkRefusal::Malformed`] for a key Kasa does not know, a key given twice, or a value with
/// a line break (each would let two different URLs sign the same string).
pub fn canonical(pairs: &[(String, String)]) -> Result<String, LinkRefusal> {
    let mut sorted: Vec<&(String, String)> = pairs.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    if let Some(unknown) = sorted
        .iter()
        .find(|(key, _)| !KNOWN.contains(&key.as_str()))
    {
        return Err(LinkRefusal::Malformed(format!(
            "`{}` is not a panel parameter",
            unknown.0.chars().take(40).collect::<String>()
        )));
    }
    if sorted.windows(2).any(|pair| pair[0].0 == pair[1].0) {
        return Err(malformed("a parameter is given twice"));
    }
    if sorted.iter().any(|(_, value)| value.contains(['\n', '\r'])) {
        return Err(malformed("a value holds a line break"));
    }
    Ok(sorted
        .iter()
        .map(|(key, value)| format!("{key}={value}"))
        .collect::<Vec<_>>()
        .join("\n"))
}

/// The lower-case hex HMAC-SHA256 of `message` under `secret`.
pub fn sign(secret: &str, message: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    hex::encode(hmac::sign(&key, message.as_bytes()).as_ref())
}

/// Whether `signature_hex` is the HMAC-SHA256 of `message` under `secret` (constant time).
pub fn verify(secret: &str, message: &str, signature_hex: &str) -> bool {
    let Ok(signature) = hex::decode(signature_hex) else {
        return false;
    };
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    hmac::verify(&key, message.as_bytes(), &signature).is_ok()
}

/// Whether a URL that expires at `expires` may open the panel at `now` (Unix seconds).
///
/// # Errors
/// [`LinkRefusal::Expired`] or [`LinkRefusal::TooLong`].
pub const fn check_time(expires: i64, now: i64) -> Result<(), LinkRefusal> {
    if now > expires.saturating_add(CLOCK_SKEW_SECONDS) {
        Err(LinkRefusal::Expired)
    } else if expires > now.saturating_add(MAX_LIFETIME_SECONDS) {
        Err(LinkRefusal::TooLong)
    } else {
        Ok(())
    }
}

/// The panel's session: which integration, which customer, in which language, until when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PanelSession {
    /// The integration that opened it.
    pub integration: IntegrationId,
    /// The only customer it shows.
    pub customer: CustomerId,
    /// The page's language.
    pub language: Language,
    /// Unix seconds when it ends.
    pub expires: i64,
}

impl PanelSession {
    fn message(&self) -> String {
        format!(
            "kasa panel session v1\n{}\n{}\n{}\n{}",
            self.integration,
            self.customer,
            self.language.code(),
            self.expires
        )
    }

    /// The token the panel's links carry: the fields and their MAC under the integration's
    /// secret (a label no signed URL's canonical string can start with).
    pub fn token(&self, secret: &str) -> String {
        format!(
            "{}.{}.{}.{}.{}",
            self.integration,
            self.customer,
            self.language.code(),
            self.expires,
            sign(secret, &self.message())
        )
    }

    /// Reads a token's fields, not yet verified.
    ///
    /// # Errors
    /// [`LinkRefusal::SessionEnded`] for a token Kasa did not make.
    pub fn read(token: &str) -> Result<(Self, String), LinkRefusal> {
        let parts: Vec<&str> = token.split('.').collect();
        let [integration, customer, code, expires, mac] = parts.as_slice() else {
            return Err(LinkRefusal::SessionEnded);
        };
        let session = Self {
            integration: integration
                .parse::<uuid::Uuid>()
                .map(IntegrationId::from)
                .map_err(|_| LinkRefusal::SessionEnded)?,
            customer: customer
                .parse::<uuid::Uuid>()
                .map(CustomerId::from)
                .map_err(|_| LinkRefusal::SessionEnded)?,
            language: language(code).ok_or(LinkRefusal::SessionEnded)?,
            expires: expires.parse().map_err(|_| LinkRefusal::SessionEnded)?,
        };
        Ok((session, (*mac).to_owned()))
    }

    /// Checks a token read by [`Self::read`] against the integration's secret and the time.
    ///
    /// # Errors
    /// [`LinkRefusal::SessionEnded`].
    pub fn check(&self, secret: &str, mac: &str, now: i64) -> Result<(), LinkRefusal> {
        if verify(secret, &self.message(), mac) && now <= self.expires {
            Ok(())
        } else {
            Err(LinkRefusal::SessionEnded)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of docs/panel.md, exactly.
    const DOC_SECRET: &str = "kasa-panel-test-secret";
    const DOC_QUERY: &str = "integration=0193a5c2-7d4e-7000-8000-0000000000aa\
        &email=ayse%40example.com&ticket=12345&expires=1798761600&lang=tr\
        &signature=2a35ea76270c505827d6b4079d8acad5fb15c46bc70be7c992574bbad8557bf1";
    const DOC_CANONICAL: &str = "email=ayse@example.com\nexpires=1798761600\n\
        integration=0193a5c2-7d4e-7000-8000-0000000000aa\nlang=tr\nticket=12345";

    #[test]
    fn the_documented_example_verifies_with_the_documented_signature() {
        let link = parse(DOC_QUERY).unwrap();
        assert_eq!(link.canonical, DOC_CANONICAL);
        assert_eq!(
            sign(DOC_SECRET, DOC_CANONICAL),
            "2a35ea76270c505827d6b4079d8acad5fb15c46bc70be7c992574bbad8557bf1"
        );
        assert!(verify(DOC_SECRET, &link.canonical, &link.signature));
        assert_eq!(link.ticket.as_deref(), Some("12345"));
        assert_eq!(link.language, Some(Language::Tr));
        assert_eq!(
            link.customer,
            PanelCustomer::Email(EmailAddress::parse("ayse@example.com").unwrap())
        );
        let docs = include_str!("../../../../../docs/panel.md");
        for needed in [DOC_SECRET, DOC_CANONICAL, &link.signature] {
            assert!(docs.contains(needed), "docs/panel.md lacks {needed:?}");
        }
    }

    #[test]
    fn a_changed_parameter_or_another_secret_does_not_verify() {
        let tampered = parse(&DOC_QUERY.replace("ticket=12345", "ticket=12346")).unwrap();
        assert!(!verify(
            DOC_SECRET,
            &tampered.canonical,
            &tampered.signature
        ));
        let link = parse(DOC_QUERY).unwrap();
        assert!(!verify("another secret", &link.canonical, &link.signature));
        assert!(!verify(DOC_SECRET, &link.canonical, "00"));
        assert!(!verify(DOC_SECRET, &link.canonical, "zz"));
    }

    #[test]
    fn ambiguous_or_incomplete_urls_are_refused() {
        assert_eq!(
            parse("integration=0193a5c2-7d4e-7000-8000-0000000000aa&email=a%40b.example"),
            Err(LinkRefusal::NoSignature)
        );
        for query in [
            "email=a%40b.example&expires=1&signature=00",
            "integration=0193a5c2-7d4e-7000-8000-0000000000aa&expires=1&signature=00",
            "integration=0193a5c2-7d4e-7000-8000-0000000000aa&email=a%40b.example\
             &external_id=zendesk%3A1&expires=1&signature=00",
            "integration=0193a5c2-7d4e-7000-8000-0000000000aa&email=a%40b.example\
             &email=c%40d.example&expires=1&signature=00",
            "integration=0193a5c2-7d4e-7000-8000-0000000000aa&email=a%40b.example\
             &expires=1&extra=1&signature=00",
            "integration=0193a5c2-7d4e-7000-8000-0000000000aa&email=a%40b.example\
             &expires=1&ticket=1%0Aemail%3Dx&signature=00",
            "integration=0193a5c2-7d4e-7000-8000-0000000000aa&email=a%40b.example\
             &expires=soon&signature=00",
        ] {
            assert!(
                matches!(parse(query), Err(LinkRefusal::Malformed(_))),
                "{query} was not refused as malformed"
            );
        }
    }

    #[test]
    fn a_url_opens_only_around_its_moment() {
        assert_eq!(check_time(1_000, 1_000), Ok(()));
        assert_eq!(check_time(1_000, 1_060), Ok(()));
        assert_eq!(check_time(1_000, 1_061), Err(LinkRefusal::Expired));
        assert_eq!(check_time(1_300, 1_000), Ok(()));
        assert_eq!(check_time(1_301, 1_000), Err(LinkRefusal::TooLong));
    }

    #[test]
    fn a_session_token_belongs_to_its_integration_customer_and_time() {
        let session = PanelSession {
            integration: IntegrationId::from(uuid::Uuid::now_v7()),
            customer: CustomerId::from(uuid::Uuid::now_v7()),
            language: Language::En,
            expires: 2_000,
        };
        let token = session.token("secret");
        let (read, mac) = PanelSession::read(&token).unwrap();
        assert_eq!(read, session);
        assert_eq!(read.check("secret", &mac, 2_000), Ok(()));
        assert_eq!(
            read.check("secret", &mac, 2_001),
            Err(LinkRefusal::SessionEnded)
        );
        assert_eq!(
            read.check("other", &mac, 1_000),
            Err(LinkRefusal::SessionEnded)
        );
        let other_customer = token.replacen(
            &session.customer.to_string(),
            &uuid::Uuid::now_v7().to_string(),
            1,
        );
        let (forged, mac) = PanelSession::read(&other_customer).unwrap();
        assert_eq!(
            forged.check("secret", &mac, 1_000),
            Err(LinkRefusal::SessionEnded)
        );
    }
}
