package io.asynqueue.remote;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Self-signed test certificates made at test time with the JDK's keytool, exported as PEM files (certificate and
 * PKCS#8 key). Nothing is committed; nothing here is a real secret.
 */
final class TestCertificates {

  /** The PEM files of one identity. */
  record Pem(Path cert, Path key) {
  }

  private TestCertificates() {
  }

  /**
   * @param dir where to write
   * @param name the identity's name (its CN)
   * @return its PEM certificate and key; the certificate is valid for 127.0.0.1 and localhost
   */
  static Pem make(Path dir, String name) throws Exception {
    Path store = dir.resolve(name + ".p12");
    String keytool = System.getProperty("java.home") + File.separator + "bin" + File.separator + "keytool";
    Process p = new ProcessBuilder(List.of(keytool, "-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048",
        "-dname", "CN=" + name, "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
        "-keystore", store.toString(), "-storepass", "test-only", "-keypass", "test-only"))
        .redirectErrorStream(true).start();
    String output;
    try (InputStream in = p.getInputStream()) {
      output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("keytool failed: " + output);
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, "test-only".toCharArray());
    }
    Key key = ks.getKey(name, "test-only".toCharArray());
    Certificate cert = ks.getCertificate(name);
    Pem pem = new Pem(dir.resolve(name + ".crt"), dir.resolve(name + ".key"));
    Files.writeString(pem.cert(), pem("CERTIFICATE", cert.getEncoded()));
    Files.writeString(pem.key(), pem("PRIVATE KEY", key.getEncoded()));
    return pem;
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der) + "\n-----END " + type + "-----\n";
  }
}
