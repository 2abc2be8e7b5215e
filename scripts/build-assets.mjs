// Copy the front-end files Gongxin serves from node_modules into src/gongxin/static/vendor/.
// Government intranets are offline: everything is served locally, nothing is fetched at run time.
// No network access here either: run `npm install` (or `npm ci`) first.
//
// Idempotent: the vendor directory is rebuilt from scratch on every run.
// Source maps are not shipped; their sourceMappingURL comments are stripped so that
// Django's ManifestStaticFilesStorage (collectstatic) does not look for the missing .map files.

import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const vendor = join(root, "src", "gongxin", "static", "vendor");

// [package, source path inside the package, destination inside vendor/]
const FILES = [
  ["bootstrap", "dist/css/bootstrap.min.css", "bootstrap/css/bootstrap.min.css"],
  ["bootstrap", "dist/js/bootstrap.bundle.min.js", "bootstrap/js/bootstrap.bundle.min.js"],
  // bootstrap-icons.min.css references fonts/… relatively: keep that layout.
  ["bootstrap-icons", "font/bootstrap-icons.min.css", "bootstrap-icons/bootstrap-icons.min.css"],
  ["bootstrap-icons", "font/fonts/bootstrap-icons.woff2", "bootstrap-icons/fonts/bootstrap-icons.woff2"],
  ["bootstrap-icons", "font/fonts/bootstrap-icons.woff", "bootstrap-icons/fonts/bootstrap-icons.woff"],
  ["htmx.org", "dist/htmx.min.js", "htmx/htmx.min.js"],
  ["echarts", "dist/echarts.min.js", "echarts/echarts.min.js"],
];

const SOURCE_MAP_COMMENT = /\n?(?:\/\*# sourceMappingURL=[^*]*\*\/|\/\/# sourceMappingURL=\S*)\s*$/;

function version(pkg) {
  return JSON.parse(readFileSync(join(modules, pkg, "package.json"), "utf8")).version;
}

const missing = FILES.filter(([pkg, src]) => !existsSync(join(modules, pkg, src)));
if (missing.length) {
  for (const [pkg, src] of missing) console.error(`missing: node_modules/${pkg}/${src}`);
  console.error("Run `npm install` first.");
  process.exit(1);
}

rmSync(vendor, { recursive: true, force: true });
for (const [pkg, src, dest] of FILES) {
  const from = join(modules, pkg, src);
  const to = join(vendor, dest);
  mkdirSync(dirname(to), { recursive: true });
  let data = readFileSync(from);
  if (/\.(css|js)$/.test(src)) {
    data = Buffer.from(data.toString("utf8").replace(SOURCE_MAP_COMMENT, "\n"), "utf8");
  }
  writeFileSync(to, data);
  const kb = (statSync(to).size / 1024).toFixed(1).padStart(8);
  console.log(`${kb} KiB  ${pkg}@${version(pkg)}  ${src} -> ${relative(root, to)}`);
}
console.log(`copied ${FILES.length} files into ${relative(root, vendor)}/`);
