// A Perpetua template used as E2B uses its templates: Sandbox.create(name) gives a sandbox that
// is a copy of the template's saved state, with the server it started already answering.
// The test builds the template (TEMPLATE) through Perpetua's API before this runs.
import assert from 'node:assert/strict'
import { Sandbox } from 'e2b'

const template = process.env.TEMPLATE
const sbx = await Sandbox.create(template, { timeoutMs: 120_000, metadata: { from: 'template' } })
try {
  const info = await sbx.getInfo()
  assert.equal(info.templateId, template)
  const first = await sbx.commands.run(
    'python3 -c "import urllib.request; print(urllib.request.urlopen(\'http://127.0.0.1:8000/index.html\', timeout=5).read().decode().strip())"')
  assert.equal(first.stdout.trim(), 'hello-from-template', 'the first request is answered by the server the template captured')
  assert.equal((await sbx.files.read('/srv/index.html')).trim(), 'hello-from-template')
  assert.equal((await sbx.commands.run('echo $GREETING')).stdout.trim(), 'hi', "the template's environment")
} finally {
  await sbx.kill()
}
console.log('templates: ok')
