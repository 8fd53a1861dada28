/**
 * @module test/helpers/agent-with-ports
 * The `mesh-agent` command with test ports passed in, for tests that run the agent as a
 * child process on a fake: the shipped binaries read no test switch from the environment.
 * test/global-setup.ts builds it to AGENT_WITH_PORTS_BIN (test/helpers/agent-process); it takes its own options, then
 * the usual `mesh-agent` arguments:
 *
 *   node .tmp/test-bin/agent-with-ports.mjs [--memory-keystore] [--sysfs DIR] run --config FILE
 *
 * `--memory-keystore`: the seeds live in process memory (MemorySecretStore), so the next
 * start finds none. `--sysfs DIR`: the LED adapters use DIR/class/leds and DIR/class/gpio.
 */
import { MemorySecretStore } from '../../src/agent/fakes/memory-secret-store.js';
import type { AgentPortOverrides } from '../../src/cli/agent/agent-context.js';
import { EXIT_FAILURE } from '../../src/cli/agent/exit-codes.js';
import { main } from '../../src/cli/mesh-agent.js';

function parse(argv: readonly string[]): { ports: AgentPortOverrides; rest: string[] } {
  const rest = [...argv];
  let ports: AgentPortOverrides = {};
  for (;;) {
    if (rest[0] === '--memory-keystore') {
      rest.shift();
      ports = { ...ports, secrets: async () => new MemorySecretStore() };
    } else if (rest[0] === '--sysfs' && rest[1] !== undefined) {
      const dir = rest[1];
      rest.splice(0, 2);
      ports = { ...ports, led: { ledsRoot: `${dir}/class/leds`, gpioRoot: `${dir}/class/gpio` } };
    } else {
      return { ports, rest };
    }
  }
}

// Mirrors runProcess in src/cli/mesh-agent.ts, with the ports added.
if (process.argv[1]?.endsWith('agent-with-ports.mjs') === true) {
  const { ports, rest } = parse(process.argv.slice(2));
  const controller = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => controller.abort());
  main(rest, { stop: controller.signal, ports }).then(
    (status) => {
      process.exitCode = status;
      setTimeout(() => process.exit(), 2_000).unref();
    },
    (error: unknown) => {
      process.stderr.write(`mesh-agent: ${(error as Error)?.message ?? String(error)}\n`);
      process.exitCode = EXIT_FAILURE;
    },
  );
}
