package io.asynqueue;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.contract.Leftovers;
import io.vertx.core.Closeable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.CloseFuture;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 14: a queue closes with what made it, the Vert.x convention, and its threads say which queue they serve.
 * Undeploying a verticle is in the worker contract ({@link io.asynqueue.contract.WorkerContractTest}), for every
 * kind; here, closing Vert.x itself, a task that will not end, the hooks left behind, and the names.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class QueueLifecycleTest {

  private static final AtomicInteger NAMES = new AtomicInteger();

  private static String uniqueName(String what) {
    return what + "-" + NAMES.incrementAndGet();
  }

  /* --------------------------------------------------------------- closing Vert.x */

  @Test
  void vertxClose_shutsDownTheQueue_andEndsItsThreads() throws Exception {
    Vertx own = Vertx.vertx();
    String name = uniqueName("closed-with-vertx");
    TaskQueue q = ThreadQueue.create(own, 3, new TaskQueueOptions().setName(name));
    assertThat(await(q.call((Integer x) -> x * 2, 21))).isEqualTo(42);
    assertThat(Leftovers.threads("asynqueue-" + name + "-thread-")).hasSize(3);
    await(own.close());
    assertThat(q.isRunning()).isFalse();
    Leftovers.assertThreadsEnd("asynqueue-" + name + "-");
    assertThat(await(q.shutdown())).as("shut down again by its user, after Vert.x closed").isNull();
    assertThat(await(q.close())).isNull();
  }

  @Test
  void vertxClose_letsTheQueuedAndRunningCallsFinish() throws Exception {
    Vertx own = Vertx.vertx();
    TaskQueue q = ThreadQueue.create(own, 1);
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Future<String> running = q.call(() -> {
      started.countDown();
      release.await();
      return "finished";
    });
    Future<Integer> queued = q.call(() -> 7);
    assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
    Future<Void> closed = own.close();
    release.countDown();
    await(closed);
    assertThat(running.result()).isEqualTo("finished");
    assertThat(queued.result()).isEqualTo(7);
  }

  @Test
  void vertxClose_completesWithinTheStopTimeout_whileATaskIgnoresInterrupts() throws Exception {
    Vertx own = Vertx.vertx();
    String name = uniqueName("stubborn");
    TaskQueue q = ThreadQueue.create(own, 1, new TaskQueueOptions().setName(name)
        .setStopTimeout(Duration.ofMillis(200)));
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Future<Object> stubborn = q.call(() -> {
      started.countDown();
      while (release.getCount() > 0) {
        try {
          release.await();
        } catch (InterruptedException ignored) {
          // a task that will not be stopped
        }
      }
      return "late";
    });
    assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
    Future<Object> outcome = listenedTo(stubborn);
    await(own.close());
    assertThat(failure(outcome)).isInstanceOf(QueueShutdownException.class);
    assertThat(Leftovers.threads("asynqueue-" + name + "-")).as("the abandoned thread, still in its task")
        .hasSize(1);
    release.countDown();
    Leftovers.assertThreadsEnd("asynqueue-" + name + "-");
    assertThat(await(q.shutdownNow())).isNull();
  }

  @Test
  void shutdownBeforeVertxCloses_thenClose_bothComplete() throws Exception {
    Vertx own = Vertx.vertx();
    TaskQueue q = ThreadQueue.create(own, 2);
    Future<Void> down = listenedTo(q.shutdown());
    await(own.close());
    assertThat(await(down)).isNull();
    assertThat(await(q.close())).isNull();
  }

  /* --------------------------------------------------------------- the hooks */

  @Test
  void shutdownFirst_removesTheQueuesCloseHook(Vertx vertx) throws Exception {
    CountingCloseFuture closeFuture = new CountingCloseFuture();
    ContextInternal verticleLike = ((VertxInternal) vertx).contextBuilder().withCloseFuture(closeFuture).build();
    List<TaskQueue> queues = onContext(verticleLike, () -> {
      List<TaskQueue> made = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        made.add(i % 2 == 0 ? ThreadQueue.create(vertx, 1) : TaskQueue.create(vertx));
      }
      return made;
    });
    assertThat(closeFuture.hooks).as("one hook per queue").hasSize(100);
    List<Future<Void>> downs = new ArrayList<>();
    for (int i = 0; i < queues.size(); i++) {
      TaskQueue q = queues.get(i);
      downs.add(i % 3 == 0 ? q.shutdownNow() : q.shutdown());
    }
    await(Future.all(downs));
    assertThat(closeFuture.hooks).as("hooks left behind by queues shut down").isEmpty();
  }

  @Test
  void workerAttachedFromAnotherContext_isDetachedWhenItCloses_andItsHookIsGoneOnceDetached(Vertx vertx)
      throws Exception {
    TaskQueue q = TaskQueue.create(vertx, new TaskQueueOptions().setName(uniqueName("shared")));
    CountingCloseFuture closeFuture = new CountingCloseFuture();
    ContextInternal verticleLike = ((VertxInternal) vertx).contextBuilder().withCloseFuture(closeFuture).build();
    int first = await(onContext(verticleLike, () -> q.attachWorker(Workers.thread())));
    int second = await(onContext(verticleLike, () -> q.attachWorker(Workers.thread())));
    assertThat(closeFuture.hooks).hasSize(2);
    assertThat(await(q.detachWorker(first, DetachMode.GRACEFUL))).isZero();
    assertThat(closeFuture.hooks).as("the detached worker's hook").hasSize(1);
    await(closeFuture.close());
    assertThat(q.workerIds()).doesNotContain(second);
    assertThat(q.isRunning()).isTrue();
    Leftovers.assertThreadsEnd("asynqueue-" + q.name() + "-");
    await(q.attachWorker(Workers.thread()));
    assertThat(await(q.call((Integer x) -> x + 1, 1))).isEqualTo(2);
    await(q.shutdown());
  }

  /* --------------------------------------------------------------- names */

  @Test
  void name_byDefault_isCountedPerJvm_andNamesTheThreads(Vertx vertx) throws Exception {
    TaskQueue a = ThreadQueue.create(vertx, 1);
    TaskQueue b = ThreadQueue.create(vertx, 1);
    assertThat(a.name()).matches("q\\d+");
    assertThat(b.name()).matches("q\\d+").isNotEqualTo(a.name());
    assertThat(await(a.call(() -> Thread.currentThread().getName())))
        .isEqualTo("asynqueue-" + a.name() + "-thread-1-1");
    assertThat(await(b.call(() -> Thread.currentThread().getName()))).startsWith("asynqueue-" + b.name() + "-thread-");
    await(Future.all(a.shutdown(), b.shutdown()));
  }

  @Test
  void aLostCall_namesTheWorkerAndItsQueue(Vertx vertx) throws Exception {
    TaskQueue q = ThreadQueue.create(vertx, 1, new TaskQueueOptions().setName("render"));
    CountDownLatch started = new CountDownLatch(1);
    Future<Object> held = q.call(() -> {
      started.countDown();
      Thread.sleep(60_000);
      return null;
    });
    assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(await(q.detachWorker(q.workerIds().iterator().next(), DetachMode.CRASH))).isEqualTo(1);
    assertThat(failure(held)).isInstanceOf(WorkerLostException.class).hasMessageContaining("worker 1 of render");
    await(q.shutdown());
  }

  /* --------------------------------------------------------------- helpers */

  /** A close future that keeps count of the hooks on it, as a verticle's context would hold them. */
  private static final class CountingCloseFuture extends CloseFuture {
    final Set<Closeable> hooks = ConcurrentHashMap.newKeySet();

    @Override
    public synchronized boolean add(Closeable hook) {
      boolean added = super.add(hook);
      if (added) {
        hooks.add(hook);
      }
      return added;
    }

    @Override
    public boolean remove(Closeable hook) {
      hooks.remove(hook);
      return super.remove(hook);
    }
  }

  /**
   * A Future that completes as {@code f} does, listened to now: a Future bound to a context of a Vert.x instance
   * that has closed since can no longer run a listener added later, as for any Vert.x Future.
   */
  private static <T> Future<T> listenedTo(Future<T> f) {
    return Future.fromCompletionStage(f.toCompletionStage());
  }

  private static <T> T onContext(ContextInternal context, Supplier<T> action) {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> {
      try {
        done.complete(action.get());
      } catch (Throwable t) {
        done.fail(t);
      }
    });
    return await(done.future());
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(Leftovers.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("no outcome within " + Leftovers.PATIENCE, e);
    }
  }

  private static Throwable failure(Future<?> f) {
    try {
      Object result = f.toCompletionStage().toCompletableFuture().get(Leftovers.PATIENCE.toMillis(),
          TimeUnit.MILLISECONDS);
      throw new AssertionError("expected a failure, got " + result);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("no outcome within " + Leftovers.PATIENCE, e);
    }
  }
}
