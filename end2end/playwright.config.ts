// End-to-end tests: one Roster server per project (JavaScript on, JavaScript off), each on a fresh data directory.
import { defineConfig } from '@playwright/test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const bin = process.env.ROSTER_BIN ?? path.resolve(__dirname, '../target/debug/roster');
const root = process.env.ROSTER_E2E_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'roster-e2e-'));
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const servers = [
  { name: 'js', port: 3111, javaScriptEnabled: true },
  { name: 'no-js', port: 3112, javaScriptEnabled: false },
];

export default defineConfig({
  testDir: './tests',
  workers: 1,
  fullyParallel: false,
  timeout: 60_000,
  retries: 0,
  reporter: [['list']],
  use: {
    trace: 'off',
    launchOptions: {
      executablePath: chromium,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: servers.map((s) => ({
    name: s.name,
    use: { baseURL: `http://127.0.0.1:${s.port}`, javaScriptEnabled: s.javaScriptEnabled },
  })),
  webServer: [
    // A fresh install per project, for the account tests.
    ...servers.map((s) => ({
      command: `"${bin}" serve`,
      url: `http://127.0.0.1:${s.port}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'ignore' as const,
      stderr: 'pipe' as const,
      env: {
        ROSTER_LISTEN: `127.0.0.1:${s.port}`,
        ROSTER_DATA_DIR: path.join(root, s.name),
        ROSTER_LOG_FORMAT: 'json',
      },
    })),
    // `roster demo` per project (port + 2), with its emulated Microsoft cloud, for the wizard tests.
    ...servers.map((s) => ({
      command: `"${bin}" demo --data-dir "${path.join(root, `${s.name}-demo`)}" --listen 127.0.0.1:${s.port + 2}`,
      url: `http://127.0.0.1:${s.port + 2}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'ignore' as const,
      stderr: 'pipe' as const,
      env: { ROSTER_LOG_FORMAT: 'json' },
    })),
  ],
});
