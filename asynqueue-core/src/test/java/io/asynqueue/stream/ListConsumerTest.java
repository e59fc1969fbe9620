package io.asynqueue.stream;

import static io.asynqueue.stream.IterationFixtures.range;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
final class ListConsumerTest {

  @Test
  void processorWithRandomDelays_keepsTheListInWriteOrder(Vertx vertx, VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    Random random = new Random(1234);
    List<Long> processedOrder = new ArrayList<>();
    ctx.runOnContext(v -> {
      ListConsumer<Long> consumer = ListConsumer.create(ctx, item -> {
        Promise<Void> p = Promise.promise();
        vertx.setTimer(1 + random.nextInt(20), id -> {
          processedOrder.add(item);
          p.complete();
        });
        return p.future();
      });
      for (long i = 0; i < 100; i++) {
        consumer.write(i);
      }
      consumer.end();
      consumer.result().onComplete(tc.succeeding(list -> tc.verify(() -> {
        assertThat(list).isEqualTo(range(100));
        assertThat(processedOrder).hasSize(100).isNotEqualTo(range(100)); // they did finish out of order
        tc.completeNow();
      })));
    });
  }

  @Test
  void itemsBeingProcessed_fillTheWriteQueue_andDrainAtHalf(Vertx vertx, VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    List<Promise<Void>> running = new ArrayList<>();
    AtomicInteger drains = new AtomicInteger();
    ctx.runOnContext(v -> {
      ListConsumer<Integer> consumer = ListConsumer.create(ctx, item -> {
        Promise<Void> p = Promise.promise();
        running.add(p);
        return p.future();
      });
      consumer.setWriteQueueMaxSize(4).drainHandler(x -> drains.incrementAndGet());
      tc.verify(() -> {
        for (int i = 0; i < 3; i++) {
          consumer.write(i);
        }
        assertThat(consumer.writeQueueFull()).isFalse();
        consumer.write(3);
        assertThat(consumer.writeQueueFull()).isTrue();
        running.get(0).complete();  // 3 left
        assertThat(consumer.writeQueueFull()).isFalse();
        assertThat(drains.get()).isZero();
        running.get(1).complete();  // 2 left: half
        assertThat(drains.get()).isEqualTo(1);
        running.get(2).complete();
        assertThat(drains.get()).isEqualTo(1);
      });
      Future<Void> ended = consumer.end();
      tc.verify(() -> assertThat(ended.isComplete()).isFalse()); // one still being processed
      running.get(3).complete();
      ended.compose(x -> consumer.result()).onComplete(tc.succeeding(list -> tc.verify(() -> {
        assertThat(list).containsExactly(0, 1, 2, 3);
        tc.completeNow();
      })));
    });
  }

  @Test
  void aFailingProcessor_failsTheResult_andCallsTheExceptionHandlerOnce(Vertx vertx, VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    RuntimeException boom = new RuntimeException("boom");
    List<Throwable> reported = new ArrayList<>();
    ctx.runOnContext(v -> {
      ListConsumer<Integer> consumer = ListConsumer.create(ctx,
          item -> item % 2 == 1 ? Future.failedFuture(boom) : Future.succeededFuture());
      consumer.exceptionHandler(reported::add);
      Future<Void> first = consumer.write(0);
      Future<Void> second = consumer.write(1);
      consumer.write(3);
      consumer.end();
      consumer.result().onComplete(tc.failing(e -> tc.verify(() -> {
        assertThat(e).isSameAs(boom);
        assertThat(first.succeeded()).isTrue();
        assertThat(second.cause()).isSameAs(boom);
        assertThat(reported).containsExactly(boom);
        tc.completeNow();
      })));
    });
  }

  @Test
  void write_afterEnd_fails(Vertx vertx, VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    ctx.runOnContext(v -> {
      ListConsumer<String> consumer = ListConsumer.create(ctx);
      consumer.write("a");
      consumer.end();
      consumer.write("b").onComplete(tc.failing(e -> tc.verify(() -> {
        assertThat(e).isInstanceOf(IllegalStateException.class);
        assertThat(consumer.result().result()).containsExactly("a");
        tc.completeNow();
      })));
    });
  }

  @Test
  void pipedFromADeferator_runsAtMostTheQueueSizeOfProcessorsAtOnce(Vertx vertx, VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    ExecutorService worker = Executors.newSingleThreadExecutor();
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxRunning = new AtomicInteger();
    ctx.runOnContext(v -> {
      ListConsumer<Long> consumer = ListConsumer.create(ctx, item -> {
        maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
        Promise<Void> p = Promise.promise();
        vertx.setTimer(1, id -> {
          running.decrementAndGet();
          p.complete();
        });
        return p.future();
      });
      consumer.setWriteQueueMaxSize(6);
      Deferator.fromIterator(ctx, new IterationFixtures.CountingIterator(300), worker).pipeTo(consumer)
          .compose(x -> consumer.result())
          .onComplete(tc.succeeding(list -> tc.verify(() -> {
            worker.shutdown();
            assertThat(list).isEqualTo(range(300));
            assertThat(maxRunning.get()).isBetween(2, 6);
            tc.completeNow();
          })));
    });
  }
}
