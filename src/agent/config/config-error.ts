/**
 * @module agent/config/config-error
 * The error a bad `mesh-agent` configuration file produces. A device is usually headless and
 * configured by someone editing JSON on an SD card, so the error names the JSON path of every
 * problem, what was expected there and what was found, and all problems are reported at once:
 * one restart per typo is a slow way to fix a file (conventions "Errors").
 */
import { MeshError } from '../../crypto/errors.js';

/** One thing wrong with the file. */
export interface ConfigProblem {
  /** JSONPath of the offending value, e.g. `$.owners[0].account`; `$` is the whole document. */
  readonly path: string;
  /** What the schema wants there, e.g. `an account address user@domain`. */
  readonly expected: string;
  /** What was found: a kind (`a number`, `absent`) or a short non-secret value. */
  readonly actual: string;
  /** A fix to suggest, e.g. `did you mean "stateDirectory"?`. */
  readonly hint?: string;
}

function describe(problem: ConfigProblem): string {
  const hint = problem.hint === undefined ? '' : ` (${problem.hint})`;
  return `"${problem.path}" expected ${problem.expected}, got ${problem.actual}${hint}`;
}

/**
 * The configuration does not parse or does not match the schema. `path`, `expected` and
 * `actual` are those of the first problem (document order); `problems` holds them all.
 */
export class ConfigError extends MeshError {
  readonly code = 'ERR_CONFIG';
  readonly path: string;
  readonly expected: string;
  readonly actual: string;
  readonly problems: readonly ConfigProblem[];

  /** @param source where the configuration came from (a file name), for the message only. */
  constructor(problems: readonly [ConfigProblem, ...ConfigProblem[]], source?: string) {
    const [first] = problems;
    const where = source === undefined ? 'configuration' : `configuration ${source}`;
    const lines = problems.map(describe);
    const message =
      problems.length === 1
        ? `${where}: ${lines[0]}`
        : `${where}: ${problems.length} problems:\n  ${lines.join('\n  ')}`;
    super(message, { context: { source, problems: problems.map((p) => ({ ...p })) } });
    this.path = first.path;
    this.expected = first.expected;
    this.actual = first.actual;
    this.problems = Object.freeze([...problems]);
  }
}
