export {
  type AccountSource,
  type ArchiveJobEvent,
  type ArchiveJobOptions,
  type ArchiveJobResult,
  archiveJob,
} from './archive-job.js';
export {
  type DumpFile,
  type DumpItem,
  type DumpReadOptions,
  readDump,
} from './dump-reader.js';
export { ImportUsageError } from './errors.js';
export {
  type ImportEvent,
  type ImportJobOptions,
  type ImportJobResult,
  importJob,
  type SkippedPage,
} from './import-job.js';
