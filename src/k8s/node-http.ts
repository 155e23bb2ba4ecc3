// node:http and node:https as CommonJS exports. An ESM `import ... from 'node:http'` builds the
// module's namespace by reading every export, and node:http's lazy WebSocket/CloseEvent/MessageEvent
// getters then load Node's bundled undici (0.7 MiB of source, ~2 MiB of RSS) that nothing here uses.
export const nodeHttp = process.getBuiltinModule('node:http');
export const nodeHttps = process.getBuiltinModule('node:https');
