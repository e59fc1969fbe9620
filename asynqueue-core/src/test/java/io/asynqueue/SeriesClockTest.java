package io.asynqueue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Behaviours 4 and 5: the original's priority formula and per-series serials. */
final class SeriesClockTest {

  @Test
  void niceness_factorsAndConsecutivePriorities() {
    SeriesClock clock = new SeriesClock();
    List<Double> priorities = new ArrayList<>();
    for (int niceness : new int[] {-20, -10, 0, 10, 20}) {
      priorities.add(clock.next(null) * SeriesClock.factor(niceness));
    }
    assertThat(priorities).containsExactly(1.0, 4.0, 15.0, 40.0, 85.0);
  }

  @Test
  void alternatingSeries_serialsInterleave() {
    SeriesClock clock = new SeriesClock();
    List<Long> serials = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      serials.add(clock.next("1"));
      serials.add(clock.next("2"));
    }
    assertThat(serials).containsExactly(1L, 2L, 2L, 3L, 3L, 4L, 4L, 5L, 5L, 6L);
  }

  @Test
  void lateSeries_startsAtTheCurrentMaximum() {
    SeriesClock clock = new SeriesClock();
    for (int i = 0; i < 5; i++) {
      clock.next("early");
    }
    assertThat(clock.next("late")).isEqualTo(6);
    assertThat(clock.next("early")).isEqualTo(6);
  }

  @Test
  void trim_forgetsIdleSeriesOnlyPastTheLimit() {
    SeriesClock clock = new SeriesClock();
    for (int i = 0; i <= SeriesClock.MAX_SERIES; i++) {
      clock.next("s" + i);
    }
    clock.trim(s -> s.equals("s1"));
    assertThat(clock.size()).isEqualTo(1);
    assertThat(clock.next("s1")).isGreaterThan(1);
  }
}
