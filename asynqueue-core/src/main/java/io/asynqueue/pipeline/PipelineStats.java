package io.asynqueue.pipeline;

import java.util.List;

/**
 * A snapshot of a running (or finished) pipeline: k3jobq's stats probe.
 *
 * @param read elements read from the input
 * @param written elements handed to the sink
 * @param stages one entry per worker stage ({@code map}, {@code filter}, {@code flatMap}, ...), in pipeline
 *     order
 */
public record PipelineStats(long read, long written, List<StageStats> stages) {

  /** @return the elements running in all stages now: k3jobq's {@code doing} */
  public int doing() {
    int n = 0;
    for (StageStats s : stages) {
      n += s.doing();
    }
    return n;
  }

  /**
   * One stage's counters.
   *
   * @param name the stage's name
   * @param in elements it took from upstream
   * @param done elements whose function has finished (succeeded, failed or dropped)
   * @param out elements it handed downstream
   * @param doing elements running now (submitted, not finished)
   * @param waiting elements taken but not started: waiting for a free slot or for their key
   * @param buffered outputs held: finished but not yet taken downstream, or held back to keep order
   * @param maxInFlight the current bound on {@code doing}
   * @param window the current bound on everything the stage holds
   * @param threads the number of private threads, or 0 for a stage without any
   */
  public record StageStats(String name, long in, long done, long out, int doing, int waiting, int buffered,
      int maxInFlight, int window, int threads) {
  }
}
