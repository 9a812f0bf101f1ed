// E2B's snapshots and forks on Perpetua's: createSnapshot saves the sandbox whole (its running
// processes too) and it runs on; Sandbox.create(snapshotId) and fork() make copies that have the
// same process, with the same pid, and files of their own; listSnapshots and deleteSnapshot.
import assert from 'node:assert/strict'
import { Sandbox } from 'e2b'

const made = []
const sbx = await Sandbox.create({ timeoutMs: 120_000 })
made.push(sbx)
try {
  await sbx.files.write('/root/state.txt', 'before the snapshot\n')
  // Started on its own (nohup … &): a background command whose stream the client holds open is a
  // request in the sandbox, and a snapshot, like a hibernation, waits for none to be running.
  await sbx.commands.run('nohup python3 -c "import time; keeper = 1; time.sleep(100000)" >/dev/null 2>&1 &')
  const pid = (await sbx.commands.run("for i in $(seq 100); do pgrep -f 'keeper[ ]= 1' && break; sleep 0.05; done")).stdout.trim()
  assert.match(pid, /^\d+$/)

  const snapshot = await sbx.createSnapshot({ name: 'e2b-snap' })
  assert.ok(snapshot.snapshotId)
  assert.deepEqual(snapshot.names, ['e2b-snap'])
  assert.equal((await sbx.commands.run("pgrep -f 'keeper[ ]= 1'")).stdout.trim(), pid, 'the source runs on with its process')

  const listed = []
  for (const paginator = Sandbox.listSnapshots(); paginator.hasNext;) {
    listed.push(...await paginator.nextItems())
  }
  assert.ok(listed.some((s) => s.snapshotId === snapshot.snapshotId), 'listed')

  const copy = await Sandbox.create(snapshot.snapshotId, { timeoutMs: 120_000 })
  made.push(copy)
  assert.notEqual(copy.sandboxId, sbx.sandboxId)
  assert.equal(await copy.files.read('/root/state.txt'), 'before the snapshot\n')
  assert.equal((await copy.commands.run("pgrep -f 'keeper[ ]= 1'")).stdout.trim(), pid, 'the copy has the process, same pid')

  const forks = await sbx.fork({ count: 2, timeoutMs: 120_000 })
  assert.equal(forks.length, 2)
  for (const fork of forks) {
    assert.ok(!(fork instanceof Error), String(fork))
    made.push(fork)
    assert.equal(await fork.files.read('/root/state.txt'), 'before the snapshot\n')
    assert.equal((await fork.commands.run("pgrep -f 'keeper[ ]= 1'")).stdout.trim(), pid)
    await fork.files.write('/root/mine.txt', fork.sandboxId)
  }
  assert.notEqual(forks[0].sandboxId, forks[1].sandboxId)
  assert.equal(await forks[0].files.read('/root/mine.txt'), forks[0].sandboxId, 'each fork has files of its own')

  assert.equal(await Sandbox.deleteSnapshot(snapshot.snapshotId), true)
  assert.equal(await Sandbox.deleteSnapshot(snapshot.snapshotId), false, 'gone')
} finally {
  for (const sandbox of made) {
    await sandbox.kill().catch(() => {})
  }
}
console.log('snapshots: ok')
