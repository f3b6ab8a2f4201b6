import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  failureRate,
  QuerySession,
  type StatusMixRow,
  statusMix,
  type TopFailingRow,
  topFailing,
} from '@swas-archive/query';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crawlWithGap } from './helpers/gapped-archive.js';
import { runCli } from './helpers/run-cli.js';

/** Debian's Chromium (`.ci/run` installs it where it can); playwright's own browsers cannot be fetched here. */
const CHROMIUM = '/usr/bin/chromium';
/** Where the test leaves its screenshot (not committed). */
const SCREENSHOT = fileURLToPath(new URL('./screenshots/report-html.png', import.meta.url));
const SCOPE = { since: '2026-05-20', until: '2026-06-03' };

if (!existsSync(CHROMIUM))
  console.warn(`report-html: skipped, ${CHROMIUM} is absent (apt-get install chromium to run it)`);

describe.skipIf(!existsSync(CHROMIUM))('report html in headless Chromium', () => {
  let dir: string;
  let root: string;
  let broken: string;
  let browser: Browser;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'swas-report-html-'));
    root = join(dir, 'archive');
    broken = await crawlWithGap(root, 37);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('every chart has drawn marks, the tables hold the report rows, and the page loads nothing', async () => {
    const out = join(dir, 'report.html');
    const r = await runCli([
      'report',
      'html',
      '--data',
      root,
      '--since',
      SCOPE.since,
      '--until',
      SCOPE.until,
      '--out',
      out,
    ]);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, `${out}\n`, '']);
    const html = await readFile(out, 'utf8');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/i);

    const session = await QuerySession.open(root);
    let rate: Awaited<ReturnType<typeof failureRate>>;
    let mix: StatusMixRow[];
    let commands: TopFailingRow[];
    let instances: TopFailingRow[];
    try {
      rate = await failureRate(session, { ...SCOPE, group: 'region' });
      mix = (await statusMix(session, SCOPE)).rows;
      commands = (await topFailing(session, { ...SCOPE, group: 'command' })).rows;
      instances = (await topFailing(session, { ...SCOPE, group: 'instance' })).rows;
    } finally {
      session.close();
    }

    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const requests: string[] = [];
    page.on('request', (req) => requests.push(req.url()));
    await page.goto(`file://${out}`);
    expect(requests).toEqual([`file://${out}`]);

    // Marks drawn, each with an area on the page: a point per bucket with a rate, a bar segment per status
    // and bucket, a bar per coverage window and gap.
    const marks = Object.fromEntries(
      await page.$$eval('figure.chart', (figures) =>
        figures.map((f) => {
          const drawn = (sel: string) =>
            [...f.querySelectorAll(`${sel} path`)].filter((p) => {
              const b = p.getBoundingClientRect();
              return b.width > 0 && b.height > 0;
            }).length;
          return [
            f.getAttribute('data-chart'),
            {
              lines: drawn('g.mark-line.role-mark'),
              points: drawn('g.mark-symbol.role-mark'),
              rects: drawn('g.mark-rect.role-mark'),
            },
          ] as const;
        }),
      ),
    );
    const groups = new Set(rate.rows.filter((x) => x.rate !== null).map((x) => x.group)).size;
    expect(marks['failure-rate']).toEqual({
      lines: groups,
      points: rate.rows.filter((x) => x.rate !== null).length,
      rects: 0,
    });
    expect(marks['status-mix']?.rects).toBe(mix.filter((m) => m.count > 0).length);
    expect(marks.coverage?.rects).toBe(rate.coverage.windows.length + rate.coverage.gaps.length);
    expect(marks.coverage?.rects).toBeGreaterThan(3);

    // The tables hold the report's rows, cell for cell.
    const table = (id: string) =>
      page.$$eval(`table[data-table="${id}"] tbody tr`, (rows) =>
        rows.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
      );
    const expected = (rows: TopFailingRow[]) =>
      rows.map((x) => [
        x.group || '(unnamed)',
        String(x.failed),
        String(x.total),
        `${(x.rate * 100).toFixed(1)}%`,
        String(x.not_final),
        x.last_failed_at,
        x.gap ? 'gap' : '',
      ]);
    expect(commands.length).toBeGreaterThan(3);
    expect(await table('top-commands')).toEqual(expected(commands));
    expect(await table('top-instances')).toEqual(expected(instances));
    expect(instances.some((x) => x.gap)).toBe(true);

    // The header: the period, and the gap named plainly.
    const status = await page.$eval('.status', (e) => ({
      complete: e.getAttribute('data-complete'),
      text: e.textContent ?? '',
    }));
    expect(status.complete).toBe('false');
    expect(status.text).toMatch(/^1 unresolved gap: invocations created in it may be missing/);
    expect(status.text).toContain(`${broken} (instance-failed)`);
    expect(await page.textContent('dl.meta')).toContain(
      '2026-05-20T00:00:00.000Z to 2026-06-04T00:00:00.000Z',
    );

    await mkdir(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
    await page.close();
  });
});
