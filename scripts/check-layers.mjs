/**
 * @module scripts/check-layers
 * The layer check run by `npm run lint`: every import under src/ points down the layers of
 * docs/conventions.md, and no runtime import cycle exists.
 *
 * Usage: `node scripts/check-layers.mjs [ROOT]` (ROOT defaults to the current directory and must hold
 * src/). Prints one line per broken rule, naming the file and the import, and exits 1 if there is any.
 *
 * Type-only imports (`import type`, `import { type A }` with every name type-only, `typeof import(...)`)
 * count for the layers, since a type still ties a layer to the one it names, but not for cycles: they
 * are erased before the code runs. Dynamic `import()` counts for the layers; it is left out of the
 * cycle search because a lazy load cannot deadlock module initialisation.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

const LAYERS = ['crypto', 'mesh', 'agent', 'platform', 'service', 'cli'];

/**
 * What each layer may import, from docs/conventions.md "Layers". `layers` lists the other layers it may
 * import; `node` lists the node: modules it may import (`true` for any); `packages` the npm packages
 * (`true` for any). The pure layers get only the noble packages, which do no I/O.
 */
const PURE_PACKAGES = ['@noble/curves', '@noble/hashes'];
const RULES = {
  // src/crypto may use node:crypto (no other node: module, no I/O); adapters in src/platform and
  // the service use it too, for files and TLS (docs/decisions/0001-node-crypto-beside-noble.md).
  crypto: { layers: [], node: ['node:crypto'], packages: PURE_PACKAGES },
  // "src/mesh: pure protocol; NO node: imports at all"; "src/mesh may import src/crypto".
  mesh: { layers: ['crypto'], node: [], packages: PURE_PACKAGES },
  // The state machine and its ports: adapters are injected from cli, never imported.
  agent: { layers: ['crypto', 'mesh'], node: [], packages: PURE_PACKAGES },
  // Adapters implement the agent's ports, so they see the agent, never the service or the CLI.
  platform: { layers: ['crypto', 'mesh', 'agent'], node: true, packages: true },
  // The service speaks the protocol (mesh) and owns its own I/O; it shares no code with the device side.
  service: { layers: ['crypto', 'mesh'], node: true, packages: true },
  // "src/cli: the only composition roots".
  cli: { layers: ['crypto', 'mesh', 'agent', 'platform', 'service'], node: true, packages: true },
};

/** Every .ts file under `dir`, sorted so the report is stable. */
function sourceFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(m|c)?ts$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The imports of one file: `{ specifier, typeOnly, dynamic, line }`. */
export function importsOf(file, text = readFileSync(file, 'utf8')) {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found = [];
  const add = (node, specifier, typeOnly, dynamic) => {
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    found.push({ specifier, typeOnly, dynamic, line });
  };
  const visit = (node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      // `import { type A, type B } from` is erased like `import type`; `import {} from` and a bare
      // `import 'x'` are kept for their side effects.
      const named = clause?.namedBindings;
      const allNamedTypes =
        clause !== undefined &&
        clause.name === undefined &&
        named !== undefined &&
        ts.isNamedImports(named) &&
        named.elements.length > 0 &&
        named.elements.every((e) => e.isTypeOnly);
      add(node, node.moduleSpecifier.text, clause?.isTypeOnly === true || allNamedTypes, false);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const named = node.exportClause;
      const allNamedTypes =
        named !== undefined &&
        ts.isNamedExports(named) &&
        named.elements.length > 0 &&
        named.elements.every((e) => e.isTypeOnly);
      add(node, node.moduleSpecifier.text, node.isTypeOnly || allNamedTypes, false);
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      add(node, node.moduleReference.expression.text, node.isTypeOnly, false);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments.length > 0 &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      add(node, node.arguments[0].text, false, true);
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      add(node, node.argument.literal.text, true, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The package name of a bare specifier (`@scope/name/sub.js` → `@scope/name`). */
function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The .ts file a relative specifier names (`./x.js` → `./x.ts`), or undefined if none exists. */
function resolveRelative(from, specifier) {
  const base = resolve(dirname(from), specifier);
  const candidates = [
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.mjs$/, '.mts'),
    base,
    `${base}.ts`,
    join(base, 'index.ts'),
  ];
  for (const c of candidates) {
    try {
      if (statSync(c).isFile()) return c;
    } catch {
      // Not this candidate; try the next.
    }
  }
  return undefined;
}

/** Runtime import cycles as lists of files (each cycle once, from its smallest file). Tarjan's SCC. */
function cyclesOf(graph) {
  let index = 0;
  const stack = [];
  const state = new Map();
  const cycles = [];
  const connect = (v) => {
    state.set(v, { index, low: index, onStack: true });
    index++;
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!state.has(w)) {
        connect(w);
        state.get(v).low = Math.min(state.get(v).low, state.get(w).low);
      } else if (state.get(w).onStack) {
        state.get(v).low = Math.min(state.get(v).low, state.get(w).index);
      }
    }
    if (state.get(v).low === state.get(v).index) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        state.get(w).onStack = false;
        component.push(w);
      } while (w !== v);
      const selfLoop = component.length === 1 && (graph.get(v) ?? []).includes(v);
      if (component.length > 1 || selfLoop) cycles.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!state.has(v)) connect(v);
  return cycles;
}

/** One path around a strongly connected component, for a readable report. */
function pathThrough(component, graph) {
  const members = new Set(component);
  const start = component[0];
  const seen = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift();
    for (const w of graph.get(v) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [v];
        for (let p = seen.get(v); p !== undefined; p = seen.get(p)) path.push(p);
        return [...path.reverse(), start];
      }
      if (!seen.has(w)) {
        seen.set(w, v);
        queue.push(w);
      }
    }
  }
  return component;
}

/** All broken rules under `root`/src, as printable lines. */
export function checkLayers(root) {
  const src = resolve(root, 'src');
  const problems = [];
  const graph = new Map();
  const rel = (p) => relative(root, p).split(sep).join('/');
  for (const file of sourceFiles(src)) {
    const layer = relative(src, file).split(sep)[0];
    const rule = RULES[layer];
    if (rule === undefined) {
      problems.push(`${rel(file)}: not in a known layer (${LAYERS.join(', ')})`);
      continue;
    }
    const edges = [];
    graph.set(file, edges);
    for (const { specifier, typeOnly, dynamic, line } of importsOf(file)) {
      const where = `${rel(file)}:${line}: ${layer} imports '${specifier}'`;
      if (specifier.startsWith('node:')) {
        if (rule.node !== true && !rule.node.includes(specifier))
          problems.push(
            `${where}: ${layer} may not import node: modules${rule.node.length > 0 ? ` other than ${rule.node.join(', ')}` : ''}`,
          );
      } else if (specifier.startsWith('.')) {
        const target = resolveRelative(file, specifier);
        const resolved = target ?? resolve(dirname(file), specifier);
        const inside = relative(src, resolved);
        if (inside.startsWith('..')) {
          problems.push(`${where}: reaches outside src/`);
          continue;
        }
        const targetLayer = inside.split(sep)[0];
        if (targetLayer !== layer && !rule.layers.includes(targetLayer)) {
          problems.push(
            `${where}: ${layer} may import only ${[layer, ...rule.layers].join(', ')}${typeOnly ? ' (type-only imports too)' : ''}`,
          );
        }
        if (target !== undefined && !typeOnly && !dynamic) edges.push(target);
      } else {
        // A bare name without node: is a package (the node: prefix is required for built-ins here).
        const pkg = packageOf(specifier);
        if (rule.packages !== true && !rule.packages.includes(pkg)) {
          problems.push(`${where}: ${layer} may import only the packages ${rule.packages.join(', ')}`);
        }
      }
    }
  }
  for (const component of cyclesOf(graph)) {
    problems.push(`runtime import cycle: ${pathThrough(component, graph).map(rel).join(' -> ')}`);
  }
  return problems;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = resolve(process.argv[2] ?? '.');
  const problems = checkLayers(root);
  for (const p of problems) console.error(p);
  if (problems.length > 0) {
    console.error(
      `layer check: ${problems.length} problem${problems.length === 1 ? '' : 's'} (layers: docs/conventions.md)`,
    );
    process.exit(1);
  }
  console.log('layer check: every import points down the layers; no runtime import cycle');
}
