// Organizations from a CSV file on the demo: upload, the columns recognised, a preview row by row,
// a column mapped by hand, the import, and the same file again changing nothing.
import { test, expect, Page } from '@playwright/test';
import { demoBase, signInToDemo } from './demo';

test.describe.configure({ mode: 'serial' });

const file = (project: string) =>
  Buffer.from(
    '\ufeffCompany;Web;Customer number;Remarks\n' +
      `Lakeside Dental ${project};lakeside-${project}.example;L-${project};"Two\nlines"\n` +
      `;nothing.example;X-${project};\n` +
      `Harbor Logistics ${project} GmbH;harbor-${project}.example;H-${project};=1+1\n`,
    'utf8',
  );

async function upload(page: Page, project: string) {
  await page.goto(demoBase() + '/organizations');
  await page.getByRole('button', { name: 'Import from CSV' }).click();
  await page.getByLabel('CSV file').setInputFiles({ name: 'psa.csv', mimeType: 'text/csv', buffer: file(project) });
  await page.getByRole('button', { name: 'Read the file' }).click();
}

test('organizations are imported from a CSV file after a preview', async ({ page }) => {
  const project = test.info().project.name;
  await signInToDemo(page);
  await upload(page, project);
  await expect(page.getByText('nothing is written until you confirm')).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'to create' })).toContainText('2 to create, 0 to update, 0 unchanged, 1 with errors');
  await expect(page.getByRole('row', { name: /Left out: Name/ })).toBeVisible();
  // "Web" and "Remarks" are not names Roster knows: map them by hand.
  await page.getByLabel('Web', { exact: true }).selectOption('website');
  await page.getByLabel('Remarks').selectOption('notes');
  await page.getByRole('button', { name: 'Update the preview' }).click();
  await expect(page.getByLabel('Web', { exact: true })).toHaveValue('website');
  await page.getByRole('button', { name: 'Import: create 2 and update 0' }).click();
  await expect(page.getByText('Imported: 2 created, 0 updated, 0 unchanged, 1 row(s) with errors left out.')).toBeVisible();
  await page.getByRole('link', { name: `Harbor Logistics ${project} GmbH` }).click();
  await expect(page.locator('dd.notes')).toHaveText('=1+1');
  await expect(page.getByText(`H-${project}`)).toBeVisible();

  // The same file again: the mapping is remembered and nothing changes.
  await upload(page, project);
  await expect(page.getByLabel('Web', { exact: true })).toHaveValue('website');
  await expect(page.getByRole('status').filter({ hasText: 'to create' })).toContainText('0 to create, 0 to update, 2 unchanged, 1 with errors');
  await expect(page.getByRole('button', { name: 'Nothing to write' })).toBeDisabled();
  await page.getByRole('button', { name: 'Discard the file' }).click();
  await expect(page.getByText('The file was discarded; nothing was imported.')).toBeVisible();
});

test('contacts are imported into their organizations after a preview', async ({ page }) => {
  const project = test.info().project.name;
  await signInToDemo(page);
  await page.goto(demoBase() + '/contacts');
  await page.getByRole('link', { name: 'Import contacts from CSV' }).click();
  const csv =
    'Company,First Name,Last Name,Email,Title\n' +
    `Northwind Traders,Imogen,Import-${project},imogen.${project}@northwind.example,Buyer\n` +
    `No Such Customer,Ivo,Import,ivo@nowhere.example,\n`;
  await page.getByLabel('CSV file').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Read the file' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'to create' })).toContainText('1 to create, 0 to update, 0 unchanged, 1 with errors');
  await expect(page.getByRole('row', { name: /No organization is named/ })).toBeVisible();
  await page.getByRole('button', { name: 'Import: create 1 and update 0' }).click();
  await expect(page.getByText('Imported: 1 created')).toBeVisible();
  await page.getByLabel('Search').fill('Imogen');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('link', { name: `Imogen Import-${project}` })).toBeVisible();
});
