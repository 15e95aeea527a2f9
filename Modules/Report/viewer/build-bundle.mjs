// node build-bundle.mjs OUTPUT.js
// Run in the directory where `npm ci` installed package-lock.json (CMake copies it there).
// Writes the NiiVue bundle a VoxelKL report embeds: the package's own single-file ES module
// build (@niivue/niivue/min exports it as the URL-encoded text `esm`; it imports nothing),
// decoded, after a comment naming what it contains and their licenses, and followed by one
// line that hands the classes the report's viewer uses to a second inline module
// (globalThis.VoxelKLNiivue). The page inlines it in a <script type="module">, so it must not
// contain "</script" or "<!--" (either would end the element or change how it is parsed);
// that, its imports (none) and the names it exports are checked here.
import fs from 'node:fs';
import path from 'node:path';

const output = process.argv[2];
if (!output) {
  console.error('usage: node build-bundle.mjs OUTPUT.js');
  process.exit(2);
}
const fail = (message) => {
  console.error(`build-bundle.mjs: ${message}`);
  process.exit(1);
};

const root = process.cwd();
const packageOf = (name) => JSON.parse(fs.readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8'));
const niivue = packageOf('@niivue/niivue');
const { esm } = await import('@niivue/niivue/min');
if (typeof esm !== 'string') {
  fail(`@niivue/niivue ${niivue.version}: its "min" entry no longer exports the bundle text "esm"`);
}
const code = decodeURIComponent(esm);
if (/<\/script|<!--/i.test(code)) {
  fail('the NiiVue bundle contains "</script" or "<!--": it cannot be inlined in a <script> element');
}
if (/\bimport\s*\(|^\s*import[\s{*]|[;}]import[\s{*]/m.test(code)) {
  fail('the NiiVue bundle imports other modules: the report has no network to fetch them from');
}
// The names the viewer needs must be exported under their own (module-scope) names.
const exported = code.match(/export\s*\{([^}]*)\}\s*;?\s*$/);
if (!exported) {
  fail('the NiiVue bundle does not end with an export list');
}
const names = new Set(exported[1].split(',').map((entry) => entry.trim()));
const needed = ['Niivue', 'NVImage', 'SLICE_TYPE'];
for (const name of needed) {
  if (!names.has(name)) {
    fail(`the NiiVue bundle does not export ${name} under that name`);
  }
}

// What the bundle holds: every package npm installed for it, with its license.
const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
const packages = Object.entries(lock.packages)
  .filter(([key]) => key.startsWith('node_modules/'))
  .map(([key, entry]) => `${key.slice('node_modules/'.length)} ${entry.version} (${entry.license ?? 'see package'})`)
  .sort();
const header = [
  '/*!',
  ` * @niivue/niivue ${niivue.version}, ${niivue.license} license, ${niivue.homepage ?? 'https://github.com/niivue/niivue'}`,
  ' * (the package\'s single-file ES module build, @niivue/niivue/min), embedded by VoxelKL\'s HTML report.',
  ' * npm installed it from package-lock.json with these packages (name, version, license):',
  ...packages.map((line) => ` *   ${line}`),
  ' */',
].join('\n');
const handOver = `\nglobalThis.VoxelKLNiivue = { ${needed.join(', ')}, version: ${JSON.stringify(niivue.version)} };\n`;
fs.writeFileSync(output, `${header}\n${code}${handOver}`);
fs.writeFileSync(`${output}.version`, `${niivue.version}\n`);
console.log(`NiiVue ${niivue.version} bundle: ${output} (${(code.length / 1048576).toFixed(2)} MiB)`);
