package io.asynqueue.stream;

import static io.asynqueue.stream.IterationFixtures.range;
import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.stream.IterationFixtures.CountingIterator;
import io.asynqueue.stream.IterationFixtures.ManualExecutor;
import io.asynqueue.stream.IterationFixtures.SlowWriteStream;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
final class DeferatorTest {

  private ExecutorService worker; // stands in for a thread worker's thread

  @BeforeEach
  void startWorker() {
    worker = Executors.newSingleThreadExecutor();
  }

  @AfterEach
  void stopWorker() {
    worker.shutdownNow();
  }

  /* --------------- pull style --------------- */

  @Test
  void next_calledTwiceWithoutWaiting_failsNotReady(Vertx vertx, VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    ctx.runOnContext(v -> {
      Deferator<Long> d = Deferator.fromIterator(ctx, new CountingIterator(10), worker);
      Future<Long> first = d.next();  // nothing fetched yet: the fetch completes on the context, later
      Future<Long> second = d.next();
      tc.verify(() -> {
        assertThat(second.failed()).isTrue();
        assertThat(second.cause()).isInstanceOf(NotReadyException.class);
      });
      first
          .onComplete(tc.succeeding(x -> tc.verify(() -> assertThat(x).isZero())))
          .compose(x -> d.stop())
          .compose(x -> d.done())
          .onComplete(tc.succeeding(done -> tc.verify(() -> {
            assertThat(done).isFalse();
            tc.completeNow();
          })));
    });
  }

  @Test
  void stop_afterThreeOfSix_leavesTheUnreadItemsInTheSource(Vertx vertx, VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    int window = 2;
    Iterator<Integer> source = List.of(0, 1, 2, 3, 4, 5).iterator();
    List<Integer> read = new ArrayList<>();
    ctx.runOnContext(v -> {
      // A direct fetcher makes the prefetch deterministic.
      Deferator<Integer> d = Deferators.fromIterator(ctx, source, Runnable::run, window);
      d.next().onSuccess(read::add)
          .compose(x -> d.next()).onSuccess(read::add)
          .compose(x -> d.next()).onSuccess(read::add)
          .compose(x -> d.stop())
          .compose(x -> d.done())
          .onComplete(tc.succeeding(done -> tc.verify(() -> {
            assertThat(done).isFalse();
            assertThat(read).containsExactly(0, 1, 2);
            int left = 0;
            while (source.hasNext()) {
              source.next();
              left++;
            }
            // read 3, prefetched at least one more, never more than `window` beyond what was read
            assertThat(left).isBetween(6 - 3 - window, 6 - 3 - 1);
            d.next().onComplete(tc.failing(e -> tc.verify(() -> {
              assertThat(e).isInstanceOf(NoSuchElementException.class);
              tc.completeNow();
            })));
          })));
    });
  }

  @Test
  void stop_onAWorkerThread_readsNoMoreThanTheWindowBeyondWhatWasTaken(Vertx vertx, VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    int window = 8;
    CountingIterator source = new CountingIterator(1000);
    ctx.runOnContext(v -> {
      Deferator<Long> d = Deferators.fromIterator(ctx, source, worker, window);
      d.next().compose(x -> d.next()).compose(x -> d.next())
          .compose(x -> d.stop()) // completes once the source is released: no fetch in flight after it
          .onComplete(tc.succeeding(x -> tc.verify(() -> {
            assertThat(source.produced.get()).isBetween(3L, 3L + window);
            assertThat(source.closed).isTrue();
            tc.completeNow();
          })));
    });
  }

  @Test
  void next_overValuesWithANull_yieldsEach_thenNoSuchElement(Vertx vertx, VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    List<String> values = Arrays.asList("57", null, "1.3", "whatever");
    List<String> read = new ArrayList<>();
    ctx.runOnContext(v -> {
      Deferator<String> d = Deferators.fromIterator(ctx, values.iterator(), worker, 2);
      d.next().onSuccess(read::add)
          .compose(x -> d.next()).onSuccess(read::add)
          .compose(x -> d.next()).onSuccess(read::add)
          .compose(x -> d.next()).onSuccess(read::add)
          .compose(x -> d.hasNext())
          .onComplete(tc.succeeding(more -> tc.verify(() -> {
            assertThat(more).isFalse();
            assertThat(read).containsExactly("57", null, "1.3", "whatever");
            assertThat(d.done().result()).isTrue();
            d.next().onComplete(tc.failing(e -> tc.verify(() -> {
              assertThat(e).isInstanceOf(NoSuchElementException.class);
              tc.completeNow();
            })));
          })));
    });
  }

  @Test
  void next_inASynchronousLoop_recursesNoDeeperThanTheWindow(Vertx vertx, VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    int window = 16;
    int total = 20_000;
    int[] depth = {0};
    int[] maxDepth = {0};
    long[] count = {0};
    ctx.runOnContext(v -> {
      // A direct fetcher completes every fetch at once: the worst case for a caller that loops by recursion.
      Deferator<Long> d = Deferators.fromIterator(ctx, new CountingIterator(total), Runnable::run, window);
      Runnable[] step = new Runnable[1];
      step[0] = () -> d.next().onComplete(ar -> {
        maxDepth[0] = Math.max(maxDepth[0], ++depth[0]);
        if (ar.succeeded()) {
          count[0]++;
          step[0].run();
        } else {
          tc.verify(() -> {
            assertThat(ar.cause()).isInstanceOf(NoSuchElementException.class);
            assertThat(count[0]).isEqualTo(total);
            assertThat(maxDepth[0]).isLessThanOrEqualTo(window + 1);
          });
          tc.completeNow();
        }
        depth[0]--;
      });
      step[0].run();
    });
  }

  @Test
  void next_whileAHandlerIsSet_failsIllegalState(Vertx vertx, VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    ctx.runOnContext(v -> {
      Deferator<Long> d = Deferator.fromIterator(ctx, new CountingIterator(10), worker);
      d.handler(x -> { });
      d.next().onComplete(tc.failing(e -> tc.verify(() -> {
        assertThat(e).isInstanceOf(IllegalStateException.class).isNotInstanceOf(NotReadyException.class);
        d.stop();
        tc.completeNow();
      })));
    });
  }

  @Test
  void toList_fromAnotherThread_collectsInOrder_onTheContext(Vertx vertx, VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    Deferator<Long> d = Deferator.fromIterator(ctx, new CountingIterator(1000), worker);
    d.toList().onComplete(tc.succeeding(list -> tc.verify(() -> {
      assertThat(Vertx.currentContext()).isSameAs(ctx);
      assertThat(list).isEqualTo(range(1000));
      assertThat(d.done().result()).isTrue();
      tc.completeNow();
    })));
  }

  @Test
  void emptyIterator_endsAtOnce_andToListIsEmpty(Vertx vertx, VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    var ended = tc.checkpoint();
    var listed = tc.checkpoint();
    ctx.runOnContext(v -> {
      Deferator<Object> streamed = Deferator.fromIterator(ctx, List.of().iterator(), worker);
      streamed.handler(x -> tc.failNow("no element expected, got " + x)).endHandler(x -> ended.flag());
      Deferator<Object> listed1 = Deferator.fromIterator(ctx, List.of().iterator(), worker);
      listed1.toList().onComplete(tc.succeeding(list -> tc.verify(() -> {
        assertThat(list).isEmpty();
        assertThat(listed1.done().result()).isTrue();
        listed.flag();
      })));
    });
  }

  /* --------------- stream --------------- */

  @Test
  void handlerThenEndHandler_onAFullyBufferedStream_stillGetsTheEnd(Vertx vertx, VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    List<Long> got = new ArrayList<>();
    ctx.runOnContext(v -> {
      // The direct fetcher has buffered everything, and the end, before the handler is set.
      Deferator<Long> d = Deferators.fromIterator(ctx, new CountingIterator(3), Runnable::run, 8);
      d.handler(got::add).endHandler(x -> tc.verify(() -> {
        assertThat(got).containsExactly(0L, 1L, 2L);
        assertThat(d.done().result()).isTrue();
        tc.completeNow();
      }));
    });
  }

  @Test
  void handlers_runOnTheContext_whileFetchesCompleteOnAWorkerThread(Vertx vertx, VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    AtomicInteger offContext = new AtomicInteger();
    AtomicInteger count = new AtomicInteger();
    Deferator<Long> d = Deferators.fromIterator(ctx, new CountingIterator(5000), worker, 16);
    d.handler(x -> {
      if (Vertx.currentContext() != ctx) {
        offContext.incrementAndGet();
      }
      count.incrementAndGet();
    });
    d.endHandler(x -> tc.verify(() -> {
      assertThat(Vertx.currentContext()).isSameAs(ctx);
      assertThat(count.get()).isEqualTo(5000);
      assertThat(offContext.get()).isZero();
      tc.completeNow();
    }));
  }

  @Test
  void fetch_deliversExactlyTheDemand(Vertx vertx, VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    List<Long> got = new ArrayList<>();
    ctx.runOnContext(v -> {
      Deferator<Long> d = Deferators.fromIterator(ctx, new CountingIterator(100), Runnable::run, 32);
      d.pause().handler(got::add).fetch(3);
      ctx.runOnContext(x -> { // runs after the drain the calls above scheduled
        tc.verify(() -> assertThat(got).containsExactly(0L, 1L, 2L));
        d.fetch(2);
        ctx.runOnContext(y -> tc.verify(() -> {
          assertThat(got).containsExactly(0L, 1L, 2L, 3L, 4L);
          d.stop();
          tc.completeNow();
        }));
      });
    });
  }

  @Test
  void pausedStream_overAnEndlessIterator_advancesItNoMoreThanTheWindow(Vertx vertx, VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    int window = 16;
    ManualExecutor fetcher = new ManualExecutor();
    CountingIterator endless = new CountingIterator(Long.MAX_VALUE);
    List<Long> got = new ArrayList<>();
    ctx.runOnContext(v -> {
      Deferator<Long> d = Deferators.fromIterator(ctx, endless, fetcher, window);
      d.handler(got::add).pause();
      for (int round = 0; round < 5; round++) {
        fetcher.runPending(); // runs each fetch on this (the context's) thread: all completions are inline
      }
      tc.verify(() -> {
        assertThat(got).isEmpty();
        assertThat(endless.produced.get()).isLessThanOrEqualTo(window);
        assertThat(fetcher.submitted.get()).isEqualTo(1);
      });
      d.fetch(5);
      ctx.runOnContext(x -> {
        for (int round = 0; round < 5; round++) {
          fetcher.runPending();
        }
        tc.verify(() -> {
          assertThat(got).containsExactly(0L, 1L, 2L, 3L, 4L);
          assertThat(endless.produced.get()).isLessThanOrEqualTo(5 + window);
          assertThat(fetcher.pending()).isZero();
        });
        d.stop().onComplete(tc.succeeding(y -> {
          fetcher.runPending(); // the close runs on the fetcher too
          tc.verify(() -> assertThat(endless.closed).isTrue());
          tc.completeNow();
        }));
        fetcher.runPending();
      });
    });
  }

  @Test
  void consumerStoppingAfterN_ofTwoN_getsExactlyN_andTheSourceIsNotReadFarBeyondN(Vertx vertx,
      VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    int n = 1000;
    int window = 64;
    CountingIterator source = new CountingIterator(2L * n);
    ctx.runOnContext(v -> {
      Deferator<Long> d = Deferators.fromIterator(ctx, source, worker, window);
      AtomicInteger seen = new AtomicInteger();
      ListConsumer<Long> consumer = ListConsumer.create(ctx, item -> {
        if (seen.incrementAndGet() == n) {
          d.stop();
        }
        return Future.succeededFuture();
      });
      d.pipeTo(consumer)
          .compose(x -> consumer.result())
          .onComplete(tc.succeeding(list -> d.stop().onComplete(tc.succeeding(x -> tc.verify(() -> {
            assertThat(list).isEqualTo(range(n));
            assertThat(d.done().result()).isFalse();
            assertThat(source.produced.get()).isBetween((long) n, (long) n + window);
            assertThat(source.closed).isTrue();
            tc.completeNow();
          })))));
    });
  }

  @Test
  void pipeTo_aSlowWriteStream_deliversAllInOrder_withBoundedReadAhead(Vertx vertx, VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    int total = 3000;
    int window = 32;
    int queueMax = 8;
    CountingIterator source = new CountingIterator(total);
    ctx.runOnContext(v -> {
      SlowWriteStream<Long> slow = new SlowWriteStream<>(vertx, ctx, 50);
      slow.setWriteQueueMaxSize(queueMax);
      long[] maxAhead = {0};
      slow.onConsume = () -> maxAhead[0] = Math.max(maxAhead[0], source.produced.get() - slow.consumed.size());
      Deferator<Long> d = Deferators.fromIterator(ctx, source, worker, window);
      d.pipeTo(slow).onComplete(tc.succeeding(x -> tc.verify(() -> {
        assertThat(slow.consumed).isEqualTo(range(total));
        assertThat(slow.ended.future().isComplete()).isTrue();
        // ahead of the consumer: the write queue plus the prefetch window, never the whole source
        assertThat(maxAhead[0]).isLessThanOrEqualTo(window + queueMax + 1L);
        assertThat(slow.maxQueued).isLessThanOrEqualTo(queueMax);
        tc.completeNow();
      })));
    });
  }

  @Test
  void aSlowIterator_streamsItsElements_insteadOfFillingABatchFirst(Vertx vertx, VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    int total = 6;
    CountingIterator counter = new CountingIterator(total);
    Iterator<Long> slow = new Iterator<>() {
      @Override
      public boolean hasNext() {
        return counter.hasNext();
      }

      @Override
      public Long next() {
        try {
          Thread.sleep(25); // the work of computing an element, not synchronisation
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return counter.next();
      }
    };
    long[] producedAtFirst = {-1};
    List<Long> got = new ArrayList<>();
    Deferator<Long> d = Deferator.fromIterator(ctx, slow, worker); // window 64: one batch could hold all
    d.handler(x -> {
      if (got.isEmpty()) {
        producedAtFirst[0] = counter.produced.get();
      }
      got.add(x);
    }).endHandler(x -> tc.verify(() -> {
      assertThat(got).isEqualTo(range(total));
      assertThat(producedAtFirst[0]).isLessThan(total);
      tc.completeNow();
    }));
  }

  /* --------------- failures --------------- */

  /** Yields 0..4, then throws {@link #boom}. */
  private static final class BreakingIterator implements Iterator<Integer> {
    final IllegalStateException boom = new IllegalStateException("boom at 5");
    int n;

    @Override
    public boolean hasNext() {
      return true;
    }

    @Override
    public Integer next() {
      if (n == 5) {
        throw boom;
      }
      return n++;
    }
  }

  @Test
  void iteratorThrowingMidway_failsTheStream_afterTheElementsBeforeIt(Vertx vertx, VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    BreakingIterator source = new BreakingIterator();
    List<Integer> got = new ArrayList<>();
    ctx.runOnContext(v -> {
      Deferator<Integer> d = Deferator.fromIterator(ctx, source, worker);
      d.handler(got::add)
          .endHandler(x -> tc.failNow("the stream must fail, not end"))
          .exceptionHandler(e -> tc.verify(() -> {
            assertThat(e).isSameAs(source.boom);
            assertThat(got).containsExactly(0, 1, 2, 3, 4);
            d.done().onComplete(tc.failing(cause -> tc.verify(() -> {
              assertThat(cause).isSameAs(source.boom);
              tc.completeNow();
            })));
          }));
    });
  }

  @Test
  void iteratorThrowingMidway_failsPipeTo_andToList(Vertx vertx, VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    var piped = tc.checkpoint();
    var listed = tc.checkpoint();
    ctx.runOnContext(v -> {
      BreakingIterator first = new BreakingIterator();
      ListConsumer<Integer> consumer = ListConsumer.create(ctx);
      Deferator.fromIterator(ctx, first, worker).pipeTo(consumer)
          .onComplete(tc.failing(e -> tc.verify(() -> {
            assertThat(e).isSameAs(first.boom);
            piped.flag();
          })));
      BreakingIterator second = new BreakingIterator();
      Deferator.fromIterator(ctx, second, worker).toList()
          .onComplete(tc.failing(e -> tc.verify(() -> {
            assertThat(e).isSameAs(second.boom);
            listed.flag();
          })));
    });
  }

  @Test
  void exhaustedAutoCloseableIterator_isClosed(Vertx vertx, VertxTestContext tc) {
    Context ctx = vertx.getOrCreateContext();
    CountingIterator source = new CountingIterator(10);
    Deferator.fromIterator(ctx, source, worker).toList()
        .onComplete(tc.succeeding(list -> tc.verify(() -> {
          assertThat(list).hasSize(10);
          assertThat(source.closed).isTrue();
          tc.completeNow();
        })));
  }
}
