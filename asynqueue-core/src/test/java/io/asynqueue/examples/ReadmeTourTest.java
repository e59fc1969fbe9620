package io.asynqueue.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.CallOptions;
import io.asynqueue.stream.ListConsumer;
import io.asynqueue.TaskQueue;
import io.asynqueue.ThreadQueue;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The README's tour, as printed there: if this stops compiling or passing, fix the README too. */
@ExtendWith(VertxExtension.class)
final class ReadmeTourTest {

  static String fetch(String url) {
    return "page at " + url;
  }

  static Iterator<Integer> bigIterator() {
    return IntStream.range(0, 1000).iterator();
  }

  @Test
  void tour(Vertx vertx, VertxTestContext test) {
    ListConsumer<Integer> someWriteStream = ListConsumer.create(vertx.getOrCreateContext());
    String url = "http://example.com/";

    // --- README tour begins
    TaskQueue q = ThreadQueue.create(vertx, 4);                  // 4 thread workers

    q.call(x -> x * 2, 21)                                       // Future<Integer>, on the caller's context
     .onSuccess(v -> System.out.println("got " + v));            // got 42

    CallOptions polite = new CallOptions()
        .setNiceness(10)                                         // -20 (urgent) .. +20 (nice)
        .setSeries("io")                                         // series share the workers fairly
        .setTimeout(Duration.ofSeconds(5))                       // interrupts the task when it runs out
        .setRetries(1);                                          // only for tasks safe to run twice
    Future<String> page = q.call(ReadmeTourTest::fetch, polite, url); // options come right after the task

    Future<Void> piped = q.iterate(() -> bigIterator())          // the iterator stays on its worker
        .compose(d -> d.pipeTo(someWriteStream));                // backpressure end to end

    Future<Void> down = q.shutdown();                            // runs what is queued, then stops
    // --- README tour ends

    Future.all(page, piped, down).compose(v -> someWriteStream.result())
        .onComplete(test.succeeding(list -> test.verify(() -> {
          assertThat(page.result()).isEqualTo("page at http://example.com/");
          assertThat(list).hasSize(1000).startsWith(0, 1, 2).endsWith(999);
          assertThat(q.isRunning()).isFalse();
          test.completeNow();
        })));
  }

  @Test
  void typedCall_infersFromItsArgument(Vertx vertx, VertxTestContext test) {
    TaskQueue q = ThreadQueue.create(vertx, 1);
    Future<Integer> doubled = q.call(x -> x * 2, 21);
    doubled.onComplete(test.succeeding(v -> test.verify(() -> {
      assertThat(v).isEqualTo(42);
      assertThat(List.of(v)).containsExactly(42);
      test.completeNow();
    })));
  }
}
