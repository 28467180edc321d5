package io.leanp2p.multiformats;

import io.leanp2p.util.DecodeException;
import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * An immutable multiaddr with value equality (by its binary form). Supported protocols are listed
 * in {@link Protocol}; any other code or name is rejected with {@link
 * DecodeException.Reason#UNSUPPORTED}. Text values are strictly canonical (no leading zeros in
 * ports or IPv4 octets), so text → binary → text returns the same string for canonical input.
 *
 * <p>Limits: at most {@link #MAX_BYTES} bytes and {@link #MAX_COMPONENTS} components.
 */
public final class Multiaddr {
  /** Largest binary multiaddr accepted. */
  public static final int MAX_BYTES = 1024;
  /** Most components accepted. */
  public static final int MAX_COMPONENTS = 32;

  /** The multiaddr protocols this implementation knows. */
  public enum Protocol {
    IP4(0x04, "ip4", 4),
    TCP(0x06, "tcp", 2),
    DNS(0x35, "dns", -1),
    DNS4(0x36, "dns4", -1),
    DNS6(0x37, "dns6", -1),
    IP6(0x29, "ip6", 16),
    UDP(0x0111, "udp", 2),
    P2P(0x01a5, "p2p", -1),
    /** Draft-29 QUIC; parsed for completeness, not dialable here. */
    QUIC(0x01cc, "quic", 0),
    /** QUIC version 1 (RFC 9000). */
    QUIC_V1(0x01cd, "quic-v1", 0);

    private final int code;
    private final String text;
    private final int size;

    Protocol(int code, String text, int size) {
      this.code = code;
      this.text = text;
      this.size = size;
    }

    /** The multicodec code. */
    public int code() {
      return code;
    }

    /** The text name, e.g. {@code "quic-v1"}. */
    public String text() {
      return text;
    }

    /** Fixed value size in bytes, 0 for no value, -1 for a varint-length-prefixed value. */
    public int size() {
      return size;
    }

    /** Whether the component has a value in its text form. */
    public boolean hasValue() {
      return size != 0;
    }

    static Protocol byCode(long code) throws DecodeException {
      for (Protocol p : values()) {
        if (p.code == code) {
          return p;
        }
      }
      throw new DecodeException(
          DecodeException.Reason.UNSUPPORTED,
          "unknown multiaddr protocol code 0x" + Long.toHexString(code));
    }

    static Protocol byName(String name) throws DecodeException {
      for (Protocol p : values()) {
        if (p.text.equals(name)) {
          return p;
        }
      }
      throw new DecodeException(
          DecodeException.Reason.UNSUPPORTED, "unknown multiaddr protocol '" + abbreviate(name) + "'");
    }
  }

  /**
   * One component: a protocol and its binary value (empty for value-less protocols). The
   * constructor throws {@code IllegalArgumentException} if the value is not valid for the protocol
   * (wrong size, bad PeerId multihash, bad DNS name).
   */
  public record Component(Protocol protocol, byte[] value) {
    public Component {
      value = value.clone();
      try {
        validateValue(protocol, value);
      } catch (DecodeException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
    }

    /** A copy of the binary value. */
    @Override
    public byte[] value() {
      return value.clone();
    }

    /** The value in text form ("" for value-less protocols). */
    public String textValue() {
      return valueToText(protocol, value);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Component c && c.protocol == protocol && Arrays.equals(c.value, value);
    }

    @Override
    public int hashCode() {
      return protocol.hashCode() * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
      return "/" + protocol.text + (protocol.hasValue() ? "/" + textValue() : "");
    }
  }

  private final List<Component> components;
  private final byte[] bytes;

  private Multiaddr(List<Component> components) {
    this.components = Collections.unmodifiableList(new ArrayList<>(components));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Component c : components) {
      out.writeBytes(Varint.encode(c.protocol.code));
      if (c.protocol.size < 0) {
        out.writeBytes(Varint.encode(c.value.length));
      }
      out.writeBytes(c.value);
    }
    this.bytes = out.toByteArray();
  }

  /** Builds a multiaddr from components (values are validated). */
  public static Multiaddr of(List<Component> components) throws DecodeException {
    if (components.size() > MAX_COMPONENTS) {
      throw DecodeException.tooLarge("multiaddr components", components.size(), MAX_COMPONENTS);
    }
    for (Component c : components) {
      validateValue(c.protocol, c.value);
    }
    Multiaddr m = new Multiaddr(components);
    if (m.bytes.length > MAX_BYTES) {
      throw DecodeException.tooLarge("multiaddr bytes", m.bytes.length, MAX_BYTES);
    }
    return m;
  }

  /**
   * Parses the text form, e.g. {@code /ip4/1.2.3.4/udp/9000/quic-v1/p2p/16Uiu2...}.
   *
   * @throws DecodeException for an empty or malformed address, an unknown protocol ({@code
   *     UNSUPPORTED}) or a bad value
   */
  public static Multiaddr parse(String text) throws DecodeException {
    if (text.length() > 4 * MAX_BYTES) {
      throw DecodeException.tooLarge("multiaddr text length", text.length(), 4 * MAX_BYTES);
    }
    if (!text.startsWith("/")) {
      throw DecodeException.malformed("multiaddr must start with '/'");
    }
    String[] parts = text.substring(1).split("/", -1);
    List<Component> out = new ArrayList<>();
    int i = 0;
    while (i < parts.length) {
      String name = parts[i++];
      if (name.isEmpty()) {
        throw DecodeException.malformed("empty multiaddr component");
      }
      Protocol p = Protocol.byName(name);
      byte[] value = new byte[0];
      if (p.hasValue()) {
        if (i >= parts.length) {
          throw DecodeException.truncated("multiaddr component /" + p.text + " has no value");
        }
        value = textToValue(p, parts[i++]);
      }
      out.add(new Component(p, value));
      if (out.size() > MAX_COMPONENTS) {
        throw DecodeException.tooLarge("multiaddr components", out.size(), MAX_COMPONENTS);
      }
    }
    return of(out);
  }

  /**
   * Decodes the binary form.
   *
   * @throws DecodeException for empty, truncated, oversized or malformed input, or an unknown
   *     protocol code ({@code UNSUPPORTED})
   */
  public static Multiaddr fromBytes(byte[] in) throws DecodeException {
    if (in.length == 0) {
      throw DecodeException.malformed("empty multiaddr");
    }
    if (in.length > MAX_BYTES) {
      throw DecodeException.tooLarge("multiaddr bytes", in.length, MAX_BYTES);
    }
    List<Component> out = new ArrayList<>();
    int pos = 0;
    while (pos < in.length) {
      Varint.Decoded code = Varint.decode(in, pos);
      pos += code.length();
      Protocol p = Protocol.byCode(code.value());
      int len = p.size;
      if (len < 0) {
        Varint.Decoded l = Varint.decode(in, pos, MAX_BYTES);
        pos += l.length();
        len = (int) l.value();
      }
      if (in.length - pos < len) {
        throw DecodeException.truncated("multiaddr /" + p.text + " value: " + (in.length - pos) + " of " + len + " bytes");
      }
      byte[] value = Arrays.copyOfRange(in, pos, pos + len);
      pos += len;
      validateValue(p, value);
      out.add(new Component(p, value));
      if (out.size() > MAX_COMPONENTS) {
        throw DecodeException.tooLarge("multiaddr components", out.size(), MAX_COMPONENTS);
      }
    }
    return new Multiaddr(out);
  }

  /** A TCP multiaddr {@code /ip4|ip6/<addr>/tcp/<port>} for a resolved socket address. */
  public static Multiaddr tcp(InetSocketAddress address) {
    return ipPort(address, Protocol.TCP, false);
  }

  /** A QUIC multiaddr {@code /ip4|ip6/<addr>/udp/<port>/quic-v1} for a resolved socket address. */
  public static Multiaddr quic(InetSocketAddress address) {
    return ipPort(address, Protocol.UDP, true);
  }

  private static Multiaddr ipPort(InetSocketAddress address, Protocol transport, boolean quic) {
    InetAddress ip = address.getAddress();
    if (ip == null) {
      throw new IllegalArgumentException("unresolved socket address " + address);
    }
    List<Component> cs = new ArrayList<>();
    cs.add(new Component(ip instanceof Inet4Address ? Protocol.IP4 : Protocol.IP6, ip.getAddress()));
    cs.add(new Component(transport, port(address.getPort())));
    if (quic) {
      cs.add(new Component(Protocol.QUIC_V1, new byte[0]));
    }
    return new Multiaddr(cs);
  }

  /** The binary form (a copy). */
  public byte[] toBytes() {
    return bytes.clone();
  }

  /** The components, in order (unmodifiable). */
  public List<Component> components() {
    return components;
  }

  /** The multihash bytes of the last {@code /p2p/} component, if any. */
  public Optional<byte[]> p2p() {
    for (int i = components.size() - 1; i >= 0; i--) {
      if (components.get(i).protocol == Protocol.P2P) {
        return Optional.of(components.get(i).value());
      }
    }
    return Optional.empty();
  }

  /**
   * This address with a {@code /p2p/<peerIdMultihash>} component at the end, replacing any
   * trailing {@code /p2p/} component.
   *
   * @throws IllegalArgumentException if the bytes are not a valid PeerId multihash
   */
  public Multiaddr withP2p(byte[] peerIdMultihash) {
    try {
      validateValue(Protocol.P2P, peerIdMultihash);
    } catch (DecodeException e) {
      throw new IllegalArgumentException("not a PeerId multihash: " + e.getMessage(), e);
    }
    List<Component> cs = new ArrayList<>(withoutP2p().components);
    cs.add(new Component(Protocol.P2P, peerIdMultihash));
    return new Multiaddr(cs);
  }

  /** This address without its trailing {@code /p2p/} component(s). */
  public Multiaddr withoutP2p() {
    int end = components.size();
    while (end > 0 && components.get(end - 1).protocol == Protocol.P2P) {
      end--;
    }
    return end == components.size() ? this : new Multiaddr(components.subList(0, end));
  }

  /** {@code /ip4|ip6|dns*\/../tcp/<port>} optionally followed by {@code /p2p/..}. */
  public boolean isTcp() {
    List<Component> cs = withoutP2p().components;
    return cs.size() == 2 && isHost(cs.get(0).protocol) && cs.get(1).protocol == Protocol.TCP;
  }

  /** {@code /ip4|ip6|dns*\/../udp/<port>/quic-v1} optionally followed by {@code /p2p/..}. */
  public boolean isQuic() {
    List<Component> cs = withoutP2p().components;
    return cs.size() == 3
        && isHost(cs.get(0).protocol)
        && cs.get(1).protocol == Protocol.UDP
        && cs.get(2).protocol == Protocol.QUIC_V1;
  }

  private static boolean isHost(Protocol p) {
    return p == Protocol.IP4 || p == Protocol.IP6 || p == Protocol.DNS || p == Protocol.DNS4 || p == Protocol.DNS6;
  }

  /** Whether the address starts with a DNS name ({@code /dns/}, {@code /dns4/} or {@code /dns6/}). */
  public boolean isDns() {
    if (components.isEmpty()) {
      return false;
    }
    Protocol p = components.get(0).protocol;
    return p == Protocol.DNS || p == Protocol.DNS4 || p == Protocol.DNS6;
  }

  /**
   * This address with its leading DNS component replaced by {@code ip} ({@code /ip4} or {@code
   * /ip6} by the address's family); everything after it (port, {@code /quic-v1}, {@code /p2p/})
   * is kept. Resolution itself happens elsewhere (off the event loop).
   *
   * @throws IllegalStateException if the address does not start with a DNS name
   * @throws IllegalArgumentException if {@code ip}'s family contradicts {@code /dns4} or {@code /dns6}
   */
  public Multiaddr withResolvedHost(InetAddress ip) {
    if (!isDns()) {
      throw new IllegalStateException("not a DNS multiaddr: " + this);
    }
    Protocol dns = components.get(0).protocol;
    boolean v4 = ip instanceof Inet4Address;
    if ((dns == Protocol.DNS4 && !v4) || (dns == Protocol.DNS6 && v4)) {
      throw new IllegalArgumentException("/" + dns.text + " resolved to " + ip.getHostAddress());
    }
    List<Component> cs = new ArrayList<>(components);
    cs.set(0, new Component(v4 ? Protocol.IP4 : Protocol.IP6, ip.getAddress()));
    return new Multiaddr(cs);
  }

  /**
   * The IP socket address of an address starting {@code /ip4|ip6/<addr>/tcp|udp/<port>}. Never
   * does a DNS lookup.
   *
   * @throws IllegalStateException if the address does not start that way
   */
  public InetSocketAddress toSocketAddress() {
    if (components.size() < 2) {
      throw new IllegalStateException("not an ip/port multiaddr: " + this);
    }
    Component host = components.get(0);
    Component port = components.get(1);
    if ((host.protocol != Protocol.IP4 && host.protocol != Protocol.IP6)
        || (port.protocol != Protocol.TCP && port.protocol != Protocol.UDP)) {
      throw new IllegalStateException("not an ip/port multiaddr: " + this);
    }
    try {
      InetAddress ip = InetAddress.getByAddress(host.value);
      return new InetSocketAddress(ip, ((port.value[0] & 0xff) << 8) | (port.value[1] & 0xff));
    } catch (UnknownHostException e) {
      throw new IllegalStateException("bad ip bytes", e);
    }
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (Component c : components) {
      sb.append(c);
    }
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Multiaddr m && Arrays.equals(m.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  // ---- values ------------------------------------------------------------------------------

  private static final int MAX_DNS_NAME = 253;

  private static void validateValue(Protocol p, byte[] v) throws DecodeException {
    if (p.size >= 0 && v.length != p.size) {
      throw DecodeException.malformed("/" + p.text + " value must be " + p.size + " bytes, got " + v.length);
    }
    switch (p) {
      case P2P -> Multihash.validate(v);
      case DNS, DNS4, DNS6 -> checkDnsName(new String(v, StandardCharsets.ISO_8859_1), p);
      default -> { }
    }
  }

  private static void checkDnsName(String name, Protocol p) throws DecodeException {
    if (name.isEmpty() || name.length() > MAX_DNS_NAME) {
      throw DecodeException.malformed("/" + p.text + " name length " + name.length());
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_';
      if (!ok) {
        throw DecodeException.malformed("/" + p.text + " name has a bad character at " + i);
      }
    }
  }

  private static byte[] textToValue(Protocol p, String s) throws DecodeException {
    return switch (p) {
      case IP4 -> parseIp4(s);
      case IP6 -> parseIp6(s);
      case TCP, UDP -> port(parsePort(s));
      case P2P -> {
        byte[] mh = Base58.decode(s);
        Multihash.validate(mh);
        yield mh;
      }
      case DNS, DNS4, DNS6 -> {
        checkDnsName(s, p);
        yield s.getBytes(StandardCharsets.ISO_8859_1);
      }
      default -> throw new IllegalStateException("no value for " + p);
    };
  }

  private static String valueToText(Protocol p, byte[] v) {
    return switch (p) {
      case IP4 -> (v[0] & 0xff) + "." + (v[1] & 0xff) + "." + (v[2] & 0xff) + "." + (v[3] & 0xff);
      case IP6 -> formatIp6(v);
      case TCP, UDP -> Integer.toString(((v[0] & 0xff) << 8) | (v[1] & 0xff));
      case P2P -> Base58.encode(v);
      case DNS, DNS4, DNS6 -> new String(v, StandardCharsets.ISO_8859_1);
      default -> "";
    };
  }

  private static byte[] port(int port) {
    return new byte[] {(byte) (port >>> 8), (byte) port};
  }

  private static int parseDecimal(String s, int max, String what) throws DecodeException {
    if (s.isEmpty() || s.length() > 5) {
      throw DecodeException.malformed("bad " + what + " '" + abbreviate(s) + "'");
    }
    if (s.length() > 1 && s.charAt(0) == '0') {
      throw new DecodeException(
          DecodeException.Reason.NON_CANONICAL, what + " with a leading zero '" + s + "'");
    }
    int v = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        throw DecodeException.malformed("bad " + what + " '" + abbreviate(s) + "'");
      }
      v = v * 10 + (c - '0');
    }
    if (v > max) {
      throw DecodeException.malformed(what + " " + v + " above " + max);
    }
    return v;
  }

  private static int parsePort(String s) throws DecodeException {
    return parseDecimal(s, 65535, "port");
  }

  private static byte[] parseIp4(String s) throws DecodeException {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      throw DecodeException.malformed("bad ip4 address '" + abbreviate(s) + "'");
    }
    byte[] out = new byte[4];
    for (int i = 0; i < 4; i++) {
      out[i] = (byte) parseDecimal(parts[i], 255, "ip4 octet");
    }
    return out;
  }

  private static byte[] parseIp6(String s) throws DecodeException {
    if (s.length() > 45) {
      throw DecodeException.malformed("ip6 address too long");
    }
    byte[] out = new byte[16];
    String head = s;
    String tail = null;
    int dc = s.indexOf("::");
    if (dc >= 0) {
      if (s.indexOf("::", dc + 1) >= 0) {
        throw DecodeException.malformed("ip6 address with two '::'");
      }
      head = s.substring(0, dc);
      tail = s.substring(dc + 2);
    }
    List<Integer> hw = groups(head, tail == null);
    List<Integer> tw = tail == null ? List.of() : groups(tail, true);
    int total = hw.size() + tw.size();
    if (tail == null ? total != 8 : total > 7) {
      throw DecodeException.malformed("bad ip6 address '" + abbreviate(s) + "'");
    }
    for (int i = 0; i < hw.size(); i++) {
      out[2 * i] = (byte) (hw.get(i) >>> 8);
      out[2 * i + 1] = (byte) (int) hw.get(i);
    }
    for (int i = 0; i < tw.size(); i++) {
      int w = 8 - tw.size() + i;
      out[2 * w] = (byte) (tw.get(i) >>> 8);
      out[2 * w + 1] = (byte) (int) tw.get(i);
    }
    return out;
  }

  /** 16-bit groups of one side of an ip6 address; the last side may end in a dotted ip4. */
  private static List<Integer> groups(String part, boolean last) throws DecodeException {
    List<Integer> out = new ArrayList<>();
    if (part.isEmpty()) {
      return out;
    }
    String[] gs = part.split(":", -1);
    for (int i = 0; i < gs.length; i++) {
      String g = gs[i];
      if (last && i == gs.length - 1 && g.indexOf('.') >= 0) {
        byte[] v4 = parseIp4(g);
        out.add(((v4[0] & 0xff) << 8) | (v4[1] & 0xff));
        out.add(((v4[2] & 0xff) << 8) | (v4[3] & 0xff));
        continue;
      }
      if (g.isEmpty() || g.length() > 4) {
        throw DecodeException.malformed("bad ip6 group '" + abbreviate(g) + "'");
      }
      int v = 0;
      for (int k = 0; k < g.length(); k++) {
        int d = Character.digit(g.charAt(k), 16);
        if (d < 0 || g.charAt(k) > 'f') {
          throw DecodeException.malformed("bad ip6 group '" + abbreviate(g) + "'");
        }
        v = (v << 4) | d;
      }
      out.add(v);
    }
    return out;
  }

  /** RFC 5952 text: lower case, no leading zeros, the longest run (>= 2) of zero groups as "::". */
  private static String formatIp6(byte[] v) {
    int[] w = new int[8];
    for (int i = 0; i < 8; i++) {
      w[i] = ((v[2 * i] & 0xff) << 8) | (v[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLen = 0;
    for (int i = 0; i < 8; ) {
      if (w[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && w[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    if (bestLen < 2) {
      bestStart = -1;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(w[i]));
    }
    return sb.toString();
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
