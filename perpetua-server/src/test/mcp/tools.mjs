// Perpetua's MCP server through the official TypeScript client (@modelcontextprotocol/sdk), over
// streamable HTTP with an API key: every tool, the errors of bad input, and a refused key.
import assert from 'node:assert/strict'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'

const url = new URL('/mcp', process.env.PERPETUA_URL)
const key = process.env.PERPETUA_API_KEY

const refused = new Client({ name: 'no-key', version: '1.0.0' })
await assert.rejects(refused.connect(new StreamableHTTPClientTransport(url)), /401|nauthorized/)

const client = new Client({ name: 'perpetua-mcp-test', version: '1.0.0' })
await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: { Authorization: `Bearer ${key}` } } }))
const { tools } = await client.listTools()
assert.deepEqual(tools.map(t => t.name).sort(), ['create_sandbox', 'delete_sandbox', 'edit_file', 'exec', 'get_sandbox',
  'list_files', 'list_sandboxes', 'open_preview', 'process_logs', 'read_file', 'signal_process', 'standby_sandbox',
  'start_process', 'write_file'])
assert.ok(tools.every(t => t.inputSchema?.type === 'object' && t.description))

const call = async (name, args) => {
  const result = await client.callTool({ name, arguments: args })
  assert.ok(!result.isError, `${name} failed: ${JSON.stringify(result.content)}`)
  return result.structuredContent ?? JSON.parse(result.content[0].text)
}
const fails = async (name, args, pattern) => {
  const result = await client.callTool({ name, arguments: args }).catch(e => ({ isError: true, content: [{ text: String(e) }] }))
  assert.equal(result.isError, true, `${name} ${JSON.stringify(args)} should fail`)
  assert.match(result.content[0].text, pattern)
}

const sandbox = await call('create_sandbox', { labels: { made: 'mcp' } })
const id = sandbox.id
assert.match(id, /^sb[a-z2-7]{14}$/)
assert.equal(sandbox.state, 'running')
assert.ok((await call('list_sandboxes', {})).sandboxes.some(s => s.id === id))

const ran = await call('exec', { id, command: 'echo "$GREETING world"; echo oops >&2; exit 3', env: { GREETING: 'hello' } })
assert.deepEqual([ran.exitCode, ran.stdout, ran.stderr], [3, 'hello world\n', 'oops\n'])
assert.equal((await call('exec', { id, cmd: ['python3', '-c', 'print(6*7)'] })).stdout, '42\n')

await call('write_file', { id, path: '/root/app/main.py', content: 'print("hi")\nprint("hi")\n' })
assert.equal((await call('read_file', { id, path: '/root/app/main.py' })).content, 'print("hi")\nprint("hi")\n')
await fails('edit_file', { id, path: '/root/app/main.py', oldString: 'print("hi")', newString: 'print("bye")' }, /appears 2 times/)
await fails('edit_file', { id, path: '/root/app/main.py', oldString: 'nowhere', newString: 'x' }, /does not appear/)
assert.equal((await call('edit_file', { id, path: '/root/app/main.py', oldString: 'print("hi")\nprint', newString: 'x = 1\nprint' })).replacements, 1)
assert.equal((await call('read_file', { id, path: '/root/app/main.py' })).content, 'x = 1\nprint("hi")\n')
assert.deepEqual((await call('list_files', { id, path: '/root/app' })).entries.map(e => e.path), ['/root/app/main.py'])

const server = await call('start_process', { id, command: 'echo serving; exec python3 -m http.server 8000', name: 'web' })
assert.equal(server.status, 'running')
let logs
for (let i = 0; i < 100; i++) {
  logs = await call('process_logs', { id, processId: server.processId })
  if (logs.stdout.includes('serving')) break
  await new Promise(r => setTimeout(r, 100))
}
assert.match(logs.stdout, /serving/)
const preview = await call('open_preview', { id, port: 8000 })
assert.match(preview.url, /\/preview\/[^/]+\/$/)
let page
for (let i = 0; i < 100; i++) {
  page = await fetch(preview.url).catch(() => null)
  if (page?.status === 200) break
  await new Promise(r => setTimeout(r, 100))
}
assert.equal(page.status, 200, 'the preview URL reaches the server in the sandbox')
assert.equal((await call('signal_process', { id, processId: server.processId, signal: 'KILL' })).processId, server.processId)

assert.equal((await call('standby_sandbox', { id })).state, 'standby')
assert.equal((await call('get_sandbox', { id })).state, 'standby', 'reading it does not wake it')
assert.equal((await call('exec', { id, command: 'cat /root/app/main.py' })).stdout, 'x = 1\nprint("hi")\n', 'a call wakes it')

await fails('exec', { id }, /command/)
await fails('exec', { id, command: 'true', cmd: ['true'] }, /either/)
await fails('exec', { id: 'not-an-id', command: 'true' }, /id/)
await fails('exec', { id: 'sbaaaaaaaaaaaaaa', command: 'true' }, /not_found|not found/)
await fails('read_file', { id, path: 'relative/path' }, /absolute/)
await fails('read_file', { id, path: '/no/such/file' }, /not_found|no such file/)
await fails('exec', { id, command: 42 }, /invalid|command|string/i)
await fails('create_sandbox', { unknown: true }, /invalid|unknown|additional/i)
await fails('open_preview', { id, port: 70000 }, /invalid|port|maximum/i)

assert.equal((await call('delete_sandbox', { id })).deleted, id)
await fails('get_sandbox', { id }, /not_found|not found/)
await client.close()
console.log('tools: ok')
