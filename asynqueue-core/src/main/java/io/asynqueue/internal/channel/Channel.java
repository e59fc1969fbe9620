package io.asynqueue.internal.channel;

import io.vertx.core.Future;

/**
 * The outgoing side of one open channel to a runner (a child's standard input, a connection to a server), as
 * a transport provides it to a {@link ChannelWorker}. The incoming side is the {@link Listener} the transport
 * was given.
 *
 * <p>Concurrency: {@link #send} and {@link #flush} may be called from any thread; frames appended by one
 * thread go out in the order appended.
 */
public interface Channel {

  /** What a channel tells its worker: the frames it reads, and its end. */
  interface Listener {

    /**
     * One frame from the runner, on the transport's reading thread, in order.
     *
     * @param body the frame's body, its first byte the type; only valid during the call
     * @param length the body's length
     */
    void frame(byte[] body, int length);

    /**
     * The channel ended (the child exited, the connection closed); called once, after the last frame.
     *
     * @param why why, for logs and for the failures of the calls it held
     */
    void closed(String why);
  }

  /** @return what the runner said in its HELLO */
  Hello hello();

  /** @return the channel in logs and failures, as {@code process worker 1 child 2 (pid 42)} */
  String label();

  /**
   * Appends whole frames; they go out on the next flush, in order.
   *
   * @param frames the bytes
   * @param offset where they start
   * @param length how many
   */
  void send(byte[] frames, int offset, int length);

  /**
   * Sends what was appended, now or very soon.
   *
   * @param alone whether the frames are the only call in flight (no burst to gather: send at once)
   */
  void flush(boolean alone);

  /**
   * Ends the channel gracefully once the runner holds nothing more (a child is told BYE and exits).
   *
   * @return a Future completed when it has ended
   */
  Future<Void> finish();

  /**
   * Ends the channel at once (kills the child, closes the connection). The listener then hears
   * {@link Listener#closed}.
   *
   * @param why why
   */
  void kill(String why);
}
