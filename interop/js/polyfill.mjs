// Loaded before anything else by peer.mjs.
// 1. Node 20 lacks Promise.withResolvers (Node 22 API) which libp2p 3 calls at dial, stop and ping.
// This module must be imported BEFORE any libp2p module (ES modules evaluate in import order).
if (typeof Promise.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers () {
      let resolve
      let reject
      const promise = new this((res, rej) => { resolve = res; reject = rej })
      return { promise, resolve, reject }
    }
  })
}

// stdout carries the JSON-lines protocol only: route every console output of any library to stderr.
for (const name of ['log', 'info', 'debug', 'warn', 'trace', 'dir', 'table']) {
  const original = console.error.bind(console)
  if (typeof console[name] === 'function') console[name] = name === 'dir' ? (o) => original(o) : original
}
