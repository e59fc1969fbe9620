package io.asynqueue.benchmarks;

import io.vertx.core.Completable;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Shared settings and harness, in the manner of Vert.x core's {@code BenchmarkBase}.
 *
 * <p>Everything measured runs on a Vert.x event loop: a benchmark method hands a batch of operations to the
 * caller's event-loop context and blocks the JMH thread until the batch is done. A baseline and its case use
 * the very same harness ({@link #sequential} or {@link #bursts}) with the same batch size, so the harness cost
 * (one hop onto the loop and one wake-up of the JMH thread per batch, amortized over the batch) is the same on
 * both sides of a ratio.
 *
 * <p>Settings are short on purpose (the whole suite takes about two minutes): one fork, modest warm-up and
 * measurement. On a noisy 2-core machine compare ratios within one run, never absolute numbers across runs.
 */
@Warmup(iterations = 4, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Threads(1)
public abstract class BenchmarkBase {

  /** The result every trivial task returns. */
  static final Integer ONE = 1;

  protected Vertx vertx;
  /** The caller's event-loop context: where every measured operation starts and completes. */
  protected Context context;

  protected void startVertx() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
  }

  protected void closeVertx() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /**
   * Runs {@code n} operations one after another on the caller's event loop (each starts once the previous one
   * has completed there) and waits for the last.
   */
  protected final void sequential(int n, Supplier<Future<?>> op) throws Exception {
    onLoop(done -> new Sequence(n, op, done).next());
  }

  /**
   * Runs {@code count} bursts on the caller's event loop: a burst starts {@code size} operations at once; the
   * next burst starts when all of them have completed. Waits for the last burst.
   */
  protected final void bursts(int count, int size, Supplier<Future<?>> op) throws Exception {
    onLoop(done -> new Bursts(count, size, op, done).start());
  }

  private void onLoop(Consumer<Done> body) throws Exception {
    Done done = new Done();
    context.runOnContext(v -> {
      try {
        body.accept(done);
      } catch (Throwable t) {
        done.fail(t);
      }
    });
    done.await();
  }

  /** The end of a batch, signalled from the event loop to the JMH thread. */
  private static final class Done {
    private final CountDownLatch latch = new CountDownLatch(1);
    private volatile Throwable failure;

    void succeed() {
      latch.countDown();
    }

    void fail(Throwable t) {
      failure = t;
      latch.countDown();
    }

    void await() throws Exception {
      if (!latch.await(60, TimeUnit.SECONDS)) {
        throw new TimeoutException("batch did not finish within 60 s");
      }
      Throwable t = failure;
      if (t != null) {
        throw new IllegalStateException("an operation failed", t);
      }
    }
  }

  /** Confined to the event loop. */
  private static final class Sequence implements Completable<Object> {
    private final Supplier<Future<?>> op;
    private final Done done;
    private int left;

    Sequence(int n, Supplier<Future<?>> op, Done done) {
      this.left = n;
      this.op = op;
      this.done = done;
    }

    void next() {
      if (left == 0) {
        done.succeed();
        return;
      }
      left--;
      op.get().onComplete(this);
    }

    @Override
    public void complete(Object result, Throwable failure) {
      if (failure != null) {
        done.fail(failure);
      } else {
        next();
      }
    }
  }

  /** Confined to the event loop. */
  private static final class Bursts implements Completable<Object> {
    private final int size;
    private final Supplier<Future<?>> op;
    private final Done done;
    private int left;
    private int pending;
    private boolean failed;

    Bursts(int count, int size, Supplier<Future<?>> op, Done done) {
      this.left = count;
      this.size = size;
      this.op = op;
      this.done = done;
    }

    void start() {
      if (left == 0) {
        done.succeed();
        return;
      }
      left--;
      pending = size + 1; // + 1 until all are started, in case one completes at once
      for (int i = 0; i < size; i++) {
        op.get().onComplete(this);
      }
      complete(null, null);
    }

    @Override
    public void complete(Object result, Throwable failure) {
      if (failed) {
        return;
      }
      if (failure != null) {
        failed = true;
        done.fail(failure);
      } else if (--pending == 0) {
        start();
      }
    }
  }
}
