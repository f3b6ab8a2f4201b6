import Table from 'cli-table3';
import { describe, expect, it } from 'vitest';
import { displayWidth, textTable } from './text-table.js';

/** What cli-table3 draws for the same cells, as the CLI drew its tables before. */
function cliTable3(head: string[], rows: string[][]): string {
  const table = new Table({ head, style: { head: [], border: [] } });
  for (const row of rows) table.push(row);
  return table.toString();
}

describe('textTable', () => {
  it('draws what cli-table3 draws, wide characters and emoji included', () => {
    const cases: [string[], string[][]][] = [
      [['a', 'bb'], []],
      [
        ['period', 'group', 'total', 'rate'],
        [
          ['2026-01-01', 'cn-hangzhou', '6845', '0.049963476990504'],
          ['2026-01-02', '清理日志', '', '1'],
          ['2026-01-03', '服务巡检 (win)', '12', ''],
        ],
      ],
      [
        ['x'],
        [['é'], ['e\u0301'], ['🙂 ok'], ['ｆｕｌｌ'], ['한국어'], ['✔ done'], ['⚠️ warn'], ['👍🏽'], ['']],
      ],
    ];
    for (const [head, rows] of cases) expect(textTable(head, rows)).toBe(cliTable3(head, rows));
  });

  it('counts the columns a terminal gives each character', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('清理日志')).toBe(8);
    expect(displayWidth('e\u0301')).toBe(1);
    expect(displayWidth('👍🏽')).toBe(2);
  });

  it('lays out a thousand rows in linear time', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => [`2026-01-${i}`, 'cn-hangzhou', String(i)]);
    const text = textTable(['period', 'group', 'total'], rows);
    // Header, a rule and a row for each, top and bottom.
    expect(text.split('\n').length).toBe(2 * 1001 + 1);
    expect(text).toBe(cliTable3(['period', 'group', 'total'], rows));
  });
});
