/**
 * @module cli/mesh-agent-snapshot
 * The startup snapshot's script (docs/packaging.md, "Startup snapshot"), built by
 * scripts/build.mjs into dist/mesh-agent-snapshot.cjs and run by `mesh-agent snapshot`
 * under `node --build-snapshot`. Loading it evaluates every module of the agent; the heap
 * is then saved, and a process started with `node --snapshot-blob FILE -- <args>` resumes
 * at the main function set here, without compiling or evaluating anything again.
 *
 * Nothing is warmed up beyond that: noble's Ed448 base-point tables would add ~0.7 MB to
 * the blob, and deserialising costs about 10 ms per MB here, before the fingerprint is
 * shown; the tables are built after it (first-boot KnownIdentity) instead.
 *
 * In the snapshot builder `require` loads built-in modules only, and files loaded later
 * (the serial port's native add-on) must come from the real directory: the build's banner
 * routes `require` through `globalThis.__meshRuntimeRequire`, set here at start.
 */
import { createRequire } from 'node:module';
import { startupSnapshot } from 'node:v8';
import { runProcess } from './mesh-agent.js';

declare global {
  // Only a `var` in `declare global` becomes a property of globalThis.
  var __meshRuntimeRequire: NodeJS.Require | undefined;
}

startupSnapshot.setDeserializeMainFunction(() => {
  globalThis.__meshRuntimeRequire = createRequire(__filename);
  // `node --snapshot-blob FILE -- run …`: argv[0] is node, the agent's arguments follow.
  runProcess(process.argv.slice(1), 'snapshot');
});
