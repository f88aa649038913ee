// In-process `guard.check` latency through the Node SDK (decision + audit append + counters +
// the N-API crossing + the typed Decision), p50/p99, on one thread and with 8 concurrent callers
// (worker_threads). Same setup as bench/rust/benches/guard_latency.rs: a Local engine, an agent
// with capabilities tool:web_search, tool:db:*, tool:kanban:*, an `open` session passed to the
// Guard, no flush timer, 2000 warm-up checks, tools cycled web_search / db:query /
// kanban:list_cards. JS objects cannot be shared between workers, so each worker runs its own
// engine and guard (the core runtime is shared); the Rust bench shares one guard. Nothing is
// asserted except that every check is allowed; prints one summary line.
//
// Run: make -C bindings-node bench   (or: node bench/node/guard.mjs after building bindings-node)
import { createRequire } from 'node:module'
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const here = path.dirname(fileURLToPath(import.meta.url))
const require = createRequire(path.join(here, '..', '..', 'bindings-node', 'package.json'))
const w = require('./dist/index.js')

const SINGLE = Number(process.env.BENCH_GUARD_N ?? 100_000)
const PER_WORKER = Number(process.env.BENCH_GUARD_PER_WORKER ?? 25_000)
const WORKERS = 8

function setup() {
  const client = w.Client.local()
  const agent = client.createAgent({ name: 'bench', capabilities: ['tool:web_search', 'tool:db:*', 'tool:kanban:*'] })
  const session = client.initSession({ agent_id: agent.agent_id, server_id: 'bench', mode: 'open' })
  return new w.Guard(client, agent.agent_id, { sessionId: session.session_id, flushTimer: false })
}

/** Latencies (ns) of `n` checks after the warm-up. */
function measure(n, offset) {
  const guard = setup()
  for (let i = 0; i < 2000; i++) guard.check('db:query')
  const tools = ['web_search', 'db:query', 'kanban:list_cards']
  const lat = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint()
    const d = guard.check(tools[(i + offset) % 3])
    lat[i] = Number(process.hrtime.bigint() - t0)
    if (!d.allowed) throw new Error(`denied: ${d.code}`)
  }
  return lat
}

function pct(sorted, p) {
  return sorted[Math.floor((sorted.length - 1) * p)]
}

function summary(lat, seconds) {
  const s = Float64Array.from(lat).sort()
  return { p50: pct(s, 0.5) / 1000, p99: pct(s, 0.99) / 1000, rate: s.length / seconds }
}

if (!isMainThread) {
  parentPort.postMessage(measure(workerData.n, workerData.offset))
} else {
  const t1 = performance.now()
  const single = summary(measure(SINGLE, 0), (performance.now() - t1) / 1000)

  const ready = []
  const t8 = performance.now()
  for (let t = 0; t < WORKERS; t++) {
    ready.push(
      new Promise((resolve, reject) => {
        const wk = new Worker(fileURLToPath(import.meta.url), { workerData: { n: PER_WORKER, offset: t } })
        wk.once('message', resolve)
        wk.once('error', reject)
      }),
    )
  }
  const parts = await Promise.all(ready)
  const wall = (performance.now() - t8) / 1000
  const all = new Float64Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    all.set(p, at)
    at += p.length
  }
  const multi = summary(all, wall)
  const f = (x) => x.toFixed(2)
  console.log(
    `node guard.check in-process: 1 thread p50 ${f(single.p50)} us p99 ${f(single.p99)} us (${Math.round(single.rate)} checks/s); ` +
      `${WORKERS} worker_threads p50 ${f(multi.p50)} us p99 ${f(multi.p99)} us (${Math.round(multi.rate)} checks/s incl. worker start-up)`,
  )
}
