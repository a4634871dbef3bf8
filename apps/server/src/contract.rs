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
//! - `servers`, `license`, and `security: []` on the operations open to anyone.

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

/// The statuses an operation lists besides its successes: every operation may be malformed
/// (400) or fail (500, 503); a secured one may be unauthenticated (401) or forbidden (403); one
/// with a path parameter may name nothing (404); one with a body may be too large (413), sent
/// as another media type (415), conflict (409) or be refused by a rule (422). The ranges stay
/// as the catch-all for the rest (429 from throttling, ...).
fn finish_operation(path: &str, operation: &mut Value) {
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
        ("400", "The request could not be read or a value breaks a rule (`malformed-request`, `invalid-input`, `reason-required`, ...)."),
        ("401", "No credential, or an unknown, expired or revoked one (`unauthenticated`, `invalid-credentials`)."),
        ("402", "The charge is refused; `facts` gives the balance, the price and the packages that would cover it."),
        ("403", "The caller's role does not allow this (`forbidden`)."),
        ("404", "Nothing has this id (`not-found`)."),
        ("409", "Conflicts with what exists or changed meanwhile (`conflict`, `changed-meanwhile`, ...)."),
        ("413", "The body is larger than this endpoint accepts (`payload-too-large`, `facts.limit_bytes`)."),
        ("415", "The body is not JSON (`unsupported-media-type`)."),
        ("422", "A business rule refuses the request; `code` says which."),
        ("500", "A bug in Kasa (`internal`); logged with the request id."),
        ("503", "Kasa's database or a payment gateway did not answer; nothing changed unless the problem says so."),
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
    if optional {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
