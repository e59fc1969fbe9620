package io.asynqueue.mandelbrot;

import java.util.ArrayList;
import java.util.List;

/**
 * Busy-looping threads that keep every core busy while a test runs, as {@code scripts/stress-verify} does for a
 * whole build: races that need a thread to be preempted at the wrong moment show up in a few rounds instead of
 * now and then in CI. Stopped by {@link #close()}.
 */
public final class CpuHog implements AutoCloseable {

  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running = true;

  /** Starts one busy loop per core, plus one. */
  public CpuHog() {
    int n = Runtime.getRuntime().availableProcessors() + 1;
    for (int i = 0; i < n; i++) {
      Thread t = new Thread(this::spin, "cpu-hog-" + i);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
  }

  private void spin() {
    long x = 0;
    while (running) {
      x += System.nanoTime() & 1;
    }
    if (x == 42) {
      System.out.print(""); // keeps the loop from being optimised away
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    for (Thread t : threads) {
      t.join();
    }
  }
}
