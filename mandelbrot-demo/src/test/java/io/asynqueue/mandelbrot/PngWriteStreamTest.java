package io.asynqueue.mandelbrot;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.Inflater;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The PNG a {@link PngWriteStream} writes from rows compressed in parallel groups. */
@ExtendWith(VertxExtension.class)
final class PngWriteStreamTest {

  private static byte[] serial(ViewSpec spec, byte[][] rows) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PngEncoder png = new PngEncoder(out, spec.nx(), spec.ny(), 3);
    for (byte[] row : rows) {
      png.writeRow(row);
    }
    png.finish();
    return out.toByteArray();
  }

  /** Writes the rows through a stream on a context, as a pipe would: waiting for a drain when full. */
  private static byte[] streamed(Vertx vertx, ViewSpec spec, byte[][] rows, Integer maxSize) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Context context = vertx.getOrCreateContext();
    CompletableFuture<Void> done = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        PngEncoder encoder = new PngEncoder(out, spec.nx(), spec.ny(), 3);
        PngWriteStream png = new PngWriteStream(context, encoder, out, true, null);
        if (maxSize != null) {
          png.setWriteQueueMaxSize(maxSize);
        }
        new Object() {
          int y;

          void pump() {
            while (y < rows.length) {
              png.write(rows[y++]);
              if (png.writeQueueFull()) {
                png.drainHandler(d -> pump());
                return;
              }
            }
            png.end().onComplete(ar -> {
              if (ar.succeeded()) {
                done.complete(null);
              } else {
                done.completeExceptionally(ar.cause());
              }
            });
          }
        }.pump();
      } catch (Exception e) {
        done.completeExceptionally(e);
      }
    });
    done.get(60, TimeUnit.SECONDS);
    return out.toByteArray();
  }

  private static byte[][] rows(ViewSpec spec) {
    byte[][] rows = new byte[spec.ny()][];
    for (int y = 0; y < spec.ny(); y++) {
      rows[y] = MandelbrotValuer.row(spec, y);
    }
    return rows;
  }

  private static void assertSamePixels(byte[] png, byte[] expected) throws Exception {
    BufferedImage a = ImageIO.read(new ByteArrayInputStream(png));
    BufferedImage b = ImageIO.read(new ByteArrayInputStream(expected));
    assertThat(a).isNotNull();
    assertThat(a.getWidth()).isEqualTo(b.getWidth());
    assertThat(a.getHeight()).isEqualTo(b.getHeight());
    int[] pa = a.getRGB(0, 0, a.getWidth(), a.getHeight(), null, 0, a.getWidth());
    int[] pb = b.getRGB(0, 0, b.getWidth(), b.getHeight(), null, 0, b.getWidth());
    assertThat(pa).isEqualTo(pb);
  }

  /** The IDAT chunks' data, joined: the zlib stream. */
  private static byte[] idat(byte[] png) {
    ByteBuffer b = ByteBuffer.wrap(png, 8, png.length - 8);
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    while (b.hasRemaining()) {
      int length = b.getInt();
      byte[] type = new byte[4];
      b.get(type);
      byte[] chunk = new byte[length];
      b.get(chunk);
      b.getInt();
      if (new String(type, StandardCharsets.US_ASCII).equals("IDAT")) {
        data.write(chunk, 0, length);
      }
    }
    return data.toByteArray();
  }

  private static byte[] inflate(byte[] zlib, int size) throws Exception {
    Inflater inflater = new Inflater(); // checks the zlib header and the Adler-32
    inflater.setInput(zlib);
    byte[] out = new byte[size + 1];
    int n = 0;
    while (!inflater.finished() && n < out.length) {
      int got = inflater.inflate(out, n, out.length - n);
      if (got == 0 && !inflater.finished()) {
        throw new AssertionError("the zlib stream stops at " + n + " of " + size + " bytes");
      }
      n += got;
    }
    assertThat(inflater.getRemaining()).as("bytes after the end of the stream").isZero();
    inflater.end();
    return Arrays.copyOf(out, n);
  }

  @Test
  void manyGroups_samePixelsAsTheSerialEncoder_andOneValidZlibStream(Vertx vertx) throws Exception {
    ViewSpec spec = ViewSpec.of(400, -0.63, 0, 1.4, 1.2, 300); // 109 rows a group: 3 groups and a partial one
    byte[][] rows = rows(spec);
    byte[] expected = serial(spec, rows);
    byte[] png = streamed(vertx, spec, rows, null);
    assertSamePixels(png, expected);
    assertThat(inflate(idat(png), spec.ny() * (3 * spec.nx() + 1)))
        .isEqualTo(inflate(idat(expected), spec.ny() * (3 * spec.nx() + 1)));
    assertThat(png.length).as("about the serial size").isLessThan(expected.length * 11 / 10);
  }

  @Test
  void heightAMultipleOfTheGroup_endsWithAnEmptyFinalGroup(Vertx vertx) throws Exception {
    int groupRows = PngWriteStream.GROUP_BYTES / (3 * 1000 + 1);
    ViewSpec spec = ViewSpec.of(1000, -0.63, 0, 1.4, 1.4 * 2 * groupRows / 1000.0 + 1e-9, 300);
    assertThat(spec.ny()).isEqualTo(2 * groupRows);
    byte[][] rows = rows(spec);
    byte[] png = streamed(vertx, spec, rows, null);
    assertSamePixels(png, serial(spec, rows));
  }

  @Test
  void aSmallWriteQueue_sendsSmallGroups_andStillFinishes(Vertx vertx) throws Exception {
    ViewSpec spec = ViewSpec.of(300, -0.63, 0, 1.4, 1.2, 200);
    byte[][] rows = rows(spec);
    byte[] png = streamed(vertx, spec, rows, 3);
    assertSamePixels(png, serial(spec, rows));
  }

  @Test
  void aFailedRowWrite_failsTheEnd(Vertx vertx) throws Exception {
    ViewSpec spec = ViewSpec.of(50, -0.63, 0, 1.4, 1.2, 100);
    Context context = vertx.getOrCreateContext();
    CompletableFuture<Throwable> ended = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PngWriteStream png = new PngWriteStream(context, new PngEncoder(out, spec.nx(), spec.ny(), 3), out,
            true, null);
        png.write(new byte[7]); // not a row of this width: its group fails to be written
        png.end().onComplete(ar -> ended.complete(ar.cause()));
      } catch (Exception e) {
        ended.completeExceptionally(e);
      }
    });
    assertThat(ended.get(30, TimeUnit.SECONDS)).isNotNull();
  }
}
