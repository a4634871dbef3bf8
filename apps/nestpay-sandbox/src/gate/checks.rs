//! Checking a gate form, in the order the bank does: the store, the signature, the order
//! fields, then (when the card comes) the card. A refusal is posted back to `failUrl`.

use crate::app::Sandbox;
use crate::cards::{self, Expiry};
use crate::form::Fields;
use crate::hash;
use crate::html::{Lang, Purchase};
use crate::money::{self, Currency};
use crate::orders::TransactionKind;

use super::callback::is_card_secret;

/// The store models NestPay names in `storetype`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreType {
    /// `3d`: 3-D Secure only; the merchant provisions afterwards.
    ThreeD,
    /// `3d_pay`: the card comes with the gate form.
    ThreeDPay,
    /// `3d_pay_hosting`: the bank's page asks for the card.
    ThreeDPayHosting,
}

/// How the merchant signed the request, and so how the callback is signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signature {
    /// Legacy SHA-1 (no `hashAlgorithm`).
    Ver1,
    /// SHA-512 over all fields.
    Ver3,
    /// Unknown client: there is no store key to sign with.
    None,
}

/// A refusal posted back to `failUrl` (`ErrorCode` and `ErrMsg`).
#[derive(Debug)]
pub struct GateError {
    /// `HPP-1005`, `CORE-2012`, ...
    pub code: &'static str,
    /// In the customer's language.
    pub message: String,
}

impl GateError {
    fn new(lang: Lang, code: &'static str, turkish: &str, english: &str) -> Self {
        Self {
            code,
            message: lang.pick(turkish, english).to_owned(),
        }
    }

    /// The order already has an approved payment.
    pub fn duplicate_order(lang: Lang) -> Self {
        Self::new(
            lang,
            "HPP-1008",
            "Bu sipariş numarasıyla onaylı bir ödeme zaten var.",
            "An approved payment already exists for this order id.",
        )
    }
}

/// A card as typed by the customer (the CVV is checked and forgotten).
#[derive(Clone, Debug)]
pub struct Card {
    /// Digits only.
    pub pan: String,
    /// When it stops working.
    pub expiry: Expiry,
}

/// A gate request that passed every check.
#[derive(Clone, Debug)]
pub struct GateRequest {
    /// The posted fields without the card number and CVV (the expiry stays: it is echoed),
    /// plus the expiry typed on the bank's card page (3d_pay_hosting).
    pub fields: Vec<(String, String)>,
    /// `storetype`.
    pub store_type: StoreType,
    /// How to sign the callback.
    pub signature: Signature,
    /// The customer's language.
    pub lang: Lang,
    /// Where an approval goes.
    pub ok_url: String,
    /// Where everything else goes.
    pub fail_url: String,
    /// `oid`.
    pub order_id: String,
    /// `amount` in minor units.
    pub amount_minor: i64,
    /// `currency`.
    pub currency: Currency,
    /// `Auth` or `PreAuth`; `None` for a 3d store (no payment).
    pub kind: Option<TransactionKind>,
}

impl GateRequest {
    /// What the bank's pages show about it.
    pub fn purchase<'a>(&'a self, client_id: &'a str, card: Option<&Card>) -> Purchase<'a> {
        let amount = money::format_minor(self.amount_minor);
        Purchase {
            client_id,
            order_id: &self.order_id,
            amount: format!("{amount} {}", self.currency.alpha),
            masked_pan: card.map(|card| cards::masked_pan(&card.pan)),
        }
    }
}

/// Checks a gate form; also says how a refusal is to be signed.
pub fn check_request(
    sandbox: &Sandbox,
    fields: &Fields,
    lang: Lang,
    ok_url: String,
    fail_url: String,
) -> (Signature, Result<GateRequest, GateError>) {
    let store = &sandbox.store;
    if fields.get("clientid") != Some(store.client_id.as_str()) {
        let error = GateError::new(
            lang,
            "HPP-1002",
            "Üye işyeri bulunamadı.",
            "Unknown clientid.",
        );
        return (Signature::None, Err(error));
    }
    let signature = match fields.get("hashAlgorithm") {
        None => Signature::Ver1,
        Some(algorithm) if algorithm.eq_ignore_ascii_case("ver3") => Signature::Ver3,
        Some(_) => {
            let error = GateError::new(
                lang,
                "HPP-1004",
                "Desteklenmeyen hashAlgorithm (ver3 kullanın).",
                "Unsupported hashAlgorithm (use ver3).",
            );
            return (Signature::Ver3, Err(error));
        }
    };
    let expected = match signature {
        Signature::Ver1 => hash::ver1_request(|name| fields.value(name), &store.store_key),
        _ => hash::ver3(&fields.0, &store.store_key, hash::Message::Request),
    };
    if fields.get("hash") != Some(expected.as_str()) {
        let error = GateError::new(
            lang,
            "HPP-1005",
            "Güvenlik doğrulaması başarısız: hash hatalı.",
            "Security check failed: the hash does not match.",
        );
        return (signature, Err(error));
    }
    let checked = check_fields(sandbox, fields, lang).map(|mut request| {
        request.signature = signature;
        request.ok_url = ok_url;
        request.fail_url = fail_url;
        request
    });
    (signature, checked)
}

/// The signed form's contents: store type, order, amount, currency, transaction type,
/// instalments, and an order not paid yet. The return addresses are filled in by the caller.
fn check_fields(sandbox: &Sandbox, fields: &Fields, lang: Lang) -> Result<GateRequest, GateError> {
    let store_type = match fields.value("storetype").to_ascii_lowercase().as_str() {
        "3d" => StoreType::ThreeD,
        "3d_pay" => StoreType::ThreeDPay,
        "3d_pay_hosting" => StoreType::ThreeDPayHosting,
        _ => {
            return Err(GateError::new(
                lang,
                "HPP-1003",
                "Desteklenmeyen storetype (3d, 3d_pay, 3d_pay_hosting).",
                "Unsupported storetype (3d, 3d_pay, 3d_pay_hosting).",
            ));
        }
    };
    let required = ["oid", "amount", "currency", "rnd"];
    if let Some(missing) = required
        .iter()
        .find(|name| fields.non_empty(name).is_none())
    {
        let message = format!("{}: {missing}", lang.pick("Eksik alan", "Missing field"));
        return Err(GateError {
            code: "HPP-1001",
            message,
        });
    }
    let amount_minor = money::parse_gate_amount(&fields.value("amount")).ok_or_else(|| {
        GateError::new(
            lang,
            "HPP-1006",
            "Tutar hatalı: nokta ve iki ondalık hane olmalı (100.25).",
            "Malformed amount: a dot and two decimals (100.25).",
        )
    })?;
    let currency = money::currency(&fields.value("currency"))
        .filter(|currency| sandbox.store.currencies.contains(currency))
        .ok_or_else(|| {
            GateError::new(
                lang,
                "HPP-1007",
                "Para birimi tanınmıyor ya da bu üye işyerine kapalı.",
                "Unknown currency, or not accepted by this store.",
            )
        })?;
    let tran_type = fields.get("TranType").or_else(|| fields.get("islemtipi"));
    let kind = match (store_type, tran_type) {
        (StoreType::ThreeD, _) => None,
        (_, Some(name)) if name.eq_ignore_ascii_case("Auth") => Some(TransactionKind::Auth),
        (_, Some(name)) if name.eq_ignore_ascii_case("PreAuth") => Some(TransactionKind::PreAuth),
        _ => {
            return Err(GateError::new(
                lang,
                "HPP-1009",
                "İşlem tipi hatalı (TranType: Auth ya da PreAuth).",
                "Invalid transaction type (TranType: Auth or PreAuth).",
            ));
        }
    };
    let instalment = fields.get("Instalment").or_else(|| fields.get("taksit"));
    if !is_valid_instalment(instalment.unwrap_or_default().trim(), currency) {
        return Err(GateError::new(
            lang,
            "CORE-2603",
            "Geçersiz taksit (boş ya da 2-12, yalnız TRY).",
            "Invalid instalment (empty, or 2 to 12 in TRY only).",
        ));
    }
    let order_id = fields.value("oid");
    if kind.is_some() && sandbox.bank.has_approved_payment(&order_id) {
        return Err(GateError::duplicate_order(lang));
    }
    Ok(GateRequest {
        fields: fields
            .0
            .iter()
            .filter(|(name, _)| !is_card_secret(name))
            .cloned()
            .collect(),
        store_type,
        signature: Signature::None,
        lang,
        ok_url: String::new(),
        fail_url: String::new(),
        order_id,
        amount_minor,
        currency,
        kind,
    })
}

/// Empty for a single payment, else 2 to 12 instalments, in Turkish lira only.
fn is_valid_instalment(instalment: &str, currency: Currency) -> bool {
    instalment.is_empty()
        || (currency.numeric == "949"
            && instalment.bytes().all(|b| b.is_ascii_digit())
            && instalment
                .parse::<u8>()
                .is_ok_and(|count| (2..=12).contains(&count)))
}

/// The card fields: number (`CORE-2012`), expiry (`CORE-2011`), CVV (`CORE-2515`).
pub fn check_card(fields: &Fields, lang: Lang) -> Result<Card, GateError> {
    let pan: String = fields.value("pan").split_whitespace().collect();
    if !cards::is_valid_pan(&pan) {
        return Err(GateError::new(
            lang,
            "CORE-2012",
            "Kart numarası geçersiz.",
            "The credit card number is not in a valid format.",
        ));
    }
    let expiry = Expiry::parse(
        fields.value("Ecom_Payment_Card_ExpDate_Month").trim(),
        fields.value("Ecom_Payment_Card_ExpDate_Year").trim(),
    )
    .ok_or_else(|| {
        GateError::new(
            lang,
            "CORE-2011",
            "Son kullanma tarihi geçersiz (AA / YY).",
            "The credit card expiry date is not in a valid format (MM / YY).",
        )
    })?;
    if !cards::is_valid_cvv(fields.value("cv2").trim()) {
        return Err(GateError::new(
            lang,
            "CORE-2515",
            "CVV geçersiz.",
            "Invalid CVV.",
        ));
    }
    Ok(Card { pan, expiry })
}
