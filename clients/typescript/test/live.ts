// The generated TypeScript client against a real Kasa (`kasa serve --demo`), run by
// scripts/check-contract: find a customer, read the billing context, charge a ticket, decode a
// 402 refusal into typed facts, page through purchases. KASA_URL and KASA_API_KEY (an admin
// API key) say where and who.
import assert from 'node:assert/strict';

import { createClient } from '../src/client';
import {
  billingContext,
  charge,
  findCustomer,
  grantPackage,
  listDepartments,
  listPackages,
  listPurchases,
  type ChargeErrors,
  type Problem,
  type ProblemFacts,
  type PurchaseBody,
} from '../src';

const baseUrl = process.env.KASA_URL ?? '';
const apiKey = process.env.KASA_API_KEY ?? '';
assert.ok(baseUrl && apiKey, 'KASA_URL and KASA_API_KEY must be set');
const client = createClient({ baseUrl, auth: apiKey });
const run = Date.now().toString(36);

async function main(): Promise<void> {
  // Find a customer.
  const found = await findCustomer({ client, query: { email: 'ayse@example.com' } });
  assert.equal(found.response?.status, 200, JSON.stringify(found.error));
  const ayse = found.data!;
  assert.equal(ayse.email, 'ayse@example.com');

  // Read the billing context.
  const context = await billingContext({ client, query: { customer_id: ayse.id } });
  assert.equal(context.response?.status, 200, JSON.stringify(context.error));
  const balanceBefore = context.data!.holding.balance!;

  // Charge a ticket in a department that costs credits.
  const departments = (await listDepartments({ client })).data!;
  const support = departments.find((department) => department.credits_per_request > 0)!;
  const charged = await charge({
    client,
    headers: { 'Idempotency-Key': `ts-live-${run}` },
    body: {
      customer: { email: ayse.email },
      department_id: support.id,
      kind: 'ticket',
      reference: `ts-live-${run}`,
    },
  });
  assert.equal(charged.response?.status, 200, JSON.stringify(charged.error));
  assert.equal(charged.data!.allowed, true);
  assert.equal(charged.data!.credits_charged, support.credits_per_request);
  assert.equal(charged.data!.balance, balanceBefore - support.credits_per_request);

  // A customer whose card lacks the department is refused with 402: the facts decode as typed values.
  const refused = await charge({
    client,
    headers: { 'Idempotency-Key': `ts-refused-${run}` },
    body: {
      customer: { email: 'john@example.com' },
      department_id: support.id,
      kind: 'ticket',
      reference: `ts-refused-${run}`,
    },
  });
  assert.equal(refused.response?.status, 402);
  const problem: ChargeErrors[402] = refused.error as Problem;
  assert.equal(problem.code, 'department-not-enabled');
  const facts: ProblemFacts = problem.facts!;
  assert.equal(facts.price, support.credits_per_request);
  assert.equal(facts.balance, 0);
  assert.ok(facts.covering_packages!.length > 0);
  assert.match(facts.covering_packages![0].price.amount, /^\d+(\.\d+)?$/);

  // Page through the customer's purchases, one per page.
  const packages = (await listPackages({ client })).data!;
  const granted = await grantPackage({
    client,
    path: { id: ayse.id },
    headers: { 'Idempotency-Key': `ts-grant-${run}` },
    body: { package_id: packages[0].id, reason: 'TypeScript client live test' },
  });
  assert.equal(granted.response?.status, 200, JSON.stringify(granted.error));
  const seen: PurchaseBody[] = [];
  let before: string | undefined;
  for (;;) {
    const page = await listPurchases({ client, query: { customer_id: ayse.id, limit: 1, before } });
    assert.equal(page.response?.status, 200, JSON.stringify(page.error));
    if (page.data!.length === 0) break;
    assert.equal(page.data!.length, 1);
    seen.push(page.data![0]);
    before = page.data![0].id;
  }
  assert.ok(seen.length >= 2, `expected at least 2 purchases, saw ${seen.length}`);
  assert.equal(new Set(seen.map((purchase) => purchase.id)).size, seen.length);
  console.log(`TypeScript client: ${seen.length} purchases paged, charge and 402 facts decoded`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
