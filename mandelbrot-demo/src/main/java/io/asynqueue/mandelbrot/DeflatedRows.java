package io.asynqueue.mandelbrot;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.zip.Adler32;
import java.util.zip.Deflater;

/**
 * A group of consecutive image rows compressed on its own, as pigz does: raw deflate blocks that end on a
 * byte boundary with a sync flush (or with the final block, for the image's last group), so that the groups
 * of an image, compressed in parallel, join into one zlib stream. Each group is primed with the last 32 KiB of
 * the rows before it as its dictionary, so it compresses about as well as one long stream. The zlib header
 * and the Adler-32 trailer are the {@link PngEncoder}'s, which combines the groups' checksums with
 * {@link #adler32Combine}.
 *
 * <p>Immutable once made; made on any thread.
 */
final class DeflatedRows {

  /** The deflate window: the most a dictionary can be. */
  static final int WINDOW = 32 * 1024;

  private static final int ADLER_BASE = 65521;

  /** The compressed bytes: {@code data[0 .. length)}. */
  final byte[] data;
  final int length;
  /** The Adler-32 of the group's uncompressed bytes (filter bytes included), and how many there are. */
  final long adler;
  final long rawLength;
  final int rows;
  /** Whether this group ends the stream (its last block is final). */
  final boolean last;

  private DeflatedRows(byte[] data, int length, long adler, long rawLength, int rows, boolean last) {
    this.data = data;
    this.length = length;
    this.adler = adler;
    this.rawLength = rawLength;
    this.rows = rows;
    this.last = last;
  }

  /**
   * Compresses a group of rows, each preceded by filter type 0 (None).
   *
   * @param rows the group's rows, top to bottom, {@code stride} bytes each; may be empty for a last group
   * @param previous the rows just above the group (its dictionary comes from their end); empty for the first
   * @param stride the bytes of a row
   * @param last whether this is the image's last group
   * @param deflaters where to borrow a raw deflater of the right level from, and return it to
   * @return the group, compressed
   */
  static DeflatedRows deflate(List<byte[]> rows, List<byte[]> previous, int stride, boolean last,
      Deflaters deflaters) {
    int line = stride + 1;
    byte[] raw = new byte[rows.size() * line];
    for (int i = 0; i < rows.size(); i++) {
      System.arraycopy(rows.get(i), 0, raw, i * line + 1, stride); // raw[i * line] = 0: filter type None
    }
    Adler32 adler = new Adler32();
    adler.update(raw, 0, raw.length);
    Deflater deflater = deflaters.borrow();
    try {
      byte[] dictionary = dictionary(previous, stride);
      if (dictionary.length > 0) {
        deflater.setDictionary(dictionary);
      }
      deflater.setInput(raw);
      byte[] out = new byte[Math.max(64, raw.length / 4)];
      int n = 0;
      if (last) {
        deflater.finish();
        while (!deflater.finished()) {
          if (n == out.length) {
            out = grow(out);
          }
          n += deflater.deflate(out, n, out.length - n, Deflater.NO_FLUSH);
        }
      } else {
        while (true) {
          if (n == out.length) {
            out = grow(out);
          }
          int space = out.length - n;
          int got = deflater.deflate(out, n, space, Deflater.SYNC_FLUSH);
          n += got;
          if (got < space) {
            break; // all input taken and flushed to a byte boundary
          }
        }
      }
      return new DeflatedRows(out, n, adler.getValue(), raw.length, rows.size(), last);
    } finally {
      deflaters.giveBack(deflater);
    }
  }

  /** The last {@value #WINDOW} bytes of the filtered rows (filter byte, then row, each). */
  private static byte[] dictionary(List<byte[]> previous, int stride) {
    int line = stride + 1;
    long total = (long) previous.size() * line;
    int size = (int) Math.min(WINDOW, total);
    byte[] dict = new byte[size];
    int at = size;
    for (int i = previous.size() - 1; i >= 0 && at > 0; i--) {
      int take = Math.min(stride, at);
      System.arraycopy(previous.get(i), stride - take, dict, at - take, take);
      at -= take;
      if (at > 0) {
        at--; // the row's filter byte, 0
      }
    }
    return dict;
  }

  private static byte[] grow(byte[] b) {
    byte[] bigger = new byte[b.length * 2];
    System.arraycopy(b, 0, bigger, 0, b.length);
    return bigger;
  }

  /**
   * The Adler-32 of two byte sequences one after the other, from the checksum of each and the length of the
   * second (zlib's {@code adler32_combine}): with {@code s1 = 1 + sum of bytes} and {@code s2 = sum of the
   * s1 after each byte}, both mod 65521, appending {@code B} (length {@code n}) to {@code A} gives
   * {@code s1 = s1(A) + s1(B) - 1} and {@code s2 = s2(A) + s2(B) + n * (s1(A) - 1)}.
   *
   * @param adler1 the checksum of the first sequence
   * @param adler2 the checksum of the second
   * @param length2 the length of the second
   * @return the checksum of both
   */
  static long adler32Combine(long adler1, long adler2, long length2) {
    long rem = length2 % ADLER_BASE;
    long a1 = adler1 & 0xffff;
    long b1 = (adler1 >>> 16) & 0xffff;
    long a2 = adler2 & 0xffff;
    long b2 = (adler2 >>> 16) & 0xffff;
    long a = (a1 + a2 + ADLER_BASE - 1) % ADLER_BASE;
    long b = (b1 + b2 + rem * a1 % ADLER_BASE + ADLER_BASE - rem) % ADLER_BASE;
    return b << 16 | a;
  }

  /** Raw deflaters of one level, kept for reuse by the threads compressing one image; {@link #end} frees them. */
  static final class Deflaters {
    private final int level;
    private final ConcurrentLinkedQueue<Deflater> idle = new ConcurrentLinkedQueue<>();
    private volatile boolean ended;

    Deflaters(int level) {
      this.level = level;
    }

    Deflater borrow() {
      Deflater d = idle.poll();
      return d != null ? d : new Deflater(level, true);
    }

    void giveBack(Deflater d) {
      d.reset();
      idle.add(d);
      if (ended) {
        end();
      }
    }

    /** Frees the deflaters now idle, and any given back later. */
    void end() {
      ended = true;
      Deflater d;
      while ((d = idle.poll()) != null) {
        d.end();
      }
    }
  }
}
