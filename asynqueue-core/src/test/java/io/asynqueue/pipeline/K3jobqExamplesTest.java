package io.asynqueue.pipeline;

import static io.asynqueue.pipeline.Stage.stage;
import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.pipeline.PipelineFixtures.Concurrency;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** k3jobq's documented examples and features, on the pipeline. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
final class K3jobqExamplesTest {

  static int add1(int args) {
    return args + 1;
  }

  private static List<Integer> range(int n) {
    return IntStream.range(0, n).boxed().collect(Collectors.toList());
  }

  /* --------------------------------------------------------------- quick start */

  @Test
  void quickStart_runZeroOneTwoThroughAdd1AndPrintarg_prints123(Vertx vertx, VertxTestContext tc) {
    // k3jobq.run([0, 1, 2], [add1, printarg])  ->  1 2 3 (one thread per worker)
    List<String> printed = Collections.synchronizedList(new ArrayList<>());
    Pipeline.from(vertx, List.of(0, 1, 2))
        .map(K3jobqExamplesTest::add1, stage().threads(1))
        .map(x -> printed.add(String.valueOf(x)), stage().threads(1))   // printarg
        .collect()
        .onComplete(tc.succeeding(v -> tc.verify(() -> {
          assertThat(printed).containsExactly("1", "2", "3");
          tc.completeNow();
        })));
  }

  @Test
  void quickStart_fourThreadsForPrintarg_printsEveryElement_onFourThreads(Vertx vertx, VertxTestContext tc) {
    // k3jobq.run(range(100), [add1, (printarg, 4)])
    List<Integer> printed = Collections.synchronizedList(new ArrayList<>());
    Concurrency printing = new Concurrency();
    CountDownLatch fourAtOnce = new CountDownLatch(4);
    Set<String> threads = ConcurrentHashMap.newKeySet();
    Pipeline.from(vertx, range(100))
        .map(K3jobqExamplesTest::add1, stage().threads(1))
        .map(x -> {
          printing.enter();
          threads.add(Thread.currentThread().getName());
          fourAtOnce.countDown();
          PipelineFixtures.await(fourAtOnce); // the first four wait for each other: four threads or a hang
          printed.add(x);
          printing.exit();
          return x;
        }, stage().threads(4))
        .collect()
        .onComplete(tc.succeeding(v -> tc.verify(() -> {
          assertThat(printed).containsExactlyInAnyOrderElementsOf(
              IntStream.rangeClosed(1, 100).boxed().collect(Collectors.toList()));
          assertThat(printing.max.get()).isEqualTo(4);
          assertThat(threads).hasSize(4);
          tc.completeNow();
        })));
  }

  @Test
  void keepOrder_resultsInInputOrder_thoughTheyFinishOutOfOrder(Vertx vertx, VertxTestContext tc) {
    // k3jobq.run(range(10), [add1, printarg], keep_order=True), with add1 on 4 threads
    List<Integer> finished = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch othersDone = new CountDownLatch(3);
    Pipeline.from(vertx, range(10))
        .map(x -> {
          if (x == 0) {
            PipelineFixtures.await(othersDone); // 0 finishes only after 1, 2 and 3
          }
          finished.add(x + 1);
          if (x >= 1 && x <= 3) {
            othersDone.countDown(); // once finished, so that 0 is recorded after them
          }
          return x + 1;
        }, stage().threads(4))
        .ordered()
        .collect()
        .onComplete(tc.succeeding(printed -> tc.verify(() -> {
          assertThat(printed).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
          assertThat(finished.indexOf(1)).isGreaterThan(finished.indexOf(2));
          tc.completeNow();
        })));
  }

  /* --------------------------------------------------------------- EmptyRst, None, iterator workers */

  @Test
  void emptyRst_filterDropsAnElement_whileNullIsPassedOn(Vertx vertx, VertxTestContext tc) {
    Pipeline.from(vertx, range(6))
        .filter(x -> x % 2 == 0, stage().threads(2))             // worker_back_hole for odd numbers
        .map(x -> x == 2 ? null : x, stage().threads(1))         // "If None is returned, None is passed"
        .ordered()
        .collect()
        .onComplete(tc.succeeding(out -> tc.verify(() -> {
          assertThat(out).containsExactly(0, null, 4);
          tc.completeNow();
        })));
  }

  @Test
  void iteratorWorker_eachYieldedElementGoesToTheNextWorker(Vertx vertx, VertxTestContext tc) {
    // def worker_iter(args): for elt in args: yield elt
    Pipeline.from(vertx, List.of(List.of(1, 2), List.of(3), List.<Integer>of(), List.of(4, 5, 6)))
        .flatMap(List::iterator, stage().threads(2))
        .map(x -> x * 10, stage().threads(2))
        .ordered()
        .collect()
        .onComplete(tc.succeeding(out -> tc.verify(() -> {
          assertThat(out).containsExactly(10, 20, 30, 40, 50, 60);
          tc.completeNow();
        })));
  }

  /* --------------------------------------------------------------- dispatcher */

  @Test
  void dispatcher_sameKeyRunsInOrderOneAtATime_differentKeysInParallel(Vertx vertx, VertxTestContext tc) {
    // (worker, 3, lambda args: hash(args) % 3): partial order
    Map<Integer, Concurrency> perKey = new ConcurrentHashMap<>();
    Map<Integer, List<Integer>> seen = new ConcurrentHashMap<>();
    Concurrency all = new Concurrency();
    CountDownLatch firstOfEachKey = new CountDownLatch(3);
    Pipeline.from(vertx, range(60))
        .partitionBy(x -> x % 3)
        .map(x -> {
          int key = x % 3;
          Concurrency c = perKey.computeIfAbsent(key, k -> new Concurrency());
          c.enter();
          all.enter();
          if (x < 3) {
            firstOfEachKey.countDown();
            PipelineFixtures.await(firstOfEachKey); // keys 0, 1 and 2 run at once, or this hangs
          } else if (x % 7 == 0) {
            Thread.sleep(2); // some work, so that keys overtake each other
          }
          seen.computeIfAbsent(key, k -> Collections.synchronizedList(new ArrayList<>())).add(x);
          all.exit();
          c.exit();
          return x;
        }, stage().threads(3))
        .collect()
        .onComplete(tc.succeeding(out -> tc.verify(() -> {
          for (int key = 0; key < 3; key++) {
            int k = key;
            List<Integer> expected = range(60).stream().filter(x -> x % 3 == k).collect(Collectors.toList());
            assertThat(seen.get(key)).isEqualTo(expected);                         // executed in order
            assertThat(out.stream().filter(x -> x % 3 == k)).containsExactlyElementsOf(expected); // and emitted
            assertThat(perKey.get(key).max.get()).isEqualTo(1);
          }
          assertThat(all.max.get()).isEqualTo(3);
          tc.completeNow();
        })));
  }

  /* --------------------------------------------------------------- timeout, probe, set_thread_num */

  @Test
  void timeout_stopsReading_waitsForTheRunningElements_thenFails(Vertx vertx, VertxTestContext tc) {
    AtomicInteger started = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    PipelineFixtures.Counter input = PipelineFixtures.Counter.endless();
    Pipeline.from(vertx, input)
        .map(x -> {
          started.incrementAndGet();
          Thread.sleep(20);
          finished.incrementAndGet();
          return x;
        }, stage().threads(2))
        .timeout(Duration.ofMillis(300))
        .forEach(x -> { })
        .onComplete(tc.failing(e -> tc.verify(() -> {
          assertThat(e).isInstanceOf(PipelineTimeoutException.class);
          assertThat(finished.get()).isEqualTo(started.get());   // nobody is still working
          long read = input.produced.get();
          assertThat(read).isGreaterThan(0);
          vertx.setTimer(100, id -> tc.verify(() -> {
            assertThat(input.produced.get()).isEqualTo(read);     // and nothing more is read
            tc.completeNow();
          }));
        })));
  }

  @Test
  void statsProbe_showsInOutDoingAndSizesPerStage(Vertx vertx, VertxTestContext tc) {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch twoRunning = new CountDownLatch(2);
    Pipeline<Integer> p = Pipeline.from(vertx, range(10))
        .map(x -> x + 1, stage().name("add1"))
        .map(x -> {
          twoRunning.countDown();
          PipelineFixtures.await(release);
          return x;
        }, stage().name("slow").threads(2).maxInFlight(2).window(4));
    Future<List<Integer>> result = p.collect();
    vertx.executeBlocking(() -> {
      PipelineFixtures.await(twoRunning);
      return null;
    }).compose(v -> p.stats()).onComplete(tc.succeeding(stats -> tc.verify(() -> {
      PipelineStats.StageStats slow = stats.stages().get(1);
      assertThat(slow.name()).isEqualTo("slow");
      assertThat(slow.doing()).isEqualTo(2);
      assertThat(slow.in()).isEqualTo(2);           // it takes no more than it can run
      assertThat(slow.threads()).isEqualTo(2);
      PipelineStats.StageStats add1 = stats.stages().get(0);
      assertThat(add1.name()).isEqualTo("add1");
      assertThat(add1.in()).isEqualTo(10);          // k3jobq's input queue of "slow": add1's buffered outputs
      assertThat(add1.out()).isEqualTo(2);
      assertThat(add1.buffered()).isEqualTo(8);
      assertThat(stats.doing()).isEqualTo(2);
      assertThat(stats.written()).isZero();
      release.countDown();
      result.compose(list -> p.stats()).onComplete(tc.succeeding(end -> tc.verify(() -> {
        assertThat(end.read()).isEqualTo(10);
        assertThat(end.written()).isEqualTo(10);
        assertThat(end.stages()).allSatisfy(s -> {
          assertThat(s.in()).isEqualTo(10);
          assertThat(s.out()).isEqualTo(10);
          assertThat(s.doing()).isZero();
        });
        tc.completeNow();
      })));
    })));
  }

  @Test
  void setThreadNum_raisesAStagesThreadsWhileRunning(Vertx vertx, VertxTestContext tc) {
    Concurrency running = new Concurrency();
    CountDownLatch threeAtOnce = new CountDownLatch(3);
    CountDownLatch firstStarted = new CountDownLatch(1);
    Pipeline<Integer> p = Pipeline.from(vertx, range(30))
        .map(x -> {
          running.enter();
          firstStarted.countDown();
          if (x < 3) {
            threeAtOnce.countDown();
            PipelineFixtures.await(threeAtOnce); // needs three threads at once
          }
          running.exit();
          return x;
        }, stage().name("work").threads(1));
    Future<List<Integer>> result = p.collect();
    vertx.executeBlocking(() -> {
      PipelineFixtures.await(firstStarted);
      return null;
    }).compose(v -> p.stats()).compose(s -> {
      tc.verify(() -> assertThat(s.stages().get(0).threads()).isEqualTo(1));
      return p.setConcurrency("work", 3);
    }).compose(v -> p.stats()).onComplete(tc.succeeding(s -> tc.verify(() -> {
      assertThat(s.stages().get(0).threads()).isEqualTo(3);
      assertThat(s.stages().get(0).maxInFlight()).isEqualTo(16); // max(2n, 16)
    }))).compose(v -> result).onComplete(tc.succeeding(out -> tc.verify(() -> {
      assertThat(out).containsExactlyInAnyOrderElementsOf(range(30));
      assertThat(running.max.get()).isGreaterThanOrEqualTo(3);
      tc.completeNow();
    })));
  }

  @Test
  void setThreadNum_lowersThreads_andUnknownStageFails(Vertx vertx, VertxTestContext tc) {
    CountDownLatch release = new CountDownLatch(1);
    Pipeline<Integer> p = Pipeline.from(vertx, range(20))
        .map(x -> {
          PipelineFixtures.await(release);
          return x;
        }, stage().name("work").threads(4));
    Future<List<Integer>> result = p.collect();
    p.setConcurrency("nope", 2).onComplete(tc.failing(e -> tc.verify(() -> {
      assertThat(e).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope");
      p.setConcurrency("work", 1).compose(v -> p.stats()).onComplete(tc.succeeding(s -> tc.verify(() -> {
        assertThat(s.stages().get(0).threads()).isEqualTo(1);
        assertThat(s.stages().get(0).maxInFlight()).isEqualTo(16);
        release.countDown();
        result.onComplete(tc.succeeding(out -> tc.verify(() -> {
          assertThat(out).hasSize(20);
          tc.completeNow();
        })));
      })));
    })));
  }

  /* --------------------------------------------------------------- limit_job_speed */

  @Test
  void limitJobSpeed_letsNoMoreThanTheRateThrough(Vertx vertx, VertxTestContext tc) {
    // k3jobq.run(range(1000), [(limit_job_speed(100, 1), 1), (empty, 10)]), with 21 jobs: at least 200 ms
    long t0 = System.nanoTime();
    List<Long> at = Collections.synchronizedList(new ArrayList<>());
    Pipeline.from(vertx, range(21))
        .rateLimit(100, Duration.ofSeconds(1))
        .map(x -> at.add(System.nanoTime()), stage().threads(10))
        .collect()
        .onComplete(tc.succeeding(out -> tc.verify(() -> {
          long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
          assertThat(out).hasSize(21);
          assertThat(elapsedMs).isGreaterThanOrEqualTo(195);   // a lower bound only: never flaky under load
          List<Long> sorted = new ArrayList<>(at);
          Collections.sort(sorted);
          assertThat((sorted.get(20) - sorted.get(10)) / 1_000_000).isGreaterThanOrEqualTo(95);
          tc.completeNow();
        })));
  }

  @Test
  void limitJobSpeed_asAFunction_isReadAgainForEachJob(Vertx vertx, VertxTestContext tc) {
    AtomicInteger reads = new AtomicInteger();
    long t0 = System.nanoTime();
    Pipeline.from(vertx, range(11))
        .rateLimit(() -> reads.incrementAndGet() <= 5 ? 1e6 : 50)   // fast at first, then 50/s
        .collect()
        .onComplete(tc.succeeding(out -> tc.verify(() -> {
          assertThat(out).hasSize(11);
          assertThat(reads.get()).isGreaterThanOrEqualTo(11);
          assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(95); // about 5 slow gaps of 20 ms
          tc.completeNow();
        })));
  }
}
