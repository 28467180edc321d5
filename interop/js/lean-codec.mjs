// Lean-consensus wire codecs for the js interop peer:
//  - a STRICT raw snappy block decoder (snappyjs is lenient: it accepts a declared length that
//    differs from the output and trailing bytes, which changes the gossip message-id domain),
//  - the gossip message-id (leanspec-networking.md section 3.6),
//  - CRC32C + snappy framing (encoder and incremental decoder),
//  - req/resp request / response-chunk encoding and incremental decoding (section 4.2).
import { createHash } from 'node:crypto'
import SnappyJS from 'snappyjs'

export const MAX_PAYLOAD_SIZE = 10 * 1024 * 1024
const MAX_CHUNK_UNCOMPRESSED = 65536
// snappy's MaxCompressedLength(65536) = 32 + n + n/6
const MAX_CHUNK_BODY = 4 + 32 + MAX_CHUNK_UNCOMPRESSED + Math.floor(MAX_CHUNK_UNCOMPRESSED / 6)
export const STREAM_IDENTIFIER = Uint8Array.from([0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59])

export class CodecError extends Error {
  constructor (reason, message) {
    super(message)
    this.reason = reason
  }
}

// ---------------------------------------------------------------- strict raw snappy

/**
 * Walks the snappy tags of `input`. When `out` is null it only validates and returns the
 * output length; otherwise it fills `out`. Throws CodecError on anything a strict decoder
 * (C++ snappy, snappy-java, Rust snap) rejects.
 */
function walkSnappy (input, out) {
  let pos = 0
  // declared length: uvarint, at most 5 bytes, fits in 32 bits
  let declared = 0
  let shift = 0
  for (;;) {
    if (pos >= input.length) throw new CodecError('TRUNCATED', 'snappy: truncated length')
    if (shift >= 35) throw new CodecError('MALFORMED', 'snappy: length varint too long')
    const b = input[pos++]
    declared += (b & 0x7f) * 2 ** shift
    shift += 7
    if ((b & 0x80) === 0) break
  }
  if (declared > 0xffffffff) throw new CodecError('MALFORMED', 'snappy: length over 32 bits')
  let op = 0
  while (pos < input.length) {
    const tag = input[pos++]
    const kind = tag & 3
    if (kind === 0) {
      let len = tag >>> 2
      if (len >= 60) {
        const n = len - 59
        if (pos + n > input.length) throw new CodecError('TRUNCATED', 'snappy: truncated literal length')
        len = 0
        for (let i = 0; i < n; i++) len += input[pos + i] * 2 ** (8 * i)
        pos += n
      }
      len += 1
      if (pos + len > input.length) throw new CodecError('TRUNCATED', 'snappy: truncated literal')
      if (op + len > declared) throw new CodecError('MALFORMED', 'snappy: output exceeds declared length')
      if (out) out.set(input.subarray(pos, pos + len), op)
      pos += len
      op += len
    } else {
      let len, offset
      if (kind === 1) {
        if (pos + 1 > input.length) throw new CodecError('TRUNCATED', 'snappy: truncated copy1')
        len = 4 + ((tag >>> 2) & 7)
        offset = ((tag >>> 5) << 8) | input[pos]
        pos += 1
      } else if (kind === 2) {
        if (pos + 2 > input.length) throw new CodecError('TRUNCATED', 'snappy: truncated copy2')
        len = 1 + (tag >>> 2)
        offset = input[pos] | (input[pos + 1] << 8)
        pos += 2
      } else {
        if (pos + 4 > input.length) throw new CodecError('TRUNCATED', 'snappy: truncated copy4')
        len = 1 + (tag >>> 2)
        offset = (input[pos] | (input[pos + 1] << 8) | (input[pos + 2] << 16)) + input[pos + 3] * 2 ** 24
        pos += 4
      }
      if (offset === 0 || offset > op) throw new CodecError('MALFORMED', 'snappy: bad copy offset')
      if (op + len > declared) throw new CodecError('MALFORMED', 'snappy: output exceeds declared length')
      if (out) {
        for (let i = 0; i < len; i++) out[op + i] = out[op + i - offset]
      }
      op += len
    }
  }
  if (op !== declared) throw new CodecError('MALFORMED', 'snappy: output shorter than declared length')
  return declared
}

/** Strict raw snappy decompression; throws CodecError on invalid input. */
export function snappyDecompressStrict (input, maxOutput = 0xffffffff) {
  const n = walkSnappy(input, null) // validates without allocating
  if (n > maxOutput) throw new CodecError('TOO_LARGE', 'snappy: declared length ' + n + ' over limit')
  const out = new Uint8Array(n)
  walkSnappy(input, out)
  return out
}

/**
 * The decompressed bytes when `input` is valid raw snappy declaring at most `maxOutput` bytes
 * (10 MiB by default, as the Java MessageId does), else null.
 */
export function trySnappyDecompress (input, maxOutput = MAX_PAYLOAD_SIZE) {
  try {
    return snappyDecompressStrict(input, maxOutput)
  } catch (e) {
    if (e instanceof CodecError) return null
    throw e
  }
}

export function snappyCompress (data) {
  return new Uint8Array(SnappyJS.compress(data))
}

// ---------------------------------------------------------------- message-id

/** SHA256(domain || u64le(len(topic)) || topic || data)[:20], domain per snappy validity. */
export function messageId (topic, payload) {
  const decompressed = trySnappyDecompress(payload)
  const domain = decompressed != null ? DOMAIN_VALID_SNAPPY : DOMAIN_INVALID_SNAPPY
  return messageIdRaw(domain, Buffer.from(topic, 'utf8'), decompressed != null ? decompressed : payload)
}

export const DOMAIN_VALID_SNAPPY = Uint8Array.of(1, 0, 0, 0)
export const DOMAIN_INVALID_SNAPPY = Uint8Array.of(0, 0, 0, 0)

/** SHA256(domain || u64le(len(topicBytes)) || topicBytes || data)[:20] */
export function messageIdRaw (domain, topicBytes, data) {
  const len = Buffer.alloc(8)
  len.writeBigUInt64LE(BigInt(topicBytes.length))
  const h = createHash('sha256')
  h.update(domain)
  h.update(len)
  h.update(topicBytes)
  h.update(data)
  return new Uint8Array(h.digest().subarray(0, 20))
}

// ---------------------------------------------------------------- CRC32C + framing

const CRC_TABLE = (() => {
  const t = new Uint32Array(256)
  for (let i = 0; i < 256; i++) {
    let c = i
    for (let k = 0; k < 8; k++) c = (c & 1) ? (0x82f63b78 ^ (c >>> 1)) : (c >>> 1)
    t[i] = c >>> 0
  }
  return t
})()

export function crc32c (data) {
  let c = 0xffffffff
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

export function maskedCrc32c (data) {
  const c = crc32c(data)
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0
}

/** Snappy framing format: stream identifier then one chunk per 64 KiB. Empty → identifier only. */
export function framedCompress (data) {
  const parts = [STREAM_IDENTIFIER]
  for (let off = 0; off < data.length; off += MAX_CHUNK_UNCOMPRESSED) {
    const chunk = data.subarray(off, Math.min(data.length, off + MAX_CHUNK_UNCOMPRESSED))
    const compressed = snappyCompress(chunk)
    const useRaw = compressed.length >= chunk.length
    const body = useRaw ? chunk : compressed
    const header = new Uint8Array(8)
    const bodyLen = body.length + 4
    header[0] = useRaw ? 0x01 : 0x00
    header[1] = bodyLen & 0xff
    header[2] = (bodyLen >>> 8) & 0xff
    header[3] = (bodyLen >>> 16) & 0xff
    new DataView(header.buffer).setUint32(4, maskedCrc32c(chunk), true)
    parts.push(header, body)
  }
  return concat(parts)
}

export function encodeUvarint (n) {
  const out = []
  while (n >= 0x80) {
    out.push((n % 128) | 0x80)
    n = Math.floor(n / 128)
  }
  out.push(n)
  return Uint8Array.from(out)
}

/** request = uvarint(len) || framed(ssz) */
export function encodeRequest (payload) {
  if (payload.length > MAX_PAYLOAD_SIZE) throw new CodecError('TOO_LARGE', 'payload over 10 MiB')
  return concat([encodeUvarint(payload.length), framedCompress(payload)])
}

/** response_chunk = code || uvarint(len) || framed(ssz) */
export function encodeResponseChunk (code, payload) {
  return concat([Uint8Array.of(code), encodeRequest(payload)])
}

export function concat (parts) {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

/**
 * Reads one snappy-framing chunk at b[p..]: null when incomplete, else {end, identifier, data}
 * (data = the chunk's uncompressed bytes, null for identifier / skippable chunks). Throws
 * CodecError on a bad identifier, reserved type, bad CRC, oversized chunk or invalid snappy.
 */
export function readFrameChunk (b, p, seenIdentifier) {
  if (b.length - p < 4) return null
  const type = b[p]
  const len = b[p + 1] | (b[p + 2] << 8) | (b[p + 3] << 16)
  if (!seenIdentifier && type !== 0xff) throw new CodecError('MALFORMED', 'framed snappy must start with the stream identifier')
  if ((type === 0x00 || type === 0x01) && len > MAX_CHUNK_BODY) throw new CodecError('TOO_LARGE', 'snappy chunk too large')
  if (b.length - p - 4 < len) return null
  const body = b.subarray(p + 4, p + 4 + len)
  const end = p + 4 + len
  if (type === 0xff) {
    if (len !== 6 || Buffer.compare(Buffer.from(body), Buffer.from(STREAM_IDENTIFIER.subarray(4))) !== 0) {
      throw new CodecError('MALFORMED', 'bad stream identifier')
    }
    return { end, identifier: true, data: null }
  }
  if (type === 0x00 || type === 0x01) {
    if (len < 4) throw new CodecError('MALFORMED', 'snappy chunk shorter than its checksum')
    const crc = new DataView(body.buffer, body.byteOffset, 4).getUint32(0, true)
    const data = type === 0x00 ? snappyDecompressStrict(body.subarray(4), MAX_CHUNK_UNCOMPRESSED) : body.subarray(4)
    if (data.length > MAX_CHUNK_UNCOMPRESSED) throw new CodecError('TOO_LARGE', 'snappy chunk over 64 KiB')
    if (maskedCrc32c(data) !== crc) throw new CodecError('BAD_CHECKSUM', 'snappy chunk CRC mismatch')
    return { end, identifier: false, data }
  }
  if (type >= 0x02 && type <= 0x7f) throw new CodecError('UNSUPPORTED', 'reserved unskippable snappy chunk type ' + type)
  return { end, identifier: false, data: null } // 0x80..0xfe: skippable
}

/** Decodes a whole snappy-framed buffer (leanSpec frame_decompress rules: at least the identifier, no partial chunk). */
export function framedDecompress (b, maxOutput = MAX_PAYLOAD_SIZE) {
  if (b.length < STREAM_IDENTIFIER.length) throw new CodecError('TRUNCATED', 'framed snappy shorter than the stream identifier')
  const parts = []
  let n = 0
  let p = 0
  let seen = false
  while (p < b.length) {
    const c = readFrameChunk(b, p, seen)
    if (c == null) throw new CodecError('TRUNCATED', 'truncated snappy frame chunk')
    p = c.end
    if (c.identifier) seen = true
    if (c.data != null) {
      n += c.data.length
      if (n > maxOutput) throw new CodecError('TOO_LARGE', 'framed output over limit')
      parts.push(c.data)
    }
  }
  return concat(parts)
}

/**
 * Incremental decoder of ONE req/resp payload: [code] uvarint(len) framed(ssz).
 * push(bytes) returns null while incomplete, or {code, payload, rest} once the declared length has
 * been decoded (rest = bytes after it). Throws CodecError on bad input. Never waits for EOF.
 * For a declared length of 0 the payload is complete right after the varint; a following stream
 * identifier is tolerated and consumed if it is already buffered.
 */
export class PayloadDecoder {
  constructor ({ withCode = false, maxLength = MAX_PAYLOAD_SIZE } = {}) {
    this.withCode = withCode
    this.maxLength = maxLength
    this.buf = new Uint8Array(0)
    this.code = null
    this.declared = null
    this.seenIdentifier = false
    this.out = null
    this.outLen = 0
  }

  push (bytes) {
    this.buf = this.buf.length === 0 ? bytes : concat([this.buf, bytes])
    return this._run()
  }

  /** Called at end of stream: throws unless complete. */
  finish () {
    const r = this._run()
    if (r == null) throw new CodecError('TRUNCATED', 'stream ended before the declared length was decoded')
    return r
  }

  _run () {
    let p = 0
    const b = this.buf
    if (this.withCode && this.code == null) {
      if (b.length < 1) return null
      this.code = b[0]
      p = 1
    }
    if (this.declared == null) {
      let v = 0
      let shift = 0
      let i = p
      for (;;) {
        if (i >= b.length) { this._keep(p); return null }
        if (i - p >= 10) throw new CodecError('MALFORMED', 'varint longer than 10 bytes')
        const x = b[i++]
        v += (x & 0x7f) * 2 ** shift
        shift += 7
        if (v > this.maxLength) throw new CodecError('TOO_LARGE', 'declared length over ' + this.maxLength)
        if ((x & 0x80) === 0) break
      }
      this.declared = v
      this.out = new Uint8Array(v)
      p = i
    }
    while (this.outLen < this.declared) {
      const c = readFrameChunk(b, p, this.seenIdentifier)
      if (c == null) { this._keep(p); return null }
      p = c.end
      if (c.identifier) this.seenIdentifier = true
      if (c.data != null) {
        if (this.outLen + c.data.length > this.declared) throw new CodecError('MALFORMED', 'payload longer than declared')
        this.out.set(c.data, this.outLen)
        this.outLen += c.data.length
      }
    }
    // declared length reached; for an empty payload tolerate a following bare identifier
    if (this.declared === 0 && !this.seenIdentifier && b.length - p >= 10 &&
        Buffer.compare(Buffer.from(b.subarray(p, p + 10)), Buffer.from(STREAM_IDENTIFIER)) === 0) {
      p += 10
      this.seenIdentifier = true
    }
    const rest = b.subarray(p)
    this.buf = new Uint8Array(0)
    return { code: this.code, payload: this.out, rest }
  }

  _keep (p) {
    // keep unconsumed bytes only (state already records what was consumed)
    this.buf = this.buf.subarray(p)
  }
}
