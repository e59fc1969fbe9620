package io.asynqueue.benchmarks;

import io.asynqueue.Task0;
import io.asynqueue.TaskQueue;
import io.asynqueue.ThreadQueue;
import java.util.concurrent.Callable;
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
 * Target 2, thread worker round trip: one call at a time from an event loop to a {@link ThreadQueue} of one
 * worker and back. Baseline: {@code vertx.executeBlocking(callable, false)} (unordered), one at a time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ThreadRoundTripBenchmark extends BenchmarkBase {

  static final int CALLS = 2_000;
  static final Task0<Integer> TASK = () -> ONE;
  static final Callable<Integer> CALLABLE = () -> ONE;

  private TaskQueue queue;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    startVertx();
    queue = Queues.threadQueue(vertx, 1);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    queue.shutdown().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    closeVertx();
  }

  /** Baseline: unordered executeBlocking. */
  @Benchmark
  @OperationsPerInvocation(CALLS)
  public void executeBlocking() throws Exception {
    sequential(CALLS, () -> vertx.executeBlocking(CALLABLE, false));
  }

  @Benchmark
  @OperationsPerInvocation(CALLS)
  public void threadQueue1() throws Exception {
    sequential(CALLS, () -> queue.call(TASK));
  }
}
