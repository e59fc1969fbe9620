package io.asynqueue;

import io.asynqueue.stream.Deferator;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A thread-only application, run by {@link OptionalKryoTest} in a JVM without Kryo or Micrometer on its class
 * path: it prints what it sees.
 */
public final class WithoutKryo {

  private WithoutKryo() {
  }

  /**
   * @param args none
   * @throws Exception if the application fails: the test sees its exit code and stderr
   */
  public static void main(String[] args) throws Exception {
    System.out.println("kryo: " + (present("com.esotericsoftware.kryo.Kryo") ? "present" : "absent"));
    System.out.println("micrometer: "
        + (present("io.micrometer.core.instrument.MeterRegistry") ? "present" : "absent"));
    Vertx vertx = Vertx.vertx();
    TaskQueue q = ThreadQueue.create(vertx, 2, new TaskQueueOptions().setVerbose(true)); // options load too
    Task1<Integer, Integer> twice = x -> x * 2;
    System.out.println("call: " + q.call(twice, 21).await(10, TimeUnit.SECONDS));
    Task0<java.util.Iterator<Integer>> three = () -> List.of(1, 2, 3).iterator();
    Deferator<Integer> d = q.iterate(three).await(10, TimeUnit.SECONDS);
    System.out.println("iterate: " + d.toList().await(10, TimeUnit.SECONDS));
    Task0<Integer> boom = () -> {
      throw new IllegalStateException("boom");
    };
    try {
      q.call(boom).await(10, TimeUnit.SECONDS);
    } catch (TaskException e) {
      System.out.println("failure: " + e.exceptionClass());
    }
    q.shutdown().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
    System.out.println("done");
  }

  private static boolean present(String className) {
    try {
      Class.forName(className, false, WithoutKryo.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
