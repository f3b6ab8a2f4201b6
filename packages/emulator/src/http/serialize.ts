import { XMLBuilder } from 'fast-xml-parser';

const xml = new XMLBuilder({ ignoreAttributes: true, suppressEmptyNode: false, format: false });

export type ResponseFormat = 'JSON' | 'XML';

/** The body of a response: JSON, or XML with `root` as its root element (arrays repeat their element). */
export function serialize(body: Record<string, unknown>, format: ResponseFormat, root: string): string {
  if (format === 'JSON') return JSON.stringify(body);
  return `<?xml version='1.0' encoding='UTF-8'?>${xml.build({ [root]: body })}`;
}

export function contentType(format: ResponseFormat): string {
  return format === 'JSON' ? 'application/json;charset=utf-8' : 'text/xml;charset=utf-8';
}
