// Public API of the subscriber store: repository interfaces (model.ts) and the SQLite engine.
import { join } from 'node:path';

export * from './model.js';
export { FIELD, SQN_MAX, matches, parseSqn, type FieldRule } from './fields.js';
export { StoreError, type XmlLocation } from './store-error.js';
export { implicitRegistrationSet, implicitRegistrationSets, registrationSummary } from './implicit-set.js';
export { checkIfcXml, type IfcXmlProblem } from './ifc-xml.js';
export { SqliteStore, openSqliteStore, ImportError, type ImportRecord, type ImportOptions } from './sqlite/sqlite-store.js';
export { MIGRATIONS, SCHEMA_VERSION } from './sqlite/migrations.js';
export { migrate, openDatabase, type OpenOptions } from './sqlite/database.js';
export { maskSecrets, SECRET_FIELDS } from './sqlite/shared.js';
export { sqnsAfter, DEFAULT_AMF } from './sqlite/auc.js';

export const STORE_FILE_NAME = 'diamond.sqlite';

/** The store file of a node: <dataDir>/diamond.sqlite. */
export function storeFile(dataDir: string): string {
  return join(dataDir, STORE_FILE_NAME);
}
