import { CATALOG_FILE } from './catalog.js';
import { JOURNAL_DIR, STAGING_DIR, TRASH_DIR } from './commit-journal.js';
import { TABLE_NAMES } from './schema.js';
import { LOCK_FILE, LOCK_OWNER_FILE, TAKEOVER_LOCK } from './writer-lock.js';

/**
 * The names an archive writes at its root: its datasets, catalog, journal, staging, trash and lock. A tool
 * that must remove an archive it made (the demo) removes these and nothing else.
 */
export const ARCHIVE_ROOT_ENTRIES: readonly string[] = [
  ...TABLE_NAMES,
  CATALOG_FILE,
  JOURNAL_DIR,
  STAGING_DIR,
  TRASH_DIR,
  LOCK_FILE,
  LOCK_OWNER_FILE,
  TAKEOVER_LOCK,
];
