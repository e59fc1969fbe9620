package io.asynqueue.remote.internal;

import java.nio.charset.StandardCharsets;
import io.vertx.core.buffer.Buffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * The integrity of one direction of a connection after its handshake: frames travel in sealed records, each the
 * frames of one write (whole frames, up to {@value #RECORD_BYTES} bytes unless one frame is larger) followed by a
 * tag, the first {@value #TAG_BYTES} bytes of HMAC-SHA256 under a key of this session and direction over the
 * record's sequence number and its frames. The sequence number is not sent: each end counts the records, so a
 * record changed, dropped, replayed, reordered or reflected back fails its check, and the connection is closed
 * before any frame of it is decoded. One tag per write rather than per frame: pipelined calls share the cost.
 *
 * <pre>
 * record on the wire  length(4) frames tag(16)          length counts the frames and the tag
 * frames              length(4) body, length(4) body, ...
 * tag                 HMAC-SHA256(key, seq(8) || frames), its first 16 bytes
 * keys                HKDF-SHA256(ikm = secret, salt = server-nonce || client-nonce,
 *                                 info = "asynqueue v3 client to server" | "asynqueue v3 server to client")
 * </pre>
 *
 * <p>Both nonces are fresh for each connection, so each connection has its own keys, and the two directions have
 * different ones. Not thread-safe: the sender seals under its outbox's lock, the reader checks on its context.
 * This is integrity, not confidentiality: without TLS the frames travel in clear.
 */
public final class FrameMac {

  /** The bytes of a tag at the end of each record. */
  public static final int TAG_BYTES = 16;
  /** A record holds whole frames up to this many bytes, or one larger frame alone. */
  public static final int RECORD_BYTES = 64 << 10;

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
   * Seals frames into records, of whole frames up to {@value #RECORD_BYTES} bytes (or one larger frame alone).
   *
   * @param frames whole frames, each its length and body
   * @param out where each record goes, in order
   * @throws IllegalArgumentException if {@code frames} are not whole frames
   */
  public void seal(Buffer frames, Consumer<Buffer> out) {
    int len = frames.length();
    int start = 0;
    int p = 0;
    while (p < len) {
      int n = len - p >= 4 ? frames.getInt(p) : -1;
      if (n < 0 || n > len - p - 4) {
        throw new IllegalArgumentException("not whole frames: " + (len - p) + " bytes left at " + p);
      }
      int end = p + 4 + n;
      if (p > start && end - start > RECORD_BYTES) {
        out.accept(record(frames, start, p));
        start = p;
      }
      p = end;
    }
    if (p > start) {
      out.accept(record(frames, start, p));
    }
  }

  private Buffer record(Buffer frames, int from, int to) {
    byte[] body = frames.getBytes(from, to);
    start();
    mac.update(body);
    finish();
    return Buffer.buffer(4 + body.length + TAG_BYTES).appendInt(body.length + TAG_BYTES).appendBytes(body)
        .appendBytes(tag, 0, TAG_BYTES);
  }

  /** Takes the frames of a record whose tag was checked. */
  public interface FrameSink {
    /**
     * One frame.
     *
     * @param body the frame's body, from index 0 (its first byte is the type)
     * @return whether to go on with the record's next frame
     */
    boolean frame(byte[] body);
  }

  /**
   * Hands on the frames of a record, in order.
   *
   * @param record the record's frames followed by its tag (checked by {@link #verify})
   * @param length their length
   * @param maxFrameBytes the largest frame body accepted
   * @param sink where the frames go
   * @throws IllegalArgumentException if the record does not hold whole frames of at most {@code maxFrameBytes}
   */
  public static void open(byte[] record, int length, int maxFrameBytes, FrameSink sink) {
    int end = length - TAG_BYTES;
    int p = 0;
    while (p < end) {
      int n = end - p >= 4 ? ((record[p] & 0xff) << 24) | ((record[p + 1] & 0xff) << 16)
          | ((record[p + 2] & 0xff) << 8) | (record[p + 3] & 0xff) : -1;
      if (n < 1 || n > end - p - 4 || n > maxFrameBytes) {
        throw new IllegalArgumentException("a record that does not hold whole frames of at most " + maxFrameBytes
            + " bytes");
      }
      if (!sink.frame(Arrays.copyOfRange(record, p + 4, p + 4 + n))) {
        return;
      }
      p += 4 + n;
    }
  }

  /**
   * Checks the next record received.
   *
   * @param frame the record's frames followed by its tag
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

}
