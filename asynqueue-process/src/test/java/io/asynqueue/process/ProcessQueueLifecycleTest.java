package io.asynqueue.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.TaskQueue;
import io.asynqueue.TaskQueueOptions;
import io.asynqueue.ThreadQueue;
import io.asynqueue.contract.ContractTasks;
import io.asynqueue.contract.Leftovers;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 14, with real child JVMs: a process queue closes with the verticle that made it, or with Vert.x (which
 * undeploys its verticles too); then its children have exited and its threads (reader, writer, stderr; named after
 * the queue) have ended.
 */
@Timeout(180)
final class ProcessQueueLifecycleTest {

  private static final AtomicInteger NAMES = new AtomicInteger();

  @Test
  void vertxClose_exitsTheChildren_andEndsTheThreads() throws Exception {
    Set<Long> before = Leftovers.children();
    Vertx vertx = Vertx.vertx();
    String name = "process-closed-with-vertx-" + NAMES.incrementAndGet();
    ProcessQueue q = ProcessQueue.create(vertx, options(name, 2));
    await(q.ready());
    List<Long> pids = new ArrayList<>();
    for (ProcessWorker w : q.processWorkers()) {
      pids.add(w.pid());
    }
    assertThat(Leftovers.children()).containsAll(pids);
    assertThat(Leftovers.threads("asynqueue-" + name + "-process-")).as("reader, writer and stderr threads")
        .hasSize(6);
    await(vertx.close());
    assertThat(q.isRunning()).isFalse();
    Leftovers.assertChildrenExit(before);
    Leftovers.assertThreadsEnd("asynqueue-" + name + "-");
    assertThat(await(q.shutdown())).as("shut down by its user after Vert.x closed").isNull();
  }

  @Test
  void undeployingTheVerticleThatMadeAThreadQueueAndAProcessQueue_endsBoth_andVertxLivesOn() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      closesWithTheVerticle(vertx, deployment -> vertx.undeploy(deployment));
      TaskQueue after = ThreadQueue.create(vertx, 1);
      assertThat(await(after.call(ContractTasks.TWICE, 21))).as("Vert.x lives on").isEqualTo(42);
      await(after.shutdown());
    } finally {
      await(vertx.close());
    }
  }

  @Test
  void vertxClose_endsTheQueuesMadeInAVerticle() throws Exception {
    Vertx vertx = Vertx.vertx();
    closesWithTheVerticle(vertx, deployment -> vertx.close());
  }

  /**
   * Deploys a verticle that makes a thread queue and a process queue, runs a call on each, closes the verticle so,
   * and checks that both queues are down, their threads ended and their children exited.
   */
  private static void closesWithTheVerticle(Vertx vertx, Function<String, Future<Void>> close) throws Exception {
    Set<Long> before = Leftovers.children();
    String threads = "threads-in-verticle-" + NAMES.incrementAndGet();
    String processes = "processes-in-verticle-" + NAMES.incrementAndGet();
    Promise<List<TaskQueue>> made = Promise.promise();
    String deployment = await(vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        TaskQueue t = ThreadQueue.create(vertx, 2, new TaskQueueOptions().setName(threads));
        ProcessQueue p = ProcessQueue.create(vertx, options(processes, 2));
        made.complete(List.of(t, p));
        return p.ready();
      }
    }));
    TaskQueue t = made.future().result().get(0);
    TaskQueue p = made.future().result().get(1);
    assertThat(await(t.call(ContractTasks.TWICE, 2))).isEqualTo(4);
    assertThat(await(p.call(ContractTasks.PID))).isNotEqualTo(ProcessHandle.current().pid());
    assertThat(Leftovers.threads("asynqueue-" + threads + "-thread-")).hasSize(2);
    assertThat(Leftovers.threads("asynqueue-" + processes + "-process-")).hasSize(6);
    await(close.apply(deployment));
    assertThat(t.isRunning()).isFalse();
    assertThat(p.isRunning()).isFalse();
    Leftovers.assertChildrenExit(before);
    Leftovers.assertThreadsEnd("asynqueue-" + threads + "-");
    Leftovers.assertThreadsEnd("asynqueue-" + processes + "-");
  }

  private static ProcessQueueOptions options(String name, int processes) {
    return new ProcessQueueOptions().setProcesses(processes).setOutput(ChildOutput.DISCARD)
        .setQueueOptions(new TaskQueueOptions().setName(name));
  }

  private static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(Leftovers.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception x) {
        throw x;
      }
      throw e;
    }
  }
}
