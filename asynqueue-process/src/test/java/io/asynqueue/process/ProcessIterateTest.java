package io.asynqueue.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asynqueue.Deferator;
import io.asynqueue.Task1;
import io.asynqueue.TaskException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.streams.WriteStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code ProcessQueue.iterate}: Deferators and consumers over iterators held in a child. */
@Timeout(60)
class ProcessIterateTest {

  static Vertx vertx;
  static ProcessQueue q;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    q = ProcessQueue.create(vertx, new ProcessQueueOptions().setProcesses(1).setPrefetch(16)
        .setOutput(ChildOutput.DISCARD));
    await(q.ready());
  }

  @AfterAll
  static void stop() throws Exception {
    if (q != null) {
      await(q.shutdown());
      await(vertx.close());
    }
  }

  static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  @Test
  void a_deferator_reads_every_element_in_order() throws Exception {
    Task1<Integer, Iterator<Integer>> range = Tasks::range;
    Deferator<Integer> d = await(q.iterate(range, 1000));
    List<Integer> all = await(d.toList());
    assertThat(all).hasSize(1000);
    for (int i = 0; i < all.size(); i++) {
      assertThat(all.get(i)).isEqualTo(i);
    }
  }

  @Test
  void a_slow_consumer_pauses_the_iteration_in_the_child() throws Exception {
    Task1<Integer, Iterator<Integer>> counting = Tasks::counting;
    Deferator<Integer> d = await(q.iterate(counting, 100_000));
    GatedStream consumer = new GatedStream(10);
    Future<Void> piped = Future.future(p -> vertx.getOrCreateContext().runOnContext(v -> d.pipeTo(consumer)
        .onComplete(p)));
    await(consumer.full.future());
    io.asynqueue.Task0<Integer> produced = Tasks::produced;
    for (int i = 0; i < 5; i++) {
      // every probe runs in the child after any fetch already sent; the window bounds what the child made
      assertThat(await(q.call(produced))).isLessThanOrEqualTo(10 + 3 * 16);
    }
    consumer.open();
    await(piped);
    assertThat(consumer.received).hasSize(100_000);
    assertThat(consumer.received.get(99_999)).isEqualTo(99_999);
  }

  @Test
  void a_graceful_shutdown_waits_until_the_iterator_is_read_out() throws Exception {
    ProcessQueue own = ProcessQueue.create(vertx, new ProcessQueueOptions().setProcesses(1).setPrefetch(16)
        .setOutput(ChildOutput.DISCARD));
    Task1<Integer, Iterator<Integer>> range = Tasks::range;
    Deferator<Integer> d = await(own.iterate(range, 1000));
    long pid = own.processWorkers().get(0).pid();
    Future<Void> down = own.shutdown();
    assertThat(await(d.toList())).hasSize(1000); // the child stayed up for it
    await(down);
    ProcessHandle.of(pid).ifPresent(h -> h.onExit().join());
  }

  @Test
  void an_iterator_that_throws_fails_the_deferator() throws Exception {
    Task1<Integer, Iterator<Integer>> failing = Tasks::failingAfter;
    Deferator<Integer> d = await(q.iterate(failing, 40));
    assertThatThrownBy(() -> await(d.toList())).isInstanceOf(TaskException.class)
        .hasMessageContaining("no more after 40");
  }

  /** A WriteStream that takes {@code limit} elements, then reports itself full until opened. */
  static final class GatedStream implements WriteStream<Integer> {
    final List<Integer> received = new ArrayList<>();
    final Promise<Void> full = Promise.promise();
    private final int limit;
    private boolean open;
    private Handler<Void> drain;

    GatedStream(int limit) {
      this.limit = limit;
    }

    void open() {
      vertx.runOnContext(v -> {
        open = true;
        if (drain != null) {
          drain.handle(null);
        }
      });
    }

    @Override
    public WriteStream<Integer> exceptionHandler(Handler<Throwable> handler) {
      return this;
    }

    @Override
    public Future<Void> write(Integer data) {
      received.add(data);
      if (!open && received.size() >= limit) {
        full.tryComplete();
      }
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> end() {
      return Future.succeededFuture();
    }

    @Override
    public WriteStream<Integer> setWriteQueueMaxSize(int maxSize) {
      return this;
    }

    @Override
    public boolean writeQueueFull() {
      return !open && received.size() >= limit;
    }

    @Override
    public WriteStream<Integer> drainHandler(Handler<Void> handler) {
      this.drain = handler;
      return this;
    }
  }
}
