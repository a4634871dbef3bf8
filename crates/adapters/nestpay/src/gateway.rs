//! [`NestPayGateway`]: the [`PaymentGateway`] port on NestPay.

use async_trait::async_trait;
use kasa_domain::{Currency, Money};
use kasa_ports::{
    GatewayCallback, GatewayError, GatewayName, GatewayReceipt, GatewayReference, OrderId,
    PaymentGateway, PaymentHandle, PaymentInitiation, PaymentResult, PaymentResultStatus,
    PaymentStart, PaymentStatusReport,
};

use crate::client::ApiClient;
use crate::config::NestPayConfig;
use crate::form::{
    callback_fields, currency_code, currency_from_code, format_amount, gate_form_fields,
    read_callback,
};
use crate::xml::{Cc5Request, Cc5Response};

/// The gateway's name, stored with each payment.
pub const GATEWAY_NAME: &str = "nestpay";

/// One row of an order's history (`TRX1`..`TRXn` of an `ORDERHISTORY` query), newest first.
/// The protocol does not fix the columns, so they are kept as the bank sent them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryRow {
    /// The row's number (`1` for `TRX1`).
    pub number: u32,
    /// The tab-separated columns, untrimmed, empty ones kept.
    pub columns: Vec<String>,
}

/// The NestPay gateway of one store.
///
/// - `start_payment` returns the signed gate form ([`PaymentInitiation::PostForm`] to
///   `/fim/est3Dgate`); for `3d_pay` the checkout page adds [`crate::CARD_FIELDS`].
/// - `verify_callback` checks the signature (ver3, or legacy ver1), that the callback is for
///   this store's `clientid`, and reads the result: approved only when `ProcReturnCode` is `00`
///   **and** `mdStatus` is `1` (or `2`-`4` when half-secure results are allowed).
/// - `capture`, `void`, `refund` and `query_status` use the XML API; [`Self::order_history`] too.
#[derive(Clone, Debug)]
pub struct NestPayGateway {
    config: NestPayConfig,
    gate_url: String,
    api_url: String,
    api: ApiClient,
}

impl NestPayGateway {
    /// A gateway for the store `config` describes.
    ///
    /// # Errors
    /// [`GatewayError::Misconfigured`] when the config is invalid
    /// ([`NestPayConfig::validate`]).
    pub fn new(config: NestPayConfig) -> Result<Self, GatewayError> {
        config.validate()?;
        let gate_url = config.gate_url()?;
        let api_url = config.api_url()?;
        let api = ApiClient::new(&api_url, config.timeout)?;
        Ok(Self {
            config,
            gate_url,
            api_url,
            api,
        })
    }

    /// The store's settings.
    #[must_use]
    pub const fn config(&self) -> &NestPayConfig {
        &self.config
    }

    /// The gate URL the browser posts the form to.
    #[must_use]
    pub fn gate_url(&self) -> &str {
        &self.gate_url
    }

    /// The XML API URL.
    #[must_use]
    pub fn api_url(&self) -> &str {
        &self.api_url
    }

    /// The signed gate form for a payment with a given `rnd` (for tests and debugging;
    /// `start_payment` draws a fresh one).
    ///
    /// # Errors
    /// As `start_payment`.
    pub fn gate_form(
        &self,
        request: &PaymentStart,
        rnd: &str,
    ) -> Result<PaymentInitiation, GatewayError> {
        Ok(PaymentInitiation::PostForm {
            action_url: self.gate_url.clone(),
            fields: gate_form_fields(&self.config, request, rnd)?,
        })
    }

    /// An order's transactions (`ORDERHISTORY`), newest first as the bank lists them.
    ///
    /// # Errors
    /// As the other API calls: [`GatewayError::Refused`], [`GatewayError::Unavailable`],
    /// [`GatewayError::Timeout`], [`GatewayError::Malformed`] (a `TRXCOUNT` that is no number),
    /// [`GatewayError::Misconfigured`].
    pub async fn order_history(&self, order_id: &OrderId) -> Result<Vec<HistoryRow>, GatewayError> {
        let response = self
            .call(
                "order history",
                order_id,
                None,
                None,
                None,
                &[("ORDERHISTORY", "QUERY")],
            )
            .await?;
        history_rows(&response)
    }

    /// Sends one API request and sorts the answer into success or [`GatewayError`].
    async fn call(
        &self,
        operation: &'static str,
        order_id: &OrderId,
        kind: Option<&str>,
        total: Option<&str>,
        currency: Option<&str>,
        extra: &[(&str, &str)],
    ) -> Result<Cc5Response, GatewayError> {
        if self.config.api_user.trim().is_empty() || self.config.api_password.expose().is_empty() {
            return Err(GatewayError::Misconfigured(
                "NestPay: the API user and password are not set".to_owned(),
            ));
        }
        let request = Cc5Request {
            name: self.config.api_user.trim(),
            password: self.config.api_password.expose(),
            client_id: self.config.client_id.trim(),
            kind,
            order_id: &order_id.0,
            total,
            currency,
            extra: extra.to_vec(),
        };
        let document = request.to_bytes()?;
        // Never log the request: it carries the API password.
        tracing::debug!(operation, order = %order_id, "NestPay API call");
        let response = self.api.post(document).await.inspect_err(|error| {
            tracing::warn!(operation, order = %order_id, %error, "NestPay API call failed");
        })?;
        let outcome = response.outcome();
        tracing::info!(
            operation,
            order = %order_id,
            response = response.field("Response").unwrap_or_default(),
            proc_return_code = response.field("ProcReturnCode").unwrap_or_default(),
            error_code = response.extra("ERRORCODE").unwrap_or_default(),
            "NestPay API answered"
        );
        outcome.map(|()| response)
    }
}

/// The operation's reference: `TransId`, else `HostRefNum`.
fn reference(response: &Cc5Response) -> Option<GatewayReference> {
    response
        .field("TransId")
        .or_else(|| response.field("HostRefNum"))
        .map(|reference| GatewayReference(reference.to_owned()))
}

/// Reads `TRXCOUNT` and `TRX1`..`TRXn`.
fn history_rows(response: &Cc5Response) -> Result<Vec<HistoryRow>, GatewayError> {
    let count = match response.extra("TRXCOUNT") {
        None => 0,
        Some(count) => count.parse::<u32>().map_err(|_| {
            GatewayError::Malformed(format!("NestPay order history: TRXCOUNT `{count}`"))
        })?,
    };
    let mut rows = Vec::new();
    for number in 1..=count {
        let Some(row) = response.extra_raw(&format!("TRX{number}")) else {
            return Err(GatewayError::Malformed(format!(
                "NestPay order history: TRXCOUNT is {count} but TRX{number} is missing"
            )));
        };
        let row = row.trim_matches(|c| c == '\r' || c == '\n');
        rows.push(HistoryRow {
            number,
            columns: row.split('\t').map(str::to_owned).collect(),
        });
    }
    Ok(rows)
}

/// An amount in minor units (`101` = 1.01) as the status query reports it.
fn minor_units(text: &str, currency: Currency) -> Result<Money, GatewayError> {
    let units = text.trim().parse::<i64>().map_err(|_| {
        GatewayError::Malformed(format!(
            "NestPay order status: `{text}` is no amount in minor units"
        ))
    })?;
    Money::from_minor_units(units, currency)
        .map_err(|error| GatewayError::Malformed(format!("NestPay order status: {error}")))
}

/// The currency of a status answer, when it says: `Extra` `CURRENCY` (or `CURRENCYCODE`), or
/// a top-level `Currency`, numeric (`949`) or alphabetic (`TRY`).
fn status_currency(response: &Cc5Response) -> Option<Currency> {
    let text = response
        .extra("CURRENCY")
        .or_else(|| response.extra("CURRENCYCODE"))
        .or_else(|| response.field("Currency"))?;
    currency_from_code(text).or_else(|| text.parse().ok())
}

/// The bank's error code when it has no transaction of the order asked about (and when nothing
/// of it can be voided).
const NO_TRANSACTION: &str = "CORE-2008";

/// Reads an `ORDERSTATUS` answer into a status report (see [`PaymentGateway::query_status`] on
/// [`NestPayGateway`] for what is inferred).
fn status_report(
    order_id: &OrderId,
    response: &Cc5Response,
) -> Result<PaymentStatusReport, GatewayError> {
    let trans_stat = response.extra("TRANS_STAT").map(str::to_ascii_uppercase);
    let voided = trans_stat.as_deref() == Some("V") || response.extra("VOID_DTTM").is_some();
    let message = response.field("ErrMsg").unwrap_or_default().to_owned();
    let status = match trans_stat.as_deref() {
        Some("A") => PaymentResultStatus::Authorised,
        Some("C" | "S") => PaymentResultStatus::Captured,
        Some("V") => PaymentResultStatus::Declined {
            code: "TRANS_STAT-V".to_owned(),
            message: if message.is_empty() {
                "the payment was voided".to_owned()
            } else {
                message
            },
        },
        Some("D") => PaymentResultStatus::Declined {
            code: response
                .extra("PROC_RET_CD")
                .unwrap_or("TRANS_STAT-D")
                .to_owned(),
            message: if message.is_empty() {
                "the payment was declined".to_owned()
            } else {
                message
            },
        },
        _ => PaymentResultStatus::Pending,
    };
    let currency = status_currency(response);
    let amount = match (currency, response.extra("ORIG_TRANS_AMT")) {
        (Some(currency), Some(text)) => Some(minor_units(text, currency)?),
        _ => None,
    };
    let refunded = match (currency, refunded_minor_units(response)) {
        (Some(currency), Some(text)) => Some(minor_units(text, currency)?),
        _ => None,
    };
    let reference = response
        .extra("TRANS_ID")
        .or_else(|| response.field("TransId"))
        .or_else(|| response.extra("HOST_REF_NUM"))
        .or_else(|| response.field("HostRefNum"))
        .map(|reference| GatewayReference(reference.to_owned()));
    Ok(PaymentStatusReport {
        result: PaymentResult {
            order_id: order_id.clone(),
            status,
            amount,
            reference,
            // The order-status answer does not name the card reliably; the callback did.
            card: None,
        },
        refunded,
        voided,
    })
}

/// The refunded total in minor units, when the answer names one (`REFUND_AMT`, `CREDIT_AMT`
/// or `REFUNDED_AMT`). The protocol's status fields do not carry it, so usually `None`.
fn refunded_minor_units(response: &Cc5Response) -> Option<&str> {
    ["REFUND_AMT", "CREDIT_AMT", "REFUNDED_AMT"]
        .into_iter()
        .find_map(|name| response.extra(name))
}

/// Draws a fresh `rnd`: 16 random bytes as 32 hex digits (never `|` or `\`).
fn fresh_rnd() -> Result<String, GatewayError> {
    let mut bytes = [0_u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|error| GatewayError::Unavailable(format!("no randomness for rnd: {error}")))?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

#[async_trait]
impl PaymentGateway for NestPayGateway {
    fn name(&self) -> GatewayName {
        GatewayName::new(GATEWAY_NAME)
    }

    fn capabilities(&self) -> kasa_ports::GatewayCapabilities {
        crate::CAPABILITIES
    }

    /// The signed gate form with a fresh `rnd` (see [`crate::form::gate_form_fields`]).
    ///
    /// # Errors
    /// [`GatewayError::Unsupported`] for a currency NestPay does not take here or an amount not
    /// above zero; [`GatewayError::Misconfigured`] for an empty order id or return URL.
    async fn start_payment(
        &self,
        request: PaymentStart,
    ) -> Result<PaymentInitiation, GatewayError> {
        let rnd = fresh_rnd()?;
        let initiation = self.gate_form(&request, &rnd)?;
        tracing::debug!(order = %request.order_id, "NestPay gate form signed");
        Ok(initiation)
    }

    /// Verifies the bank's post to `okUrl`/`failUrl` and reads the result.
    ///
    /// - The fields are read from `callback.raw_body` when it is a form post (see
    ///   [`crate::parse_callback_body`]: UTF-8, or ISO-8859-9 when a value is not UTF-8), else
    ///   `callback.fields` are used as given.
    /// - The signature must verify with the store key (ver3, or ver1 when `HASHPARAMS` is
    ///   present and `hashAlgorithm` is not `ver3`), else [`GatewayError::InvalidSignature`].
    ///   A ver1 signature must cover the order id, `clientid`, `ProcReturnCode` and `mdStatus`
    ///   (when present), else [`GatewayError::InvalidSignature`]; the amount is reported only
    ///   when signed, and an unsigned `TranType` only ever yields "authorised".
    /// - `clientid` must be this store's: a different one is [`GatewayError::InvalidSignature`]
    ///   (the callback is not this store's to act on), a missing one
    ///   [`GatewayError::Malformed`]. The order id is `oid` (else `ReturnOid`), missing →
    ///   [`GatewayError::Malformed`].
    /// - Approved when `ProcReturnCode` is `00`, `mdStatus` is `1` (or `2`-`4` with
    ///   `half_secure_allowed`) and `Response`, when present, is `Approved`: captured for
    ///   `TranType=Auth`, authorised for `PreAuth`, pending for anything else.
    /// - Otherwise declined with code `mdStatus-N` (3-D Secure failure), the `ErrorCode`
    ///   (`HPP-…`, gate errors, when `ProcReturnCode` is missing or `99`), or the
    ///   `ProcReturnCode`, and the message `ErrMsg` (or `mdErrorMsg`); a callback that says
    ///   nothing recognisable is pending, never a success.
    ///
    /// # Errors
    /// [`GatewayError::InvalidSignature`], [`GatewayError::Malformed`].
    async fn verify_callback(
        &self,
        callback: GatewayCallback,
    ) -> Result<PaymentResult, GatewayError> {
        let result = read_callback(&self.config, &callback_fields(&callback))?;
        tracing::info!(order = %result.order_id, status = ?result.status, "NestPay callback verified");
        Ok(result)
    }

    /// `Type=PostAuth` with `Total` when `amount` is given (a partial capture).
    ///
    /// # Errors
    /// [`GatewayError::Refused`], [`GatewayError::Declined`], [`GatewayError::Unsupported`] (a
    /// currency NestPay does not take), [`GatewayError::Unavailable`], [`GatewayError::Timeout`],
    /// [`GatewayError::Malformed`], [`GatewayError::Misconfigured`].
    async fn capture(
        &self,
        payment: PaymentHandle,
        amount: Option<Money>,
    ) -> Result<GatewayReceipt, GatewayError> {
        let order_id = payment.order_id;
        let total = amount.as_ref().map(format_amount).transpose()?;
        let response = self
            .call(
                "capture",
                &order_id,
                Some("PostAuth"),
                total.as_deref(),
                None,
                &[],
            )
            .await?;
        Ok(GatewayReceipt {
            reference: reference(&response),
            amount,
        })
    }

    /// `Type=Void`.
    ///
    /// # Errors
    /// [`GatewayError::Refused`] (`CORE-2008`: nothing voidable), [`GatewayError::Unavailable`],
    /// [`GatewayError::Timeout`], [`GatewayError::Malformed`], [`GatewayError::Misconfigured`].
    async fn void(&self, payment: PaymentHandle) -> Result<GatewayReceipt, GatewayError> {
        let order_id = payment.order_id;
        let response = self
            .call("void", &order_id, Some("Void"), None, None, &[])
            .await?;
        Ok(GatewayReceipt {
            reference: reference(&response),
            amount: None,
        })
    }

    /// `Type=Credit` with `Total` and `Currency`.
    ///
    /// # Errors
    /// [`GatewayError::NotSettled`] (`CORE-2508`: before the end of day, void instead),
    /// [`GatewayError::Refused`], [`GatewayError::Unsupported`], [`GatewayError::Unavailable`],
    /// [`GatewayError::Timeout`], [`GatewayError::Malformed`], [`GatewayError::Misconfigured`].
    async fn refund(
        &self,
        payment: PaymentHandle,
        amount: Money,
    ) -> Result<GatewayReceipt, GatewayError> {
        let order_id = payment.order_id;
        let total = format_amount(&amount)?;
        let currency = currency_code(amount.currency())?;
        let response = self
            .call(
                "refund",
                &order_id,
                Some("Credit"),
                Some(&total),
                Some(currency),
                &[],
            )
            .await?;
        Ok(GatewayReceipt {
            reference: reference(&response),
            amount: Some(amount),
        })
    }

    /// `Extra/ORDERSTATUS=QUERY`. `TRANS_STAT` `A` → authorised, `C`/`S` → captured, `V` →
    /// declined with code `TRANS_STAT-V` and `voided` (a voided order must not be granted),
    /// `D` → declined (code `PROC_RET_CD`, else `TRANS_STAT-D`), anything else or missing →
    /// pending. `voided` is also set by a non-empty `VOID_DTTM`. The amount is `ORIG_TRANS_AMT`
    /// in minor units (`101` = 1.01), reported only when the answer names its currency
    /// (`Extra/CURRENCY`), since the protocol's status fields do not: otherwise `None`, never a
    /// guessed currency. `refunded` likewise only from an explicit refunded total (`REFUND_AMT`,
    /// `CREDIT_AMT`, `REFUNDED_AMT`), else `None` (not reported); `CAPTURE_AMT` and
    /// `CHARGE_TYPE_CD` do not say how much was refunded.
    ///
    /// # Errors
    /// [`GatewayError::Unavailable`], [`GatewayError::Timeout`], [`GatewayError::Malformed`],
    /// [`GatewayError::Refused`] (the bank answered `Error`), [`GatewayError::Misconfigured`].
    /// A 3D_PAY order exists at the bank only once the customer submits the card page, and the
    /// bank's 3-D Secure session behind it lasts minutes: an order the bank has no transaction
    /// of (`ORDERSTATUS` refused with `CORE-2008`, "Couldn't find any related transaction") or
    /// none decided, when given up an hour later, can no longer be paid, so it is reported given
    /// up; one the bank decided meanwhile is reported as decided (ADR 0017).
    async fn abandon(&self, payment: PaymentHandle) -> Result<PaymentStatusReport, GatewayError> {
        let order_id = payment.order_id.clone();
        match self.query_status(payment).await {
            Ok(report) => Ok(report.abandoned()),
            Err(GatewayError::Refused { code, .. }) if code == NO_TRANSACTION => {
                Ok(PaymentStatusReport::nothing_yet(order_id).abandoned())
            }
            Err(error) => Err(error),
        }
    }

    async fn query_status(
        &self,
        payment: PaymentHandle,
    ) -> Result<PaymentStatusReport, GatewayError> {
        let order_id = payment.order_id;
        let response = self
            .call(
                "order status",
                &order_id,
                None,
                None,
                None,
                &[("ORDERSTATUS", "QUERY")],
            )
            .await?;
        status_report(&order_id, &response)
    }
}

#[cfg(test)]
mod tests {
    use kasa_ports::Secret;

    use super::*;
    use crate::xml::{decode_document, parse_response};

    fn response(extra: &str) -> Cc5Response {
        let text = format!(
            "<CC5Response><OrderId>ORD-1</OrderId><Response>Approved</Response><ProcReturnCode>00</ProcReturnCode><ErrMsg></ErrMsg><Extra>{extra}</Extra></CC5Response>"
        );
        parse_response(&decode_document(text.as_bytes())).unwrap()
    }

    fn order() -> OrderId {
        OrderId("ORD-1".to_owned())
    }

    #[test]
    fn order_status_maps_trans_stat() {
        let table = [
            ("A", PaymentResultStatus::Authorised, false),
            ("C", PaymentResultStatus::Captured, false),
            ("S", PaymentResultStatus::Captured, false),
            ("", PaymentResultStatus::Pending, false),
            ("X", PaymentResultStatus::Pending, false),
        ];
        for (stat, status, voided) in table {
            let report = status_report(
                &order(),
                &response(&format!("<TRANS_STAT>{stat}</TRANS_STAT>")),
            )
            .unwrap();
            assert_eq!(report.result.status, status, "{stat}");
            assert_eq!(report.voided, voided);
        }
        let report = status_report(&order(), &response("")).unwrap();
        assert_eq!(report.result.status, PaymentResultStatus::Pending);
        let voided = status_report(
            &order(),
            &response("<TRANS_STAT>V</TRANS_STAT><VOID_DTTM>2024-01-12 10:11:12</VOID_DTTM>"),
        )
        .unwrap();
        assert!(voided.voided);
        assert!(matches!(
            voided.result.status,
            PaymentResultStatus::Declined { ref code, .. } if code == "TRANS_STAT-V"
        ));
        let declined = status_report(
            &order(),
            &response("<TRANS_STAT>D</TRANS_STAT><PROC_RET_CD>51</PROC_RET_CD>"),
        )
        .unwrap();
        assert!(matches!(
            declined.result.status,
            PaymentResultStatus::Declined { ref code, .. } if code == "51"
        ));
    }

    #[test]
    fn order_status_amounts_are_minor_units_when_the_currency_is_known() {
        let report = status_report(
            &order(),
            &response(
                "<TRANS_STAT>C</TRANS_STAT><ORIG_TRANS_AMT>101</ORIG_TRANS_AMT><CAPTURE_AMT>101</CAPTURE_AMT><CHARGE_TYPE_CD>S</CHARGE_TYPE_CD><TRANS_ID>24012AbCd</TRANS_ID><CURRENCY>949</CURRENCY>",
            ),
        )
        .unwrap();
        assert_eq!(
            report.result.amount,
            Some(Money::from_minor_units(101, Currency::Try).unwrap())
        );
        assert_eq!(
            report.result.amount.map(|money| money.amount().to_string()),
            Some("1.01".to_owned())
        );
        assert_eq!(
            report.result.reference,
            Some(GatewayReference("24012AbCd".to_owned()))
        );
        assert_eq!(report.refunded, None);
        let unknown_currency = status_report(
            &order(),
            &response("<TRANS_STAT>C</TRANS_STAT><ORIG_TRANS_AMT>10000</ORIG_TRANS_AMT>"),
        )
        .unwrap();
        assert_eq!(unknown_currency.result.amount, None);
        let refunded = status_report(
            &order(),
            &response("<TRANS_STAT>S</TRANS_STAT><ORIG_TRANS_AMT>10000</ORIG_TRANS_AMT><REFUND_AMT>2550</REFUND_AMT><CURRENCY>TRY</CURRENCY>"),
        )
        .unwrap();
        assert_eq!(
            refunded.refunded.map(|money| money.amount().to_string()),
            Some("25.50".to_owned())
        );
        let bad = status_report(
            &order(),
            &response(
                "<TRANS_STAT>C</TRANS_STAT><ORIG_TRANS_AMT>1.01</ORIG_TRANS_AMT><CURRENCY>949</CURRENCY>",
            ),
        );
        assert!(matches!(bad, Err(GatewayError::Malformed(_))));
    }

    #[test]
    fn history_rows_split_on_tabs() {
        let rows = history_rows(&response(
            "<TRXCOUNT>2</TRXCOUNT><TRX1>C\tA\t2550\t\t</TRX1><TRX2>S\tC\t10000</TRX2>",
        ))
        .unwrap();
        assert_eq!(
            rows,
            vec![
                HistoryRow {
                    number: 1,
                    columns: vec![
                        "C".into(),
                        "A".into(),
                        "2550".into(),
                        String::new(),
                        String::new()
                    ]
                },
                HistoryRow {
                    number: 2,
                    columns: vec!["S".into(), "C".into(), "10000".into()]
                },
            ]
        );
        assert_eq!(history_rows(&response("")).unwrap(), Vec::new());
        assert!(history_rows(&response("<TRXCOUNT>2</TRXCOUNT><TRX1>a</TRX1>")).is_err());
        assert!(history_rows(&response("<TRXCOUNT>two</TRXCOUNT>")).is_err());
    }

    #[test]
    fn rnd_is_fresh_hex() {
        let first = fresh_rnd().unwrap();
        let second = fresh_rnd().unwrap();
        assert_eq!(first.len(), 32);
        assert!(first.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(first, second);
    }

    #[test]
    fn the_gateway_is_called_nestpay_and_refuses_a_bad_config() {
        let config = NestPayConfig::new(
            crate::BankHost::Bank(crate::Bank::AssecoTest),
            "100200127",
            Secret::new("TEST1234"),
            "api",
            Secret::new("p4ss"),
            crate::StoreType::ThreeDPay,
        );
        let gateway = NestPayGateway::new(config.clone()).unwrap();
        assert_eq!(gateway.name().as_str(), "nestpay");
        assert_eq!(
            gateway.gate_url(),
            "https://entegrasyon.asseco-see.com.tr/fim/est3Dgate"
        );
        assert_eq!(
            gateway.api_url(),
            "https://entegrasyon.asseco-see.com.tr/fim/api"
        );
        let mut keyless = config;
        keyless.store_key = Secret::new("");
        assert!(matches!(
            NestPayGateway::new(keyless),
            Err(GatewayError::Misconfigured(_))
        ));
    }
}
