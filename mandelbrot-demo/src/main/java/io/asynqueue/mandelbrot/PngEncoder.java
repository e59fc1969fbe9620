package io.asynqueue.mandelbrot;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A streaming PNG encoder for 8-bit RGB images, one row at a time.
 *
 * <p>It writes the signature and {@code IHDR} when made, an {@code IDAT} chunk each time
 * {@value #CHUNK_SIZE} bytes of compressed data have accumulated, and the last {@code IDAT} and
 * {@code IEND} on {@link #finish()}. It holds one row and one chunk, whatever the image's height.
 *
 * <p>Every row has filter type 0 (None). For these images (flat regions, bands of a 6000-entry map, no
 * dither) it beats the adaptive heuristic of the PNG specification: on the default view at zlib level 6,
 * 224 kB against 270 kB, in a third of the time.
 *
 * <p>It can also take the image data compressed elsewhere, a group of rows at a time ({@link DeflatedRows}:
 * what {@link PngWriteStream} compresses on several threads at once); it then writes the zlib header before the
 * first group and the combined Adler-32 after the last. One image is written one way or the other, not both.
 *
 * <p><b>Threading.</b> Not thread-safe: one thread at a time, rows in order from top to bottom.
 */
public final class PngEncoder {

  /** Compressed bytes per {@code IDAT} chunk, at most. */
  public static final int CHUNK_SIZE = 64 * 1024;

  private static final byte[] SIGNATURE = {(byte) 137, 80, 78, 71, 13, 10, 26, 10};
  private static final int BYTES_PER_PIXEL = 3;

  private final OutputStream out;
  private final int width;
  private final int height;
  private final int stride;
  private final int level;
  /** The serial compressor, made by the first {@link #writeRow}. */
  private Deflater deflater;
  /** Whether groups compressed elsewhere were written ({@link #writeDeflated}), and their checksum so far. */
  private boolean deflatedGroups;
  private long adler = 1;
  private boolean lastGroup;
  private final CRC32 crc = new CRC32();
  /** Length, type, up to CHUNK_SIZE of data, then room for the CRC. */
  private final byte[] chunk = new byte[8 + CHUNK_SIZE + 4];
  private int chunkFill;
  /** The filter-type byte and a copy of the row: what the compressor reads. */
  private final byte[] filtered;
  private int rows;
  private boolean finished;

  /**
   * Starts an image: writes the PNG signature and the {@code IHDR} chunk.
   *
   * @param out where the PNG goes; not closed by this encoder
   * @param width the width in pixels, at least 1
   * @param height the height in pixels, at least 1
   * @param level the zlib compression level, 0 to 9
   * @throws IOException if writing fails
   */
  public PngEncoder(OutputStream out, int width, int height, int level) throws IOException {
    if (width < 1 || height < 1 || (long) width * BYTES_PER_PIXEL + 1 > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("bad PNG size " + width + " x " + height);
    }
    this.out = out;
    this.width = width;
    this.height = height;
    this.stride = width * BYTES_PER_PIXEL;
    if (level < 0 || level > 9) {
      throw new IllegalArgumentException("bad zlib level " + level);
    }
    this.level = level;
    this.filtered = new byte[stride + 1]; // filtered[0] = 0: filter type None
    out.write(SIGNATURE);
    byte[] ihdr = new byte[13];
    putInt(ihdr, 0, width);
    putInt(ihdr, 4, height);
    ihdr[8] = 8; // bit depth
    ihdr[9] = 2; // colour type: truecolour
    ihdr[10] = 0; // compression: deflate
    ihdr[11] = 0; // filter method 0
    ihdr[12] = 0; // no interlace
    writeChunk("IHDR", ihdr, 13);
  }

  /** @return the bytes of a row: 3 per pixel */
  int stride() {
    return stride;
  }

  /** @return the zlib level */
  int level() {
    return level;
  }

  /** @return the rows written so far */
  public int rowsWritten() {
    return rows;
  }

  /**
   * Filters, compresses and (as compressed data accumulates) writes the next row.
   *
   * @param rgb {@code 3 * width} bytes: red, green, blue per pixel, left to right
   * @throws IOException if writing fails
   * @throws IllegalStateException if all rows are written already
   */
  public void writeRow(byte[] rgb) throws IOException {
    if (finished || rows >= height) {
      throw new IllegalStateException("all " + height + " rows are written already");
    }
    if (rgb.length != stride) {
      throw new IllegalArgumentException("row of " + rgb.length + " bytes; expected " + stride);
    }
    if (deflatedGroups) {
      throw new IllegalStateException("this image is written from compressed groups");
    }
    if (deflater == null) {
      deflater = new Deflater(level);
    }
    System.arraycopy(rgb, 0, filtered, 1, stride);
    deflater.setInput(filtered, 0, stride + 1);
    while (!deflater.needsInput()) {
      drain();
    }
    rows++;
  }

  /**
   * Ends the image: flushes the compressed data, writes {@code IEND} and flushes the stream.
   *
   * @throws IOException if writing fails
   * @throws IllegalStateException if fewer than {@code height} rows were written
   */
  public void finish() throws IOException {
    if (finished) {
      return;
    }
    if (rows != height) {
      throw new IllegalStateException("only " + rows + " of " + height + " rows were written");
    }
    if (deflatedGroups) {
      if (!lastGroup) {
        throw new IllegalStateException("the last compressed group was not written");
      }
      byte[] trailer = new byte[4];
      putInt(trailer, 0, (int) adler);
      append(trailer, 0, 4);
    } else {
      if (deflater == null) {
        deflater = new Deflater(level);
      }
      deflater.finish();
      while (!deflater.finished()) {
        drain();
      }
      deflater.end();
    }
    if (chunkFill > 0) {
      emitIdat();
    }
    writeChunk("IEND", new byte[0], 0);
    out.flush();
    finished = true;
  }

  /** Releases the compressor without finishing the image (after a failure). */
  public void abandon() {
    finished = true;
    if (deflater != null) {
      deflater.end();
    }
  }

  /**
   * Writes the next group of rows, compressed elsewhere; the first is preceded by the zlib header. Then
   * {@link #finish()} ends the stream with the Adler-32 of all groups, once the last group is written.
   *
   * @param group the next rows, compressed as one part of this image's zlib stream
   * @throws IOException if writing fails
   * @throws IllegalStateException if rows were written one by one, the last group was written already, or
   *     the group has more rows than are left
   */
  void writeDeflated(DeflatedRows group) throws IOException {
    if (finished || deflater != null || lastGroup || rows + group.rows > height) {
      throw new IllegalStateException("group of " + group.rows + " rows after " + rows + " of " + height
          + (deflater != null ? ", written row by row" : lastGroup ? ", after the last group" : ""));
    }
    if (!deflatedGroups) {
      deflatedGroups = true;
      append(zlibHeader(level), 0, 2);
    }
    append(group.data, 0, group.length);
    adler = DeflatedRows.adler32Combine(adler, group.adler, group.rawLength);
    rows += group.rows;
    lastGroup = group.last;
  }

  /** The two bytes zlib starts a stream of this level with (CMF: deflate, 32 KiB window; FLG: level, check). */
  static byte[] zlibHeader(int level) {
    int flevel = level < 2 ? 0 : level < 6 ? 1 : level == 6 ? 2 : 3;
    int header = 0x78 << 8 | flevel << 6;
    header += 31 - header % 31;
    return new byte[] {(byte) (header >>> 8), (byte) header};
  }

  /** Adds compressed bytes to the IDAT chunks, writing each as it fills. */
  private void append(byte[] b, int off, int len) throws IOException {
    while (len > 0) {
      int n = Math.min(len, CHUNK_SIZE - chunkFill);
      System.arraycopy(b, off, chunk, 8 + chunkFill, n);
      chunkFill += n;
      off += n;
      len -= n;
      if (chunkFill == CHUNK_SIZE) {
        emitIdat();
      }
    }
  }

  // ---------------------------------------------------------------- chunks

  /** Runs the compressor into the chunk buffer, writing an IDAT chunk whenever it fills. */
  private void drain() throws IOException {
    int n = deflater.deflate(chunk, 8 + chunkFill, CHUNK_SIZE - chunkFill, Deflater.NO_FLUSH);
    chunkFill += n;
    if (chunkFill == CHUNK_SIZE) {
      emitIdat();
    }
  }

  private void emitIdat() throws IOException {
    putInt(chunk, 0, chunkFill);
    putType(chunk, "IDAT");
    crc.reset();
    crc.update(chunk, 4, 4 + chunkFill);
    putInt(chunk, 8 + chunkFill, (int) crc.getValue());
    out.write(chunk, 0, 12 + chunkFill);
    chunkFill = 0;
  }

  private void writeChunk(String type, byte[] data, int length) throws IOException {
    byte[] head = new byte[8];
    putInt(head, 0, length);
    putType(head, type);
    crc.reset();
    crc.update(head, 4, 4);
    crc.update(data, 0, length);
    byte[] tail = new byte[4];
    putInt(tail, 0, (int) crc.getValue());
    out.write(head);
    out.write(data, 0, length);
    out.write(tail);
  }

  private static void putType(byte[] b, String type) {
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(t, 0, b, 4, 4);
  }

  private static void putInt(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }
}
