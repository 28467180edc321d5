// lean-p2p js interop peer: a js-libp2p 3 node driven by JSON lines on stdin/stdout.
// Protocol: docs/peer-protocol.md (shared with `lean-p2p peer`); test extras: README.md here.
// stdout carries JSON lines only (one per event, written synchronously); logs go to stderr.
import './polyfill.mjs' // must come first: Promise.withResolvers on Node 20
import { createHash, randomBytes } from 'node:crypto'
import { setMaxListeners } from 'node:events'
import { createInterface } from 'node:readline'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { quic } from '@chainsafe/libp2p-quic'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { gossipsub } from '@libp2p/gossipsub'
import { generateKeyPair, privateKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import {
  MAX_PAYLOAD_SIZE, CodecError, PayloadDecoder, encodeRequest, encodeResponseChunk, messageId,
  trySnappyDecompress
} from './lean-codec.mjs'

const STATUS_PROTOCOL = '/leanconsensus/req/status/1/ssz_snappy'
const ECHO_PROTOCOL = '/leanp2p/test/echo/1.0.0'
const AGENT_VERSION = 'lean-p2p-js-interop-peer/0.1.0'
const DEFAULT_TIMEOUT_MS = 10_000
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024 // `request`: all chunks of one response together

// ------------------------------------------------------------------ output

function emit (obj) {
  // process.stdout on a pipe or file is synchronous on Linux: each line is flushed at once
  process.stdout.write(JSON.stringify(obj) + '\n')
}

function log (...args) {
  console.error(new Date().toISOString(), '[js-peer]', ...args)
}

const nowMs = () => Number(process.hrtime.bigint()) / 1e6 // CLOCK_MONOTONIC, sub-ms
const hex = (u) => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('hex')
const sha256Hex = (u) => createHash('sha256').update(u).digest('hex')

function withId (cmd, obj) {
  if (cmd != null && cmd.id !== undefined) obj.id = cmd.id
  return obj
}

// ------------------------------------------------------------------ arguments

function parseArgs (argv) {
  const o = { tcpPort: '0', quicPort: '0', topics: [], keyHex: null, statusMode: 'echo', connectionMonitor: 'on' }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const next = () => {
      if (i + 1 >= argv.length) throw new Error('missing value for ' + a)
      return argv[++i]
    }
    if (a === '--tcp-port') o.tcpPort = next()
    else if (a === '--quic-port') o.quicPort = next()
    else if (a === '--topics') o.topics = next().split(',').filter((t) => t.length > 0)
    else if (a === '--key-hex') o.keyHex = next()
    else if (a === '--status-mode') o.statusMode = next()
    else if (a === '--connection-monitor') o.connectionMonitor = next()
    else log('ignoring argument', a) // a driver may put its own arguments first
  }
  for (const [name, v] of [['--tcp-port', o.tcpPort], ['--quic-port', o.quicPort]]) {
    if (v !== 'off' && !/^\d+$/.test(v)) throw new Error(name + ' must be a port number or off')
  }
  if (!['echo', 'silent', 'extra-chunk'].includes(o.statusMode)) throw new Error('--status-mode must be echo, silent or extra-chunk')
  if (!['on', 'off'].includes(o.connectionMonitor)) throw new Error('--connection-monitor must be on or off')
  if (o.keyHex != null && !/^[0-9a-fA-F]{64}$/.test(o.keyHex)) throw new Error('--key-hex must be 32 bytes of hex')
  return o
}

// ------------------------------------------------------------------ helpers

function parsePeer (s) {
  if (typeof s !== 'string' || s.length === 0) throw new Error('missing "peer"')
  return s.startsWith('/') ? multiaddr(s) : peerIdFromString(s)
}

function peerIdOf (target) {
  if (target.toMultihash != null) return target // a PeerId
  const id = target.getComponents().filter((c) => c.name === 'p2p').map((c) => c.value).pop()
  if (id == null) throw new Error('multiaddr has no /p2p/ component: ' + target.toString())
  return peerIdFromString(id)
}

function requireHexOrSize (cmd) {
  if (typeof cmd.dataHex === 'string') {
    if (!/^([0-9a-fA-F]{2})*$/.test(cmd.dataHex)) throw new Error('dataHex is not hex')
    return Uint8Array.from(Buffer.from(cmd.dataHex, 'hex'))
  }
  return null
}

function timeoutSignal (cmd) {
  const ms = Number.isFinite(cmd.timeoutMs) ? cmd.timeoutMs : DEFAULT_TIMEOUT_MS
  const signal = AbortSignal.timeout(ms)
  setMaxListeners(Infinity, signal) // one signal spans many dials (echo streams)
  return signal
}

/** Sends bytes on a libp2p 3 stream in 64 KiB slices, waiting for drain under backpressure. */
async function sendAll (stream, bytes, signal) {
  for (let off = 0; off < bytes.length; off += 65536) {
    if (!stream.send(bytes.subarray(off, Math.min(bytes.length, off + 65536)))) {
      await stream.onDrain({ signal })
    }
  }
}

function toBytes (chunk) {
  return chunk instanceof Uint8Array ? chunk : chunk.subarray()
}

/** Resolves with the first decoded payload of `decoder` read from `stream`; never waits for EOF. */
function readPayload (stream, decoder, signal) {
  return new Promise((resolve, reject) => {
    let done = false
    const finish = (fn, v) => {
      if (done) return
      done = true
      stream.removeEventListener('message', onMessage)
      stream.removeEventListener('remoteCloseWrite', onEnd)
      stream.removeEventListener('close', onClose)
      signal?.removeEventListener('abort', onAbort)
      fn(v)
    }
    const onMessage = (evt) => {
      try {
        const r = decoder.push(toBytes(evt.data))
        if (r != null) finish(resolve, r)
      } catch (e) {
        finish(reject, e)
      }
    }
    const onEnd = () => {
      try {
        finish(resolve, decoder.finish())
      } catch (e) {
        finish(reject, e)
      }
    }
    const onClose = (evt) => (evt.error != null ? finish(reject, evt.error) : onEnd())
    const onAbort = () => finish(reject, new Error('timed out'))
    stream.addEventListener('message', onMessage)
    stream.addEventListener('remoteCloseWrite', onEnd)
    stream.addEventListener('close', onClose)
    signal?.addEventListener('abort', onAbort)
  })
}

// ------------------------------------------------------------------ main

async function main () {
  let opts
  try {
    opts = parseArgs(process.argv.slice(2))
  } catch (e) {
    emit({ event: 'error', cmd: 'start', error: e.message })
    process.exit(2)
  }

  const privateKey = opts.keyHex != null
    ? privateKeyFromRaw(Uint8Array.from(Buffer.from(opts.keyHex, 'hex')))
    : await generateKeyPair('secp256k1')

  const listen = []
  if (opts.tcpPort !== 'off') listen.push(`/ip4/127.0.0.1/tcp/${opts.tcpPort}`)
  if (opts.quicPort !== 'off') listen.push(`/ip4/127.0.0.1/udp/${opts.quicPort}/quic-v1`)

  const node = await createLibp2p({
    privateKey,
    addresses: { listen },
    transports: [tcp(), quic()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: {
      inboundConnectionThreshold: 1000,
      maxIncomingPendingConnections: 100,
      maxConnections: 1000
    },
    nodeInfo: { userAgent: AGENT_VERSION },
    // js pings every connection every 10 s on /ipfs/ping/1.0.0 and aborts it when that fails
    // (an `na` answer is tolerated); `--connection-monitor off` disables this
    connectionMonitor: { enabled: opts.connectionMonitor === 'on' },
    services: {
      identify: identify({ agentVersion: AGENT_VERSION }),
      ping: ping({ maxInboundStreams: 64, maxOutboundStreams: 64 }),
      pubsub: gossipsub({
        globalSignaturePolicy: 'StrictNoSign',
        D: 8,
        Dlo: 6,
        Dhi: 12,
        Dlazy: 6,
        heartbeatInterval: 700,
        mcacheLength: 6,
        mcacheGossip: 3,
        allowPublishToZeroTopicPeers: true,
        emitSelf: false,
        floodPublish: false,
        msgIdFn: (msg) => messageId(msg.topic, msg.data ?? new Uint8Array(0)),
        msgIdToStrFn: (id) => Buffer.from(id).toString('hex'),
        fastMsgIdFn: undefined,
        maxInboundDataLength: MAX_PAYLOAD_SIZE,
        // Ethereum clients speak meshsub only (leanSpec serves exactly /meshsub/1.2.0)
        fallbackToFloodsub: false,
        // every test peer is on 127.0.0.1: IP colocation scoring would graylist the 11th one
        scoreParams: { IPColocationFactorWeight: 0 }
      })
    }
  })
  const pubsub = node.services.pubsub

  // ---------------------------------------------------------------- events
  node.addEventListener('connection:open', (evt) => {
    const c = evt.detail
    emit({ event: 'connected', peer: c.remotePeer.toString(), addr: c.remoteAddr.toString(), direction: c.direction })
  })
  node.addEventListener('connection:close', (evt) => {
    const c = evt.detail
    emit({ event: 'disconnected', peer: c.remotePeer.toString(), addr: c.remoteAddr.toString(), direction: c.direction })
  })
  pubsub.addEventListener('subscription-change', (evt) => {
    for (const s of evt.detail.subscriptions) {
      emit({ event: 'subscription', peer: evt.detail.peerId.toString(), topic: s.topic, subscribed: s.subscribe })
    }
  })
  pubsub.addEventListener('gossipsub:graft', (evt) => {
    emit({ event: 'graft', peer: evt.detail.peerId.toString(), topic: evt.detail.topic, direction: evt.detail.direction })
  })
  pubsub.addEventListener('gossipsub:prune', (evt) => {
    emit({ event: 'prune', peer: evt.detail.peerId.toString(), topic: evt.detail.topic, direction: evt.detail.direction })
  })
  pubsub.addEventListener('gossipsub:message', (evt) => {
    const ts = nowMs()
    const { propagationSource, msgId, msg } = evt.detail
    const data = msg.data ?? new Uint8Array(0)
    emit({ event: 'message', topic: msg.topic, len: data.length, sha256: sha256Hex(data), msgId, from: propagationSource.toString(), ts })
  })

  // ---------------------------------------------------------------- protocol handlers
  await node.handle(STATUS_PROTOCOL, (stream, connection) => {
    serveStatus(stream, connection, opts.statusMode).catch((e) => {
      log('status handler:', e.message)
      stream.abort(e)
    })
  }, { maxInboundStreams: 256, maxOutboundStreams: 256 })
  await node.handle(ECHO_PROTOCOL, (stream) => {
    serveEcho(stream).catch((e) => {
      log('echo handler:', e.message)
      stream.abort(e)
    })
  }, { maxInboundStreams: 256, maxOutboundStreams: 256 })

  for (const t of opts.topics) pubsub.subscribe(t)

  // ---------------------------------------------------------------- commands
  let publishCounter = 0n
  const nonce = randomBytes(8)

  function sizedPayload (size) {
    if (!Number.isInteger(size) || size < 16 || size > MAX_PAYLOAD_SIZE) throw new Error('size must be an integer in [16, 10485760]')
    for (;;) {
      const p = new Uint8Array(size)
      new DataView(p.buffer).setBigUint64(0, publishCounter++, true)
      p.set(nonce, 8)
      p.set(randomBytes(size - 16), 16)
      if (trySnappyDecompress(p) == null) return p // never valid snappy (practically always true)
    }
  }

  const commands = {
    async dial (cmd) {
      if (typeof cmd.addr !== 'string') throw new Error('missing "addr"')
      if (cmd.persistent !== undefined && typeof cmd.persistent !== 'boolean') throw new Error('"persistent" must be true or false')
      const conn = await node.dial(multiaddr(cmd.addr), { signal: timeoutSignal(cmd) })
      if (cmd.persistent) {
        // js-libp2p's reconnect queue redials peers tagged keep-alive when they disconnect
        await node.peerStore.merge(conn.remotePeer, { tags: { 'keep-alive': { value: 1 } } })
      }
      return { event: 'dialed', peer: conn.remotePeer.toString(), addr: conn.remoteAddr.toString() }
    },
    async publish (cmd) {
      if (typeof cmd.topic !== 'string') throw new Error('missing "topic"')
      const ts = nowMs()
      let data = requireHexOrSize(cmd)
      if (data == null) {
        if (cmd.size === undefined) throw new Error('publish needs "dataHex" or "size"')
        data = sizedPayload(cmd.size)
      }
      if (data.length > MAX_PAYLOAD_SIZE) throw new Error('payload over 10 MiB')
      const id = messageId(cmd.topic, data)
      const r = await pubsub.publish(cmd.topic, data)
      return {
        event: 'published',
        topic: cmd.topic,
        len: data.length,
        sha256: sha256Hex(data),
        msgId: hex(id),
        ts,
        recipients: r.recipients.map((p) => p.toString())
      }
    },
    async ping (cmd) {
      const target = parsePeer(cmd.peer)
      const t0 = nowMs()
      const rtt = await node.services.ping.ping(target, { signal: timeoutSignal(cmd) })
      const wallMs = nowMs() - t0
      return { event: 'ping', peer: peerIdOf(target).toString(), rttMs: rtt, wallMs }
    },
    async status (cmd) {
      const target = parsePeer(cmd.peer)
      const payload = requireHexOrSize(cmd) ?? new Uint8Array(0)
      const signal = timeoutSignal(cmd)
      const t0 = nowMs()
      const stream = await node.dialProtocol(target, STATUS_PROTOCOL, { signal })
      try {
        const reading = readPayload(stream, new PayloadDecoder({ withCode: true }), signal)
        await sendAll(stream, encodeRequest(payload), signal)
        if (cmd.noClose !== true) await stream.close({ signal })
        const r = await reading
        const wallMs = nowMs() - t0
        return {
          event: 'status-response',
          peer: peerIdOf(target).toString(),
          result: r.code,
          len: r.payload.length,
          dataHex: hex(r.payload),
          sha256: sha256Hex(r.payload),
          wallMs
        }
      } finally {
        if (stream.status === 'open') {
          stream.close().catch(() => stream.abort(new Error('closing')))
        }
      }
    },
    async request (cmd) {
      // test extra: any req/resp protocol; reads every response chunk until the responder closes
      const target = parsePeer(cmd.peer)
      if (typeof cmd.protocol !== 'string') throw new Error('missing "protocol"')
      const payload = requireHexOrSize(cmd) ?? new Uint8Array(0)
      const signal = timeoutSignal(cmd)
      const t0 = nowMs()
      const stream = await node.dialProtocol(target, cmd.protocol, { signal })
      try {
        const reading = readToEnd(stream, MAX_RESPONSE_BYTES, signal)
        reading.catch(() => {})
        await sendAll(stream, encodeRequest(payload), signal)
        await stream.close({ signal })
        let rest = await reading
        const chunks = []
        while (rest.length > 0) {
          const r = new PayloadDecoder({ withCode: true }).push(rest)
          if (r == null) throw new CodecError('TRUNCATED', `response chunk ${chunks.length} is truncated`)
          chunks.push({ result: r.code, len: r.payload.length, dataHex: hex(r.payload) })
          rest = r.rest
        }
        return { event: 'response', peer: peerIdOf(target).toString(), protocol: cmd.protocol, chunks, wallMs: nowMs() - t0 }
      } finally {
        if (stream.status === 'open') stream.abort(new Error('request finished'))
      }
    },
    async subscribe (cmd) {
      if (typeof cmd.topic !== 'string') throw new Error('missing "topic"')
      pubsub.subscribe(cmd.topic)
      return { event: 'subscribed', topic: cmd.topic }
    },
    async unsubscribe (cmd) {
      if (typeof cmd.topic !== 'string') throw new Error('missing "topic"')
      pubsub.unsubscribe(cmd.topic)
      return { event: 'unsubscribed', topic: cmd.topic }
    },
    async info () {
      const topics = {}
      const all = new Set([...pubsub.getTopics(), ...(pubsub.topics?.keys?.() ?? [])])
      for (const t of all) topics[t] = pubsub.getSubscribers(t).map((p) => p.toString())
      return {
        event: 'info',
        peerId: node.peerId.toString(),
        addrs: node.getMultiaddrs().map((a) => a.toString()),
        peers: node.getPeers().map((p) => p.toString()),
        topics
      }
    },
    async echo (cmd) {
      const target = parsePeer(cmd.peer)
      const size = cmd.size ?? 1024
      const streams = cmd.streams ?? 1
      if (!Number.isInteger(size) || size < 0 || size > 64 * 1024 * 1024) throw new Error('size must be an integer in [0, 64 MiB]')
      if (!Number.isInteger(streams) || streams < 1 || streams > 10000) throw new Error('streams must be an integer in [1, 10000]')
      const signal = timeoutSignal({ timeoutMs: cmd.timeoutMs ?? 60_000 })
      const t0 = nowMs()
      let bytes = 0
      let done = 0
      try {
        for (let i = 0; i < streams; i++) {
          const data = randomBytes(size)
          const got = await echoOnce(target, data, signal)
          if (Buffer.compare(got, data) !== 0) throw new Error(`stream ${i}: echoed ${got.length} bytes differ from the ${size} sent`)
          bytes += size
          done++
        }
        return { event: 'echo', peer: peerIdOf(target).toString(), streams: done, bytes, ok: true, wallMs: nowMs() - t0 }
      } catch (e) {
        return { event: 'echo', peer: peerIdOf(target).toString(), streams: done, bytes, ok: false, error: String(e.message ?? e), wallMs: nowMs() - t0 }
      }
    },
    async identify (cmd) {
      const pid = peerIdOf(parsePeer(cmd.peer))
      const conn = node.getConnections(pid)[0]
      if (conn == null) throw new Error('not connected to ' + pid.toString())
      let r
      try {
        r = await node.services.identify.identify(conn, { signal: timeoutSignal(cmd) })
      } catch (e) {
        log('identify request failed, using the peer store:', e.message)
        const p = await node.peerStore.get(pid)
        const agent = p.metadata.get('AgentVersion')
        r = {
          protocols: p.protocols,
          agentVersion: agent != null ? new TextDecoder().decode(agent) : undefined,
          listenAddrs: p.addresses.map((a) => a.multiaddr),
          observedAddr: undefined
        }
      }
      return {
        event: 'identify',
        peer: pid.toString(),
        protocols: r.protocols ?? [],
        agentVersion: r.agentVersion ?? null,
        listenAddrs: (r.listenAddrs ?? []).map((a) => a.toString()),
        observedAddr: r.observedAddr != null ? r.observedAddr.toString() : null
      }
    },
    async hangup (cmd) {
      const pid = peerIdOf(parsePeer(cmd.peer))
      await node.hangUp(pid, { signal: timeoutSignal(cmd) })
      return { event: 'hungup', peer: pid.toString() }
    },
    async 'set-status-mode' (cmd) {
      if (!['echo', 'silent', 'extra-chunk'].includes(cmd.mode)) throw new Error('mode must be echo, silent or extra-chunk')
      opts.statusMode = cmd.mode
      return { event: 'status-mode', mode: cmd.mode }
    },
    async stop (cmd) {
      await shutdown(0, cmd)
      return null
    }
  }

  async function echoOnce (target, data, signal) {
    const stream = await node.dialProtocol(target, ECHO_PROTOCOL, { signal })
    const chunks = []
    let received = 0
    const reading = (async () => {
      for await (const c of stream) {
        const b = toBytes(c)
        received += b.length
        if (received > data.length) throw new Error('echo returned more bytes than sent')
        chunks.push(Buffer.from(b))
      }
    })()
    reading.catch(() => {})
    await sendAll(stream, data, signal)
    await stream.close({ signal })
    let onAbort
    try {
      await Promise.race([reading, new Promise((resolve, reject) => {
        onAbort = () => reject(new Error('timed out'))
        if (signal.aborted) onAbort()
        signal.addEventListener('abort', onAbort)
      })])
    } finally {
      signal.removeEventListener('abort', onAbort)
      if (stream.status === 'open') stream.abort(new Error('echo finished'))
    }
    return Buffer.concat(chunks)
  }

  /** Every byte of `stream` until the remote closes its write side (at most `max` bytes). */
  async function readToEnd (stream, max, signal) {
    const chunks = []
    let received = 0
    const reading = (async () => {
      for await (const c of stream) {
        const b = toBytes(c)
        received += b.length
        if (received > max) throw new Error(`response over ${max} bytes`)
        chunks.push(Buffer.from(b))
      }
    })()
    let onAbort
    try {
      await Promise.race([reading, new Promise((resolve, reject) => {
        onAbort = () => reject(new Error('timed out'))
        if (signal.aborted) onAbort()
        signal.addEventListener('abort', onAbort)
      })])
    } finally {
      signal.removeEventListener('abort', onAbort)
    }
    return Uint8Array.from(Buffer.concat(chunks))
  }

  async function serveEcho (stream) {
    for await (const c of stream) {
      if (!stream.send(toBytes(c))) await stream.onDrain()
    }
    await stream.close()
  }

  async function serveStatus (stream, connection, mode) {
    const decoder = new PayloadDecoder()
    let r
    try {
      r = await readPayload(stream, decoder, AbortSignal.timeout(DEFAULT_TIMEOUT_MS))
    } catch (e) {
      if (e instanceof CodecError) {
        log('bad status request:', e.message)
        stream.send(encodeResponseChunk(1, new TextEncoder().encode(e.message).subarray(0, 256)))
        await stream.close()
        return
      }
      throw e
    }
    emit({ event: 'status-request', peer: connection.remotePeer.toString(), len: r.payload.length, sha256: sha256Hex(r.payload) })
    if (mode === 'silent') return // never answer; the requester must time out
    const chunk = encodeResponseChunk(0, r.payload)
    await sendAll(stream, chunk)
    if (mode === 'extra-chunk') await sendAll(stream, chunk)
    await stream.close()
  }

  // ---------------------------------------------------------------- stdin loop
  let stopping = false
  async function shutdown (code, cmd) {
    if (stopping) return
    stopping = true
    try {
      await Promise.race([node.stop(), new Promise((resolve) => setTimeout(resolve, 3000))])
    } catch (e) {
      log('stop failed:', e.message)
    }
    emit(withId(cmd, { event: 'stopped' }))
    process.exit(code)
  }
  process.on('SIGINT', () => shutdown(0))
  process.on('SIGTERM', () => shutdown(0))

  async function handleLine (line) {
    if (line.trim().length === 0) return
    let cmd
    try {
      cmd = JSON.parse(line)
    } catch (e) {
      emit({ event: 'error', cmd: null, error: 'malformed JSON line: ' + e.message })
      return
    }
    if (cmd == null || typeof cmd !== 'object' || Array.isArray(cmd)) {
      emit({ event: 'error', cmd: null, error: 'a command must be a JSON object' })
      return
    }
    const name = cmd.cmd
    const fn = typeof name === 'string' && Object.hasOwn(commands, name) ? commands[name] : null
    if (fn == null) {
      emit(withId(cmd, { event: 'error', cmd: name ?? null, error: 'unknown command: ' + JSON.stringify(name) }))
      return
    }
    try {
      const result = await fn(cmd)
      if (result != null) emit(withId(cmd, result))
    } catch (e) {
      log(`command ${name} failed:`, e)
      emit(withId(cmd, { event: 'error', cmd: name, error: `${e.name ?? 'Error'}: ${e.message ?? e}` }))
    }
  }

  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity })
  const inFlight = new Set()
  rl.on('line', (line) => { // commands run concurrently; each answers by id
    const p = handleLine(line)
    inFlight.add(p)
    p.finally(() => inFlight.delete(p))
  })
  rl.on('close', async () => { // end of stdin: let running commands answer (bounded), then stop
    await Promise.race([Promise.allSettled([...inFlight]), new Promise((resolve) => setTimeout(resolve, 30_000))])
    await shutdown(0)
  })

  emit({
    event: 'listening',
    addrs: node.getMultiaddrs().map((a) => a.toString()),
    peerId: node.peerId.toString(),
    keyHex: hex(privateKey.raw),
    topics: opts.topics
  })
  log('listening', node.getMultiaddrs().map((a) => a.toString()).join(' '))
}

// a test peer keeps running through errors inside libraries; they are logged to stderr
process.on('unhandledRejection', (e) => log('unhandled rejection:', e))
process.on('uncaughtException', (e) => log('uncaught exception:', e))
main().catch((e) => {
  log('fatal:', e)
  emit({ event: 'error', cmd: 'start', error: String(e.message ?? e) })
  process.exit(1)
})
