/** MySQL 8.0/8.4 and MariaDB: the engine behind `mysql://` and `mariadb://` URLs. */
import { MysqlQueryCompiler } from 'kysely'
import type { Engine } from '../engine.js'
import { connectionOf } from '../target.js'
import { createMysqlDialect, MYSQL_DEFAULT_PORT } from './connect.js'
import { mysqlCatalog } from './catalog.js'
import { mysqlCatalogColumn, mysqlCatalogTypes, mysqlCatalogTypesFor, mysqlColumnTypes, mysqlColumnTypesFor, type MysqlFlavour } from './column-types.js'
import { mysqlErrors } from './errors.js'
import { MysqlLockingAdapter } from './migration-lock.js'
import { mysqlDdl } from './online-ddl.js'

export const mysql: Engine = {
  name: 'mysql',
  sqlDialect: 'mysql',
  columnTypes: mysqlColumnTypes,
  catalogTypes: mysqlCatalogTypes,
  catalogColumn: mysqlCatalogColumn,
  indexNeedsBoundedString: true,
  catalog: mysqlCatalog,
  ddl: mysqlDdl(mysqlErrors),
  errors: mysqlErrors,
  sqlScriptNote: '-- MySQL commits each DDL statement on its own.',
  defaultPort: MYSQL_DEFAULT_PORT,
  createDialect: (target, options) => createMysqlDialect(connectionOf(target), options),
  // MySQL/MariaDB replicas are not recognised (their URLs take one host); see docs/standbys.md.
  replication: async () => ({ standby: false }),
  createAdapter: (options) => new MysqlLockingAdapter(options),
  createQueryCompiler: () => new MysqlQueryCompiler(),
  forServer: async (db) => ((await mysqlCatalog.serverVersion(db)).includes('MariaDB') ? mariadb : mysql),
}

/** The engine with the column types of one server flavour (they differ in `exactString` only). */
function flavoured(flavour: MysqlFlavour): Engine {
  const catalogTypes = mysqlCatalogTypesFor(flavour)
  return {
    ...mysql,
    columnTypes: mysqlColumnTypesFor(flavour),
    catalogTypes,
    catalogColumn: (name, kind, nullable) => mysqlCatalogColumn(name, kind, nullable, catalogTypes),
  }
}

/** MariaDB: MySQL's engine but for the column types that MariaDB spells otherwise. */
export const mariadb: Engine = flavoured('mariadb')
