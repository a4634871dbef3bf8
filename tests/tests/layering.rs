//! The layer table of ARCHITECTURE.md ("which crate may know what"), checked against the real
//! dependency graph from `cargo metadata`.
//!
//! The rules sit in the tables right below, in the order of ARCHITECTURE.md; the checker is a pure
//! function over the metadata JSON so that it can be shown to fail on a hand-made graph.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// The layer table.
// ---------------------------------------------------------------------------------------------

const CORE_CRATES: &[&str] = &[
    "kasa-domain",
    "kasa-credits",
    "kasa-subscriptions",
    "kasa-locale",
];

/// One row of the table: which workspace crates a layer may use, and which outside crates must
/// never be reached through its normal (non-dev) dependencies, directly or transitively.
struct Layer {
    name: &'static str,
    members: Members,
    /// Workspace crates the layer's crates may depend on, with any dependency kind. Crates in
    /// [`DEV_ONLY`] and [`NEVER_DEPENDED_ON`] are judged by their own rules, not by this list.
    may_depend_on: &'static [&'static str],
    /// Outside crates, by package name, that no normal dependency path may reach.
    never_reaches: &'static [&'static str],
    why: &'static str,
}

enum Members {
    Named(&'static [&'static str]),
    /// Every workspace crate whose manifest path contains this (with `/` as separator), so that
    /// adapters added later are covered without editing the table.
    ManifestPathContains(&'static str),
}

const LAYERS: &[Layer] = &[
    Layer {
        name: "core",
        members: Members::Named(CORE_CRATES),
        may_depend_on: &["kasa-domain"],
        never_reaches: &[
            "tokio",
            "sea-orm",
            "sea-query",
            "sqlx",
            "poem",
            "poem-openapi",
            "reqwest",
            "hyper",
            "lettre",
            "mockall",
            "async-trait",
        ],
        why: "core crates depend on kasa-domain only and stay free of IO, async and vendor crates",
    },
    Layer {
        name: "ports",
        members: Members::Named(&["kasa-ports"]),
        may_depend_on: CORE_CRATES,
        never_reaches: &[
            "sea-orm",
            "sqlx",
            "poem",
            "poem-openapi",
            "reqwest",
            "lettre",
            "hyper",
            "tokio",
        ],
        why: "ports depend on the core crates only and expose no adapter or vendor type",
    },
    Layer {
        name: "billing",
        members: Members::Named(&["kasa-billing"]),
        may_depend_on: &[
            "kasa-domain",
            "kasa-credits",
            "kasa-subscriptions",
            "kasa-locale",
            "kasa-ports",
        ],
        never_reaches: &["sea-orm", "sqlx", "poem", "reqwest", "lettre", "hyper"],
        why: "billing depends on core + ports only: no adapters, SQL or HTTP",
    },
    Layer {
        name: "adapters",
        members: Members::ManifestPathContains("/crates/adapters/"),
        may_depend_on: &[
            "kasa-domain",
            "kasa-credits",
            "kasa-subscriptions",
            "kasa-locale",
            "kasa-ports",
            "kasa-migrations",
        ],
        never_reaches: &[],
        why: "adapters depend on core + ports (and the schema crate) only, never on each other, billing or the server",
    },
    Layer {
        name: "sandbox",
        members: Members::Named(&["kasa-nestpay-sandbox"]),
        may_depend_on: &[],
        never_reaches: &[],
        why: "the NestPay sandbox is written from the protocol alone: it shares no code with Kasa, so a misreading in the adapter is caught by it",
    },
];

/// Crates other workspace crates may use only as dev-dependencies, with the crates exempt.
const DEV_ONLY: &[(&str, &[&str])] = &[("kasa-testkit", &["kasa-tests"])];

/// Crates no workspace crate may depend on, with any dependency kind.
const NEVER_DEPENDED_ON: &[&str] = &["kasa-server", "kasa-nestpay-sandbox"];

// ---------------------------------------------------------------------------------------------
// The checker.
// ---------------------------------------------------------------------------------------------

/// Every edge of `cargo metadata --format-version 1` output that the tables forbid, one line each
/// as `crate -> dependency (rule)`, sorted. Also reports crates the tables name that the
/// workspace lacks, so a rename cannot make a rule silently check nothing.
fn forbidden_edges(metadata: &Value) -> Vec<String> {
    let graph = Graph::parse(metadata);
    let mut found = BTreeSet::new();

    for name in named_in_tables() {
        if !graph.member_ids.contains_key(name) {
            found.insert(format!(
                "{name} -> ? (the layer table names {name}, which is not a workspace member)"
            ));
        }
    }

    for (&member_name, &member_id) in &graph.member_ids {
        if let Some(layer) = LAYERS.iter().find(|layer| graph.is_in(member_id, layer)) {
            check_workspace_dependencies(&graph, member_id, layer, &mut found);
            check_reachable_vendors(&graph, member_id, layer, &mut found);
        }
        for dependency in graph.workspace_dependencies(member_id) {
            let dependency_name = graph.name(dependency.id);
            if NEVER_DEPENDED_ON.contains(&dependency_name) {
                found.insert(format!(
                    "{member_name} -> {dependency_name} (nothing may depend on {dependency_name})"
                ));
            }
            let dev_only = DEV_ONLY.iter().find(|(name, _)| *name == dependency_name);
            if let Some((_, exempt)) = dev_only
                && dependency.non_dev
                && !exempt.contains(&member_name)
            {
                found.insert(format!(
                    "{member_name} -> {dependency_name} ({dependency_name} may only be a dev-dependency)"
                ));
            }
        }
    }
    found.into_iter().collect()
}

fn named_in_tables() -> BTreeSet<&'static str> {
    let mut names = BTreeSet::new();
    for layer in LAYERS {
        if let Members::Named(members) = layer.members {
            names.extend(members);
        }
        names.extend(layer.may_depend_on);
    }
    for &(name, exempt) in DEV_ONLY {
        names.insert(name);
        names.extend(exempt);
    }
    names.extend(NEVER_DEPENDED_ON);
    names
}

fn check_workspace_dependencies(
    graph: &Graph<'_>,
    member_id: &str,
    layer: &Layer,
    found: &mut BTreeSet<String>,
) {
    let member_name = graph.name(member_id);
    for dependency in graph.workspace_dependencies(member_id) {
        let dependency_name = graph.name(dependency.id);
        let judged_elsewhere = NEVER_DEPENDED_ON.contains(&dependency_name)
            || DEV_ONLY.iter().any(|(name, _)| *name == dependency_name);
        if !judged_elsewhere && !layer.may_depend_on.contains(&dependency_name) {
            found.insert(format!(
                "{member_name} -> {dependency_name} ({}: {})",
                layer.name, layer.why
            ));
        }
    }
}

fn check_reachable_vendors(
    graph: &Graph<'_>,
    member_id: &str,
    layer: &Layer,
    found: &mut BTreeSet<String>,
) {
    let member_name = graph.name(member_id);
    for path in graph.normal_paths_to(member_id, layer.never_reaches) {
        let (forbidden, via) = path.split_last().expect("a path holds at least its target");
        let via = if via.is_empty() {
            String::new()
        } else {
            format!("; via {}", via.join(" -> "))
        };
        found.insert(format!(
            "{member_name} -> {forbidden} ({}: {}{via})",
            layer.name, layer.why
        ));
    }
}

/// The parts of `cargo metadata` the checker reads, indexed by package id.
struct Graph<'a> {
    names: HashMap<&'a str, &'a str>,
    manifest_paths: HashMap<&'a str, String>,
    /// Workspace members by package name (names are unique within a workspace).
    member_ids: BTreeMap<&'a str, &'a str>,
    dependencies: HashMap<&'a str, Vec<Dependency<'a>>>,
}

struct Dependency<'a> {
    id: &'a str,
    /// Used by the crate's library or binaries (`kind: null`).
    normal: bool,
    /// Used as a normal or a build dependency: anything but dev-only.
    non_dev: bool,
}

impl<'a> Graph<'a> {
    fn parse(metadata: &'a Value) -> Self {
        let packages = metadata["packages"]
            .as_array()
            .expect("metadata has packages");
        let mut names = HashMap::new();
        let mut manifest_paths = HashMap::new();
        for package in packages {
            let id = str_field(package, "id");
            names.insert(id, str_field(package, "name"));
            manifest_paths.insert(id, str_field(package, "manifest_path").replace('\\', "/"));
        }
        let member_ids = metadata["workspace_members"]
            .as_array()
            .expect("metadata has workspace_members")
            .iter()
            .map(|id| {
                let id = id.as_str().expect("workspace member ids are strings");
                (names[id], id)
            })
            .collect();
        let nodes = metadata["resolve"]["nodes"]
            .as_array()
            .expect("metadata has a resolve graph (run without --no-deps)");
        let dependencies = nodes
            .iter()
            .map(|node| (str_field(node, "id"), node_dependencies(node)))
            .collect();
        Graph {
            names,
            manifest_paths,
            member_ids,
            dependencies,
        }
    }

    fn name(&self, id: &str) -> &'a str {
        self.names[id]
    }

    fn is_in(&self, id: &str, layer: &Layer) -> bool {
        match layer.members {
            Members::Named(members) => members.contains(&self.name(id)),
            Members::ManifestPathContains(fragment) => self.manifest_paths[id].contains(fragment),
        }
    }

    fn workspace_dependencies(&self, id: &str) -> impl Iterator<Item = &Dependency<'a>> {
        self.dependencies
            .get(id)
            .into_iter()
            .flatten()
            .filter(|dependency| {
                self.member_ids
                    .values()
                    .any(|member| *member == dependency.id)
            })
    }

    /// Breadth-first over normal edges from `start`: for each package named in `targets` that is
    /// reachable, the shortest path to it (excluding `start`). Stops at a target, since removing
    /// it removes whatever it brings in.
    fn normal_paths_to(&self, start: &'a str, targets: &[&str]) -> Vec<Vec<&'a str>> {
        let mut parent_of: HashMap<&'a str, &'a str> = HashMap::new();
        let mut queue = VecDeque::from([start]);
        let mut paths = Vec::new();
        while let Some(id) = queue.pop_front() {
            for dependency in self.dependencies.get(id).into_iter().flatten() {
                if !dependency.normal
                    || dependency.id == start
                    || parent_of.contains_key(dependency.id)
                {
                    continue;
                }
                parent_of.insert(dependency.id, id);
                if targets.contains(&self.name(dependency.id)) {
                    paths.push(self.path_back(start, dependency.id, &parent_of));
                } else {
                    queue.push_back(dependency.id);
                }
            }
        }
        paths
    }

    fn path_back(
        &self,
        start: &str,
        target: &'a str,
        parent_of: &HashMap<&'a str, &'a str>,
    ) -> Vec<&'a str> {
        let mut path = vec![self.name(target)];
        let mut id = parent_of[target];
        while id != start {
            path.push(self.name(id));
            id = parent_of[id];
        }
        path.reverse();
        path
    }
}

fn node_dependencies(node: &Value) -> Vec<Dependency<'_>> {
    node["deps"]
        .as_array()
        .expect("resolve nodes have deps")
        .iter()
        .map(|dependency| {
            let kinds: Vec<Option<&str>> = dependency["dep_kinds"]
                .as_array()
                .expect("deps have dep_kinds (cargo 1.41 or newer)")
                .iter()
                .map(|kind| kind["kind"].as_str())
                .collect();
            Dependency {
                id: str_field(dependency, "pkg"),
                normal: kinds.contains(&None),
                non_dev: kinds.iter().any(|kind| *kind != Some("dev")),
            }
        })
        .collect()
}

fn str_field<'a>(value: &'a Value, field: &str) -> &'a str {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("metadata field `{field}` is a string in {value}"))
}

// ---------------------------------------------------------------------------------------------
// The real workspace.
// ---------------------------------------------------------------------------------------------

#[test]
fn the_workspace_keeps_the_layer_table() {
    let violations = forbidden_edges(&workspace_metadata());
    assert!(
        violations.is_empty(),
        "the layer table (ARCHITECTURE.md, tests/tests/layering.rs) forbids these dependency edges:\n  {}\n",
        violations.join("\n  ")
    );
}

fn workspace_metadata() -> Value {
    let workspace_root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(&cargo)
        .args(["metadata", "--format-version", "1"])
        .current_dir(&workspace_root)
        .output()
        .unwrap_or_else(|error| panic!("could not run {cargo:?} metadata: {error}"));
    assert!(
        output.status.success(),
        "cargo metadata failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("cargo metadata prints JSON")
}

// ---------------------------------------------------------------------------------------------
// The checker on hand-made graphs, so that it provably fails when it should.
// ---------------------------------------------------------------------------------------------

/// Workspace crates of the hand-made graphs, with their manifest folders.
const FIXTURE_MEMBERS: &[(&str, &str)] = &[
    ("kasa-domain", "crates/domain"),
    ("kasa-credits", "crates/credits"),
    ("kasa-subscriptions", "crates/subscriptions"),
    ("kasa-locale", "crates/locale"),
    ("kasa-ports", "crates/ports"),
    ("kasa-billing", "crates/billing"),
    ("kasa-stripe", "crates/adapters/stripe"),
    ("kasa-postgres", "crates/adapters/postgres"),
    ("kasa-migrations", "migrations"),
    ("kasa-testkit", "crates/testkit"),
    ("kasa-server", "apps/server"),
    ("kasa-nestpay-sandbox", "apps/nestpay-sandbox"),
    ("kasa-tests", "tests"),
];

/// A graph shaped like the intended workspace: every edge the table allows.
const ALLOWED_EDGES: &[(&str, &str, Option<&str>)] = &[
    ("kasa-credits", "kasa-domain", None),
    ("kasa-subscriptions", "kasa-domain", None),
    ("kasa-domain", "serde", None),
    ("kasa-credits", "tokio", Some("dev")),
    ("kasa-ports", "kasa-credits", None),
    ("kasa-ports", "kasa-subscriptions", None),
    ("kasa-locale", "kasa-domain", None),
    ("kasa-billing", "kasa-ports", None),
    ("kasa-billing", "kasa-locale", None),
    ("kasa-billing", "kasa-testkit", Some("dev")),
    ("kasa-billing", "tokio", Some("dev")),
    ("kasa-testkit", "kasa-billing", None),
    ("kasa-stripe", "kasa-ports", None),
    ("kasa-stripe", "reqwest", None),
    ("kasa-postgres", "kasa-ports", None),
    ("kasa-postgres", "sea-orm", None),
    ("kasa-postgres", "kasa-migrations", None),
    ("kasa-postgres", "kasa-testkit", Some("dev")),
    ("kasa-server", "kasa-billing", None),
    ("kasa-server", "kasa-stripe", None),
    ("kasa-server", "kasa-postgres", None),
    ("kasa-server", "poem", None),
    ("kasa-tests", "kasa-testkit", None),
    ("reqwest", "hyper", None),
    ("hyper", "tokio", None),
    ("sea-orm", "sqlx", None),
];

/// Hand-made `cargo metadata` output: the fixture members, every package an edge names, and the
/// edges as `(from, to, kind)` with kind `None` for a normal dependency.
fn metadata_with(edges: &[(&str, &str, Option<&str>)]) -> Value {
    let mut manifest_folders: BTreeMap<&str, String> = FIXTURE_MEMBERS
        .iter()
        .map(|(name, folder)| (*name, format!("/work/kasa/{folder}")))
        .collect();
    for (from, to, _) in edges {
        for name in [from, to] {
            manifest_folders
                .entry(name)
                .or_insert_with(|| format!("/registry/{name}-1.0.0"));
        }
    }
    let packages: Vec<Value> = manifest_folders
        .iter()
        .map(|(name, folder)| {
            json!({ "id": name, "name": name, "manifest_path": format!("{folder}/Cargo.toml") })
        })
        .collect();
    let nodes: Vec<Value> = manifest_folders
        .keys()
        .map(|name| {
            let deps: Vec<Value> = edges
                .iter()
                .filter(|(from, _, _)| from == name)
                .map(|(_, to, kind)| {
                    json!({ "name": to, "pkg": to, "dep_kinds": [{ "kind": kind, "target": null }] })
                })
                .collect();
            json!({ "id": name, "deps": deps })
        })
        .collect();
    let members: Vec<&str> = FIXTURE_MEMBERS.iter().map(|(name, _)| *name).collect();
    json!({ "packages": packages, "workspace_members": members, "resolve": { "nodes": nodes } })
}

fn with_extra(extra: &[(&'static str, &'static str, Option<&'static str>)]) -> Value {
    let edges: Vec<_> = ALLOWED_EDGES.iter().chain(extra).copied().collect();
    metadata_with(&edges)
}

#[test]
fn the_checker_accepts_a_graph_that_keeps_the_table() {
    assert_eq!(forbidden_edges(&with_extra(&[])), Vec::<String>::new());
}

#[test]
fn the_checker_reports_a_core_crate_depending_on_tokio() {
    let violations = forbidden_edges(&with_extra(&[("kasa-credits", "tokio", None)]));
    let expected = "kasa-credits -> tokio (core: core crates depend on kasa-domain only and stay \
                    free of IO, async and vendor crates)";
    assert!(
        violations.iter().any(|line| line == expected),
        "{violations:#?}"
    );
}

#[test]
fn the_checker_follows_normal_dependencies_transitively_and_names_the_path() {
    let violations = forbidden_edges(&with_extra(&[("serde", "reqwest", None)]));
    assert!(
        violations
            .iter()
            .any(|line| line.starts_with("kasa-credits -> reqwest (core: ")
                && line.ends_with("; via kasa-domain -> serde)")),
        "{violations:#?}"
    );
    assert!(
        violations
            .iter()
            .any(|line| line.starts_with("kasa-billing -> reqwest (billing: ")),
        "{violations:#?}"
    );
}

#[test]
fn the_checker_reports_forbidden_workspace_edges() {
    let violations = forbidden_edges(&with_extra(&[
        ("kasa-domain", "kasa-credits", None),
        ("kasa-billing", "kasa-testkit", None),
        ("kasa-stripe", "kasa-postgres", None),
        ("kasa-stripe", "kasa-billing", Some("dev")),
        ("kasa-ports", "kasa-server", Some("dev")),
        ("kasa-nestpay-sandbox", "kasa-domain", None),
        ("kasa-server", "kasa-nestpay-sandbox", Some("dev")),
    ]));
    let edges: Vec<&str> = violations
        .iter()
        .map(|line| line.split(" (").next().unwrap_or_default())
        .collect();
    assert_eq!(
        edges,
        [
            "kasa-billing -> kasa-testkit",
            "kasa-domain -> kasa-credits",
            "kasa-nestpay-sandbox -> kasa-domain",
            "kasa-ports -> kasa-server",
            "kasa-server -> kasa-nestpay-sandbox",
            "kasa-stripe -> kasa-billing",
            "kasa-stripe -> kasa-postgres",
        ],
        "{violations:#?}"
    );
}
