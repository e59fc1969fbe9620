package io.asynqueue.remote.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * The integrity of one direction of a connection after its handshake: every frame carries a tag, the first
 * {@value #TAG_BYTES} bytes of HMAC-SHA256 under a key of this session and direction over the frame's sequence
 * number and body. The sequence number is not sent: each end counts the frames, so a frame changed, dropped,
 * replayed, reordered or reflected back fails its check, and the connection is closed.
 *
 * <pre>
 * frame on the wire   length(4) body tag(16)            length counts the body and the tag
 * tag                 HMAC-SHA256(key, seq(8) || body), its first 16 bytes
 * keys                HKDF-SHA256(ikm = secret, salt = server-nonce || client-nonce,
 *                                 info = "asynqueue v3 client to server" | "asynqueue v3 server to client")
 * </pre>
 *
 * <p>Both nonces are fresh for each connection, so each connection has its own keys, and the two directions have
 * different ones. Not thread-safe: the sender seals under its outbox's lock, the reader checks on its context.
 * This is integrity, not confidentiality: without TLS the frames travel in clear.
 */
public final class FrameMac {

  /** The bytes of a tag at the end of each frame. */
  public static final int TAG_BYTES = 16;

  private static final String HMAC = "HmacSHA256";
  private static final byte[] CLIENT_TO_SERVER = "asynqueue v3 client to server".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SERVER_TO_CLIENT = "asynqueue v3 server to client".getBytes(StandardCharsets.US_ASCII);

  /** Off only in RemoteBenchmark, by reflection, to measure what the tags cost: no option turns it off. */
  static volatile boolean enabled = true;

  private final Mac mac;
  private final byte[] seq = new byte[8];
  private final byte[] tag = new byte[32];
  private long next;

  private FrameMac(byte[] key) {
    try {
      mac = Mac.getInstance(HMAC);
      mac.init(new SecretKeySpec(key, HMAC));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  /**
   * The tags of one direction of a connection.
   *
   * @param secret the shared secret, or {@code null} (a server of TLS client certificates only: TLS protects the
   *     frames, and there is no key to derive)
   * @param serverNonce the server's nonce of this handshake
   * @param clientNonce the client's nonce of this handshake
   * @param fromClient {@code true} for the frames the client sends, {@code false} for the server's
   * @return the tags of that direction, or {@code null} when frames carry none
   */
  public static FrameMac of(byte[] secret, byte[] serverNonce, byte[] clientNonce, boolean fromClient) {
    if (secret == null || !enabled) {
      return null;
    }
    byte[] salt = new byte[serverNonce.length + clientNonce.length];
    System.arraycopy(serverNonce, 0, salt, 0, serverNonce.length);
    System.arraycopy(clientNonce, 0, salt, serverNonce.length, clientNonce.length);
    return new FrameMac(hkdf(secret, salt, fromClient ? CLIENT_TO_SERVER : SERVER_TO_CLIENT));
  }

  /** RFC 5869 with SHA-256, for one 32-byte output. */
  static byte[] hkdf(byte[] ikm, byte[] salt, byte[] info) {
    try {
      Mac m = Mac.getInstance(HMAC);
      m.init(new SecretKeySpec(salt, HMAC));
      byte[] prk = m.doFinal(ikm);
      m.init(new SecretKeySpec(prk, HMAC));
      m.update(info);
      m.update((byte) 1);
      return m.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  /**
   * Writes the tag of the next frame sent.
   *
   * @param body the frame's body (without its length)
   * @param off where it starts
   * @param len its length
   * @param out where the tag goes, {@value #TAG_BYTES} bytes
   * @param outOff where in {@code out}
   */
  public void seal(byte[] body, int off, int len, byte[] out, int outOff) {
    start();
    mac.update(body, off, len);
    finish(out, outOff);
  }

  /**
   * Writes the tag of the next frame sent, whose body is in two pieces (a header made here, a slice of a reply).
   *
   * @param head the first piece
   * @param headLen its length (from 0)
   * @param body the second piece
   * @param off where it starts
   * @param len its length
   * @param out where the tag goes, {@value #TAG_BYTES} bytes
   * @param outOff where in {@code out}
   */
  public void seal(byte[] head, int headLen, byte[] body, int off, int len, byte[] out, int outOff) {
    start();
    mac.update(head, 0, headLen);
    mac.update(body, off, len);
    finish(out, outOff);
  }

  /**
   * Checks the next frame received.
   *
   * @param frame the frame's body followed by its tag
   * @param length their length
   * @return whether the tag is right (in constant time); if not, the connection must close: the counts no longer
   *     agree
   */
  public boolean verify(byte[] frame, int length) {
    if (length < TAG_BYTES) {
      next++;
      return false;
    }
    start();
    mac.update(frame, 0, length - TAG_BYTES);
    finish();
    int diff = 0;
    for (int i = 0; i < TAG_BYTES; i++) {
      diff |= tag[i] ^ frame[length - TAG_BYTES + i];
    }
    return diff == 0;
  }

  private void start() {
    long n = next++;
    for (int i = 7; i >= 0; i--) {
      seq[i] = (byte) n;
      n >>>= 8;
    }
    mac.update(seq);
  }

  // the whole HMAC into tag; Mac resets itself for the next frame
  private void finish() {
    try {
      mac.doFinal(tag, 0);
    } catch (ShortBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  private void finish(byte[] out, int outOff) {
    finish();
    System.arraycopy(tag, 0, out, outOff, TAG_BYTES);
  }
}
