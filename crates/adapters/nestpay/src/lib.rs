//! Kasa's NestPay (Asseco EST virtual POS) gateway: the [`kasa_ports::PaymentGateway`] port for
//! the Turkish banks' virtual POS (İş Bankası, Akbank, Halkbank, Ziraat, and any other NestPay
//! bank by its base URL), as the NestPay protocol describes it.
//!
//! Promises: a payment is reported approved only when the callback's signature verifies with
//! the store key **and** `ProcReturnCode` is `00` **and** `mdStatus` is `1` (or `2`-`4` when the
//! store allows half-secure results); anything the adapter does not recognise is pending, never
//! a success. Store keys and API passwords are never logged or printed (`Debug` shows
//! `Secret(***)`); card numbers never pass through Kasa. Amounts are `Money` (decimal, no
//! floats) turned into NestPay's dot-decimal strings and numeric currency codes at the edge.
//!
//! - [`hash`]: hash ver3 and ver1, public for embedding developers and the `kasa nestpay hash` /
//!   `verify` commands ([`hash_ver3_request`], [`hash_ver3_callback`] and their `_plaintext`
//!   forms, [`hash_ver1_request`], [`verify_callback_signature`]).
//! - [`NestPayConfig`], [`Bank`], [`BankHost`], [`StoreType`]: a store's settings.
//! - [`NestPayGateway`]: the port; gate form, callback, and the CC5 XML API (void, credit,
//!   post-auth, order status, [`NestPayGateway::order_history`]).
//!
//! # Decisions and guesses about the protocol
//!
//! - **Card fields are not hashed in the gate request** ([`hash::is_excluded_from_ver3_request`]):
//!   in `3d_pay` the customer types them after Kasa signs. The page names them [`CARD_FIELDS`]
//!   exactly. **A callback's hash covers them** like every posted field but `HASH`, `encoding`
//!   and `NATIONALIDNO` ([`hash::EXCLUDED_FROM_VER3`]): real banks echo the expiry fields (never
//!   `pan` or `cv2`) and add fields of their own, and sign all of it.
//! - **Ordering for ver3** is lower-case, character by character, stable; Kasa's form field names
//!   avoid the names where implementations could disagree.
//! - **The gate form says `encoding=utf-8`** (Kasa's pages are UTF-8; never hashed) and carries
//!   no description field (the protocol has none; every posted field is hashed).
//! - **ver1 vs ver3**: a callback is ver1 when it carries `HASHPARAMS` and does not say
//!   `hashAlgorithm=ver3`. A ver1 signature covers only the fields `HASHPARAMS` names, so the
//!   order id, `clientid`, `ProcReturnCode` and `mdStatus` must be among them; the amount is
//!   reported only when signed; an unsigned `TranType` yields "authorised" at most.
//! - **Another store's callback** (`clientid` differs) is [`kasa_ports::GatewayError::InvalidSignature`]:
//!   not this store's to act on, and rejected like a forgery. A missing `clientid` or `oid` is
//!   `Malformed`. A decision field arriving twice is `Malformed`.
//! - **Callback bytes**: when the callback's raw body is a form post, the fields are read from
//!   it ([`parse_callback_body`]: each value UTF-8, or ISO-8859-9 when not valid UTF-8) rather
//!   than from `GatewayCallback::fields`, since a lossy UTF-8 reading of a Latin-5 `Ayşe` breaks
//!   the hash; without a raw body, `fields` are used as given.
//! - **Half-secure results refused while the bank charged** (`mdStatus` 2-4 with
//!   `ProcReturnCode` 00 and half-secure off) are declined with code `mdStatus-N` and a message
//!   saying the bank approved the charge, so that someone voids it.
//! - **`CORE-2508`** (refund before end of day) is [`kasa_ports::GatewayError::NotSettled`], the
//!   port's variant for it that the billing use case turns into a void; other `CORE-…` codes
//!   are `Refused { code, message }`.
//! - **XML API**: the raw document is the body, `Content-Type: text/xml; charset=ISO-8859-9`,
//!   written in ISO-8859-9 with character references for what Latin-5 cannot hold. Answers are
//!   decoded by their declaration (ISO-8859-9, read as its superset windows-1254, when none).
//! - **Order status**: see [`NestPayGateway`]'s `query_status`: amounts in minor units only when
//!   the answer names its currency, `refunded` only from an explicit refunded total, a voided
//!   order is declined (`TRANS_STAT-V`) with `voided` set.
//! - **TLS**: rustls on *ring* with Mozilla roots through hyper-rustls, configured per client;
//!   reqwest's `rustls-no-provider` is deliberately not used, because it would make every plain
//!   `reqwest::Client` in the same build panic for want of a process default provider.

pub mod hash;

mod client;
mod config;
pub mod descriptor;
mod form;
mod gateway;
mod xml;

pub use config::{
    API_PATH, ASSECO_TEST_BASE_URL, Bank, BankHost, DEFAULT_TIMEOUT, GATE_PATH, NestPayConfig,
    StoreType, UnknownBank,
};
pub use descriptor::{CAPABILITIES, DESCRIPTOR};
pub use form::{
    TRAN_TYPE_PRE_AUTHORISATION, TRAN_TYPE_SALE, callback_fields, currency_code,
    currency_from_code, format_amount, gate_form_fields, parse_amount, parse_callback_body,
    read_callback,
};
pub use gateway::{GATEWAY_NAME, HistoryRow, NestPayGateway};
pub use hash::{
    CARD_FIELDS, CV2_FIELD, EXPIRY_MONTH_FIELD, EXPIRY_YEAR_FIELD, PAN_FIELD, Signature,
    SignatureError, hash_ver1_request, hash_ver3_callback, hash_ver3_callback_plaintext,
    hash_ver3_request, hash_ver3_request_plaintext, verify_callback_signature,
};
pub use xml::{REQUEST_CONTENT_TYPE, REQUEST_ENCODING};
