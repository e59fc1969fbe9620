package io.asynqueue.mandelbrot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.Adler32;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;

final class DeflatedRowsTest {

  private static long adler(byte[] b, int off, int len) {
    Adler32 a = new Adler32();
    a.update(b, off, len);
    return a.getValue();
  }

  @Test
  void adler32Combine_isTheChecksumOfTheConcatenation() {
    Random random = new Random(5);
    byte[] data = new byte[300_000];
    random.nextBytes(data);
    Arrays.fill(data, 1000, 90_000, (byte) 0xff); // long runs of high bytes push the sums past the modulus
    int[] cuts = {0, 1, 65_520, 65_521, 65_522, 131_042, 150_000, 299_999, 300_000};
    for (int cut : cuts) {
      long combined = DeflatedRows.adler32Combine(adler(data, 0, cut), adler(data, cut, data.length - cut),
          data.length - cut);
      assertThat(combined).as("cut at %d", cut).isEqualTo(adler(data, 0, data.length));
    }
  }

  @Test
  void zlibHeader_isZlibsForEveryLevel() {
    for (int level = 0; level <= 9; level++) {
      Deflater d = new Deflater(level);
      d.setInput(new byte[10]);
      d.finish();
      byte[] out = new byte[64];
      d.deflate(out);
      d.end();
      assertThat(PngEncoder.zlibHeader(level)).as("level %d", level).containsExactly(out[0], out[1]);
    }
  }

  @Test
  void groupsJoinIntoOneZlibStreamOfTheFilteredRows() throws Exception {
    int stride = 3 * 700;
    Random random = new Random(6);
    List<byte[]> rows = new ArrayList<>();
    ByteArrayOutputStream filtered = new ByteArrayOutputStream();
    for (int y = 0; y < 90; y++) {
      byte[] row = new byte[stride];
      for (int x = 0; x < stride; x++) {
        row[x] = (byte) (x / 50 + y % 7 + (random.nextInt(10) == 0 ? random.nextInt(256) : 0));
      }
      rows.add(row);
      filtered.write(0);
      filtered.write(row);
    }
    DeflatedRows.Deflaters deflaters = new DeflatedRows.Deflaters(3);
    ByteArrayOutputStream zlib = new ByteArrayOutputStream();
    zlib.write(PngEncoder.zlibHeader(3));
    long adler = 1;
    int[] bounds = {0, 1, 40, 41, 90, 90}; // groups of 1, 39, 1 and 49 rows, then an empty last group
    for (int g = 0; g + 1 < bounds.length; g++) {
      boolean last = g + 2 == bounds.length;
      DeflatedRows group = DeflatedRows.deflate(rows.subList(bounds[g], bounds[g + 1]), rows.subList(0, bounds[g]),
          stride, last, deflaters);
      assertThat(group.rows).isEqualTo(bounds[g + 1] - bounds[g]);
      assertThat(group.last).isEqualTo(last);
      zlib.write(group.data, 0, group.length);
      adler = DeflatedRows.adler32Combine(adler, group.adler, group.rawLength);
    }
    deflaters.end();
    zlib.write((int) (adler >>> 24));
    zlib.write((int) (adler >>> 16));
    zlib.write((int) (adler >>> 8));
    zlib.write((int) adler);

    Inflater inflater = new Inflater(); // checks the header and the Adler-32 trailer
    inflater.setInput(zlib.toByteArray());
    byte[] inflated = new byte[filtered.size() + 1];
    int n = 0;
    while (!inflater.finished()) {
      int got = inflater.inflate(inflated, n, inflated.length - n);
      assertThat(got > 0 || inflater.finished()).as("inflater stuck at %d", n).isTrue();
      n += got;
    }
    assertThat(inflater.getRemaining()).isZero();
    inflater.end();
    assertThat(Arrays.copyOf(inflated, n)).isEqualTo(filtered.toByteArray());
  }
}
