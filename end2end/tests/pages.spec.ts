// Every page as a new user meets it in the demo: no console errors, long names that wrap, the demo
// sign-in, and a secret rotated with the demo's second secret.
import { test, expect, Page } from '@playwright/test';
import { demoBase } from './demo';

test.describe.configure({ mode: 'serial' });

/** Collects what the browser reports as errors while `page` is used. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`${page.url()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`${page.url()}: ${err.message}`));
  return errors;
}

async function signIn(page: Page) {
  await page.goto(demoBase() + '/login');
  // The demo's sign-in page says how to sign in.
  await expect(page.getByRole('note')).toContainText('owner@demo.roster.test');
  await page.getByLabel('Email').fill('owner@demo.roster.test');
  await page.getByLabel('Password').fill('demo-password-1234');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
}

test('no page logs a console error', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(demoBase() + '/login');
  await signIn(page);
  for (const path of [
    '/',
    '/organizations',
    '/organizations/new',
    '/tenants',
    '/tenants/connect',
    '/contacts',
    '/review',
    '/sync-log',
    '/settings',
    '/settings/members',
    '/settings/audit',
  ]) {
    await page.goto(demoBase() + path);
    await expect(page.locator('h1')).toBeVisible();
  }
  expect(errors).toEqual([]);
});

test('a long unbroken name wraps instead of widening the page', async ({ page }) => {
  await signIn(page);
  const long = 'Verylongcustomernamewithoutanyspaces'.repeat(2) + 'GmbHandCoKGInternational';
  await page.goto(demoBase() + '/organizations/new');
  await page.getByLabel('Name', { exact: true }).fill(long);
  await page.getByRole('button', { name: 'Create organization' }).click();
  await expect(page.getByRole('heading', { name: long })).toBeVisible();
  for (const path of ['/organizations', page.url()]) {
    await page.setViewportSize({ width: 800, height: 900 });
    await page.goto(path.startsWith('http') ? path : demoBase() + path);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow, `${path} scrolls sideways`).toBeLessThanOrEqual(0);
  }
});

test('the demo offers a second secret, and Rotate secret replaces the saved one with it', async ({ page }) => {
  await signIn(page);
  await page.goto(demoBase() + '/tenants/connect');
  const row = page.locator('.demo-credentials tbody tr').filter({ hasText: 'Secret about to expire' }).first();
  const cells = row.locator('td');
  const tenant = (await cells.nth(1).locator('code').innerText()).trim();
  const client = (await cells.nth(2).innerText()).trim();
  const secret = (await cells.nth(3).innerText()).trim();
  const expires = (await cells.nth(4).innerText()).trim();
  const next = (await cells.nth(5).innerText()).trim();
  const nextExpires = (await cells.nth(6).innerText()).trim();
  expect(next).not.toEqual(secret);

  await page.getByLabel('Tenant ID').fill(tenant);
  await page.getByLabel('Application (client) ID').fill(client);
  await page.getByLabel('Client secret value').fill(secret);
  await page.getByLabel('Secret expires on').fill(expires);
  await page.getByRole('button', { name: 'Check connection' }).click();
  await page.getByRole('button', { name: 'Save connection' }).click();
  await expect(page.getByText('The tenant connection was saved.')).toBeVisible();
  await expect(page.locator('.banner').first()).toContainText('expires in');

  await page.getByRole('button', { name: 'Rotate secret' }).click();
  // The saved secret is refused: rotating to it would change nothing.
  await page.getByLabel('Client secret value').fill(secret);
  await page.getByLabel('Secret expires on').fill(nextExpires);
  await page.getByRole('button', { name: 'Check connection' }).click();
  await expect(page.getByText('This is the secret Roster already has.')).toBeVisible();

  await expect(page.getByText("Demo: this app's second secret is")).toContainText(next);
  await page.getByLabel('Client secret value').fill(next);
  await page.getByLabel('Secret expires on').fill(nextExpires);
  await page.getByRole('button', { name: 'Check connection' }).click();
  await page.getByRole('button', { name: 'Replace secret' }).click();
  await expect(page.getByText('The new secret is in use')).toBeVisible();
  await expect(page.locator('dl.facts').first()).toContainText(nextExpires);
  expect(await page.content()).not.toContain(next);

  // Connecting the same tenant again is stopped at Check, saying where it is.
  await page.goto(demoBase() + '/tenants/connect');
  await page.getByLabel('Tenant ID').fill(tenant);
  await page.getByLabel('Application (client) ID').fill(client);
  await page.getByLabel('Client secret value').fill(next);
  await page.getByLabel('Secret expires on').fill(nextExpires);
  await page.getByRole('button', { name: 'Check connection' }).click();
  await expect(page.getByText('This tenant is already connected as')).toBeVisible();
});

test("the demo owner's password is shown to the demo owner only", async ({ page, browser }) => {
  await signIn(page);
  await expect(page.getByRole('complementary', { name: 'Demo' })).toContainText('demo-password-1234');
  await page.goto(demoBase() + '/settings/members');
  await page.getByLabel('Name', { exact: true }).fill('Vic Viewer');
  await page.getByLabel('Email').fill('vic@demo.roster.test');
  await page.getByLabel('Role', { exact: true }).selectOption('viewer');
  await page.getByRole('button', { name: 'Add member' }).click();
  const link = (await page.locator('.reveal code').innerText()).trim();

  const other = await browser.newContext({ javaScriptEnabled: test.info().project.name === 'js' });
  const vic = await other.newPage();
  await vic.goto(link);
  await vic.getByLabel('Password', { exact: true }).fill('vic password 12');
  await vic.getByLabel('Confirm password').fill('vic password 12');
  await vic.getByRole('button', { name: 'Set password' }).click();
  await vic.getByLabel('Email').fill('vic@demo.roster.test');
  await vic.getByLabel('Password').fill('vic password 12');
  await vic.getByRole('button', { name: 'Sign in' }).click();
  const banner = vic.getByRole('complementary', { name: 'Demo' });
  await expect(banner).toContainText('signed in as vic@demo.roster.test');
  await expect(banner).not.toContainText('demo-password-1234');
  await other.close();
});

test('the demo opens with synced customers: contacts, a sync log, a review item and a conflict', async ({ page }) => {
  await signIn(page);
  await page.getByRole('link', { name: 'Sync log', exact: true }).click();
  for (const name of ['Northwind Traders', 'Tailspin Toys', 'Fabrikam Dental']) {
    await expect(page.getByRole('row', { name: new RegExp(name) }).first()).toContainText('Succeeded');
  }
  // Two contacts entered by hand share one user's name: the sync left the choice to a person.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Review/ }).click();
  await page.getByRole('navigation', { name: 'Review lists' }).getByRole('link', { name: /^Contacts/ }).click();
  await expect(page.getByText('Sam Lee').first()).toBeVisible();
  // A hand edit that Entra changed afterwards waits as a conflict, showing both values.
  await page.goto(demoBase() + '/contacts?show=conflicts');
  await page.getByRole('link', { name: 'Dana Demo' }).click();
  await expect(page.getByText('Head of office').first()).toBeVisible();
  await expect(page.getByText('Operations lead').first()).toBeVisible();
});
