package io.asynqueue.pipeline;

import java.time.Duration;

/**
 * A pipeline ran longer than its {@linkplain Pipeline#timeout(Duration) timeout}. It stopped reading its
 * input, let the elements running on its own threads finish (their results are dropped), then failed with
 * this (k3jobq's {@code timeout}).
 */
public class PipelineTimeoutException extends PipelineException {

  private static final long serialVersionUID = 1L;

  /**
   * @param timeout the timeout that ran out
   */
  public PipelineTimeoutException(Duration timeout) {
    super("pipeline timed out after " + timeout.toMillis() + " ms");
  }
}
