import { DummyDriver, Kysely, PostgresIntrospector } from 'kysely'
import type { Engine } from '../engines/engine.js'

/** A Kysely that compiles `engine`'s SQL with no database behind it (`migrate:sql`). */
export function offlineDb(engine: Engine): Kysely<any> {
  return new Kysely<any>({
    dialect: {
      createAdapter: () => engine.createAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => engine.createQueryCompiler(),
    },
  })
}
