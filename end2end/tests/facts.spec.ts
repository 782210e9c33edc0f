// Tenant facts on the demo: an organization page with its facts, their definitions and freshness,
// the licence table and the Secure Score chart (whose text alternative carries its numbers); a
// tenant that conceals report names; a contact's Entra overlay; the contacts list's MFA and
// licence columns and filters.
import { test, expect, Page } from '@playwright/test';
import { demoBase, signInToDemo } from './demo';

async function openOrganization(page: Page, name: string) {
  await page.goto(demoBase() + '/organizations');
  await page.getByRole('link', { name, exact: true }).first().click();
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
}

function fact(page: Page, term: string) {
  return page.locator('section.tenant-facts dl.facts dt', { hasText: term }).locator('xpath=following-sibling::dd[1]');
}

test('an organization page shows its tenant facts with their meaning and freshness', async ({ page }) => {
  await signInToDemo(page);
  await openOrganization(page, 'Northwind Traders');
  const facts = page.locator('section.tenant-facts');
  await expect(facts.getByRole('heading', { name: 'Tenant facts' })).toBeVisible();
  await expect(fact(page, 'Secure Score')).toContainText(/\d+\.\d% \(\d+ of \d+ points\) as of \d{4}-\d\d-\d\d/);
  await expect(fact(page, 'Licensed users')).toContainText(/\d+ of \d+ enabled members/);
  await expect(fact(page, 'Active users')).toContainText('from sign-ins');
  await expect(fact(page, 'Active users')).toContainText('Active = signed in within 30 days.');
  await expect(fact(page, 'MFA coverage')).toContainText(/\d+ registered \(\d+%\), \d+ not registered/);
  await expect(facts.locator('abbr', { hasText: 'Licensed users' })).toHaveAttribute('title', /paid licence/);

  // The licence table has friendly names, and the numbers add up.
  const premium = facts.locator('table.licences tr', { hasText: 'Microsoft 365 Business Premium' });
  await expect(premium).toContainText('SPB');
  const cells = (await premium.locator('td.num').allInnerTexts()).map(Number);
  expect(cells[0] - cells[1]).toBe(Math.max(cells[2], 0));
  await expect(facts.locator('table.licences')).not.toContainText('undefined');

  // The chart is an SVG drawn by the server; its text alternative carries the values in the table.
  const chart = facts.locator('figure.chart');
  await expect(chart.locator('svg[role="img"] polyline')).toHaveCount(1);
  const sentence = await chart.locator('figcaption').innerText();
  expect(sentence).toMatch(/^Secure Score over 90 days: /);
  await chart.locator('summary').click();
  const rows = chart.locator('details tbody tr');
  await expect(rows).toHaveCount(90);
  const newest = await rows.first().locator('td').nth(1).innerText();
  const oldest = await rows.last().locator('td').nth(1).innerText();
  expect(sentence).toContain(`${oldest} on`);
  expect(sentence).toContain(`${newest} on`);
  const desc = await chart.locator('svg desc').textContent();
  expect(desc).toBe(sentence);

  // The organization's contacts with MFA and licence.
  const people = page.locator('table.compact').filter({ has: page.getByRole('columnheader', { name: 'MFA' }) });
  await expect(people.getByRole('row').nth(1)).toContainText(/Registered|Not registered|Unknown/);
});

test('a tenant that conceals report names says so and how to change it', async ({ page }) => {
  await signInToDemo(page);
  await openOrganization(page, 'Tailspin Toys');
  const facts = page.locator('section.tenant-facts');
  await expect(facts.getByRole('note')).toContainText('conceals user names');
  await expect(facts.getByRole('note')).toContainText('Microsoft 365 admin center');
  await expect(facts.getByRole('heading', { name: 'Not read in the last sync' })).toBeVisible();
  await expect(facts.locator('ul.attention')).toContainText('Microsoft 365 activity report');
});

test('a tenant without Entra ID P1 shows MFA as unknown, never as not registered', async ({ page }) => {
  await signInToDemo(page);
  await openOrganization(page, 'Fabrikam Dental');
  await expect(fact(page, 'MFA coverage')).toContainText('Unknown');
  await expect(fact(page, 'MFA coverage')).toContainText('needs Entra ID P1');
  await expect(fact(page, 'Active users')).toContainText('the Microsoft 365 usage report');

  await page.goto(demoBase() + '/contacts');
  await page.getByLabel('Show').selectOption('mfa_not_registered');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'Fabrikam Dental' })).toHaveCount(0);
  await page.getByLabel('Show').selectOption('mfa_unknown');
  await page.getByRole('button', { name: 'Search' }).click();
  const unknown = page.getByRole('row').filter({ hasText: 'Fabrikam Dental' });
  await expect(unknown.first()).toContainText('Unknown');
});

test("a contact's page shows what Entra says about the person", async ({ page }) => {
  await signInToDemo(page);
  await page.goto(demoBase() + '/contacts?q=dana');
  const dana = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'Dana Demo' }) });
  await expect(dana).toContainText('Registered');
  await expect(dana).toContainText('Business Premium');
  await dana.getByRole('link', { name: 'Dana Demo' }).click();
  const overlay = page.locator('table.overlay');
  const line = (label: string) => overlay.getByRole('row').filter({ has: page.getByRole('rowheader', { name: label, exact: true }) });
  await expect(line('Licences')).toContainText('Microsoft 365 Business Premium');
  await expect(line('Highest business licence')).toContainText('Business Premium');
  await expect(line('MFA')).toContainText('Registered');
  await expect(line('Registered methods')).toContainText('microsoftAuthenticatorPush');
  await expect(line('Mailbox')).toContainText('GB');
  await expect(line('Account')).toContainText(/Entra ID, read \d{4}-/);

  // The licence filter of the contacts list.
  await page.goto(demoBase() + '/contacts');
  await page.getByLabel('Licence').selectOption({ label: 'Microsoft 365 Business Premium' });
  await page.getByRole('button', { name: 'Search' }).click();
  const listed = page.locator('tbody tr');
  await expect(listed.first()).toBeVisible();
  for (const text of await listed.allInnerTexts()) {
    expect(text).toMatch(/Business Premium/);
  }
});
