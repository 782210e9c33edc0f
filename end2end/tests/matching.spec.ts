// The tenant review page on the demo: two tenants connected without an organization, each with
// suggestions and their reasons; accept, undo, match to another by search, ignore and stop
// ignoring, bulk accept with its preview, and an organization created from a tenant.
import { test, expect, Page } from '@playwright/test';
import { demoBase, signInToDemo } from './demo';

test.describe.configure({ mode: 'serial' });

function row(page: Page, tenant: string) {
  return page.getByRole('row').filter({ has: page.getByRole('link', { name: tenant, exact: true }) });
}

test('tenants are matched to organizations on the review page', async ({ page }) => {
  await signInToDemo(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Review/ }).click();
  await expect(page.getByRole('heading', { name: 'Unmatched tenants (2)' })).toBeVisible();

  // Each tenant shows its best suggestion with the reasons in words.
  const contoso = row(page, 'Contoso Pharmaceuticals');
  await expect(contoso.locator('ol.suggestions li').first()).toContainText('Contoso Pharma Ltd.');
  await expect(contoso).toContainText("'pharma' is short for 'pharmaceuticals'");
  const woodgrove = row(page, 'Woodgrove Bank');
  await expect(woodgrove).toContainText('woodgrove.example is the website of this organization');

  // Accept, then undo: the undone organization comes back with a note.
  await contoso.getByRole('button', { name: /^Accept Contoso Pharma Ltd\./ }).click();
  await expect(page.getByText('Matched: the tenant')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Unmatched tenants (1)' })).toBeVisible();
  await row(page, 'Contoso Pharmaceuticals').getByRole('button', { name: 'Undo match' }).click();
  await expect(page.getByText('Match undone')).toBeVisible();
  await expect(row(page, 'Contoso Pharmaceuticals')).toContainText('Someone undid this match before');

  // Match to another organization found by name.
  await row(page, 'Contoso Pharmaceuticals').getByRole('link', { name: 'Match to…' }).click();
  await page.getByLabel('Organization name').fill('contoso dental');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.locator('ul.results li').filter({ hasText: 'Contoso Dental Care' }).getByRole('button', { name: 'Match' }).click();
  await expect(row(page, 'Contoso Pharmaceuticals')).toContainText('Contoso Dental Care');
  await expect(row(page, 'Contoso Pharmaceuticals')).toContainText('chosen by hand');

  // Ignore and stop ignoring.
  await row(page, 'Woodgrove Bank').getByRole('button', { name: 'Ignore' }).click();
  await expect(page.getByRole('heading', { name: 'Ignored tenants (1)' })).toBeVisible();
  await row(page, 'Woodgrove Bank').getByRole('button', { name: 'Stop ignoring' }).click();
  await expect(page.getByRole('heading', { name: 'Unmatched tenants (1)' })).toBeVisible();

  // Bulk accept shows what it will do first.
  await page.getByLabel('Accept every best suggestion scoring at least').fill('0.9');
  await page.getByRole('button', { name: 'Preview' }).click();
  const bulk = page.locator('#bulk');
  await expect(bulk.getByRole('row', { name: /Woodgrove Bank/ })).toContainText('Woodgrove Financial Group');
  await bulk.getByRole('button', { name: 'Accept this match' }).click();
  await expect(page.getByText('1 match(es) accepted.')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Unmatched tenants (0)' })).toBeVisible();

  // Undo the hand-made match and create the organization from the tenant instead.
  await row(page, 'Contoso Pharmaceuticals').getByRole('button', { name: 'Undo match' }).click();
  await row(page, 'Contoso Pharmaceuticals').getByRole('button', { name: 'Create organization' }).click();
  await expect(page.getByRole('heading', { name: 'Contoso Pharmaceuticals', level: 1 })).toBeVisible();
  await expect(page.getByText('contoso-pharma.example').first()).toBeVisible();
  const history = page.getByRole('row').filter({ hasText: 'Created the organization from the tenant' });
  await expect(history).toContainText('owner@demo.roster.test');

  // The tenant's page keeps every decision.
  await page.goto(demoBase() + '/review');
  await row(page, 'Contoso Pharmaceuticals').locator('a[href^="/tenants/"]').click();
  for (const what of ['Accepted the suggestion', 'Undid the match', 'Matched by hand', 'Created the organization from the tenant']) {
    await expect(page.getByRole('row').filter({ hasText: what }).first()).toBeVisible();
  }
});
