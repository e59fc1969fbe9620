package io.asynqueue.benchmarks;

import io.asynqueue.Workers;

import io.asynqueue.Task0;
import io.asynqueue.TaskQueue;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Target 1, event-loop worker call: a {@link TaskQueue} with one
 * {@linkplain io.asynqueue.Workers#eventLoop(io.vertx.core.Context, int) event-loop worker} on the caller's own
 * event-loop context; one call round trip (call, task on the loop, result back on the caller's context).
 * Baseline: a same-thread context hop, {@code runOnContext} from the context's own thread completing a promise.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EventLoopCallBenchmark extends BenchmarkBase {

  static final int CALLS = 10_000;
  static final Task0<Integer> TASK = () -> ONE;

  private TaskQueue queue;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    startVertx();
    queue = TaskQueue.create(vertx);
    queue.attachWorker(Workers.eventLoop(context, 1)).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    queue.shutdown().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    closeVertx();
  }

  /** Baseline: same-thread hop. */
  @Benchmark
  @OperationsPerInvocation(CALLS)
  public void sameThreadHop() throws Exception {
    ContextInternal ctx = (ContextInternal) context;
    sequential(CALLS, () -> {
      Promise<Integer> p = ctx.promise();
      ctx.runOnContext(v -> p.complete(ONE));
      return p.future();
    });
  }

  @Benchmark
  @OperationsPerInvocation(CALLS)
  public void asyncWorkerCall() throws Exception {
    sequential(CALLS, () -> queue.call(TASK));
  }
}
