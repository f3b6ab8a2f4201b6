/**
 * Removes secrets from text before it reaches a message, a stack or a log: the access key secrets and
 * STS tokens seen so far (raw and percent-encoded), and any `Signature=` value.
 */
export class Redactor {
  readonly #secrets = new Set<string>();

  /** Remembers a value that must never be shown. Values shorter than 4 characters are ignored. */
  add(secret: string | undefined): void {
    if (!secret || secret.length < 4) return;
    this.#secrets.add(secret);
    this.#secrets.add(encodeURIComponent(secret));
    this.#secrets.add(encodeURIComponent(encodeURIComponent(secret)));
  }

  scrub(text: string): string {
    let out = text;
    for (const secret of this.#secrets) if (out.includes(secret)) out = out.split(secret).join('***');
    return out
      .replace(/(Signature(?:%3D|=))[^&\s,"]+/gi, '$1***')
      .replace(/(SecurityToken(?:%3D|=))[^&\s,"]+/gi, '$1***');
  }
}

/** An access key id with its middle hidden (`LTAI5t…x7Q`): enough to tell keys apart in a message. */
export function maskAccessKeyId(id: string): string {
  return id.length <= 9 ? `${id.slice(0, 2)}…` : `${id.slice(0, 6)}…${id.slice(-3)}`;
}
