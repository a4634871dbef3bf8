//! Request bodies and query strings the way Stripe reads them
//! (`application/x-www-form-urlencoded` with bracket notation for nested keys:
//! `metadata[kasa_order_id]=…`, `items[0][plan]=…`, `expand[]=…`), and idempotency keys.

use std::fmt;

use sha2_011::{Digest, Sha256};

/// Form fields in the order they were added. Nested keys are written in Stripe's bracket
/// notation by [`Form::nested`] and [`Form::list_item`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Form {
    fields: Vec<(String, String)>,
}

impl Form {
    /// An empty form.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `key=value`.
    #[must_use]
    pub fn field(mut self, key: &str, value: impl ToString) -> Self {
        self.fields.push((key.to_owned(), value.to_string()));
        self
    }

    /// Adds `key=value` when there is a value.
    #[must_use]
    pub fn optional(self, key: &str, value: Option<impl ToString>) -> Self {
        match value {
            Some(value) => self.field(key, value),
            None => self,
        }
    }

    /// Adds `parent[child]=value` (e.g. `metadata[kasa_order_id]`).
    #[must_use]
    pub fn nested(self, parent: &str, child: &str, value: impl ToString) -> Self {
        self.field(&format!("{parent}[{child}]"), value)
    }

    /// Adds `list[index][child]=value` (e.g. `items[0][plan]`).
    #[must_use]
    pub fn list_item(self, list: &str, index: usize, child: &str, value: impl ToString) -> Self {
        self.field(&format!("{list}[{index}][{child}]"), value)
    }

    /// Adds `expand[]=path`, asking Stripe to inline the object an id points to.
    #[must_use]
    pub fn expand(self, path: &str) -> Self {
        self.field("expand[]", path)
    }

    /// The fields, in order.
    #[must_use]
    pub fn fields(&self) -> &[(String, String)] {
        &self.fields
    }

    /// Whether no field was added.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The URL-encoded text, for a body or a query string.
    #[must_use]
    pub fn encode(&self) -> String {
        let mut serializer = form_urlencoded::Serializer::new(String::new());
        for (key, value) in &self.fields {
            serializer.append_pair(key, value);
        }
        serializer.finish()
    }
}

/// The `Idempotency-Key` of a POST: Stripe answers a repeated key with the first answer instead
/// of doing the work again (for 24 hours). Kasa derives keys from its own ids, so a retry of the
/// same operation sends the same key and a different operation a different one.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

/// Stripe refuses keys longer than this.
const MAX_KEY_LENGTH: usize = 255;

impl IdempotencyKey {
    /// A key made of `parts` joined by `/` under `kasa/`, e.g. `kasa/ord_1/payment_intent`.
    /// Characters other than ASCII letters, digits, `-`, `_`, `.`, `:` and `=` are replaced by
    /// `_`, and a key that would be longer than Stripe allows becomes `kasa/sha256-<hex>` of the
    /// full text (still the same for the same parts).
    #[must_use]
    pub fn derived(parts: &[&str]) -> Self {
        let text = parts.iter().fold("kasa".to_owned(), |mut text, part| {
            text.push('/');
            text.push_str(part);
            text
        });
        let safe: String = text
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '=' | '/') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        // Replacing characters could make two texts equal; then the digest keeps them apart.
        if safe.len() <= MAX_KEY_LENGTH && safe == text {
            Self(safe)
        } else {
            Self(format!(
                "kasa/sha256-{}",
                hex::encode(Sha256::digest(text.as_bytes()))
            ))
        }
    }

    /// A key given as is (a caller's own scheme).
    ///
    /// # Panics
    /// When `key` is empty or longer than 255 bytes (a programming error).
    #[must_use]
    pub fn given(key: &str) -> Self {
        assert!(
            !key.is_empty() && key.len() <= MAX_KEY_LENGTH,
            "an idempotency key has 1 to 255 bytes"
        );
        Self(key.to_owned())
    }

    /// The key as sent.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for IdempotencyKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "IdempotencyKey({})", self.0)
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_keys_use_brackets_and_values_are_url_encoded() {
        let form = Form::new()
            .field("amount", 1050)
            .field("currency", "try")
            .nested("metadata", "kasa_order_id", "ord 1&2")
            .list_item("items", 0, "plan", "plan_X")
            .optional("description", None::<&str>)
            .optional("receipt_email", Some("ayşe@example.com"))
            .expand("latest_charge");
        assert_eq!(
            form.encode(),
            "amount=1050&currency=try&metadata%5Bkasa_order_id%5D=ord+1%262\
             &items%5B0%5D%5Bplan%5D=plan_X&receipt_email=ay%C5%9Fe%40example.com\
             &expand%5B%5D=latest_charge"
        );
        let decoded: Vec<(String, String)> = form_urlencoded::parse(form.encode().as_bytes())
            .into_owned()
            .collect();
        assert_eq!(decoded, form.fields());
    }

    #[test]
    fn derived_keys_are_readable_stable_and_distinct() {
        let key = IdempotencyKey::derived(&["ord_1", "refund", "1000", "after-0"]);
        assert_eq!(key.as_str(), "kasa/ord_1/refund/1000/after-0");
        assert_eq!(
            key,
            IdempotencyKey::derived(&["ord_1", "refund", "1000", "after-0"])
        );
        assert_ne!(
            key,
            IdempotencyKey::derived(&["ord_1", "refund", "1000", "after-1000"])
        );
        // Characters outside the safe set, and over-long keys, become a digest.
        let odd = IdempotencyKey::derived(&["ord 1", "x"]);
        assert!(odd.as_str().starts_with("kasa/sha256-"), "{odd}");
        assert_ne!(odd, IdempotencyKey::derived(&["ord_1", "x"]));
        let long = IdempotencyKey::derived(&[&"a".repeat(300)]);
        assert!(long.as_str().len() <= 255);
        assert_eq!(long, IdempotencyKey::derived(&[&"a".repeat(300)]));
    }
}
