import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningEmulator, startEmulator } from '@swas-archive/emulator';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuthenticationError, ClockSkewError, ConfigurationError, createSwasClient } from './index.js';

const SECRET = 'planted-profile-secret-Hk29sLq0';
const ENV_NAMES = [
  'ALIBABA_CLOUD_ACCESS_KEY_ID',
  'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
  'ALIBABA_CLOUD_SECURITY_TOKEN',
  'ALIBABA_CLOUD_PROFILE',
  'ALIBABA_CLOUD_CREDENTIALS_FILE',
  'ALIBABA_CLOUD_ROLE_ARN',
  'ALIBABA_CLOUD_OIDC_PROVIDER_ARN',
  'ALIBABA_CLOUD_OIDC_TOKEN_FILE',
  'HOME',
];

let emu: RunningEmulator;
let home: string;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  emu = await startEmulator({
    seed: 3,
    credentials: [
      { accessKeyId: 'LTAI5tFromEnv', accessKeySecret: SECRET },
      { accessKeyId: 'LTAI5tFromProfile', accessKeySecret: SECRET },
      { accessKeyId: 'STS.FromProfile', accessKeySecret: SECRET, securityToken: 'CAIS-profile-token-123' },
    ],
  });
});
afterAll(() => emu.close());

beforeEach(async () => {
  for (const name of ENV_NAMES) {
    saved[name] = process.env[name];
    delete process.env[name];
  }
  home = await mkdtemp(join(tmpdir(), 'swas-home-'));
  process.env.HOME = home;
});
afterEach(async () => {
  for (const name of ENV_NAMES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  await rm(home, { recursive: true, force: true });
});

async function writeCliConfig(profiles: object[], current: string): Promise<void> {
  await mkdir(join(home, '.aliyun'), { recursive: true });
  await writeFile(join(home, '.aliyun', 'config.json'), JSON.stringify({ current, profiles }));
}

describe('credentials', () => {
  it('come from environment variables first', async () => {
    process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = 'LTAI5tFromEnv';
    process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = SECRET;
    await writeCliConfig(
      [{ name: 'default', mode: 'AK', access_key_id: 'LTAI5tFromProfile', access_key_secret: 'other' }],
      'default',
    );
    const events: string[] = [];
    const c = createSwasClient({ endpoint: emu.endpoint, onCall: (e) => events.push(e.outcome) });
    expect(await c.listRegions()).toHaveLength(3);
    expect(emu.admin.requestLog().at(-1)?.accessKeyId).toBe('LTAI5tFromEnv');
    expect(events).toEqual(['ok']);
  });

  it("come from the aliyun CLI's current profile, or the one named", async () => {
    await writeCliConfig(
      [
        {
          name: 'default',
          mode: 'AK',
          access_key_id: 'LTAI5tFromProfile',
          access_key_secret: SECRET,
          region_id: 'cn-hangzhou',
        },
        {
          name: 'temp',
          mode: 'StsToken',
          access_key_id: 'STS.FromProfile',
          access_key_secret: SECRET,
          sts_token: 'CAIS-profile-token-123',
          region_id: 'cn-hangzhou',
        },
      ],
      'default',
    );
    expect(await createSwasClient({ endpoint: emu.endpoint }).listRegions()).toHaveLength(3);
    expect(emu.admin.requestLog().at(-1)?.accessKeyId).toBe('LTAI5tFromProfile');
    expect(await createSwasClient({ endpoint: emu.endpoint, profile: 'temp' }).listRegions()).toHaveLength(3);
    expect(emu.admin.requestLog().at(-1)?.accessKeyId).toBe('STS.FromProfile');
    process.env.ALIBABA_CLOUD_PROFILE = 'temp';
    await createSwasClient({ endpoint: emu.endpoint }).listRegions();
    expect(emu.admin.requestLog().at(-1)?.accessKeyId).toBe('STS.FromProfile');
  });

  it('come from the credentials INI file', async () => {
    const file = join(home, 'creds.ini');
    await writeFile(
      file,
      `[default]\ntype = access_key\naccess_key_id = LTAI5tFromProfile\naccess_key_secret = ${SECRET}\n`,
    );
    process.env.ALIBABA_CLOUD_CREDENTIALS_FILE = file;
    expect(await createSwasClient({ endpoint: emu.endpoint }).listRegions()).toHaveLength(3);
    expect(emu.admin.requestLog().at(-1)?.accessKeyId).toBe('LTAI5tFromProfile');
  });

  it('are fetched before every request, so a refreshed token is used', async () => {
    let calls = 0;
    const c = createSwasClient({
      endpoint: emu.endpoint,
      credentialsProvider: {
        getCredentials: async () => {
          calls++;
          return calls === 1
            ? { accessKeyId: 'LTAI5tFromEnv', accessKeySecret: SECRET }
            : {
                accessKeyId: 'STS.FromProfile',
                accessKeySecret: SECRET,
                securityToken: 'CAIS-profile-token-123',
              };
        },
      },
    });
    await c.listRegions();
    await c.listRegions();
    expect(
      emu.admin
        .requestLog()
        .slice(-2)
        .map((e) => e.accessKeyId),
    ).toEqual(['LTAI5tFromEnv', 'STS.FromProfile']);
  });

  it('never show a planted secret, and name the profile to check', async () => {
    await writeCliConfig(
      [{ name: 'ops', mode: 'AK', access_key_id: 'LTAI5tFromProfile', access_key_secret: `${SECRET}-wrong` }],
      'ops',
    );
    const error = await createSwasClient({ endpoint: emu.endpoint, profile: 'ops' })
      .listRegions()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    const e = error as AuthenticationError;
    expect(e.message).toMatch(/check profile ops in ~\/\.aliyun\/config\.json/);
    for (const text of [e.message, e.stack ?? '', JSON.stringify(e), e.serverMessage ?? ''])
      expect(text).not.toContain(SECRET);
  });

  it('missing everywhere: a ConfigurationError that says where to put them', async () => {
    const error = await createSwasClient({ endpoint: emu.endpoint })
      .listRegions()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    const message = (error as Error).message;
    // One line: where the chain looked and how to give credentials; none of the SDK's own noise.
    expect(message).not.toContain('\n');
    for (const place of [
      'ALIBABA_CLOUD_ACCESS_KEY_ID',
      '~/.aliyun/config.json',
      '~/.alibabacloud/credentials',
      'RAM role',
    ])
      expect(message).toContain(place);
    expect(message).toMatch(/--profile NAME/);
    expect(message).not.toMatch(/undefined|ENOENT|getaddrinfo/);
  });

  it('a profile that does not exist: a ConfigurationError naming it', async () => {
    const error = await createSwasClient({ endpoint: emu.endpoint, profile: 'nope' })
      .listRegions()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(/profile nope was not found/);
  });
});

describe('clock skew', () => {
  it('a local clock an hour off: ClockSkewError saying to synchronise it', async () => {
    // The emulator runs in its own process so that only this process's clock is wrong.
    const require = createRequire(import.meta.url);
    const bin = require
      .resolve('@swas-archive/emulator/package.json')
      .replace(/package\.json$/, 'src/bin.ts');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', bin, '--access-key-id', 'k', '--access-key-secret', SECRET],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
      const { endpoint } = JSON.parse(chunk.toString()) as { endpoint: string };
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 3_600_000 });
      const error = await createSwasClient({
        endpoint,
        credentials: { accessKeyId: 'k', accessKeySecret: SECRET },
      })
        .listRegions()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ClockSkewError);
      expect((error as Error).message).toMatch(
        /local clock is more than 15 minutes from the service's: synchronise it/,
      );
    } finally {
      vi.useRealTimers();
      child.kill('SIGTERM');
    }
  });
});
