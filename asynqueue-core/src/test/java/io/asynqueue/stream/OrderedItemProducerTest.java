package io.asynqueue.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asynqueue.CallOptions;
import io.asynqueue.CancelToken;
import io.asynqueue.TaskCancelledException;
import io.asynqueue.TaskQueue;
import io.asynqueue.ThreadQueue;
import io.asynqueue.stream.IterationFixtures.CountingIterator;
import io.asynqueue.stream.IterationFixtures.SlowWriteStream;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
final class OrderedItemProducerTest {

  private static Iterator<Integer> inputs(int n) {
    return IntStream.range(0, n).iterator();
  }

  private static List<Integer> tenfold(int n) {
    return IntStream.range(0, n).map(i -> 10 * i).boxed().collect(Collectors.toList());
  }

  /** A Future completed with {@code value} after a timer. */
  private static <T> Future<T> later(Vertx vertx, long delayMs, T value) {
    Promise<T> p = Promise.promise();
    vertx.setTimer(delayMs, id -> p.complete(value));
    return p.future();
  }

  @Test
  void itemsFinishingInRandomOrder_areDeliveredInInputOrder_withAtMostWindowInFlight(Vertx vertx,
      VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    int window = 5;
    Random random = new Random(42);
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    List<Integer> finishOrder = Collections.synchronizedList(new ArrayList<>());
    ctx.runOnContext(v -> {
      OrderedItemProducer<Integer> producer = OrderedItemProducer.create(ctx, inputs(100), i -> {
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        return later(vertx, 1 + random.nextInt(15), 10 * i).onSuccess(finishOrder::add);
      }, window);
      ListConsumer<Integer> consumer = ListConsumer.create(ctx, x -> {
        inFlight.decrementAndGet(); // delivered
        return Future.succeededFuture();
      });
      producer.pipeTo(consumer).compose(x -> consumer.result())
          .onComplete(tc.succeeding(list -> tc.verify(() -> {
            assertThat(list).isEqualTo(tenfold(100));
            assertThat(finishOrder).hasSize(100).isNotEqualTo(tenfold(100));
            assertThat(maxInFlight.get()).isEqualTo(window);
            tc.completeNow();
          })));
    });
  }

  @Test
  void aFailingItem_failsPipeTo_afterTheItemsBeforeIt_andStopsStartingItems(Vertx vertx, VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    int window = 4;
    RuntimeException boom = new RuntimeException("row 10 failed");
    AtomicInteger started = new AtomicInteger();
    AtomicInteger settled = new AtomicInteger();
    Promise<Void> pipeFailed = Promise.promise();
    Promise<Void> allSettled = Promise.promise(); // every started item finished, after the pipe failed
    Runnable checkSettled = () -> {
      if (pipeFailed.future().isComplete() && settled.get() == started.get()) {
        allSettled.tryComplete();
      }
    };
    ctx.runOnContext(v -> {
      Iterator<Long> endless = new CountingIterator(Long.MAX_VALUE);
      OrderedItemProducer<Long> producer = OrderedItemProducer.create(ctx, endless, i -> {
        started.incrementAndGet();
        Future<Long> f = i == 10 ? Future.failedFuture(boom) : later(vertx, 1 + i % 3, i);
        return f.onComplete(x -> {
          settled.incrementAndGet();
          checkSettled.run();
        });
      }, window);
      ListConsumer<Long> consumer = ListConsumer.create(ctx);
      producer.pipeTo(consumer).onComplete(tc.failing(e -> tc.verify(() -> {
        assertThat(e).isSameAs(boom);
        assertThat(started.get()).isBetween(11, 10 + window);
        pipeFailed.complete();
        checkSettled.run();
      })));
      consumer.result()
          .compose(list -> allSettled.future().map(list))
          .onComplete(tc.succeeding(list -> tc.verify(() -> {
            assertThat(list).isEqualTo(IterationFixtures.range(10)); // the pipe ended it after 0..9
            assertThat(started.get()).isBetween(11, 10 + window);   // nothing started since
            tc.completeNow();
          })));
    });
  }

  @Test
  void pausedStream_startsNoMoreThanTheWindow_andFetchFreesSlots(Vertx vertx, VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    int window = 6;
    CountingIterator endless = new CountingIterator(Long.MAX_VALUE);
    List<Long> got = new ArrayList<>();
    ctx.runOnContext(v -> {
      OrderedItemProducer<Long> producer = OrderedItemProducer.create(ctx, endless, Future::succeededFuture, window);
      producer.handler(got::add).pause();
      ctx.runOnContext(x -> { // after the drain that handler() scheduled
        tc.verify(() -> {
          assertThat(got).isEmpty();
          assertThat(endless.produced.get()).isEqualTo(window);
        });
        producer.fetch(3);
        ctx.runOnContext(y -> tc.verify(() -> {
          assertThat(got).containsExactly(0L, 1L, 2L);
          assertThat(endless.produced.get()).isEqualTo(window + 3);
          tc.completeNow();
        }));
      });
    });
  }

  @Test
  void endlessInputs_pipedToASlowWriter_staysBounded_andStopEndsThePipe(Vertx vertx, VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    int window = 8;
    int queueMax = 4;
    CountingIterator endless = new CountingIterator(Long.MAX_VALUE);
    ctx.runOnContext(v -> {
      OrderedItemProducer<Long> producer = OrderedItemProducer.create(ctx, endless,
          i -> later(vertx, 1, i), window);
      SlowWriteStream<Long> slow = new SlowWriteStream<>(vertx, ctx, 3);
      slow.setWriteQueueMaxSize(queueMax);
      long[] maxAhead = {0};
      slow.onConsume = () -> {
        maxAhead[0] = Math.max(maxAhead[0], endless.produced.get() - slow.consumed.size());
        if (slow.consumed.size() == 200) {
          producer.stop();
        }
      };
      producer.pipeTo(slow).onComplete(tc.succeeding(x -> tc.verify(() -> {
        assertThat(slow.consumed).startsWith(0L, 1L, 2L).hasSizeGreaterThanOrEqualTo(200);
        for (int i = 0; i < slow.consumed.size(); i++) {
          assertThat(slow.consumed.get(i)).isEqualTo((long) i);
        }
        assertThat(maxAhead[0]).isLessThanOrEqualTo(window + queueMax + 1L);
        assertThat(endless.produced.get()).isLessThanOrEqualTo(slow.consumed.size() + window + queueMax + 1L);
        tc.completeNow();
      })));
    });
  }

  @Test
  void emptyInputs_endAtOnce(Vertx vertx, VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    ctx.runOnContext(v -> {
      OrderedItemProducer<Integer> producer = OrderedItemProducer.create(ctx, inputs(0),
          i -> Future.succeededFuture(i), 3);
      producer.handler(x -> tc.failNow("no item expected")).endHandler(x -> tc.completeNow());
    });
  }

  @Test
  void anIteratorThatThrows_failsTheStream_afterTheEarlierResults(Vertx vertx, VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    IllegalStateException broken = new IllegalStateException("inputs broke");
    Iterator<Integer> breaking = new Iterator<>() {
      int n;

      @Override
      public boolean hasNext() {
        if (n == 3) {
          throw broken;
        }
        return true;
      }

      @Override
      public Integer next() {
        return n++;
      }
    };
    List<Integer> got = new ArrayList<>();
    ctx.runOnContext(v -> {
      OrderedItemProducer<Integer> producer = OrderedItemProducer.create(ctx, breaking,
          i -> later(vertx, 5 - i, i), 10);
      producer.handler(got::add)
          .endHandler(x -> tc.failNow("must fail, not end"))
          .exceptionHandler(e -> tc.verify(() -> {
            assertThat(e).isSameAs(broken);
            assertThat(got).containsExactly(0, 1, 2);
            tc.completeNow();
          }));
    });
  }

  @Test
  void fnThrowing_orReturningNull_failsTheStream(Vertx vertx, VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    var thrown = tc.checkpoint();
    var nulled = tc.checkpoint();
    IllegalArgumentException bad = new IllegalArgumentException("bad input");
    ctx.runOnContext(v -> {
      OrderedItemProducer.<Integer, Integer>create(ctx, inputs(5), i -> {
        if (i == 2) {
          throw bad;
        }
        return Future.succeededFuture(i);
      }, 2).pipeTo(ListConsumer.create(ctx)).onComplete(tc.failing(e -> tc.verify(() -> {
        assertThat(e).isSameAs(bad);
        thrown.flag();
      })));
      OrderedItemProducer.<Integer, Integer>create(ctx, inputs(5), i -> null, 2)
          .pipeTo(ListConsumer.create(ctx)).onComplete(tc.failing(e -> tc.verify(() -> {
            assertThat(e).isInstanceOf(NullPointerException.class);
            nulled.flag();
          })));
    });
  }

  @Test
  void create_validatesItsArguments(Vertx vertx) {
    Context ctx = vertx.getOrCreateContext();
    assertThatThrownBy(() -> OrderedItemProducer.create(ctx, inputs(1), Future::succeededFuture, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> OrderedItemProducer.create(ctx, null, Future::succeededFuture, 1))
        .isInstanceOf(NullPointerException.class);
  }

  /** Found by mcm serve: a client gone before its rows were piped must not leave the pipe's Future hanging. */
  @Test
  void stop_beforeAnyReader_stillEndsALaterPipe(Vertx vertx, VertxTestContext test) {
    Context ctx = vertx.getOrCreateContext();
    ctx.runOnContext(v -> {
      OrderedItemProducer<Integer> producer =
          OrderedItemProducer.create(ctx, IntStream.range(0, 100).iterator(), Future::succeededFuture, 4);
      producer.stop();
      vertx.setTimer(20, t -> {
        ListConsumer<Integer> sink = ListConsumer.create(ctx);
        producer.pipeTo(sink).compose(x -> sink.result()).onComplete(test.succeeding(list -> test.verify(() -> {
          assertThat(list).isEmpty();
          test.completeNow();
        })));
      });
    });
  }

  /**
   * A producer over queue calls made with a CancelToken, given {@code token::cancel}: {@code stop()} takes the
   * calls still queued off the queue (their Futures fail typed), so they never run.
   */
  @Test
  void stop_runsTheCancelAction_andTheQueuedCallsNeverRun(Vertx vertx, VertxTestContext tc) throws Exception {
    TaskQueue q = ThreadQueue.create(vertx, 1);
    CountDownLatch gate = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    Set<Integer> ran = ConcurrentHashMap.newKeySet();
    CancelToken token = new CancelToken();
    CallOptions options = new CallOptions().setCancelToken(token);
    List<Future<Integer>> calls = Collections.synchronizedList(new ArrayList<>());
    int window = 8;
    Context ctx = vertx.getOrCreateContext();
    AtomicReference<OrderedItemProducer<Integer>> producer = new AtomicReference<>();
    ctx.runOnContext(v -> {
      producer.set(OrderedItemProducer.create(ctx, inputs(100), i -> {
        Future<Integer> call = q.call(() -> {
          ran.add(i);
          if (i == 0) {
            started.countDown();
            gate.await();
          }
          return i;
        }, options);
        calls.add(call);
        return call;
      }, window, token::cancel));
      producer.get().handler(x -> { });
    });
    assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
    ctx.runOnContext(v -> {
      tc.verify(() -> assertThat(calls).hasSize(window));
      producer.get().stop();
      tc.verify(() -> {
        assertThat(token.isCancelled()).isTrue();
        assertThat(q.load().queued()).as("calls left in the queue").isZero();
      });
      gate.countDown();
      Future.join(new ArrayList<>(calls)).otherwiseEmpty()
          .compose(x -> q.call(() -> -1)) // runs after anything that was still queued
          .onComplete(tc.succeeding(x -> tc.verify(() -> {
            assertThat(calls.get(0).result()).isZero();
            for (Future<Integer> call : calls.subList(1, window)) {
              assertThat(call.cause()).isInstanceOf(TaskCancelledException.class);
            }
            assertThat(ran).containsExactly(0);
            tc.completeNow();
          })));
    });
  }

  /** A failing item runs the cancel action too: the items after it are dropped, so their calls need not run. */
  @Test
  void aFailingItem_runsTheCancelAction_once(Vertx vertx, VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    AtomicInteger cancels = new AtomicInteger();
    Promise<Integer> first = Promise.promise();
    RuntimeException boom = new RuntimeException("item 0 failed");
    ctx.runOnContext(v -> {
      OrderedItemProducer<Integer> producer = OrderedItemProducer.create(ctx, inputs(100),
          i -> i == 0 ? first.future() : Promise.<Integer>promise().future(), 4, cancels::incrementAndGet);
      ListConsumer<Integer> sink = ListConsumer.create(ctx);
      producer.pipeTo(sink).onComplete(tc.failing(e -> tc.verify(() -> {
        assertThat(e).isSameAs(boom);
        assertThat(cancels).hasValue(1);
        producer.stop(); // a no-op once failed
        assertThat(cancels).hasValue(1);
        tc.completeNow();
      })));
      tc.verify(() -> assertThat(cancels).hasValue(0));
      first.fail(boom);
    });
  }
}
