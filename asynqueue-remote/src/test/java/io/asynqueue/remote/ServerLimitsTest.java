package io.asynqueue.remote;

import static io.asynqueue.remote.Servers.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.TaskQueue;
import io.asynqueue.remote.server.WorkerServer;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server's limits against clients that hold connections open or guess the secret: the caps on connections in
 * their handshake and on all connections, the handshake deadline, the per-address throttle after failed proofs, and
 * a log that says all this in a few lines.
 */
@Timeout(120)
final class ServerLimitsTest {

  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
  }

  /**
   * @return whether the server greeted the connection with its HELLO, rather than closing it at once without a
   *     word (a refusal)
   */
  static boolean greeted(Socket s) throws IOException {
    s.setSoTimeout(30_000);
    try {
      return s.getInputStream().read() >= 0;
    } catch (SocketException reset) {
      return false;
    }
  }

  /** @return whether the server closed the connection (within 30 s), reading what it sent until then */
  static boolean closedByServer(Socket s) throws IOException {
    s.setSoTimeout(30_000);
    InputStream in = s.getInputStream();
    try {
      while (in.read() >= 0) {
        // its HELLO
      }
      return true;
    } catch (SocketException reset) {
      return true;
    }
  }

  static long lines(String text, String containing) {
    return text.lines().filter(l -> l.contains(containing)).count();
  }

  @Test
  void twoHundredIdleConnections_holdNoMorePlacesThanTheCap_andARealClientGetsInOnceTheyClose()
      throws Exception {
    WorkerServer server = Servers.start(vertx, Servers.serverOptions().setMaxStartups(5, 50, 20)
        .setHandshakeTimeout(Duration.ofSeconds(60)));
    int port = server.actualPort();
    List<Socket> idle = new ArrayList<>();
    int greeted = 0;
    try (RawClient.Stderr err = new RawClient.Stderr()) {
      for (int i = 0; i < 200; i++) {
        Socket s = new Socket("127.0.0.1", port);
        idle.add(s);
        if (greeted(s)) {
          greeted++;
        }
      }
      // as MaxStartups 5:50:20: the first 5 always greeted, then fewer and fewer, none from 20 on
      assertThat(greeted).isBetween(5, 20);
      for (Socket s : idle) {
        s.close();
      }
      // once they are closed, a real client gets in (it retries while the server hears of the closes)
      TaskQueue q = TaskQueue.create(vertx);
      await(q.attachWorker(RemoteWorker.create(vertx, Servers.workerOptions(port))));
      assertThat(await(q.<Integer>call(Remote.named("add"), 40, 2))).isEqualTo(42);
      await(q.shutdown());
      String log = err.text();
      // refused cheaply: no stack trace, no file trouble, and 180-odd refusals in a line (and a summary)
      assertThat(log).doesNotContain("Too many open files").doesNotContain("\tat ");
      assertThat(lines(log, "rejected")).isLessThanOrEqualTo(3);
      assertThat(log).contains("over the cap of unauthenticated connections");
    } finally {
      for (Socket s : idle) {
        s.close();
      }
      await(server.close());
    }
  }

  @Test
  void aConnectionSilentPastTheHandshakeDeadline_isClosed_andGivesItsPlaceBack() throws Exception {
    WorkerServer server = Servers.start(vertx, Servers.serverOptions().setMaxStartups("2")
        .setHandshakeTimeout(Duration.ofMillis(500)));
    int port = server.actualPort();
    try (Socket a = new Socket("127.0.0.1", port); Socket b = new Socket("127.0.0.1", port)) {
      assertThat(greeted(a)).isTrue();
      assertThat(greeted(b)).isTrue();
      try (Socket c = new Socket("127.0.0.1", port)) {
        assertThat(greeted(c)).isFalse(); // two in their handshake: the cap
      }
      assertThat(closedByServer(a)).isTrue(); // at the deadline
      assertThat(closedByServer(b)).isTrue();
      TaskQueue q = TaskQueue.create(vertx);
      await(q.attachWorker(RemoteWorker.create(vertx, Servers.workerOptions(port))));
      assertThat(await(q.<Integer>call(Remote.named("add"), 1, 2))).isEqualTo(3);
      await(q.shutdown());
    } finally {
      await(server.close());
    }
  }

  @Test
  void theConnectionCap_countsAuthenticatedConnectionsToo() throws Exception {
    WorkerServer server = Servers.start(vertx, Servers.serverOptions().setMaxConnections(3));
    int port = server.actualPort();
    List<RawClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        clients.add(new RawClient(port).authenticate(Servers.SECRET));
      }
      try (Socket fourth = new Socket("127.0.0.1", port)) {
        assertThat(greeted(fourth)).isFalse();
      }
      for (RawClient c : clients) {
        c.close();
      }
      TaskQueue q = TaskQueue.create(vertx);
      await(q.attachWorker(RemoteWorker.create(vertx, Servers.workerOptions(port))));
      assertThat(await(q.<Integer>call(Remote.named("add"), 2, 2))).isEqualTo(4);
      await(q.shutdown());
    } finally {
      for (RawClient c : clients) {
        c.close();
      }
      await(server.close());
    }
  }

  @Test
  void guessingTheSecret_isThrottledPerAddress_andLoggedInAFewLines_whileTheRightSecretGetsIn()
      throws Exception {
    WorkerServer server = Servers.start(vertx, Servers.serverOptions().setMaxAuthFailures(3)
        .setAuthFailureBlock(Duration.ofSeconds(60)));
    int port = server.actualPort();
    try (RawClient.Stderr err = new RawClient.Stderr()) {
      List<String> outcomes = new ArrayList<>();
      for (int i = 0; i < 30; i++) { // a guesser on 127.0.0.2
        try (RawClient c = new RawClient(port, "127.0.0.2")) {
          c.serverHello = c.in.readNBytes(38);
          if (c.serverHello.length < 38) {
            outcomes.add("refused");
            continue;
          }
          c.serverNonce = java.util.Arrays.copyOfRange(c.serverHello, 6, 38);
          c.send(c.clientHello("a wrong guess, number " + i));
          byte[] reply = c.in.readNBytes(5);
          outcomes.add(new String(reply, 0, Math.min(4, reply.length), StandardCharsets.US_ASCII));
        } catch (SocketException reset) {
          outcomes.add("refused");
        }
      }
      // three guesses judged and rejected, then the address is refused before any handshake
      assertThat(outcomes.subList(0, 3)).containsOnly("AQRX");
      assertThat(outcomes.subList(3, 30)).containsOnly("refused");
      String burst = err.text();
      assertThat(lines(burst, "rejected 127.0.0.2")).isLessThanOrEqualTo(3); // not one per guess
      assertThat(burst).contains("wrong secret").contains("throttled after failed proofs");

      // another client, with the right secret, gets in and works
      TaskQueue q = TaskQueue.create(vertx);
      await(q.attachWorker(RemoteWorker.create(vertx, Servers.workerOptions(port))));
      assertThat(await(q.<Integer>call(Remote.named("add"), 20, 22))).isEqualTo(42);
      await(q.shutdown());
      // the guesser's address does not, even with the right secret, until its block ends
      try (RawClient c = new RawClient(port, "127.0.0.2")) {
        assertThat(c.in.readNBytes(38)).isEmpty();
      }

      // the rest is summed up in one line at the end of the interval (10 s), with counts and addresses
      String summary = null;
      for (int i = 0; i < 300 && summary == null; i++) {
        summary = err.text().lines().filter(l -> l.contains("more connection(s) in the last")) // this server's:
            .filter(l -> l.contains("127.0.0.2")).findFirst()                                   // others' may come
            .orElse(null);
        if (summary == null) {
          Thread.sleep(100); // polling the log: the summary has no Future
        }
      }
      // the first of each kind was logged in full: 2 more wrong secrets, 26 more refused (27 with the last try,
      // unless this machine was so slow that it fell in the next interval)
      assertThat(summary).isNotNull().contains("2 wrong secret").containsPattern("2[67] throttled after failed proofs")
          .containsPattern("127\\.0\\.0\\.2 2[89]");
    } finally {
      await(server.close());
    }
  }
}
