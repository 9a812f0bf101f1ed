// envd's files against Perpetua, through the real SDK: write and read (text, bytes, several
// files at once, raw and gzipped bodies), list, exists, getInfo, makeDir, rename, remove, watchDir, and
// FileNotFoundError for a file that is not there.
import assert from 'node:assert/strict'
import { Sandbox, FileNotFoundError } from 'e2b'

const sbx = await Sandbox.create({ timeoutMs: 300_000 })
try {
  const written = await sbx.files.write('/tmp/e2b/note.txt', 'hello, files')
  assert.equal(written.path, '/tmp/e2b/note.txt')
  assert.equal(await sbx.files.read('/tmp/e2b/note.txt'), 'hello, files')
  const bytes = new Uint8Array([0, 1, 2, 250, 251, 255])
  await sbx.files.write('/tmp/e2b/data.bin', bytes.buffer)
  assert.deepEqual(await sbx.files.read('/tmp/e2b/data.bin', { format: 'bytes' }), bytes)
  const many = await sbx.files.write([{ path: '/tmp/e2b/a.txt', data: 'A' }, { path: '/tmp/e2b/b.txt', data: 'B' }])
  assert.deepEqual(many.map(f => f.path).sort(), ['/tmp/e2b/a.txt', '/tmp/e2b/b.txt'])
  assert.equal(await sbx.files.read('/tmp/e2b/b.txt'), 'B')
  await sbx.files.write('/tmp/e2b/raw.txt', 'a raw body', { useOctetStream: true })
  assert.equal(await sbx.files.read('/tmp/e2b/raw.txt'), 'a raw body')
  await sbx.files.write('/tmp/e2b/zipped.txt', 'x'.repeat(100_000), { gzip: true })
  assert.equal(await sbx.files.read('/tmp/e2b/zipped.txt'), 'x'.repeat(100_000))

  const entries = await sbx.files.list('/tmp/e2b')
  assert.deepEqual(entries.map(e => e.name).sort(), ['a.txt', 'b.txt', 'data.bin', 'note.txt', 'raw.txt', 'zipped.txt'])
  assert.ok(entries.every(e => e.type === 'file'))
  assert.equal(await sbx.files.exists('/tmp/e2b/note.txt'), true)
  assert.equal(await sbx.files.exists('/tmp/e2b/none'), false)
  const info = await sbx.files.getInfo('/tmp/e2b/note.txt')
  assert.equal(info.size, 12)
  assert.equal(info.type, 'file')

  assert.equal(await sbx.files.makeDir('/tmp/e2b/sub/deeper'), true)
  assert.equal(await sbx.files.makeDir('/tmp/e2b/sub/deeper'), false, 'an existing directory says false')
  assert.equal((await sbx.files.getInfo('/tmp/e2b/sub')).type, 'dir')
  const moved = await sbx.files.rename('/tmp/e2b/a.txt', '/tmp/e2b/sub/a.txt')
  assert.equal(moved.path, '/tmp/e2b/sub/a.txt')
  assert.equal(await sbx.files.exists('/tmp/e2b/a.txt'), false)
  const deep = await sbx.files.list('/tmp/e2b', { depth: 3 })
  assert.ok(deep.some(e => e.path === '/tmp/e2b/sub/deeper' && e.type === 'dir'))

  const events = []
  const watcher = await sbx.files.watchDir('/tmp/e2b', (event) => events.push(event))
  await new Promise(r => setTimeout(r, 500))
  await sbx.files.write('/tmp/e2b/watched.txt', 'changed')
  await sbx.files.remove('/tmp/e2b/b.txt')
  for (let i = 0; i < 100 && !(events.some(e => e.name === 'watched.txt') && events.some(e => e.name === 'b.txt')); i++) {
    await new Promise(r => setTimeout(r, 100))
  }
  await watcher.stop()
  assert.ok(events.some(e => e.name === 'watched.txt' && (e.type === 'create' || e.type === 'write')), JSON.stringify(events))
  assert.ok(events.some(e => e.name === 'b.txt' && e.type === 'remove'), JSON.stringify(events))

  await sbx.files.remove('/tmp/e2b/sub')
  assert.equal(await sbx.files.exists('/tmp/e2b/sub'), false)
  await assert.rejects(sbx.files.read('/tmp/e2b/missing.txt'), FileNotFoundError)
  await assert.rejects(sbx.files.list('/tmp/nowhere'), FileNotFoundError)
  await assert.rejects(sbx.files.rename('/tmp/nowhere', '/tmp/somewhere'), FileNotFoundError)
  console.log('files: ok')
} finally {
  await sbx.kill()
}
