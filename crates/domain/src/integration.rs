//! Help-desk integrations: which help desk embeds Kasa's panel, and the web origins allowed to
//! frame it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The help desk an integration serves (the next issue plugs the first three in by name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntegrationKind {
    /// Zendesk.
    Zendesk,
    /// Freshdesk.
    Freshdesk,
    /// Help Scout.
    Helpscout,
    /// Any other help desk, including one a customer built, following docs/panel.md.
    Custom,
}

impl IntegrationKind {
    /// Every kind.
    pub const ALL: [Self; 4] = [
        Self::Zendesk,
        Self::Freshdesk,
        Self::Helpscout,
        Self::Custom,
    ];

    /// Its name, as stored and sent: `zendesk`, `freshdesk`, `helpscout`, `custom`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Zendesk => "zendesk",
            Self::Freshdesk => "freshdesk",
            Self::Helpscout => "helpscout",
            Self::Custom => "custom",
        }
    }
}

impl fmt::Display for IntegrationKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

/// A name that is not an integration kind.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an integration kind (zendesk, freshdesk, helpscout or custom)")]
pub struct UnknownIntegrationKind(pub String);

impl FromStr for IntegrationKind {
    type Err = UnknownIntegrationKind;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.name() == text)
            .ok_or_else(|| UnknownIntegrationKind(text.chars().take(40).collect()))
    }
}

/// A web origin allowed to frame the panel (`frame-ancestors`): `https://host[:port]`, or
/// `http://` for the machine itself (`localhost`, `127.0.0.1`) while a help desk is built.
/// Kept lower case, without a path; no wildcard, so one integration names its hosts exactly.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FrameOrigin(String);

/// Why a text is not a [`FrameOrigin`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not an origin like https://acme.zendesk.com (https, a host name, an optional \
     port, no path; http only for localhost or 127.0.0.1)"
)]
pub struct FrameOriginError(pub String);

impl FrameOrigin {
    /// Checks and normalises an origin (lower case, no trailing slash).
    ///
    /// # Errors
    /// [`FrameOriginError`] for anything but `scheme://host[:port]` as described above.
    pub fn parse(text: &str) -> Result<Self, FrameOriginError> {
        let refuse = || FrameOriginError(text.chars().take(100).collect());
        let lower = text.trim().trim_end_matches('/').to_ascii_lowercase();
        let (scheme, rest) = lower.split_once("://").ok_or_else(refuse)?;
        let (host, port) = match rest.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (rest, None),
        };
        let host_ok = !host.is_empty()
            && host.len() <= 253
            && host.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label
                        .bytes()
                        .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-')
            });
        let port_ok = port.is_none_or(|port| {
            !port.is_empty()
                && port.len() <= 5
                && port.bytes().all(|byte| byte.is_ascii_digit())
                && port.parse::<u16>().is_ok_and(|number| number > 0)
        });
        let scheme_ok = match scheme {
            "https" => true,
            "http" => matches!(host, "localhost" | "127.0.0.1"),
            _ => false,
        };
        if host_ok && port_ok && scheme_ok {
            Ok(Self(lower))
        } else {
            Err(refuse())
        }
    }

    /// The origin as text, e.g. `https://acme.zendesk.com`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FrameOrigin {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl TryFrom<String> for FrameOrigin {
    type Error = FrameOriginError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<FrameOrigin> for String {
    fn from(origin: FrameOrigin) -> Self {
        origin.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_exact_hosts_over_https_or_the_machine_itself() {
        for (text, expected) in [
            ("https://acme.zendesk.com", "https://acme.zendesk.com"),
            ("HTTPS://Acme.Zendesk.com/", "https://acme.zendesk.com"),
            ("https://desk.example:8443", "https://desk.example:8443"),
            ("http://127.0.0.1:5173", "http://127.0.0.1:5173"),
            ("http://localhost", "http://localhost"),
        ] {
            assert_eq!(FrameOrigin::parse(text).unwrap().as_str(), expected);
        }
        for text in [
            "acme.zendesk.com",
            "http://acme.zendesk.com",
            "https://*.zendesk.com",
            "https://acme.zendesk.com/agent",
            "https://acme.zendesk.com; script-src *",
            "https://acme.zendesk.com:0",
            "https://acme.zendesk.com:99999",
            "https://",
            "ftp://acme.example",
            "'self'",
        ] {
            assert!(FrameOrigin::parse(text).is_err(), "{text} was accepted");
        }
    }

    #[test]
    fn kinds_round_trip_by_name() {
        for kind in IntegrationKind::ALL {
            assert_eq!(kind.name().parse::<IntegrationKind>().unwrap(), kind);
        }
        assert!("jira".parse::<IntegrationKind>().is_err());
    }
}
