//! The bank's pages: the hosted card page, the 3-D Secure page, the page that posts the browser
//! back to the merchant, error pages and the index. Every value is HTML-escaped.

use crate::cards::TEST_CARDS;

/// The customer's language (the gate's `lang`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// Turkish, the default.
    Tr,
    /// English.
    En,
}

impl Lang {
    /// From `lang`: `en` is English, anything else Turkish.
    pub fn from_field(value: Option<&str>) -> Self {
        match value {
            Some(code) if code.trim().eq_ignore_ascii_case("en") => Self::En,
            _ => Self::Tr,
        }
    }

    /// Picks the text in this language.
    pub fn pick<'a>(self, turkish: &'a str, english: &'a str) -> &'a str {
        match self {
            Self::Tr => turkish,
            Self::En => english,
        }
    }

    fn code(self) -> &'static str {
        self.pick("tr", "en")
    }
}

/// Escapes text for HTML content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;\
padding:0 1rem;color:#222}.bank{color:#0b5394;font-weight:bold}label{display:block;\
margin:.6rem 0 .2rem}input{font-size:1rem;padding:.3rem}button{font-size:1rem;\
padding:.4rem 1rem;margin:.8rem .4rem 0 0}table{border-collapse:collapse}td,th{border:1px \
solid #ccc;padding:.2rem .5rem;text-align:left}.note{color:#666;font-size:.9rem}";

fn page(lang: Lang, title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <p class=\"bank\">NestPay Sandbox Bank</p>\n<h1>{title}</h1>\n{body}\n</body>\n</html>\n",
        lang = lang.code(),
        title = escape(title),
    )
}

/// What the customer is paying, shown on the bank's pages.
#[derive(Debug)]
pub struct Purchase<'a> {
    /// The merchant number.
    pub client_id: &'a str,
    /// The merchant's order.
    pub order_id: &'a str,
    /// `100.25 TRY`.
    pub amount: String,
    /// The masked card, once known.
    pub masked_pan: Option<String>,
}

fn purchase_table(lang: Lang, purchase: &Purchase<'_>) -> String {
    let mut rows = vec![
        (
            lang.pick("Üye işyeri", "Merchant"),
            purchase.client_id.to_owned(),
        ),
        (lang.pick("Sipariş", "Order"), purchase.order_id.to_owned()),
        (lang.pick("Tutar", "Amount"), purchase.amount.clone()),
    ];
    if let Some(masked) = &purchase.masked_pan {
        rows.push((lang.pick("Kart", "Card"), masked.clone()));
    }
    let rows: String = rows
        .iter()
        .map(|(label, value)| format!("<tr><th>{label}</th><td>{}</td></tr>", escape(value)))
        .collect();
    format!("<table>{rows}</table>")
}

/// The bank's own card page (3d_pay_hosting); it posts the card to `action`.
pub fn card_page(lang: Lang, action: &str, purchase: &Purchase<'_>) -> String {
    let input = |name: &str, label: &str, size: u8, autocomplete: &str, placeholder: &str| {
        format!(
            "<label for=\"{name}\">{label}</label>\
             <input type=\"text\" id=\"{name}\" name=\"{name}\" inputmode=\"numeric\" \
             size=\"{size}\" maxlength=\"{size}\" autocomplete=\"{autocomplete}\" \
             placeholder=\"{placeholder}\" required>"
        )
    };
    let body = format!(
        "{table}\n<form id=\"card\" method=\"post\" action=\"{action}\" accept-charset=\"UTF-8\">\n\
         {pan}\n{month}\n{year}\n{cv2}\n\
         <div><button type=\"submit\" id=\"pay\">{pay}</button></div>\n</form>\n\
         <p class=\"note\">{note}</p>",
        table = purchase_table(lang, purchase),
        action = escape(action),
        pan = input(
            "pan",
            lang.pick("Kart numarası", "Card number"),
            19,
            "cc-number",
            ""
        ),
        month = input(
            "Ecom_Payment_Card_ExpDate_Month",
            lang.pick("Son kullanma ayı", "Expiry month"),
            2,
            "cc-exp-month",
            "MM"
        ),
        year = input(
            "Ecom_Payment_Card_ExpDate_Year",
            lang.pick("Son kullanma yılı", "Expiry year"),
            2,
            "cc-exp-year",
            "YY"
        ),
        cv2 = input("cv2", "CVV", 4, "cc-csc", ""),
        pay = lang.pick("Öde", "Pay"),
        note = lang.pick(
            "Test ortamı: gerçek kart kullanmayın.",
            "Test environment: never use a real card."
        ),
    );
    page(lang, lang.pick("Kart bilgileri", "Card details"), &body)
}

/// The simulated 3-D Secure page: "Authenticate" (or "Cancel") posts to `action`.
pub fn secure_page(lang: Lang, action: &str, purchase: &Purchase<'_>) -> String {
    let body = format!(
        "<p>{intro}</p>\n{table}\n\
         <form id=\"secure\" method=\"post\" action=\"{action}\" accept-charset=\"UTF-8\">\n\
         <button type=\"submit\" id=\"authenticate\" name=\"action\" value=\"authenticate\">\
         {authenticate}</button>\n\
         <button type=\"submit\" id=\"cancel\" name=\"action\" value=\"cancel\">{cancel}</button>\n\
         </form>\n<p class=\"note\">{note}</p>",
        intro = lang.pick(
            "Bu ödemeyi onaylamak için kimliğinizi doğrulayın.",
            "Confirm it is you to approve this payment."
        ),
        table = purchase_table(lang, purchase),
        action = escape(action),
        authenticate = lang.pick("Doğrula", "Authenticate"),
        cancel = lang.pick("İptal", "Cancel"),
        note = lang.pick(
            "Test ortamı: SMS kodu gerekmez; sonuç kart numarasına göre belirlenir.",
            "Test environment: no SMS code; the test card number decides the result."
        ),
    );
    page(
        lang,
        lang.pick(
            "Bankanızın doğrulama sayfası",
            "Your bank's verification page",
        ),
        &body,
    )
}

/// The page that posts the browser back to the merchant with `fields`, by script, or by the
/// visible button without one.
pub fn post_back(lang: Lang, action: &str, fields: &[(String, String)]) -> String {
    let inputs: String = fields
        .iter()
        .map(|(name, value)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
                escape(name),
                escape(value)
            )
        })
        .collect();
    // `HTMLFormElement.prototype.submit` still works when a field is named `submit`.
    let body = format!(
        "<form id=\"callback\" method=\"post\" action=\"{action}\" accept-charset=\"UTF-8\">\n\
         {inputs}<button type=\"submit\" id=\"continue\">{continue_label}</button>\n</form>\n\
         <script>HTMLFormElement.prototype.submit.call(document.getElementById(\"callback\"));\
         </script>",
        action = escape(action),
        continue_label = lang.pick("Mağazaya dön", "Back to the shop"),
    );
    page(
        lang,
        lang.pick("Mağazaya dönülüyor", "Returning to the shop"),
        &body,
    )
}

/// An error the bank cannot send back to the merchant (no `okUrl`/`failUrl`, lost session).
pub fn error_page(lang: Lang, code: &str, message: &str) -> String {
    let body = format!(
        "<p id=\"error\"><strong>{code}</strong>: {message}</p>",
        code = escape(code),
        message = escape(message),
    );
    page(
        lang,
        lang.pick("İşlem yapılamadı", "The request cannot be processed"),
        &body,
    )
}

/// The index: the store, the routes and the test cards.
pub fn index(client_id: &str, api_user: &str) -> String {
    let cards: String = TEST_CARDS
        .iter()
        .map(|card| {
            format!(
                "<tr><td><code>{}</code></td><td>{}</td></tr>",
                card.number,
                escape(card.description)
            )
        })
        .collect();
    let body = format!(
        "<p>A local NestPay (Asseco EST) bank for development and tests. Nothing here moves \
         money.</p>\n\
         <h2>Store</h2><p>clientid <code>{client_id}</code>, API user <code>{api_user}</code> \
         (the store key and API password are set on the command line).</p>\n\
         <h2>NestPay routes</h2><ul><li><code>POST /fim/est3Dgate</code>: the 3D gate</li>\
         <li><code>POST /fim/api</code>: the CC5 XML API</li></ul>\n\
         <h2>Test controls</h2><ul><li><code>POST /sandbox/end-of-day</code>: settle every \
         capture and refund</li><li><code>GET /sandbox/orders/{{oid}}</code>: an order as \
         JSON</li></ul>\n\
         <h2>Test cards</h2><p>Any future expiry, any 3-digit CVV. Any other Luhn-valid \
         number is approved; an expiry in the past is declined with 54.</p>\n\
         <table><tr><th>card</th><th>outcome</th></tr>{cards}</table>",
        client_id = escape(client_id),
        api_user = escape(api_user),
    );
    page(Lang::En, "NestPay sandbox", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_inputs_are_escaped() {
        let html = post_back(
            Lang::En,
            "https://shop.example/ok?a=1&b=2",
            &[(
                "BillToName".to_owned(),
                "\"><script>x</script>&'".to_owned(),
            )],
        );
        assert!(html.contains("action=\"https://shop.example/ok?a=1&amp;b=2\""));
        assert!(html.contains("value=\"&quot;&gt;&lt;script&gt;x&lt;/script&gt;&amp;&#39;\""));
        assert!(!html.contains("<script>x"));
    }
}
