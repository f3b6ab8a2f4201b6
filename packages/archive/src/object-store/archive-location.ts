import { ArchiveUsageError } from '../errors.js';

/** Where an archive lives: a local folder (the default), or a prefix of an S3-compatible bucket. */
export type ArchiveLocation =
  | { kind: 'local'; root: string }
  | { kind: 's3'; url: string; bucket: string; prefix: string };

/** True when `text` names an object-store archive (`scheme://…`), not a folder. */
export const isStoreUrl = (text: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(text);

/**
 * Parses `s3://bucket/prefix` (the prefix may be empty). `oss://` is refused with how to reach OSS through
 * its S3-compatible endpoint instead; any other scheme is refused. A folder is not parsed here.
 */
export function parseStoreUrl(text: string): { kind: 's3'; url: string; bucket: string; prefix: string } {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/]*)\/?(.*)$/i.exec(text);
  const scheme = match?.[1]?.toLowerCase();
  if (scheme === 'oss')
    throw new ArchiveUsageError(
      `oss:// archives are not supported yet (${text}): use s3://bucket/prefix with AWS_ENDPOINT_URL set to the bucket's S3-compatible OSS endpoint (https://oss-<region>.aliyuncs.com) and the AccessKey in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or a local folder`,
    );
  if (scheme !== 's3' || !match)
    throw new ArchiveUsageError(
      `${text} is not an archive location: use a folder, or s3://bucket/prefix for an S3-compatible store`,
    );
  const bucket = match[2] ?? '';
  const prefix = (match[3] ?? '').replace(/\/+$/, '');
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
    throw new ArchiveUsageError(
      `${text}: "${bucket}" is not a bucket name (3 to 63 lowercase letters, digits, dots and hyphens)`,
    );
  if (prefix.split('/').some((part) => part === '' || part === '.' || part === '..') && prefix !== '')
    throw new ArchiveUsageError(`${text}: the prefix must not hold empty, "." or ".." parts`);
  return { kind: 's3', url: `s3://${bucket}${prefix ? `/${prefix}` : ''}`, bucket, prefix };
}
