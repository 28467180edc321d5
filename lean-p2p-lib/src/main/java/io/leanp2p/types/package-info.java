/**
 * Values the host API and the engine share, defined once below every engine layer: which side
 * opened a connection ({@link io.leanp2p.types.Direction}), over which transport ({@link
 * io.leanp2p.types.TransportKind}), why it closed ({@link io.leanp2p.types.CloseReason}), the host's
 * verdict on a gossip message ({@link io.leanp2p.types.Validation}) and why a request failed ({@link
 * io.leanp2p.types.RequestError}). Depends on {@code io.leanp2p.lean} (response codes) only.
 */
package io.leanp2p.types;
