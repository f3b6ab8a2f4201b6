import { describe, expect, it } from 'vitest';
import { decodeInvocationResult, ShapeError } from './decode.js';

const result = (fields: Record<string, unknown>) => ({
  RequestId: 'R',
  InvocationResult: {
    InvokeId: 't-1',
    InstanceId: 'i-1',
    InvocationStatus: 'Failed',
    InvokeRecordStatus: 'Failed',
    ...fields,
  },
});

describe('decodeInvocationResult', () => {
  it('takes null as absent and an exit code sent as decimal text', () => {
    const r = decodeInvocationResult(
      result({
        ExitCode: '7',
        Output: null,
        ErrorCode: null,
        ErrorInfo: null,
        StartTime: null,
        FinishedTime: '2026-05-01T00:00:05Z',
        InvokeUser: null,
      }),
    );
    expect(r).toEqual({
      invokeId: 't-1',
      instanceId: 'i-1',
      invocationStatus: 'Failed',
      invokeRecordStatus: 'Failed',
      exitCode: 7,
      output: '',
      errorCode: '',
      errorInfo: '',
      startTime: undefined,
      finishedTime: new Date('2026-05-01T00:00:05Z'),
      invokeUser: '',
    });
  });

  it('keeps output that is not base64 exactly as sent: refusing it would refuse the record', () => {
    const decoded = decodeInvocationResult(result({ Output: 'not base64!\n\u0000' }));
    expect(decoded.output).toBe('not base64!\n\u0000');
    expect(decoded.outputBase64).toBeUndefined();
  });

  it('refuses what is not one: an exit code that is not a number, a bad time', () => {
    expect(() => decodeInvocationResult(result({ ExitCode: 'seven' }))).toThrow(ShapeError);
    expect(() => decodeInvocationResult(result({ StartTime: 'yesterday' }))).toThrow(/StartTime/);
    expect(() => decodeInvocationResult({ RequestId: 'R' })).toThrow(/InvocationResult/);
  });
});
