/** bd-rx's own version (the wire protocol has its own: PROTOCOL_VERSION). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const BD_RX_VERSION: string = (require('../package.json') as { version: string }).version;

/** The bd release whose CLI, JSON shapes and RPC bd-rx reproduces (what `version` reports). */
export const BD_COMPAT_VERSION = '0.49.6';

/** `bd version X (build)`: bd's line, with bd-rx as the build so a person can tell them apart. */
export function versionLine(): string {
  return `bd version ${BD_COMPAT_VERSION} (bd-rx ${BD_RX_VERSION})`;
}
