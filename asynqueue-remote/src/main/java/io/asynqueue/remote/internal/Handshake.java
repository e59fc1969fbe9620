package io.asynqueue.remote.internal;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The fixed-size records both ends exchange before any frame, and the proofs in them. Nothing here decodes more
 * than these records: a peer that has not proved itself never reaches a frame parser.
 *
 * <pre>
 * server HELLO    "AQR1" version(1) flags(1) server-nonce(32)                               38 bytes
 * client HELLO    "AQR1" version(1) client-nonce(32) client-proof(32)                       69 bytes
 * server WELCOME  "AQR1" server-proof(32)                                                    36 bytes
 *    or REJECT    "AQRX" reason(1)                                                           5 bytes, then close
 *
 * client-proof = HMAC-SHA256(secret, "asynqueue client" || server-nonce || client-nonce)
 * server-proof = HMAC-SHA256(secret, "asynqueue server" || server-nonce || client-nonce)
 * </pre>
 *
 * <p>The secret never crosses the wire; each side proves it holds it over nonces the other chose, so a recorded
 * handshake cannot be replayed and neither proof can be reflected back as the other. Flag bit 0 of the server's
 * HELLO says a proof is required; a server without a secret (TLS client certificates only) clears it, and the
 * proofs are then zeros. After the WELCOME both ends speak the task protocol
 * ({@link io.asynqueue.internal.codec.Wire}), the server's HELLO frame first. Since version 3, with a secret, every
 * frame after the WELCOME travels in a sealed record, tagged under keys derived from the secret and both nonces
 * ({@link FrameMac}): a connection taken over after its handshake cannot change, replay or reorder a frame without
 * being closed.
 */
public final class Handshake {

  /** The protocol's magic: the first four bytes of every record. */
  public static final byte[] MAGIC = "AQR1".getBytes(StandardCharsets.US_ASCII);
  /** The magic of a rejection. */
  public static final byte[] REJECT_MAGIC = "AQRX".getBytes(StandardCharsets.US_ASCII);
  /** The protocol version. */
  public static final int VERSION = 3;
  /** Server HELLO flag: a client proof is required. */
  public static final int FLAG_SECRET = 1;

  /** Size of the server's HELLO. */
  public static final int SERVER_HELLO = 38;
  /** Size of the client's HELLO. */
  public static final int CLIENT_HELLO = 69;
  /** Size of the server's WELCOME. */
  public static final int WELCOME = 36;
  /** Size of a REJECT. */
  public static final int REJECT = 5;

  /** REJECT reason: the proof was wrong. */
  public static final int REASON_PROOF = 1;
  /** REJECT reason: not this protocol, or another version. */
  public static final int REASON_PROTOCOL = 2;

  private static final int NONCE = 32;
  private static final byte[] CLIENT_LABEL = "asynqueue client".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SERVER_LABEL = "asynqueue server".getBytes(StandardCharsets.US_ASCII);
  private static final SecureRandom RANDOM = new SecureRandom();

  private Handshake() {
  }

  /** @return a fresh random nonce */
  public static byte[] nonce() {
    byte[] n = new byte[NONCE];
    RANDOM.nextBytes(n);
    return n;
  }

  /**
   * @param secret the shared secret, or {@code null} for none (the proof is then zeros)
   * @param client {@code true} for the client's proof, {@code false} for the server's
   * @param serverNonce the server's nonce
   * @param clientNonce the client's nonce
   * @return the proof, 32 bytes
   */
  public static byte[] proof(byte[] secret, boolean client, byte[] serverNonce, byte[] clientNonce) {
    if (secret == null) {
      return new byte[32];
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      mac.update(client ? CLIENT_LABEL : SERVER_LABEL);
      mac.update(serverNonce);
      mac.update(clientNonce);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  /**
   * Compares two proofs in constant time.
   *
   * @param expected the proof computed here
   * @param given the proof received
   * @return whether they are equal
   */
  public static boolean matches(byte[] expected, byte[] given) {
    return MessageDigest.isEqual(expected, given);
  }

  /**
   * @param flags the server's flags
   * @param serverNonce its nonce
   * @return the server's HELLO
   */
  public static Buffer serverHello(int flags, byte[] serverNonce) {
    return Buffer.buffer(SERVER_HELLO).appendBytes(MAGIC).appendByte((byte) VERSION).appendByte((byte) flags)
        .appendBytes(serverNonce);
  }

  /**
   * @param clientNonce the client's nonce
   * @param proof its proof
   * @return the client's HELLO
   */
  public static Buffer clientHello(byte[] clientNonce, byte[] proof) {
    return Buffer.buffer(CLIENT_HELLO).appendBytes(MAGIC).appendByte((byte) VERSION).appendBytes(clientNonce)
        .appendBytes(proof);
  }

  /**
   * @param proof the server's proof
   * @return the WELCOME; the task protocol's HELLO frame follows it, with the server's limits and classes
   */
  public static Buffer welcome(byte[] proof) {
    return Buffer.buffer(WELCOME).appendBytes(MAGIC).appendBytes(proof);
  }

  /**
   * @param reason why
   * @return a REJECT
   */
  public static Buffer reject(int reason) {
    return Buffer.buffer(REJECT).appendBytes(REJECT_MAGIC).appendByte((byte) reason);
  }

  /**
   * @param b a record
   * @param magic the magic expected
   * @return whether the record starts with it
   */
  public static boolean startsWith(Buffer b, byte[] magic) {
    if (b.length() < magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if (b.getByte(i) != magic[i]) {
        return false;
      }
    }
    return true;
  }
}
