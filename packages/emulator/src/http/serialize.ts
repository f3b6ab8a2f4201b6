import { XMLBuilder } from 'fast-xml-parser';

const xml = new XMLBuilder({ ignoreAttributes: true, suppressEmptyNode: false, format: false });

/** The two formats the API answers in (`Format` parameter). */
export type ResponseFormat = 'JSON' | 'XML';

/**
 * A value with its JSON text already built, so that hot responses skip `JSON.stringify` of their
 * largest part. `value()` gives the plain value for other formats.
 */
export class JsonFragment {
  constructor(
    /** The value's JSON text. */
    readonly json: string,
    /** The value itself, built only when another format needs it. */
    readonly value: () => unknown,
  ) {}
}

/** The body of a response: JSON, or XML with `root` as its root element (arrays repeat their element). */
export function serialize(body: Record<string, unknown>, format: ResponseFormat, root: string): string {
  if (format === 'JSON') {
    const parts: string[] = [];
    for (const [key, value] of Object.entries(body)) {
      parts.push(
        `${JSON.stringify(key)}:${value instanceof JsonFragment ? value.json : JSON.stringify(value)}`,
      );
    }
    return `{${parts.join(',')}}`;
  }
  const plain = Object.fromEntries(
    Object.entries(body).map(([k, v]) => [k, v instanceof JsonFragment ? v.value() : v]),
  );
  return `<?xml version='1.0' encoding='UTF-8'?>${xml.build({ [root]: plain })}`;
}

/** The `content-type` header of an answer in `format`. */
export function contentType(format: ResponseFormat): string {
  return format === 'JSON' ? 'application/json;charset=utf-8' : 'text/xml;charset=utf-8';
}
