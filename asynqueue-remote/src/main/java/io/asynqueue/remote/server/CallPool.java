package io.asynqueue.remote.server;

import java.util.concurrent.LinkedBlockingDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's threads: a fixed number (its advertised concurrency) taking work from one deque shared by every
 * connection, urgent work at the front. Daemon threads; a task that throws is logged, never kills a thread.
 */
final class CallPool {

  private static final Logger log = LoggerFactory.getLogger(CallPool.class);
  private static final Runnable STOP = () -> { };

  private final LinkedBlockingDeque<Runnable> work = new LinkedBlockingDeque<>();
  private final Thread[] threads;

  CallPool(int size, String name) {
    threads = new Thread[size];
    for (int i = 0; i < size; i++) {
      Thread t = new Thread(this::loop, name + "-" + i);
      t.setDaemon(true);
      threads[i] = t;
      t.start();
    }
  }

  void execute(Runnable task, boolean urgent) {
    if (urgent) {
      work.addFirst(task);
    } else {
      work.addLast(task);
    }
  }

  /** Lets the threads finish the work queued, then end. */
  void shutdown() {
    for (int i = 0; i < threads.length; i++) {
      work.addLast(STOP);
    }
  }

  private void loop() {
    while (true) {
      Runnable r;
      try {
        r = work.take();
      } catch (InterruptedException e) {
        continue; // a cancelled call's interrupt that arrived after it ended
      }
      if (r == STOP) {
        return;
      }
      try {
        r.run();
      } catch (Throwable t) {
        log.error("a server task failed", t);
      } finally {
        Thread.interrupted(); // a cancel that came too late must not hit the next call
      }
    }
  }
}
