package io.leanp2p.transport;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.types.Direction;

/**
 * What the upgrade established about a connection before the muxer starts.
 *
 * @param remotePeer the PeerId proven by the security handshake
 * @param remoteAddress remote multiaddr ending in {@code /p2p/<remotePeer>}
 * @param localAddress local multiaddr
 * @param direction who dialed
 */
public record ConnectionInfo(
    PeerId remotePeer, Multiaddr remoteAddress, Multiaddr localAddress, Direction direction) {}
