package io.asynqueue.benchmarks;

import io.asynqueue.Task0;
import io.asynqueue.TaskQueue;
import io.asynqueue.TaskQueueOptions;
import io.asynqueue.ThreadQueue;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * The cost of metrics: the thread burst ({@value #BURST} calls at once, {@value #BURSTS} bursts, ThreadQueue of 2)
 * and the round trip ({@value #CALLS} calls one at a time, ThreadQueue of 1), each on a queue recording into a
 * Micrometer registry (timers with percentile histograms) and, as the baseline in the same run, on one without.
 * Throughput in calls per microsecond.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MetricsBenchmark extends BenchmarkBase {

  static final int BURST = 1_000;
  static final int BURSTS = 10;
  static final int CALLS = 2_000;
  static final Task0<Integer> TASK = () -> ONE;

  private TaskQueue burstPlain;
  private TaskQueue burstMetered;
  private TaskQueue tripPlain;
  private TaskQueue tripMetered;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    startVertx();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TaskQueueOptions metered = new TaskQueueOptions().setMeterRegistry(registry);
    burstPlain = queue(vertx, 2, new TaskQueueOptions());
    burstMetered = queue(vertx, 2, metered);
    tripPlain = queue(vertx, 1, new TaskQueueOptions());
    tripMetered = queue(vertx, 1, metered);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    for (TaskQueue q : new TaskQueue[] {burstPlain, burstMetered, tripPlain, tripMetered}) {
      q.shutdown().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    closeVertx();
  }

  /** Baseline: the burst without a registry. */
  @Benchmark
  @OperationsPerInvocation(BURST * BURSTS)
  public void burstWithout() throws Exception {
    bursts(BURSTS, BURST, () -> burstPlain.call(TASK));
  }

  @Benchmark
  @OperationsPerInvocation(BURST * BURSTS)
  public void burstWithMetrics() throws Exception {
    bursts(BURSTS, BURST, () -> burstMetered.call(TASK));
  }

  /** Baseline: the round trip without a registry. */
  @Benchmark
  @OperationsPerInvocation(CALLS)
  public void roundTripWithout() throws Exception {
    sequential(CALLS, () -> tripPlain.call(TASK));
  }

  @Benchmark
  @OperationsPerInvocation(CALLS)
  public void roundTripWithMetrics() throws Exception {
    sequential(CALLS, () -> tripMetered.call(TASK));
  }

  /** A {@link ThreadQueue} whose workers have all attached. */
  private static TaskQueue queue(Vertx vertx, int workers, TaskQueueOptions options) throws Exception {
    TaskQueue queue = ThreadQueue.create(vertx, workers, options);
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (queue.size() < workers) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException(workers + " thread workers did not attach within 10 s");
      }
      Thread.sleep(1);
    }
    return queue;
  }
}
