/** MySQL 8.0/8.4 and MariaDB: the engine behind `mysql://` and `mariadb://` URLs. */
import { MysqlQueryCompiler } from 'kysely'
import type { Engine } from '../engine.js'
import { urlOf } from '../target.js'
import { mysqlArtworkOwners } from './artwork-owners.js'
import { createMysqlDialect } from './connect.js'
import { mysqlCatalog } from './catalog.js'
import { mysqlCatalogColumn, mysqlCatalogTypes, mysqlColumnTypes } from './column-types.js'
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
  artworkOwners: mysqlArtworkOwners,
  sqlScriptNote: '-- MySQL commits each DDL statement on its own.',
  createDialect: (target, options) => createMysqlDialect(urlOf(target), options),
  createAdapter: (options) => new MysqlLockingAdapter(options),
  createQueryCompiler: () => new MysqlQueryCompiler(),
}
