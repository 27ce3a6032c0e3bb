// bench_duckdb.mjs -- DuckDB's side of scripts/bench: load the retail CSV files into an
// in-memory database and compute the KPIs of kpis/retail.lua with scripts/bench_retail.sql.
//
//   node scripts/bench_duckdb.mjs --module DIR --data DIR --csat FILE.csv --sql FILE
//        --start YYYY-MM-DD --end YYYY-MM-DD --prev-start YYYY-MM-DD [--threads N]
//
// --module is the folder where `npm install @duckdb/node-api` was run (the bench keeps it
// in bench-data/duckdb-node/, outside the repository). The files are read with read_csv
// and the types kpiengine gives them (dates as DATE, money as DECIMAL(18,2) so sums are
// exact, yes/no columns as BOOLEAN). The survey comes as a CSV export of csat.db, because
// DuckDB's sqlite extension would need a download. Prints one "kpi value" line per KPI.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

function parseArgs(argv) {
  const a = { threads: '1' };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!['module', 'data', 'csat', 'sql', 'start', 'end', 'prev-start', 'threads'].includes(key) ||
        argv[i + 1] === undefined) {
      throw new Error(`unknown option or missing value: ${argv[i]}`);
    }
    a[key] = argv[i + 1];
  }
  for (const key of ['module', 'data', 'csat', 'sql', 'start', 'end', 'prev-start']) {
    if (!a[key]) throw new Error(`--${key} is needed`);
  }
  for (const key of ['start', 'end', 'prev-start']) {
    if (!ISO_DAY.test(a[key])) throw new Error(`--${key} wants YYYY-MM-DD, not '${a[key]}'`);
  }
  if (!/^[1-9][0-9]*$/.test(a.threads)) throw new Error(`--threads wants a number`);
  return a;
}

// Column types of each file, in the files' order (the generator's layout).
const TABLES = {
  orders: { date: 'DATE', customer_id: 'VARCHAR', channel: 'VARCHAR', campaign: 'VARCHAR',
            device: 'VARCHAR', amount: 'DECIMAL(18,2)' },
  spend: { date: 'DATE', channel: 'VARCHAR', campaign: 'VARCHAR', cost: 'DECIMAL(18,2)' },
  leads: { date: 'DATE', lead_id: 'VARCHAR', channel: 'VARCHAR', contacted: 'BOOLEAN',
           responded: 'BOOLEAN', converted: 'BOOLEAN', customer_id: 'VARCHAR' },
  sessions: { date: 'DATE', session_id: 'VARCHAR', source: 'VARCHAR', network: 'VARCHAR',
              device: 'VARCHAR', landing_page: 'VARCHAR', engaged: 'BOOLEAN', lead: 'BOOLEAN',
              order: 'BOOLEAN' },
  csat: { answered_at: 'TIMESTAMP', customer_id: 'VARCHAR', score: 'INTEGER' },
};

const quote = (s) => `'${s.replaceAll("'", "''")}'`;

function loadStatement(table, file) {
  const cols = Object.entries(TABLES[table]).map(([n, t]) => `${quote(n)}: ${quote(t)}`);
  return `CREATE TABLE ${table} AS SELECT * FROM read_csv(${quote(file)}, header = true, ` +
         `delim = ',', quote = '"', columns = {${cols.join(', ')}})`;
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  const require = createRequire(path.join(path.resolve(a.module), 'package.json'));
  const { DuckDBInstance } = require('@duckdb/node-api');
  const sql = readFileSync(a.sql, 'utf8')
    .replaceAll('@START@', a.start)
    .replaceAll('@END@', a.end)
    .replaceAll('@PREV_START@', a['prev-start']);

  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  await con.run(`SET threads = ${a.threads}`);
  for (const table of ['orders', 'spend', 'leads', 'sessions']) {
    await con.run(loadStatement(table, path.join(a.data, `${table}.csv`)));
  }
  await con.run(loadStatement('csat', a.csat));
  const reader = await con.runAndReadAll(sql);
  const names = reader.columnNames();
  const rows = reader.getRowsJS();
  if (rows.length !== 1) throw new Error(`the KPI query gave ${rows.length} rows, not 1`);
  const out = names.map((n, i) => `${n} ${rows[0][i] === null ? 'null' : String(rows[0][i])}`);
  process.stdout.write(out.join('\n') + '\n');
  con.closeSync();
  instance.closeSync();
}

main().catch((e) => {
  process.stderr.write(`bench_duckdb: ${e.message}\n`);
  process.exit(1);
});
