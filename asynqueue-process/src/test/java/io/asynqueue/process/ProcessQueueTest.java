package io.asynqueue.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asynqueue.CallOptions;
import io.asynqueue.Task0;
import io.asynqueue.Task1;
import io.asynqueue.TaskException;
import io.asynqueue.TaskTimeoutException;
import io.asynqueue.TaskQueueOptions;
import io.asynqueue.WorkerLostException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** ProcessQueue end to end: the real TaskQueue over real child JVMs. */
@Timeout(120)
class ProcessQueueTest {

  Vertx vertx;
  ProcessQueue q;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (q != null) {
      await(q.shutdownNow());
    }
    await(vertx.close());
  }

  static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception x) {
        throw x;
      }
      throw e;
    }
  }

  ProcessQueue start(ProcessQueueOptions options) throws Exception {
    q = ProcessQueue.create(vertx, options.setOutput(ChildOutput.DISCARD));
    await(q.ready());
    return q;
  }

  @Test
  void metrics_tagTheProcessKind_reportTheChildsMemoryAndCpu_andCountItsReplacement() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    start(new ProcessQueueOptions().setProcesses(1)
        .setQueueOptions(new TaskQueueOptions().setMeterRegistry(registry)));
    Task1<Integer, Integer> twice = Tasks::twice;
    assertThat(await(q.call(twice, 21))).isEqualTo(42);
    assertThat(registry.find("asynqueue.calls").tags("kind", "process", "outcome", "completed").counter().count())
        .isEqualTo(1);
    assertThat(registry.find("asynqueue.calls.run").tag("kind", "process").timer().count()).isEqualTo(1);
    assertThat(registry.find("asynqueue.workers").tag("kind", "process").gauge().value()).isEqualTo(1);
    // A JVM holds megabytes, and has spent CPU time starting.
    assertThat(registry.find("asynqueue.worker.memory").tag("kind", "process").gauge().value())
        .isGreaterThan(1 << 20);
    assertThat(registry.find("asynqueue.worker.cpu").tag("kind", "process").timeGauge().value())
        .isGreaterThan(0);

    ProcessHandle.of(q.processWorkers().get(0).pid()).orElseThrow().destroyForcibly();
    // Sent to the dying child, it is lost and retried on the replacement.
    assertThat(await(q.call(twice, new CallOptions().setRetries(3), 4))).isEqualTo(8);
    assertThat(registry.find("asynqueue.workers.restarted").tag("kind", "process").counter().count())
        .isEqualTo(1);
  }

  @Test
  void callsUpdates_andReplayToAReplacementChild() throws Exception {
    start(new ProcessQueueOptions().setProcesses(2).setCallStats(true));
    Task1<Integer, Integer> twice = Tasks::twice;
    assertThat(await(q.call(twice, 21))).isEqualTo(42);
    Task1<String, String> boom = Tasks::boom;
    assertThatThrownBy(() -> await(q.call(boom, "no"))).isInstanceOf(TaskException.class).hasMessageContaining("no");

    Task1<String, String> set = Tasks::set;
    assertThat(await(q.update(set, "v1"))).containsExactly("set v1", "set v1");
    Task0<String> setting = Tasks::setting;
    assertThat(await(q.<String>update(setting, true))).containsExactly("v1", "v1");

    ProcessWorker victim = q.processWorkers().get(0);
    long pid = victim.pid();
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    // the replacement replays the update before it takes calls; an ephemeral update reaches it once it is up
    List<String> seen = awaitReplacement(victim, pid, setting);
    assertThat(seen).containsExactly("v1", "v1");
    assertThat(victim.restarts()).isEqualTo(1);

    assertThat(q.stats()).isNotEmpty();
    List<ChildInfo> info = await(q.info());
    assertThat(info).hasSize(2).allSatisfy(i -> assertThat(i.cpus()).isPositive());
    assertThat(info.stream().map(ChildInfo::pid).toList()).doesNotContain(pid);

    Task0<Future<String>> async = () -> io.vertx.core.Future.succeededFuture("async");
    assertThat(await(q.callAsync(async))).isEqualTo("async");
  }

  // runs the ephemeral update until it reaches the replacement of the killed child (an update sent while the
  // worker had no child waits for the replacement; one sent to the dying child fails with WorkerLostException)
  private List<String> awaitReplacement(ProcessWorker victim, long pid, Task0<String> setting) throws Exception {
    for (int i = 0; i < 100; i++) {
      try {
        List<String> seen = await(q.update(setting, true));
        if (victim.pid() != pid && victim.pid() > 0) {
          return seen;
        }
      } catch (WorkerLostException expected) {
        // raced with the kill
      }
    }
    throw new AssertionError("no replacement child");
  }

  @Test
  void kill9_ofABusyChild_with1000CallsQueued_completesEveryCall() throws Exception {
    start(new ProcessQueueOptions().setProcesses(2));
    Task1<Integer, Integer> work = x -> {
      Thread.sleep(1);
      return x;
    };
    for (int retries : new int[] {0, 2}) {
      CountDownLatch someDone = new CountDownLatch(100);
      List<Future<Integer>> calls = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        Future<Integer> f = q.call(work, new CallOptions().setRetries(retries), i);
        f.onSuccess(v -> someDone.countDown());
        calls.add(f);
      }
      assertThat(someDone.await(60, TimeUnit.SECONDS)).isTrue();
      ProcessWorker victim = q.processWorkers().get(retries == 0 ? 0 : 1);
      ProcessHandle.of(victim.pid()).orElseThrow().destroyForcibly();
      int ok = 0;
      int lost = 0;
      for (int i = 0; i < calls.size(); i++) {
        try {
          assertThat(await(calls.get(i))).isEqualTo(i);
          ok++;
        } catch (WorkerLostException e) {
          lost++;
        }
      }
      assertThat(ok + lost).isEqualTo(1000);
      if (retries == 0) {
        assertThat(lost).as("exactly the calls the child held").isBetween(1, victim.capacity());
      } else {
        assertThat(lost).as("retried elsewhere or on the replacement").isZero();
      }
    }
  }

  @Test
  void shutdown_runsTheQueuedWork_thenStopsEveryChild() throws Exception {
    start(new ProcessQueueOptions().setProcesses(2));
    Set<Long> pids = new HashSet<>();
    q.processWorkers().forEach(w -> pids.add(w.pid()));
    Task1<Integer, Integer> sleep = Tasks::sleepMillis;
    AtomicInteger done = new AtomicInteger();
    List<Future<Integer>> calls = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      calls.add(q.call(sleep, 1).onSuccess(v -> done.incrementAndGet()));
    }
    Future<Void> down = q.shutdown();
    for (Future<Integer> f : calls) {
      assertThat(await(f)).isEqualTo(1);
    }
    await(down);
    assertThat(done).hasValue(300);
    for (long pid : pids) {
      ProcessHandle.of(pid).ifPresent(h -> h.onExit().join());
    }
    q = null;
  }
}
