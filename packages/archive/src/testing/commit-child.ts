// A writer run in a child process by the crash tests: commits one snapshot of fixture observations and a
// cursor, and is killed by SWAS_ARCHIVE_CRASH_AT at the named step.
import { openArchive } from '../archive.js';
import { makeObservations } from './fixtures.js';

const [root, count, at] = process.argv.slice(2) as [string, string, string];
const archive = await openArchive({ root, lockStaleMs: 2000 });
const snapshot = archive.beginSnapshot('run-child');
await snapshot.addObservations(makeObservations(Number(count), new Date(at), { prefix: 'c-' }));
// The base snapshot's running invocations, seen again finished with a result: the latest state changes.
const base = makeObservations(200, new Date('2026-11-20T10:00:00Z'), { prefix: 'b-' });
const finished = makeObservations(200, new Date(at), { prefix: 'f-' });
await snapshot.addObservations(
  base
    .filter((o) => o.invocationStatus === 'Running')
    .map((o, i) => ({
      ...o,
      invocationStatus: 'Success',
      invokeStatus: 'Finished',
      observedAt: new Date(at),
      result: finished.find((f) => f.result)?.result ?? o.result,
      ...(i === 0 ? { commandName: 'renamed' } : {}),
    })),
);
snapshot.setCursors({ 'acct-1/cn-hangzhou/ins-1': { through: at } });
await snapshot.commit();
await archive.close();
