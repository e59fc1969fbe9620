package io.asynqueue.benchmarks;

import io.asynqueue.Task0;
import io.asynqueue.TaskQueue;
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
 * Target 3, thread worker burst throughput: from an event loop, start a burst of {@value #BURST} trivial calls
 * at once and wait for all; {@value #BURSTS} bursts per invocation. Cases: {@code ThreadQueue} of 2 and of 4
 * workers. Baseline: the same bursts of {@code vertx.executeBlocking(callable, false)} (unordered).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ThreadBurstBenchmark extends BenchmarkBase {

  static final int BURST = 1_000;
  static final int BURSTS = 10;
  static final Task0<Integer> TASK = () -> ONE;
  static final Callable<Integer> CALLABLE = () -> ONE;

  private TaskQueue queue2;
  private TaskQueue queue4;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    startVertx();
    queue2 = Queues.threadQueue(vertx, 2);
    queue4 = Queues.threadQueue(vertx, 4);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    queue2.shutdown().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    queue4.shutdown().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    closeVertx();
  }

  /** Baseline: unordered executeBlocking. */
  @Benchmark
  @OperationsPerInvocation(BURST * BURSTS)
  public void executeBlocking() throws Exception {
    bursts(BURSTS, BURST, () -> vertx.executeBlocking(CALLABLE, false));
  }

  @Benchmark
  @OperationsPerInvocation(BURST * BURSTS)
  public void threadQueue2() throws Exception {
    bursts(BURSTS, BURST, () -> queue2.call(TASK));
  }

  @Benchmark
  @OperationsPerInvocation(BURST * BURSTS)
  public void threadQueue4() throws Exception {
    bursts(BURSTS, BURST, () -> queue4.call(TASK));
  }
}
