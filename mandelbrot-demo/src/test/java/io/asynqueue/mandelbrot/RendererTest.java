package io.asynqueue.mandelbrot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asynqueue.stream.OrderedItemProducer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.streams.ReadStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

final class RendererTest {

  private Vertx vertx;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Rows from a function, in order, through the core's ordered producer: no queue. */
  private static RowSource rowsFrom(IntFunction<Future<byte[]>> row) {
    return new RowSource() {
      @Override
      public ReadStream<byte[]> rows(Context context, ViewSpec spec) {
        return OrderedItemProducer.create(context, IntStream.range(0, spec.ny()).iterator(),
            (Integer y) -> row.apply(y), 4);
      }

      @Override
      public int workers() {
        return 1;
      }

      @Override
      public Future<Void> close() {
        return Future.succeededFuture();
      }
    };
  }

  private RenderStats render(RowSource source, ViewSpec spec, OutputStream out, boolean close)
      throws Exception {
    Future<RenderStats> f = Renderer.render(vertx.getOrCreateContext(), source, spec, out, close, 6, null);
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static byte[] plainEncoding(ViewSpec spec, int level) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PngEncoder png = new PngEncoder(out, spec.nx(), spec.ny(), level);
    for (int y = 0; y < spec.ny(); y++) {
      png.writeRow(MandelbrotValuer.row(spec, y));
    }
    png.finish();
    return out.toByteArray();
  }

  /** The rows are compressed in parallel groups, so the bytes differ from the serial encoder's; not the image. */
  private static void assertSamePixels(byte[] png, byte[] expected) throws IOException {
    BufferedImage a = ImageIO.read(new ByteArrayInputStream(png));
    BufferedImage b = ImageIO.read(new ByteArrayInputStream(expected));
    assertThat(a).isNotNull();
    assertThat(a.getWidth()).isEqualTo(b.getWidth());
    assertThat(a.getHeight()).isEqualTo(b.getHeight());
    assertThat(a.getRGB(0, 0, a.getWidth(), a.getHeight(), null, 0, a.getWidth()))
        .isEqualTo(b.getRGB(0, 0, b.getWidth(), b.getHeight(), null, 0, b.getWidth()));
  }

  /** Closes like a file; records it. */
  private static final class ClosingStream extends ByteArrayOutputStream {
    boolean closed;

    @Override
    public void close() {
      closed = true;
    }
  }

  @Test
  void render_writesTheRowsInOrder() throws Exception {
    ViewSpec spec = ViewSpec.of(64, -0.63, 0, 1.4, 1.2, 300);
    ClosingStream out = new ClosingStream();
    RenderStats stats = render(rowsFrom(y -> Future.succeededFuture(MandelbrotValuer.row(spec, y))),
        spec, out, true);
    assertSamePixels(out.toByteArray(), plainEncoding(spec, 6));
    assertThat(out.closed).isTrue();
    assertThat(stats.pixels()).isEqualTo(64L * spec.ny());
    assertThat(stats.workers()).isEqualTo(1);
  }

  @Test
  void render_rowsCompletingOutOfOrderStillLandInOrder() throws Exception {
    ViewSpec spec = ViewSpec.of(40, -0.63, 0, 1.4, 1.2, 300);
    Map<Integer, Promise<byte[]>> held = new HashMap<>();
    // Every even row but the last completes only after the odd row below it.
    RowSource source = rowsFrom(y -> {
      Promise<byte[]> p = Promise.promise();
      if (y % 2 == 0 && y != spec.ny() - 1) {
        held.put(y, p);
        return p.future();
      }
      p.complete(MandelbrotValuer.row(spec, y));
      Promise<byte[]> above = held.remove(y - 1);
      if (above != null) {
        above.complete(MandelbrotValuer.row(spec, y - 1));
      }
      return p.future();
    });
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    render(source, spec, out, false);
    assertSamePixels(out.toByteArray(), plainEncoding(spec, 6));
  }

  @Test
  void render_aFailedRowFailsTheRenderAndClosesTheOutput() {
    ViewSpec spec = ViewSpec.of(30, -0.63, 0, 1.4, 1.2, 100);
    ClosingStream out = new ClosingStream();
    RowSource source = rowsFrom(y -> y == 7
        ? Future.failedFuture(new IllegalStateException("row 7 broke"))
        : Future.succeededFuture(MandelbrotValuer.row(spec, y)));
    assertThatThrownBy(() -> render(source, spec, out, true))
        .isInstanceOf(ExecutionException.class)
        .hasRootCauseMessage("row 7 broke");
    assertThat(out.closed).isTrue();
  }

  @Test
  void render_aFailedOutputFailsTheRender() {
    ViewSpec spec = ViewSpec.of(300, -0.63, 0, 1.4, 1.2, 100);
    OutputStream broken = new OutputStream() {
      private int written;

      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        written += len;
        if (written > 100) {
          throw new IOException("disk full");
        }
      }
    };
    assertThatThrownBy(() -> render(rowsFrom(y -> Future.succeededFuture(MandelbrotValuer.row(spec, y))),
        spec, broken, true))
        .isInstanceOf(ExecutionException.class)
        .hasRootCauseMessage("disk full");
  }
}
