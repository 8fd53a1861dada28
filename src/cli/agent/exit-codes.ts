/**
 * @module cli/agent/exit-codes
 * `mesh-agent` exit statuses. 78 is EX_CONFIG (sysexits.h): systemd/mesh-agent.service has
 * RestartPreventExitStatus=78, because a bad configuration does not fix itself by restarting.
 */
export const EXIT_OK = 0;
/** Any other start-up failure (bad preconfiguration, lost key, keystore unavailable, locked). */
export const EXIT_FAILURE = 1;
/** A command line that does not parse. */
export const EXIT_USAGE = 2;
export const EXIT_CONFIG = 78;

export const AGENT_VERSION = '0.1.0';
