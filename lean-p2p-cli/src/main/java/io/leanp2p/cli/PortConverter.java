package io.leanp2p.cli;

import picocli.CommandLine;

/** Converts {@code N|off} to a port: 0..65535, or -1 for {@code off}. */
public final class PortConverter implements CommandLine.ITypeConverter<Integer> {
  public static final int OFF = -1;

  @Override
  public Integer convert(String value) {
    if (value.equalsIgnoreCase("off")) {
      return OFF;
    }
    int p;
    try {
      p = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new CommandLine.TypeConversionException("'" + value + "' is not a port (0..65535) or 'off'");
    }
    if (p < 0 || p > 65535) {
      throw new CommandLine.TypeConversionException("port " + p + " is out of range 0..65535");
    }
    return p;
  }
}
