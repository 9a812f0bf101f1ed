// envd's process service against Perpetua, through the real SDK: foreground and background
// commands, a non-zero exit, stdin, kill, list and connecting to a running process.
import assert from 'node:assert/strict'
import { Sandbox, CommandExitError } from 'e2b'

const sbx = await Sandbox.create({ timeoutMs: 300_000 })
try {
  const out = await sbx.commands.run('echo "$A $B"; pwd; echo oops >&2', { envs: { A: 'one', B: 'two' }, cwd: '/tmp' })
  assert.equal(out.exitCode, 0)
  assert.equal(out.stdout, 'one two\n/tmp\n')
  assert.equal(out.stderr, 'oops\n')

  const failed = await sbx.commands.run('echo partial; exit 3').catch(e => e)
  assert.ok(failed instanceof CommandExitError, `a non-zero exit throws CommandExitError: ${failed}`)
  assert.equal(failed.exitCode, 3)
  assert.equal(failed.stdout, 'partial\n')

  const chunks = []
  const ticker = await sbx.commands.run('for i in 1 2 3; do echo tick $i; sleep 0.2; done',
      { background: true, onStdout: (data) => chunks.push(data) })
  assert.ok(ticker.pid > 0)
  const ticked = await ticker.wait()
  assert.equal(ticked.stdout, 'tick 1\ntick 2\ntick 3\n')
  assert.equal(chunks.join(''), ticked.stdout)

  const cat = await sbx.commands.run('cat', { background: true, stdin: true })
  await sbx.commands.sendStdin(cat.pid, 'through stdin\n')
  await sbx.commands.closeStdin(cat.pid)
  const echoed = await cat.wait()
  assert.equal(echoed.stdout, 'through stdin\n')

  const sleeper = await sbx.commands.run('echo started; sleep 300', { background: true })
  const listed = await sbx.commands.list()
  assert.ok(listed.some(p => p.pid === sleeper.pid && p.cmd === '/bin/bash'), `list shows ${sleeper.pid}: ${JSON.stringify(listed)}`)

  const talker = await sbx.commands.run('sleep 1; echo later', { background: true })
  const connected = await sbx.commands.connect(talker.pid)
  assert.equal(connected.pid, talker.pid)
  assert.equal((await connected.wait()).stdout, 'later\n')

  assert.equal(await sbx.commands.kill(sleeper.pid), true)
  const killed = await sleeper.wait().catch(e => e)
  assert.ok(killed instanceof CommandExitError, `a killed command's wait throws: ${killed}`)
  assert.equal(killed.stdout, 'started\n')
  assert.equal(await sbx.commands.kill(sleeper.pid), false, 'killing it again says false')
  assert.equal(await sbx.commands.kill(999999), false)
  console.log('commands: ok')
} finally {
  await sbx.kill()
}
