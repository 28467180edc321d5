package io.leanp2p.cli;

import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Hex;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Set;

/**
 * The node's identity key file: 64 hex digits (a secp256k1 private key), created with mode 0600
 * when missing. Any problem is a {@link UsageException} (one line, exit 2).
 */
public final class KeyFiles {
  private KeyFiles() {}

  /** Loads the key, or creates a fresh one in a new 0600 file. */
  public static Secp256k1PrivateKey loadOrCreate(Path file, SecureRandom random) {
    if (Files.exists(file)) {
      return load(file);
    }
    Secp256k1PrivateKey key = Secp256k1PrivateKey.generate(random);
    byte[] text = (Hex.encode(key.raw()) + "\n").getBytes(StandardCharsets.US_ASCII);
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Set<PosixFilePermission> mode = PosixFilePermissions.fromString("rw-------");
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(mode));
      } catch (UnsupportedOperationException e) {
        Files.createFile(file); // not a POSIX file system
      }
      Files.write(file, text, StandardOpenOption.TRUNCATE_EXISTING);
    } catch (FileAlreadyExistsException e) {
      return load(file); // created concurrently
    } catch (IOException e) {
      throw new UsageException("cannot create --key-file " + file + ": " + e.getMessage());
    }
    return key;
  }

  /** Loads a key file (64 hex digits, optional 0x, surrounding whitespace ignored). */
  public static Secp256k1PrivateKey load(Path file) {
    return load(file, "--key-file");
  }

  /**
   * Loads a key file named by {@code option} (for the messages): 64 hex digits as lean-quickstart
   * writes them (a {@code 0x} prefix and surrounding whitespace are tolerated).
   */
  public static Secp256k1PrivateKey load(Path file, String option) {
    String text;
    try {
      if (Files.size(file) > 1024) {
        throw new UsageException(option + " " + file + " is not a key file (larger than 1 KiB)");
      }
      text = Files.readString(file, StandardCharsets.US_ASCII).strip();
    } catch (IOException e) {
      throw new UsageException("cannot read " + option + " " + file + ": " + e.getMessage());
    }
    return parseHex(text, option + " " + file);
  }

  /** Parses a key given as hex ({@code --key-hex}). */
  public static Secp256k1PrivateKey parseHex(String hex, String what) {
    try {
      return Secp256k1PrivateKey.fromHex(hex.strip());
    } catch (DecodeException | RuntimeException e) {
      throw new UsageException(what + ": not a secp256k1 private key (64 hex digits): " + e.getMessage()
          + " (a new one: `lean-p2p node --key-file NEW.key` creates it, or 32 random bytes in hex)");
    }
  }
}
