package io.asynqueue;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.internal.NamedTask;
import io.asynqueue.spi.Job;
import io.asynqueue.spi.Worker;
import io.asynqueue.spi.WorkerSupervisor;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A worker's capacity is read when its start completes; a paused worker takes no jobs until it resumes. */
@Timeout(30)
final class WorkerPauseTest {

  /** The general form, which the worker sees as a task with its arguments. */
  private static final Task<Object> ECHO = args -> args[0];

  Vertx vertx;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Holds its jobs until told; learns its capacity only when its start completes. */
  static final class LateWorker implements Worker {
    final Promise<Void> started = Promise.promise();
    final List<Job> held = new CopyOnWriteArrayList<>();
    volatile int capacity;
    volatile WorkerSupervisor supervisor;

    @Override
    public int capacity() {
      return capacity;
    }

    @Override
    public Future<Void> start(WorkerSupervisor s) {
      supervisor = s;
      return started.future();
    }

    @Override
    public void run(Job job) {
      held.add(job);
    }

    void finishAll() {
      List<Job> jobs = new ArrayList<>(held);
      held.clear();
      for (Job j : jobs) {
        j.complete(j.args()[0]);
      }
    }

    @Override
    public void cancel(Job job) {
      held.remove(job);
    }

    @Override
    public Future<Void> stop() {
      return Future.succeededFuture();
    }

    @Override
    public List<Job> crash() {
      return List.copyOf(held);
    }
  }

  @Test
  void capacity_isReadWhenStartCompletes() throws Exception {
    TaskQueue q = TaskQueue.create(vertx);
    LateWorker w = new LateWorker();
    Future<Integer> attached = q.attachWorker(w);
    List<Future<Object>> calls = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      calls.add(q.call(ECHO, null, i));
    }
    w.capacity = 3; // learned from its server, say
    w.started.complete();
    await(attached);
    assertThat(w.held).hasSize(3);
    assertThat(q.load().queued()).isEqualTo(2);
    w.finishAll();
    await(Future.all(calls.subList(0, 3)));
    assertThat(w.held).hasSize(2);
    w.finishAll(); // else closing Vert.x waits out the queue's stop timeout for them (it closes with Vert.x)
    await(Future.all(calls));
  }

  @Test
  void aWorkerWithCapacityZeroAfterStart_isNotAttached() throws Exception {
    TaskQueue q = TaskQueue.create(vertx);
    LateWorker w = new LateWorker();
    Future<Integer> attached = q.attachWorker(w);
    w.started.complete();
    assertThat(attached.toCompletionStage().toCompletableFuture().handle((v, e) -> e).get(10, TimeUnit.SECONDS))
        .hasMessageContaining("capacity must be at least 1");
    assertThat(q.size()).isZero();
  }

  @Test
  void aPausedWorker_takesNothing_andItsCallsGoToTheOthers() throws Exception {
    TaskQueue q = TaskQueue.create(vertx);
    LateWorker a = new LateWorker();
    a.capacity = 2;
    a.started.complete();
    await(q.attachWorker(a));
    a.supervisor.pause();
    a.supervisor.pause(); // idempotent
    Future<Object> first = q.call(ECHO, null, "one");
    Future<Object> second = q.call(ECHO, null, "two");
    assertThat(a.held).isEmpty();
    assertThat(q.load().queued()).isEqualTo(2);
    LateWorker b = new LateWorker();
    b.capacity = 1;
    b.started.complete();
    await(q.attachWorker(b));
    assertThat(b.held).hasSize(1);
    b.finishAll();
    assertThat(await(first)).isEqualTo("one");
    assertThat(b.held).hasSize(1); // the second went to b too: a is still paused
    b.finishAll();
    assertThat(await(second)).isEqualTo("two");
    Future<Object> third = q.call(ECHO, null, "three");
    Future<Object> fourth = q.call(ECHO, null, "four");
    Future<Object> fifth = q.call(ECHO, null, "five");
    assertThat(b.held).hasSize(1);
    a.supervisor.resume();
    assertThat(a.held).hasSize(2);
    a.finishAll();
    b.finishAll();
    assertThat(await(Future.all(third, fourth, fifth)).list()).containsExactlyInAnyOrder("three", "four", "five");
  }

  @Test
  void jobsAPausedWorkerHolds_stayItsOwn() throws Exception {
    TaskQueue q = TaskQueue.create(vertx);
    LateWorker a = new LateWorker();
    a.capacity = 1;
    a.started.complete();
    await(q.attachWorker(a));
    Future<Object> held = q.call(ECHO, null, "held");
    a.supervisor.pause();
    Future<Object> waiting = q.call(ECHO, null, "waiting");
    a.finishAll(); // settling the held job frees a slot, but a paused worker gets no new one
    assertThat(await(held)).isEqualTo("held");
    assertThat(a.held).isEmpty();
    assertThat(waiting.isComplete()).isFalse();
    a.supervisor.resume();
    a.finishAll();
    assertThat(await(waiting)).isEqualTo("waiting");
  }

  record Named(String taskName) implements Task<Object>, NamedTask {
    @Override
    public Object invoke(Object[] args) {
      throw new UnsupportedOperationException("runs elsewhere");
    }
  }

  @Test
  void aNamedTask_isDescribedByItsName() throws Exception {
    TaskQueue q = ThreadQueue.create(vertx, 1);
    Throwable e = q.call(new Named("add"), null, 1, 2).toCompletionStage().toCompletableFuture()
        .handle((v, x) -> x).get(10, TimeUnit.SECONDS);
    assertThat(e).isInstanceOf(TaskException.class).hasMessageContaining("add(1, 2)");
  }
}
