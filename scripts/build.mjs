#!/usr/bin/env node
/**
 * Builds the entry points with esbuild: each becomes one minified ESM file under dist/
 * (docs/packaging.md; docs/decisions/0004-lazy-chunks-and-startup-snapshot.md).
 *
 *   node scripts/build.mjs [--target <platform-arch>] [--libc glibc|musl|all] [--no-minify] [--report]
 *
 * - `dist/mesh.mjs`, the owner/factory/service CLI: one file.
 * - `dist/mesh-agent.mjs`, the device agent: one file, the core. Optional heavy parts that
 *   only one configuration uses (the Secret Service keystore and its dbus-next) are built
 *   as *lazy modules*: the source loads them with `await import()`, and each becomes its
 *   own file beside the core (`dist/mesh-agent-<part>.mjs`), loaded only when that code
 *   path runs. A lazy module does not carry its own copy of the agent's code: what it
 *   shares with the core (error classes, secret names...) it imports back from
 *   `./mesh-agent.mjs`, which re-exports it, so `instanceof` holds across the boundary.
 *   esbuild's own code splitting would move that shared code into a third file the core
 *   imports statically, and the core would no longer be one file.
 * - Native add-ons (serialport's @serialport/bindings-cpp) cannot be bundled: their
 *   prebuilt `.node` files for `--target` (default: this machine) are copied to
 *   `dist/prebuilds/<platform-arch>/`, beside the bundle, and the bundled loader is pointed
 *   there. Nothing is copied when no bundle uses a native add-on.
 *
 * - `dist/mesh-agent-snapshot.cjs`: the same agent as one CommonJS script with every lazy
 *   part inlined, for `mesh-agent snapshot` to turn into a V8 startup snapshot (node's
 *   snapshot builder takes one CommonJS script; docs/packaging.md, "Startup snapshot").
 *   Optional: mesh-agent.mjs runs without it.
 *
 * Metafiles go to .tmp/build/<name>.meta.json (the bench reads them); `--report` prints
 * each output's largest contributors.
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist');
const metaDir = join(root, '.tmp', 'build');

// CommonJS dependencies inside an ESM bundle need require/__dirname (docs/decisions/0004-lazy-chunks-and-startup-snapshot.md).
const requireBanner = [
  "import { createRequire as __meshCreateRequire } from 'node:module';",
  "import { fileURLToPath as __meshFileURLToPath } from 'node:url';",
  "import { dirname as __meshDirname } from 'node:path';",
  'const require = __meshCreateRequire(import.meta.url);',
  'const __filename = __meshFileURLToPath(import.meta.url);',
  'const __dirname = __meshDirname(__filename);',
].join('\n');
const banner = `#!/usr/bin/env node\n${requireBanner}`;

// In node's snapshot builder `require` loads built-in modules only; what loads a file
// after the snapshot resumes (the serial port's add-on) needs a real one, which the
// snapshot's main sets (src/cli/mesh-agent-snapshot.ts).
const snapshotBanner = [
  'const __meshBuilderRequire = require;',
  'require = Object.assign((id) => (globalThis.__meshRuntimeRequire ?? __meshBuilderRequire)(id), {',
  '  resolve: (id, options) => (globalThis.__meshRuntimeRequire ?? __meshBuilderRequire).resolve(id, options),',
  '});',
].join('\n');

/**
 * `lazy`: modules the entry must load with a dynamic import, each built into its own file
 * `dist/<out>.mjs` (see the module comment); the build fails if one is imported statically.
 * `autoSplit`: every other `await import()` of a project module or an npm package (mqtt,
 * serialport, qrcode...) that nothing in the core imports statically is split off the
 * same way, as `dist/<entry>-<name>.mjs`. Without either, a dynamic import is inlined.
 */
const entries = [
  // The web console's server (`mesh console`) is a lazy module: the other commands never load it.
  { in: 'src/cli/mesh.ts', out: 'mesh', lazy: [{ in: 'src/cli/console/console-server.ts', out: 'mesh-console' }] },
  {
    in: 'src/cli/mesh-agent.ts',
    out: 'mesh-agent',
    lazy: [{ in: 'src/platform/keystore/secret-service-store.ts', out: 'mesh-agent-secret-service' }],
    autoSplit: true,
  },
];

// dbus-next (Secret Service keystore) requires `x11` and `usocket` only inside try blocks,
// as optional extras: they stay external (docs/decisions/0004-lazy-chunks-and-startup-snapshot.md). Its xml2js is used only for
// introspection, which the keystore never does; the stub keeps ~100 KB out of the agent.
const external = ['x11', 'usocket'];
const xml2jsStub = join(root, 'src/platform/keystore/xml2js-stub.ts');
const alias = existsSync(xml2jsStub) ? { xml2js: xml2jsStub } : {};

/**
 * Native add-ons shipped as prebuilds beside the bundle. `loader` matches the package's
 * files that call node-gyp-build with `join(__dirname, '../')` (the package root, where its
 * prebuilds/ is); in the bundle `__dirname` is the bundle's directory (banner), and the call
 * is rewritten to look there, so the layout is `<dir>/mesh-agent.mjs` +
 * `<dir>/prebuilds/<platform-arch>/*.node` (systemd/INSTALL.md: /opt/mesh-agent).
 * node-gyp-build scans that directory without regard to which package a file belongs to,
 * so only one native package can use it; any other must stay external (docs/decisions/0004-lazy-chunks-and-startup-snapshot.md).
 */
const NATIVE = {
  package: '@serialport/bindings-cpp',
  loader: /node_modules[\\/]@serialport[\\/]bindings-cpp[\\/]dist[\\/][^\\/]+\.js$/,
  call: /\(0,\s*path_1\.join\)\(__dirname,\s*(['"])\.\.\/?\1\)/g,
};

function parseArgs(argv) {
  const options = { target: `${process.platform}-${process.arch}`, libc: 'glibc', minify: true, report: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (name) => {
      if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
      const next = argv[++i];
      if (next === undefined) fail(`${name} expects a value`);
      return next;
    };
    if (arg === '--target' || arg.startsWith('--target=')) options.target = value('--target');
    else if (arg === '--libc' || arg.startsWith('--libc=')) options.libc = value('--libc');
    else if (arg === '--no-minify') options.minify = false;
    else if (arg === '--minify')
      options.minify = true; // the default; kept for old scripts
    else if (arg === '--report') options.report = true;
    else
      fail(
        `unknown option ${arg}; usage: node scripts/build.mjs [--target <platform-arch>] [--libc glibc|musl|all] [--no-minify] [--report]`,
      );
  }
  if (!/^[a-z0-9]+-[a-z0-9+]+$/.test(options.target))
    fail(`--target expects <platform>-<arch> such as linux-arm64 or linux-arm, got ${JSON.stringify(options.target)}`);
  if (!['glibc', 'musl', 'all'].includes(options.libc))
    fail(`--libc expects glibc, musl or all, got ${JSON.stringify(options.libc)}`);
  return options;
}

function fail(message) {
  process.stderr.write(`build: ${message}\n`);
  process.exit(1);
}

const options = parseArgs(process.argv.slice(2));

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: options.minify,
  // Error classes name themselves with new.target.name; the agent's one-line errors and
  // the tests rely on it.
  keepNames: true,
  sourcemap: false,
  legalComments: 'none',
  external,
  alias,
  logLevel: 'warning',
  metafile: true,
};

/** Points the bundled native loader at the bundle's own directory (see NATIVE). */
const nativeBesideBundle = {
  name: 'native-beside-bundle',
  setup(b) {
    b.onLoad({ filter: NATIVE.loader }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('node-gyp-build')) return undefined;
      const patched = text.replace(NATIVE.call, '__dirname');
      if (patched === text) {
        throw new Error(
          `${args.path} loads its native add-on in a way this build does not know; update NATIVE in scripts/build.mjs (docs/decisions/0004-lazy-chunks-and-startup-snapshot.md)`,
        );
      }
      return { contents: patched, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

const PROJECT_SRC = join(root, 'src') + sep;
const NODE_MODULES = `${sep}node_modules${sep}`;

/** A bare package specifier's package name (`@scope/name/sub` → `@scope/name`). */
function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * Dynamic imports: of a lazy module, `import('./<out>.mjs')`, external. When `found` is
 * given (a probe build), every dynamic import of a project module or an npm package is
 * cut off the same way and recorded, so the caller learns what could be lazy.
 */
function dynamicImports(lazyByPath, found) {
  return {
    name: 'dynamic-imports',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind !== 'dynamic-import' || args.pluginData?.dynamicProbe === true) return undefined;
        const resolved = await b.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: { dynamicProbe: true },
        });
        if (resolved.errors.length > 0 || resolved.external || resolved.path === '') return undefined;
        const known = lazyByPath.get(resolved.path);
        if (known !== undefined) return { path: `./${known.out}.mjs`, external: true };
        if (found === undefined) return undefined;
        const isPackage = resolved.path.includes(NODE_MODULES) && !args.path.startsWith('.');
        if (!isPackage && !resolved.path.startsWith(PROJECT_SRC)) return undefined;
        found.set(resolved.path, {
          path: resolved.path,
          specifier: args.path,
          package: isPackage ? packageName(args.path) : undefined,
          importer: args.importer,
        });
        return { path: `lazy-probe:${resolved.path}`, external: true };
      });
    },
  };
}

/** In the core: a static import of a module that must be lazy fails the build. */
function staticImportGuard(required) {
  return {
    name: 'static-import-guard',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind === 'dynamic-import' || args.kind === 'entry-point' || args.pluginData?.guardProbe === true)
          return undefined;
        const resolved = await b.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: { guardProbe: true },
        });
        if (required.has(resolved.path)) {
          throw new Error(
            `${relative(root, args.importer)} imports the lazy module ${relative(root, resolved.path)} statically; load it with await import() so the core agent does not carry it`,
          );
        }
        return undefined;
      });
    },
  };
}

/** In a lazy module: imports of the core's own source files come from the core file. */
function backToCore(coreInputs, coreFile, used) {
  return {
    name: 'back-to-core',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData?.coreProbe === true || args.kind === 'entry-point') return undefined;
        const resolved = await b.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: { coreProbe: true },
        });
        if (resolved.errors.length > 0 || resolved.external) return undefined;
        const path = resolved.path;
        if (!coreInputs.has(path) || path.includes(`${sep}node_modules${sep}`)) return undefined;
        if (args.kind !== 'import-statement') {
          throw new Error(
            `${relative(root, args.importer)} reaches the core module ${relative(root, path)} by ${args.kind}; a lazy module may only import it with an import statement`,
          );
        }
        used.add(path);
        return { path: coreFile, external: true };
      });
    },
  };
}

function inputsOf(metafile) {
  return new Set(Object.keys(metafile.inputs).map((p) => resolve(root, p)));
}

function outputBytes(metafile, file) {
  const key = Object.keys(metafile.outputs).find((k) => resolve(root, k) === file);
  return key === undefined ? 0 : metafile.outputs[key].bytes;
}

/** Largest contributors of one output, by npm package and by file. */
function contributors(metafile) {
  const output = Object.values(metafile.outputs)[0];
  const packages = new Map();
  const files = [];
  for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
    const m = path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
    const key = m === null ? path.split('/').slice(0, 3).join('/') : m[1];
    packages.set(key, (packages.get(key) ?? 0) + bytesInOutput);
    files.push([path, bytesInOutput]);
  }
  return {
    bytes: output.bytes,
    packages: [...packages].sort((a, b) => b[1] - a[1]),
    files: files.sort((a, b) => b[1] - a[1]),
  };
}

async function writeMeta(name, metafile) {
  await writeFile(join(metaDir, `${name}.meta.json`), JSON.stringify(metafile));
}

/** Output name of an automatically split module: mesh-agent-<package or file name>. */
function autoName(entry, candidate) {
  const base =
    candidate.package !== undefined
      ? candidate.package.replace(/^@/, '').replace(/\//g, '-')
      : candidate.path.slice(candidate.path.lastIndexOf(sep) + 1).replace(/\.[cm]?[jt]s$/, '');
  return `${entry.out}-${base.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`;
}

/**
 * The entry point of a split-off npm package: its namespace re-exported under fixed names.
 * A CommonJS package has no static export names; they are read by importing it here once.
 */
async function packageEntry(candidate) {
  let names = [];
  try {
    const ns = await import(pathToFileURL(candidate.path).href);
    names = Object.keys(ns).filter((n) => n !== 'default' && /^[A-Za-z_$][\w$]*$/.test(n));
  } catch {
    // Names unknown: the chunk offers `default` only.
  }
  const spec = JSON.stringify(candidate.path);
  return [
    `import * as ns from ${spec};`,
    'export default (ns.default ?? ns);',
    ...names.map((n) => `export const ${n} = ns.${n};`),
  ].join('\n');
}

/** Builds one entry (and its lazy modules); returns every output's name and metafile. */
async function buildEntry(entry) {
  const entryPath = resolve(root, entry.in);
  const outfile = join(outdir, `${entry.out}.mjs`);
  const split = entry.lazy !== undefined || entry.autoSplit === true;
  if (!split) {
    const result = await build({
      ...common,
      entryPoints: [entryPath],
      outfile,
      banner: { js: banner },
      plugins: [nativeBesideBundle],
    });
    await chmod(outfile, 0o755);
    return [{ name: entry.out, file: outfile, metafile: result.metafile }];
  }

  // 1. What the core holds statically, every dynamic import cut off; then, module by
  // module, what each lazy one reaches dynamically in turn.
  const required = new Map(
    (entry.lazy ?? []).map((l) => [resolve(root, l.in), { path: resolve(root, l.in), out: l.out, required: true }]),
  );
  const found = new Map();
  const probe = await build({
    ...common,
    entryPoints: [entryPath],
    outfile,
    write: false,
    banner: { js: banner },
    plugins: [nativeBesideBundle, staticImportGuard(required), dynamicImports(new Map(), found)],
  });
  const coreInputs = inputsOf(probe.metafile);
  const lazyByPath = new Map(required);
  const queue = [...found.values()];
  for (let candidate = queue.shift(); candidate !== undefined; candidate = queue.shift()) {
    if (coreInputs.has(candidate.path)) continue; // also imported statically: stays in the core
    if (!lazyByPath.has(candidate.path)) {
      if (entry.autoSplit !== true) continue;
      lazyByPath.set(candidate.path, { ...candidate, out: autoName(entry, candidate) });
    }
    const lazy = lazyByPath.get(candidate.path);
    if (lazy.probed) continue;
    lazy.probed = true;
    const nested = new Map();
    const input =
      lazy.package === undefined
        ? { entryPoints: [lazy.path] }
        : {
            stdin: {
              contents: await packageEntry(lazy),
              resolveDir: root,
              sourcefile: `${lazy.out}.mjs`,
              loader: 'js',
            },
          };
    const p = await build({
      ...common,
      ...input,
      outfile: join(outdir, `${lazy.out}.mjs`),
      write: false,
      plugins: [
        nativeBesideBundle,
        dynamicImports(new Map(), nested),
        backToCore(coreInputs, `./${entry.out}.mjs`, new Set()),
      ],
    });
    const own = inputsOf(p.metafile);
    for (const n of nested.values()) if (!own.has(n.path)) queue.push(n);
  }
  for (const r of required.values()) {
    if (!r.probed)
      throw new Error(
        `${relative(root, r.path)} is listed as lazy but nothing in ${entry.in} imports it with await import()`,
      );
  }

  // 2. Each lazy module, importing the core's modules back from the core file.
  const used = new Set();
  const outputs = [];
  for (const lazy of lazyByPath.values()) {
    const file = join(outdir, `${lazy.out}.mjs`);
    const input =
      lazy.package === undefined
        ? { entryPoints: [lazy.path] }
        : {
            stdin: {
              contents: await packageEntry(lazy),
              resolveDir: root,
              sourcefile: `${lazy.out}.mjs`,
              loader: 'js',
            },
          };
    const result = await build({
      ...common,
      ...input,
      outfile: file,
      banner: { js: requireBanner },
      plugins: [nativeBesideBundle, dynamicImports(lazyByPath), backToCore(coreInputs, `./${entry.out}.mjs`, used)],
    });
    outputs.push({
      name: lazy.out,
      file,
      metafile: result.metafile,
      lazy: true,
      source: lazy.package ?? relative(root, lazy.path),
    });
  }

  // 3. The core, re-exporting what the lazy modules import back. `export *` keeps the
  // entry's own top-level code (a bare import would fall to "sideEffects": false).
  const reexports = [entryPath, ...[...used].sort()].map((p) => `export * from ${JSON.stringify(p)};`).join('\n');
  const core = await build({
    ...common,
    stdin: { contents: reexports, resolveDir: root, sourcefile: `${entry.out}-entry.ts`, loader: 'ts' },
    outfile,
    banner: { js: banner },
    plugins: [nativeBesideBundle, staticImportGuard(required), dynamicImports(lazyByPath)],
  });
  await chmod(outfile, 0o755);
  outputs.unshift({ name: entry.out, file: outfile, metafile: core.metafile });

  return outputs;
}

/**
 * Every name a lazy module imports back must be exported by the core exactly once
 * (`export *` drops a name two modules both export): load each one and let Node link it.
 * Loading runs module code, native add-ons included, so only for this machine's target.
 */
function checkLazyOutputs(outputs) {
  for (const o of outputs.filter((x) => x.lazy)) {
    const check = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(o.file).href)})`],
      {
        cwd: outdir,
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '' },
        timeout: 20_000,
      },
    );
    if (check.status !== 0)
      throw new Error(
        `${relative(root, o.file)} does not load beside the core: ${check.stderr.trim().split('\n').slice(0, 6).join(' | ')}`,
      );
  }
}

/** dist/mesh-agent-snapshot.cjs (see the module comment): every dynamic import inlined. */
async function buildSnapshotScript() {
  const file = join(outdir, 'mesh-agent-snapshot.cjs');
  const result = await build({
    ...common,
    format: 'cjs',
    entryPoints: [resolve(root, 'src/cli/mesh-agent-snapshot.ts')],
    outfile: file,
    banner: { js: snapshotBanner },
    plugins: [nativeBesideBundle],
  });
  // The snapshot cannot resolve `import()` once it resumes (no module loader is attached).
  const text = await readFile(file, 'utf8');
  const dynamic = text.match(/[^\w$.]import\(/);
  if (dynamic !== null)
    throw new Error(
      `${relative(root, file)} still holds a dynamic import() (${text.slice(dynamic.index, dynamic.index + 60)}); the snapshot could not run it`,
    );
  return { name: 'mesh-agent-snapshot', file, metafile: result.metafile };
}

/**
 * The web console's page (docs/console.md): its script and style sheet, for browsers, into
 * dist/console/, which dist/mesh-console.mjs serves. jsQR is bundled into the script, so
 * the page loads nothing from anywhere else.
 */
async function buildConsolePage() {
  const page = join(root, 'src/cli/console/page');
  const result = await build({
    entryPoints: { console: join(page, 'console-page.ts'), 'console-style': join(page, 'console.css') },
    outdir: join(outdir, 'console'),
    entryNames: '[name]',
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: ['chrome100', 'firefox100', 'safari15'],
    minify: options.minify,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
  });
  // esbuild names a CSS entry after its key; the console serves console.css.
  await rename(join(outdir, 'console', 'console-style.css'), join(outdir, 'console', 'console.css'));
  return { name: 'mesh-console-page', file: join(outdir, 'console', 'console.js'), metafile: result.metafile };
}

/** Copies the target's prebuilt add-on beside the bundle when a bundle uses it (see NATIVE). */
async function layOutPrebuilds(outputs) {
  const target = join(outdir, 'prebuilds');
  await rm(target, { recursive: true, force: true });
  const users = outputs.filter((o) => Object.keys(o.metafile.inputs).some((p) => NATIVE.loader.test(p)));
  if (users.length === 0) return undefined;
  const source = join(root, 'node_modules', ...NATIVE.package.split('/'), 'prebuilds');
  // `<platform>-<arch>`, or one universal directory such as darwin-x64+arm64.
  const [platform, arch] = options.target.split('-');
  const chosen = (existsSync(source) ? readdirSync(source) : []).filter((d) => {
    const [p, archs = ''] = d.split(/-(.*)/);
    return p === platform && archs.split('+').includes(arch);
  });
  if (chosen.length === 0) {
    const have = existsSync(source) ? readdirSync(source).join(', ') : 'none';
    throw new Error(
      `${NATIVE.package} has no prebuilds for ${options.target} (it has: ${have}); --target expects one of them`,
    );
  }
  const copied = [];
  for (const dir of chosen) {
    const files = readdirSync(join(source, dir))
      .filter((f) => f.endsWith('.node'))
      .filter((f) => options.libc === 'all' || !/\.(glibc|musl)\./.test(f) || f.includes(`.${options.libc}.`));
    if (files.length === 0) throw new Error(`${NATIVE.package} has no ${options.libc} prebuild in prebuilds/${dir}`);
    await mkdir(join(target, dir), { recursive: true });
    for (const f of files) {
      await copyFile(join(source, dir, f), join(target, dir, f));
      copied.push({ path: join('prebuilds', dir, f), bytes: (await stat(join(target, dir, f))).size });
    }
  }
  return { package: NATIVE.package, users: users.map((u) => u.name), copied };
}

function kb(bytes) {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

try {
  await mkdir(outdir, { recursive: true });
  await mkdir(metaDir, { recursive: true });
  const all = [];
  for (const entry of entries) all.push(...(await buildEntry(entry)));
  const snapshotScript = await buildSnapshotScript();
  const consolePage = await buildConsolePage();
  await writeMeta(consolePage.name, consolePage.metafile);
  for (const o of [...all, snapshotScript]) await writeMeta(o.name, o.metafile);
  const native = await layOutPrebuilds(all);
  if (options.target === `${process.platform}-${process.arch}`) checkLazyOutputs(all);
  const summary = all.map(
    (o) => `${relative(root, o.file)} ${kb(outputBytes(o.metafile, o.file))}${o.lazy ? ` (lazy: ${o.source})` : ''}`,
  );
  summary.push(
    `${relative(root, consolePage.file)} ${kb(outputBytes(consolePage.metafile, consolePage.file))} (web console page)`,
  );
  summary.push(
    `${relative(root, snapshotScript.file)} ${kb(outputBytes(snapshotScript.metafile, snapshotScript.file))} (startup snapshot script)`,
  );
  if (native !== undefined)
    summary.push(...native.copied.map((c) => `dist/${c.path} ${kb(c.bytes)} (${native.package}, ${options.target})`));
  console.log(`build: ${summary.join('; ')}`);
  if (options.report) {
    for (const o of all) {
      const c = contributors(o.metafile);
      console.log(`\n${relative(root, o.file)}: ${c.bytes} bytes`);
      for (const [name, bytes] of c.packages.slice(0, 12)) console.log(`  ${String(bytes).padStart(8)}  ${name}`);
    }
  }
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
