export { QueryError } from './errors.js';
export { QuerySession, type Row } from './query-session.js';
