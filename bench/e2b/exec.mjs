// commands.run("true") through the real e2b SDK against our own POST /exec of the same command
// line (the SDK runs `/bin/bash -l -c true`) and of `true` alone, interleaved in one loop so
// that the machine's noise falls on all three alike. Prints the durations in ms as JSON.
import { Sandbox } from 'e2b'

const rounds = Number(process.env.ROUNDS ?? 20)
const url = process.env.E2B_API_URL
const key = process.env.E2B_API_KEY
const sbx = await Sandbox.create({ timeoutMs: 3_600_000 })
const exec = async (cmd) => {
  const answer = await fetch(`${url}/v1/sandboxes/${sbx.sandboxId}/exec`, {
    method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ cmd }) })
  if (answer.status !== 200) throw new Error(`exec answered ${answer.status}: ${await answer.text()}`)
  await answer.json()
}
const time = async (work) => { const start = performance.now(); await work(); return performance.now() - start }
const result = { sdk: [], execSameCommand: [], execTrue: [] }
for (let i = 0; i < 3; i++) {
  await sbx.commands.run('true'); await exec(['/bin/bash', '-l', '-c', 'true']); await exec(['true'])
}
for (let i = 0; i < rounds; i++) {
  result.sdk.push(await time(() => sbx.commands.run('true')))
  result.execSameCommand.push(await time(() => exec(['/bin/bash', '-l', '-c', 'true'])))
  result.execTrue.push(await time(() => exec(['true'])))
}
await sbx.kill()
console.log(JSON.stringify(result))
