// Offline self-check of lean-codec.mjs against leanSpec vectors (leanspec-networking.md).
// Run: node codec-check.mjs   (exit code 0 = all vectors match)
// With a leanSpec fixtures folder (argument 1 or $LEANSPEC_FIXTURES) it also checks every
// snappy / frame / req-resp / message-id case there and prints "fixtures: N cases OK".
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import {
  messageId, messageIdRaw, crc32c, maskedCrc32c, encodeRequest, encodeResponseChunk, PayloadDecoder,
  snappyCompress, snappyDecompressStrict, trySnappyDecompress, concat, framedCompress, framedDecompress,
  encodeUvarint
} from './lean-codec.mjs'

const hex = (u) => Buffer.from(u).toString('hex')
const unhex = (s) => Uint8Array.from(Buffer.from(s, 'hex'))

// message-id vectors (section 3.6); 'deadbeef' is not valid snappy → INVALID domain
const T = '/leanconsensus/12345678/block/ssz_snappy'
assert.equal(hex(messageId(T, unhex('deadbeef'))), '2aff5124db8064dd9ddcdd7fc251397ab02527c7')
assert.equal(hex(messageId('test_topic', unhex('deadbeef'))), '8dc6bba09a9550cdccb1b1b432bb04919901ce1e')
// VALID domain: compressed payload whose decompression is deadbeef
assert.equal(hex(messageId(T, snappyCompress(unhex('deadbeef')))), '8505fa518a9a5bb8376e4aba7bce5eae12a3dd48')
assert.equal(hex(messageId(T, unhex('00'))), 'dec01e3e1997dcc2c46c0633116bc6a4ee521086')
assert.equal(hex(messageId('', snappyCompress(unhex('deadbeef')))), '285f038cae99a63f9861ed5868790bf251ee0904')
assert.equal(hex(messageId('', unhex('00'))), 'ca888f40c3caca805b37a5434c75de5550616e07')

// strictness: trailing bytes and short output are invalid (snappyjs would accept them)
assert.equal(trySnappyDecompress(unhex('00dead')), null)
assert.equal(trySnappyDecompress(unhex('0500aa')), null) // declares 5, produces 1
assert.equal(trySnappyDecompress(unhex('')), null)
assert.equal(trySnappyDecompress(unhex('0105aa')), null) // copy with offset > output
assert.deepEqual(snappyDecompressStrict(unhex('0100aa')), unhex('aa'))

// CRC32C (section 4.3)
assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa)
assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43)
const m = Buffer.alloc(4); m.writeUInt32LE(maskedCrc32c(new Uint8Array(32))); assert.equal(m.toString('hex'), 'faffd70f')

// framing vectors (section 4.2 / 4.3)
assert.equal(hex(encodeRequest(unhex('01020304'))), '04ff060000734e61507059010800' + '00393d6bbc01020304'.slice(0))
assert.equal(hex(concat([encodeResponseChunk(0, unhex('deadbeef')), encodeResponseChunk(0, unhex('cafebabe'))])),
  '0004ff060000734e6150705901080000' + '90cea091deadbeef' + '0004ff060000734e6150705901080000' + '47925c87cafebabe')
assert.equal(hex(encodeRequest(new Uint8Array(0))), '00ff060000734e61507059')

// incremental decoding at every cut, over payloads of several sizes
for (const size of [0, 1, 84, 65536, 65537, 200000]) {
  const payload = size % 2 ? randomBytes(size) : new Uint8Array(size).fill(7)
  const wire = concat([encodeResponseChunk(0, payload), Uint8Array.of(0xee)])
  const cuts = size <= 84 ? [...Array(wire.length).keys()] : [1, 2, 3, 11, 17, 1000, wire.length - 2]
  for (const cut of cuts) {
    const d = new PayloadDecoder({ withCode: true })
    let r = d.push(wire.subarray(0, cut))
    const early = r != null // a 0-length payload completes right after its varint
    if (r == null) r = d.push(wire.subarray(cut))
    assert.ok(r, 'size ' + size + ' cut ' + cut)
    assert.equal(r.code, 0)
    assert.deepEqual(Buffer.from(r.payload), Buffer.from(payload))
    if (!early) assert.equal(hex(r.rest), 'ee')
    else assert.ok(size === 0 || cut === wire.length - 1)
  }
}
// over-limit declared length is rejected before decompressing
assert.throws(() => new PayloadDecoder().push(unhex('81808005')), /declared length/)
// CRC mismatch
const bad = encodeRequest(unhex('01020304')); bad[15] ^= 1
assert.throws(() => new PayloadDecoder().push(bad), /CRC/)
console.log('codec-check: all vectors OK')

// ---------------------------------------------------------------- leanSpec fixtures (optional)
const fixturesRoot = process.argv[2] ?? process.env.LEANSPEC_FIXTURES
if (fixturesRoot != null) {
  const x = (s) => Uint8Array.from(Buffer.from(s.startsWith('0x') ? s.slice(2) : s, 'hex'))
  const files = []
  const walk = (d) => {
    for (const n of readdirSync(d)) {
      const f = join(d, n)
      if (statSync(f).isDirectory()) walk(f)
      else if (n.endsWith('.json') && f.includes('networking_codec')) files.push(f)
    }
  }
  walk(fixturesRoot)
  const decodeAll = (bytes, withCode) => {
    const out = []
    let rest = bytes
    while (rest.length > 0) {
      const d = new PayloadDecoder({ withCode })
      const r = d.push(rest) ?? d.finish()
      out.push(r)
      rest = r.rest
    }
    return out
  }
  let checked = 0
  for (const f of files.sort()) {
    for (const [id, c] of Object.entries(JSON.parse(readFileSync(f, 'utf8')))) {
      const k = c.codec
      const o = c.output
      const ctx = f + ' :: ' + id
      switch (k.kind) {
        case 'snappy_block': {
          assert.equal(hex(snappyDecompressStrict(x(o.compressed))), hex(x(k.data)), ctx)
          assert.equal(hex(snappyDecompressStrict(snappyCompress(x(k.data)))), hex(x(k.data)), ctx)
          break
        }
        case 'snappy_frame': {
          assert.equal(hex(framedDecompress(x(o.framed))), hex(x(k.data)), ctx)
          assert.equal(hex(framedDecompress(framedCompress(x(k.data)))), hex(x(k.data)), ctx)
          break
        }
        case 'reqresp_request': {
          const [r] = decodeAll(x(o.encoded), false)
          assert.equal(hex(r.payload), hex(x(k.sszData)), ctx)
          assert.equal(hex(decodeAll(encodeRequest(x(k.sszData)), false)[0].payload), hex(x(k.sszData)), ctx)
          break
        }
        case 'reqresp_response': {
          const rs = decodeAll(x(o.encoded), true)
          assert.equal(rs.length, 1, ctx)
          assert.equal(rs[0].code, Number(k.responseCode), ctx)
          assert.equal(hex(rs[0].payload), hex(x(k.sszData)), ctx)
          const mine = decodeAll(encodeResponseChunk(Number(k.responseCode), x(k.sszData)), true)
          assert.equal(hex(mine[0].payload), hex(x(k.sszData)), ctx)
          break
        }
        case 'reqresp_response_stream': {
          const rs = decodeAll(x(o.encoded), true)
          assert.equal(rs.length, Number(o.chunkCount), ctx)
          k.chunks.forEach((ch, i) => {
            assert.equal(rs[i].code, Number(ch.responseCode), ctx)
            assert.equal(hex(rs[i].payload), hex(x(ch.sszData)), ctx)
          })
          break
        }
        case 'gossip_message_id': {
          assert.equal('0x' + hex(messageIdRaw(x(k.domain), x(k.topic), x(k.data))), o.messageId, ctx)
          if (hex(x(k.domain)) === '01000000') {
            assert.equal('0x' + hex(messageId(Buffer.from(x(k.topic)).toString('utf8'), snappyCompress(x(k.data)))), o.messageId, ctx)
          }
          break
        }
        case 'varint': {
          if (BigInt(k.value) <= BigInt(Number.MAX_SAFE_INTEGER)) assert.equal('0x' + hex(encodeUvarint(Number(k.value))), o.encoded, ctx)
          else continue
          break
        }
        case 'decode_failure': {
          const raw = x(k.rawBytes)
          if (k.decoder === 'snappy_frame') assert.throws(() => framedDecompress(raw), ctx)
          else if (k.decoder === 'reqresp_request' || k.decoder === 'varint') {
            assert.throws(() => { const d = new PayloadDecoder(); d.push(raw) ?? d.finish() }, ctx)
          } else continue
          break
        }
        default:
          continue
      }
      checked++
    }
  }
  assert.ok(checked >= 50, 'too few fixture cases found under ' + fixturesRoot + ': ' + checked)
  console.log(`fixtures: ${checked} cases OK`)
}
