package io.asynqueue.internal.channel;

import io.vertx.core.Future;

/**
 * How a {@link ChannelWorker} reaches its runner: start a child JVM, or connect to a server and authenticate.
 * A transport is opened again after each loss.
 */
public interface Transport {

  /**
   * Opens a channel: starts the child, or connects and authenticates; reads the runner's HELLO. The listener
   * hears the frames after the HELLO, and the channel's end, only once the Future has succeeded.
   *
   * @param generation 1 for the worker's first channel, 2 for the one after, ...
   * @param listener where the channel's frames and its end go
   * @return a Future of the channel, once the runner said HELLO; failed if it could not be opened. A failure
   *     that trying again cannot mend (a wrong secret) is a {@link PermanentFailure}
   */
  Future<Channel> open(int generation, Channel.Listener listener);

  /** A failure to open that trying again would not mend. */
  final class PermanentFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param cause the failure
     */
    public PermanentFailure(Throwable cause) {
      super(cause.getMessage(), cause, false, false);
    }
  }
}
