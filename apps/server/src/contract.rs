//! The finishing pass over the spec poem-openapi generates, so docs/openapi.json is the exact
//! contract (ADR 0021). poem-openapi 5 writes OpenAPI 3.0 without a way to say "this optional
//! field may be `null`", wraps a described `$ref` in `allOf` (which generators choke on), and
//! types errors only as 4XX/5XX ranges. Rather than annotate every field, this one pass fixes
//! the whole document by rule, so endpoints added later follow the same rules:
//!
//! - OpenAPI 3.1 (JSON Schema 2020-12): an optional property (not `required`) is nullable
//!   (`type: [T, "null"]`, or `anyOf: [$ref, null]`), which is what poem-openapi does with an
//!   `Option` field: it accepts `null` or absence, and may send `null`;
//! - `allOf: [$ref, {description}]` becomes `$ref` with its description beside it (3.1 allows it);
//! - formats and closed sets by property name (see [`PROPERTY_RULES`]);
//! - every operation lists the statuses it can answer with, each with the problem schema,
//!   `Problem.code` is the closed set catalogued in docs/api-errors.md and `Problem.facts`
//!   names the facts refusals carry (`ProblemFacts`);
//! - `servers`, `license`, and `security: []` on the operations open to anyone;
//! - `links` where one call's answer feeds another (see [`LINKS`]): a customer found or made
//!   leads to its billing context and to a charge, a purchase to its refund, void and capture,
//!   a payment request to its cancellation, a webhook endpoint to its deliveries, a delivery to
//!   its attempts and its replay.

use serde_json::{Map, Value, json};

/// The catalogue of problem codes, whose tables' first column is each code in backquotes.
const API_ERRORS: &str = include_str!("../../../docs/api-errors.md");

/// The operations that answer a refused charge with 402 and its facts.
const PAYMENT_REQUIRED_OPERATIONS: [&str; 1] = ["/v1/charges"];

/// Finishes `spec` (poem-openapi's JSON) in place.
pub fn finish(spec: &mut Value) {
    spec["openapi"] = json!("3.1.0");
    spec["info"]["license"] = json!({
        "name": "MIT OR Apache-2.0",
        "identifier": "MIT OR Apache-2.0",
    });
    spec["servers"] = json!([{
        "url": "/",
        "description": "the Kasa server that serves this document (at /openapi.json)",
    }]);
    if let Some(paths) = spec["paths"].as_object_mut() {
        for (path, operations) in paths.iter_mut() {
            let Some(operations) = operations.as_object_mut() else {
                continue;
            };
            for operation in operations.values_mut() {
                finish_operation(path, operation);
            }
        }
    }
    finish_schemas(spec);
    add_links(spec);
    let components = &mut spec["components"];
    components["responses"] = problem_responses();
    let schemas = &mut components["schemas"];
    schemas["ProblemFacts"] = problem_facts();
    schemas["CoveringPackage"] = json!({
        "type": "object",
        "title": "CoveringPackage",
        "description": "A package on sale that would cover a refused charge.",
        "required": ["id", "name", "price"],
        "properties": {
            "id": { "type": "string", "format": "uuid" },
            "name": { "type": "string" },
            "price": { "$ref": "#/components/schemas/MoneyBody" }
        }
    });
    let problem = &mut schemas["Problem"]["properties"];
    problem["code"]["enum"] = Value::from(problem_codes());
    problem["facts"] = json!({
        "$ref": "#/components/schemas/ProblemFacts",
        "description": "Facts that go with the refusal (balance, price, renewal date, ...), \
                        when there are any.",
    });
    problem["type"]["format"] = json!("uri");
}

/// One OpenAPI link: from the 200 answer of `from` (method, path), named `name`, to the
/// operation `operation_id`, with its parameters (runtime expressions) and, for a body, the
/// body's fields to fill from the answer.
struct Link {
    from: (&'static str, &'static str),
    name: &'static str,
    operation_id: &'static str,
    parameters: &'static [(&'static str, &'static str)],
    request_body: Option<fn() -> Value>,
    description: &'static str,
}

/// The charge body's customer, by the id in the answer (department, kind and reference are the
/// help desk's own).
fn charge_customer() -> Value {
    json!({ "customer": { "customer_id": "$response.body#/id" } })
}

const CUSTOMER_ID: &[(&str, &str)] = &[("customer_id", "$response.body#/id")];
const ID: &[(&str, &str)] = &[("id", "$response.body#/id")];
const PURCHASE_OF_ACTION: &[(&str, &str)] = &[("id", "$response.body#/purchase/id")];
const CREATED_ENDPOINT: &[(&str, &str)] = &[("id", "$response.body#/endpoint/id")];
const FIRST_DELIVERY: &[(&str, &str)] = &[
    ("id", "$request.path.id"),
    ("event_id", "$response.body#/0/event_id"),
];

/// Where one call's answer feeds another.
const LINKS: &[Link] = &[
    Link {
        from: ("get", "/v1/customers"),
        name: "BillingContext",
        operation_id: "billing_context",
        parameters: CUSTOMER_ID,
        request_body: None,
        description: "The customer found: their billing context beside the ticket.",
    },
    Link {
        from: ("get", "/v1/customers"),
        name: "Charge",
        operation_id: "charge",
        parameters: &[],
        request_body: Some(charge_customer),
        description: "Charge a ticket or chat of the customer found (add `department_id`, \
                      `kind` and `reference`).",
    },
    Link {
        from: ("get", "/v1/customers/{id}"),
        name: "BillingContext",
        operation_id: "billing_context",
        parameters: CUSTOMER_ID,
        request_body: None,
        description: "The customer's billing context.",
    },
    Link {
        from: ("get", "/v1/customers/{id}"),
        name: "Charge",
        operation_id: "charge",
        parameters: &[],
        request_body: Some(charge_customer),
        description: "Charge a ticket or chat of the customer (add `department_id`, `kind` and \
                      `reference`).",
    },
    Link {
        from: ("post", "/v1/customers"),
        name: "BillingContext",
        operation_id: "billing_context",
        parameters: CUSTOMER_ID,
        request_body: None,
        description: "The new customer's billing context.",
    },
    Link {
        from: ("post", "/v1/customers"),
        name: "Charge",
        operation_id: "charge",
        parameters: &[],
        request_body: Some(charge_customer),
        description: "Charge a ticket or chat of the new customer (add `department_id`, `kind` \
                      and `reference`).",
    },
    Link {
        from: ("get", "/v1/purchases/{id}"),
        name: "Refund",
        operation_id: "refund_payment",
        parameters: ID,
        request_body: None,
        description: "Refund the purchase's payment, in full or in part.",
    },
    Link {
        from: ("get", "/v1/purchases/{id}"),
        name: "Void",
        operation_id: "void_payment",
        parameters: ID,
        request_body: None,
        description: "Void the purchase's payment.",
    },
    Link {
        from: ("get", "/v1/purchases/{id}"),
        name: "Capture",
        operation_id: "capture_payment",
        parameters: ID,
        request_body: None,
        description: "Capture the purchase's authorised payment.",
    },
    Link {
        from: ("get", "/v1/purchases/{id}"),
        name: "RefundAllowance",
        operation_id: "get_refund_allowance",
        parameters: ID,
        request_body: None,
        description: "How much of the payment the caller may still give back.",
    },
    Link {
        from: ("post", "/v1/customers/{id}/grants"),
        name: "Refund",
        operation_id: "refund_payment",
        parameters: PURCHASE_OF_ACTION,
        request_body: None,
        description: "Refund the granted purchase's payment (a charged grant).",
    },
    Link {
        from: ("post", "/v1/customers/{id}/grants"),
        name: "Void",
        operation_id: "void_payment",
        parameters: PURCHASE_OF_ACTION,
        request_body: None,
        description: "Void the granted purchase's payment (a charged grant).",
    },
    Link {
        from: ("post", "/v1/customers/{id}/payment-requests"),
        name: "Cancel",
        operation_id: "cancel_payment_request",
        parameters: ID,
        request_body: None,
        description: "Cancel the payment request before it is paid.",
    },
    Link {
        from: ("post", "/v1/customers/{id}/payment-requests"),
        name: "PaymentRequest",
        operation_id: "get_payment_request",
        parameters: ID,
        request_body: None,
        description: "Read the payment request again (its state: open, paid, ...).",
    },
    Link {
        from: ("get", "/v1/payment-requests/{id}"),
        name: "Cancel",
        operation_id: "cancel_payment_request",
        parameters: ID,
        request_body: None,
        description: "Cancel the payment request before it is paid.",
    },
    Link {
        from: ("post", "/v1/webhook-endpoints"),
        name: "Deliveries",
        operation_id: "list_webhook_deliveries",
        parameters: CREATED_ENDPOINT,
        request_body: None,
        description: "The new endpoint's deliveries.",
    },
    Link {
        from: ("post", "/v1/webhook-endpoints"),
        name: "Update",
        operation_id: "update_webhook_endpoint",
        parameters: CREATED_ENDPOINT,
        request_body: None,
        description: "Change the new endpoint, or switch it off.",
    },
    Link {
        from: ("patch", "/v1/webhook-endpoints/{id}"),
        name: "Deliveries",
        operation_id: "list_webhook_deliveries",
        parameters: ID,
        request_body: None,
        description: "The endpoint's deliveries.",
    },
    Link {
        from: ("get", "/v1/webhook-endpoints/{id}/deliveries"),
        name: "Attempts",
        operation_id: "list_webhook_attempts",
        parameters: FIRST_DELIVERY,
        request_body: None,
        description: "Each attempt of the first delivery listed (any other: its `event_id`).",
    },
    Link {
        from: ("get", "/v1/webhook-endpoints/{id}/deliveries"),
        name: "Replay",
        operation_id: "replay_webhook_delivery",
        parameters: FIRST_DELIVERY,
        request_body: None,
        description: "Send the first delivery listed again (any other: its `event_id`).",
    },
];

/// Adds [`LINKS`] to the 200 answers they start from.
fn add_links(spec: &mut Value) {
    for link in LINKS {
        let (method, path) = link.from;
        let Some(answer) = spec
            .pointer_mut(&format!(
                "/paths/{}/{method}/responses/200",
                path.replace('~', "~0").replace('/', "~1")
            ))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        let mut described = json!({
            "operationId": link.operation_id,
            "description": link.description,
        });
        if !link.parameters.is_empty() {
            described["parameters"] = link
                .parameters
                .iter()
                .map(|(name, expression)| ((*name).to_owned(), json!(expression)))
                .collect::<Map<String, Value>>()
                .into();
        }
        if let Some(body) = link.request_body {
            described["requestBody"] = body();
        }
        let links = answer.entry("links").or_insert_with(|| json!({}));
        links[link.name] = described;
    }
}

/// The statuses an operation lists besides its successes: every operation may be malformed
/// (400) or fail (500, 503); a secured one may be unauthenticated (401) or forbidden (403); one
/// with a path parameter may name nothing (404); one with a body may be too large (413), sent
/// as another media type (415), conflict (409) or be refused by a rule (422); one that takes
/// `If-Match` may find the revision stale (412). The ranges stay
/// as the catch-all for the rest (429 from throttling, ...).
fn finish_operation(path: &str, operation: &mut Value) {
    if let Some(Value::Array(parameters)) = operation.get_mut("parameters") {
        parameters.iter_mut().for_each(finish_parameter);
    }
    if operation.get("security").is_none() {
        operation["security"] = json!([]);
    }
    let secured = operation["security"]
        .as_array()
        .is_some_and(|security| !security.is_empty());
    let has_path_parameter = path.contains('{');
    let has_body = operation.get("requestBody").is_some();
    let mut statuses = vec!["400"];
    if secured {
        statuses.extend(["401", "403"]);
    }
    if PAYMENT_REQUIRED_OPERATIONS.contains(&path) {
        statuses.push("402");
    }
    if has_path_parameter {
        statuses.push("404");
    }
    if has_body {
        statuses.extend(["409", "413", "415", "422"]);
    }
    let takes_if_match = operation["parameters"]
        .as_array()
        .is_some_and(|parameters| {
            parameters
                .iter()
                .any(|parameter| parameter["name"] == "If-Match")
        });
    if takes_if_match {
        statuses.push("412");
    }
    statuses.extend(["500", "503"]);
    let Some(responses) = operation["responses"].as_object_mut() else {
        return;
    };
    if !responses.contains_key("4XX") {
        return;
    }
    let ranges: Vec<(String, Value)> = ["4XX", "5XX"]
        .iter()
        .filter_map(|range| responses.remove(*range).map(|r| ((*range).to_owned(), r)))
        .collect();
    for status in statuses {
        responses.insert(
            status.to_owned(),
            json!({ "$ref": format!("#/components/responses/Problem{status}") }),
        );
    }
    responses.extend(ranges);
}

/// One reusable response per status, each a problem document.
fn problem_responses() -> Value {
    let described = [
        (
            "400",
            "The request could not be read or a value breaks a rule (`malformed-request`, `invalid-input`, `reason-required`, ...).",
        ),
        (
            "401",
            "No credential, or an unknown, expired or revoked one (`unauthenticated`, `invalid-credentials`).",
        ),
        (
            "402",
            "The charge is refused; `facts` gives the balance, the price and the packages that would cover it.",
        ),
        (
            "403",
            "The caller's role does not allow this (`forbidden`).",
        ),
        ("404", "Nothing has this id (`not-found`)."),
        (
            "409",
            "Conflicts with what exists or changed meanwhile (`conflict`, `changed-meanwhile`, ...).",
        ),
        (
            "413",
            "The body is larger than this endpoint accepts (`payload-too-large`, `facts.limit_bytes`).",
        ),
        (
            "412",
            "`If-Match` names a revision older than the current one (`precondition-failed`, `facts.revision`).",
        ),
        ("415", "The body is not JSON (`unsupported-media-type`)."),
        (
            "422",
            "A business rule refuses the request; `code` says which.",
        ),
        (
            "500",
            "A bug in Kasa (`internal`); logged with the request id.",
        ),
        (
            "503",
            "Kasa's database or a payment gateway did not answer; nothing changed unless the problem says so.",
        ),
    ];
    let mut responses = Map::new();
    for (status, description) in described {
        responses.insert(
            format!("Problem{status}"),
            json!({
                "description": description,
                "content": { "application/problem+json": {
                    "schema": { "$ref": "#/components/schemas/Problem" }
                }}
            }),
        );
    }
    Value::Object(responses)
}

/// The facts refusals carry, typed where they are known; others may be added (a client keeps
/// what it does not know).
fn problem_facts() -> Value {
    json!({
        "type": "object",
        "title": "ProblemFacts",
        "description": "The facts behind a refusal. Which ones are present depends on `code` \
                        (docs/api-errors.md).",
        "properties": {
            "field": { "type": "string", "description": "The request field the problem is about." },
            "balance": { "type": "integer", "format": "int64", "description": "The customer's credit balance." },
            "price": { "type": "integer", "format": "int64", "description": "The department's price in credits." },
            "covering_packages": {
                "type": "array",
                "description": "Packages on sale that would cover the refused charge.",
                "items": { "$ref": "#/components/schemas/CoveringPackage" }
            },
            "ended_at": { "type": "string", "format": "date-time", "description": "When the subscription ended." },
            "ends_at": { "type": "string", "format": "date-time", "description": "When the subscription ends." },
            "renewal_opens_at": { "type": "string", "format": "date-time", "description": "From when it may be renewed." },
            "applied_at": { "type": "string", "format": "date-time", "description": "When the idempotent request was applied." },
            "limit_bytes": { "type": "integer", "format": "int64", "description": "The largest body this endpoint accepts." }
        },
        "additionalProperties": true
    })
}

/// Every code in docs/api-errors.md's tables.
pub fn problem_codes() -> Vec<String> {
    let mut codes: Vec<String> = API_ERRORS
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split_once('`').map(|(code, _)| code.to_owned()))
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

/// Declares what the server checks of a path, query or header parameter, by its name.
fn finish_parameter(parameter: &mut Value) {
    let name = parameter["name"].as_str().unwrap_or_default().to_owned();
    let place = parameter["in"].as_str().unwrap_or_default().to_owned();
    let schema = &mut parameter["schema"];
    if schema.get("type") != Some(&json!("string")) || schema.get("format").is_some() {
        return;
    }
    match (place.as_str(), name.as_str()) {
        ("path", "id" | "invoice_id" | "link_id" | "department_id")
        | ("query", "customer_id" | "package_id" | "before") => schema["format"] = json!("uuid"),
        ("query", "email") => schema["format"] = json!("email"),
        ("path", "role") => schema["enum"] = Value::from(role_names()),
        ("path", "gateway") => {
            schema["enum"] = crate::gateways::REGISTRY
                .iter()
                .map(|descriptor| descriptor.name)
                .collect();
        }
        // payments::approval_listing and kasa_ports::PurchaseStatus's names.
        ("query", "state") => {
            schema["enum"] = json!([
                "pending",
                "expired",
                "approving",
                "approved",
                "failed",
                "rejected"
            ]);
        }
        ("query", "status") => {
            schema["enum"] = json!(["pending", "completed", "failed", "needs_attention"]);
        }
        ("header", "Idempotency-Key") => {
            // crate::idempotency::acceptable_key: 1-200 visible ASCII characters.
            schema["pattern"] = json!("^[!-~]{1,200}$");
        }
        _ => {}
    }
}

/// The roles' names, as the API writes them.
fn role_names() -> Vec<String> {
    kasa_domain::Role::ALL
        .iter()
        .filter_map(|role| serde_json::to_value(role).ok())
        .filter_map(|name| name.as_str().map(str::to_owned))
        .collect()
}

/// The bounds of the integer formats poem-openapi writes without them (a `u32` refuses -1).
fn integer_bounds(format: &str) -> Option<(i128, i128)> {
    Some(match format {
        "uint16" => (0, i128::from(u16::MAX)),
        "uint32" => (0, i128::from(u32::MAX)),
        "uint64" => (0, i128::from(i64::MAX)),
        "int16" => (i128::from(i16::MIN), i128::from(i16::MAX)),
        "int32" => (i128::from(i32::MIN), i128::from(i32::MAX)),
        "int64" => (i128::from(i64::MIN), i128::from(i64::MAX)),
        _ => return None,
    })
}

/// Adds the bounds of an integer format to a schema that states none.
fn bound_integer(schema: &mut Value) {
    let Some(format) = schema.get("format").and_then(Value::as_str) else {
        return;
    };
    let Some((minimum, maximum)) = integer_bounds(format) else {
        return;
    };
    let object = schema
        .as_object_mut()
        .expect("a schema with a format is an object");
    object
        .entry("minimum")
        .or_insert_with(|| Value::from(i64::try_from(minimum).unwrap_or(i64::MIN)));
    object
        .entry("maximum")
        .or_insert_with(|| Value::from(i64::try_from(maximum).unwrap_or(i64::MAX)));
}

/// What `kasa_domain::Reason` accepts: at most 1000 characters, not only white space (Rust's
/// `char::is_whitespace`, spelled out so that every regex engine agrees).
const REASON_PATTERN: &str = "[^\\t\\n\\u000B\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]";

/// Formats and closed sets declared by property name, wherever the property appears.
const PROPERTY_RULES: &[(&str, &str)] = &[
    ("email", "email"),
    ("customer_id", "uuid"),
    ("department_id", "uuid"),
    ("package_id", "uuid"),
    ("purchase_id", "uuid"),
    ("invoice_id", "uuid"),
    ("coupon_id", "uuid"),
    ("integration_id", "uuid"),
    ("payment_action_id", "uuid"),
    ("charge_id", "uuid"),
];

/// Applies the rules to every schema, wherever it is (components, parameters, bodies).
fn finish_schemas(node: &mut Value) {
    match node {
        Value::Object(object) => {
            if object
                .get("format")
                .and_then(Value::as_str)
                .and_then(integer_bounds)
                .is_some()
            {
                let mut schema = Value::Object(object.clone());
                bound_integer(&mut schema);
                if let Value::Object(bounded) = schema {
                    *object = bounded;
                }
            }
            if let Some(Value::Object(properties)) = object.get("properties") {
                let required: Vec<String> = object
                    .get("required")
                    .and_then(Value::as_array)
                    .map(|names| {
                        names
                            .iter()
                            .filter_map(|name| name.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default();
                let mut properties = properties.clone();
                for (name, property) in &mut properties {
                    finish_property(name, property, !required.contains(name));
                }
                object.insert("properties".to_owned(), Value::Object(properties));
            }
            for value in object.values_mut() {
                finish_schemas(value);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(finish_schemas),
        _ => {}
    }
}

fn finish_property(name: &str, property: &mut Value, optional: bool) {
    unwrap_described_reference(property);
    let is_string = property.get("type") == Some(&json!("string"));
    if is_string && property.get("format").is_none() {
        let by_name = PROPERTY_RULES
            .iter()
            .find(|(rule, _)| *rule == name)
            .map(|(_, format)| *format)
            .or_else(|| name.ends_with("_at").then_some("date-time"));
        if let Some(format) = by_name {
            property["format"] = json!(format);
        }
    }
    if is_string && name == "reason" {
        property["minLength"] = json!(1);
        property["maxLength"] = json!(kasa_domain::Reason::MAX_CHARACTERS);
        property["pattern"] = json!(REASON_PATTERN);
    }
    if is_string && name == "role" {
        property["enum"] = Value::from(role_names());
    }
    if is_string && name == "currency" {
        property["enum"] = kasa_domain::Currency::ALL
            .iter()
            .map(|currency| json!(currency.alpha_code()))
            .collect();
    }
    if is_string && name == "language" {
        property["enum"] = json!([
            kasa_domain::Language::Tr.code(),
            kasa_domain::Language::En.code()
        ]);
    }
    // A field with a default (`#[oai(default)]`) takes the default when absent, not `null`.
    let has_default = property
        .get("default")
        .is_some_and(|default| !default.is_null());
    if optional && !has_default {
        make_nullable(property);
    }
}

/// `{allOf: [{$ref}, {description}], description}` -> `{$ref, description}`.
fn unwrap_described_reference(property: &mut Value) {
    let Some(all_of) = property.get("allOf").and_then(Value::as_array) else {
        return;
    };
    let only_descriptions = all_of.iter().skip(1).all(|part| {
        part.as_object()
            .is_some_and(|part| part.keys().all(|key| key == "description"))
    });
    if !only_descriptions || all_of.first().and_then(|first| first.get("$ref")).is_none() {
        return;
    }
    let reference = all_of[0]["$ref"].clone();
    if let Some(object) = property.as_object_mut() {
        object.remove("allOf");
        object.insert("$ref".to_owned(), reference);
    }
}

fn make_nullable(property: &mut Value) {
    let Some(object) = property.as_object_mut() else {
        return;
    };
    if let Some(reference) = object.remove("$ref") {
        object.insert(
            "anyOf".to_owned(),
            json!([{ "$ref": reference }, { "type": "null" }]),
        );
        return;
    }
    match object.get("type").cloned() {
        Some(Value::String(kind)) => {
            object.insert("type".to_owned(), json!([kind, "null"]));
            if let Some(Value::Array(values)) = object.get_mut("enum") {
                values.push(Value::Null);
            }
        }
        Some(_) => {}
        // Any JSON value already includes null.
        None => {}
    }
}

/// The operation of the finished `spec` that answers `method` on `path` (a concrete path).
fn operation<'a>(spec: &'a Value, method: &str, path: &str) -> Option<&'a Value> {
    let method = method.to_ascii_lowercase();
    spec["paths"]
        .as_object()?
        .iter()
        .find_map(|(template, operations)| {
            template_matches(template, path)
                .then(|| operations.get(&method))
                .flatten()
        })
}

/// Whether the concrete `path` (`/v1/customers/0195…`) is an instance of the path template
/// (`/v1/customers/{id}`); a trailing slash is ignored.
pub fn template_matches(template: &str, path: &str) -> bool {
    // Segment by segment without collecting either (this runs on every request).
    let mut actual = path.trim_end_matches('/').split('/');
    let mut expected = template.split('/');
    loop {
        match (expected.next(), actual.next()) {
            (None, None) => return true,
            (Some(expected), Some(actual))
                if (expected.starts_with('{') && !actual.is_empty()) || expected == actual => {}
            _ => return false,
        }
    }
}

/// Where a JSON request body sends a number or a boolean for a field the contract types as a
/// string (poem-openapi's `String` would take `12345.5` or `false` as the text "12345.5" or
/// "false"), or `null` for a field that is not nullable (poem-openapi would read it as absent),
/// against the operation's request body `schema` ([`request_schema`]): the field's path and the
/// value, for a 400 `malformed-request`. Checked once, here, against the finished spec, so every
/// operation refuses wrong types the same way.
pub fn wrong_type_in(spec: &Value, schema: &Value, body: &Value) -> Option<(String, String)> {
    wrong_type(spec, schema, body, String::new())
}

/// The schema of an operation's JSON request body, if it takes one.
pub fn request_schema<'a>(spec: &'a Value, method: &str, path: &str) -> Option<&'a Value> {
    let content = operation(spec, method, path)?
        .get("requestBody")?
        .get("content")?
        .as_object()?;
    content
        .iter()
        .find(|(media_type, _)| media_type.starts_with("application/json"))?
        .1
        .get("schema")
}

/// Rewrites the whole numbers a JSON request body writes with a fraction (`5.0`) as integers
/// where the operation's request body `schema` says integer: JSON Schema counts `5.0` as an
/// integer, poem-openapi's parsers do not. Returns whether anything changed.
pub fn rewrite_whole_numbers(spec: &Value, schema: &Value, value: &mut Value) -> bool {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let Some(name) = reference.strip_prefix("#/components/schemas/") else {
            return false;
        };
        return rewrite_whole_numbers(spec, &spec["components"]["schemas"][name], value);
    }
    if let Some(Value::Array(choices)) = schema.get("anyOf") {
        return choices
            .iter()
            .filter(|choice| choice.get("type") != Some(&json!("null")))
            .any(|choice| rewrite_whole_numbers(spec, choice, value));
    }
    let integer = match schema.get("type") {
        Some(Value::String(kind)) => kind == "integer",
        Some(Value::Array(kinds)) => kinds.contains(&json!("integer")),
        _ => false,
    };
    match value {
        Value::Number(number) if integer && !number.is_i64() && !number.is_u64() => {
            let Some(float) = number.as_f64() else {
                return false;
            };
            #[allow(clippy::cast_possible_truncation)]
            let whole = float as i64;
            #[allow(clippy::cast_precision_loss)]
            let exact = float.fract() == 0.0 && (whole as f64) == float;
            if exact {
                *value = Value::from(whole);
            }
            exact
        }
        Value::Object(members) => {
            let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
                return false;
            };
            let mut changed = false;
            for (name, member) in members.iter_mut() {
                if let Some(property) = properties.get(name) {
                    changed |= rewrite_whole_numbers(spec, property, member);
                }
            }
            changed
        }
        Value::Array(items) => {
            let Some(item_schema) = schema.get("items") else {
                return false;
            };
            let mut changed = false;
            for item in items {
                changed |= rewrite_whole_numbers(spec, item_schema, item);
            }
            changed
        }
        _ => false,
    }
}

fn wrong_type(
    spec: &Value,
    schema: &Value,
    value: &Value,
    field: String,
) -> Option<(String, String)> {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.strip_prefix("#/components/schemas/")?;
        return wrong_type(spec, &spec["components"]["schemas"][name], value, field);
    }
    if let Some(Value::Array(choices)) = schema.get("anyOf").or_else(|| schema.get("oneOf")) {
        if value.is_null() {
            let takes_null = choices
                .iter()
                .any(|choice| choice.get("type") == Some(&json!("null")));
            return (!takes_null && !field.is_empty()).then(|| (field, "null".to_owned()));
        }
        let not_null: Vec<&Value> = choices
            .iter()
            .filter(|choice| choice.get("type") != Some(&json!("null")))
            .collect();
        return match not_null.as_slice() {
            [only] => wrong_type(spec, only, value, field),
            _ => None,
        };
    }
    if let Some(Value::Array(parts)) = schema.get("allOf") {
        return parts
            .iter()
            .find_map(|part| wrong_type(spec, part, value, field.clone()));
    }
    let types = match schema.get("type") {
        Some(Value::String(kind)) => vec![kind.as_str()],
        Some(Value::Array(kinds)) => kinds.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if value.is_null() {
        // poem-openapi reads `null` as absent, which a field with a default would take silently.
        let refused = !types.is_empty() && !types.contains(&"null") && !field.is_empty();
        return refused.then(|| (field, "null".to_owned()));
    }
    if types == ["string"] || types == ["string", "null"] {
        return matches!(value, Value::Number(_) | Value::Bool(_))
            .then(|| (field, value.to_string()));
    }
    match value {
        Value::Object(members) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            let additional = schema
                .get("additionalProperties")
                .filter(|additional| additional.is_object());
            members.iter().find_map(|(name, member)| {
                let nested = if field.is_empty() {
                    name.clone()
                } else {
                    format!("{field}.{name}")
                };
                let member_schema = properties
                    .and_then(|properties| properties.get(name))
                    .or(additional)?;
                wrong_type(spec, member_schema, member, nested)
            })
        }
        Value::Array(items) => {
            let item_schema = schema.get("items")?;
            items.iter().enumerate().find_map(|(index, item)| {
                wrong_type(spec, item_schema, item, format!("{field}[{index}]"))
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wrong_type_in_body(
        spec: &Value,
        method: &str,
        path: &str,
        body: &Value,
    ) -> Option<(String, String)> {
        wrong_type_in(spec, request_schema(spec, method, path)?, body)
    }

    /// Every link starts from an operation that exists, names an operation that exists, and
    /// fills only parameters that operation takes.
    #[test]
    fn every_link_joins_two_real_operations() {
        let spec: Value =
            serde_json::from_str(&crate::server::spec_json()).expect("the spec parses");
        let mut operations = std::collections::BTreeMap::new();
        for (path, methods) in spec["paths"].as_object().expect("paths") {
            for (method, operation) in methods.as_object().expect("methods") {
                if let Some(id) = operation["operationId"].as_str() {
                    operations.insert(id.to_owned(), (path.clone(), method.clone(), operation));
                }
            }
        }
        for link in LINKS {
            let (method, path) = link.from;
            let links = &spec["paths"][path][method]["responses"]["200"]["links"];
            assert!(
                links[link.name].is_object(),
                "{method} {path} has link {}",
                link.name
            );
            let (_, _, target) = operations
                .get(link.operation_id)
                .unwrap_or_else(|| panic!("no operation {}", link.operation_id));
            let names: Vec<&str> = target["parameters"]
                .as_array()
                .map(|parameters| {
                    parameters
                        .iter()
                        .filter_map(|parameter| parameter["name"].as_str())
                        .collect()
                })
                .unwrap_or_default();
            for (name, _) in link.parameters {
                assert!(
                    names.contains(name),
                    "{} takes no parameter {name}",
                    link.operation_id
                );
            }
            if link.request_body.is_some() {
                assert!(
                    target["requestBody"].is_object(),
                    "{} takes a body",
                    link.operation_id
                );
            }
        }
    }

    #[test]
    fn problem_codes_are_read_from_the_catalogue() {
        let codes = problem_codes();
        assert!(codes.contains(&"insufficient-credits".to_owned()));
        assert!(codes.contains(&"malformed-request".to_owned()));
        assert!(codes.iter().all(|code| !code.contains(' ')));
    }

    #[test]
    fn an_optional_field_becomes_nullable_and_a_described_reference_plain() {
        let mut spec = json!({
            "openapi": "3.0.0", "info": {}, "paths": {},
            "components": { "schemas": {
                "Problem": { "properties": { "code": {}, "facts": {}, "type": {} } },
                "Thing": {
                    "type": "object", "required": ["id"],
                    "properties": {
                        "id": { "type": "string" },
                        "customer_id": { "type": "string" },
                        "kind": { "description": "k", "allOf": [
                            { "$ref": "#/components/schemas/Kind" }, { "description": "k" }
                        ]},
                        "created_at": { "type": "string" }
                    }
                }
            }}
        });
        finish(&mut spec);
        let thing = &spec["components"]["schemas"]["Thing"]["properties"];
        assert_eq!(thing["id"], json!({ "type": "string" }));
        assert_eq!(
            thing["customer_id"],
            json!({ "type": ["string", "null"], "format": "uuid" })
        );
        assert_eq!(
            thing["kind"],
            json!({ "description": "k", "anyOf": [
                { "$ref": "#/components/schemas/Kind" }, { "type": "null" }
            ]})
        );
        assert_eq!(thing["created_at"]["format"], json!("date-time"));
    }

    #[test]
    fn a_number_or_a_boolean_sent_for_a_string_is_found_with_its_field() {
        let spec: Value = serde_json::from_str(&crate::server::spec_json()).expect("JSON");
        let wrong = |body: Value| wrong_type_in_body(&spec, "POST", "/v1/departments", &body);
        assert_eq!(
            wrong(json!({ "name": 12345.5, "credits_per_request": 1, "reason": "new" })),
            Some(("name".to_owned(), "12345.5".to_owned()))
        );
        assert_eq!(
            wrong(json!({ "name": "Sales", "credits_per_request": 1, "reason": false })),
            Some(("reason".to_owned(), "false".to_owned()))
        );
        assert_eq!(
            wrong(json!({ "name": "Sales", "credits_per_request": 1, "reason": "new" })),
            None
        );
        assert_eq!(
            wrong(json!({ "name": null, "credits_per_request": 1, "reason": "new" })),
            Some(("name".to_owned(), "null".to_owned()))
        );
        let charge = json!({ "customer": { "email": 5 }, "department_id": "x", "kind": "ticket",
                             "reference": "1" });
        assert_eq!(
            wrong_type_in_body(&spec, "POST", "/v1/charges", &charge),
            Some(("customer.email".to_owned(), "5".to_owned()))
        );
    }
}
