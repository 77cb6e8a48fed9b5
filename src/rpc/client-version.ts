import { describeValue } from './zod-message';

/** The wire protocol version. Same MAJOR (and, for 0.x, any 0.y) means compatible. */
export const PROTOCOL_VERSION = '0.1.0';

/**
 * Refuses a client of another protocol MAJOR (for 0.x: any 0.y is compatible). Clients that
 * do not say their version are served. Returns the error message, or undefined when compatible.
 */
export function checkClientVersion(clientVersion: string | undefined): string | undefined {
  if (clientVersion === undefined) return undefined;
  const client = semverMajor(clientVersion);
  if (client === undefined) {
    return (
      `invalid client_version ${describeValue(clientVersion)}: ` +
      `expected a semantic version like ${PROTOCOL_VERSION}`
    );
  }
  const daemon = semverMajor(PROTOCOL_VERSION) as number;
  if (client === daemon) return undefined;
  const advice =
    client > daemon
      ? 'the daemon is older than the client: stop it (`bd-rx daemon stop`) so the newer ' +
        'bd-rx can start its own, or downgrade the client'
      : 'the client is older than the daemon: upgrade bd-rx, or stop the daemon and start ' +
        'the version you want';
  return (
    `incompatible client version ${clientVersion}: this daemon speaks protocol ` +
    `${daemon}.x (${PROTOCOL_VERSION}); ${advice}`
  );
}

function semverMajor(version: string): number | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+][0-9A-Za-z.+-]*)?$/.exec(version);
  return match ? Number(match[1]) : undefined;
}
