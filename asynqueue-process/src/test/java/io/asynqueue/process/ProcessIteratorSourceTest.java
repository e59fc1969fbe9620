package io.asynqueue.process;

import io.asynqueue.contract.TestJob;
import io.asynqueue.contract.TestSupervisor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asynqueue.Task1;
import io.asynqueue.TaskException;
import io.asynqueue.WorkerLostException;
import io.asynqueue.spi.ElementSource;
import io.asynqueue.spi.ElementSource.Batch;
import io.asynqueue.spi.Job;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The iteration protocol at the source level: an iterator held in the child, fetched in batches bounded by
 * count and bytes. (The Deferator on top is core's; here the worker hands back its source directly.)
 */
@Timeout(60)
class ProcessIteratorSourceTest {

  static Vertx vertx;
  static Context context;
  static ProcessWorker worker;

  @BeforeAll
  static void start() throws Exception {
    ProcessWorker.deferators = (ctx, source, window) -> source;
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    worker = new ProcessWorker(new ProcessQueueOptions().setOutput(ChildOutput.DISCARD).setPrefetch(10)
        .setPrefetchBytes(64 * 1024));
    await(worker.start(new TestSupervisor(vertx, 1)));
  }

  @AfterAll
  static void stop() throws Exception {
    ProcessWorker.deferators = io.asynqueue.stream.Deferator::fromSource;
    await(worker.stop());
    await(vertx.close());
  }

  static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  @SuppressWarnings("unchecked")
  static ElementSource<Object> iterate(ProcessWorker w, io.asynqueue.Task<?> task, Object... args) throws Exception {
    TestJob job = TestJob.iterate(context, task, args);
    w.run(job);
    return (ElementSource<Object>) await(job.future());
  }

  // fetches on the context, as a Deferator does
  static Batch<Object> fetch(ElementSource<Object> source, int max) throws Exception {
    return await(Future.<Future<Batch<Object>>>future(p -> context.runOnContext(v -> p.complete(source.fetch(max))))
        .compose(f -> f));
  }

  @Test
  void elements_come_in_batches_with_the_first_in_the_reply() throws Exception {
    Task1<Integer, Iterator<Integer>> range = Tasks::range;
    ElementSource<Object> source = iterate(worker, range, 25);
    List<Object> all = new ArrayList<>();
    Batch<Object> b;
    int batches = 0;
    do {
      b = fetch(source, 7);
      assertThat(b.elements().size()).isLessThanOrEqualTo(7);
      all.addAll(b.elements());
      batches++;
    } while (!b.last());
    assertThat(all).hasSize(25).first().isEqualTo(0);
    assertThat(all).last().isEqualTo(24);
    assertThat(batches).isGreaterThanOrEqualTo(4);
    assertThat(fetch(source, 5)).isEqualTo(new Batch<>(List.of(), true));
  }

  @Test
  void the_child_produces_only_what_is_fetched() throws Exception {
    Task1<Integer, Iterator<Integer>> counting = Tasks::counting;
    ElementSource<Object> source = iterate(worker, counting, 100_000);
    io.asynqueue.Task0<Integer> produced = Tasks::produced;
    assertThat((Integer) await(ProcessWorkerTest.call(worker, produced))).isEqualTo(10); // the first batch
    fetch(source, 10); // the first batch, from the reply
    fetch(source, 10);
    assertThat((Integer) await(ProcessWorkerTest.call(worker, produced))).isEqualTo(20);
    await(source.close());
    assertThat((Integer) await(ProcessWorkerTest.call(worker, produced))).isEqualTo(20);
  }

  @Test
  void a_byte_budget_bounds_a_batch_of_large_elements() throws Exception {
    Task1<List<String>, Iterator<String>> it = List::iterator;
    ElementSource<Object> source = iterate(worker, it, Tasks.strings(12, 20_000));
    List<Object> all = new ArrayList<>();
    Batch<Object> b;
    int batches = 0;
    do {
      b = fetch(source, 100);
      assertThat(b.elements().size()).isLessThanOrEqualTo(4); // 64 KiB budget, 20 kB elements
      all.addAll(b.elements());
      batches++;
    } while (!b.last());
    assertThat(all).hasSize(12);
    assertThat(batches).isGreaterThanOrEqualTo(3);
  }

  @Test
  void an_iterator_that_throws_gives_the_elements_before_then_fails_the_next_fetch_with_the_childs_exception() throws Exception {
    Task1<Integer, Iterator<Integer>> failing = Tasks::failingAfter;
    ElementSource<Object> source = iterate(worker, failing, 15);
    assertThat(fetch(source, 10).elements()).hasSize(10);
    assertThat(fetch(source, 10).elements()).as("the elements before the failure").hasSize(5);
    assertThatThrownBy(() -> fetch(source, 10)).isInstanceOfSatisfying(TaskException.class,
        e -> assertThat(e.exceptionMessage()).isEqualTo("no more after 15"));
  }

  @Test
  void a_child_that_dies_fails_the_fetch_of_its_iterator() throws Exception {
    ProcessWorker w = new ProcessWorker(new ProcessQueueOptions().setOutput(ChildOutput.DISCARD).setPrefetch(5));
    await(w.start(new TestSupervisor(vertx, 2)));
    Task1<Integer, Iterator<Integer>> range = Tasks::range;
    ElementSource<Object> source = iterate(w, range, 100);
    fetch(source, 5);
    ProcessHandle victim = ProcessHandle.of(w.pid()).orElseThrow();
    victim.destroyForcibly();
    victim.onExit().join();
    assertThatThrownBy(() -> {
      for (int i = 0; i < 100; i++) {
        fetch(source, 5);
      }
    }).isInstanceOf(WorkerLostException.class);
    await(w.stop());
  }
}
