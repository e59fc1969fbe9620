package io.asynqueue.remote;

import static io.asynqueue.remote.Servers.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.CallOptions;
import io.asynqueue.TaskQueue;
import io.asynqueue.TaskQueueOptions;
import io.asynqueue.remote.server.WorkerServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A queue's metrics with a remote worker: its calls are tagged {@code kind=remote}, its reconnects and refused
 * handshakes counted.
 */
@Timeout(60)
final class RemoteMetricsTest {

  @Test
  void remoteCalls_areTaggedWithTheRemoteKind_andAReconnectIsCounted() throws Exception {
    Vertx vertx = Vertx.vertx();
    WorkerServer server = Servers.start(vertx, Servers.serverOptions());
    Relay relay = new Relay(vertx, server.actualPort());
    int port = await(relay.listen(0));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TaskQueue q = TaskQueue.create(vertx, new TaskQueueOptions().setMeterRegistry(registry));
    try {
      await(q.attachWorker(RemoteWorker.create(vertx, Servers.workerOptions(port))));
      assertThat(await(q.<Integer>call(Remote.named("add"), 1, 2))).isEqualTo(3);
      assertThat(registry.find("asynqueue.calls").tags("kind", "remote", "outcome", "completed").counter().count())
          .isEqualTo(1);
      assertThat(registry.find("asynqueue.calls.wait").tag("kind", "remote").timer().count()).isEqualTo(1);
      assertThat(registry.find("asynqueue.workers.attached").tag("kind", "remote").counter().count()).isEqualTo(1);

      relay.drop(); // the connection is lost, the server is still there: the worker reconnects
      assertThat(await(q.<Integer>call(Remote.named("add"), new CallOptions().setRetries(3), 2, 3))).isEqualTo(5);
      assertThat(registry.find("asynqueue.workers.restarted").tag("kind", "remote").counter().count())
          .isEqualTo(1);
      assertThat(registry.find("asynqueue.workers.lost").tag("kind", "remote").counter().count()).isZero();
    } finally {
      await(q.shutdown());
      await(server.close());
      await(vertx.close());
    }
  }

  @Test
  void aWorkerWithTheWrongSecret_countsARefusedHandshake() throws Exception {
    Vertx vertx = Vertx.vertx();
    WorkerServer server = Servers.start(vertx, Servers.serverOptions());
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TaskQueue q = TaskQueue.create(vertx, new TaskQueueOptions().setMeterRegistry(registry));
    try {
      Throwable refused = Servers.failure(q.attachWorker(RemoteWorker.create(vertx,
          Servers.workerOptions(server.actualPort()).setSecret("not the secret, but long enough"))));
      assertThat(refused).isInstanceOf(AuthenticationException.class);
      assertThat(registry.find("asynqueue.workers.refused").tag("kind", "remote").counter().count()).isEqualTo(1);
      assertThat(registry.find("asynqueue.workers.attached").tag("kind", "remote").counter().count()).isZero();
    } finally {
      await(q.shutdown());
      await(server.close());
      await(vertx.close());
    }
  }
}
