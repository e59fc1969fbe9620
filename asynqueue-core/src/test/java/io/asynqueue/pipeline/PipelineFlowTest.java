package io.asynqueue.pipeline;

import static io.asynqueue.pipeline.Stage.stage;
import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.stream.Deferator;
import io.asynqueue.TaskQueue;
import io.asynqueue.ThreadQueue;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Backpressure and bounded memory, placements, and the default (unordered) flow. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
final class PipelineFlowTest {

  /* --------------------------------------------------------------- bounded memory */

  @Test
  void endlessInput_slowSink_memoryStaysBounded(Vertx vertx, VertxTestContext tc) {
    // what may be inside at once (read, not dropped, not yet written): the three stages' windows
    long bound = 64 + 64 + 16;
    AtomicLong read = new AtomicLong();
    AtomicLong dropped = new AtomicLong();
    AtomicLong maxInside = new AtomicLong();
    PipelineFixtures.SlowWriteStream<Long> sink = new PipelineFixtures.SlowWriteStream<>(vertx, 1, 8);
    Iterator<Long> endless = new Iterator<>() {
      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Long next() {
        maxInside.accumulateAndGet(read.get() - dropped.get() - sink.count.get(), Math::max);
        return read.getAndIncrement();
      }
    };
    Pipeline<Long> p = Pipeline.from(vertx, endless)
        .map(x -> x * 2, stage().threads(2))
        .filter(x -> {
          if (x % 3 == 0) {
            dropped.incrementAndGet();
            return false;
          }
          return true;
        }, stage().threads(2))
        .map(x -> x + 1);
    Future<Void> result = p.to(sink);
    vertx.setPeriodic(20, id -> {
      if (sink.written.size() >= 2000) {
        vertx.cancelTimer(id);
        p.cancel();
      }
    });
    result.onComplete(tc.failing(e -> tc.verify(() -> {
      assertThat(e).isInstanceOf(CancellationException.class);
      assertThat(sink.sawFull).isTrue();                     // the sink pushed back
      assertThat(maxInside.get()).isGreaterThan(8).isLessThanOrEqualTo(bound);
      assertThat(sink.ended).isTrue();
      tc.completeNow();
    })));
  }

  @Test
  void readStreamInput_isReadWithDemand_aFewAhead(Vertx vertx, VertxTestContext tc) {
    List<Integer> items = IntStream.range(0, 500).boxed().collect(Collectors.toList());
    PipelineFixtures.ListReadStream<Integer> in = new PipelineFixtures.ListReadStream<>(vertx, items, null);
    PipelineFixtures.SlowWriteStream<Integer> sink = new PipelineFixtures.SlowWriteStream<>(vertx, 1, 4);
    AtomicLong consumed = sink.count;
    AtomicLong maxAhead = new AtomicLong();
    Pipeline.from(vertx, in)
        .map(x -> {
          maxAhead.accumulateAndGet(in.emitted.get() - consumed.get(), Math::max);
          return x;
        }, stage().threads(2))
        .ordered()
        .to(sink)
        .onComplete(tc.succeeding(v -> tc.verify(() -> {
          assertThat(consumed.get()).isEqualTo(500);
          // the source buffer (16) + the stage's window (64) + the sink's queue (4)
          assertThat(maxAhead.get()).isLessThanOrEqualTo(16 + 64 + 4);
          tc.completeNow();
        })));
  }

  @Test
  void deferatorInput_fromAQueuesIterator_isStoppedWhenThePipelineFails(Vertx vertx, VertxTestContext tc) {
    TaskQueue q = ThreadQueue.create(vertx, 1);
    PipelineFixtures.Counter endless = PipelineFixtures.Counter.endless();
    q.iterate(() -> endless).onComplete(tc.succeeding(d -> {
      Pipeline.from(vertx, d)
          .map(x -> {
            if (x == 100) {
              throw new IllegalStateException("stop here");
            }
            return x;
          })
          .forEach(x -> { })
          .onComplete(tc.failing(e -> tc.verify(() -> {
            assertThat(((PipelineException) e).element()).isEqualTo(100L);
            // the iterator on the worker is released, so the queue can shut down gracefully
            q.shutdown().onComplete(tc.succeeding(v -> tc.verify(() -> {
              assertThat(endless.produced.get()).isLessThan(100 + 16 + 2 * 64);
              tc.completeNow();
            })));
          })));
    }));
  }

  @Test
  void flatMap_endlessIterators_areReadOnlyAsFarAsTheConsumerGoes(Vertx vertx, VertxTestContext tc) {
    List<PipelineFixtures.Counter> iterators = Collections.synchronizedList(new ArrayList<>());
    Deferator<Long> out = Pipeline.from(vertx, List.of(1, 2, 3))
        .flatMap(x -> {
          PipelineFixtures.Counter c = PipelineFixtures.Counter.endless();
          iterators.add(c);
          return c;
        }, stage().threads(2))
        .ordered()
        .stream();
    List<Long> got = new ArrayList<>();
    take(out, got, 100).compose(v -> out.stop()).onComplete(tc.succeeding(v -> tc.verify(() -> {
      assertThat(got).isEqualTo(IntStream.range(0, 100).mapToObj(i -> (long) i).collect(Collectors.toList()));
      long produced = iterators.stream().mapToLong(c -> c.produced.get()).sum();
      // the head's: what was taken + the stream (16) + its fetch (16) + the Deferator's prefetch (64);
      // the others are not read in an ordered stage, beyond their prefetch windows
      assertThat(produced).isLessThanOrEqualTo(100 + 16 + 16 + 3 * 64);
      tc.completeNow();
    })));
  }

  private static Future<Void> take(Deferator<Long> d, List<Long> got, int n) {
    if (got.size() == n) {
      return Future.succeededFuture();
    }
    return d.next().compose(x -> {
      got.add(x);
      return take(d, got, n);
    });
  }

  /* --------------------------------------------------------------- order by default */

  @Test
  void unorderedByDefault_aFastResultOvertakesASlowOne(Vertx vertx, VertxTestContext tc) {
    CountDownLatch oneEmitted = new CountDownLatch(1);
    Pipeline.from(vertx, List.of(0, 1, 2))
        .map(x -> {
          if (x == 0) {
            PipelineFixtures.await(oneEmitted);   // 0 finishes only once 1 has left the pipeline
          }
          return x;
        }, stage().threads(2))
        .forEach(x -> {
          if (x == 1) {
            oneEmitted.countDown();
          }
        })
        .onComplete(tc.succeedingThenComplete());
  }

  @Test
  void placements_eventLoopThreadsAndQueue_allGiveTheSameResults(Vertx vertx, VertxTestContext tc) {
    TaskQueue queue = PipelineFixtures.serializingQueue(vertx, 2);
    List<Integer> in = IntStream.range(0, 200).boxed().collect(Collectors.toList());
    List<Integer> expected = in.stream().map(x -> x * 3 + 1).collect(Collectors.toList());
    AtomicReference<String> loopThread = new AtomicReference<>();
    Pipeline.from(vertx, in)
        .map(x -> {
          loopThread.set(Thread.currentThread().getName());
          return x * 3;
        })
        .map(x -> x + 0, stage().threads(3))
        .map(PipelineFlowTest::plusOne, stage().on(queue))
        .ordered()
        .collect()
        .onComplete(tc.succeeding(out -> tc.verify(() -> {
          assertThat(out).isEqualTo(expected);
          assertThat(loopThread.get()).startsWith("vert.x-eventloop-thread");
          queue.shutdown().onComplete(tc.succeedingThenComplete());
        })));
  }

  static int plusOne(int x) {
    return x + 1;
  }
}
