export {
  type AccountSource,
  type ArchiveJobEvent,
  type ArchiveJobOptions,
  type ArchiveJobResult,
  archiveJob,
} from './archive-job.js';
