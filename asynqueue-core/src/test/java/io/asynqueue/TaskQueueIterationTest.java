package io.asynqueue;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.stream.Deferator;
import io.asynqueue.stream.ListConsumer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Behaviour 28 and the consumer bridge, through the queue: iterators stay on the worker that ran the task. */
@ExtendWith(VertxExtension.class)
final class TaskQueueIterationTest {

  /** Counts 0..n-1, noting the thread of every step. */
  static Iterator<Integer> counting(int n, Set<String> threads) {
    Iterator<Integer> range = IntStream.range(0, n).iterator();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return range.hasNext();
      }

      @Override
      public Integer next() {
        threads.add(Thread.currentThread().getName());
        return range.next();
      }
    };
  }

  @Test
  void threadWorker_iteratorIsSteppedOnTheWorkersThread(Vertx vertx, VertxTestContext test) {
    TaskQueue q = ThreadQueue.create(vertx, 1);
    Set<String> threads = ConcurrentHashMap.newKeySet();
    Context ctx = vertx.getOrCreateContext();
    ctx.runOnContext(v -> q.iterate(() -> counting(1000, threads)).compose(Deferator::toList)
        .onComplete(test.succeeding(list -> test.verify(() -> {
          assertThat(list).hasSize(1000).startsWith(0, 1, 2).endsWith(999);
          assertThat(threads).allMatch(name -> name.startsWith("asynqueue-" + q.name() + "-thread-"));
          assertThat(Vertx.currentContext()).isSameAs(ctx);
          test.completeNow();
        }))));
  }

  @Test
  void asyncWorker_iteratorIsSteppedOnTheEventLoop(Vertx vertx, VertxTestContext test) {
    TaskQueue q = TaskQueue.create(vertx);
    q.attachWorker(Workers.eventLoop());
    Set<String> threads = ConcurrentHashMap.newKeySet();
    q.iterate((Integer n) -> counting(n, threads), 10).compose(Deferator::toList)
        .onComplete(test.succeeding(list -> test.verify(() -> {
          assertThat(list).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
          assertThat(threads).allMatch(name -> name.startsWith("vert.x-eventloop-thread-"));
          test.completeNow();
        })));
  }

  @Test
  void consumer_receivesEveryElementInOrder(Vertx vertx, VertxTestContext test) {
    TaskQueue q = ThreadQueue.create(vertx, 2);
    Context ctx = vertx.getOrCreateContext();
    ListConsumer<Integer> consumer = ListConsumer.create(ctx, x -> Future.succeededFuture());
    ctx.runOnContext(v -> q.iterate(() -> IntStream.range(0, 5000).iterator())
        .compose(d -> d.pipeTo(consumer)).compose(x -> consumer.result())
        .onComplete(test.succeeding(list -> test.verify(() -> {
          assertThat(list).hasSize(5000);
          assertThat(list.get(4999)).isEqualTo(4999);
          test.completeNow();
        }))));
  }

}
