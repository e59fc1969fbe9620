package io.asynqueue.remote;

import io.asynqueue.remote.cli.ServerManager;
import static io.asynqueue.remote.Servers.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.CallOptions;
import io.asynqueue.toolkit.Delay;
import io.asynqueue.toolkit.DelayOptions;
import io.asynqueue.TaskQueue;
import io.asynqueue.WorkerLostException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Servers in real child JVMs, killed with SIGKILL mid-run and restarted: the queue carries on, nothing hangs. */
@Timeout(120)
final class FailoverTest {

  @TempDir
  Path dir;
  Vertx vertx;
  ServerManager servers;
  Delay delay;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    servers = ServerManager.create(vertx, List.of("-Xmx256m"));
    delay = Delay.create(vertx, new DelayOptions().setTimeout(Duration.ofSeconds(30)));
  }

  @AfterEach
  void tearDown() throws Exception {
    servers.close();
    await(vertx.close());
  }

  static RemoteWorkerOptions options(int port, int attempts) {
    return Servers.workerOptions(port).setReconnectAttempts(attempts).setReconnectDelay(Duration.ofMillis(50))
        .setMaxReconnectDelay(Duration.ofMillis(200));
  }

  @Test
  void twoServers_oneKilledMidRun_everyFutureCompletes_andTheOtherTakesTheWork() throws Exception {
    Path secret = Servers.secretFile(dir);
    ServerManager.LocalServer a = await(servers.spawn(Servers.serveArgs(secret)));
    ServerManager.LocalServer b = await(servers.spawn(Servers.serveArgs(secret)));
    TaskQueue q = TaskQueue.create(vertx);
    RemoteWorker wa = RemoteWorker.create(vertx, options(a.port(), 3));
    RemoteWorker wb = RemoteWorker.create(vertx, options(b.port(), 3));
    await(q.attachWorker(wa));
    await(q.attachWorker(wb));
    int n = 400;
    CountDownLatch quarter = new CountDownLatch(n / 4);
    List<Future<Long>> calls = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      CallOptions o = i % 2 == 0 ? new CallOptions().setRetries(2) : new CallOptions();
      Future<Long> f = q.call(Remote.named("sleepPid"), o, 5L);
      f.onComplete(ar -> quarter.countDown());
      calls.add(f);
    }
    assertThat(quarter.await(60, TimeUnit.SECONDS)).isTrue();
    a.kill();
    await(Future.join(calls).otherwise(e -> null)); // every Future completes
    int ranOnA = 0;
    int ranOnB = 0;
    int lost = 0;
    for (int i = 0; i < n; i++) {
      Future<Long> f = calls.get(i);
      assertThat(f.isComplete()).isTrue();
      if (f.succeeded()) {
        if (f.result() == a.pid()) {
          ranOnA++;
        } else {
          assertThat(f.result()).isEqualTo(b.pid());
          ranOnB++;
        }
      } else {
        assertThat(f.cause()).isInstanceOf(WorkerLostException.class);
        assertThat(i % 2).as("a call that allowed retries was retried on the other server").isEqualTo(1);
        lost++;
      }
    }
    // at most what A held when it died is lost (its capacity), and only calls that did not allow retries
    assertThat(lost).isLessThanOrEqualTo(wa.capacity());
    assertThat(ranOnA + ranOnB + lost).isEqualTo(n);
    assertThat(ranOnB).isGreaterThan(n / 2);
    // A's worker gives up after 3 failed reconnects and resigns; B carries on
    assertThat(await(delay.untilEvent(() -> q.size() == 1))).isTrue();
    assertThat(await(q.<Integer>call(Remote.named("add"), 1, 2))).isEqualTo(3);
    await(q.shutdown());
  }

  @Test
  void aRestartedServer_getsTheWorkQueuedWhileItWasDown() throws Exception {
    Path secret = Servers.secretFile(dir);
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    ServerManager.LocalServer first = await(servers.spawn(Servers.serveArgs(secret, "--port", "" + port)));
    TaskQueue q = TaskQueue.create(vertx);
    RemoteWorker w = RemoteWorker.create(vertx, options(port, 200));
    await(q.attachWorker(w));
    assertThat(await(q.<Long>call(Remote.named("pid")))).isEqualTo(first.pid());
    await(q.update(Remote.named("setStuff"), false, "set before the restart")); // replayed on the new server
    Future<Long> held = q.call(Remote.named("sleepPid"), new CallOptions().setRetries(1), 60_000L);
    assertThat(await(delay.untilEvent(() -> q.load().running() == 1))).isTrue();
    first.kill();
    assertThat(await(delay.untilEvent(() -> !w.isConnected()))).isTrue();
    List<Future<Integer>> queued = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      queued.add(q.call(Remote.named("add"), i, 100)); // no retries allowed: they must not be lost
    }
    assertThat(q.load().queued()).isGreaterThanOrEqualTo(20); // the paused worker takes none of them
    ServerManager.LocalServer second = await(servers.spawn(Servers.serveArgs(secret, "--port", "" + port)));
    List<Integer> results = await(Future.all(queued)).list();
    for (int i = 0; i < 20; i++) {
      assertThat(results.get(i)).isEqualTo(i + 100);
    }
    assertThat(w.isConnected()).isTrue();
    assertThat(await(q.<Long>call(Remote.named("pid")))).isEqualTo(second.pid());
    assertThat(await(q.<String>call(Remote.named("stuff")))).isEqualTo("set before the restart");
    assertThat(held.isComplete()).isFalse(); // retried on the new server, still sleeping there
    second.kill();
    assertThat(await(delay.untilEvent(() -> held.isComplete()))).isTrue();
    await(q.shutdownNow());
  }

  @Test
  void theCommandLine_printsSecrets_andRefusesToServeWithoutAuthentication() {
    java.io.PrintStream saved = System.out;
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    System.setOut(new java.io.PrintStream(out, true));
    int code;
    try {
      code = io.asynqueue.remote.cli.Main.run("secret");
    } finally {
      System.setOut(saved);
    }
    assertThat(code).isZero();
    assertThat(out.toString().strip()).hasSize(43).matches("[A-Za-z0-9_-]+");
    // neither a secret nor TLS client certificates: bad arguments
    assertThat(io.asynqueue.remote.cli.Main.run("serve", "--port", "0", "--service", Tasks.class.getName()))
        .isEqualTo(2);
  }
}
