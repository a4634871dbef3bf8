//! Instants as RFC 3339 text (`2026-12-03T08:08:50.926427Z`) wherever Kasa's records are
//! serialised: API answers, audit entries, stored JSON. Use with
//! `#[serde(with = "kasa_domain::instant")]` (or `instant::option` for an `Option`).
//!
//! Reading also accepts the tuple form (`[2026,337,8,8,50,926427000,0,0,0]`) that `time`'s own
//! serde writes, so JSON stored before this module existed still reads back.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// An instant as stored: RFC 3339 text, or the tuple of older rows.
#[derive(Deserialize)]
#[serde(untagged)]
enum Stored {
    Text(String),
    Tuple(OffsetDateTime),
}

impl Stored {
    fn instant<E: serde::de::Error>(self) -> Result<OffsetDateTime, E> {
        match self {
            Self::Text(text) => OffsetDateTime::parse(&text, &Rfc3339)
                .map_err(|error| E::custom(format!("not an RFC 3339 instant ({error}): {text}"))),
            Self::Tuple(instant) => Ok(instant),
        }
    }
}

/// `at` as RFC 3339 text, for the few places that put an instant into JSON by hand.
#[must_use]
pub fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339)
        .unwrap_or_else(|_| unreachable!("Kasa's instants lie in years 0-9999"))
}

/// Writes `at` as RFC 3339 text.
///
/// # Errors
/// When the instant cannot be written as RFC 3339 (a year beyond 9999) or the serializer fails.
pub fn serialize<S: Serializer>(at: &OffsetDateTime, serializer: S) -> Result<S::Ok, S::Error> {
    at.format(&Rfc3339)
        .map_err(serde::ser::Error::custom)?
        .serialize(serializer)
}

/// Reads RFC 3339 text (or the older tuple form).
///
/// # Errors
/// When the value is neither.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<OffsetDateTime, D::Error> {
    Stored::deserialize(deserializer)?.instant()
}

/// The same for `Option<OffsetDateTime>` (`null` when absent).
pub mod option {
    use super::{OffsetDateTime, Stored};
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes `at` as RFC 3339 text, or `null`.
    ///
    /// # Errors
    /// As [`super::serialize`].
    #[allow(clippy::ref_option)]
    pub fn serialize<S: Serializer>(
        at: &Option<OffsetDateTime>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => super::serialize(at, serializer),
            None => serializer.serialize_none(),
        }
    }

    /// Reads RFC 3339 text (or the older tuple form), or `null`.
    ///
    /// # Errors
    /// When the value is none of these.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<OffsetDateTime>, D::Error> {
        Option::<Stored>::deserialize(deserializer)?
            .map(Stored::instant)
            .transpose()
    }
}

/// The same for an optional span, `Option<(start, end)>`: written as
/// `{"starts_at": …, "ends_at": …}` (or `null`); read from that or from the older pair.
pub mod option_span {
    use super::{OffsetDateTime, Stored};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize)]
    struct Written {
        #[serde(with = "super")]
        starts_at: OffsetDateTime,
        #[serde(with = "super")]
        ends_at: OffsetDateTime,
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Read {
        Named { starts_at: Stored, ends_at: Stored },
        Pair(Stored, Stored),
    }

    /// Writes the span, or `null`.
    ///
    /// # Errors
    /// As [`super::serialize`].
    #[allow(clippy::ref_option)]
    pub fn serialize<S: Serializer>(
        span: &Option<(OffsetDateTime, OffsetDateTime)>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        span.map(|(starts_at, ends_at)| Written { starts_at, ends_at })
            .serialize(serializer)
    }

    /// Reads the span (either form), or `null`.
    ///
    /// # Errors
    /// When the value is none of these.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<(OffsetDateTime, OffsetDateTime)>, D::Error> {
        match Option::<Read>::deserialize(deserializer)? {
            None => Ok(None),
            Some(Read::Named { starts_at, ends_at } | Read::Pair(starts_at, ends_at)) => {
                Ok(Some((starts_at.instant()?, ends_at.instant()?)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};
    use time::macros::datetime;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Term {
        #[serde(with = "crate::instant")]
        starts_at: time::OffsetDateTime,
        #[serde(with = "crate::instant::option", default)]
        cancelled_at: Option<time::OffsetDateTime>,
    }

    #[test]
    fn instants_are_written_as_rfc_3339_and_read_back() {
        let term = Term {
            starts_at: datetime!(2026-12-03 08:08:50.926427 UTC),
            cancelled_at: None,
        };
        let json = serde_json::to_string(&term).unwrap();
        assert_eq!(
            json,
            r#"{"starts_at":"2026-12-03T08:08:50.926427Z","cancelled_at":null}"#
        );
        assert_eq!(serde_json::from_str::<Term>(&json).unwrap(), term);
    }

    #[test]
    fn the_older_tuple_form_still_reads() {
        let stored = r#"{"starts_at":[2026,337,8,8,50,926427000,0,0,0],"cancelled_at":[2026,337,9,0,0,0,3,0,0]}"#;
        let term: Term = serde_json::from_str(stored).unwrap();
        assert_eq!(term.starts_at, datetime!(2026-12-03 08:08:50.926427 UTC));
        assert_eq!(term.cancelled_at, Some(datetime!(2026-12-03 09:00:00 +3)));
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Outcome {
        #[serde(with = "crate::instant::option_span", default)]
        term: Option<(time::OffsetDateTime, time::OffsetDateTime)>,
    }

    #[test]
    fn a_span_is_written_with_names_and_the_older_pair_still_reads() {
        let outcome = Outcome {
            term: Some((
                datetime!(2026-12-03 00:00 UTC),
                datetime!(2027-01-02 00:00 UTC),
            )),
        };
        let json = serde_json::to_string(&outcome).unwrap();
        assert_eq!(
            json,
            r#"{"term":{"starts_at":"2026-12-03T00:00:00Z","ends_at":"2027-01-02T00:00:00Z"}}"#
        );
        assert_eq!(serde_json::from_str::<Outcome>(&json).unwrap(), outcome);
        let older = r#"{"term":[[2026,337,0,0,0,0,0,0,0],[2027,2,0,0,0,0,0,0,0]]}"#;
        assert_eq!(serde_json::from_str::<Outcome>(older).unwrap(), outcome);
        assert_eq!(
            serde_json::from_str::<Outcome>(r#"{"term":null}"#).unwrap(),
            Outcome { term: None }
        );
    }

    #[test]
    fn anything_else_is_refused() {
        assert!(serde_json::from_str::<Term>(r#"{"starts_at":"yesterday"}"#).is_err());
        assert!(serde_json::from_str::<Term>(r#"{"starts_at":12}"#).is_err());
    }
}
