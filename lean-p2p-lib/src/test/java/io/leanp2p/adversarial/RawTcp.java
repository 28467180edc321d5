package io.leanp2p.adversarial;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * A raw TCP attacker: a plain blocking socket, optionally bound to its own loopback source address
 * (127.x.y.z: one "IP" per attacker on the loopback interface), that writes whatever it is told.
 */
final class RawTcp implements Wire, AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private RawTcp(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  /** Connects from {@code from} (null = any local address) to {@code to}. */
  static RawTcp connect(InetSocketAddress to, InetAddress from) throws IOException {
    Socket s = new Socket();
    try {
      s.setTcpNoDelay(true);
      s.setSoTimeout(10_000);
      if (from != null) {
        s.bind(new InetSocketAddress(from, 0));
      }
      s.connect(to, 10_000);
      return new RawTcp(s);
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  static RawTcp connect(InetSocketAddress to) throws IOException {
    return connect(to, null);
  }

  void readTimeout(Duration d) throws IOException {
    socket.setSoTimeout((int) Math.max(1, d.toMillis()));
  }

  @Override
  public void write(byte[] b) throws IOException {
    out.write(b);
    out.flush();
  }

  /** Writes and reports whether the bytes were taken (false once the victim closed on us). */
  boolean tryWrite(byte[] b) {
    try {
      write(b);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public byte[] readExactly(int n) throws IOException {
    byte[] b = in.readNBytes(n);
    if (b.length < n) {
      throw new EOFException("closed after " + b.length + " of " + n + " bytes");
    }
    return b;
  }

  /**
   * Reads and discards until the victim closes the connection (EOF or reset) and returns true, or
   * returns false if it is still open after {@code timeout}.
   */
  boolean awaitClosedByRemote(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    byte[] sink = new byte[64 * 1024];
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
      try {
        if (in.read(sink) < 0) {
          return true;
        }
      } catch (SocketTimeoutException e) {
        return false;
      } catch (IOException e) {
        return true; // reset by the victim
      }
    }
  }

  /** Closes with a TCP RST (SO_LINGER 0) instead of a FIN. */
  void reset() {
    try {
      socket.setSoLinger(true, 0);
    } catch (IOException e) {
      // closing anyway
    }
    close();
  }

  InetSocketAddress localAddress() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // already gone
    }
  }
}
