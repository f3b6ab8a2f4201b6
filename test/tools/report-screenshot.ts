/**
 * `pnpm report:screenshot [REPORT.html] [OUT.png]`: a full-page screenshot of an HTML report in headless
 * Chromium (Debian's, at /usr/bin/chromium), for a person to look at. By default the demo's report
 * (`data/demo-report.html`, written by `pnpm swas-archive demo`), and the PNG beside it.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const from = process.env.INIT_CWD ?? process.cwd();
const html = resolve(from, process.argv[2] ?? 'data/demo-report.html');
const png = resolve(from, process.argv[3] ?? `${html.replace(/\.html?$/, '')}.png`);

if (!existsSync(html)) {
  process.stderr.write(
    `no report at ${html}: run \`pnpm swas-archive demo\` (or \`report html --out …\`) first\n`,
  );
  process.exit(2);
}
if (!existsSync(CHROMIUM)) {
  process.stderr.write(`no browser at ${CHROMIUM}: apt-get install chromium\n`);
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await page.goto(`file://${html}`);
  await page.screenshot({ path: png, fullPage: true });
  process.stdout.write(`${png}\n`);
} finally {
  await browser.close();
}
