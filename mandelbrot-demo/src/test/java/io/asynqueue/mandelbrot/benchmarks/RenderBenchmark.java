package io.asynqueue.mandelbrot.benchmarks;

import io.asynqueue.mandelbrot.QueueRowSource;
import io.asynqueue.mandelbrot.RenderStats;
import io.asynqueue.mandelbrot.Renderer;
import io.asynqueue.mandelbrot.ViewSpec;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.streams.WriteStream;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Whole renders on a ThreadQueue of 1 and of 2 workers: the default view (1200 x 1028, N = 2000) and a
 * detail view where the kernel dominates.
 *
 * <ul>
 *   <li>{@code png}: what {@code mcm render} does, minus the file: rows through the queue, reordered,
 *       encoded at the command's compression level into a discarding stream;
 *   <li>{@code rows}: rows through the queue, reordered, into a discarding {@code WriteStream}: the queue's
 *       part alone, without the encoder (which compresses in parallel groups and writes in order).
 * </ul>
 * The score is milliseconds per render; {@link RenderBenchmarkMain} prints the speed-ups.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(1)
public class RenderBenchmark {

  @Param({"1", "2"})
  public int workers;

  /**
   * {@code default}: the default view, 1200 x 1028 at N = 2000, where the kernel takes about 170 ms and the
   * serial PNG encoding about 11 ms. {@code detail}: 600 x 600 of the detail view
   * ({@code -N 3000 3000 -0.73249 0.21653 0.0112}), where the kernel dominates.
   */
  @Param({"default", "detail"})
  public String view;

  private ViewSpec spec;
  private Vertx vertx;
  private Context context;
  private QueueRowSource source;

  @Setup(Level.Trial)
  public void setUp() {
    spec = view.equals("detail")
        ? ViewSpec.of(600, -0.73249, 0.21653, 0.0112, 0.0112, 3000)
        : ViewSpec.defaultView();
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    source = QueueRowSource.threads(vertx, workers);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    await(source.close());
    await(vertx.close());
  }

  @Benchmark
  public RenderStats png() throws Exception {
    return await(Renderer.render(context, source, spec, OutputStream.nullOutputStream(), false,
        Renderer.DEFAULT_COMPRESSION, null));
  }

  @Benchmark
  public int rows() throws Exception {
    Discard sink = new Discard();
    Future<Void> done = Future.<Void>future(p -> context.runOnContext(v ->
        source.rows(context, spec).pipeTo(sink).onComplete(p)));
    await(done);
    return sink.rows;
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
  }

  /** Counts rows and drops them. */
  static final class Discard implements WriteStream<byte[]> {
    int rows;

    @Override
    public WriteStream<byte[]> exceptionHandler(Handler<Throwable> handler) {
      return this;
    }

    @Override
    public Future<Void> write(byte[] data) {
      rows++;
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> end() {
      return Future.succeededFuture();
    }

    @Override
    public WriteStream<byte[]> setWriteQueueMaxSize(int maxSize) {
      return this;
    }

    @Override
    public boolean writeQueueFull() {
      return false;
    }

    @Override
    public WriteStream<byte[]> drainHandler(Handler<Void> handler) {
      return this;
    }
  }
}
