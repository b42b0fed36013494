// report.html: built from studio-3 (geometry, centre beam) and manual-crossover (manual), checked
// as text (every figure, no NaN/Infinity, nothing external, deterministic) and rendered in a real
// headless Chromium (no console errors or page errors, no requests beyond the file itself, every
// figure laid out with a non-zero box).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, buildDesign } from '../src/pipeline.ts';
import { type ReportInput, buildReport } from '../src/report/report.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function reportInput(name: string): ReportInput {
  const built = buildDesign(join(PROJECT_ROOT, 'designs', `${name}.json`));
  if (built.spatial) return built.reportInput!;
  return {
    ...built.reportInput!,
    // Fixtures, to render the measured tables (real rows come from the toolchain and arrayc bench).
    codeSize: [{ target: 'cortex-m4', text: 10240, data: 8, bss: 5600 }],
    instructionBudget: [
      { block: 'eqL', kind: 'firQ31', instructionsPerSample: 300.5, macsPerSample: 128 },
      { block: 'wooferL', kind: 'biquadDf1Q31', instructionsPerSample: 60, macsPerSample: 15 },
    ],
  };
}

const CASES = [
  {
    name: 'studio-3',
    figures: ['geometry', 'responses-L', 'responses-R', 'responses-C', 'beam-polar', 'beam-map', 'separation', 'robustness', 'quant-error-L', 'quant-error-R', 'quant-error-C', 'quant-snr'],
    notMeasured: 2,
  },
  { name: 'manual-crossover', figures: ['responses-L', 'responses-R', 'quant-error-L', 'quant-error-R', 'quant-snr'], notMeasured: 0 },
];

const inputs = new Map<string, ReportInput>();
const html = new Map<string, string>();
const timings: string[] = [];

beforeAll(() => {
  for (const c of CASES) {
    const t0 = performance.now();
    const input = reportInput(c.name);
    const t1 = performance.now();
    inputs.set(c.name, input);
    html.set(c.name, buildReport(input));
    timings.push(`${c.name}: inputs ${((t1 - t0) / 1000).toFixed(1)} s, report ${((performance.now() - t1) / 1000).toFixed(2)} s`);
  }
});

describe('report.html as text', () => {
  for (const c of CASES) {
    it(`${c.name}: every figure, captions, no NaN/Infinity, nothing external, deterministic`, () => {
      const page = html.get(c.name)!;
      expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
      const ids = [...page.matchAll(/<svg [^>]*data-figure="([^"]+)"/g)].map((m) => m[1]);
      expect(ids).toEqual(c.figures);
      // Every figure has a <title> right after its root.
      expect([...page.matchAll(/<svg [^>]*data-figure="[^"]+"[^>]*><title>[^<]+<\/title>/g)].length).toBe(c.figures.length);
      // Every <figure> has a caption.
      const figures = page.match(/<figure>/g)?.length ?? 0;
      expect(figures).toBeGreaterThanOrEqual(c.figures.length);
      expect(page.match(/<figcaption>[^<]/g)?.length).toBe(figures);
      for (let s = 1; s <= 9; s++) expect(page).toMatch(new RegExp(`<h2>${s}\\. `));
      expect(page).not.toMatch(/NaN|Infinity|undefined|\[object /);
      expect(page).not.toMatch(/(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
      expect(page).not.toMatch(/url\(\s*["']?(https?:)?\/\//i);
      expect(page).not.toMatch(/<script|<link|<img|<iframe|@import/i);
      expect(page.match(/not measured yet/g)?.length ?? 0).toBe(c.notMeasured);
      expect(buildReport(inputs.get(c.name)!)).toBe(page);
    });
  }

  it('studio-3: the summary judges the bars, and names the worst quantized path', () => {
    const page = html.get('studio-3')!;
    for (const m of ['Separation at the ears', 'Worst robustness case', 'Beam null depth', 'Main-lobe droop', 'White-noise gain', 'Maximum filter gain', 'worst path']) expect(page).toContain(m);
    expect(page).toMatch(/384 samples \(8\.00 ms\)/);
    expect(page).not.toMatch(/class="fail"/);
  });

  it('manual-crossover: the geometry sections say why they are empty; the measured tables render', () => {
    const page = html.get('manual-crossover')!;
    expect(page).toContain('Manual design: the design file gives filters only');
    expect(page).toContain('data-table="code-size"');
    expect(page).toContain('data-table="instruction-budget"');
    expect(page).toContain('10,240');
  });
});

describe('report.html in headless Chromium', () => {
  let browser: Browser | undefined;
  let dir: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: scripts/setup.sh must install the Debian package 'chromium' (apt-get install -y chromium) for the report test`);
    }
    dir = mkdtempSync(join(tmpdir(), 'arrayc-report-'));
    // Playwright gives the browser a fresh temporary profile (user data dir) of its own.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    console.log(`report test timings: ${timings.join('; ')}`);
  });

  for (const c of CASES) {
    it(`${c.name}: loads from file:// without errors or requests, every figure has a box`, async () => {
      const file = join(dir, `${c.name}.html`);
      writeFileSync(file, html.get(c.name)!);
      const url = pathToFileURL(file).href;
      const page = await browser!.newPage({ viewport: { width: 1200, height: 900 } });
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('request', (r) => { if (r.url() !== url) requests.push(r.url()); });
      const response = await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
      expect(response?.ok() ?? true).toBe(true);
      const boxes = await page.$$eval('svg[data-figure]', (els) =>
        els.map((e) => {
          const r = e.getBoundingClientRect();
          return { id: e.getAttribute('data-figure'), width: r.width, height: r.height };
        }),
      );
      expect(boxes.map((b) => b.id)).toEqual(c.figures);
      for (const b of boxes) {
        expect(b.width, `${b.id} width`).toBeGreaterThan(100);
        expect(b.height, `${b.id} height`).toBeGreaterThan(100);
      }
      // Every figure draws something: paths, shapes or cells with a non-zero box.
      const drawn = await page.$$eval('svg[data-figure]', (els) =>
        els.map((e) => ({ id: e.getAttribute('data-figure'), marks: [...e.querySelectorAll('path, rect, circle, line, polygon')].filter((m) => { const r = (m as SVGGraphicsElement).getBBox(); return r.width > 0 || r.height > 0; }).length })),
      );
      for (const d of drawn) expect(d.marks, `${d.id}`).toBeGreaterThan(5);
      expect(await page.title()).toBe(`arrayc report: ${c.name}`);
      await page.close();
      expect(problems).toEqual([]);
      expect(requests).toEqual([]);
    }, 60_000);
  }
});
