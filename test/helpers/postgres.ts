/**
 * @module test/helpers/postgres
 * Starts a throwaway PostgreSQL cluster for a test file and stops it afterwards: initdb in a
 * temp directory, the server on 127.0.0.1 at a free port with its Unix socket in that same
 * directory, durability switched off because the data is discarded (docs/decisions/0007-postgresql-for-scale.md).
 * Missing binaries fail loudly: the contract tests must run against the real thing in CI
 * (docs/decisions/0008-where-fakes-live.md).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { MeshError } from '../../src/crypto/errors.js';

const run = promisify(execFile);

/** PostgreSQL could not be found or started for the tests. */
export class PostgresUnavailableError extends MeshError {
  readonly code = 'ERR_TEST_POSTGRES_UNAVAILABLE';
}

export interface PostgresCluster {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** URL of the `postgres` database as the `postgres` superuser (trust authentication). */
  readonly url: string;
  readonly directory: string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** The directory holding initdb and pg_ctl: $MESH_PG_BIN, pg_config, or the newest Debian install. */
export function findPostgresBin(): string {
  const candidates: string[] = [];
  if (process.env['MESH_PG_BIN'] !== undefined) candidates.push(process.env['MESH_PG_BIN']);
  try {
    candidates.push(
      execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(),
    );
  } catch {
    // pg_config is in libpq-dev, which may be absent; fall through to the Debian layout.
  }
  if (existsSync('/usr/lib/postgresql')) {
    const versions = readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(`/usr/lib/postgresql/${v}/bin`);
  }
  const found = candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
  if (found === undefined) {
    throw new PostgresUnavailableError(
      `PostgreSQL server binaries (initdb, pg_ctl) not found in ${candidates.join(', ') || '/usr/lib/postgresql/*/bin'}; ` +
        'install the postgresql package (listed in .ci/apt-packages) or set MESH_PG_BIN',
      { context: { candidates } },
    );
  }
  return found;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolvePort(address.port);
        else reject(new PostgresUnavailableError('could not pick a free port'));
      });
    });
  });
}

/** PostgreSQL refuses to run as root, so as root its tools run as the postgres user. */
function asServerUser(command: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [command, args];
  return ['runuser', ['-u', 'postgres', '--', command, ...args]];
}

export async function startPostgres(): Promise<PostgresCluster> {
  const bin = findPostgresBin();
  const directory = await mkdtemp(join(tmpdir(), 'mesh-pg-'));
  const data = join(directory, 'data');
  const logFile = join(directory, 'server.log');
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    await chown(directory, uid, gid);
  }
  const exec = async (tool: string, args: string[], what: string): Promise<void> => {
    const [command, argv] = asServerUser(join(bin, tool), args);
    try {
      await run(command, argv, { timeout: 60_000 });
    } catch (cause) {
      const stderr = (cause as { stderr?: string }).stderr ?? '';
      throw new PostgresUnavailableError(
        `could not ${what} with ${tool}: ${stderr.trim() || String(cause)} (see ${logFile})`,
        {
          context: { tool, directory },
          cause,
        },
      );
    }
  };
  await exec(
    'initdb',
    ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'],
    'initialise a cluster',
  );

  // A port picked free can be taken before the server binds it; retry with another.
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    const options = [
      `-p ${port}`,
      `-k ${directory}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=100',
    ].join(' ');
    try {
      await exec('pg_ctl', ['-D', data, '-o', options, '-l', logFile, '-w', '-t', '30', 'start'], 'start the server');
      break;
    } catch (error) {
      if (attempt >= 3) {
        await rm(directory, { recursive: true, force: true });
        throw error;
      }
    }
  }

  let stopped = false;
  const stopSync = (): void => {
    if (stopped) return;
    stopped = true;
    const [command, argv] = asServerUser(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    try {
      execFileSync(command, argv, { stdio: 'ignore', timeout: 30_000 });
    } catch {
      // Already gone.
    }
  };
  // A test run that dies without its afterAll must not leave a server behind.
  process.once('exit', stopSync);

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    host: '127.0.0.1',
    port,
    url,
    directory,
    async createDatabase(name: string): Promise<string> {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(name)}`;
    },
    async stop(): Promise<void> {
      process.removeListener('exit', stopSync);
      if (!stopped) {
        stopped = true;
        const [command, argv] = asServerUser(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
        await run(command, argv, { timeout: 30_000 }).catch(() => undefined);
      }
      await rm(directory, { recursive: true, force: true });
    },
  };
}
