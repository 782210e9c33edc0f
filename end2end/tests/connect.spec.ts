// The connect wizard against the demo's emulated Microsoft cloud: an organization, a wrong paste,
// a successful check and save, a re-check, and the two cases that need explaining.
import { test, expect, Page } from '@playwright/test';
import { demoBase, signInToDemo } from './demo';

test.describe.configure({ mode: 'serial' });

type Creds = { name: string; tenant: string; client: string; secret: string; expires: string };

async function demoCredentials(page: Page): Promise<Creds[]> {
  await page.goto(demoBase() + '/tenants/connect');
  const rows = page.locator('.demo-credentials tbody tr');
  const out: Creds[] = [];
  for (let i = 0; i < (await rows.count()); i++) {
    const cells = rows.nth(i).locator('td');
    out.push({
      name: (await cells.nth(0).locator('.demo-name').innerText()).trim(),
      tenant: (await cells.nth(1).locator('code').innerText()).trim(),
      client: (await cells.nth(2).innerText()).trim(),
      secret: (await cells.nth(3).innerText()).trim(),
      expires: (await cells.nth(4).innerText()).trim(),
    });
  }
  return out;
}

async function fill(page: Page, c: Creds, secret: string) {
  await page.getByLabel('Tenant ID').fill(c.tenant);
  await page.getByLabel('Application (client) ID').fill(c.client);
  await page.getByLabel('Client secret value').fill(secret);
  await page.getByLabel('Secret expires on').fill(c.expires);
  await page.getByRole('button', { name: 'Check connection' }).click();
}

test('a customer tenant is connected from its organization page', async ({ page }) => {
  await signInToDemo(page);
  const creds = await demoCredentials(page);
  expect(creds.length).toBeGreaterThanOrEqual(4);
  const c = creds[0];

  await page.getByRole('link', { name: 'Organizations', exact: true }).click();
  await page.getByRole('button', { name: 'New organization' }).click();
  await page.getByLabel('Name', { exact: true }).fill(c.name);
  await page.getByLabel('Domains').fill('customer-one.example');
  await page.getByRole('button', { name: 'Create organization' }).click();
  await expect(page.getByRole('heading', { name: c.name })).toBeVisible();
  await page.getByRole('link', { name: 'Connect a tenant' }).click();
  await expect(page.getByLabel('Organization')).toHaveValue(/.+/);

  // The Secret ID pasted instead of the Value is caught before anything is sent.
  await fill(page, c, '0f3c4d5e-1a2b-4c3d-9e8f-123456789abc');
  await expect(page.getByText('This looks like the Secret ID')).toBeVisible();
  await expect(page.getByLabel('Tenant ID')).toHaveValue(c.tenant);

  await fill(page, c, c.secret);
  await expect(page.getByText(`Connected to ${c.name}`).first()).toBeVisible();
  await expect(page.getByRole('row', { name: /MFA registration/ })).toContainText('OK');
  // Step 3: what to sync, with the defaults (guests left out, daily at 01:00 in Los Angeles).
  await expect(page.getByLabel('Guests (users of other organizations)')).toBeChecked();
  await expect(page.getByLabel('Time zone')).toHaveValue('America/Los_Angeles');
  await page.getByLabel('Every few hours').check();
  await page.getByLabel('Hours between syncs (1 to 24)').fill('4');
  await page.getByRole('button', { name: 'Save connection' }).click();

  await expect(page.getByText(/The tenant connection was saved\. Its first sync has started/)).toBeVisible();
  // The first sync runs in the background; its page follows it until it is done.
  await page.locator('dl.facts').getByRole('link').last().click();
  await expect(page.getByRole('heading', { name: `Sync of ${c.name}` })).toBeVisible();
  await expect(page.locator('dl.facts')).toContainText('Succeeded', { timeout: 15_000 });
  await expect(page.locator('#run-progress')).toHaveCount(0);
  const created = Number(/(\d+) created/.exec(await page.locator('dl.facts').innerText())?.[1] ?? '0');
  expect(created).toBeGreaterThan(0);
  await page.getByRole('link', { name: c.name }).first().click();
  await expect(page.locator('dl.facts').first()).toContainText('Every 4 hours');
  await expect(page.getByRole('button', { name: 'Rotate secret' })).toBeVisible();
  await page.getByRole('button', { name: 'Check connection' }).click();
  await expect(page.getByText(/Connection checked: Connected to/)).toBeVisible();
  expect(await page.content()).not.toContain(c.secret);

  // Preview sync writes nothing and says so.
  const tenantUrl = page.url();
  await page.getByRole('button', { name: 'Preview sync' }).click();
  await expect(page.getByRole('heading', { name: `Preview of ${c.name}` })).toBeVisible();
  await expect(page.getByText('This is a preview: nothing was written.')).toBeVisible();
  await page.getByRole('button', { name: 'Discard' }).click();
  await expect(page.getByText('The run was discarded')).toBeVisible();
  await page.goto(tenantUrl);

  // Sync now: the tenant's users become the organization's contacts, and the run is logged.
  await page.getByRole('button', { name: 'Sync now' }).click();
  await expect(page.getByRole('heading', { name: `Sync of ${c.name}` })).toBeVisible();
  // Microsoft allows 5 registration-details requests per 10 seconds; after two checks and a
  // sync, this run's tenant facts wait out a Retry-After.
  await expect(page.locator('dl.facts')).toContainText('Succeeded', { timeout: 20_000 });
  // Nothing changed in the tenant since the first sync, and only the changes were listed.
  await expect(page.locator('dl.facts')).toContainText('0 created · 0 updated');
  await expect(page.locator('dl.facts')).toContainText('changed or removed since the last sync');
  // The log holds the first sync (run at save) and this one, newest first.
  await page.getByRole('link', { name: 'Sync log', exact: true }).click();
  const runs = page.getByRole('row', { name: new RegExp(c.name) });
  await expect(runs).toHaveCount(3);
  await expect(runs.first()).toContainText('Succeeded');
  await expect(runs.nth(1)).toContainText('Discarded');
  await expect(runs.nth(2)).toContainText('Succeeded');

  await page.getByRole('link', { name: 'Contacts', exact: true }).click();
  const names = page.locator('tbody tr td:first-child a');
  await expect(names.first()).toBeVisible();
  const someone = (await names.first().innerText()).trim();
  await page.getByLabel('Search').fill(someone.slice(0, 5));
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('link', { name: someone, exact: true })).toBeVisible();
  await page.getByRole('link', { name: someone, exact: true }).click();
  await expect(page.getByRole('heading', { name: someone })).toBeVisible();
  await expect(page.getByRole('row', { name: /Display name/ })).toContainText('Entra');
  await expect(page.getByText('Created from Entra')).toBeVisible();

  await page.getByRole('link', { name: 'Tenants', exact: true }).click();
  await expect(page.getByRole('row', { name: new RegExp(c.name) })).toContainText('OK');
});

test('a Delegated-only app and a tenant without Entra ID P1 are explained', async ({ page }) => {
  await signInToDemo(page);
  const creds = await demoCredentials(page);
  const delegated = creds.find((c) => /Delegated/.test(c.name)) ?? creds[3];
  const noP1 = creds[1];

  await fill(page, delegated, delegated.secret);
  await expect(page.getByRole('alert')).toContainText('no application permissions');
  await expect(page.getByRole('alert')).toContainText('Grant admin consent');

  await page.goto(demoBase() + '/tenants/connect');
  await fill(page, noP1, noP1.secret);
  await expect(page.getByText(`Connected to ${noP1.name}`).first()).toBeVisible();
  await expect(page.getByRole('row', { name: /MFA registration/ })).toContainText('Needs Entra ID P1');
});
