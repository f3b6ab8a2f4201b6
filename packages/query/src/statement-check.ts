import { type DuckDBConnection, type DuckDBPreparedStatement, StatementType } from '@duckdb/node-api';
import { QueryError, QueryRefusedError } from './errors.js';

/**
 * `sql` prepared, once DuckDB's parser has found exactly one statement in it and that statement is a
 * SELECT (which includes WITH, FROM-first, VALUES, DESCRIBE, SHOW, SUMMARIZE and table functions). Anything
 * else is refused before it is bound, since binding alone can act (`EXPORT DATABASE` makes its folder):
 * no statement ("the SQL is empty"), several ("one statement at a time"), or any other kind (COPY,
 * INSERT, CREATE, ATTACH, SET, PRAGMA, LOAD, INSTALL, EXPORT, CALL, EXPLAIN, …). The prepared statement's
 * type is checked once more. SQL that does not parse or bind throws a {@link QueryError}; a read outside
 * the archive, refused by the session's settings while binding, a {@link QueryRefusedError}.
 */
export async function prepareSelect(
  con: DuckDBConnection,
  sql: string,
  root: string,
): Promise<DuckDBPreparedStatement> {
  const parsed = await parseOnly(con, sql);
  if (parsed.kind === 'selects' && parsed.count === 0) {
    throw new QueryRefusedError(
      'the SQL is empty: give one SELECT statement, e.g. "SELECT * FROM invocations LIMIT 10"',
      sql,
      'empty',
    );
  }
  let extracted: Awaited<ReturnType<DuckDBConnection['extractStatements']>>;
  try {
    // Parses only: nothing is bound or run.
    extracted = await con.extractStatements(sql);
  } catch (error) {
    throw queryErrorOf(error, sql, root);
  }
  if (extracted.count > 1) {
    throw new QueryRefusedError(
      `one statement at a time: the SQL holds ${extracted.count} statements; run each on its own`,
      sql,
      'several',
    );
  }
  if (parsed.kind !== 'selects') refuseKind(firstWord(sql), sql);
  let prepared: DuckDBPreparedStatement;
  try {
    prepared = await extracted.prepare(0);
  } catch (error) {
    throw queryErrorOf(error, sql, root);
  }
  if (prepared.statementType !== StatementType.SELECT) {
    const kind = StatementType[prepared.statementType] ?? String(prepared.statementType);
    prepared.destroySync();
    refuseKind(kind, sql);
  }
  return prepared;
}

function refuseKind(kind: string | undefined, sql: string): never {
  // DuckDB files INSTALL under LOAD.
  const shown = kind === 'LOAD' || kind === 'INSTALL' ? 'INSTALL and LOAD' : kind?.replace(/_/g, ' ');
  throw new QueryRefusedError(
    `${shown ? `${shown} statements are` : 'this statement is'} refused: query is read-only and runs one SELECT (with WITH, FROM, VALUES, DESCRIBE, SHOW or SUMMARIZE) over the archive`,
    sql,
    kind ?? 'statement',
  );
}

/**
 * What DuckDB's parser alone makes of `sql`, without binding it: `selects` with how many statements when
 * each is a SELECT (zero for blank text, comments or semicolons), `other` when one is not (or it does not
 * parse: preparing it then reports the syntax error).
 */
async function parseOnly(
  con: DuckDBConnection,
  sql: string,
): Promise<{ kind: 'selects'; count: number } | { kind: 'other' }> {
  // Through a subquery: the function wants a VARCHAR when it is bound, before a parameter has a type.
  const reader = await con.runAndReadAll(
    'SELECT json_serialize_sql(s)::VARCHAR FROM (SELECT CAST($sql AS VARCHAR) AS s)',
    { sql },
  );
  const parsed = JSON.parse(String(reader.getRows()[0]?.[0])) as { error?: boolean; statements?: unknown[] };
  return parsed.error === false
    ? { kind: 'selects', count: parsed.statements?.length ?? 0 }
    : { kind: 'other' };
}

/** The statement's first keyword, for the message only (`COPY`, `ATTACH`); the check itself is DuckDB's. */
function firstWord(sql: string): string | undefined {
  const text = sql.replace(/^(\s+|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)*/, '');
  return /^[A-Za-z]+/.exec(text)?.[0]?.toUpperCase();
}

/**
 * A DuckDB error as one of ours: a read the session's settings refused (a file outside the archive, the
 * network, an extension) as a {@link QueryRefusedError}; anything else as a {@link QueryError}.
 */
export function queryErrorOf(error: unknown, sql: string, root: string): Error {
  if (error instanceof QueryError || error instanceof QueryRefusedError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const first = message.replace(/^Failed to extract statements: /, '').split('\n')[0] ?? message;
  if (/^Permission Error\b/.test(first)) {
    return new QueryRefusedError(
      `the query reaches outside the archive (${first.replace(/^Permission Error: /, '')}): query reads only the archive at ${root}, through its views, tables and files`,
      sql,
      'outside-archive',
      { cause: error },
    );
  }
  if (/^Out of Memory Error\b/.test(first)) {
    return new QueryError(
      `the query needs more memory than the session may use (${first}): narrow it (filters, fewer columns, a LIMIT) or raise the memory limit (--memory-limit)`,
      sql,
      { cause: error },
    );
  }
  return new QueryError(`the query failed: ${first}`, sql, { cause: error });
}
