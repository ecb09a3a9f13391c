/** The engine-neutral rules about existing columns' types, on catalog rows as PostgreSQL and MySQL print them. */
import { describe, expect, it } from 'vitest'
import { mysql, pglite, postgres } from '../../src/engines/index.js'
import type { ColumnInfo } from '../../src/model/catalog-info.js'
import { canReference, canWidenLosslessly, hasCatalogType, isUnboundedString, sameType, valueFamily, type ValueFamily, KIND_FAMILIES } from '../../src/model/type-rules.js'
import type { ColumnKind } from '../../src/model/migration-schema.js'

/** A PostgreSQL column: `type` as information_schema prints it, `baseType` its udt name. */
const pg = (type: string, baseType: string): ColumnInfo => ({ name: 'c', type, baseType, nullable: true, charset: null, collation: null })

/** A MySQL column: `type` as COLUMN_TYPE prints it; strings get a character set and collation. */
const my = (type: string, collation: string | null = null): ColumnInfo => ({
  name: 'c',
  type,
  baseType: type.split('(')[0]!,
  nullable: true,
  charset: collation ? collation.split('_')[0]! : null,
  collation,
})

describe('valueFamily', () => {
  it.each<[string, ColumnInfo, ValueFamily]>([
    ['pg text', pg('text', 'text'), 'string'],
    ['pg varchar(36)', pg('character varying(36)', 'varchar'), 'string'],
    ['pg char(32)', pg('character(32)', 'bpchar'), 'string'],
    ['pg uuid', pg('uuid', 'uuid'), 'string'],
    ['pg boolean', pg('boolean', 'bool'), 'boolean'],
    ['pg timestamptz', pg('timestamp with time zone', 'timestamptz'), 'timestamp'],
    ['pg timestamp', pg('timestamp without time zone', 'timestamp'), 'timestamp'],
    ['pg date', pg('date', 'date'), 'timestamp'],
    ['pg integer', pg('integer', 'int4'), 'number'],
    ['pg bigint', pg('bigint', 'int8'), 'number'],
    ['pg numeric', pg('numeric', 'numeric'), 'number'],
    ['pg jsonb', pg('jsonb', 'jsonb'), 'other'],
    ['pg bytea', pg('bytea', 'bytea'), 'other'],
    ['mysql varchar(255)', my('varchar(255)', 'utf8mb4_bin'), 'string'],
    ['mysql text', my('text', 'utf8mb4_unicode_ci'), 'string'],
    ['mysql longtext', my('longtext', 'utf8mb4_unicode_ci'), 'string'],
    ['mysql char(36)', my('char(36)', 'ascii_bin'), 'string'],
    ['mysql tinyint(1)', my('tinyint(1)'), 'boolean'],
    // As Better Auth's own matchType: every tinyint counts as a boolean.
    ['mysql tinyint(4)', my('tinyint(4)'), 'boolean'],
    ['mysql datetime(3)', my('datetime(3)'), 'timestamp'],
    ['mysql timestamp(3)', my('timestamp(3)'), 'timestamp'],
    ['mysql int', my('int'), 'number'],
    ['mysql bigint(20)', my('bigint(20)'), 'number'],
    ['mysql bigint unsigned', { ...my('bigint unsigned'), baseType: 'bigint' }, 'number'],
    ['mysql json', my('json'), 'other'],
    ['mysql blob', my('blob'), 'other'],
  ])('%s is %s', (_, column, family) => {
    expect(valueFamily(column)).toBe(family)
  })
})

describe('canWidenLosslessly', () => {
  const key255 = my('varchar(255)', 'utf8mb4_bin')

  it("varchar(36) utf8mb4_bin → the module's varchar(255) utf8mb4_bin", () => {
    expect(canWidenLosslessly(my('varchar(36)', 'utf8mb4_bin'), key255)).toBe(true)
  })

  it('the same width, or wider text, is fine', () => {
    expect(canWidenLosslessly(key255, key255)).toBe(true)
    expect(canWidenLosslessly(pg('character varying(36)', 'varchar'), pg('text', 'text'))).toBe(true)
  })

  it('narrower is not', () => {
    expect(canWidenLosslessly(key255, my('varchar(36)', 'utf8mb4_bin'))).toBe(false)
    expect(canWidenLosslessly(my('text', 'utf8mb4_bin'), key255)).toBe(false)
    expect(canWidenLosslessly(pg('text', 'text'), pg('character varying(255)', 'varchar'))).toBe(false)
  })

  it('latin1 (or ascii, utf8mb3) → utf8mb4_bin keeps every value', () => {
    expect(canWidenLosslessly(my('varchar(36)', 'latin1_swedish_ci'), key255)).toBe(true)
    expect(canWidenLosslessly(my('char(36)', 'ascii_bin'), key255)).toBe(true)
    expect(canWidenLosslessly(my('varchar(36)', 'utf8mb3_general_ci'), key255)).toBe(true)
  })

  it('utf8mb4 → latin1 (a smaller character set) is not lossless', () => {
    expect(canWidenLosslessly(my('varchar(36)', 'utf8mb4_bin'), my('varchar(255)', 'latin1_bin'))).toBe(false)
  })

  it('a case-insensitive (_ci) target from a _bin column is refused: two ids could become equal', () => {
    expect(canWidenLosslessly(my('varchar(36)', 'utf8mb4_bin'), my('varchar(255)', 'utf8mb4_unicode_ci'))).toBe(false)
    expect(canWidenLosslessly(my('varchar(36)', 'latin1_swedish_ci'), my('varchar(255)', 'utf8mb4_general_ci'))).toBe(false)
  })

  it('the same _ci collation, only wider, is fine', () => {
    expect(canWidenLosslessly(my('varchar(36)', 'utf8mb4_unicode_ci'), my('varchar(255)', 'utf8mb4_unicode_ci'))).toBe(true)
  })

  it('uuid columns and non-strings are never widened', () => {
    expect(canWidenLosslessly(pg('uuid', 'uuid'), pg('text', 'text'))).toBe(false)
    expect(canWidenLosslessly(pg('integer', 'int4'), pg('text', 'text'))).toBe(false)
    expect(canWidenLosslessly(my('bigint'), key255)).toBe(false)
  })
})

describe('canReference', () => {
  it('postgres: any two strings, but uuid only to uuid', () => {
    expect(canReference(pg('text', 'text'), pg('character varying(36)', 'varchar'))).toBe(true)
    expect(canReference(pg('uuid', 'uuid'), pg('uuid', 'uuid'))).toBe(true)
    expect(canReference(pg('text', 'text'), pg('uuid', 'uuid'))).toBe(false)
    expect(canReference(pg('uuid', 'uuid'), pg('text', 'text'))).toBe(false)
  })

  it('mysql: strings of any length in the same character set and collation', () => {
    expect(canReference(my('varchar(255)', 'utf8mb4_bin'), my('varchar(36)', 'utf8mb4_bin'))).toBe(true)
    expect(canReference(my('varchar(255)', 'utf8mb4_unicode_ci'), my('varchar(255)', 'utf8mb4_bin'))).toBe(false)
    expect(canReference(my('varchar(255)', 'latin1_bin'), my('varchar(255)', 'utf8mb4_bin'))).toBe(false)
  })

  it('not across families', () => {
    expect(canReference(pg('integer', 'int4'), pg('text', 'text'))).toBe(false)
    expect(canReference(my('bigint'), my('varchar(255)', 'utf8mb4_bin'))).toBe(false)
    expect(canReference(my('bigint'), my('bigint(20)'))).toBe(true)
  })
})

describe('isUnboundedString', () => {
  it.each<[string, ColumnInfo, boolean]>([
    ['mysql text', my('text', 'utf8mb4_unicode_ci'), true],
    ['mysql longtext', my('longtext', 'utf8mb4_unicode_ci'), true],
    ['mysql varchar(255)', my('varchar(255)', 'utf8mb4_unicode_ci'), false],
    ['mysql char(36)', my('char(36)', 'ascii_bin'), false],
    ['pg text', pg('text', 'text'), true],
    ['pg varchar without a length', pg('character varying', 'varchar'), true],
    ['pg varchar(36)', pg('character varying(36)', 'varchar'), false],
    ['mysql bigint(20) (not a string)', my('bigint(20)'), false],
    ['pg integer', pg('integer', 'int4'), false],
  ])('%s: %s', (_, column, unbounded) => {
    expect(isUnboundedString(column)).toBe(unbounded)
  })
})

describe('hasCatalogType and sameType', () => {
  it("mysql's integer display widths are ignored: bigint(20) is bigint", () => {
    expect(hasCatalogType(my('bigint(20)'), { type: 'bigint' })).toBe(true)
    expect(hasCatalogType(my('int(11)'), { type: 'int' })).toBe(true)
    expect(hasCatalogType(my('bigint'), { type: 'bigint' })).toBe(true)
    expect(hasCatalogType(my('bigint(20)'), { type: 'int' })).toBe(false)
  })

  it('but tinyint(1) keeps its width, and varchar its length', () => {
    expect(hasCatalogType(my('tinyint(1)'), { type: 'tinyint(1)' })).toBe(true)
    expect(hasCatalogType(my('tinyint(4)'), { type: 'tinyint(1)' })).toBe(false)
    expect(hasCatalogType(my('varchar(36)', 'utf8mb4_bin'), mysql.catalogTypes.key)).toBe(false)
  })

  it('a required collation must match; an unrequired one is not looked at', () => {
    expect(hasCatalogType(my('varchar(255)', 'utf8mb4_bin'), mysql.catalogTypes.key)).toBe(true)
    expect(hasCatalogType(my('varchar(255)', 'utf8mb4_unicode_ci'), mysql.catalogTypes.key)).toBe(false)
    expect(hasCatalogType(my('varchar(255)', 'utf8mb4_unicode_ci'), mysql.catalogTypes.indexedString)).toBe(true)
    expect(hasCatalogType(my('varchar(255)', 'latin1_swedish_ci'), mysql.catalogTypes.indexedString)).toBe(false)
  })

  it('sameType compares type, character set and collation', () => {
    expect(sameType(my('varchar(255)', 'utf8mb4_bin'), my('varchar(255)', 'utf8mb4_bin'))).toBe(true)
    expect(sameType(my('varchar(255)', 'utf8mb4_bin'), my('varchar(255)', 'utf8mb4_unicode_ci'))).toBe(false)
    expect(sameType(my('varchar(255)', 'utf8mb4_bin'), my('varchar(36)', 'utf8mb4_bin'))).toBe(false)
    expect(sameType(pg('text', 'text'), pg('text', 'text'))).toBe(true)
  })
})

describe("each engine's catalog types agree with its column kinds", () => {
  const FAMILY: Readonly<Record<ColumnKind, ValueFamily>> = KIND_FAMILIES
  const kinds = Object.keys(FAMILY) as ColumnKind[]

  it.each([postgres, mysql, pglite])('$name', (engine) => {
    for (const kind of kinds) {
      const column = engine.catalogColumn('c', kind, false)
      expect({ kind, catalogType: hasCatalogType(column, engine.catalogTypes[kind]) }).toEqual({ kind, catalogType: true })
      expect({ kind, family: valueFamily(column) }).toEqual({ kind, family: FAMILY[kind] })
    }
    // Keys can be referenced by keys, and widen to themselves.
    const key = engine.catalogColumn('id', 'key', false)
    expect(canReference(key, key)).toBe(true)
    expect(canWidenLosslessly(key, key)).toBe(true)
    // MySQL indexes need bounded strings: keys and indexed strings are; text is not.
    expect(isUnboundedString(engine.catalogColumn('c', 'indexedString', false))).toBe(!engine.indexNeedsBoundedString)
  })
})
