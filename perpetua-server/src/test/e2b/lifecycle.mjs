// E2B's lifecycle against Perpetua, through the real SDK: create with metadata and envs, get,
// metrics, list with a metadata filter and pages, pause (a process and its memory kept),
// connect, setTimeout, kill, and the SDK's own errors for a sandbox that is not there.
import assert from 'node:assert/strict'
import { Sandbox, SandboxNotFoundError, NotFoundError } from 'e2b'

const run = `lifecycle-${process.pid}-${Date.now()}`
const sbx = await Sandbox.create({ metadata: { run, role: 'main' }, envs: { GREETING: 'from-create' }, timeoutMs: 300_000 })
assert.match(sbx.sandboxId, /^sb[a-z2-7]{14}$/)

const info = await sbx.getInfo()
assert.equal(info.sandboxId, sbx.sandboxId)
assert.equal(info.templateId, 'base')
assert.equal(info.state, 'running')
assert.deepEqual(info.metadata, { run, role: 'main' })
assert.ok(info.endAt.getTime() > Date.now() + 200_000, `endAt ${info.endAt} is about 300 s away`)
assert.equal((await sbx.commands.run('echo $GREETING')).stdout, 'from-create\n')
assert.equal(info.sandboxDomain, `localhost:${new URL(process.env.E2B_API_URL).port}`, 'the domain of getHost is the daemon by default')

const metrics = await sbx.getMetrics()
assert.ok(metrics.length >= 1, 'a sandbox has metrics from its start')
const metric = metrics.at(-1)
assert.equal(metric.cpuCount, info.cpuCount)
assert.equal(metric.memTotal, info.memoryMB * 1024 * 1024)
assert.ok(metric.memUsed > 0 && metric.memUsed <= metric.memTotal, `memUsed ${metric.memUsed} of ${metric.memTotal}`)
assert.ok(metric.cpuUsedPct >= 0 && metric.cpuUsedPct <= 100, `cpuUsedPct ${metric.cpuUsedPct}`)
assert.ok(metric.diskUsed > 0 && metric.diskUsed < metric.diskTotal, `diskUsed ${metric.diskUsed} of ${metric.diskTotal}`)
assert.ok(metric.timestamp instanceof Date && metric.timestamp.getTime() <= Date.now())
assert.deepEqual(await sbx.getMetrics({ end: new Date(Date.now() - 3_600_000) }), [], 'nothing before the sandbox existed')

const others = [await Sandbox.create({ metadata: { run } }), await Sandbox.create({ metadata: { run } })]
const pages = Sandbox.list({ query: { metadata: { run } }, limit: 2 })
const first = await pages.nextItems()
assert.equal(first.length, 2)
assert.equal(pages.hasNext, true)
const second = await pages.nextItems()
assert.equal(second.length, 1)
assert.equal(pages.hasNext, false)
const listed = [...first, ...second].map(s => s.sandboxId).sort()
assert.deepEqual(listed, [sbx.sandboxId, ...others.map(o => o.sandboxId)].sort())
const mains = await Sandbox.list({ query: { metadata: { run, role: 'main' } } }).nextItems()
assert.deepEqual(mains.map(s => s.sandboxId), [sbx.sandboxId])

// A process that holds a token only in its memory, kept through a pause.
const keeper = await sbx.commands.run(
    `python3 -c "import secrets,time,os; t=secrets.token_hex(8); open('/tmp/token','w').write(t); time.sleep(3600)"`,
    { background: true })
await waitFor(async () => (await sbx.files.exists('/tmp/token')))
const token = await sbx.files.read('/tmp/token')
assert.equal(await sbx.pause(), true)
assert.equal(await sbx.isRunning(), false, 'a paused sandbox does not answer envd')
assert.equal((await sbx.getInfo()).state, 'paused')
assert.equal(await sbx.pause(), false, 'pausing a paused sandbox says false')
const pausedList = await Sandbox.list({ query: { metadata: { run }, state: ['paused'] } }).nextItems()
assert.deepEqual(pausedList.map(s => s.sandboxId), [sbx.sandboxId])

const resumed = await Sandbox.connect(sbx.sandboxId, { timeoutMs: 600_000 })
assert.equal(await resumed.isRunning(), true)
assert.equal((await resumed.getInfo()).state, 'running')
const processes = await resumed.commands.list()
assert.ok(processes.some(p => p.pid === keeper.pid), `the keeper ${keeper.pid} runs after the pause: ${JSON.stringify(processes)}`)
const memory = await resumed.commands.run(`cat /proc/${keeper.pid}/cmdline | tr '\\0' ' '; cat /tmp/token`)
assert.ok(memory.stdout.endsWith(token), 'the file the keeper wrote is there')
await resumed.setTimeout(120_000)
const ends = (await resumed.getInfo()).endAt.getTime()
assert.ok(ends > Date.now() + 100_000 && ends < Date.now() + 140_000, `setTimeout moves endAt: ${ends - Date.now()} ms away`)

for (const s of [resumed, ...others]) {
  assert.equal(await s.kill(), true)
}
assert.equal(await Sandbox.kill(sbx.sandboxId), false, 'killing it again says false')
await assert.rejects(Sandbox.connect(sbx.sandboxId), SandboxNotFoundError)
await assert.rejects(Sandbox.getInfo(sbx.sandboxId), (e) => e instanceof NotFoundError || e instanceof SandboxNotFoundError)
console.log('lifecycle: ok')

async function waitFor(check) {
  for (let i = 0; i < 100; i++) {
    if (await check()) return
    await new Promise(r => setTimeout(r, 100))
  }
  throw new Error('timed out waiting')
}
