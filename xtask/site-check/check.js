// Usage: node check.js DIR page1.html page2.html ...  — axe-core on each page at 1280 and 390 px,
// plus overflow: any element wider than the viewport that is not inside a scroll region.
const { chromium } = require('playwright-core');
const fs = require('fs');
const path = require('path');
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
(async () => {
  const [dir, ...pages] = process.argv.slice(2);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  let failures = 0;
  for (const width of [1280, 390]) {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    for (const p of pages) {
      await page.goto('file://' + path.resolve(dir, p));
      await page.addScriptTag({ content: axeSource });
      const r = await page.evaluate(async () => await axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }));
      const overflow = await page.evaluate(() => {
        const vw = document.documentElement.clientWidth; const out = [];
        document.querySelectorAll('body *').forEach(e => { const b = e.getBoundingClientRect();
          if (b.right > vw + 1 && !e.closest('.scroll')) out.push(e.tagName + '.' + e.className); });
        return out.slice(0, 5);
      });
      const v = r.violations.map(x => `${x.id} (${x.impact}, ${x.nodes.length})`);
      console.log(`${width}px ${p}: ${v.length} violation(s) ${v.join('; ')}; overflow: ${overflow.join(', ') || 'none'}`);
      failures += v.length + overflow.length;
    }
    await page.close();
  }
  // The filter from the keyboard: tab to the select, pick an agency with the arrow keys.
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto('file://' + path.resolve(dir, 'index.html'));
  await page.focus('#agency');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  const visible = await page.evaluate(() => Array.from(document.querySelectorAll('#hisp-table tbody tr')).filter(r => !r.hidden).length);
  const total = await page.evaluate(() => document.querySelectorAll('#hisp-table tbody tr').length);
  console.log(`keyboard filter: ${visible} of ${total} rows shown after choosing the first agency`);
  if (!(visible > 0 && visible < total)) failures += 1;
  await browser.close();
  process.exit(failures ? 1 : 0);
})();
