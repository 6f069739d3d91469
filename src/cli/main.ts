#!/usr/bin/env node
// diamond: the command line of the Diameter node (DRA + HSS).
import { Command } from 'commander';
import { DiamondError, FileError } from '../errors.js';
import { registerCerts } from './certs-command.js';
import { registerConfig, registerImport } from './config-command.js';
import { registerPeers } from './peers-command.js';
import { registerStart } from './start-command.js';
import { registerRules } from './rules-command.js';
import { registerDecode } from './decode-command.js';
import { registerSubscriber } from './subscriber-command.js';
import { registerReplay } from './replay-command.js';

const program = new Command();
program.name('diamond').description('Diamond: Diameter routing agent and HSS').version('0.1.0');
registerStart(program);
registerPeers(program);
registerRules(program);
registerDecode(program);
registerReplay(program);
registerConfig(program);
registerImport(program);
registerCerts(program);
registerSubscriber(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof DiamondError || err instanceof FileError) {
    process.stderr.write(`error: ${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
