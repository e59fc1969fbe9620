package io.asynqueue.mandelbrot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

final class PngEncoderTest {

  private static byte[][] randomRows(int width, int height, long seed) {
    Random random = new Random(seed);
    byte[][] rows = new byte[height][3 * width];
    for (byte[] row : rows) {
      random.nextBytes(row);
    }
    return rows;
  }

  private static byte[] encode(int width, byte[][] rows, int level) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PngEncoder png = new PngEncoder(out, width, rows.length, level);
    for (byte[] row : rows) {
      png.writeRow(row);
    }
    png.finish();
    return out.toByteArray();
  }

  private static void assertImageIs(byte[] png, int width, byte[][] rows) throws Exception {
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
    assertThat(image).isNotNull();
    assertThat(image.getWidth()).isEqualTo(width);
    assertThat(image.getHeight()).isEqualTo(rows.length);
    for (int y = 0; y < rows.length; y++) {
      for (int x = 0; x < width; x++) {
        int expected = (rows[y][3 * x] & 0xff) << 16 | (rows[y][3 * x + 1] & 0xff) << 8
            | (rows[y][3 * x + 2] & 0xff);
        assertThat(image.getRGB(x, y) & 0xffffff).as("pixel %d,%d", x, y).isEqualTo(expected);
      }
    }
  }

  /** The chunk types in order, checking every length and CRC on the way. */
  private static List<String> chunks(byte[] png) {
    ByteBuffer b = ByteBuffer.wrap(png);
    byte[] signature = new byte[8];
    b.get(signature);
    assertThat(signature).containsExactly(137, 80, 78, 71, 13, 10, 26, 10);
    List<String> types = new ArrayList<>();
    while (b.hasRemaining()) {
      int length = b.getInt();
      byte[] typeAndData = new byte[4 + length];
      b.get(typeAndData);
      CRC32 crc = new CRC32();
      crc.update(typeAndData);
      assertThat(b.getInt()).isEqualTo((int) crc.getValue());
      types.add(new String(typeAndData, 0, 4, StandardCharsets.US_ASCII));
    }
    return types;
  }

  @Test
  void roundTrip_randomImage() throws Exception {
    byte[][] rows = randomRows(37, 23, 1);
    assertImageIs(encode(37, rows, 6), 37, rows);
  }

  @Test
  void roundTrip_onePixel() throws Exception {
    byte[][] rows = {{(byte) 200, 100, 50}};
    assertImageIs(encode(1, rows, 9), 1, rows);
  }

  @Test
  void roundTrip_everyLevel() throws Exception {
    byte[][] rows = randomRows(16, 9, 2);
    for (int level = 0; level <= 9; level++) {
      assertImageIs(encode(16, rows, level), 16, rows);
    }
  }

  @Test
  void roundTrip_aRenderedView() throws Exception {
    ViewSpec spec = ViewSpec.of(120, -0.63, 0, 1.4, 1.2, 300);
    byte[][] rows = new byte[spec.ny()][];
    for (int y = 0; y < spec.ny(); y++) {
      rows[y] = MandelbrotValuer.row(spec, y);
    }
    assertImageIs(encode(spec.nx(), rows, 3), spec.nx(), rows);
  }

  @Test
  void chunks_signatureHeaderDataEnd() throws Exception {
    byte[] png = encode(4, randomRows(4, 4, 3), 6);
    assertThat(chunks(png)).containsExactly("IHDR", "IDAT", "IEND");
    // IHDR: width, height, depth 8, colour type 2 (RGB), compression 0, filter 0, no interlace
    ByteBuffer ihdr = ByteBuffer.wrap(png, 16, 13);
    assertThat(ihdr.getInt()).isEqualTo(4);
    assertThat(ihdr.getInt()).isEqualTo(4);
    assertThat(new byte[] {ihdr.get(), ihdr.get(), ihdr.get(), ihdr.get(), ihdr.get()})
        .containsExactly(8, 2, 0, 0, 0);
  }

  @Test
  void streams_idatChunksAsDataAccumulates() throws Exception {
    int width = 500;
    int height = 200;
    byte[][] rows = randomRows(width, height, 4); // incompressible: 300 kB of compressed data
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PngEncoder png = new PngEncoder(out, width, height, 1);
    for (int y = 0; y < height / 2; y++) {
      png.writeRow(rows[y]);
    }
    // Half way, most of the first half is out already: the encoder holds at most one chunk.
    assertThat(out.size()).isGreaterThan(3 * width * height / 2 - 2 * PngEncoder.CHUNK_SIZE);
    for (int y = height / 2; y < height; y++) {
      png.writeRow(rows[y]);
    }
    png.finish();
    byte[] bytes = out.toByteArray();
    List<String> types = chunks(bytes);
    assertThat(types.stream().filter("IDAT"::equals).count()).isGreaterThan(4);
    assertImageIs(bytes, width, rows);
  }

  @Test
  void rowsMustFitAndAllBeWritten() throws Exception {
    PngEncoder png = new PngEncoder(new ByteArrayOutputStream(), 2, 2, 6);
    assertThatThrownBy(() -> png.writeRow(new byte[5])).isInstanceOf(IllegalArgumentException.class);
    png.writeRow(new byte[6]);
    assertThatThrownBy(png::finish).isInstanceOf(IllegalStateException.class).hasMessageContaining("1 of 2");
    png.writeRow(new byte[6]);
    assertThatThrownBy(() -> png.writeRow(new byte[6])).isInstanceOf(IllegalStateException.class);
    png.finish();
    assertThat(png.rowsWritten()).isEqualTo(2);
  }

  @Test
  void badSizesAreRejected() {
    assertThatThrownBy(() -> new PngEncoder(new ByteArrayOutputStream(), 0, 1, 6))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PngEncoder(new ByteArrayOutputStream(), 1, 0, 6))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
