package io.asynqueue;

import io.asynqueue.spi.Job.ResultKind;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the metrics add to one call, on one thread, without the rest of the call: the three hooks a call passes
 * (made, started, settled) on a recorder with a registry (timers with percentile histograms), and on the no-op
 * recorder as the baseline. CPU-bound and single-threaded, so it holds up on a loaded machine where the burst and
 * round trip of {@code MetricsBenchmark} do not.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MetricsHookBenchmark {

  /** The registry: Micrometer's simple one, or Prometheus's (as {@code mcm serve} has it). */
  @Param({"prometheus", "simple"})
  public String registry;

  private Vertx vertx;
  private QueueMetrics none;
  private QueueMetrics metered;
  private JobImpl job;

  @Setup(Level.Trial)
  public void setUp() {
    vertx = Vertx.vertx();
    VertxInternal v = (VertxInternal) vertx;
    Dispatcher plain = new Dispatcher(v, new TaskQueueOptions().setName("plain"));
    Dispatcher recorded = new Dispatcher(v, new TaskQueueOptions().setName("recorded").setMeterRegistry(registry()));
    none = plain.metrics;
    metered = recorded.metrics;
    WorkerSlot slot = new WorkerSlot(recorded.roster, 1, Workers.thread());
    ContextInternal ctx = v.getOrCreateContext();
    Task0<Integer> task = () -> 1;
    job = new JobImpl(recorded, 1, task, new Object[0], ResultKind.VALUE, false, false, null, null, 0, 1, false,
        ctx.promise());
    job.worker = slot;
  }

  private MeterRegistry registry() {
    return registry.equals("simple") ? new SimpleMeterRegistry()
        : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Baseline: the hooks of a queue without a registry. */
  @Benchmark
  public long hooksWithout() {
    QueueMetrics m = none;
    m.queued(job);
    m.started(job);
    m.settled(job, null, false);
    return job.startedAt;
  }

  @Benchmark
  public long hooksWithMetrics() {
    QueueMetrics m = metered;
    m.queued(job);
    m.started(job);
    m.settled(job, null, false);
    return job.startedAt;
  }
}
