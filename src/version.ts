/** bd-rx's own version (the wire protocol has its own: PROTOCOL_VERSION). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const BD_RX_VERSION: string = (require('../package.json') as { version: string }).version;
