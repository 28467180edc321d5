// Reads lines "<topic hex> <payload hex>" on stdin and writes "<message-id hex>" per line, using
// the same message-id function as peer.mjs. Used by the Java differential test of MessageId.
import { createInterface } from 'node:readline'
import { messageId } from './lean-codec.mjs'

const out = []
const rl = createInterface({ input: process.stdin, crlfDelay: Infinity })
rl.on('line', (line) => {
  if (line.length === 0) return
  const [topicHex, dataHex = ''] = line.split(' ')
  const topic = Buffer.from(topicHex, 'hex').toString('utf8')
  out.push(Buffer.from(messageId(topic, Uint8Array.from(Buffer.from(dataHex, 'hex')))).toString('hex'))
})
rl.on('close', () => process.stdout.write(out.join('\n') + (out.length ? '\n' : '')))
