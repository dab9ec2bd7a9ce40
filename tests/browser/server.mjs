// Starts a real Portico server (`target/debug/portico demo`) for one browser test file: its own
// free port, its own temporary data folder and, for PostgreSQL runs, its own new database. The
// database kind comes from PORTICO_BROWSER_DB (`sqlite`, the default, or `postgres`).
//
// Seeding the demo from nothing takes 20–40 s of a debug build, and every test file wants a fresh
// demo: so the demo is seeded once per server binary and database kind (`demo --seed-only`, into a
// template data folder and, for PostgreSQL, a template database), and each server starts from a
// copy of it (a copied folder; `CREATE DATABASE … TEMPLATE`). `portico demo` then finds its data
// already there and only checks it (about a second) before it serves, as it does on a restart.

import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/** The repository root: this file lives in tests/browser/. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The server binary; scripts/test builds it with `cargo build --workspace --all-targets`. */
// PORTICO_BROWSER_SERVER_BIN may point elsewhere (the PORTICO_BROWSER_ prefix is one the server
// knows to be the tests' own, so it does not warn about it).
export const SERVER_BINARY = process.env.PORTICO_BROWSER_SERVER_BIN || join(REPO_ROOT, 'target', 'debug', 'portico');

// Generous: `portico demo` seeds hundreds of datasets and a year of figures, slow on a busy 2-core machine.
const READY_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 10_000;
// Enough of the server's output to explain a failure without flooding the test report.
const MAX_LOG_CHARS = 200_000;

/** Which database the browser tests run on: `sqlite` or `postgres`. */
export function databaseKind() {
  const kind = process.env.PORTICO_BROWSER_DB ?? 'sqlite';
  if (kind !== 'sqlite' && kind !== 'postgres') {
    throw new Error(`PORTICO_BROWSER_DB must be "sqlite" or "postgres", not ${JSON.stringify(kind)}`);
  }
  return kind;
}

/** The administrative PostgreSQL URL, shared with the Rust tests and scripts/test. */
function postgresAdminUrl() {
  return process.env.PORTICO_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
}

/** A TCP port nobody listens on right now: bind port 0, read what the OS chose, let it go. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

/** Runs one SQL statement through psql on the admin URL; throws with psql's message on failure. */
function psql(sql) {
  const result = spawnSync('psql', [postgresAdminUrl(), '-v', 'ON_ERROR_STOP=1', '-q', '-c', sql], {
    encoding: 'utf8',
  });
  if (result.error) {
    throw new Error(`could not run psql (is the PostgreSQL client installed?): ${result.error.message}`);
  }
  if (result.status !== 0) {
    throw new Error(`psql failed for ${JSON.stringify(sql)}:\n${result.stderr}`);
  }
}

/** Whether a PostgreSQL database of that name exists on the admin URL's server. */
function postgresDatabaseExists(name) {
  const result = spawnSync(
    'psql',
    [postgresAdminUrl(), '-Atq', '-v', 'ON_ERROR_STOP=1', '-c', `SELECT 1 FROM pg_database WHERE datname = '${name}'`],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) {
    throw new Error(`psql failed while looking for ${name}:\n${result.stderr}`);
  }
  return result.stdout.trim() === '1';
}

/** The server's environment: the caller's, without any Portico setting or DATABASE_URL of theirs. */
function cleanEnvironment() {
  // Server settings left in the developer's shell (a real SMTP server, secure cookies, another
  // DATABASE_URL…) must not leak into the test server: keep only the log filter.
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('PORTICO_') && name !== 'DATABASE_URL'),
  );
}

// A template older than this with its lock still held belongs to a run that died while seeding.
const STALE_SEEDING_MS = 10 * 60_000;

/**
 * The seeded demo that every server of this binary and database kind starts from: a data folder
 * and, for PostgreSQL, a database, both named after the binary (its path, size and time), so that
 * a rebuilt server seeds anew. Seeded by the first test process that asks (a lock folder keeps
 * the others waiting), reused by the rest.
 */
async function demoTemplate(kind) {
  const binary = statSync(SERVER_BINARY);
  const key = createHash('sha256')
    .update(`${SERVER_BINARY}\n${binary.size}\n${binary.mtimeMs}\n${kind}\n${postgresAdminUrl()}`)
    .digest('hex')
    .slice(0, 16);
  const root = join(tmpdir(), `portico-browser-template-${key}`);
  const dataDir = join(root, 'data');
  const readyMarker = join(root, 'ready');
  const lock = join(root, 'seeding');
  // The `portico_t_` prefix: scripts/test drops it with the other test databases.
  const database = kind === 'postgres' ? `portico_t_browser_template_${key}` : null;
  await mkdir(root, { recursive: true });
  const deadline = Date.now() + READY_TIMEOUT_MS * 2;
  for (;;) {
    if (existsSync(readyMarker) && (!database || postgresDatabaseExists(database))) {
      return { dataDir, database };
    }
    try {
      await mkdir(lock);
    } catch (err) {
      if (err.code !== 'EEXIST') {
        throw err;
      }
      const held = await stat(lock).catch(() => null);
      if (held && Date.now() - held.mtimeMs > STALE_SEEDING_MS) {
        await rm(lock, { recursive: true, force: true });
      } else if (Date.now() > deadline) {
        throw new Error(`another test process has been seeding the demo template in ${root} for too long`);
      } else {
        await sleep(500);
      }
      continue;
    }
    try {
      await seedTemplate(dataDir, database);
      await writeFile(readyMarker, new Date().toISOString());
      return { dataDir, database };
    } finally {
      await rm(lock, { recursive: true, force: true });
    }
  }
}

/** Runs `portico demo --seed-only` into a new data folder (and a new PostgreSQL database). */
async function seedTemplate(dataDir, database) {
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });
  const env = { ...cleanEnvironment(), PORTICO_DATA_DIR: dataDir, PORTICO_LOG: 'warn', NO_COLOR: '1' };
  if (database) {
    psql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    psql(`CREATE DATABASE ${database}`);
    env.DATABASE_URL = postgresUrlOf(database);
  }
  const log = outputCollector();
  const child = spawn(SERVER_BINARY, ['demo', '--seed-only'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', log.add);
  child.stderr.on('data', log.add);
  const code = await new Promise((resolveExit, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode, signal) => resolveExit(exitCode ?? signal));
  });
  if (code !== 0) {
    throw new Error(`seeding the demo template failed (exit ${code}).\n--- output ---\n${log.text()}`);
  }
}

/** The URL of a database on the admin URL's server. */
function postgresUrlOf(name) {
  const url = new URL(postgresAdminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * A new PostgreSQL database for one server, copied from the seeded template. The `portico_t_`
 * prefix lets scripts/test drop any that a crashed run leaves behind.
 */
function copyPostgresDatabase(template) {
  const name = `portico_t_browser_${randomBytes(8).toString('hex')}`;
  psql(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  return { name, url: postgresUrlOf(name) };
}

/** Collects a child's output; keeps the tail when it grows past MAX_LOG_CHARS. */
function outputCollector() {
  let text = '';
  return {
    add(chunk) {
      text += chunk.toString('utf8');
      if (text.length > MAX_LOG_CHARS) {
        text = `[… earlier output cut …]\n${text.slice(-MAX_LOG_CHARS)}`;
      }
    },
    text: () => text,
    tail: (chars = 6_000) => (text.length > chars ? `[…]\n${text.slice(-chars)}` : text),
  };
}

/** Resolves when the child exits (or at once if it already has). */
function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolveExit) => child.once('exit', () => resolveExit()));
}

/** Polls /readyz until it answers 200; fails early if the server process dies first. */
async function waitUntilReady(baseUrl, child, log) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `the server exited (code ${child.exitCode}, signal ${child.signalCode}) before it was ready.\n` +
          `--- server output ---\n${log.text()}`,
      );
    }
    try {
      const response = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) {
        return;
      }
      lastProblem = `/readyz answered ${response.status}: ${(await response.text()).slice(0, 500)}`;
    } catch (err) {
      lastProblem = `/readyz: ${err.cause?.code ?? err.message}`;
    }
    await sleep(200);
  }
  throw new Error(
    `the server was not ready within ${READY_TIMEOUT_MS / 1000} s (${lastProblem}).\n` +
      `--- server output ---\n${log.text()}`,
  );
}

/**
 * Starts `portico demo` and waits until it is ready. `env` adds server settings of the test's own.
 * Returns { baseUrl, databaseKind, dataDir, logs(), logTail(), stop() }; dataDir is the server's
 * temporary data folder (its mail.log holds the e-mail it "sends"), removed by stop().
 */
export async function startServer({ env: extraEnv = {} } = {}) {
  if (!existsSync(SERVER_BINARY)) {
    throw new Error(
      `${SERVER_BINARY} does not exist: build it first with \`cargo build --workspace\` ` +
        '(scripts/test does this), or point PORTICO_BROWSER_SERVER_BIN at a server binary.',
    );
  }
  const kind = databaseKind();
  const template = await demoTemplate(kind);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'portico-browser-'));
  await cp(template.dataDir, dataDir, { recursive: true });
  const database = template.database ? copyPostgresDatabase(template.database) : null;

  const env = cleanEnvironment();
  Object.assign(env, {
    PORTICO_LISTEN: `127.0.0.1:${port}`,
    PORTICO_DATA_DIR: dataDir,
    PORTICO_LOG: process.env.PORTICO_LOG || 'info',
    NO_COLOR: '1',
  });
  // Settings a test asks for itself (e.g. PORTICO_DESIGN_PAGE).
  Object.assign(env, extraEnv);
  // Without DATABASE_URL the server keeps a SQLite file in its data folder.
  if (database) {
    env.DATABASE_URL = database.url;
  }

  const log = outputCollector();
  const child = spawn(SERVER_BINARY, ['demo'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', log.add);
  child.stderr.on('data', log.add);
  const spawnFailed = new Promise((_, reject) => child.once('error', reject));
  spawnFailed.catch(() => {}); // observed below; keeps an early error from being "unhandled"

  // Never leave a server running if the test process ends without calling stop().
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let stopped = false;
  async function stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const gaveUp = await Promise.race([exited(child).then(() => false), sleep(STOP_TIMEOUT_MS).then(() => true)]);
      if (gaveUp) {
        child.kill('SIGKILL');
        await exited(child);
      }
    }
    await rm(dataDir, { recursive: true, force: true });
    if (database) {
      try {
        psql(`DROP DATABASE IF EXISTS ${database.name} WITH (FORCE)`);
      } catch (err) {
        // scripts/test drops leftover portico_t_ databases anyway; say so and carry on.
        console.error(`could not drop ${database.name}: ${err.message}`);
      }
    }
  }

  try {
    await Promise.race([waitUntilReady(baseUrl, child, log), spawnFailed]);
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    baseUrl,
    databaseKind: kind,
    dataDir,
    logs: log.text,
    logTail: log.tail,
    stop,
  };
}
