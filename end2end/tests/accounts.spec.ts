// Setup, sign-in, wrong password, sign-out and members, as a person does it in the browser.
import { test, expect, Page } from '@playwright/test';

test.describe.configure({ mode: 'serial' });

const owner = { email: 'owner@northwind.test', password: 'northwind owner pw' };

async function signIn(page: Page, email: string, password: string) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('the first visit sets up the workspace, refusing a weak password first', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/setup$/);
  await page.getByLabel('Workspace name').fill('Northwind IT');
  await page.getByLabel('Your name').fill('Nora North');
  await page.getByLabel('Email').fill(owner.email);
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create workspace' }).click();

  await expect(page.getByText('Use at least 12 characters for the password.')).toBeVisible();
  // What was typed is kept, except the password.
  await expect(page.getByLabel('Workspace name')).toHaveValue('Northwind IT');
  await expect(page.getByLabel('Email')).toHaveValue(owner.email);
  await expect(page.getByLabel('Password')).toHaveValue('');

  await page.getByLabel('Password').fill(owner.password);
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  await expect(page.getByText('Nora North · Northwind IT · Owner')).toBeVisible();
  for (const link of ['Dashboard', 'Organizations', 'Tenants', 'Contacts', 'Review', 'Sync log', 'Settings']) {
    await expect(page.getByRole('link', { name: link, exact: true })).toBeVisible();
  }
});

test('sign-out, a wrong password, then sign-in', async ({ page }) => {
  await signIn(page, owner.email, owner.password);
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByText('You are signed out.')).toBeVisible();

  await page.goto('/settings');
  await expect(page).toHaveURL(/\/login$/);

  await page.getByLabel('Email').fill(owner.email);
  await page.getByLabel('Password').fill('this is wrong!!');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Email or password is incorrect.');
  await expect(page.getByLabel('Email')).toHaveValue(owner.email);

  await page.getByLabel('Password').fill(owner.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
});

test('an owner adds a technician who sets a password, signs in, and is later disabled', async ({ page, browser }) => {
  await signIn(page, owner.email, owner.password);
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await page.getByRole('link', { name: 'Members' }).click();
  await expect(page.getByRole('heading', { name: 'Members' })).toBeVisible();

  // Field errors keep the other values.
  await page.getByLabel('Name', { exact: true }).fill('Tariq Tech');
  await page.getByLabel('Email').fill('not-an-email');
  await page.getByLabel('Role', { exact: true }).selectOption('technician');
  await page.getByRole('button', { name: 'Add member' }).click();
  await expect(page.getByText('Enter an email address like name@example.com.')).toBeVisible();
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue('Tariq Tech');

  await page.getByLabel('Email').fill('tariq@northwind.test');
  await page.getByRole('button', { name: 'Add member' }).click();
  const link = (await page.locator('.reveal code').innerText()).trim();
  expect(link).toContain('/set-password?token=');

  const other = await browser.newContext({ javaScriptEnabled: test.info().project.name === 'js' });
  const tech = await other.newPage();
  await tech.goto(link);
  await tech.getByLabel('Password', { exact: true }).fill('tariq password 1');
  await tech.getByLabel('Confirm password').fill('tariq password 1');
  await tech.getByRole('button', { name: 'Set password' }).click();
  await expect(tech.getByText('Your password is set.')).toBeVisible();
  await signIn(tech, 'tariq@northwind.test', 'tariq password 1');
  await expect(tech.getByText('Tariq Tech · Northwind IT · Technician')).toBeVisible();
  // A technician sees the members but no way to change them.
  await tech.goto('/settings/members');
  await expect(tech.getByRole('button', { name: 'Add member' })).toHaveCount(0);

  await page.goto('/settings/members');
  await page.getByRole('button', { name: 'Disable tariq@northwind.test' }).click();
  await expect(page.getByText('The member was disabled and signed out.')).toBeVisible();
  await expect(page.getByRole('row', { name: /tariq@northwind.test/ })).toContainText('Disabled');

  await tech.goto('/');
  await expect(tech).toHaveURL(/\/login$/);
  await other.close();
});

test('an unknown address shows the not-found page', async ({ page }) => {
  await signIn(page, owner.email, owner.password);
  const response = await page.goto('/does-not-exist');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
});
