// The OpenAI Agents SDK's E2B provider (@openai/agents-extensions, E2BSandboxClient) against
// Perpetua, without any model or OpenAI key: a session is created on a workspace, runs
// commands, reads and lists its files, persists its workspace as an archive, shuts down with
// pauseOnExit, and is resumed from its serialized state with the same process still alive.
import assert from 'node:assert/strict'
import { E2BSandboxClient } from '@openai/agents-extensions/sandbox/e2b'
import { Manifest } from '@openai/agents-core/sandbox'

const client = new E2BSandboxClient({ pauseOnExit: true, timeout: 600 })
const session = await client.create({ manifest: new Manifest({ root: '/workspace' }) })
const sandboxId = session.state.sandboxId
assert.match(sandboxId, /^sb[a-z2-7]{14}$/)

const made = await session.execCommand({ cmd: 'echo hello > notes.txt && mkdir -p src && echo "print(1)" > src/app.py && pwd' })
assert.match(made, /Process exited with code 0/)
assert.match(made, /\/workspace/)
assert.equal(new TextDecoder().decode(await session.readFile({ path: 'notes.txt' })), 'hello\n')
assert.ok(await session.pathExists('src/app.py'))
assert.ok(await session.directoryExists('src'))
const listing = await session.execCommand({ cmd: 'ls -1' })
assert.match(listing, /notes\.txt\nsrc\n/)

const started = await session.execCommand({ cmd: 'nohup python3 -c "import time; time.sleep(3600)" >/dev/null 2>&1 & echo $!' })
const pid = started.match(/Output:\n(\d+)/)[1]
const archive = await session.persistWorkspace()
assert.ok(archive.length > 1000, `the workspace archive has ${archive.length} bytes`)

const state = JSON.parse(JSON.stringify(await client.serializeSessionState(session.state)))
await session.close()
assert.equal(client.canPersistOwnedSessionState(session.state), true, 'closed with pauseOnExit, it can be resumed')

const restored = await client.resume(await client.deserializeSessionState(state))
assert.equal(restored.state.sandboxId, sandboxId, 'resumed, not recreated')
const after = await restored.execCommand({ cmd: `cat notes.txt; kill -0 ${pid} && echo "${pid} alive"` })
assert.match(after, /hello\n/)
assert.match(after, new RegExp(`${pid} alive`), 'the process started before the pause is still running')
await restored.hydrateWorkspace(archive)
assert.equal(new TextDecoder().decode(await restored.readFile({ path: 'src/app.py' })), 'print(1)\n')
await restored.delete()
console.log('agents: ok')
