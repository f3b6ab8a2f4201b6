import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultKind } from './fault-options.js';
import { contentType, type ResponseFormat } from './serialize.js';

/** An answer, serialized, before it is written out. */
export interface Answer {
  status: number;
  body: string;
  /** Headers beyond the content type and date. */
  headers: Record<string, string>;
}

/**
 * Writes `answer` out, spoiled as `fault` says: a reset connection, a body cut in half, one
 * trickling in over `trickleMs`, or none at all (`hang`).
 */
export async function sendAnswer(
  res: ServerResponse,
  answer: Answer,
  format: ResponseFormat,
  fault: FaultKind | undefined,
  trickleMs: number,
  now: number,
): Promise<void> {
  if (fault === 'reset') {
    res.socket?.destroy();
    return;
  }
  // Never answered: the client's timeout (or the emulator's close) ends the connection.
  if (fault === 'hang') return;
  const headers = {
    'content-type': contentType(format),
    date: new Date(now).toUTCString(),
    ...answer.headers,
  };
  const bytes = Buffer.from(answer.body, 'utf8');
  if (fault === 'truncate') {
    // A clean end after half the body: the client sees a complete HTTP answer that is not valid JSON/XML.
    res.writeHead(answer.status, headers);
    res.end(bytes.subarray(0, Math.floor(bytes.length / 2)));
    return;
  }
  if (fault === 'trickle') {
    res.writeHead(answer.status, headers);
    const steps = 20;
    const chunk = Math.ceil(bytes.length / steps);
    for (let i = 0; i < steps && !res.destroyed; i++) {
      res.write(bytes.subarray(i * chunk, (i + 1) * chunk));
      await sleep(trickleMs / steps);
    }
    res.end();
    return;
  }
  res.writeHead(answer.status, { ...headers, 'content-length': bytes.length });
  res.end(bytes);
}
