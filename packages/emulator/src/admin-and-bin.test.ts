import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type GroundTruthInvocation, startEmulator } from './index.js';
import { rawRequest } from './testing/raw-request.js';

describe('admin', () => {
  it('runs a command that stays unfinished until virtual time passes, then ends as its script says', async () => {
    const emu = await startEmulator({ seed: 1, clock: { start: '2026-05-01T00:00:00Z', speed: 0 } });
    try {
      const [a, b] = emu.admin.instances();
      const ok = emu.admin.runCommand(a?.instanceId ?? '', {
        name: 'up',
        type: 'RunShellScript',
        content: 'true',
        timeoutSeconds: 60,
      });
      const bad = emu.admin.runCommand(b?.instanceId ?? '', {
        name: 'up',
        type: 'RunShellScript',
        content: 'exit 3',
        timeoutSeconds: 60,
      });
      const state = (id: string) => emu.admin.groundTruth().find((t) => t.invokeId === id)?.invocationStatus;
      expect([state(ok), state(bad)]).toEqual(['Pending', 'Pending']);
      emu.admin.advance(60_000);
      expect([state(ok), state(bad)]).toEqual(['Success', 'Failed']);
      expect(() =>
        emu.admin.runCommand('i-nope', {
          name: 'x',
          type: 'RunShellScript',
          content: '',
          timeoutSeconds: 60,
        }),
      ).toThrow(/no live instance i-nope/);
    } finally {
      await emu.close();
    }
  });
});

describe('admin routes over HTTP', () => {
  it('are absent unless enabled', async () => {
    const emu = await startEmulator({ seed: 1 });
    try {
      const res = await fetch(`${emu.endpoint}/__emulator/ground-truth`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { Code: string }).Code).toBe('IncompleteSignature');
    } finally {
      await emu.close();
    }
  });

  it('serve ground truth, the request log, the clock and faults when enabled', async () => {
    const emu = await startEmulator({
      seed: 1,
      adminHttp: true,
      clock: { start: '2026-05-01T00:00:00Z', speed: 0 },
    });
    try {
      const base = `${emu.endpoint}/__emulator`;
      const truth = (await (await fetch(`${base}/ground-truth`)).json()) as GroundTruthInvocation[];
      expect(truth).toEqual(emu.admin.groundTruth());
      const advanced = (await (await fetch(`${base}/clock/advance?ms=60000`, { method: 'POST' })).json()) as {
        now: string;
      };
      expect(advanced.now).toBe('2026-05-01T00:01:00Z');
      await fetch(`${base}/faults`, {
        method: 'POST',
        body: JSON.stringify({ schedule: [{ call: 1, fault: 'internal-error' }] }),
      });
      const key = emu.credentials[0] as { accessKeyId: string; accessKeySecret: string };
      expect((await rawRequest(emu.endpoint, key, { Action: 'ListRegions' })).status).toBe(500);
      const log = (await (await fetch(`${base}/requests`)).json()) as { action: string; fault: string }[];
      expect(log).toMatchObject([{ action: 'ListRegions', fault: 'internal-error' }]);
      const bad = await fetch(`${base}/clock/advance?ms=-5`, { method: 'POST' });
      expect(bad.status).toBe(400);
    } finally {
      await emu.close();
    }
  });
});

describe('swas-emulator bin', () => {
  it('prints its endpoint and key as one JSON line, serves, and stops on SIGTERM', async () => {
    const bin = fileURLToPath(new URL('./bin.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', bin, '--port', '0', '--seed', '42', '--budget', 'ListInstances=3'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
    const info = JSON.parse(chunk.toString('utf8').trim()) as {
      endpoint: string;
      accessKeyId: string;
      accessKeySecret: string;
    };
    expect(info.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await rawRequest(info.endpoint, info, { Action: 'ListRegions' });
    expect(res.status).toBe(200);
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
  });

  it('exits with 2 and a clear message on a bad flag', async () => {
    const bin = fileURLToPath(new URL('./bin.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', bin, '--budget', 'DescribeInvocations'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(2);
    expect(stderr).toMatch(/expected Action=N/);
  });
});
