package io.leanp2p.node.swarm;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.types.Direction;
import io.leanp2p.types.TransportKind;

/**
 * What the peer table says about one connected peer: its live connection's address, direction and
 * transport (these change when the duplicate rule swaps the connection), and what identify told
 * us (null until then). An immutable view: it holds no connection.
 */
public record ConnectedPeer(
    PeerId peer, Multiaddr address, Direction direction, TransportKind transport, String agentVersion) {}
