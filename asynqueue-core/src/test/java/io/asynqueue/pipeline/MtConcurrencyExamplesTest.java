package io.asynqueue.pipeline;

import static io.asynqueue.pipeline.Stage.stage;
import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.stream.Deferator;
import io.asynqueue.pipeline.PipelineFixtures.Concurrency;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** mt.concurrency's features: WorkIterator, pmap, aio work generator, resource guards, serial mode. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
final class MtConcurrencyExamplesTest {

  /** A work result of the form (work_id, ...), or null when the work gave nothing. */
  record Result(long workId, long value) {
  }

  /* --------------------------------------------------------------- WorkIterator */

  @Test
  void workIterator_over1000WorkIds_runsAheadByABoundedBuffer(Vertx vertx, VertxTestContext tc) {
    AtomicLong started = new AtomicLong();
    AtomicLong consumed = new AtomicLong();
    AtomicLong skipped = new AtomicLong();
    AtomicLong maxAhead = new AtomicLong();
    // what may be ahead of the reader: the map's window (4 x 16 in flight), the filter's (16), the stream's (16)
    int bound = 64 + 16 + 16;
    PipelineFixtures.Counter workIds = PipelineFixtures.Counter.endless();   // work ids 0, 1, 2, ... to infinity
    Deferator<Result> it = Pipeline.from(vertx, workIds)
        .map(id -> {
          maxAhead.accumulateAndGet(started.incrementAndGet() - consumed.get() - skipped.get(), Math::max);
          if (id % 7 == 3) {
            skipped.incrementAndGet();
            return null;                                           // None for some ids
          }
          return new Result(id, id * id);
        }, stage().threads(2))
        .filter(Objects::nonNull)                                  // skip_null=True
        .stream();
    List<Result> got = new ArrayList<>();
    pull(vertx, it, got, consumed, 1000).onComplete(tc.succeeding(v -> tc.verify(() -> {
      assertThat(got).hasSize(1000);
      assertThat(got).allSatisfy(r -> assertThat(r.value()).isEqualTo(r.workId() * r.workId()));
      assertThat(got.stream().map(Result::workId).collect(Collectors.toSet())).hasSize(1000);
      assertThat(maxAhead.get()).isGreaterThan(2).isLessThanOrEqualTo(bound);
      long read = workIds.produced.get();
      it.stop().onComplete(tc.succeeding(x -> tc.verify(() -> {                 // close()
        assertThat(workIds.produced.get()).isLessThanOrEqualTo(read + bound);
        it.done().onComplete(tc.succeeding(all -> tc.verify(() -> {
          assertThat(all).isFalse();
          tc.completeNow();
        })));
      })));
    })));
  }

  /** Reads n elements one at a time with next(), slowly: each after a timer tick. */
  private static Future<Void> pull(Vertx vertx, Deferator<Result> it, List<Result> got, AtomicLong consumed,
      int n) {
    if (got.size() == n) {
      return Future.succeededFuture();
    }
    return it.next().compose(r -> {
      got.add(r);
      consumed.incrementAndGet();
      return got.size() % 50 == 0 ? vertx.timer(5).mapEmpty() : Future.<Void>succeededFuture();
    }).compose(v -> pull(vertx, it, got, consumed, n));
  }

  @Test
  void workIterator_aFailingWork_failsTheIterator(Vertx vertx, VertxTestContext tc) {
    Deferator<Long> it = Pipeline.from(vertx, PipelineFixtures.Counter.endless())
        .map(id -> {
          if (id == 5) {
            throw new IllegalArgumentException("work 5 failed");
          }
          return id;
        }, stage().threads(2))
        .ordered()
        .stream();
    it.toList().onComplete(tc.failing(e -> tc.verify(() -> {
      assertThat(e).isInstanceOf(PipelineException.class);
      assertThat(((PipelineException) e).element()).isEqualTo(5L);
      assertThat(e.getCause().getCause()).hasMessage("work 5 failed");
      tc.completeNow();
    })));
  }

  /* --------------------------------------------------------------- pmap with batches */

  @Test
  void pmap_batched_ordered_givesResultsInInputOrder_eachCallASingleBatch(Vertx vertx, VertxTestContext tc) {
    List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
    Pipeline.from(vertx, IntStream.range(0, 1000).boxed().iterator())
        .batch(64)                                                   // batch_size=64
        .map(batch -> {
          batchSizes.add(batch.size());
          if (batch.get(0) == 0) {
            Thread.sleep(20);                                        // the first batch finishes last
          }
          return batch.stream().map(x -> x * 2).collect(Collectors.toList());
        }, stage().threads(4))
        .ordered()                                                   // pool_ordered=True
        .flatMap(List::iterator)                                     // unbatch
        .collect()
        .onComplete(tc.succeeding(out -> tc.verify(() -> {
          assertThat(out).isEqualTo(IntStream.range(0, 1000).map(x -> x * 2).boxed().collect(Collectors.toList()));
          assertThat(batchSizes).hasSize(16).allMatch(s -> s <= 64);
          assertThat(batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(1000);
          tc.completeNow();
        })));
  }

  @Test
  void pmap_batched_unordered_givesEveryResult_theSlowBatchLast(Vertx vertx, VertxTestContext tc) {
    CountDownLatch othersOut = new CountDownLatch(30);
    List<Integer> out = Collections.synchronizedList(new ArrayList<>());
    Pipeline.from(vertx, IntStream.range(0, 40).boxed().iterator())
        .batch(10)
        .map(batch -> {
          if (batch.get(0) == 0) {
            PipelineFixtures.await(othersOut);   // finishes once the other 30 results are out
          }
          return batch;
        }, stage().threads(4))
        .flatMap(List::iterator)                                     // pool_ordered=False
        .forEach(x -> {
          out.add(x);
          if (x >= 10) {
            othersOut.countDown();
          }
        })
        .onComplete(tc.succeeding(v -> tc.verify(() -> {
          assertThat(out).containsExactlyInAnyOrderElementsOf(
              IntStream.range(0, 40).boxed().collect(Collectors.toList()));
          assertThat(out.subList(30, 40)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
          tc.completeNow();
        })));
  }

  /* --------------------------------------------------------------- aio_work_generator */

  @Test
  void asyncWork_runsUpToMaxConcurrencyAtOnce(Vertx vertx, VertxTestContext tc) {
    Concurrency running = new Concurrency();
    Pipeline.from(vertx, IntStream.range(0, 100).boxed().iterator())
        .mapAsync(id -> {
          running.enter();
          Promise<Integer> p = Promise.promise();
          vertx.setTimer(1 + id % 3, t -> {           // asynchronous I/O
            running.exit();
            p.complete(id);
          });
          return p.future();
        }, stage().maxInFlight(8))                    // max_concurrency=8
        .collect()
        .onComplete(tc.succeeding(out -> tc.verify(() -> {
          assertThat(out).containsExactlyInAnyOrderElementsOf(
              IntStream.range(0, 100).boxed().collect(Collectors.toList()));
          assertThat(running.max.get()).isEqualTo(8);
          tc.completeNow();
        })));
  }

  /* --------------------------------------------------------------- resource guards */

  @Test
  void resourceGuard_whileOverloaded_nothingIsRead_thenIntakeResumes(Vertx vertx, VertxTestContext tc) {
    AtomicBoolean overloaded = new AtomicBoolean(true);
    AtomicInteger checks = new AtomicInteger();
    PipelineFixtures.Counter input = new PipelineFixtures.Counter(50);
    Promise<Void> checkedThrice = Promise.promise();
    ResourceGuard guard = () -> {
      if (checks.incrementAndGet() == 3) {
        checkedThrice.tryComplete();
      }
      return overloaded.get();
    };
    Future<List<Long>> result = Pipeline.from(vertx, input)
        .map(x -> x, stage().threads(2))
        .pauseWhen(guard, java.time.Duration.ofMillis(10))
        .collect();
    checkedThrice.future().onComplete(tc.succeeding(v -> tc.verify(() -> {
      assertThat(input.produced.get()).isZero();     // paused from the start
      overloaded.set(false);
      result.onComplete(tc.succeeding(out -> tc.verify(() -> {
        assertThat(out).hasSize(50);
        tc.completeNow();
      })));
    })));
  }

  @Test
  void resourceGuards_memoryAndCpu_areUsableAndNotOverloadedAtFullThreshold() {
    assertThat(ResourceGuard.memoryAbove(1.0).overloaded()).isFalse();
    assertThat(ResourceGuard.cpuAbove(1.0).overloaded()).isFalse();
    assertThat(ResourceGuard.any(() -> false, () -> true).overloaded()).isTrue();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ResourceGuard.memoryAbove(0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /* --------------------------------------------------------------- serial mode */

  @Test
  void serialMode_smallInput_startsNoThreads_andRunsOneAtATime(Vertx vertx, VertxTestContext tc) {
    Set<String> threads = ConcurrentHashMap.newKeySet();
    Concurrency running = new Concurrency();
    Pipeline.from(vertx, List.of(1, 2, 3, 4, 5))
        .serialBelow(10)
        .map(x -> {
          running.enter();
          threads.add(Thread.currentThread().getName());
          running.exit();
          return x * 10;
        }, stage().threads(4))
        .collect()
        .onComplete(tc.succeeding(out -> tc.verify(() -> {
          assertThat(out).containsExactly(10, 20, 30, 40, 50);
          assertThat(threads).noneMatch(n -> n.matches("asynqueue-.+-thread-\\d+-\\d+"))
              .allMatch(n -> n.startsWith("vert.x-worker-thread"));
          assertThat(running.max.get()).isEqualTo(1);
          tc.completeNow();
        })));
  }

  @Test
  void serialMode_largerInput_usesTheStagesThreads(Vertx vertx, VertxTestContext tc) {
    Set<String> threads = ConcurrentHashMap.newKeySet();
    Pipeline.from(vertx, IntStream.range(0, 11).boxed().collect(Collectors.toList()))
        .serialBelow(10)
        .map(x -> threads.add(Thread.currentThread().getName()), stage().threads(2))
        .collect()
        .onComplete(tc.succeeding(out -> tc.verify(() -> {
          assertThat(threads).isNotEmpty().allMatch(n -> n.matches("asynqueue-.+-thread-\\d+-\\d+"));
          tc.completeNow();
        })));
  }
}
