import { describe, expect, it } from 'vitest';
import { VirtualClock } from './virtual-clock.js';

const START = Date.parse('2026-03-01T00:00:00Z');

/** A clock over a real time that moves only when the test says so. */
function clockAt(speed: number) {
  let real = 5_000;
  const clock = new VirtualClock({ start: START, speed }, () => real);
  return { clock, wait: (ms: number) => (real += ms) };
}

describe('VirtualClock', () => {
  it('runs `speed` virtual milliseconds per real one from its start', () => {
    const { clock, wait } = clockAt(1000);
    expect(clock.now()).toBe(START);
    wait(50);
    expect(clock.now()).toBe(START + 50_000);
  });

  it('can be frozen and started again without a jump', () => {
    const { clock, wait } = clockAt(1000);
    wait(10);
    clock.setSpeed(0);
    const frozen = clock.now();
    expect(frozen).toBe(START + 10_000);
    wait(50);
    expect(clock.now()).toBe(frozen);
    clock.setSpeed(1000);
    expect(clock.now()).toBe(frozen);
    wait(50);
    expect(clock.now()).toBe(frozen + 50_000);
  });

  it('moves at once by advance, at any speed, and keeps its origin', () => {
    const { clock, wait } = clockAt(0);
    clock.advance(60_000);
    wait(1_000);
    expect(clock.now()).toBe(START + 60_000);
    expect(clock.origin).toBe(START);
  });
});
