package io.asynqueue.remote;

import static io.asynqueue.remote.Servers.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.TaskQueue;
import io.asynqueue.contract.Leftovers;
import io.asynqueue.remote.server.WorkerServer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 14, over real sockets on 127.0.0.1: a {@link WorkerServer} closes with the verticle that made it, or with its
 * Vert.x instance (its port is free, its connections closed, its threads ended); a {@link RemoteWorker}'s connection
 * closes with the Vert.x instance of its queue. A tap between the two, on a Vert.x instance of its own, sees each
 * side close its end.
 */
@Timeout(120)
final class RemoteLifecycleTest {

  private Vertx serverVertx;
  private Vertx clientVertx;
  private Vertx tapVertx;

  @BeforeEach
  void setUp() {
    serverVertx = Vertx.vertx();
    clientVertx = Vertx.vertx();
    tapVertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    await(Future.join(serverVertx.close(), clientVertx.close(), tapVertx.close()));
  }

  @Test
  void vertxClose_closesTheServer_itsConnections_andItsThreads() throws Exception {
    WorkerServer server = Servers.start(serverVertx, Servers.serverOptions().setInlineFastCalls(false));
    Tap tap = await(Tap.to(tapVertx, server.actualPort()));
    TaskQueue q = connectedQueue(tap.port);
    String threads = serverThreadPrefix(q);
    assertThat(Leftovers.threads(threads)).as("the server's threads").hasSize(2);
    await(serverVertx.close());
    await(tap.serverSideClosed.future());
    assertPortFree(server.actualPort());
    Leftovers.assertThreadsEnd(threads);
    assertThat(await(server.close())).as("closed by its user after Vert.x closed it").isNull();
  }

  @Test
  void undeployingTheVerticleThatMadeTheServer_closesIt_andVertxLivesOn() throws Exception {
    Promise<WorkerServer> made = Promise.promise();
    String deployment = await(serverVertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        WorkerServer s = WorkerServer.create(vertx, new Tasks(), Servers.serverOptions().setInlineFastCalls(false));
        made.complete(s);
        return s.listen();
      }
    }));
    WorkerServer server = made.future().result();
    Tap tap = await(Tap.to(tapVertx, server.actualPort()));
    TaskQueue q = connectedQueue(tap.port);
    String threads = serverThreadPrefix(q);
    await(serverVertx.undeploy(deployment));
    await(tap.serverSideClosed.future());
    assertPortFree(server.actualPort());
    Leftovers.assertThreadsEnd(threads);
    WorkerServer after = Servers.start(serverVertx, Servers.serverOptions());
    assertThat(after.actualPort()).as("Vert.x lives on").isPositive();
    await(after.close());
  }

  @Test
  void vertxClose_ofTheQueuesVertx_letsTheCallFinish_thenClosesTheRemoteWorkersConnection() throws Exception {
    WorkerServer server = Servers.start(serverVertx, Servers.serverOptions());
    Tap tap = await(Tap.to(tapVertx, server.actualPort()));
    TaskQueue q = connectedQueue(tap.port);
    // listened to now: a Future of a closed Vert.x's context could not run a listener added later
    Future<String> inFlight = Future.fromCompletionStage(q.<String>call(Remote.named("sleep"), 300L)
        .toCompletionStage());
    await(clientVertx.close());
    assertThat(q.isRunning()).isFalse();
    assertThat(await(inFlight)).as("a graceful close: the call in flight finished").isEqualTo("slept 300");
    await(tap.clientSideClosed.future());
    Tap second = await(Tap.to(tapVertx, server.actualPort()));
    TaskQueue other = TaskQueue.create(tapVertx);
    await(other.attachWorker(RemoteWorker.create(tapVertx, Servers.workerOptions(second.port))));
    assertThat(await(other.<Integer>call(Remote.named("add"), 2, 3))).as("the server lives on").isEqualTo(5);
    await(other.shutdown());
  }

  /** A queue on the client's Vert.x with one remote worker, connected through the tap, that has run a call. */
  private TaskQueue connectedQueue(int port) throws Exception {
    TaskQueue q = TaskQueue.create(clientVertx);
    await(q.attachWorker(RemoteWorker.create(clientVertx, Servers.workerOptions(port))));
    assertThat(await(q.<Integer>call(Remote.named("add"), 1, 2))).isEqualTo(3);
    return q;
  }

  /** @return how the server's threads are named, {@code asynqueue-server-<n>-}, from one of them */
  private static String serverThreadPrefix(TaskQueue q) throws Exception {
    String name = await(q.<String>call(Remote.named("thread")));
    assertThat(name).matches("asynqueue-server-\\d+-\\d+");
    return name.substring(0, name.lastIndexOf('-') + 1);
  }

  private static void assertPortFree(int port) throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true); // connections the server closed may linger in TIME_WAIT; its listening socket may not
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }
  }

  /** One relayed connection on 127.0.0.1, whose two ends a test watches close. */
  private static final class Tap {
    final Promise<Void> clientSideClosed = Promise.promise();
    final Promise<Void> serverSideClosed = Promise.promise();
    int port;

    static Future<Tap> to(Vertx vertx, int target) {
      Tap tap = new Tap();
      NetServer relay = vertx.createNetServer().connectHandler(in -> {
        in.pause();
        in.closeHandler(v -> tap.clientSideClosed.tryComplete());
        vertx.createNetClient().connect(target, "127.0.0.1").onSuccess(out -> {
          out.closeHandler(v -> tap.serverSideClosed.tryComplete());
          in.pipeTo(out);
          out.pipeTo(in);
          in.resume();
        }).onFailure(e -> in.close());
      });
      return relay.listen(0, "127.0.0.1").map(s -> {
        tap.port = s.actualPort();
        return tap;
      });
    }
  }
}
