//! The operator's mail when Kasa switches off an outgoing webhook endpoint that kept failing
//! (ADR 0022): which URL, why, and how to switch it back on (its undelivered events wait).

use kasa_domain::Language;
use kasa_locale::Locale;
use kasa_ports::{BillingSettings, EmailMessage};

/// The mail, without recipients.
pub(crate) fn render_switched_off_mail(
    url: &str,
    reason: &str,
    settings: &BillingSettings,
    language: Language,
) -> EmailMessage {
    let locale = Locale::new(language);
    let opening = vec![
        locale.t("webhooks.mail.intro").to_owned(),
        locale.t("webhooks.mail.waiting").to_owned(),
    ];
    let facts: Vec<(&str, String)> = vec![
        (locale.t("webhooks.url"), url.to_owned()),
        (locale.t("webhooks.mail.reason"), reason.to_owned()),
    ];
    EmailMessage {
        to: Vec::new(),
        cc: Vec::new(),
        reply_to: None,
        subject: locale.t("webhooks.mail.subject").to_owned(),
        text_body: crate::notifications::text_body(&opening, &facts, &settings.company_name),
        html_body: Some(crate::notifications::html_body(
            &opening,
            &facts,
            &settings.company_name,
            language,
        )),
        attachments: Vec::new(),
        identity: None,
    }
}
