"""The generated Python client against a real Kasa (`kasa serve --demo`), run by
scripts/check-contract: find a customer, read the billing context, charge a ticket, decode a 402
refusal into typed facts, page through purchases. KASA_URL and KASA_API_KEY (an admin API key)
say where and who; clients/python must be on PYTHONPATH."""

import os
import time

from kasa_client import AuthenticatedClient
from kasa_client.api.actions import grant_package
from kasa_client.api.catalog import list_departments, list_packages
from kasa_client.api.customers import find_customer
from kasa_client.api.help_desk import billing_context, charge
from kasa_client.api.records import list_purchases
from kasa_client.models import (
    ChargeAllowed,
    ChargeRequest,
    CustomerRef,
    GrantRequest,
    Problem,
    ProblemCode,
    UsageKindBody,
)
from kasa_client.types import UNSET


def main() -> None:
    client = AuthenticatedClient(base_url=os.environ["KASA_URL"], token=os.environ["KASA_API_KEY"])
    run = format(time.time_ns(), "x")

    # Find a customer.
    found = find_customer.sync_detailed(client=client, email="ayse@example.com")
    assert found.status_code == 200, found.content
    ayse = found.parsed
    assert ayse.email == "ayse@example.com"

    # Read the billing context.
    context = billing_context.sync_detailed(client=client, customer_id=ayse.id)
    assert context.status_code == 200, context.content
    balance_before = context.parsed.holding.balance

    # Charge a ticket in a department that costs credits.
    departments = list_departments.sync(client=client)
    support = next(department for department in departments if department.credits_per_request > 0)
    charged = charge.sync_detailed(
        client=client,
        idempotency_key=f"py-live-{run}",
        body=ChargeRequest(
            customer=CustomerRef(email=ayse.email),
            department_id=support.id,
            kind=UsageKindBody.TICKET,
            reference=f"py-live-{run}",
        ),
    )
    assert charged.status_code == 200, charged.content
    assert isinstance(charged.parsed, ChargeAllowed)
    assert charged.parsed.allowed
    assert charged.parsed.credits_charged == support.credits_per_request
    assert charged.parsed.balance == balance_before - support.credits_per_request

    # A customer whose card lacks the department is refused with 402: the facts decode as typed values.
    refused = charge.sync_detailed(
        client=client,
        idempotency_key=f"py-refused-{run}",
        body=ChargeRequest(
            customer=CustomerRef(email="john@example.com"),
            department_id=support.id,
            kind=UsageKindBody.TICKET,
            reference=f"py-refused-{run}",
        ),
    )
    assert refused.status_code == 402, refused.content
    problem = refused.parsed
    assert isinstance(problem, Problem)
    assert problem.code == ProblemCode.DEPARTMENT_NOT_ENABLED
    facts = problem.facts
    assert facts.price == support.credits_per_request
    assert facts.balance == 0
    assert len(facts.covering_packages) > 0
    assert facts.covering_packages[0].price.currency is not UNSET

    # Page through the customer's purchases, one per page.
    packages = list_packages.sync(client=client)
    granted = grant_package.sync_detailed(
        id=ayse.id,
        client=client,
        idempotency_key=f"py-grant-{run}",
        body=GrantRequest(package_id=packages[0].id, reason="Python client live test"),
    )
    assert granted.status_code == 200, granted.content
    seen = []
    before = UNSET
    while True:
        page = list_purchases.sync_detailed(client=client, customer_id=ayse.id, limit=1, before=before)
        assert page.status_code == 200, page.content
        if not page.parsed:
            break
        assert len(page.parsed) == 1
        seen.append(page.parsed[0].id)
        before = page.parsed[0].id
    assert len(seen) >= 2, f"expected at least 2 purchases, saw {len(seen)}"
    assert len(set(seen)) == len(seen)
    print(f"Python client: {len(seen)} purchases paged, charge and 402 facts decoded")


if __name__ == "__main__":
    main()
