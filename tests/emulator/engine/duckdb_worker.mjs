// The test emulator's SQL engine: one long-lived Node process running DuckDB (@duckdb/node-api).
// Usage: node duckdb_worker.mjs NODE_MODULES_DIR
// Protocol: JSON lines. Request {"id", "op": "query", "setup": [sql...], "sql": "..."} runs `setup` then `sql`
// in a fresh in-memory database with file-system logging on, and answers
//   {"id", "ok": true, "columns": [{"name", "type": <DuckDB type JSON>, "type_text"}], "rows": [[json...]],
//    "files_read": [local paths opened by the scan]}
// or {"id", "ok": false, "stage": "setup"|"query", "error": "<DuckDB message>"}.
// {"op": "interrupt"} interrupts the running query (its answer is then an error). {"op": "ping"} -> {"ok": true}.
// The first line written is {"ready": true, "version": "<duckdb version>"}.
import { createRequire } from 'node:module';
import readline from 'node:readline';
import path from 'node:path';

const modules = process.argv[2];
let duckdb;
try {
  const require = createRequire(path.join(modules, 'noop.js'));
  duckdb = require('@duckdb/node-api');
} catch (e) {
  process.stdout.write(JSON.stringify({ ready: false, error: String(e && e.message || e) }) + '\n');
  process.exit(3);
}

let current = null;     // connection of the running query
const queue = [];
let busy = false;

function send(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

async function runQuery(req) {
  const inst = await duckdb.DuckDBInstance.create(':memory:', { threads: '2' });
  const conn = await inst.connect();
  current = conn;
  let stage = 'setup';
  try {
    for (const s of req.setup || []) {
      await conn.run(s);
    }
    await conn.run("CALL enable_logging('FileSystem')");
    stage = 'query';
    const reader = await conn.runAndReadAll(req.sql);
    const names = reader.columnNames();
    const types = reader.columnTypes();
    const columns = names.map((n, i) => ({ name: n, type: reader.columnTypeJson(i), type_text: types[i].toString() }));
    const rows = reader.getRowsJson();
    stage = 'log';
    await conn.run("CALL disable_logging()");
    const logs = await conn.runAndReadAll("SELECT message FROM duckdb_logs WHERE type = 'FileSystem'");
    const files = new Set();
    for (const [m] of logs.getRowsJson()) {
      try {
        const j = JSON.parse(m);
        if (j.op === 'OPEN' || j.op === 'READ') files.add(j.path);
      } catch (e) { /* not a path record */ }
    }
    send({ id: req.id, ok: true, columns, rows, files_read: [...files] });
  } catch (e) {
    send({ id: req.id, ok: false, stage, error: String(e && e.message || e) });
  } finally {
    current = null;
    try { conn.closeSync(); } catch (e) { /* already closed */ }
    try { inst.closeSync(); } catch (e) { /* already closed */ }
  }
}

async function pump() {
  if (busy) return;
  busy = true;
  while (queue.length) {
    const req = queue.shift();
    await runQuery(req);
  }
  busy = false;
}

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  let req;
  try { req = JSON.parse(line); } catch (e) { send({ ok: false, error: 'bad request line' }); return; }
  if (req.op === 'interrupt') { if (current) { try { current.interrupt(); } catch (e) { /* */ } } return; }
  if (req.op === 'ping') { send({ id: req.id, ok: true }); return; }
  queue.push(req);
  pump();
});
rl.on('close', () => process.exit(0));

const v = await (async () => {
  try {
    const inst = await duckdb.DuckDBInstance.create(':memory:');
    const c = await inst.connect();
    const r = await c.runAndReadAll('SELECT version()');
    const out = r.getRowsJson()[0][0];
    c.closeSync(); inst.closeSync();
    return out;
  } catch (e) { return null; }
})();
send({ ready: v !== null, version: v });
