/**
 * @module cli/mesh
 * The `mesh` command: owner, manufacturer and technician tools, plus the core utilities
 * (UDF, keys, preconfiguration material, DARE). Exit status: 0 success, 1 a check that
 * failed (e.g. an invalid signature), 2 bad input or usage, 3 an unexpected fault.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { MeshError } from '../crypto/errors.js';
import { CheckFailedError, InputFileError, UsageError } from './cli-errors.js';
import type { Command, CommandContext } from './command.js';
import { commands } from './commands/index.js';

export const VERSION = '0.1.0';

function helpText(): string {
  const lines = ['usage: mesh <command> [options]', '', 'commands:'];
  for (const c of commands) lines.push(`  mesh ${c.path.join(' ')} ${c.usage}`.trimEnd(), `      ${c.summary}`);
  lines.push('', 'Every command takes --json for one JSON object on standard output.');
  return lines.join('\n');
}

function findCommand(argv: readonly string[]): { command: Command; rest: string[] } | undefined {
  let best: { command: Command; rest: string[] } | undefined;
  for (const command of commands) {
    const n = command.path.length;
    if (argv.length >= n && command.path.every((w, i) => argv[i] === w)) {
      if (best === undefined || n > best.command.path.length) best = { command, rest: argv.slice(n) };
    }
  }
  return best;
}

async function readInput(path: string, argument: string): Promise<Uint8Array> {
  try {
    if (path === '-') {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return new Uint8Array(Buffer.concat(chunks));
    }
    return new Uint8Array(await readFile(path));
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new InputFileError(`${argument}: cannot read ${JSON.stringify(path)}${code ? ` (${code})` : ''}`, {
      cause,
      context: { argument, path },
    });
  }
}

export async function main(argv: readonly string[], context?: Partial<CommandContext>): Promise<number> {
  const ctx: CommandContext = {
    out: context?.out ?? ((line) => void process.stdout.write(line + '\n')),
    write: context?.write ?? ((bytes) => void process.stdout.write(bytes)),
    err: context?.err ?? ((line) => void process.stderr.write(line + '\n')),
    readInput: context?.readInput ?? readInput,
    env: context?.env ?? process.env,
  };
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    ctx.out(helpText());
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === '--version') {
    ctx.out(VERSION);
    return 0;
  }
  const found = findCommand(argv);
  if (found === undefined) {
    ctx.err(
      `mesh: unknown command ${JSON.stringify(
        argv
          .filter((a) => !a.startsWith('-'))
          .slice(0, 2)
          .join(' '),
      )} (try mesh --help)`,
    );
    return 2;
  }
  const { command, rest } = found;
  if (rest.includes('--help') || rest.includes('-h')) {
    ctx.out(`usage: mesh ${command.path.join(' ')} ${command.usage}\n${command.summary}`);
    return 0;
  }
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args: [...rest],
        options: { json: { type: 'boolean' }, ...command.options },
        allowPositionals: true,
        strict: true,
      });
    } catch (cause) {
      // parseArgs messages already name the option ("Unknown option '--x'").
      throw new UsageError((cause as Error).message.split('\n')[0] ?? 'bad arguments', undefined, { cause });
    }
    const status = await command.run(
      { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals },
      ctx,
    );
    return status ?? 0;
  } catch (error) {
    const prefix = `mesh ${command.path.join(' ')}`;
    if (error instanceof CheckFailedError) {
      ctx.err(`${prefix}: ${error.message}`);
      return 1;
    }
    if (error instanceof MeshError) {
      ctx.err(`${prefix}: ${error.message}`);
      return 2;
    }
    ctx.err(`${prefix}: internal error: ${(error as Error)?.message ?? String(error)}`);
    if (ctx.env['MESH_DEBUG']) ctx.err(String((error as Error)?.stack));
    return 3;
  }
}

// Run only as the entry point (the bundle or tsx), not when imported by tests.
const invokedDirectly = process.argv[1] !== undefined && /mesh(\.mjs|\.ts)?$/.test(process.argv[1]);
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`mesh: internal error: ${String(error)}\n`);
      process.exitCode = 3;
    },
  );
}
