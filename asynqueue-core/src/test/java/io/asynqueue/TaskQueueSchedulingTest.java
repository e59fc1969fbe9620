package io.asynqueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asynqueue.stream.Deferator;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Behaviours 2-13 of the original, with its head-of-line blocking and lookahead fixed. */
@ExtendWith(VertxExtension.class)
final class TaskQueueSchedulingTest {

  static int timesTwo(int x) {
    return x * 2;
  }

  /* --------------------------------------------------------------- results */

  @Test
  void call_completesWithResultOnCallersContext(Vertx vertx, VertxTestContext test) {
    TaskQueue q = ThreadQueue.create(vertx, 1);
    Context ctx = vertx.getOrCreateContext();
    ctx.runOnContext(v -> q.call((Integer x) -> 2 * x, 15).onComplete(test.succeeding(r -> test.verify(() -> {
      assertThat(r).isEqualTo(30);
      assertThat(Vertx.currentContext()).isSameAs(ctx);
      test.completeNow();
    }))));
  }

  @Test
  void typedForms_passTheirArguments(Vertx vertx, VertxTestContext test) {
    TaskQueue q = ThreadQueue.create(vertx, 2);
    Future.all(q.call(() -> "none"), q.call(TaskQueueSchedulingTest::timesTwo, 21),
            q.call((String a, String b) -> a + b, "x", "y"), q.call((Integer a, Integer b, Integer c) -> a + b + c, 1, 2, 3))
        .onComplete(test.succeeding(all -> test.verify(() -> {
          assertThat(all.list()).containsExactly("none", 42, "xy", 6);
          test.completeNow();
        })));
  }

  static String nap(long ms) throws InterruptedException {
    Thread.sleep(ms);
    return "woke";
  }

  @Test
  void typedForms_takeTheirOptionsRightAfterTheTask(Vertx vertx, VertxTestContext test) {
    TaskQueue q = ThreadQueue.create(vertx, 8);
    CallOptions quick = new CallOptions().setTimeout(Duration.ofMillis(100));
    long ms = 60_000;
    List<Future<?>> timedOut = List.of(
        q.call(() -> nap(ms), quick),
        q.call(TaskQueueSchedulingTest::nap, quick, ms),
        q.call((Long a, String b) -> nap(a) + b, quick, ms, "b"),
        q.call((Long a, String b, String c) -> nap(a) + b + c, quick, ms, "b", "c"),
        q.callAsync(() -> Promise.<String>promise().future(), quick),
        q.callAsync((String a) -> Promise.<String>promise().future(), quick, "a"),
        q.callAsync((String a, String b) -> Promise.<String>promise().future(), quick, "a", "b"));
    Future.join(timedOut).onComplete(all -> test.verify(() -> {
      for (Future<?> f : timedOut) {
        assertThat(f.cause()).isInstanceOf(TaskTimeoutException.class);
      }
      test.completeNow();
    }));
  }

  @Test
  void callAsyncIterateAndUpdate_passTheirArguments(Vertx vertx, VertxTestContext test) {
    TaskQueue q = ThreadQueue.create(vertx, 2);
    Future<Integer> async = q.callAsync((Integer a, Integer b) -> Future.succeededFuture(a * b), 6, 7);
    Future<List<Integer>> iterated = q.iterate((Integer n) -> IntStream.range(0, n).iterator(), 3)
        .compose(Deferator::toList);
    Future<List<Integer>> updated = q.update((Integer x) -> x * 2, true, 21);
    Future.all(async, iterated, updated).onComplete(test.succeeding(all -> test.verify(() -> {
      assertThat(async.result()).isEqualTo(42);
      assertThat(iterated.result()).containsExactly(0, 1, 2);
      assertThat(updated.result()).containsExactly(42, 42);
      test.completeNow();
    })));
  }

  @Test
  void manyCalls_eachResultDeliveredOnce_spreadOverWorkers(Vertx vertx, VertxTestContext test) {
    TaskQueue q = ThreadQueue.create(vertx, 3);
    List<Future<String>> calls = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      int n = i;
      calls.add(q.call(() -> {
        Thread.sleep(n % 3);
        return n + "@" + Thread.currentThread().getName();
      }));
    }
    Future.all(calls).onComplete(test.succeeding(all -> test.verify(() -> {
      List<String> results = all.list();
      Set<String> threads = ConcurrentHashMap.newKeySet();
      for (int i = 0; i < 100; i++) {
        assertThat(results.get(i)).startsWith(i + "@");
        threads.add(results.get(i).substring(results.get(i).indexOf('@') + 1));
      }
      assertThat(threads).hasSizeGreaterThan(1);
      test.completeNow();
    })));
  }

  @Test
  void burstsOfQuickCalls_allSucceed_eachResultOnce(Vertx vertx, VertxTestContext test) {
    // A call may be taken, run and settled by a worker before call() returns: it must still succeed (a call
    // once came back "queue is shut down" when its job was done before the caller looked at it).
    TaskQueue q = ThreadQueue.create(vertx, 4);
    Context ctx = vertx.getOrCreateContext();
    int bursts = 100;
    int size = 500;
    long[] sum = new long[1];
    ctx.runOnContext(v -> new Object() {
      int left = bursts;

      void burst() {
        List<Future<Integer>> calls = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
          calls.add(q.call((Integer x) -> x, i));
        }
        Future.all(calls).onComplete(test.succeeding(all -> {
          for (int i = 0; i < size; i++) {
            sum[0] += (Integer) all.resultAt(i);
          }
          if (--left > 0) {
            burst();
          } else {
            test.verify(() -> {
              assertThat(sum[0]).isEqualTo((long) bursts * size * (size - 1) / 2);
              assertThat(q.load().running()).isZero();
              test.completeNow();
            });
          }
        }));
      }
    }.burst());
  }

  @Test
  void asyncWorkerOnCallersContext_callsChainedFromResults(Vertx vertx, VertxTestContext test) {
    TaskQueue q = TaskQueue.create(vertx);
    Context ctx = vertx.getOrCreateContext();
    int[] calls = {0};
    Runnable[] next = new Runnable[1];
    next[0] = () -> q.call(() -> Vertx.currentContext()).onComplete(test.succeeding(c -> test.verify(() -> {
      assertThat(c).isSameAs(ctx);
      assertThat(Vertx.currentContext()).isSameAs(ctx);
      if (++calls[0] < 10_000) {
        next[0].run();
      } else {
        test.completeNow();
      }
    })));
    ctx.runOnContext(v -> q.attachWorker(Workers.eventLoop(ctx, 1))
        .onComplete(test.succeeding(id -> next[0].run())));
  }

  @Test
  void generalForm_optionsWrittenLast_isRejectedAtOnce(Vertx vertx) {
    TaskQueue q = TaskQueue.create(vertx);
    Task<Object> general = args -> args.length;
    assertThatThrownBy(() -> q.call(general, 1, 2, new CallOptions()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("options go right after the task");
    assertThat(q.load().queued()).isZero();
  }

  /* --------------------------------------------------------------- priority */

  @Test
  void niceness_outsideRange_isRejectedAtOnce() {
    assertThatThrownBy(() -> new CallOptions().setNiceness(21)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("niceness");
    assertThatThrownBy(() -> new CallOptions().setNiceness(-21)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void runOrder_followsPriority_withNoLookahead(Vertx vertx, VertxTestContext test) throws Exception {
    TaskQueue q = ThreadQueue.create(vertx, 1);
    CountDownLatch gate = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    List<String> order = Collections.synchronizedList(new ArrayList<>());
    Future<Object> blocker = q.call(() -> {
      started.countDown();
      gate.await();
      return null;
    });
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    Map<String, CallOptions> calls = new java.util.LinkedHashMap<>();
    calls.put("n0a", new CallOptions());
    calls.put("n0b", new CallOptions());
    calls.put("n+20", new CallOptions().setNiceness(20));
    calls.put("n-20", new CallOptions().setNiceness(-20));
    calls.put("last", new CallOptions().setDoLast(true));
    calls.put("next", new CallOptions().setDoNext(true));
    calls.put("n0c", new CallOptions());
    List<Future<Boolean>> futures = new ArrayList<>();
    calls.forEach((name, options) -> futures.add(q.call(() -> order.add(name), options)));
    gate.countDown();
    Future.all(futures).compose(v -> blocker).onComplete(test.succeeding(v -> test.verify(() -> {
      assertThat(order).containsExactly("next", "n-20", "n0a", "n0b", "n0c", "n+20", "last");
      test.completeNow();
    })));
  }

  @Test
  void fasterWorker_takesMoreTasks(Vertx vertx, VertxTestContext test) {
    TaskQueue q = TaskQueue.create(vertx);
    q.attachWorker(Workers.thread());
    q.attachWorker(Workers.thread());
    Map<String, Integer> counts = new ConcurrentHashMap<>();
    List<Future<Object>> calls = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      calls.add(q.call(() -> {
        String thread = Thread.currentThread().getName();
        counts.merge(thread, 1, Integer::sum);
        Thread.sleep(thread.startsWith("asynqueue-thread-1-") ? 4 : 12);
        return null;
      }));
    }
    Future.all(calls).onComplete(test.succeeding(v -> test.verify(() -> {
      int fast = counts.entrySet().stream().filter(e -> e.getKey().startsWith("asynqueue-thread-1-"))
          .mapToInt(Map.Entry::getValue).sum();
      assertThat(fast).as("calls on the fast worker, of 60").isGreaterThan(30);
      test.completeNow();
    })));
  }

  /* --------------------------------------------------------------- waiting and series */

  @Test
  void callWithNoWorker_waitsUntilOneIsAttached(Vertx vertx, VertxTestContext test) {
    TaskQueue q = TaskQueue.create(vertx);
    Future<Integer> call = q.call(TaskQueueSchedulingTest::timesTwo, 21);
    assertThat(call.isComplete()).isFalse();
    assertThat(q.load().queued()).isEqualTo(1);
    q.attachWorker(Workers.thread());
    call.onComplete(test.succeeding(r -> test.verify(() -> {
      assertThat(r).isEqualTo(42);
      test.completeNow();
    })));
  }

  @Test
  void taskNoWorkerServes_doesNotBlockTheOthers(Vertx vertx, VertxTestContext test) {
    TaskQueue q = TaskQueue.create(vertx);
    q.attachWorker(Workers.thread(1, Set.of("io")));
    Future<String> stuck = q.call(() -> "nobody's", new CallOptions().setSeries("nobody"));
    Future<String> io = q.call(() -> "io", new CallOptions().setSeries("io"));
    Future<String> plain = q.call(() -> "default");
    Future.all(io, plain).onComplete(test.succeeding(v -> test.verify(() -> {
      assertThat(stuck.isComplete()).isFalse();
      assertThat(q.load().queued()).isEqualTo(1);
      q.attachWorker(Workers.thread(1, Set.of("nobody")));
      stuck.onComplete(test.succeeding(r -> test.verify(() -> {
        assertThat(r).isEqualTo("nobody's");
        test.completeNow();
      })));
    })));
  }

  @Test
  void seriesWorker_takesOnlyItsSeriesAndTheDefault(Vertx vertx, VertxTestContext test) {
    TaskQueue q = TaskQueue.create(vertx);
    q.attachWorker(Workers.thread(1, Set.of("a")));
    Task0<String> where = () -> Thread.currentThread().getName();
    Future<String> b = q.call(where, new CallOptions().setSeries("b"));
    q.call(where, new CallOptions().setSeries("a")).compose(a -> q.call(where).map(d -> List.of(a, d)))
        .onComplete(test.succeeding(ran -> test.verify(() -> {
          assertThat(ran).allMatch(name -> name.startsWith("asynqueue-thread-1-"));
          assertThat(b.isComplete()).isFalse();
          q.shutdown().onComplete(test.succeeding(v -> test.verify(() -> {
            assertThat(b.cause()).isInstanceOf(QueueShutdownException.class);
            test.completeNow();
          })));
        })));
  }

  /**
   * Series share the workers by worker time: a series of 1 ms calls that turns up beside 20 series of 200 ms
   * calls on 2 workers runs as soon as a worker frees up, its calls one after another, rather than one call in
   * turn with each long series (as sharing by call count would: about 20 long calls before each short one).
   * Judged by counting the long calls started while short calls waited, not by wall time.
   */
  @Test
  void seriesShareWorkersByTime_shortCallsWaitForAboutOneLongCall(Vertx vertx, VertxTestContext test)
      throws Exception {
    TaskQueue q = ThreadQueue.create(vertx, 2);
    int longSeries = 20;
    int shortCalls = 20;
    CountDownLatch firstRound = new CountDownLatch(longSeries); // every long series has run a call
    List<String> events = Collections.synchronizedList(new ArrayList<>());
    List<Future<Object>> longs = new ArrayList<>();
    for (int round = 0; round < 2; round++) {
      for (int s = 0; s < longSeries; s++) {
        longs.add(q.call(() -> {
          events.add("long");
          Thread.sleep(200);
          firstRound.countDown();
          return null;
        }, new CallOptions().setSeries("long" + s)));
      }
    }
    assertThat(firstRound.await(60, TimeUnit.SECONDS)).isTrue();
    List<Future<Object>> shorts = new ArrayList<>();
    events.add("came");
    for (int i = 0; i < shortCalls; i++) {
      shorts.add(q.call(() -> {
        Thread.sleep(1);
        events.add("short");
        return null;
      }, new CallOptions().setSeries("short")));
    }
    Future.all(shorts).onComplete(test.succeeding(v -> test.verify(() -> {
      List<String> seen = new ArrayList<>(events);
      List<String> whileShortsWaited = seen.subList(seen.indexOf("came"), seen.lastIndexOf("short") + 1);
      assertThat(whileShortsWaited.stream().filter("long"::equals).count())
          .as("long calls started while short ones waited: %s", whileShortsWaited).isLessThanOrEqualTo(3);
      Future.all(longs).onComplete(test.succeedingThenComplete());
    })));
  }

  /* --------------------------------------------------------------- updates */

  @Test
  void update_runsOnEveryWorker(Vertx vertx, VertxTestContext test) {
    TaskQueue q = ThreadQueue.create(vertx, 3);
    q.update((Double x) -> 2 * x, 1.5).onComplete(test.succeeding(results -> test.verify(() -> {
      assertThat(results).containsExactly(3.0, 3.0, 3.0);
      test.completeNow();
    })));
  }

  @Test
  void update_isReplayedOnLaterHires_unlessEphemeral(Vertx vertx, VertxTestContext test) {
    TaskQueue q = ThreadQueue.create(vertx, 2);
    Map<String, List<String>> seen = new ConcurrentHashMap<>();
    Task1<String, Boolean> record = tag -> seen.computeIfAbsent(Thread.currentThread().getName(),
        k -> Collections.synchronizedList(new ArrayList<>())).add(tag);
    q.update(record, "kept")
        .compose(v -> q.update(record, true, "ephemeral"))
        .compose(v -> q.attachWorker(Workers.thread()))
        .onComplete(test.succeeding(id -> test.verify(() -> {
          assertThat(id).isEqualTo(3);
          assertThat(seen.get("asynqueue-thread-1-1")).containsExactly("kept", "ephemeral");
          assertThat(seen.get("asynqueue-thread-3-1")).containsExactly("kept");
          test.completeNow();
        })));
  }

  @Test
  void workerIds_countUpAndAreNotReused(Vertx vertx, VertxTestContext test) {
    TaskQueue q = TaskQueue.create(vertx);
    q.attachWorker(Workers.thread())
        .compose(a -> q.detachWorker(a, DetachMode.GRACEFUL).map(a))
        .compose(a -> q.attachWorker(Workers.thread()).map(b -> List.of(a, b)))
        .onComplete(test.succeeding(ids -> test.verify(() -> {
          assertThat(ids).containsExactly(1, 2);
          assertThat(q.workerIds()).containsExactly(2);
          test.completeNow();
        })));
  }

  /* --------------------------------------------------------------- load */

  @Test
  void load_countsQueuedAndRunningPerWorker(Vertx vertx, VertxTestContext test) throws Exception {
    TaskQueue q = ThreadQueue.create(vertx, 1);
    CountDownLatch gate = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    Future<Object> busy = q.call(() -> {
      started.countDown();
      gate.await();
      return null;
    });
    Future<Object> waiting = q.call(() -> null);
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    QueueLoad load = q.load();
    assertThat(load.queued()).isEqualTo(1);
    assertThat(load.running()).isEqualTo(1);
    assertThat(load.workers()).containsEntry(1, new QueueLoad.WorkerLoad(1, 0));
    List<QueueLoad> seen = Collections.synchronizedList(new ArrayList<>());
    vertx.runOnContext(x -> {
      q.loadHandler(seen::add);
      gate.countDown();
    });
    Future.all(busy, waiting).onComplete(test.succeeding(v -> vertx.setTimer(50, t -> test.verify(() -> {
      QueueLoad last = seen.get(seen.size() - 1);
      assertThat(last.queued()).isZero();
      assertThat(last.running()).isZero();
      assertThat(last.workers().get(1).done()).isEqualTo(2);
      test.completeNow();
    }))));
  }

  /* --------------------------------------------------------------- worker SPI checks */

  @Test
  void attach_rejectsWorkerWithNoCapacity(Vertx vertx, VertxTestContext test) {
    TaskQueue q = TaskQueue.create(vertx);
    q.attachWorker(new io.asynqueue.spi.Worker() {
      @Override
      public int capacity() {
        return 0;
      }

      @Override
      public Future<Void> start(io.asynqueue.spi.WorkerSupervisor supervisor) {
        return Future.succeededFuture();
      }

      @Override
      public void run(io.asynqueue.spi.Job job) {
      }

      @Override
      public void cancel(io.asynqueue.spi.Job job) {
      }

      @Override
      public Future<Void> stop() {
        return Future.succeededFuture();
      }

      @Override
      public List<io.asynqueue.spi.Job> crash() {
        return List.of();
      }
    }).onComplete(test.failing(e -> test.verify(() -> {
      assertThat(e).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacity");
      assertThat(q.size()).isZero();
      test.completeNow();
    })));
  }

  static Map<String, Integer> tally(List<String> items) {
    Map<String, Integer> m = new HashMap<>();
    items.forEach(i -> m.merge(i, 1, Integer::sum));
    return m;
  }
}
