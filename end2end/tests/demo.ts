// What the specs that use the demo share: its address, and signing in as its owner.
import { test, expect, Page } from '@playwright/test';

/** The demo server of this project listens two ports above the project's own server. */
export function demoBase(): string {
  const base = String(test.info().project.use.baseURL);
  const port = Number(new URL(base).port) + 2;
  return `http://127.0.0.1:${port}`;
}

/** Signs in to the demo as its owner and waits for the dashboard. */
export async function signInToDemo(page: Page) {
  await page.goto(demoBase() + '/login');
  await page.getByLabel('Email').fill('owner@demo.roster.test');
  await page.getByLabel('Password').fill('demo-password-1234');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
}
