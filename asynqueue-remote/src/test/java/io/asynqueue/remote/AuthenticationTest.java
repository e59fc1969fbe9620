package io.asynqueue.remote;

import io.asynqueue.remote.server.WorkerServer;
import io.asynqueue.remote.server.WorkerServerOptions;
import static io.asynqueue.remote.Servers.await;
import static io.asynqueue.remote.Servers.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asynqueue.TaskQueue;
import io.asynqueue.remote.internal.Handshake;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Nobody gets a frame decoded without proving the secret, and the server logs who it turned away. */
@Timeout(60)
final class AuthenticationTest {

  static Vertx vertx;
  static WorkerServer server;
  static int port;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    server = Servers.start(vertx, Servers.serverOptions().setHandshakeTimeout(Duration.ofMillis(300)));
    port = server.actualPort();
  }

  @AfterAll
  static void stop() throws Exception {
    await(server.close());
    await(vertx.close());
  }

  /** A CALL frame of touch(), which counts its calls in this JVM. */
  static byte[] touchCall() {
    byte[] name = "touch".getBytes(StandardCharsets.US_ASCII);
    Buffer b = Buffer.buffer().appendByte((byte) 1).appendByte((byte) 1).appendByte((byte) 0).appendByte((byte) 0);
    // a Kryo string of ASCII: its last byte has the high bit set
    for (int i = 0; i < name.length; i++) {
      b.appendByte(i == name.length - 1 ? (byte) (name[i] | 0x80) : name[i]);
    }
    b.appendByte((byte) 0); // no arguments
    return b.getBytes();
  }

  @Test
  void theRightSecret_runsARawCall() throws Exception {
    int before = Tasks.touched.get();
    try (RawClient c = new RawClient(port).authenticate(Servers.SECRET)) {
      c.sendFrame(touchCall());
      byte[] reply = c.readFrame();
      assertThat(reply[0]).isEqualTo((byte) 17); // VALUE
    }
    assertThat(Tasks.touched.get()).isEqualTo(before + 1);
  }

  /**
   * A server of a test's own, whose log the other tests' rejections do not fill: the first rejection of each kind
   * is logged in full, the next ones within 10 s are summed up.
   */
  static WorkerServer fresh(Duration handshakeTimeout) throws Exception {
    return Servers.start(vertx, Servers.serverOptions().setHandshakeTimeout(handshakeTimeout));
  }

  @Test
  void aWrongSecret_isRejectedAndLogged_andNothingAfterItIsDecoded() throws Exception {
    int before = Tasks.touched.get();
    WorkerServer fresh = fresh(WorkerServerOptions.DEFAULT_HANDSHAKE_TIMEOUT);
    try (RawClient.Stderr err = new RawClient.Stderr(); RawClient c = new RawClient(fresh.actualPort()).hello()) {
      c.send(c.clientHello("not the secret, but long enough"));
      byte[] reject = c.in.readNBytes(Handshake.REJECT);
      assertThat(new String(reject, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("AQRX");
      assertThat(reject[4]).isEqualTo((byte) Handshake.REASON_PROOF);
      try {
        c.sendFrame(touchCall()); // too late: the server is closing
      } catch (java.io.IOException ignored) {
        // closed already
      }
      assertThat(c.closedByServer()).isTrue();
      assertThat(err.text()).contains("rejected 127.0.0.1:").contains("wrong secret")
          .contains("nothing it sent was decoded");
    } finally {
      await(fresh.close());
    }
    assertThat(Tasks.touched.get()).isEqualTo(before);
  }

  @Test
  void aCallSentAlongWithAWrongProof_isNeverDecoded() throws Exception {
    int before = Tasks.touched.get();
    WorkerServer fresh = fresh(WorkerServerOptions.DEFAULT_HANDSHAKE_TIMEOUT);
    try (RawClient.Stderr err = new RawClient.Stderr(); RawClient c = new RawClient(fresh.actualPort()).hello()) {
      byte[] hello = c.clientHello("not the secret, but long enough");
      byte[] call = touchCall();
      byte[] both = new byte[hello.length + 4 + call.length];
      System.arraycopy(hello, 0, both, 0, hello.length);
      both[hello.length + 3] = (byte) call.length;
      System.arraycopy(call, 0, both, hello.length + 4, call.length);
      c.send(both);
      assertThat(c.closedByServer()).isTrue();
      assertThat(err.text()).contains("rejected 127.0.0.1:");
    } finally {
      await(fresh.close());
    }
    assertThat(Tasks.touched.get()).isEqualTo(before);
  }

  @Test
  void noSecretAtAll_isRejected_andLogged() throws Exception {
    WorkerServer fresh = fresh(Duration.ofMillis(300));
    int freshPort = fresh.actualPort();
    try (RawClient.Stderr err = new RawClient.Stderr()) {
      try (RawClient c = new RawClient(freshPort).hello()) { // says nothing: timed out
        assertThat(c.closedByServer()).isTrue();
      }
      try (RawClient c = new RawClient(freshPort).hello()) { // speaks something else
        c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(c.closedByServer()).isTrue();
      }
      try (RawClient c = new RawClient(freshPort).hello()) { // the right record, with no proof
        c.send(c.clientHello(null));
        assertThat(c.closedByServer()).isTrue();
      }
      assertThat(err.text()).contains("no handshake within 300 ms").contains("does not speak the AsynQueue")
          .contains("wrong secret");
    } finally {
      await(fresh.close());
    }
  }

  @Test
  void aWorkerWithAWrongOrNoSecret_failsToAttach_atOnce() throws Exception {
    TaskQueue q = TaskQueue.create(vertx);
    assertThat(failure(q.attachWorker(RemoteWorker.create(vertx, Servers.workerOptions(port)
        .setSecret("not the secret, but long enough"))))).isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("rejected this worker's secret");
    assertThat(failure(q.attachWorker(RemoteWorker.create(vertx, Servers.workerOptions(port).setSecret(null)))))
        .isInstanceOf(AuthenticationException.class).hasMessageContaining("requires a secret");
    assertThat(q.size()).isZero();
    await(q.shutdown());
  }

  @Test
  void aServerThatCannotProveTheSecret_isNotTrusted() throws Exception {
    // an impostor: speaks the protocol, accepts anyone, cannot know the secret
    NetServer fake = vertx.createNetServer().connectHandler(s -> {
      s.write(Handshake.serverHello(Handshake.FLAG_SECRET, Handshake.nonce()));
      s.handler(b -> s.write(Handshake.welcome(Handshake.nonce())));
    });
    await(fake.listen(0, "127.0.0.1"));
    TaskQueue q = TaskQueue.create(vertx);
    assertThat(failure(q.attachWorker(RemoteWorker.create(vertx, Servers.workerOptions(fake.actualPort())))))
        .isInstanceOf(AuthenticationException.class).hasMessageContaining("could not prove it holds the secret");
    await(q.shutdown());
    await(fake.close());
  }

  @Test
  void aServerWithoutASecretOrClientCertificates_refusesToExist() {
    assertThatThrownBy(() -> WorkerServer.create(vertx, new Tasks(), new WorkerServerOptions()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("anyone could use");
    assertThatThrownBy(() -> new WorkerServerOptions().setSecret("short"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 16 bytes");
    assertThat(new WorkerServerOptions().getHost()).isEqualTo("127.0.0.1");
    assertThat(new WorkerServerOptions().setSecret(Servers.SECRET).toJson().encode()).doesNotContain(Servers.SECRET);
  }
}
