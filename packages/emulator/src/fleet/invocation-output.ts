import { Random } from '../random.js';
import type { InvocationRecord } from './records.js';

const LINES = [
  'Loaded plugins: fastestmirror',
  'Starting service ... done',
  'Checking disk usage on /dev/vda1',
  'Filesystem      Size  Used Avail Use% Mounted on',
  '/dev/vda1        40G   12G   26G  32% /',
  '正在检查更新……',
  '完成：已处理 128 个文件',
  'WARN connection pool exhausted, retrying',
  'ERROR: permission denied while opening /etc/app/config.yaml',
  '✔ all checks passed',
];

// "测试完成" in GBK: Windows consoles write their code page, which is not valid UTF-8.
const GBK_TEXT = Buffer.from([0xb2, 0xe2, 0xca, 0xd4, 0xcd, 0xea, 0xb3, 0xc9, 0x0d, 0x0a]);

/** The output bytes of an invocation: deterministic from its seed, sized as drawn. */
export function invocationOutput(inv: InvocationRecord): Buffer {
  if (inv.output) return inv.output;
  if (inv.outputBytes === 0) return Buffer.alloc(0);
  const random = new Random(inv.outputSeed);
  const parts: Buffer[] = [];
  let size = 0;
  const gbk = inv.command.type === 'RunBatScript' && random.chance(0.5);
  while (size < inv.outputBytes) {
    const line = gbk && random.chance(0.3) ? GBK_TEXT : Buffer.from(`${random.pick(LINES)}\n`, 'utf8');
    parts.push(line);
    size += line.length;
  }
  return Buffer.concat(parts);
}
