package io.asynqueue;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.spi.Job.ResultKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** A series' queue against a sorted set: the same best job after any mix of adds, polls and removals. */
final class SeriesQueueTest {

  private static long ids;

  static JobImpl job(double priority, long seq) {
    JobImpl job = new JobImpl(null, ++ids, null, new Object[0], ResultKind.VALUE, false, false, "s", null, 0, 1,
        false, null, null);
    job.priority = priority;
    job.seq = seq;
    return job;
  }

  @Test
  void addsPollsAndRemovals_keepTheOrderOfASortedSet() {
    Random random = new Random(42);
    SeriesQueue q = new SeriesQueue("s");
    TreeSet<JobImpl> reference = new TreeSet<>();
    List<JobImpl> queued = new ArrayList<>();
    long seq = 0;
    for (int step = 0; step < 50_000; step++) {
      int op = random.nextInt(10);
      if (op < 5) {
        // mostly in order (the lane), sometimes ahead of the last (the heap)
        double priority = random.nextInt(4) == 0 ? random.nextInt(1000) : 1000 + seq;
        JobImpl job = job(priority, ++seq);
        q.add(job);
        reference.add(job);
        queued.add(job);
      } else if (op < 8 && !queued.isEmpty()) {
        JobImpl job = queued.remove(random.nextInt(queued.size()));
        q.remove(job);
        reference.remove(job);
        assertThat(job.index).isEqualTo(SeriesQueue.NOWHERE);
      } else {
        JobImpl best = q.poll();
        assertThat(best).as("step %d", step).isSameAs(reference.pollFirst());
        if (best != null) {
          queued.remove(best);
        }
      }
      assertThat(q.size()).isEqualTo(reference.size());
      assertThat(q.peek()).as("step %d", step).isSameAs(reference.isEmpty() ? null : reference.first());
    }
    List<JobImpl> drained = new ArrayList<>();
    q.drainTo(drained);
    assertThat(drained).containsExactlyInAnyOrderElementsOf(reference);
    assertThat(q.isEmpty()).isTrue();
    assertThat(q.peek()).isNull();
  }
}
