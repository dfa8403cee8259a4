/**
 * Child of import-weight.test.ts: imports the module named by argv[2] with a resolve hook that
 * records every module URL the import graph resolves (ESM and CommonJS through ESM), then prints
 * those of the Node-only libraries (sharp, cli-progress) as JSON.
 */
import { register } from 'node:module'
import { MessageChannel } from 'node:worker_threads'

const hooks = `
let port
export async function initialize(data) { port = data.port }
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context)
  port.postMessage(r.url)
  return r
}`
const { port1, port2 } = new MessageChannel()
const urls: string[] = []
port1.on('message', (u: string) => urls.push(u))
register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: { port: port2 }, transferList: [port2] })
await import(process.argv[2]!)
await new Promise((r) => setTimeout(r, 100))
port1.close()
process.stdout.write(JSON.stringify([...new Set(urls.filter((u) => /\/node_modules\/(sharp|cli-progress)\//.test(u)).map((u) => u.replace(/.*\/node_modules\//, '').split('/')[0]))]))
