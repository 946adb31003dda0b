// The API client for the daemon a command line names (--socket, --node, -n: cmd/common.ts).
import { ApiClient } from '../lib/api/client.js';
import { type GlobalArgs, socketOf } from './common.js';

export function client(argv: GlobalArgs): ApiClient {
  return new ApiClient(socketOf(argv), argv.namespace);
}
