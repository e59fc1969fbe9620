package io.asynqueue.pipeline;

import static io.asynqueue.pipeline.Stage.stage;
import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.DetachMode;
import io.asynqueue.TaskException;
import io.asynqueue.TaskQueue;
import io.asynqueue.TaskTimeoutException;
import io.asynqueue.ThreadQueue;
import io.asynqueue.WorkerLostException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Failures: the pipeline's Future always completes, with the element and the cause, and nothing leaks. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
final class PipelineFailureTest {

  private static List<Integer> range(int n) {
    return IntStream.range(0, n).boxed().collect(Collectors.toList());
  }

  /* --------------------------------------------------------------- failing elements */

  @Test
  void failingElement_failsThePipeline_withStageElementAndCause_andStopsReading(Vertx vertx,
      VertxTestContext tc) {
    PipelineFixtures.Counter endless = PipelineFixtures.Counter.endless();
    Set<Thread> used = ConcurrentHashMap.newKeySet();
    Pipeline.from(vertx, endless)
        .map(x -> {
          used.add(Thread.currentThread());
          if (x == 50) {
            throw new IllegalStateException("bad record " + x);
          }
          return x;
        }, stage().name("parse").threads(3))
        .forEach(x -> { })
        .onComplete(tc.failing(e -> tc.verify(() -> {
          assertThat(e).isInstanceOf(PipelineException.class);
          PipelineException pe = (PipelineException) e;
          assertThat(pe.stage()).isEqualTo("parse");
          assertThat(pe.element()).isEqualTo(50L);
          assertThat(pe.hasElement()).isTrue();
          assertThat(pe.getCause()).isInstanceOf(TaskException.class);
          assertThat(pe.getCause().getCause()).isInstanceOf(IllegalStateException.class).hasMessage("bad record 50");
          assertThat(used).isNotEmpty().noneMatch(Thread::isAlive);   // its own threads have ended
          long read = endless.produced.get();
          vertx.setTimer(50, t -> tc.verify(() -> {
            assertThat(endless.produced.get()).isEqualTo(read);     // and it reads no more
            tc.completeNow();
          }));
        })));
  }

  @Test
  void failingElementOnTheEventLoop_carriesTheExceptionItself(Vertx vertx, VertxTestContext tc) {
    Pipeline.from(vertx, List.of("1", "2", "x", "4"))
        .map(Integer::parseInt)
        .collect()
        .onComplete(tc.failing(e -> tc.verify(() -> {
          PipelineException pe = (PipelineException) e;
          assertThat(pe.stage()).isEqualTo("map-1");
          assertThat(pe.element()).isEqualTo("x");
          assertThat(pe.getCause()).isInstanceOf(NumberFormatException.class);
          assertThat(pe.getMessage()).contains("map-1").contains("x");
          tc.completeNow();
        })));
  }

  @Test
  void errorHandler_getsEachFailure_dropsTheElement_andThePipelineGoesOn(Vertx vertx, VertxTestContext tc) {
    List<PipelineException> errors = Collections.synchronizedList(new ArrayList<>());
    Pipeline.from(vertx, range(20))
        .map(x -> {
          if (x % 5 == 0) {
            throw new IllegalArgumentException("no multiples of 5");
          }
          return x;
        }, stage().threads(2))
        .flatMap(x -> {
          if (x == 7) {
            return new Iterator<Integer>() {      // an iterator that fails part-way
              int n;

              @Override
              public boolean hasNext() {
                return true;
              }

              @Override
              public Integer next() {
                if (n == 2) {
                  throw new IllegalStateException("iterator broke");
                }
                return 700 + n++;
              }
            };
          }
          return List.of(x).iterator();
        }, stage().threads(2))
        .ordered()
        .onError(errors::add)
        .collect()
        .onComplete(tc.succeeding(out -> tc.verify(() -> {
          assertThat(out).containsExactly(1, 2, 3, 4, 6, 700, 701, 8, 9, 11, 12, 13, 14, 16, 17, 18, 19);
          assertThat(errors).hasSize(5);
          assertThat(errors.stream().map(PipelineException::element).collect(Collectors.toSet()))
              .containsExactlyInAnyOrder(0, 5, 10, 15, 7);
          tc.completeNow();
        })));
  }

  @Test
  void errorHandler_insideAFrameBody_dropsThePiece_andTheFrameStillEnds(Vertx vertx, VertxTestContext tc) {
    List<PipelineException> errors = Collections.synchronizedList(new ArrayList<>());
    Pipeline.from(vertx, List.of(3, 4))
        .frame(n -> new int[1],
            (sum, n) -> sum[0] == 0 ? range(n + 1) : null,          // once: 0..n
            body -> body.map(i -> {
              if (i == 2) {
                throw new IllegalStateException("no twos");
              }
              return i;
            }, stage().threads(2)),
            (sum, i) -> {
              sum[0] += i + 100;                                     // so the head stops next time
              return null;
            },
            sum -> sum[0])
        .onError(errors::add)
        .collect()
        .onComplete(tc.succeeding(out -> tc.verify(() -> {
          assertThat(out).containsExactlyInAnyOrder(304, 408);       // 0+1+3 + 3x100, 0+1+3+4 + 4x100
          assertThat(errors).hasSize(2).allSatisfy(e -> assertThat(e.element()).isEqualTo(2));
          tc.completeNow();
        })));
  }

  @Test
  void errorHandlerThatThrows_failsThePipeline(Vertx vertx, VertxTestContext tc) {
    Pipeline.from(vertx, range(5))
        .filter(x -> {
          throw new IllegalStateException("always");
        })
        .onError(e -> {
          throw new IllegalArgumentException("handler broke");
        })
        .collect()
        .onComplete(tc.failing(e -> tc.verify(() -> {
          assertThat(e).isInstanceOf(PipelineException.class);
          assertThat(e.getSuppressed()[0]).hasMessage("handler broke");
          tc.completeNow();
        })));
  }

  @Test
  void forEachActionThatThrows_failsWithTheElement(Vertx vertx, VertxTestContext tc) {
    Pipeline.from(vertx, range(5))
        .forEach(x -> {
          if (x == 3) {
            throw new IllegalStateException("cannot print 3");
          }
        })
        .onComplete(tc.failing(e -> tc.verify(() -> {
          assertThat(((PipelineException) e).stage()).isEqualTo(PipelineException.SINK);
          assertThat(((PipelineException) e).element()).isEqualTo(3);
          tc.completeNow();
        })));
  }

  /* --------------------------------------------------------------- input and sink */

  @Test
  void inputReadStreamThatFails_failsThePipeline_afterItsElements(Vertx vertx, VertxTestContext tc) {
    List<Integer> seen = new ArrayList<>();
    PipelineFixtures.ListReadStream<Integer> in =
        new PipelineFixtures.ListReadStream<>(vertx, range(40), new IllegalStateException("connection reset"));
    Pipeline.from(vertx, in)
        .map(x -> x + 1, stage().threads(2))
        .forEach(seen::add)
        .onComplete(tc.failing(e -> tc.verify(() -> {
          assertThat(e).isInstanceOf(PipelineException.class);
          assertThat(((PipelineException) e).stage()).isEqualTo(PipelineException.SOURCE);
          assertThat(((PipelineException) e).hasElement()).isFalse();
          assertThat(e.getCause()).hasMessage("connection reset");
          tc.completeNow();
        })));
  }

  @Test
  void inputIteratorThatThrows_failsThePipeline(Vertx vertx, VertxTestContext tc) {
    Iterator<Integer> broken = new Iterator<>() {
      int n;

      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Integer next() {
        if (n == 10) {
          throw new IllegalStateException("disk error");
        }
        return n++;
      }
    };
    Pipeline.from(vertx, broken)
        .map(x -> x, stage().threads(2))
        .collect()
        .onComplete(tc.failing(e -> tc.verify(() -> {
          assertThat(((PipelineException) e).stage()).isEqualTo(PipelineException.SOURCE);
          assertThat(e.getCause()).hasMessage("disk error");
          tc.completeNow();
        })));
  }

  @Test
  void sinkWriteThatFails_failsThePipeline_andEndsTheStream(Vertx vertx, VertxTestContext tc) {
    PipelineFixtures.SlowWriteStream<Integer> ok = new PipelineFixtures.SlowWriteStream<>(vertx, 1, 100);
    io.vertx.core.streams.WriteStream<Integer> failing = new io.vertx.core.streams.WriteStream<>() {
      @Override
      public io.vertx.core.streams.WriteStream<Integer> exceptionHandler(io.vertx.core.Handler<Throwable> h) {
        return this;
      }

      @Override
      public Future<Void> write(Integer data) {
        return data == 3 ? Future.failedFuture(new IllegalStateException("disk full")) : ok.write(data);
      }

      @Override
      public Future<Void> end() {
        return ok.end();
      }

      @Override
      public io.vertx.core.streams.WriteStream<Integer> setWriteQueueMaxSize(int maxSize) {
        return this;
      }

      @Override
      public boolean writeQueueFull() {
        return ok.writeQueueFull();
      }

      @Override
      public io.vertx.core.streams.WriteStream<Integer> drainHandler(io.vertx.core.Handler<Void> h) {
        ok.drainHandler(h);
        return this;
      }
    };
    Pipeline.from(vertx, range(10))
        .to(failing)
        .onComplete(tc.failing(e -> tc.verify(() -> {
          assertThat(((PipelineException) e).stage()).isEqualTo(PipelineException.SINK);
          assertThat(((PipelineException) e).element()).isEqualTo(3);
          assertThat(ok.ended).isTrue();
          tc.completeNow();
        })));
  }

  /* --------------------------------------------------------------- lost workers, timeouts */

  @Test
  void workerLost_failsTheElementWithWorkerLostException(Vertx vertx, VertxTestContext tc) {
    TaskQueue workers = PipelineFixtures.serializingQueue(vertx, 1);
    Pipeline.from(vertx, range(10))
        .map(PipelineFailureTest::blockOnFive, stage().name("remote").on(workers))
        .collect()
        .onComplete(tc.failing(e -> tc.verify(() -> {
          PipelineException pe = (PipelineException) e;
          assertThat(pe.stage()).isEqualTo("remote");
          assertThat(pe.element()).isEqualTo(5);
          assertThat(pe.getCause()).isInstanceOf(WorkerLostException.class);
          workers.shutdownNow().onComplete(tc.succeedingThenComplete());
        })));
    // the child dies while it holds element 5
    vertx.executeBlocking(() -> {
      PipelineFixtures.await(FIVE_RUNNING);
      return null;
    }).compose(v -> workers.detachWorker(workers.workerIds().iterator().next(), DetachMode.CRASH));
  }

  private static final CountDownLatch FIVE_RUNNING = new CountDownLatch(1);

  static int blockOnFive(int x) throws InterruptedException {
    if (x == 5) {
      FIVE_RUNNING.countDown();
      Thread.sleep(60_000); // hangs until its worker is crashed
    }
    return x;
  }

  @Test
  void workerLost_withRetries_runsTheElementOnAnotherWorker(Vertx vertx, VertxTestContext tc) {
    TaskQueue workers = TaskQueue.create(vertx);
    List<PipelineFixtures.SerializingWorker> made = List.of(new PipelineFixtures.SerializingWorker(),
        new PipelineFixtures.SerializingWorker());
    List<Future<Integer>> ids = made.stream().map(workers::attachWorker).collect(Collectors.toList());
    Future<List<Integer>> result = Pipeline.from(vertx, range(6))
        .map(PipelineFailureTest::hangOnFirstThree, stage().on(workers).retries(1))
        .ordered()
        .collect();
    vertx.executeBlocking(() -> {
      PipelineFixtures.await(FIRST_THREE);
      return null;
    }).compose(v -> {
      // the child holding element 3 dies; the call is run again on the other one
      for (int i = 0; i < made.size(); i++) {
        if (made.get(i).threadName().equals(THREE_THREAD.get())) {
          return workers.detachWorker(ids.get(i).result(), DetachMode.CRASH);
        }
      }
      return Future.failedFuture(new IllegalStateException("no worker ran element 3"));
    }).onComplete(tc.succeeding(held -> tc.verify(() -> assertThat(held).isEqualTo(1))));
    result.onComplete(tc.succeeding(out -> tc.verify(() -> {
      assertThat(out).containsExactly(0, 1, 2, 3, 4, 5);
      assertThat(THREE_ATTEMPTS.get()).isEqualTo(2);
      workers.shutdownNow().onComplete(tc.succeedingThenComplete());
    })));
  }

  private static final CountDownLatch FIRST_THREE = new CountDownLatch(1);
  private static final AtomicInteger THREE_ATTEMPTS = new AtomicInteger();
  private static final java.util.concurrent.atomic.AtomicReference<String> THREE_THREAD =
      new java.util.concurrent.atomic.AtomicReference<>();

  static int hangOnFirstThree(int x) throws InterruptedException {
    if (x == 3 && THREE_ATTEMPTS.incrementAndGet() == 1) {
      THREE_THREAD.set(Thread.currentThread().getName());
      FIRST_THREE.countDown();
      Thread.sleep(60_000); // hangs until its worker is crashed
    }
    return x;
  }

  @Test
  void stageTimeout_failsTheElementWithTaskTimeoutException(Vertx vertx, VertxTestContext tc) {
    Pipeline.from(vertx, range(4))
        .map(x -> {
          if (x == 2) {
            Thread.sleep(10_000);   // interrupted by the timeout
          }
          return x;
        }, stage().threads(2).timeout(Duration.ofMillis(100)))
        .collect()
        .onComplete(tc.failing(e -> tc.verify(() -> {
          assertThat(((PipelineException) e).element()).isEqualTo(2);
          assertThat(e.getCause()).isInstanceOf(TaskTimeoutException.class);
          tc.completeNow();
        })));
  }

  /* --------------------------------------------------------------- cancel, one run only */

  @Test
  void cancel_failsTheFutureWithCancellation_andStopsThePrivateThreads(Vertx vertx, VertxTestContext tc) {
    Set<Thread> used = ConcurrentHashMap.newKeySet();
    CountDownLatch running = new CountDownLatch(1);
    Pipeline<Long> p = Pipeline.from(vertx, PipelineFixtures.Counter.endless())
        .map(x -> {
          used.add(Thread.currentThread());
          running.countDown();
          return x;
        }, stage().threads(2));
    Future<Void> result = p.forEach(x -> { });
    vertx.executeBlocking(() -> {
      PipelineFixtures.await(running);
      return null;
    }).compose(v -> p.cancel()).onComplete(tc.succeeding(v -> tc.verify(() -> {
      assertThat(result.failed()).isTrue();
      assertThat(result.cause()).isInstanceOf(CancellationException.class);
      assertThat(used).isNotEmpty().noneMatch(Thread::isAlive);
      tc.completeNow();
    })));
  }

  /** A stopped pipeline's calls still queued on its stage's queue leave the queue, and never run. */
  @Test
  void cancel_takesTheStagesQueuedCallsOffTheQueue(Vertx vertx, VertxTestContext tc) throws Exception {
    TaskQueue q = ThreadQueue.create(vertx, 1);
    CountDownLatch gate = new CountDownLatch(1);
    CountDownLatch running = new CountDownLatch(1);
    Set<Long> ran = ConcurrentHashMap.newKeySet();
    Pipeline<Long> p = Pipeline.from(vertx, PipelineFixtures.Counter.endless())
        .map(x -> {
          ran.add(x);
          if (x == 0) {
            running.countDown();
            gate.await();
          }
          return x;
        }, stage().on(q).maxInFlight(8));
    Future<Void> result = p.forEach(x -> { });
    PipelineFixtures.await(running);
    Promise<Void> queued = Promise.promise(); // the stage has calls waiting behind the running one
    vertx.setPeriodic(1, id -> {
      if (q.load().queued() > 0) {
        vertx.cancelTimer(id);
        queued.complete();
      }
    });
    queued.future().compose(v -> p.cancel()).onComplete(tc.succeeding(v -> tc.verify(() -> {
      assertThat(result.cause()).isInstanceOf(CancellationException.class);
      assertThat(q.load().queued()).as("calls left in the queue").isZero();
      gate.countDown();
      q.call(() -> -1L).onComplete(tc.succeeding(x -> tc.verify(() -> { // after anything still queued
        assertThat(ran).containsExactly(0L);
        tc.completeNow();
      })));
    })));
  }

  @Test
  void aPipelineRunsOnce_andIsOneChain(Vertx vertx, VertxTestContext tc) {
    Pipeline<Integer> start = Pipeline.from(vertx, range(3));
    Pipeline<Integer> doubled = start.map(x -> x * 2);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> start.map(x -> x * 3))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("single chain");
    Pipeline<Integer> keyed = doubled.partitionBy(x -> x);
    org.assertj.core.api.Assertions.assertThatThrownBy(keyed::collect)
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("partitionBy");
    Pipeline<Integer> p = keyed.map(x -> x + 1);
    p.stats().onComplete(tc.failing(notStarted -> tc.verify(() -> {
      assertThat(notStarted).isInstanceOf(IllegalStateException.class);
      p.collect().onComplete(tc.succeeding(out -> tc.verify(() -> {
        assertThat(out).containsExactlyInAnyOrder(1, 3, 5);
        org.assertj.core.api.Assertions.assertThatThrownBy(p::collect).isInstanceOf(IllegalStateException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> p.map(x -> x))
            .isInstanceOf(IllegalStateException.class);
        tc.completeNow();
      })));
    })));
  }
}
