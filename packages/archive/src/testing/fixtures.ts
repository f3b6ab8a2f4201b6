import type { InvocationObservation } from '../records.js';

/**
 * Deterministic observations for tests: `count` invocations over `days` days before `at`, spread over a
 * few instances, some with results, one with output that is not valid UTF-8.
 */
export function makeObservations(
  count: number,
  at: Date,
  options: { days?: number; account?: string; prefix?: string } = {},
): InvocationObservation[] {
  const days = options.days ?? 10;
  const span = days * 86_400_000;
  return Array.from({ length: count }, (_, i) => {
    const final = i % 11 !== 0;
    const obs: InvocationObservation = {
      account: options.account ?? 'acct-1',
      regionId: i % 3 === 0 ? 'cn-beijing' : 'cn-hangzhou',
      instanceId: `ins-${i % 7}`,
      invokeId: `${options.prefix ?? 't-'}${i.toString(36).padStart(6, '0')}`,
      creationTime: new Date(at.getTime() - Math.floor((i * span) / Math.max(1, count)) - 1000),
      invocationStatus: final ? (i % 5 === 0 ? 'Failed' : 'Success') : 'Running',
      invokeStatus: final ? (i % 5 === 0 ? 'Failed' : 'Finished') : 'Running',
      commandType: i % 13 === 0 ? 'RunBatScript' : 'RunShellScript',
      commandName: ['deploy-app', '清理日志', 'disk-usage', ''][i % 4] as string,
      commandContent: i % 4 === 1 ? '# 清理\nfind /var/log -delete' : `echo ${i % 4}`,
      parameters: i % 2 ? { version: `v1.${i % 5}` } : {},
      observedAt: at,
    };
    if (final && i % 3 === 0) {
      obs.result = {
        exitCode: i % 5 === 0 ? 1 : 0,
        output: i % 13 === 0 ? '\ufffd\ufffd' : `line ${i}\n完成`,
        ...(i % 13 === 0 ? { outputBase64: Buffer.from([0xb2, 0xe2]).toString('base64') } : {}),
        errorCode: i % 5 === 0 ? 'ExitCodeNonzero' : '',
        errorInfo: '',
        startTime: new Date(obs.creationTime.getTime() + 1000),
        finishedTime: new Date(obs.creationTime.getTime() + 5000),
        invokeUser: 'root',
      };
    }
    return obs;
  });
}
