package io.asynqueue.benchmarks;

import io.asynqueue.CallOptions;
import io.asynqueue.SchedulerProbe;
import io.asynqueue.Task0;
import io.asynqueue.TaskQueue;
import io.asynqueue.Workers;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Deep queues, standalone (not JMH: a deep queue is one long operation, and its heap is read between phases):
 * {@code java -cp asynqueue-core/target/benchmarks.jar io.asynqueue.benchmarks.DeepQueueBenchmark [calls]}.
 *
 * <ul>
 *   <li><b>Drain rate at depth.</b> {@code calls} trivial calls (default 1,000,000) are queued at once, spread
 *       over 1, 100 or 10,000 series, with no worker; then one event-loop worker on the caller's context is
 *       attached and the time until the last call's Future completes gives the rate. The raw baseline, in the
 *       same run: the same number of calls on the same queue and worker kept 10 deep (each completion makes
 *       the next call). Target: the deep queue within 1.5x of the depth-10 rate.
 *   <li><b>Heap per queued call.</b> Heap in use (after GC) with the calls queued, less heap in use before,
 *       over the calls: the call's JobImpl, its Future, its arguments array and its share of the series' queues
 *       and options. Target: at most 160 B.
 *   <li><b>The scheduler's cost per call</b> alone ({@code SeriesScheduler}: queue, take, start, end), beside
 *       an {@code ArrayDeque}'s offer and poll of the same calls.
 * </ul>
 *
 * <p>Each figure is the best of three runs, after a warm-up.
 */
public final class DeepQueueBenchmark {

  private static final int[] SERIES = {1, 100, 10_000};
  private static final int ROUNDS = 3;
  private static final Task0<Object> NOTHING = () -> null;

  private final Vertx vertx;
  private final Context ctx;
  private final int calls;

  private DeepQueueBenchmark(int calls) {
    this.calls = calls;
    this.vertx = Vertx.vertx(new VertxOptions().setBlockedThreadCheckInterval(TimeUnit.HOURS.toMillis(1)));
    this.ctx = vertx.getOrCreateContext();
  }

  private <T> T onContext(java.util.function.Supplier<Future<T>> body) throws Exception {
    CompletableFuture<T> done = new CompletableFuture<>();
    ctx.runOnContext(v -> body.get().onComplete(ar -> {
      if (ar.succeeded()) {
        done.complete(ar.result());
      } else {
        done.completeExceptionally(ar.cause());
      }
    }));
    return done.get(10, TimeUnit.MINUTES);
  }

  /** Counts completed calls on the context and completes when all have. */
  private static final class Counter implements Handler<AsyncResult<Object>> {
    final int target;
    final Promise<Long> done = Promise.promise();
    int completed;
    Runnable onEach;

    Counter(int target) {
      this.target = target;
    }

    @Override
    public void handle(AsyncResult<Object> ar) {
      if (ar.failed()) {
        done.tryFail(ar.cause());
        return;
      }
      if (++completed == target) {
        done.complete(System.nanoTime());
      } else if (onEach != null) {
        onEach.run();
      }
    }
  }

  private TaskQueue queueWithWorker() throws Exception {
    TaskQueue q = TaskQueue.create(vertx);
    q.attachWorker(Workers.eventLoop(ctx, 1)).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    return q;
  }

  /** Calls per second with the queue kept 10 deep. */
  private double depth10() throws Exception {
    TaskQueue q = queueWithWorker();
    long[] t0 = new long[1];
    long end = onContext(() -> {
      Counter counter = new Counter(calls);
      int[] made = {0};
      counter.onEach = () -> {
        if (made[0] < calls) {
          made[0]++;
          q.call(NOTHING).onComplete(counter);
        }
      };
      t0[0] = System.nanoTime();
      for (int i = 0; i < 10; i++) {
        made[0]++;
        q.call(NOTHING).onComplete(counter);
      }
      return counter.done.future();
    });
    q.shutdown().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    return calls / ((end - t0[0]) / 1e9);
  }

  private record Deep(double rate, double bytesPerCall) {
  }

  /** All calls queued at once over {@code series} series, then drained by one worker. */
  private Deep deep(int series) throws Exception {
    CallOptions[] options = new CallOptions[series];
    for (int s = 0; s < series; s++) {
      options[s] = new CallOptions().setSeries(series == 1 ? null : "series-" + s);
    }
    @SuppressWarnings("unchecked")
    Future<Object>[] futures = new Future[calls];
    TaskQueue q = TaskQueue.create(vertx);
    long before = usedHeap();
    onContext(() -> {
      for (int i = 0; i < calls; i++) {
        futures[i] = q.call(NOTHING, options[i % series]);
      }
      return Future.succeededFuture();
    });
    long after = usedHeap();
    Counter counter = new Counter(calls);
    long[] t0 = new long[1];
    long end = onContext(() -> {
      for (Future<Object> f : futures) {
        f.onComplete(counter);
      }
      t0[0] = System.nanoTime();
      q.attachWorker(Workers.eventLoop(ctx, 1));
      return counter.done.future();
    });
    java.util.Arrays.fill(futures, null);
    q.shutdown().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    return new Deep(calls / ((end - t0[0]) / 1e9), (after - before) / (double) calls);
  }

  private static long usedHeap() throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  /**
   * Runs it.
   *
   * @param args optionally, the number of calls (default 1,000,000)
   * @throws Exception if a run fails
   */
  public static void main(String[] args) throws Exception {
    int calls = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    DeepQueueBenchmark b = new DeepQueueBenchmark(calls);
    try {
      b.run();
    } finally {
      b.vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private void run() throws Exception {
    depth10();
    deep(100); // warm-up
    double base = 0;
    for (int r = 0; r < ROUNDS; r++) {
      base = Math.max(base, depth10());
    }
    System.out.printf(Locale.ROOT, "%n## Deep queue: %,d trivial calls, one event-loop worker%n%n", calls);
    System.out.printf(Locale.ROOT, "baseline, kept 10 deep: %,.0f calls/s%n%n", base);
    System.out.println("| series | drain rate (calls/s) | ratio to depth 10 | target | heap per queued call | target "
        + "| scheduler alone (ns/call) | ArrayDeque (ns/call) |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    double fifo = SchedulerProbe.fifoNanosPerCall(calls, ROUNDS + 1);
    for (int series : SERIES) {
      double rate = 0;
      double bytes = Double.MAX_VALUE;
      for (int r = 0; r < ROUNDS; r++) {
        Deep d = deep(series);
        rate = Math.max(rate, d.rate());
        bytes = Math.min(bytes, d.bytesPerCall());
      }
      double ratio = base / rate;
      double sched = SchedulerProbe.schedulerNanosPerCall(calls, series, ROUNDS + 1);
      System.out.printf(Locale.ROOT, "| %,d | %,.0f | %.2fx slower | 1.5x %s | %.0f B | 160 B %s | %.0f | %.0f |%n",
          series, rate, ratio, ratio <= 1.5 ? "met" : "MISSED", bytes, bytes <= 160 ? "met" : "MISSED", sched,
          fifo);
    }
  }
}
