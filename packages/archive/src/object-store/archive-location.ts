import { ArchiveUsageError } from '../errors.js';

/** The object stores an archive can live in: any S3-compatible one, and Alibaba Cloud OSS. */
export type StoreScheme = 's3' | 'oss';

/** An archive under a prefix of a bucket: `s3://bucket/prefix` or `oss://bucket/prefix`. */
export interface StoreLocation {
  kind: 'store';
  scheme: StoreScheme;
  /** The URL as the archive is named in messages: scheme, bucket and prefix, no trailing slash. */
  url: string;
  bucket: string;
  prefix: string;
}

/** True when `text` names an object-store archive (`scheme://…`), not a folder. */
export const isStoreUrl = (text: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(text);

/**
 * Parses `s3://bucket/prefix` or `oss://bucket/prefix` (the prefix may be empty); any other scheme is
 * refused. A folder is not parsed here.
 */
export function parseStoreUrl(text: string): StoreLocation {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/]*)\/?(.*)$/i.exec(text);
  const scheme = match?.[1]?.toLowerCase();
  if ((scheme !== 's3' && scheme !== 'oss') || !match)
    throw new ArchiveUsageError(
      `${text} is not an archive location: use a folder, s3://bucket/prefix for an S3-compatible store, or oss://bucket/prefix for Alibaba Cloud OSS`,
    );
  const bucket = match[2] ?? '';
  const prefix = (match[3] ?? '').replace(/\/+$/, '');
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
    throw new ArchiveUsageError(
      `${text}: "${bucket}" is not a bucket name (3 to 63 lowercase letters, digits, dots and hyphens)`,
    );
  if (prefix.split('/').some((part) => part === '' || part === '.' || part === '..') && prefix !== '')
    throw new ArchiveUsageError(`${text}: the prefix must not hold empty, "." or ".." parts`);
  return { kind: 'store', scheme, url: `${scheme}://${bucket}${prefix ? `/${prefix}` : ''}`, bucket, prefix };
}
