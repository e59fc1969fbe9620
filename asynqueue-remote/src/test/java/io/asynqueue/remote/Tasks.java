package io.asynqueue.remote;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.Iterator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/** The service the test servers expose. Public methods are callable by name; the rest are not. */
public class Tasks {

  /** Elements the iterators of this JVM's servers have produced, for backpressure checks. */
  public static final AtomicLong produced = new AtomicLong();
  /** Calls of {@link #touch()} in this JVM. */
  public static final AtomicInteger touched = new AtomicInteger();
  /** How many {@link #sleep} calls were interrupted. */
  public static final AtomicInteger interrupted = new AtomicInteger();
  /** Counted down when a {@link #sleep} call is interrupted. */
  public static volatile CountDownLatch interruptions = new CountDownLatch(1);
  static volatile CountDownLatch gate = new CountDownLatch(0);

  public int add(int a, int b) {
    return a + b;
  }

  public String add(String a, String b, String c) {
    return a + b + c;
  }

  public Object echo(Object x) {
    return x;
  }

  public int touch() {
    return touched.incrementAndGet();
  }

  /** Sleeps, then says which process ran it. */
  public long sleepPid(long millis) throws InterruptedException {
    Thread.sleep(millis);
    return ProcessHandle.current().pid();
  }

  public String thread() {
    return Thread.currentThread().getName();
  }

  public long pid() {
    return ProcessHandle.current().pid();
  }

  public int divide(int a, int b) {
    return a / b;
  }

  public String sleep(long millis) {
    try {
      Thread.sleep(millis);
      return "slept " + millis;
    } catch (InterruptedException e) {
      interrupted.incrementAndGet();
      interruptions.countDown();
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /** Holds a server thread until the test opens the gate. */
  public String waitForGate() throws InterruptedException {
    gate.await(30, TimeUnit.SECONDS);
    return "through";
  }

  public byte[] bytes(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 31 + (i >>> 8));
    }
    return b;
  }

  public Iterator<Integer> range(int n) {
    return IntStream.range(0, n).peek(i -> produced.incrementAndGet()).iterator();
  }

  public Stream<String> words(int n) {
    return IntStream.range(0, n).mapToObj(i -> "w" + i);
  }

  public Iterator<Integer> failingAfter(int n) {
    return new Iterator<>() {
      int i;

      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Integer next() {
        if (i == n) {
          throw new IllegalStateException("iterator broke after " + n);
        }
        return i++;
      }
    };
  }

  public Future<Integer> later(int x) {
    Promise<Integer> p = Promise.promise();
    new Thread(() -> {
      try {
        Thread.sleep(20);
      } catch (InterruptedException ignored) {
        // fine
      }
      p.complete(x * 10);
    }).start();
    return p.future();
  }

  public Point mirror(Point p) {
    return new Point(p.y(), p.x());
  }

  public java.util.concurrent.atomic.AtomicInteger unregisteredResult() {
    return new java.util.concurrent.atomic.AtomicInteger(1);
  }

  /** Hidden: its name starts with an underscore. */
  public String _secret() {
    return "leaked";
  }

  /** A data class registered on the test servers. */
  public record Point(int x, int y) {
  }
}
