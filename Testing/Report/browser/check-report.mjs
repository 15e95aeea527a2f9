// node check-report.mjs REPORT.html SCREENSHOT.png [--viewer required|absent|any]
// Loads a VoxelKL HTML report in Debian's chromium (headless, through playwright-core and the
// DevTools protocol; CHROMIUM names another binary), saves a full-page screenshot and checks:
//  - no console error, no uncaught exception, no dialog (alert: an injected script ran);
//  - no network request: the only request is the report file itself (data: images and
//    volumes are not requests);
//  - every <img> decoded (naturalWidth > 0 after img.decode());
//  - the viewer: ready, and its canvas not blank, judged twice: by the page's own read-back
//    of its first frame and by a screenshot of the canvas element, decoded here in the
//    browser, holding more than a few colours (a blank canvas has one).
// Prints what it found as one JSON line; exits 1 naming every failed check.
import { chromium } from 'playwright-core';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const [reportArgument, screenshot, ...rest] = process.argv.slice(2);
if (!reportArgument || !screenshot) {
  console.error('usage: node check-report.mjs REPORT.html SCREENSHOT.png [--viewer required|absent|any]');
  process.exit(2);
}
const viewerExpectation = rest[0] === '--viewer' ? rest[1] : 'any';
const report = path.resolve(reportArgument);
const reportUrl = pathToFileURL(report).href;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  // Root needs --no-sandbox; WebGL2 runs on SwiftShader (no GPU here).
  args: ['--no-sandbox', '--enable-unsafe-swiftshader', '--use-angle=swiftshader', '--ignore-gpu-blocklist'],
});
const failures = [];
const found = { report, consoleErrors: [], pageErrors: [], requests: [], dialogs: [] };
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (message) => {
    if (message.type() === 'error') {
      found.consoleErrors.push(message.text());
    }
  });
  page.on('pageerror', (error) => found.pageErrors.push(String(error)));
  page.on('request', (request) => found.requests.push(request.url().slice(0, 120)));
  // An alert() would be a script injected through a name: recorded and dismissed.
  page.on('dialog', (dialog) => {
    found.dialogs.push(dialog.message());
    dialog.dismiss().catch(() => {});
  });
  await page.goto(reportUrl, { waitUntil: 'load', timeout: 60000 });
  await page.waitForSelector('#voxelkl-self-check[data-done="1"]', { state: 'attached', timeout: 60000 });
  found.selfCheck = JSON.parse(await page.textContent('#voxelkl-self-check'));
  found.images = await page.evaluate(async () => {
    const images = Array.from(document.images);
    const results = await Promise.all(
      images.map((image) => image.decode().then(() => image.naturalWidth > 0, () => false)),
    );
    return { count: images.length, decoded: results.filter(Boolean).length };
  });
  const canvas = await page.$('#voxelkl-viewer-canvas');
  if (canvas) {
    await canvas.scrollIntoViewIfNeeded();
    const shot = await canvas.screenshot();
    found.canvasScreenshotColours = await page.evaluate(async (base64) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      const surface = new OffscreenCanvas(bitmap.width, bitmap.height);
      const context = surface.getContext('2d');
      context.drawImage(bitmap, 0, 0);
      const pixels = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
      const colours = new Set();
      for (let i = 0; i < pixels.length; i += 4) {
        colours.add((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2]);
      }
      return colours.size;
    }, shot.toString('base64'));
  }
  await page.screenshot({ path: screenshot, fullPage: true });
  found.screenshot = path.resolve(screenshot);
} catch (error) {
  failures.push(`the page could not be checked: ${error.message.split('\n')[0]}`);
} finally {
  await browser.close();
}

if (found.consoleErrors.length > 0) {
  failures.push(`console errors: ${found.consoleErrors.join(' | ')}`);
}
if (found.dialogs.length > 0) {
  failures.push(`dialogs opened (a script ran): ${found.dialogs.join(' | ')}`);
}
if (found.pageErrors.length > 0) {
  failures.push(`uncaught exceptions: ${found.pageErrors.join(' | ')}`);
}
const network = found.requests.filter((url) => url !== reportUrl);
if (network.length > 0) {
  failures.push(`network requests: ${network.join(', ')}`);
}
if (found.selfCheck && found.selfCheck.errors.length > 0) {
  failures.push(`the page recorded errors: ${found.selfCheck.errors.join(' | ')}`);
}
// A page of maps has images; a page of a cohort or a spatial KL run may have none.
if (found.images && ((viewerExpectation === 'required' && found.images.count === 0) ||
    found.images.decoded !== found.images.count)) {
  failures.push(`${found.images.decoded} of ${found.images.count} images decoded`);
}
if (found.selfCheck && found.selfCheck.decoded !== found.selfCheck.images) {
  failures.push(`the page saw ${found.selfCheck.decoded} of ${found.selfCheck.images} images decoded`);
}
const viewer = found.selfCheck ? found.selfCheck.viewer : undefined;
if (viewerExpectation === 'required') {
  if (!viewer || viewer.state !== 'ready') {
    failures.push(`the viewer is not ready: ${viewer ? viewer.state : 'no self-check'}`);
  } else if (!(viewer.canvasColours > 16) || !(found.canvasScreenshotColours > 16)) {
    failures.push(`the viewer's canvas is blank: ${viewer.canvasColours} colours read back, ` +
      `${found.canvasScreenshotColours} in its screenshot`);
  }
} else if (viewerExpectation === 'absent' && viewer && viewer.state === 'ready') {
  failures.push('a viewer where none was expected');
}

console.log(JSON.stringify(found));
if (failures.length > 0) {
  for (const failure of failures) {
    console.error(`FAILED: ${failure}`);
  }
  process.exit(1);
}
console.log(`OK: ${report}: ${found.images.count} images decoded, no console error, no network request, ` +
  `viewer ${viewer ? viewer.state : 'absent'}${viewer && viewer.canvasColours ? ` (${viewer.canvasColours} colours read back, ` +
  `${found.canvasScreenshotColours} in the canvas screenshot)` : ''}; screenshot ${found.screenshot}`);
