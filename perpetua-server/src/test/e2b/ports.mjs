// A server in the sandbox reached as E2B clients reach it: by the host name getHost(port) gives
// (sent to the daemon's address, as a wildcard DNS name would), and in E2B_SANDBOX_URL mode by
// the E2b-Sandbox-Id and E2b-Sandbox-Port headers; public unless the creator said otherwise,
// then only with the traffic token; a paused sandbox answers 502 unless traffic resumes it.
import assert from 'node:assert/strict'
import http from 'node:http'
import { Sandbox } from 'e2b'

const api = new URL(process.env.E2B_API_URL)

/** A GET to the daemon, with the Host header and other headers given; resolves to {status, body}. */
function get (path, headers) {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: api.hostname, port: api.port, path, headers }, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk) => { body += chunk })
      response.on('end', () => resolve({ status: response.statusCode, body }))
    })
    request.on('error', reject)
    request.end()
  })
}

async function serve (sbx) {
  await sbx.files.write('/srv/hello.txt', 'hello from the sandbox\n')
  await sbx.commands.run('cd /srv && python3 -m http.server 8000', { background: true })
  for (let i = 0; i < 100; i++) {
    const probe = await sbx.commands.run('python3 -c "import urllib.request; urllib.request.urlopen(\'http://127.0.0.1:8000/\')"')
      .catch(() => null)
    if (probe) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error('the server in the sandbox did not come up')
}

const open = await Sandbox.create({ timeoutMs: 300_000 })
const closed = await Sandbox.create({ timeoutMs: 300_000, network: { allowPublicTraffic: false } })
try {
  await serve(open)
  const host = open.getHost(8000)
  assert.match(host, new RegExp(`^8000-${open.sandboxId}\\.`), `getHost names the port and the sandbox: ${host}`)
  const byHost = await get('/hello.txt', { Host: host })
  assert.equal(byHost.status, 200, byHost.body)
  assert.equal(byHost.body, 'hello from the sandbox\n')
  const byHeaders = await get('/hello.txt', { 'E2b-Sandbox-Id': open.sandboxId, 'E2b-Sandbox-Port': '8000' })
  assert.equal(byHeaders.body, 'hello from the sandbox\n')
  const nothing = await get('/', { Host: open.getHost(8001) })
  assert.ok(nothing.status >= 500, `nothing listens on 8001: ${nothing.status} ${nothing.body}`)

  await serve(closed)
  assert.ok(closed.trafficAccessToken, 'a sandbox with allowPublicTraffic: false has a traffic token')
  const refused = await get('/hello.txt', { Host: closed.getHost(8000) })
  assert.equal(refused.status, 403, refused.body)
  const wrong = await get('/hello.txt', { Host: closed.getHost(8000), 'e2b-traffic-access-token': 'not-the-token' })
  assert.equal(wrong.status, 403, wrong.body)
  const allowed = await get('/hello.txt', { Host: closed.getHost(8000), 'e2b-traffic-access-token': closed.trafficAccessToken })
  assert.equal(allowed.body, 'hello from the sandbox\n')

  assert.equal(await open.pause(), true)
  const paused = await get('/hello.txt', { Host: host })
  assert.equal(paused.status, 502, paused.body)
  const unknown = await get('/', { Host: '8000-sbaaaaaaaaaaaaaa.localhost' })
  assert.equal(unknown.status, 502, unknown.body)
  console.log('ports: ok')
} finally {
  await open.kill()
  await closed.kill()
}
