// Node 20 lacks Promise.withResolvers (Node 22 API) which libp2p 3 calls at dial, stop and ping.
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
