package io.asynqueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The metrics a queue records in a registry: known calls give known counts and timer samples. */
@ExtendWith(VertxExtension.class)
@Timeout(60)
final class QueueMetricsTest {

  private static final long WAIT = 30;

  static int twice(int x) {
    return x * 2;
  }

  static int boom(int x) {
    throw new IllegalStateException("boom " + x);
  }

  static int sleepy(int millis) throws InterruptedException {
    Thread.sleep(millis);
    return millis;
  }

  private static double count(SimpleMeterRegistry r, String outcome, String kind) {
    Counter c = r.find("asynqueue.calls").tag("outcome", outcome).tag("kind", kind).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void calls_areCountedByOutcome_andTimed(Vertx vertx) throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TaskQueue q = ThreadQueue.create(vertx, 2, new TaskQueueOptions().setMeterRegistry(registry));
    List<Future<Integer>> calls = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      calls.add(q.call(QueueMetricsTest::twice, i));
    }
    Future.all(calls).await(WAIT, TimeUnit.SECONDS);
    assertThat(catchThrowable(() -> q.call(QueueMetricsTest::boom, 1).await(WAIT, TimeUnit.SECONDS)))
        .isInstanceOf(TaskException.class);
    assertThat(catchThrowable(() -> q.call(QueueMetricsTest::sleepy,
        new CallOptions().setTimeout(Duration.ofMillis(50)), 60_000).await(WAIT, TimeUnit.SECONDS)))
        .isInstanceOf(TaskTimeoutException.class);

    assertThat(count(registry, "completed", "thread")).isEqualTo(5);
    assertThat(count(registry, "failed", "thread")).isEqualTo(1);
    assertThat(count(registry, "timedout", "thread")).isEqualTo(1);
    assertThat(count(registry, "cancelled", "thread")).isZero();
    Timer wait = registry.find("asynqueue.calls.wait").tags("queue", queueTag(registry), "kind", "thread").timer();
    Timer run = registry.find("asynqueue.calls.run").tag("kind", "thread").timer();
    assertThat(wait.count()).isEqualTo(7);
    assertThat(run.count()).isEqualTo(7);
    // The timed-out attempt ran at least its 50 ms timeout.
    assertThat(run.max(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(50);
    assertThat(registry.find("asynqueue.workers").tag("kind", "thread").gauge().value()).isEqualTo(2);
    assertThat(registry.find("asynqueue.workers.attached").tag("kind", "thread").counter().count()).isEqualTo(2);
    assertThat(registry.find("asynqueue.queued").gauge().value()).isZero();
    q.shutdown().await(WAIT, TimeUnit.SECONDS);
  }

  @Test
  void aRetriedTimeout_countsTheRetryAndOneOutcome(Vertx vertx) throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TaskQueue q = ThreadQueue.create(vertx, 1, new TaskQueueOptions().setMeterRegistry(registry));
    assertThat(catchThrowable(() -> q.call(QueueMetricsTest::sleepy,
        new CallOptions().setTimeout(Duration.ofMillis(30)).setRetries(1), 60_000).await(WAIT, TimeUnit.SECONDS)))
        .isInstanceOf(TaskTimeoutException.class);
    assertThat(registry.find("asynqueue.calls.retried").tag("kind", "thread").counter().count()).isEqualTo(1);
    assertThat(count(registry, "timedout", "thread")).isEqualTo(1);
    assertThat(registry.find("asynqueue.calls.run").timer().count()).isEqualTo(2);
    q.shutdown().await(WAIT, TimeUnit.SECONDS);
  }

  @Test
  void gauges_showCallsQueuedAndRunning_andShutdownNowCountsTheDroppedAsCancelled(Vertx vertx) throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TaskQueue q = ThreadQueue.create(vertx, 1, new TaskQueueOptions().setMeterRegistry(registry));
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Task0<Integer> blocker = () -> {
      started.countDown();
      release.await();
      return 1;
    };
    Future<Integer> running = q.call(blocker);
    assertThat(started.await(WAIT, TimeUnit.SECONDS)).isTrue();
    Future<Integer> queued1 = q.call(QueueMetricsTest::twice, 1);
    Future<Integer> queued2 = q.call(QueueMetricsTest::twice, 2);
    // The intake is scheduled by the next settled call or a load read: ask for the load, which accounts for it.
    assertThat(q.load().queued()).isEqualTo(2);
    assertThat(registry.find("asynqueue.queued").gauge().value()).isEqualTo(2);
    assertThat(registry.find("asynqueue.running").tag("kind", "thread").gauge().value()).isEqualTo(1);

    Future<Void> down = q.shutdownNow();
    assertThat(catchThrowable(() -> queued1.await(WAIT, TimeUnit.SECONDS))).isInstanceOf(QueueShutdownException.class);
    assertThat(catchThrowable(() -> queued2.await(WAIT, TimeUnit.SECONDS))).isInstanceOf(QueueShutdownException.class);
    assertThat(count(registry, "cancelled", "none")).isEqualTo(2);
    release.countDown();
    running.otherwiseEmpty().await(WAIT, TimeUnit.SECONDS);
    down.await(WAIT, TimeUnit.SECONDS);
    // A stopped queue's meters leave the registry.
    assertThat(registry.getMeters()).extracting(Meter::getId).isEmpty();
  }

  @Test
  void seriesTag_tagsTheCallMetersWithTheSeries(Vertx vertx) throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TaskQueue q = ThreadQueue.create(vertx, 2, new TaskQueueOptions().setMeterRegistry(registry).setSeriesTag(true));
    Future.all(q.call(QueueMetricsTest::twice, new CallOptions().setSeries("alice"), 1),
        q.call(QueueMetricsTest::twice, new CallOptions().setSeries("alice"), 2),
        q.call(QueueMetricsTest::twice, 3)).await(WAIT, TimeUnit.SECONDS);
    assertThat(registry.find("asynqueue.calls.wait").tag("series", "alice").timer().count()).isEqualTo(2);
    assertThat(registry.find("asynqueue.calls").tags("series", "default", "outcome", "completed").counter().count())
        .isEqualTo(1);
    q.shutdown().await(WAIT, TimeUnit.SECONDS);
  }

  private static String queueTag(SimpleMeterRegistry r) {
    return r.find("asynqueue.queued").gauge().getId().getTag("queue");
  }
}
