package io.asynqueue.process;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;

/** Static tasks for the child: nothing here captures a test instance. */
final class Tasks {

  /** Set by an update in the child. */
  static volatile String setting = "unset";

  private Tasks() {
  }

  static final java.util.concurrent.CountDownLatch rendezvous = new java.util.concurrent.CountDownLatch(2);

  /** Returns once two calls are inside it at the same time (so only with concurrency 2 or more). */
  static boolean meet(int unused) throws InterruptedException {
    rendezvous.countDown();
    return rendezvous.await(30, java.util.concurrent.TimeUnit.SECONDS);
  }

  static String env(String name) {
    return System.getenv(name) + "|" + System.getProperty("user.dir") + "|" + System.getProperty("asynqueue.test");
  }

  static int exhaustMemory(int unused) {
    List<long[]> hog = new ArrayList<>();
    while (true) {
      hog.add(new long[1 << 20]);
    }
  }

  static int twice(int x) {
    return 2 * x;
  }

  static String concat(String a, String b) {
    return a + b;
  }

  static long pid() {
    return ProcessHandle.current().pid();
  }

  static String boom(String message) {
    throw new IllegalStateException(message);
  }

  static String set(String value) {
    setting = value;
    return "set " + value;
  }

  static String setting() {
    return setting;
  }

  static int chatty(int lines) {
    for (int i = 0; i < lines; i++) {
      System.out.println("out line " + i);
      System.err.println("err line " + i);
    }
    System.out.print("no newline, flushed");
    System.out.flush();
    return lines;
  }

  static byte[] big(int size) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i += 4096) {
      b[i] = (byte) (i / 4096);
    }
    b[size - 1] = 42;
    return b;
  }

  static int sleepMillis(int ms) throws InterruptedException {
    Thread.sleep(ms);
    return ms;
  }

  static int hang() throws InterruptedException {
    Thread.sleep(Long.MAX_VALUE);
    return 0;
  }

  static int exit(int code) {
    System.exit(code);
    return code;
  }

  static Thread unserializableResult() {
    return new Thread(() -> { });
  }

  static Iterator<Integer> range(int n) {
    return IntStream.range(0, n).iterator();
  }

  /** How many elements {@link #counting} has produced in this child. */
  static final java.util.concurrent.atomic.AtomicInteger produced = new java.util.concurrent.atomic.AtomicInteger();

  static Iterator<Integer> counting(int n) {
    produced.set(0);
    return new Iterator<>() {
      int i;

      @Override
      public boolean hasNext() {
        return i < n;
      }

      @Override
      public Integer next() {
        produced.incrementAndGet();
        return i++;
      }
    };
  }

  static int produced() {
    return produced.get();
  }

  static Iterator<Integer> failingAfter(int n) {
    return new Iterator<>() {
      int i;

      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Integer next() {
        if (i == n) {
          throw new IllegalStateException("no more after " + n);
        }
        return i++;
      }
    };
  }

  static List<String> strings(int n, int size) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(String.valueOf((char) ('a' + i % 26)).repeat(size));
    }
    return out;
  }
}
