package io.asynqueue.remote;

import io.asynqueue.remote.server.WorkerServer;
import io.asynqueue.RefusedCallException;
import static io.asynqueue.remote.Servers.await;
import static io.asynqueue.remote.Servers.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.CallOptions;
import io.asynqueue.stream.Deferator;
import io.asynqueue.stream.ListConsumer;
import io.asynqueue.TaskException;
import io.asynqueue.TaskQueue;
import io.asynqueue.TaskTimeoutException;
import io.asynqueue.CodecException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A queue with one RemoteWorker and a server in this JVM, on 127.0.0.1: calls, errors, big results, iteration. */
@Timeout(60)
final class RemoteWorkerTest {

  static Vertx vertx;
  static WorkerServer server;
  static RemoteWorker worker;
  static TaskQueue q;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    server = Servers.start(vertx, Servers.serverOptions());
    worker = RemoteWorker.create(vertx, Servers.workerOptions(server.actualPort()).setPrefetch(100));
    q = TaskQueue.create(vertx);
    await(q.attachWorker(worker));
  }

  @AfterAll
  static void stop() throws Exception {
    await(q.shutdown());
    await(server.close());
    await(vertx.close());
  }

  /* --------------------------------------------------------------- calls */

  @Test
  void namedMethods_runOnTheServer_byNameAndArity() throws Exception {
    assertThat(await(q.<Integer>call(Remote.named("add"), 1, 2))).isEqualTo(3);
    assertThat(await(q.<String>call(Remote.named("add"), "a", "b", "c"))).isEqualTo("abc");
    Object echoed = await(q.call(Remote.named("echo"), List.of(1, "two", Map.of("k", 3.0))));
    assertThat(echoed).isEqualTo(List.of(1, "two", Map.of("k", 3.0)));
    assertThat(await(q.<Integer>call(Remote.named("later"), 4))).isEqualTo(40); // a method returning a Future
    assertThat(await(q.<Tasks.Point>call(Remote.named("mirror"), new Tasks.Point(1, 2)))).isEqualTo(new Tasks.Point(2, 1));
  }

  @Test
  void theWorker_takesAsManyJobsAsTheServerAdvertises() throws Exception {
    assertThat(worker.serverConcurrency()).isEqualTo(2);
    assertThat(worker.capacity()).isEqualTo(8); // four per server thread
    assertThat(worker.isConnected()).isTrue();
    List<Future<Integer>> calls = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      calls.add(q.call(Remote.named("add"), i, i));
    }
    List<Integer> results = await(Future.all(calls)).list();
    assertThat(results).containsExactlyElementsOf(IntStream.range(0, 500).map(i -> 2 * i).boxed().toList());
  }

  @Test
  void aMethodThatThrows_failsWithTheRemoteClassMessageAndStackTrace() throws Exception {
    Throwable e = failure(q.call(Remote.named("divide"), 1, 0));
    assertThat(e).isInstanceOf(TaskException.class).hasMessageContaining("divide(1, 0)");
    TaskException te = (TaskException) e;
    assertThat(te.exceptionClass()).isEqualTo(ArithmeticException.class.getName());
    assertThat(te.exceptionMessage()).contains("by zero");
    assertThat(te.getStackTrace()[0].getClassName()).isEqualTo(Tasks.class.getName());
    assertThat(te.getStackTrace()[0].getMethodName()).isEqualTo("divide");
    assertThat(await(q.<Integer>call(Remote.named("divide"), 6, 3))).isEqualTo(2);
  }

  @Test
  void unknownNamesWrongAritiesAndHiddenMethods_areRefused_andTheConnectionStaysUsable()
      throws Exception {
    int touched = Tasks.touched.get();
    assertThat(failure(q.call(Remote.named("nope"), 1))).isInstanceOf(RefusedCallException.class)
        .hasMessageContaining("no method nope").hasMessageContaining("add/2").hasMessageContaining("add/3");
    assertThat(failure(q.call(Remote.named("add"), 1))).isInstanceOf(RefusedCallException.class)
        .hasMessageContaining("no method add taking 1 argument(s)");
    assertThat(failure(q.call(Remote.named("_secret")))).isInstanceOf(RefusedCallException.class)
        .hasMessageContaining("not exposed");
    for (String objectMethod : List.of("toString", "hashCode", "getClass", "wait", "notify")) {
      assertThat(failure(q.call(Remote.named(objectMethod)))).isInstanceOf(RefusedCallException.class);
    }
    assertThat(failure(q.call(Remote.named("add"), "x", 1))).isInstanceOf(TaskException.class)
        .hasMessageContaining("add takes (int, int) but was given (String, Integer)");
    assertThat(await(q.<Integer>call(Remote.named("add"), 2, 2))).isEqualTo(4);
    assertThat(worker.isConnected()).isTrue();
    assertThat(Tasks.touched.get()).isEqualTo(touched);
  }

  @Test
  void taskObjects_runOnlyFromTheAllowList_andClassesOnlyFromTheRegistry() throws Exception {
    assertThat(await(q.call(new AddTask(10), 1, 2))).isEqualTo(13);
    int touched = Tasks.touched.get();
    // registered as data, not allowed as a task: decoded, then refused
    assertThat(failure(q.call(new NotAllowedTask("x")))).isInstanceOf(RefusedCallException.class)
        .hasMessageContaining(NotAllowedTask.class.getName() + " is not an allowed task")
        .hasMessageContaining(AddTask.class.getName());
    // not registered at all: never leaves this JVM
    assertThat(failure(q.call(Remote.named("echo"), new java.util.concurrent.atomic.AtomicInteger())))
        .isInstanceOf(CodecException.class).hasMessageContaining("cannot send echo(0)")
        .hasMessageContaining("AtomicInteger");
    // a lambda written in a class that is not on the allow-list cannot be sent either
    io.asynqueue.Task1<Integer, Integer> lambda = x -> x + 1;
    assertThat(failure(q.call(lambda, 1))).isInstanceOf(CodecException.class);
    // a result of a class the server does not register
    assertThat(failure(q.call(Remote.named("unregisteredResult")))).isInstanceOf(TaskException.class)
        .hasMessageContaining("cannot be sent");
    assertThat(Tasks.touched.get()).isEqualTo(touched);
    assertThat(await(q.<Integer>call(Remote.named("add"), 1, 1))).isEqualTo(2);
  }

  @Test
  void aMethodThatRanBriefly_runsOnTheEventLoopNextTime_unlessTurnedOff() throws Exception {
    // unknown to the server yet: on its threads
    assertThat(await(q.<String>call(Remote.named("thread")))).startsWith("asynqueue-server-");
    // on the event loop from the call after one that ran in under 50 µs of wall time: usually the first, but on a
    // loaded machine a thread switch in the middle of a run is enough to make it slow, and its next call pooled
    String thread = await(q.call(Remote.named("thread")));
    for (int i = 0; i < 20 && thread.startsWith("asynqueue-server-"); i++) {
      thread = await(q.call(Remote.named("thread")));
    }
    assertThat(thread).startsWith("vert.x-eventloop-thread-");
    WorkerServer pooled = Servers.start(vertx, Servers.serverOptions().setInlineFastCalls(false));
    TaskQueue q2 = TaskQueue.create(vertx);
    await(q2.attachWorker(RemoteWorker.create(vertx, Servers.workerOptions(pooled.actualPort()))));
    for (int i = 0; i < 3; i++) {
      assertThat(await(q2.<String>call(Remote.named("thread")))).startsWith("asynqueue-server-");
    }
    await(q2.shutdown());
    await(pooled.close());
  }

  /* --------------------------------------------------------------- big results */

  @Test
  void a50MbResult_streamsBackInFragments_whileSmallCallsGoOn() throws Exception {
    int n = 50_000_000;
    Future<byte[]> big = q.call(Remote.named("bytes"), n);
    List<Future<Integer>> small = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      small.add(q.call(Remote.named("add"), i, 1));
    }
    assertThat(await(Future.all(small)).size()).isEqualTo(20);
    byte[] b = await(big);
    assertThat(b).hasSize(n);
    byte[] expected = new Tasks().bytes(n);
    assertThat(Arrays.equals(b, expected)).isTrue();
  }

  /* --------------------------------------------------------------- iteration */

  @Test
  void aSlowConsumer_holdsTheServerIteratorBack() throws Exception {
    Context ctx = vertx.getOrCreateContext();
    long before = Tasks.produced.get();
    Deferator<Integer> d = await(q.iterate(Remote.named("range"), null, 1_000_000));
    AtomicLong worst = new AtomicLong();
    Promise<Long> consumedAll = Promise.promise();
    AtomicLong consumed = new AtomicLong();
    // a consumer that takes one element per event-loop turn, for 3,000 elements, then stops the iteration
    ListConsumer<Integer> consumer = ListConsumer.create(ctx, x -> {
      long c = consumed.incrementAndGet();
      worst.accumulateAndGet(Tasks.produced.get() - before - c, Math::max);
      if (c == 3_000) {
        consumedAll.tryComplete(c);
      }
      Promise<Void> p = Promise.promise();
      vertx.runOnContext(v -> p.complete());
      return p.future();
    });
    d.pipeTo(consumer);
    await(consumedAll.future());
    await(d.stop());
    // the server ran at most the credit window (100) plus the Deferator's window (50) and a step ahead
    assertThat(worst.get()).isLessThanOrEqualTo(100 + 50 + 2);
    assertThat(Tasks.produced.get() - before).isLessThanOrEqualTo(consumed.get() + 100 + 50 + 2);
    assertThat(Tasks.produced.get() - before).isLessThan(1_000_000);
  }
}
