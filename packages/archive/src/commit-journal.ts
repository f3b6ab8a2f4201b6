import { access, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Catalog,
  type CatalogFile,
  type CatalogSnapshot,
  RETIRED_KEEP_MS,
  type RetiredFile,
  readCatalog,
  writeCatalog,
} from './catalog.js';
import { crashPoint } from './crash-point.js';
import { diskErrorOf } from './disk-error.js';
import { fsyncDir, moveDurably, writeFileAtomic } from './durable-fs.js';
import { ArchiveCorruptError } from './errors.js';

/** Files of commits in progress, one folder per snapshot (and DuckDB's spill folder). */
export const STAGING_DIR = '_staging';
/** Journals of commits past their commit point and not yet fully applied. */
export const JOURNAL_DIR = '_journal';
/**
 * Where archives written before retired files stayed in place (see `Catalog.retired`) moved them; a writer
 * still empties it of entries older than 15 minutes.
 */
export const TRASH_DIR = '_trash';

/** A file written to staging, and where it goes once committed. */
export interface JournalFile extends CatalogFile {
  /** Relative to the root, under `_staging/<snapshot>/`. */
  staged: string;
}

/**
 * Everything one commit changes, written before anything becomes visible. Once it is in `_journal/`
 * the commit has happened: applying it is idempotent, and an open after a crash finishes it.
 */
export interface Journal {
  /** The snapshot record the catalog gains. */
  snapshot: CatalogSnapshot;
  /** The files the commit adds, staged. */
  files: JournalFile[];
  /**
   * Catalog paths the commit retires (a rewritten partition, a compaction): taken out of `files` and listed in
   * `retired`, left in place for readers of the previous catalog.
   */
  remove: string[];
  /** Cursor values that become current with this commit. */
  cursors: Record<string, unknown>;
  /** Features the archive maintains from this commit on (see `Catalog.features`). */
  features?: string[];
}

/**
 * The commit point: the journal, written and fsynced in the snapshot's staging folder, is renamed into
 * `_journal/` (one atomic rename). Then it is applied.
 */
export async function commitJournal(root: string, journal: Journal): Promise<Catalog> {
  const staged = join(root, STAGING_DIR, journal.snapshot.id, 'journal.json');
  await writeFileAtomic(staged, JSON.stringify(journal));
  crashPoint('journal-written', journal.snapshot.kind);
  await mkdir(join(root, JOURNAL_DIR), { recursive: true });
  await rename(staged, join(root, JOURNAL_DIR, `${journal.snapshot.id}.json`));
  await fsyncDir(join(root, JOURNAL_DIR));
  try {
    crashPoint('committed', journal.snapshot.kind);
    return await applyJournal(root, journal);
  } catch (error) {
    // Past the commit point: the journal stays, and the next writer to open the archive finishes it.
    throw (await diskErrorOf(error, root, true)) ?? error;
  }
}

/** Makes a committed journal's changes visible. Safe to repeat after a crash at any point inside it. */
export async function applyJournal(root: string, journal: Journal): Promise<Catalog> {
  for (const [i, file] of journal.files.entries()) {
    const from = join(root, file.staged);
    const to = join(root, file.path);
    if (await exists(from)) {
      await moveDurably(from, to);
    } else if (!(await exists(to))) {
      throw new ArchiveCorruptError(
        `committed file ${file.path} is neither staged nor in place: run verify and restore it`,
        root,
      );
    }
    if (i === 0) crashPoint('file-moved', journal.snapshot.kind);
  }
  let catalog = await readCatalog(root);
  if (!catalog.snapshots.some((s) => s.id === journal.snapshot.id)) {
    const removed = new Set(journal.remove);
    const retired = await deleteExpired(root, catalog);
    catalog = {
      ...catalog,
      version: catalog.version + 1,
      schemaVersion: Math.max(catalog.schemaVersion, ...journal.files.map((f) => f.schemaVersion)),
      files: [
        ...catalog.files.filter((f) => !removed.has(f.path)),
        ...journal.files.map(({ staged: _, ...f }) => f),
      ],
      snapshots: [...catalog.snapshots, journal.snapshot],
      cursors: { ...catalog.cursors, ...journal.cursors },
      ...(journal.features || catalog.features
        ? { features: [...new Set([...(catalog.features ?? []), ...(journal.features ?? [])])] }
        : {}),
      ...retiredAfter(retired, journal),
    };
    await writeCatalog(root, catalog);
  }
  crashPoint('catalog-written', journal.snapshot.kind);
  await rm(join(root, JOURNAL_DIR, `${journal.snapshot.id}.json`), { force: true });
  await rm(join(root, STAGING_DIR, journal.snapshot.id), { recursive: true, force: true });
  crashPoint('cleaned', journal.snapshot.kind);
  return catalog;
}

/**
 * Deletes the retired files of `catalog` that were retired more than {@link RETIRED_KEEP_MS} ago, and returns
 * the others. The files go before the catalog stops listing them, so a crash in between leaves only listed
 * retired files that are already gone (harmless), never a file nothing lists.
 */
async function deleteExpired(root: string, catalog: Catalog): Promise<RetiredFile[]> {
  const now = Date.now();
  const committed = new Set(catalog.files.map((f) => f.path));
  const kept: RetiredFile[] = [];
  for (const file of catalog.retired ?? []) {
    if (now - Date.parse(file.retiredAt) <= RETIRED_KEEP_MS || committed.has(file.path)) kept.push(file);
    else await rm(join(root, file.path), { force: true });
  }
  return kept;
}

/** The `retired` list of the catalog after `journal`: the ones still kept, and those it retires now. */
function retiredAfter(kept: RetiredFile[], journal: Journal): { retired?: RetiredFile[] } {
  const now = journal.remove.map((path) => ({
    path,
    retiredAt: journal.snapshot.committedAt,
    snapshotId: journal.snapshot.id,
  }));
  return kept.length + now.length > 0 ? { retired: [...kept, ...now] } : {};
}

/** What {@link recover} did. */
export interface Recovery {
  /** Snapshots committed before a crash and finished now. */
  completed: string[];
  /** Staging folders of commits that never reached the commit point, removed. */
  discarded: string[];
}

/** The DuckDB spill folders under `_staging/` (`duckdb-spill`, and one per shard): not a commit's. */
export const SPILL_PREFIX = 'duckdb-spill';

/**
 * Run by a writer at open, under the lock (and by a shard before each commit, under its turn): finishes
 * committed journals, discards uncommitted staging, and empties the `_trash/` of older versions of entries
 * older than `trashTtlMs` (15 minutes by default). `keepSpill` leaves DuckDB's spill folders alone: other shards' DuckDBs may be using theirs.
 */
export async function recover(
  root: string,
  { trashTtlMs = 15 * 60_000, keepSpill = false }: { trashTtlMs?: number; keepSpill?: boolean } = {},
): Promise<Recovery> {
  const completed: string[] = [];
  const journals = (await list(join(root, JOURNAL_DIR))).filter((n) => n.endsWith('.json')).sort();
  for (const name of journals) {
    const journal = JSON.parse(await readFile(join(root, JOURNAL_DIR, name), 'utf8')) as Journal;
    await applyJournal(root, journal);
    completed.push(journal.snapshot.id);
  }
  const discarded = (await list(join(root, STAGING_DIR))).filter(
    (name) => !(keepSpill && name.startsWith(SPILL_PREFIX)),
  );
  for (const name of discarded) await rm(join(root, STAGING_DIR, name), { recursive: true, force: true });
  const now = Date.now();
  for (const name of await list(join(root, TRASH_DIR))) {
    const at = snapshotTime(name);
    if (at !== undefined && now - at > trashTtlMs)
      await rm(join(root, TRASH_DIR, name), { recursive: true, force: true });
  }
  return { completed, discarded };
}

/** A new snapshot id: sortable by time (`20261127T235959123Z-1a2b3c`). */
export function newSnapshotId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:.]/g, '');
  return `${stamp}-${Math.floor(Math.random() * 0xffffff)
    .toString(16)
    .padStart(6, '0')}`;
}

/** When the snapshot `id` was made (epoch ms), or undefined for a name that is not a snapshot id. */
function snapshotTime(id: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z-/.exec(id);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, ms] = m.map(Number) as number[];
  return Date.UTC(y as number, (mo as number) - 1, d, h, mi, s, ms);
}

/** The names in `dir`; none when it does not exist (any other failure is thrown). */
async function list(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Whether `path` exists. Only "no such file" means absent: a permission or I/O error is thrown, never taken for absence. */
async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
