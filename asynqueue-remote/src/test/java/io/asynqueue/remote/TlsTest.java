package io.asynqueue.remote;

import io.asynqueue.remote.server.WorkerServer;
import static io.asynqueue.remote.Servers.await;
import static io.asynqueue.remote.Servers.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.TaskQueue;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** TLS with client certificates, from PEM files made at test time: with no secret, and with one. */
@Timeout(120)
final class TlsTest {

  @TempDir
  static Path dir;
  static TestCertificates.Pem serverPem;
  static TestCertificates.Pem clientPem;
  static TestCertificates.Pem strangerPem;
  static Vertx vertx;
  static WorkerServer server;

  @BeforeAll
  static void start() throws Exception {
    serverPem = TestCertificates.make(dir, "server");
    clientPem = TestCertificates.make(dir, "client");
    strangerPem = TestCertificates.make(dir, "stranger");
    vertx = Vertx.vertx();
    server = Servers.start(vertx, Servers.serverOptions().setSecret(null).setNetServerOptions(tlsServer()));
  }

  @AfterAll
  static void stop() throws Exception {
    await(server.close());
    await(vertx.close());
  }

  static NetServerOptions tlsServer() {
    return new NetServerOptions().setSsl(true)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(serverPem.cert().toString())
            .setKeyPath(serverPem.key().toString()))
        .setClientAuth(ClientAuth.REQUIRED)
        .setTrustOptions(new PemTrustOptions().addCertPath(clientPem.cert().toString()));
  }

  static NetClientOptions tlsClient(TestCertificates.Pem identity) {
    NetClientOptions o = new NetClientOptions().setSsl(true).setHostnameVerificationAlgorithm("HTTPS")
        .setTrustOptions(new PemTrustOptions().addCertPath(serverPem.cert().toString()));
    if (identity != null) {
      o.setKeyCertOptions(new PemKeyCertOptions().setCertPath(identity.cert().toString())
          .setKeyPath(identity.key().toString()));
    }
    return o;
  }

  @Test
  void aTrustedClientCertificate_getsIn_withoutASecret() throws Exception {
    TaskQueue q = TaskQueue.create(vertx);
    await(q.attachWorker(RemoteWorker.create(vertx, Servers.workerOptions(server.actualPort()).setSecret(null)
        .setNetClientOptions(tlsClient(clientPem)))));
    assertThat(await(q.<Integer>call(Remote.named("add"), 40, 2))).isEqualTo(42);
    byte[] big = await(q.call(Remote.named("bytes"), 3_000_000));
    assertThat(big).hasSize(3_000_000);
    await(q.shutdown());
  }

  @Test
  void noCertificateOrAnUntrustedOne_isRejected_andLogged() throws Exception {
    TaskQueue q = TaskQueue.create(vertx);
    try (RawClient.Stderr err = new RawClient.Stderr()) {
      assertThat(failure(q.attachWorker(RemoteWorker.create(vertx, Servers.workerOptions(server.actualPort())
          .setSecret(null).setReconnectAttempts(1).setNetClientOptions(tlsClient(null)))))).isNotNull();
      assertThat(failure(q.attachWorker(RemoteWorker.create(vertx, Servers.workerOptions(server.actualPort())
          .setSecret(null).setReconnectAttempts(1).setNetClientOptions(tlsClient(strangerPem)))))).isNotNull();
      assertThat(err.text()).contains("TLS handshake failed");
    }
    assertThat(q.size()).isZero();
    await(q.shutdown());
  }

  /**
   * Connections in their TLS handshake count as unauthenticated: Vert.x's TLS ran before the server saw a connection,
   * so any number of them could sit in their TLS handshake, past every cap, until Vert.x's own 10 s deadline.
   */
  @Test
  void connectionsInTheirTlsHandshake_countAgainstTheCapOfUnauthenticatedOnes() throws Exception {
    WorkerServer capped = Servers.start(vertx, Servers.serverOptions().setSecret(null).setMaxStartups("2")
        .setHandshakeTimeout(java.time.Duration.ofSeconds(60))
        .setNetServerOptions(tlsServer().setSslHandshakeTimeout(60)));
    int port = capped.actualPort();
    try (java.net.Socket a = new java.net.Socket("127.0.0.1", port);
        java.net.Socket b = new java.net.Socket("127.0.0.1", port);
        java.net.Socket c = new java.net.Socket("127.0.0.1", port)) {
      // a and b say nothing: two connections in their TLS handshake, the cap. The third is closed at once (with no
      // cap it would wait for its ClientHello for 60 s: the read's 30 s deadline would fail this test).
      c.setSoTimeout(30_000);
      assertThat(c.getInputStream().read()).isEqualTo(-1);
      a.close();
      b.close();
      // once they are closed, a real client gets in (it retries while the server hears of the closes)
      TaskQueue q = TaskQueue.create(vertx);
      await(q.attachWorker(RemoteWorker.create(vertx, Servers.workerOptions(port).setSecret(null)
          .setNetClientOptions(tlsClient(clientPem)))));
      assertThat(await(q.<Integer>call(Remote.named("add"), 2, 3))).isEqualTo(5);
      await(q.shutdown());
    } finally {
      await(capped.close());
    }
  }

  @Test
  void tlsAndASecretTogether_needBoth() throws Exception {
    WorkerServer both = Servers.start(vertx, Servers.serverOptions().setNetServerOptions(tlsServer()));
    TaskQueue q = TaskQueue.create(vertx);
    await(q.attachWorker(RemoteWorker.create(vertx, Servers.workerOptions(both.actualPort())
        .setNetClientOptions(tlsClient(clientPem)))));
    assertThat(await(q.<Integer>call(Remote.named("add"), 1, 2))).isEqualTo(3);
    // the right certificate without the secret is not enough
    assertThat(failure(q.attachWorker(RemoteWorker.create(vertx, Servers.workerOptions(both.actualPort())
        .setSecret(null).setNetClientOptions(tlsClient(clientPem)))))).isInstanceOf(AuthenticationException.class);
    await(q.shutdown());
    await(both.close());
  }
}
