package io.asynqueue.mandelbrot;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import java.io.OutputStream;

/**
 * Renders a view into a PNG stream: rows from a {@link RowSource}, in order, piped into a
 * {@link PngWriteStream}. Rows are written as they arrive; memory is bounded by the source's window and
 * the stream's write queue, not by the image's height.
 */
public final class Renderer {

  /**
   * The zlib level the command uses. On the default view level 3 takes half the time of level 6 for a
   * file 12% larger (251 kB against 224 kB). Compression runs in parallel groups of rows (see
   * {@link PngWriteStream}), so it no longer caps the speed-up from more workers; its CPU time still counts.
   */
  public static final int DEFAULT_COMPRESSION = 3;

  private Renderer() {
  }

  /**
   * Renders a view.
   *
   * @param context the context the render runs on; the returned Future completes on it
   * @param source where the rows come from; left open
   * @param spec the view
   * @param out where the PNG goes
   * @param closeOut whether to close {@code out} at the end (also after a failure)
   * @param level the zlib compression level, 0 to 9
   * @param progress called on the context with the number of rows written so far; may be {@code null}
   * @return a Future of the render's statistics, completed when the last PNG byte is written, or failed
   *     with the first failure of a row or of the output
   */
  public static Future<RenderStats> render(Context context, RowSource source, ViewSpec spec,
      OutputStream out, boolean closeOut, int level, Handler<Integer> progress) {
    Promise<RenderStats> promise = Promise.promise();
    context.runOnContext(v -> {
      long start = System.nanoTime();
      context.<PngEncoder>executeBlocking(() -> new PngEncoder(out, spec.nx(), spec.ny(), level), true)
          .compose(encoder -> {
            PngWriteStream png = new PngWriteStream(context, encoder, out, closeOut, progress);
            return source.rows(context, spec).pipeTo(png);
          })
          .map(done -> new RenderStats(spec.pixels(), (System.nanoTime() - start) / 1e9, source.workers()))
          .onComplete(promise);
    });
    return promise.future();
  }
}
