package io.asynqueue.mandelbrot.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

/** The shared secret of {@code mcm worker} and {@code mcm render --remote}: a file, one line. */
final class Secrets {

  /** Where the secret is unless {@code --secret-file} says otherwise. */
  static final Path DEFAULT = Path.of(System.getProperty("user.home"), ".asynqueue", "secret");

  private Secrets() {
  }

  /**
   * @param file the secret file, or {@code null} for {@link #DEFAULT}
   * @return the secret: the file's first line, stripped
   * @throws IllegalArgumentException saying how to make one, if there is none
   */
  static String read(Path file) {
    Path f = file != null ? file : DEFAULT;
    try {
      String secret = Files.readString(f, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
      if (secret.isEmpty()) {
        throw new IllegalArgumentException("the secret file " + f + " is empty");
      }
      return secret;
    } catch (IOException e) {
      Path dir = f.toAbsolutePath().getParent();
      throw new IllegalArgumentException("no secret in " + f + ": make one with '"
          + (dir != null && !Files.isDirectory(dir) ? "mkdir -p " + dir + " && " : "") + "mcm secret > " + f
          + " && chmod 600 " + f + "' and copy it to every host, or give --secret-file");
    }
  }

  /** @return a new random secret: 32 bytes, base64url */
  static String generate() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
