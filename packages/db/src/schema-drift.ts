import type pg from 'pg';

/**
 * Compares a database with what schema.prisma describes: tables, columns, types, nullability,
 * enums and unique constraints. Without Prisma's schema engine this is how we prove a
 * hand-written migration matches the schema (`prisma migrate diff` where the engine exists).
 */
export interface SchemaModel {
  table: string;
  columns: { name: string; type: string; nullable: boolean }[];
  uniques: string[][];
}

const SCALAR_SQL: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Boolean: 'boolean',
  DateTime: 'timestamp with time zone',
  Json: 'jsonb',
  Float: 'double precision',
};

/** Scalar lists (`Int[]`) as information_schema names them: data_type ARRAY, udt_name `_<element>`. */
const SCALAR_LIST_SQL: Record<string, string> = { Int: '_int4', String: '_text', BigInt: '_int8' };

/** A deliberately small parser: enough for the constructs this repo's schema uses. */
export function parsePrismaSchema(src: string): { models: SchemaModel[]; enums: Map<string, string[]> } {
  const blocks = [...src.matchAll(/^(model|enum)\s+(\w+)\s*\{([\s\S]*?)^\}/gm)];
  const enums = new Map<string, string[]>();
  const modelNames = new Set<string>();
  for (const [, kind, name, body] of blocks) {
    if (kind === 'enum')
      enums.set(
        name!,
        body!
          .split('\n')
          .map((l) => l.replace(/\/\/.*/, '').trim())
          .filter(Boolean),
      );
    else modelNames.add(name!);
  }
  const models: SchemaModel[] = [];
  for (const [, kind, name, body] of blocks) {
    if (kind !== 'model') continue;
    const columns: SchemaModel['columns'] = [];
    const uniques: string[][] = [];
    const colOf = new Map<string, string>();
    let table = name!;
    const lines = body!
      .split('\n')
      .map((l) => l.replace(/\/\/.*/, '').trim())
      .filter(Boolean);
    for (const line of lines) {
      if (line.startsWith('@@map(')) table = /@@map\("([^"]+)"\)/.exec(line)![1]!;
    }
    for (const line of lines) {
      if (line.startsWith('@@')) continue;
      const m = /^(\w+)\s+(\w+)(\[\])?(\?)?(.*)$/.exec(line);
      if (!m) continue;
      const [, field, type, list, optional, attrs] = m;
      if (modelNames.has(type!)) continue; // relation fields have no column
      const column = /@map\("([^"]+)"\)/.exec(attrs!)?.[1] ?? field!;
      colOf.set(field!, column);
      const sqlType = list
        ? SCALAR_LIST_SQL[type!]
        : enums.has(type!)
          ? type!
          : /@db\.Uuid/.test(attrs!)
            ? 'uuid'
            : SCALAR_SQL[type!];
      if (!sqlType) throw new Error(`schema-drift: unsupported type ${type} on ${name}.${field}`);
      columns.push({ name: column, type: sqlType, nullable: Boolean(optional) });
      if (/@unique\b/.test(attrs!)) uniques.push([column]);
    }
    for (const line of lines) {
      const u = /^@@unique\(\[([^\]]+)\]/.exec(line);
      if (u) uniques.push(u[1]!.split(',').map((f) => colOf.get(f.trim()) ?? f.trim()));
    }
    models.push({ table, columns, uniques });
  }
  return { models, enums };
}

export async function findSchemaDrift(client: pg.Client | pg.Pool, schemaSrc: string): Promise<string[]> {
  const { models, enums } = parsePrismaSchema(schemaSrc);
  const problems: string[] = [];
  const cols = await client.query<{
    table_name: string;
    column_name: string;
    data_type: string;
    udt_name: string;
    is_nullable: string;
  }>(
    `SELECT table_name, column_name, data_type, udt_name, is_nullable FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name <> '_prisma_migrations'`,
  );
  const dbTables = new Map<string, Map<string, { type: string; nullable: boolean }>>();
  for (const r of cols.rows) {
    const t = dbTables.get(r.table_name) ?? new Map();
    t.set(r.column_name, {
      type: r.data_type === 'USER-DEFINED' || r.data_type === 'ARRAY' ? r.udt_name : r.data_type,
      nullable: r.is_nullable === 'YES',
    });
    dbTables.set(r.table_name, t);
  }
  for (const m of models) {
    const t = dbTables.get(m.table);
    if (!t) {
      problems.push(`table ${m.table} is missing`);
      continue;
    }
    for (const c of m.columns) {
      const d = t.get(c.name);
      if (!d) problems.push(`column ${m.table}.${c.name} is missing`);
      else {
        if (d.type !== c.type) problems.push(`column ${m.table}.${c.name} is ${d.type}, schema says ${c.type}`);
        if (d.nullable !== c.nullable)
          problems.push(`column ${m.table}.${c.name} nullable=${d.nullable}, schema says ${c.nullable}`);
      }
    }
    for (const name of t.keys()) {
      if (!m.columns.some((c) => c.name === name)) problems.push(`column ${m.table}.${name} is not in schema.prisma`);
    }
    dbTables.delete(m.table);
  }
  for (const extra of dbTables.keys()) problems.push(`table ${extra} is not in schema.prisma`);

  const enumRows = await client.query<{ typname: string; labels: string[] }>(
    `SELECT t.typname, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
     FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
     WHERE n.nspname = current_schema() GROUP BY t.typname`,
  );
  const dbEnums = new Map(enumRows.rows.map((r) => [r.typname, r.labels]));
  for (const [name, values] of enums) {
    const got = dbEnums.get(name);
    if (!got) problems.push(`enum ${name} is missing`);
    else if (got.join(',') !== values.join(',')) problems.push(`enum ${name} is (${got}), schema says (${values})`);
  }

  const idx = await client.query<{ table: string; columns: string[] }>(
    `SELECT t.relname::text AS table, array_agg(a.attname::text ORDER BY k.ord) AS columns
     FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
     CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
     JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
     WHERE n.nspname = current_schema() AND i.indisunique AND NOT i.indisprimary
     GROUP BY i.indexrelid, t.relname`,
  );
  for (const m of models) {
    for (const u of m.uniques) {
      if (!idx.rows.some((r) => r.table === m.table && r.columns.join(',') === u.join(','))) {
        problems.push(`unique (${u.join(', ')}) on ${m.table} is missing`);
      }
    }
  }
  return problems;
}
