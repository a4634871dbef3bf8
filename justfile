# Kasa's everyday commands. Each recipe is a one-liner over scripts/ (which CI calls directly).

set positional-arguments := true

# Start the server; arguments go to the `kasa` binary.
run *ARGS:
    scripts/run "$@"

# The demo: Kasa with demo data and the local NestPay bank, to buy a package with a test card.
demo *ARGS:
    scripts/demo "$@"

# Play the demo's help desk: post a ticket opening for EMAIL to the running demo (signed webhook).
demo-ticket EMAIL TICKET *ARGS:
    scripts/demo-ticket "$@"

# Run the whole test suite (starts the local PostgreSQL if needed); arguments go to the test runner.
test *ARGS:
    scripts/test "$@"

# Everything CI checks: formatting, clippy with warnings denied, then the tests.
check:
    scripts/check

# Format every crate.
fmt:
    cargo fmt --all

# Run the benchmarks (release builds); they print their figures.
bench:
    scripts/bench

# Apply the database migrations (SQLite file by default; KASA_DATABASE_URL for PostgreSQL).
migrate *ARGS:
    scripts/run migrate "$@"

# Regenerate the committed OpenAPI spec (a test fails when it is out of date).
openapi:
    scripts/run openapi > docs/openapi.json

# Check the API contract: strict JSON, Redocly's lint, Schemathesis against the real server.
contract *ARGS:
    scripts/check-contract "$@"

# Regenerate the API clients (clients/typescript, clients/python) from docs/openapi.json.
clients:
    scripts/clients

# Measure the ticket charge over HTTP (release, PostgreSQL, 64 clients) against the same SQL
# sent straight to PostgreSQL; needs wrk and pgbench.
load:
    scripts/load/run

# Measure the pages beside a ticket (release, PostgreSQL, 8 clients): the billing context and
# the console's customer page for a customer with 200,000 ledger entries among 100,000.
load-pages:
    scripts/load/pages

# Measure every finance report for a year (release, PostgreSQL): 100,000 customers and
# 10,000,000 ledger entries seeded in SQL; prints each report's p50 and p99.
load-reports:
    scripts/load/reports

# Retake the screenshots in docs/screenshots/ from Kasa in demo mode.
screenshots:
    scripts/screenshots
