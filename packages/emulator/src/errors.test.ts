import { describe, expect, it } from 'vitest';
import {
  ApiError,
  EmulatorError,
  EmulatorOptionsError,
  EmulatorUsageError,
  invalidParameter,
  ThrottlingError,
} from './errors.js';
import { type EmulatorOptions, startEmulator } from './index.js';

/** The error `startEmulator(options)` rejects with (it must reject). */
async function refusal(options: EmulatorOptions): Promise<unknown> {
  return startEmulator(options).then(
    async (emu) => {
      await emu.close();
      throw new Error(`startEmulator accepted ${JSON.stringify(options)}`);
    },
    (error: unknown) => error,
  );
}

describe('EmulatorOptionsError', () => {
  const cases: [option: string, options: EmulatorOptions, message: RegExp][] = [
    ['seed', { seed: 1.5 }, /^Expected `seed` to be an integer, got 1.5$/],
    ['order', { order: 'random' as 'newest-first' }, /newest-first or oldest-first, got random/],
    ['clock.start', { clock: { start: 'not a date' } }, /clock start must be a valid date/],
    ['clock.speed', { clock: { speed: -1 } }, /clock speed must be a finite number >= 0, got -1/],
    ['fleet.regions', { fleet: { regions: ['Hangzhou'] } }, /"Hangzhou" is not a region id/],
    [
      'fleet.windowsShare',
      { fleet: { windowsShare: 2 } },
      /`fleet.windowsShare` to be between 0 and 1, got 2/,
    ],
    ['retention.maxRecords', { retention: { maxRecords: 0 } }, /to be an integer > 0, got 0/],
    ['live.invocationsPerMinute', { live: { invocationsPerMinute: -1 } }, /finite number >= 0, got -1/],
    ['budgets.windowMs', { budgets: { windowMs: 0 } }, /`budgets.windowMs` to be a finite number > 0/],
    [
      'budgets.perAction.ListRegions',
      { budgets: { perAction: { ListRegions: 1.5 } } },
      /budget for ListRegions/,
    ],
    ['faults.profile', { faults: { profile: 'storm' as 'none' } }, /one of none, flaky, chaos, got storm/],
    [
      'faults.instances.i-1',
      { faults: { instances: { 'i-1': { reset: 0.7, truncate: 0.6 } } } },
      /add up to 1.3/,
    ],
  ];
  for (const [option, options, message] of cases) {
    it(`names ${option} with code emulator.options`, async () => {
      const error = await refusal(options);
      expect(error).toBeInstanceOf(EmulatorOptionsError);
      expect(error).toBeInstanceOf(EmulatorError);
      expect(error).toMatchObject({ code: 'emulator.options', transient: false, option });
      expect((error as Error).message).toMatch(message);
    });
  }

  it('is what an admin call with bad settings throws too', async () => {
    const emu = await startEmulator({ seed: 1, clock: { speed: 0 } });
    try {
      expect(() => emu.admin.setClockSpeed(-1)).toThrow(
        expect.objectContaining({ code: 'emulator.options', option: 'clock.speed' }),
      );
      expect(() => emu.admin.setFaults({ schedule: [{ call: 0, fault: 'reset' }] })).toThrow(
        expect.objectContaining({ code: 'emulator.options', option: 'faults.schedule' }),
      );
    } finally {
      await emu.close();
    }
  });
});

describe('EmulatorUsageError', () => {
  it('refuses an admin call about an instance the fleet does not have, naming it', async () => {
    const emu = await startEmulator({ seed: 1, clock: { speed: 0 } });
    try {
      let error: unknown;
      try {
        emu.admin.release('i-not-in-this-fleet');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(EmulatorUsageError);
      expect(error).toMatchObject({
        code: 'emulator.usage',
        transient: false,
        operation: 'release',
        instanceId: 'i-not-in-this-fleet',
        message: 'no instance i-not-in-this-fleet in this fleet',
      });
      expect(() => emu.admin.advance(-5)).toThrow(
        expect.objectContaining({ code: 'emulator.usage', operation: 'advance' }),
      );
    } finally {
      await emu.close();
    }
  });
});

describe('ApiError', () => {
  it('keeps the cloud code apart from its own, and is transient only for 5xx', () => {
    const refused = invalidParameter('PageSize', '51', 'an integer from 1 to 50');
    expect(refused).toMatchObject({
      code: 'emulator.api-error',
      apiCode: 'InvalidParameter',
      httpStatus: 400,
      transient: false,
    });
    expect(new ApiError('ServiceUnavailable', 503, 'busy')).toMatchObject({ transient: true });
  });

  it('carries retryAfterMs as a field of a throttling answer', () => {
    const throttled = new ThrottlingError(1234);
    expect(throttled).toBeInstanceOf(ApiError);
    expect(throttled).toMatchObject({
      code: 'emulator.api-error',
      apiCode: 'Throttling.User',
      httpStatus: 400,
      transient: true,
      retryAfterMs: 1234,
      message: 'Request was denied due to user flow control.',
    });
  });
});
