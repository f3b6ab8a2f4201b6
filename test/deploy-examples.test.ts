import { execFile, execFileSync } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { EXIT } from '@swas-archive/cli';
import { configJsonSchema, loadConfig } from '@swas-archive/pipelines';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  checkArgs,
  cronFieldsValid,
  parseDockerfile,
  parseUnit,
  swasArchiveCalls,
} from './helpers/deploy-files.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEPLOY = join(ROOT, 'pipelines/deploy');
const read = (name: string) => readFile(join(DEPLOY, name), 'utf8');
const UNITS = [
  'swas-archive.service',
  'swas-archive.timer',
  'swas-archive-reports.service',
  'swas-archive-reports.timer',
];
/** The credential variables the program reads (README, "Credentials"), and the metadata switch. */
const CREDENTIAL_ENV = [
  'ALIBABA_CLOUD_ACCESS_KEY_ID',
  'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
  'ALIBABA_CLOUD_SECURITY_TOKEN',
  'ALIBABA_CLOUD_ECS_METADATA_DISABLED',
];

/** What the Kubernetes example's checks read of its objects. */
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
}
interface CronJobSpec {
  schedule: string;
  concurrencyPolicy: string;
  jobTemplate: {
    spec: {
      podFailurePolicy: { rules: { onExitCodes: { values: number[] } }[] };
      template: {
        spec: {
          securityContext: { runAsUser: number };
          containers: {
            args: string[];
            resources: { limits: { memory: string } };
            env: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string } } }[];
            volumeMounts: { name: string; mountPath: string }[];
          }[];
          volumes: {
            name: string;
            configMap?: { name: string };
            persistentVolumeClaim?: { claimName: string };
          }[];
        };
      };
    };
  };
}

/** Loads config text as the program does (from a file), resolving with the checked config or the error. */
async function configCheck(text: string) {
  const dir = await mkdtemp(join(tmpdir(), 'swas-deploy-'));
  try {
    await writeFile(join(dir, 'swas-archive.config.json'), text);
    return await loadConfig(join(dir, 'swas-archive.config.json'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The `--config` path an example's command line names. */
const configFlag = (args: readonly string[]) => args[args.indexOf('--config') + 1];

describe('the config file', () => {
  it('the committed JSON Schema is the one the code makes (`pnpm config-schema` writes it)', async () => {
    const committed = JSON.parse(
      await readFile(join(ROOT, 'pipelines/swas-archive.config.schema.json'), 'utf8'),
    );
    expect(committed).toEqual(configJsonSchema());
  });

  it('the example config file passes the checks the program makes', async () => {
    const { config } = await configCheck(await read('swas-archive.config.json'));
    expect(config.failureTrends?.out).toBe('/var/lib/swas-archive/reports');
    expect(config.complianceExport?.signKeyFile).toBe('/etc/swas-archive/hmac.key');
  });
});

describe('the deployment examples parse and name only commands and flags that exist', () => {
  it('crontab: five valid time fields and real swas-archive command lines', async () => {
    const lines = (await read('swas-archive.crontab'))
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#') && !/^[A-Z_]+=/.test(l));
    expect(lines).toHaveLength(4);
    const calls: string[][] = [];
    for (const line of lines) {
      const fields = line.split(/\s+/);
      expect([line, cronFieldsValid(fields.slice(0, 5))]).toEqual([line, true]);
      calls.push(...swasArchiveCalls(fields.slice(5).join(' ')));
    }
    expect(calls.map((c) => c.slice(0, 2).join(' '))).toEqual([
      'run archive',
      'run failure-trends',
      'run compliance-export',
      'health --config',
    ]);
    for (const call of calls) {
      expect(checkArgs(call)).toEqual([]);
      expect(configFlag(call)).toBe('/etc/swas-archive/swas-archive.config.json');
    }
  });

  it('systemd: a service and a timer for the archive job and for the report jobs, with real command lines', async () => {
    for (const name of UNITS) {
      const unit = parseUnit(await read(name));
      const kind = name.endsWith('.timer') ? 'Timer' : 'Service';
      expect([name, [...unit.keys()].sort()]).toEqual([
        name,
        kind === 'Timer' ? ['Install', 'Timer', 'Unit'] : ['Service', 'Unit'],
      ]);
      if (kind === 'Timer') {
        expect(unit.get('Timer')?.get('OnCalendar')).toHaveLength(1);
        expect(unit.get('Install')?.get('WantedBy')).toEqual(['timers.target']);
        continue;
      }
      const service = unit.get('Service') as Map<string, string[]>;
      expect(service.get('Type')).toEqual(['oneshot']);
      for (const exec of service.get('ExecStart') ?? []) {
        const [call] = swasArchiveCalls(exec);
        expect([exec, checkArgs(call ?? [])]).toEqual([exec, []]);
        expect(configFlag(call ?? [])).toBe('/etc/swas-archive/swas-archive.config.json');
      }
      for (const status of (service.get('SuccessExitStatus') ?? []).flatMap((s) => s.split(' ')))
        expect([EXIT.interrupted, EXIT.terminated]).toContain(Number(status));
    }
  });

  const analyze = (() => {
    try {
      execFileSync('systemd-analyze', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  it.skipIf(!analyze)(
    'systemd: `systemd-analyze verify` finds nothing to say (skipped where systemd-analyze is not installed)',
    async () => {
      // A root of its own: the system's units, ours, and an executable where ExecStart looks for the bin.
      const root = await mkdtemp(join(tmpdir(), 'swas-systemd-'));
      try {
        await mkdir(join(root, 'etc/systemd/system'), { recursive: true });
        await mkdir(join(root, 'usr/local/bin'), { recursive: true });
        for (const from of ['/usr/lib/systemd/system', '/lib/systemd/system']) {
          if (await stat(from).catch(() => undefined)) {
            await cp(from, join(root, 'usr/lib/systemd/system'), { recursive: true, dereference: false });
            break;
          }
        }
        for (const name of UNITS) await cp(join(DEPLOY, name), join(root, 'etc/systemd/system', name));
        await writeFile(join(root, 'usr/local/bin/swas-archive'), '#!/bin/sh\n');
        await chmod(join(root, 'usr/local/bin/swas-archive'), 0o755);
        const { stdout, stderr } = await promisify(execFile)('systemd-analyze', [
          'verify',
          `--root=${root}`,
          ...UNITS,
        ]);
        expect(stdout + stderr).toBe('');
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    },
  );

  it('Kubernetes: a CronJob (Forbid, 512Mi) on a PersistentVolumeClaim, credentials from a Secret, a real command line', async () => {
    const docs = parseAllDocuments(await read('kubernetes.yaml'));
    expect((Array.isArray(docs) ? docs : [docs]).flatMap((d) => d.errors)).toEqual([]);
    const [pvc, configMap, cron] = (Array.isArray(docs) ? docs : [docs]).map((d) => d.toJS()) as [
      Manifest,
      Manifest & { data: Record<string, string> },
      Manifest & { spec: CronJobSpec },
    ];
    expect([pvc.kind, configMap.kind, cron.kind]).toEqual(['PersistentVolumeClaim', 'ConfigMap', 'CronJob']);
    expect(cron.apiVersion).toBe('batch/v1');
    expect(cron.spec.concurrencyPolicy).toBe('Forbid');
    expect(cronFieldsValid(cron.spec.schedule.split(' '))).toBe(true);
    const job = cron.spec.jobTemplate.spec;
    expect(job.podFailurePolicy.rules[0]?.onExitCodes.values).toEqual([EXIT.usage, EXIT.auth]);
    const pod = job.template.spec;
    const container = pod
      .containers[0] as CronJobSpec['jobTemplate']['spec']['template']['spec']['containers'][number];
    expect(container.resources.limits.memory).toBe('512Mi');
    expect(checkArgs(container.args)).toEqual([]);
    // Credentials: documented variables only, the keys from the Secret, never a value written here.
    for (const env of container.env) expect(CREDENTIAL_ENV).toContain(env.name);
    const fromSecret = container.env.filter((e) => e.valueFrom?.secretKeyRef);
    expect(fromSecret.map((e) => e.name)).toEqual(CREDENTIAL_ENV.slice(0, 3));
    expect(new Set(fromSecret.map((e) => e.valueFrom?.secretKeyRef?.name)).size).toBe(1);
    // The archive volume is the claim; the config file is the ConfigMap's key, and it passes the checks.
    const volumeAt = (path: string) => {
      const mount = container.volumeMounts.find((m) => path.startsWith(`${m.mountPath}/`));
      return pod.volumes.find((v) => v.name === mount?.name);
    };
    const config = configFlag(container.args) as string;
    expect(volumeAt(config)?.configMap?.name).toBe(configMap.metadata.name);
    const { config: checked } = await configCheck(configMap.data[basename(config)] ?? '');
    for (const path of [checked.archive, checked.metricsFile] as string[])
      expect(volumeAt(path)?.persistentVolumeClaim?.claimName).toBe(pvc.metadata.name);
    expect(pod.securityContext.runAsUser).toBe(1000);
  });

  it('Kubernetes Indexed Job: n shards, each --shard <its index>/n on a shared claim, a real command line', async () => {
    const doc = parseAllDocuments(await read('kubernetes-indexed-job.yaml'));
    const [job] = (Array.isArray(doc) ? doc : [doc]).map((d) => d.toJS()) as [
      Manifest & {
        spec: {
          completionMode: string;
          completions: number;
          parallelism: number;
          template: CronJobSpec['jobTemplate']['spec']['template'];
        };
      },
    ];
    expect([job.apiVersion, job.kind, job.spec.completionMode]).toEqual(['batch/v1', 'Job', 'Indexed']);
    const pod = job.spec.template.spec;
    const container = pod.containers[0] as Omit<(typeof pod.containers)[number], 'env'> & {
      env: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
    };
    const env = new Map(container.env.map((e) => [e.name, e]));
    const shards = Number(env.get('SHARDS')?.value);
    expect([job.spec.completions, job.spec.parallelism]).toEqual([shards, shards]);
    expect(env.get('SHARD_INDEX')?.valueFrom?.fieldRef?.fieldPath).toBe(
      "metadata.annotations['batch.kubernetes.io/job-completion-index']",
    );
    // As Kubernetes expands $(NAME) for each pod: every index gives a command line the program accepts.
    for (let i = 0; i < shards; i++) {
      const args = container.args.map((a) =>
        a.replace('$(SHARD_INDEX)', String(i)).replace('$(SHARDS)', String(shards)),
      );
      expect(args[args.indexOf('--shard') + 1]).toBe(`${i}/${shards}`);
      expect(checkArgs(args)).toEqual([]);
    }
    for (const e of container.env) expect([...CREDENTIAL_ENV, 'SHARDS', 'SHARD_INDEX']).toContain(e.name);
    const data = container.args[container.args.indexOf('--data') + 1] as string;
    const mount = container.volumeMounts.find((m) => data.startsWith(`${m.mountPath}/`));
    expect(pod.volumes.find((v) => v.name === mount?.name)?.persistentVolumeClaim?.claimName).toBeTruthy();
  });

  it('Dockerfile: multi-stage on node:20-slim, the pinned pnpm, pnpm deploy of the CLI, its bin as entry point', async () => {
    const steps = parseDockerfile(await read('Dockerfile'));
    const from = steps.filter(([i]) => i === 'FROM').map(([, a]) => a);
    expect(from).toEqual(['node:20-slim AS build', 'node:20-slim']);
    const root = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { packageManager: string };
    const run = steps.filter(([i]) => i === 'RUN').map(([, a]) => a);
    expect(run).toContain(`npm install --global ${root.packageManager}`);
    expect(run.join('\n')).toContain('pnpm --filter @swas-archive/cli --prod deploy /out');
    expect(steps).toContainEqual(['COPY', '--from=build /out /app']);
    for (const [, args] of steps.filter(([i, a]) => i === 'COPY' && !a.startsWith('--from'))) {
      for (const source of args.split(' ').slice(0, -1)) await stat(join(ROOT, source));
    }
    const cli = JSON.parse(await readFile(join(ROOT, 'packages/cli/package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    const entry = JSON.parse(steps.find(([i]) => i === 'ENTRYPOINT')?.[1] ?? '[]') as string[];
    expect(entry).toEqual(['node', `/app/${cli.bin['swas-archive']?.replace(/^\.\//, '')}`]);
    expect(steps.find(([i]) => i === 'CMD')?.[1]).toBe('["--help"]');
    expect(steps.filter(([i]) => i === 'USER').map(([, a]) => a)).toEqual(['node']);
    expect(await read('Dockerfile.dockerignore')).toMatch(/^\*\*\/node_modules$/m);
  });
});
