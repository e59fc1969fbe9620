package io.asynqueue;

import io.asynqueue.spi.Job.ResultKind;
import java.util.ArrayDeque;
import java.util.Set;

/**
 * The scheduler's own cost, for {@code DeepQueueBenchmark}: the package-private {@link SeriesScheduler} driven
 * alone (no queue, no worker, no Futures), beside a raw {@link ArrayDeque} FIFO of the same calls.
 */
public final class SchedulerProbe {

  private SchedulerProbe() {
  }

  private static JobImpl[] jobs(int calls, int series) {
    String[] names = new String[series];
    for (int s = 0; s < series; s++) {
      names[s] = series == 1 ? null : "s" + s;
    }
    JobImpl[] jobs = new JobImpl[calls];
    for (int i = 0; i < calls; i++) {
      jobs[i] = new JobImpl(null, i, null, null, ResultKind.VALUE, false, false, names[i % series], null, 0, 1,
          false, null);
    }
    return jobs;
  }

  /**
   * Queues {@code calls} calls spread over {@code series} series, all at once, then takes, starts and ends
   * them one at a time, as one worker would.
   *
   * @return nanoseconds per call, the best of {@code rounds}
   */
  public static double schedulerNanosPerCall(int calls, int series, int rounds) {
    double best = Double.MAX_VALUE;
    for (int r = 0; r < rounds; r++) {
      JobImpl[] jobs = jobs(calls, series);
      SeriesScheduler scheduler = new SeriesScheduler();
      long t0 = System.nanoTime();
      for (JobImpl job : jobs) {
        scheduler.prepare(job);
        scheduler.enqueue(job);
      }
      long now = 0;
      for (JobImpl job; (job = scheduler.take(true, Set.of())) != null; ) {
        scheduler.started(job, now);
        now += 1000 + (job.id & 1023); // a simulated clock: calls of about 1.5 us
        scheduler.ended(job, now);
      }
      best = Math.min(best, (System.nanoTime() - t0) / (double) calls);
    }
    return best;
  }

  /**
   * The raw baseline: the same calls through an {@link ArrayDeque}, offered all at once, then polled.
   *
   * @return nanoseconds per call, the best of {@code rounds}
   */
  public static double fifoNanosPerCall(int calls, int rounds) {
    double best = Double.MAX_VALUE;
    long sink = 0;
    for (int r = 0; r < rounds; r++) {
      JobImpl[] jobs = jobs(calls, 1);
      ArrayDeque<JobImpl> fifo = new ArrayDeque<>();
      long t0 = System.nanoTime();
      for (JobImpl job : jobs) {
        fifo.add(job);
      }
      for (JobImpl job; (job = fifo.poll()) != null; ) {
        sink += job.id;
      }
      best = Math.min(best, (System.nanoTime() - t0) / (double) calls);
    }
    return sink == -1 ? -1 : best;
  }
}
