package io.asynqueue;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.spi.Job.ResultKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The scheduler alone, on a simulated clock: one worker that serves every series takes a call, runs it for the
 * time its series' calls take, and takes the next. No threads, no wall time.
 */
final class SeriesSchedulerTest {

  private static final long MS = 1_000_000L;

  private final SeriesScheduler scheduler = new SeriesScheduler();
  private long ids;
  private long now;

  private JobImpl call(String series, int niceness, boolean doNext, boolean doLast) {
    JobImpl job = new JobImpl(null, ++ids, null, new Object[0], ResultKind.VALUE, false, false, series, null, 0, 1,
        doNext, null);
    job.niceness = niceness;
    job.last = doLast;
    scheduler.prepare(job);
    scheduler.enqueue(job);
    return job;
  }

  private JobImpl call(String series) {
    return call(series, 0, false, false);
  }

  /** Runs {@code n} calls on one worker, each taking its series' duration; returns the series in run order. */
  private List<String> run(int n, Map<String, Long> durations) {
    List<String> ran = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      JobImpl job = scheduler.take(true, Set.of());
      if (job == null) {
        break;
      }
      scheduler.started(job, now);
      now += durations.getOrDefault(job.series, MS);
      scheduler.ended(job, now);
      ran.add(job.series);
    }
    return ran;
  }

  private static Map<String, Long> timeOf(List<String> ran, Map<String, Long> durations) {
    Map<String, Long> time = new HashMap<>();
    for (String s : ran) {
      time.merge(s, durations.get(s), Long::sum);
    }
    return time;
  }

  @Test
  void seriesShareTheWorker_byTime_notByCalls() {
    for (int i = 0; i < 2000; i++) {
      call("short");
      call("long");
    }
    Map<String, Long> durations = Map.of("short", 1 * MS, "long", 20 * MS);
    List<String> ran = run(1000, durations);
    Map<String, Long> time = timeOf(ran, durations);
    // about as much worker time each: about 20 short calls per long one
    assertThat((double) time.get("short") / time.get("long")).isBetween(0.8, 1.25);
    assertThat(ran.stream().filter("short"::equals).count()).isGreaterThan(10 * ran.stream().filter("long"::equals)
        .count());
  }

  @Test
  void niceness_weighsTheTime_aSeriesMayUse() {
    for (int i = 0; i < 2000; i++) {
      call("eager", -10, false, false); // weight 200
      call("plain", 0, false, false);   // weight 500
    }
    Map<String, Long> durations = Map.of("eager", MS, "plain", MS);
    Map<String, Long> time = timeOf(run(1400, durations), durations);
    assertThat((double) time.get("eager") / time.get("plain")).isBetween(2.5 * 0.85, 2.5 * 1.15);
  }

  @Test
  void anIdleSeries_banksNoMoreThanTheBound() {
    Map<String, Long> durations = Map.of("busy", 10 * MS, "quiet", 10 * MS);
    call("quiet");
    for (int i = 0; i < 1000; i++) {
      call("busy");
    }
    run(1, durations); // quiet's one call, or busy's first: either way quiet then idles
    run(500, durations); // 5 s of busy alone, and quiet sits idle
    for (int i = 0; i < 100; i++) {
      call("quiet");
    }
    List<String> ran = run(60, durations);
    int quietFirst = ran.indexOf("busy");
    // it has credit for up to BANK (100 ms) of calls of 10 ms, then it shares
    assertThat(quietFirst).isBetween(5, (int) (SeriesScheduler.BANK / (10 * MS)) + 2);
    assertThat(ran.subList(quietFirst, ran.size())).contains("quiet");
  }

  @Test
  void doNextGoesFirst_andDoLastLast_acrossSeries_whileOrderWithinASeriesIsKept() {
    JobImpl a1 = call("a");
    JobImpl a2 = call("a");
    JobImpl bLast = call("b", 0, false, true);
    JobImpl b1 = call("b");
    JobImpl cNext = call("c", 0, true, false);
    JobImpl aNext = call("a", 0, true, false);
    List<JobImpl> order = new ArrayList<>();
    for (JobImpl j; (j = scheduler.take(true, Set.of())) != null; ) {
      scheduler.started(j, now);
      scheduler.ended(j, now);
      order.add(j);
    }
    assertThat(order).hasSize(6);
    assertThat(order.subList(0, 2)).containsExactly(cNext, aNext);
    assertThat(order.get(5)).isSameAs(bLast);
    assertThat(order.indexOf(a1)).isLessThan(order.indexOf(a2));
    assertThat(order).contains(b1);
  }

  /**
   * With the default series alone there is nothing to share, so the queue reads no clock per call (the dispatcher
   * passes {@link SeriesScheduler#UNTIMED}); once a named series is used, calls are timed, and the two share the
   * worker by time from there on, as if the default series' earlier calls had been timed.
   */
  @Test
  void callsAreTimed_onlyOnceANamedSeriesIsUsed_andThenShareByTime() {
    for (int i = 0; i < 100; i++) {
      call(null);
    }
    assertThat(scheduler.timed).isFalse();
    for (int i = 0; i < 50; i++) { // untimed, as the dispatcher runs them while no series is named
      JobImpl job = scheduler.take(true, Set.of());
      scheduler.started(job, SeriesScheduler.UNTIMED);
      scheduler.ended(job, SeriesScheduler.UNTIMED);
    }
    for (int i = 0; i < 2000; i++) {
      call("named");
    }
    assertThat(scheduler.timed).isTrue();
    Map<String, Long> durations = new HashMap<>();
    durations.put(null, MS);
    durations.put("named", MS);
    List<String> ran = run(40, durations);
    // the named series comes in with its bank of credit (100 ms = 100 calls), so it runs first; the default
    // series' 50 untimed calls held nothing against it, nor for it
    assertThat(ran).containsOnly("named");
    ran = run(300, durations);
    // the named series used its 100 ms of credit (100 calls of 1 ms: 60 more), then the two alternate until the
    // default series' 50 calls are done
    assertThat(ran.indexOf(null)).as("%s", ran).isBetween(55, 65);
    assertThat(ran.stream().filter(s -> s == null).count()).isEqualTo(50);
  }

  @Test
  void aWorkerOfSomeSeries_takesOnlyThoseAndTheDefault() {
    call("x");
    JobImpl y = call("y");
    JobImpl plain = call(null);
    assertThat(List.of(scheduler.take(false, Set.of("y")), scheduler.take(false, Set.of("y"))))
        .containsExactlyInAnyOrder(y, plain);
    assertThat(scheduler.take(false, Set.of("y"))).isNull();
    assertThat(scheduler.take(true, Set.of()).series).isEqualTo("x");
  }

  @Test
  void idleSeries_areForgotten_pastTheLimit() {
    for (int i = 0; i < 3 * SeriesScheduler.MAX_IDLE; i++) {
      call("s" + i);
      run(1, Map.of());
    }
    assertThat(scheduler.remembered()).isLessThanOrEqualTo(2 * SeriesScheduler.MAX_IDLE + 1);
  }
}
