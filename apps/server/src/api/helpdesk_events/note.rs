//! The internal note written back to a ticket Kasa refused to charge: why, the packages that
//! would cover it, and a billing link for the customer; in the customer's language (Turkish
//! when the requester is not a known customer), with the words in `helpdesk_events.txt`.

use kasa_credits::ChargeRefusal;
use kasa_domain::{Credits, Department, Language, Package};
use kasa_helpdesk::event::Channel;
use kasa_locale::Locale;
use time::OffsetDateTime;

/// The tag put on a refused ticket, for the help desk's own rules to act on.
pub const REFUSED_TAG: &str = "kasa_refused";

/// Why the ticket was not charged.
#[derive(Debug, Clone)]
pub enum Why {
    /// The charge was refused by the package rules.
    Refused {
        /// The rule's refusal.
        refusal: ChargeRefusal,
        /// The department it would have been charged in.
        department: Department,
        /// The customer's balance.
        balance: Credits,
        /// What one ticket or chat costs there.
        price: Credits,
    },
    /// Kasa knows no customer as the requester.
    UnknownCustomer {
        /// The requester as the help desk named them (e-mail or id).
        requester: String,
    },
}

impl Why {
    /// The stable code of the refusal (the `code` of the matching problem of `POST /v1/charges`,
    /// or `customer-not-found`).
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Refused { refusal, .. } => match refusal {
                ChargeRefusal::DepartmentNotEnabled => "department-not-enabled",
                ChargeRefusal::InsufficientCredits { .. } => "insufficient-credits",
                ChargeRefusal::SubscriptionExpired { .. } => "subscription-expired",
                ChargeRefusal::NotCoveredBySubscription { .. } => "not-covered-by-subscription",
                ChargeRefusal::NoPackage { .. } => "no-package",
            },
            Self::UnknownCustomer { .. } => "customer-not-found",
        }
    }

    fn sentence(&self, locale: &Locale) -> String {
        let key = format!("helpdesk-events.refusal.{}", self.code());
        match self {
            Self::Refused {
                refusal,
                department,
                balance,
                price,
            } => {
                let ended = match refusal {
                    ChargeRefusal::SubscriptionExpired { ended_at, .. } => locale.date(*ended_at),
                    _ => String::new(),
                };
                locale.fill(
                    &key,
                    &[
                        ("department", &department.name),
                        ("balance", &locale.number(balance.get())),
                        ("price", &locale.number(price.get())),
                        ("date", &ended),
                    ],
                )
            }
            Self::UnknownCustomer { requester } => locale.fill(&key, &[("requester", requester)]),
        }
    }
}

/// A billing link made for the customer, to put in the note.
#[derive(Debug, Clone)]
pub struct LinkForNote {
    /// The full URL.
    pub url: String,
    /// Until when it opens the customer's billing.
    pub expires_at: OffsetDateTime,
}

/// The note's text.
#[must_use]
pub fn refusal_note(
    language: Language,
    channel: Channel,
    why: &Why,
    packages: &[Package],
    link: Option<&LinkForNote>,
) -> String {
    let locale = Locale::new(language);
    let what = locale.t(match channel {
        Channel::Ticket => "helpdesk-events.note.ticket",
        Channel::Chat => "helpdesk-events.note.chat",
    });
    let mut lines = vec![
        locale.fill("helpdesk-events.note.heading", &[("what", what)]),
        why.sentence(&locale),
    ];
    if matches!(why, Why::Refused { .. }) {
        if packages.is_empty() {
            lines.push(locale.t("helpdesk-events.note.no-packages").to_owned());
        } else {
            lines.push(locale.t("helpdesk-events.note.packages").to_owned());
            lines.extend(packages.iter().map(|package| {
                locale.fill(
                    "helpdesk-events.note.package-line",
                    &[
                        ("name", &package.name),
                        ("price", &locale.money(&package.price)),
                    ],
                )
            }));
        }
    }
    match link {
        Some(link) => lines.push(locale.fill(
            "helpdesk-events.note.link",
            &[
                ("url", &link.url),
                ("date", &locale.date_time(link.expires_at)),
            ],
        )),
        None => lines.push(locale.t("helpdesk-events.note.add-customer").to_owned()),
    }
    lines.push(locale.t("helpdesk-events.note.footer").to_owned());
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use kasa_domain::{Currency, DepartmentId, Money, PackageId, PackageKind};

    fn department() -> Department {
        Department {
            id: DepartmentId::from(uuid::Uuid::nil()),
            name: "Teknik destek".to_owned(),
            credits_per_request: Credits::new(2).unwrap(),
        }
    }

    #[test]
    fn an_insufficient_credits_note_names_the_numbers_the_packages_and_the_link() {
        let why = Why::Refused {
            refusal: ChargeRefusal::InsufficientCredits {
                balance: Credits::new(1).unwrap(),
                price: Credits::new(2).unwrap(),
            },
            department: department(),
            balance: Credits::new(1).unwrap(),
            price: Credits::new(2).unwrap(),
        };
        let package = Package {
            id: PackageId::from(uuid::Uuid::nil()),
            name: "10 kredi".to_owned(),
            kind: PackageKind::Credit {
                credits: Credits::new(10).unwrap(),
            },
            departments: std::collections::BTreeSet::new(),
            price: Money::new("149.90".parse().unwrap(), Currency::Try).unwrap(),
            on_sale: true,
            description: kasa_domain::PackageDescription::default(),
        };
        let link = LinkForNote {
            url: "https://kasa.example/billing?token=kasa_customer_x".to_owned(),
            expires_at: time::macros::datetime!(2026-12-07 10:00 UTC),
        };
        let english = refusal_note(
            Language::En,
            Channel::Ticket,
            &why,
            std::slice::from_ref(&package),
            Some(&link),
        );
        assert_eq!(why.code(), "insufficient-credits");
        for expected in ["ticket", "1", "2", "10 kredi", "149.90", &link.url] {
            assert!(english.contains(expected), "{expected} in {english}");
        }
        let turkish = refusal_note(Language::Tr, Channel::Chat, &why, &[package], None);
        assert!(turkish.contains("sohbet"), "{turkish}");
        assert!(turkish.contains("149,90"), "{turkish}");
        assert!(
            !turkish.contains("helpdesk-events."),
            "a key left: {turkish}"
        );
        assert!(
            !english.contains("helpdesk-events."),
            "a key left: {english}"
        );
    }

    #[test]
    fn an_unknown_requester_is_named() {
        let why = Why::UnknownCustomer {
            requester: "who@example.com".to_owned(),
        };
        let note = refusal_note(Language::En, Channel::Ticket, &why, &[], None);
        assert_eq!(why.code(), "customer-not-found");
        assert!(note.contains("who@example.com"), "{note}");
        assert!(!note.contains("helpdesk-events."), "a key left: {note}");
    }
}
