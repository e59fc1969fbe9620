package io.asynqueue;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Cancellation in the engine: what the worker contract ({@code WorkerContractTest}) does not cover because it
 * is the same for every worker kind (one token over two queues, a retry after a cancel, a drain, many calls).
 */
@ExtendWith(VertxExtension.class)
final class TaskQueueCancelTest {

  /** A queue of one thread worker, busy until the returned latch is counted down. */
  private static CountDownLatch busy(TaskQueue q) throws InterruptedException {
    CountDownLatch gate = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    q.call(() -> {
      started.countDown();
      gate.await();
      return null;
    });
    assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
    return gate;
  }

  @Test
  void oneToken_cancelsItsCallsOnEveryQueue(Vertx vertx, VertxTestContext test) throws Exception {
    TaskQueue a = ThreadQueue.create(vertx, 1);
    TaskQueue b = ThreadQueue.create(vertx, 1);
    CountDownLatch gateA = busy(a);
    CountDownLatch gateB = busy(b);
    CancelToken token = new CancelToken();
    CallOptions options = new CallOptions().setCancelToken(token);
    AtomicInteger ran = new AtomicInteger();
    List<Future<Integer>> calls = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      calls.add(a.call(ran::incrementAndGet, options));
      calls.add(b.call(ran::incrementAndGet, options));
    }
    Future<Integer> other = a.call(() -> 7);
    assertThat(token.cancel()).isEqualTo(6);
    assertThat(token.isCancelled()).isTrue();
    gateA.countDown();
    gateB.countDown();
    Future.join(new ArrayList<>(calls)).otherwiseEmpty().compose(v -> other)
        .onComplete(test.succeeding(seven -> test.verify(() -> {
          assertThat(seven).isEqualTo(7);
          for (Future<Integer> call : calls) {
            assertThat(call.cause()).isInstanceOf(TaskCancelledException.class);
          }
          assertThat(ran).hasValue(0);
          assertThat(a.load().queued() + b.load().queued()).isZero();
          test.completeNow();
        })));
  }

  @Test
  void aCallWhoseTokenIsCancelled_isNotRetried(Vertx vertx, VertxTestContext test) throws Exception {
    TaskQueue q = ThreadQueue.create(vertx, 1);
    CancelToken token = new CancelToken();
    CountDownLatch started = new CountDownLatch(1);
    AtomicInteger attempts = new AtomicInteger();
    Future<Object> call = q.call(() -> {
      attempts.incrementAndGet();
      started.countDown();
      Thread.sleep(60_000);
      return null;
    }, new CallOptions().setCancelToken(token).setTimeout(Duration.ofMillis(200)).setRetries(3));
    assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(token.cancel()).as("a running call is left to finish").isZero();
    call.onComplete(test.failing(e -> test.verify(() -> {
      assertThat(e).isInstanceOf(TaskCancelledException.class).hasMessageContaining("retried");
      assertThat(attempts).hasValue(1);
      test.completeNow();
    })));
  }

  @Test
  void shutdown_completesOnceTheQueuedCallsAreCancelled(Vertx vertx, VertxTestContext test) throws Exception {
    TaskQueue q = ThreadQueue.create(vertx, 1);
    CountDownLatch gate = busy(q);
    List<Future<Object>> queued = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      queued.add(q.call(() -> null, new CallOptions().setSeries("doomed")));
    }
    Future<Void> down = q.shutdown();
    assertThat(q.cancel("doomed").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS)).isEqualTo(3);
    assertThat(down.isComplete()).as("shut down while a call runs").isFalse();
    gate.countDown();
    down.onComplete(test.succeeding(v -> test.verify(() -> {
      for (Future<Object> call : queued) {
        assertThat(call.cause()).isInstanceOf(TaskCancelledException.class);
      }
      test.completeNow();
    })));
  }

  @Test
  void manyQueuedCalls_overManySeries_cancelledByOneToken(Vertx vertx, VertxTestContext test) throws Exception {
    TaskQueue q = ThreadQueue.create(vertx, 1);
    CountDownLatch gate = busy(q);
    CancelToken token = new CancelToken();
    int n = 100_000;
    List<Future<Integer>> calls = new ArrayList<>(n);
    CallOptions[] options = new CallOptions[100];
    for (int s = 0; s < options.length; s++) {
      options[s] = new CallOptions().setSeries("s" + s).setCancelToken(token).setNiceness(s % 3 * 10 - 10);
    }
    Context ctx = vertx.getOrCreateContext();
    ctx.runOnContext(v -> {
      for (int i = 0; i < n; i++) {
        // a mix of in-order calls, doNext calls and calls of another niceness, in 100 series
        calls.add(q.call(() -> 1, options[i % 100].setDoNext(i % 7 == 0)));
      }
      Future<Integer> kept = q.call(() -> 2);
      test.verify(() -> {
        assertThat(q.load().queued()).isEqualTo(n + 1);
        assertThat(token.cancel()).isEqualTo(n);
        assertThat(q.load().queued()).isEqualTo(1);
      });
      gate.countDown();
      kept.onComplete(test.succeeding(two -> test.verify(() -> {
        for (Future<Integer> call : calls) {
          assertThat(call.cause()).isInstanceOf(TaskCancelledException.class);
        }
        test.completeNow();
      })));
    });
  }
}
