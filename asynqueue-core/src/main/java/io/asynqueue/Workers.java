package io.asynqueue;

import io.asynqueue.spi.Worker;
import io.vertx.core.Context;
import java.util.Set;

/**
 * The workers that run tasks in this JVM. Attach them to a {@link TaskQueue} with
 * {@link TaskQueue#attachWorker(Worker)}; process and remote workers come from their own modules.
 *
 * <table>
 *   <caption>The workers</caption>
 *   <tr><th>worker</th><th>runs tasks</th><th>capacity</th><th>a timeout</th></tr>
 *   <tr><td>{@link #thread(int, Set) thread}</td><td>on its own daemon threads, named
 *       {@code asynqueue-<queue>-thread-<worker id>-<n>}</td><td>one task per thread</td>
 *       <td>interrupts the task; a task that ignores the interrupt is abandoned on its thread (which ends
 *       when the task does) and a replacement thread takes the next task</td></tr>
 *   <tr><td>{@link #eventLoop(Context, int) eventLoop}</td><td>on a Vert.x event loop; for tasks that never
 *       block, such as those that start asynchronous I/O and return a Future, which the worker counts as
 *       running until it completes</td><td>1 by default: one task after another</td>
 *       <td>fails the call and drops its late result: event-loop code cannot be stopped</td></tr>
 * </table>
 *
 * <p>An iterator a task returns is stepped where the task ran: on the worker's threads, or on its event loop.
 */
public final class Workers {

  private Workers() {
  }

  /** @return a worker with one thread that serves every series */
  public static Worker thread() {
    return new ThreadWorker(1, Set.of());
  }

  /**
   * @param threads how many threads, and so how many tasks at once, at least 1
   * @return a worker that serves every series
   */
  public static Worker thread(int threads) {
    return new ThreadWorker(threads, Set.of());
  }

  /**
   * @param threads how many threads, and so how many tasks at once, at least 1
   * @param series the series it serves besides the default; empty for every series
   * @return the worker
   */
  public static Worker thread(int threads, Set<String> series) {
    return new ThreadWorker(threads, series);
  }

  /** @return a worker with an event-loop context of its own, running one task at a time */
  public static Worker eventLoop() {
    return new EventLoopWorker(null, 1);
  }

  /**
   * @param capacity how many tasks may be running (Futures outstanding) at once, at least 1
   * @return a worker with an event-loop context of its own
   */
  public static Worker eventLoop(int capacity) {
    return new EventLoopWorker(null, capacity);
  }

  /**
   * @param context the event-loop context to run tasks on, such as a verticle's
   * @param capacity how many tasks may be running (Futures outstanding) at once, at least 1
   * @return the worker
   */
  public static Worker eventLoop(Context context, int capacity) {
    return new EventLoopWorker(context, capacity);
  }
}
