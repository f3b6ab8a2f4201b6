#!/usr/bin/env node
import { emulatorProgram, optionsFromFlags } from './bin-flags.js';
import { adminPath } from './http/admin-routes.js';
import { startEmulator } from './start-emulator.js';

// Usage errors exit with 2, as every swas-archive command does.
const program = emulatorProgram();
program.exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));
program.parse();
const o = program.opts();

const secret = o.accessKeySecret ?? process.env.SWAS_EMULATOR_ACCESS_KEY_SECRET;
if ((o.accessKeyId === undefined) !== (secret === undefined)) {
  program.error(
    'error: give both --access-key-id and --access-key-secret (or SWAS_EMULATOR_ACCESS_KEY_SECRET), or neither.',
    { exitCode: 2 },
  );
}
const options = optionsFromFlags(o, secret);

try {
  const emulator = await startEmulator(options);
  const key = emulator.credentials[0];
  process.stdout.write(
    `${JSON.stringify({
      endpoint: emulator.endpoint,
      accessKeyId: key?.accessKeyId,
      accessKeySecret: key?.accessKeySecret,
      ...(key?.securityToken ? { securityToken: key.securityToken } : {}),
      ...(o.admin ? { admin: `${emulator.endpoint}${adminPath(o.adminPrefix)}` } : {}),
    })}\n`,
  );
  const stop = () => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  process.stderr.write(`swas-emulator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
