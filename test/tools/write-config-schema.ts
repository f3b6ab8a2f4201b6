/**
 * Writes the config file's JSON Schema (pipelines/swas-archive.config.schema.json) from the zod schema it is
 * made of: `pnpm config-schema`. test/deploy-examples.test.ts fails when the committed file differs.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { configJsonSchema } from '@swas-archive/pipelines';

const path = fileURLToPath(new URL('../../pipelines/swas-archive.config.schema.json', import.meta.url));
await writeFile(path, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
process.stdout.write(`${path}\n`);
