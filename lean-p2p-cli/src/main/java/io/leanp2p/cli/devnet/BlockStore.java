package io.leanp2p.cli.devnet;

import io.leanp2p.lean.SignedBlockView;
import io.leanp2p.util.Hex;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One devnet node's blocks: by root and by slot (the canonical chain of the simulation has at most
 * one block per slot). Thread-safe: written by the node's listener thread, read by its request
 * handlers and the table.
 */
public final class BlockStore {
  /** A stored block: its parsed view, root and SSZ bytes. */
  public record Stored(SignedBlockView header, byte[] root, byte[] ssz) {}

  private final Map<String, Stored> byRoot = new ConcurrentHashMap<>();
  private final TreeMap<Long, Stored> bySlot = new TreeMap<>();

  /** Adds a block; returns false if a block with that root was already stored. */
  public boolean add(SignedBlockView header, byte[] ssz) {
    byte[] root = header.blockRoot();
    Stored s = new Stored(header, root, ssz);
    if (byRoot.putIfAbsent(Hex.encode(root), s) != null) {
      return false;
    }
    synchronized (bySlot) {
      bySlot.putIfAbsent(header.slot(), s);
    }
    return true;
  }

  public boolean hasRoot(byte[] root) {
    return byRoot.containsKey(Hex.encode(root));
  }

  public Stored byRoot(byte[] root) {
    return byRoot.get(Hex.encode(root));
  }

  /** Blocks with {@code start <= slot < start + count}, in slot order. */
  public List<Stored> range(long start, long count) {
    synchronized (bySlot) {
      long end = count > Long.MAX_VALUE - start ? Long.MAX_VALUE : start + count;
      return new ArrayList<>(bySlot.subMap(start, true, end, false).values());
    }
  }

  public int size() {
    return byRoot.size();
  }

  /** The highest slot held, or -1. */
  public long headSlot() {
    synchronized (bySlot) {
      return bySlot.isEmpty() ? -1 : bySlot.lastKey();
    }
  }
}
