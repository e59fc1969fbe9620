package io.asynqueue;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.spi.Job;
import io.asynqueue.spi.Worker;
import io.asynqueue.spi.WorkerSupervisor;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * When a call's Future completes and where its callbacks run, when a worker thread settles it: complete at
 * once, callbacks on the caller's context, once each, in the order of settlement; a lone call waits for no other.
 */
@ExtendWith(VertxExtension.class)
final class CallCompletionTest {

  private static final long WAIT_S = 30;

  @Test
  void loneCall_completesWithoutWaitingForOtherCalls(Vertx vertx, VertxTestContext test) {
    TaskQueue q = ThreadQueue.create(vertx, 2);
    CountDownLatch hold = new CountDownLatch(1);
    Context ctx = vertx.getOrCreateContext();
    ctx.runOnContext(v -> {
      Future<String> stuck = q.call(() -> hold.await(WAIT_S, TimeUnit.SECONDS) ? "released" : "timed out");
      q.call(() -> "quick").onComplete(test.succeeding(r -> test.verify(() -> {
        assertThat(r).isEqualTo("quick");
        assertThat(Vertx.currentContext()).isSameAs(ctx);
        assertThat(stuck.isComplete()).as("the other call, still running").isFalse();
        hold.countDown();
        test.completeNow();
      })));
    });
  }

  @Test
  void burst_completesAtSettle_callbacksOncePerCallOnTheCallersContext_inSettlingOrder(Vertx vertx)
      throws Exception {
    HeldWorker worker = new HeldWorker(3);
    TaskQueue q = TaskQueue.create(vertx);
    q.attachWorker(worker).toCompletionStage().toCompletableFuture().get(WAIT_S, TimeUnit.SECONDS);
    Context ctx = vertx.getOrCreateContext();
    List<String> events = Collections.synchronizedList(new ArrayList<>());
    List<Future<Integer>> calls = Collections.synchronizedList(new ArrayList<>());
    ctx.runOnContext(v -> {
      for (int i = 0; i < 3; i++) {
        Future<Integer> f = q.call((Integer x) -> x, i);
        f.onComplete(ar -> events.add(ar.result() + (Vertx.currentContext() == ctx ? " on ctx" : " elsewhere")));
        calls.add(f);
      }
    });
    assertThat(worker.handedAll.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
    // Keep the context busy while the jobs settle, as a context is while a burst's results come in.
    CountDownLatch busy = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ctx.runOnContext(v -> {
      busy.countDown();
      awaitQuietly(release);
    });
    assertThat(busy.await(WAIT_S, TimeUnit.SECONDS)).isTrue();

    worker.settle(2);
    assertThat(calls.get(2).isComplete()).as("complete when the worker settles it").isTrue();
    assertThat(calls.get(2).result()).isEqualTo(2);
    worker.settle(0);
    worker.settle(1);
    assertThat(calls.get(0).isComplete()).isTrue();
    assertThat(calls.get(1).isComplete()).isTrue();
    assertThat(events).as("no callback runs while the context is busy").isEmpty();
    release.countDown();

    CompletableFuture<List<String>> seen = new CompletableFuture<>();
    ctx.runOnContext(v -> ctx.runOnContext(w -> seen.complete(new ArrayList<>(events))));
    assertThat(seen.get(WAIT_S, TimeUnit.SECONDS)).containsExactly("2 on ctx", "0 on ctx", "1 on ctx");
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(WAIT_S, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Holds the jobs it is handed until the test settles them, from the test's thread. */
  private static final class HeldWorker implements Worker {
    private final int capacity;
    private final List<Job> jobs = Collections.synchronizedList(new ArrayList<>());
    final CountDownLatch handedAll;

    HeldWorker(int capacity) {
      this.capacity = capacity;
      this.handedAll = new CountDownLatch(capacity);
    }

    void settle(int arg) {
      synchronized (jobs) {
        for (Job job : jobs) {
          if ((Integer) job.args()[0] == arg) {
            assertThat(job.complete(arg)).isTrue();
            return;
          }
        }
      }
      throw new AssertionError("the worker holds no job for " + arg);
    }

    @Override
    public int capacity() {
      return capacity;
    }

    @Override
    public Future<Void> start(WorkerSupervisor supervisor) {
      return Future.succeededFuture();
    }

    @Override
    public void run(Job job) {
      jobs.add(job);
      handedAll.countDown();
    }

    @Override
    public void cancel(Job job) {
    }

    @Override
    public Future<Void> stop() {
      return Future.succeededFuture();
    }

    @Override
    public List<Job> crash() {
      return List.of();
    }
  }
}
