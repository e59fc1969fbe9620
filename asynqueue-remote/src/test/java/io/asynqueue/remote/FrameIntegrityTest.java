package io.asynqueue.remote;

import static io.asynqueue.remote.Servers.await;
import static io.asynqueue.remote.Servers.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.TaskQueue;
import io.asynqueue.WorkerLostException;
import io.asynqueue.remote.server.WorkerServer;
import io.vertx.core.Vertx;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Someone in the middle of a connection, after its handshake, who cannot know the secret: a frame changed or
 * replayed on the way fails its tag, the connection closes, the call fails typed and nothing runs twice or changed;
 * the queue carries on. The relay tampers with the first connection of each worker only, so its next one works.
 */
@Timeout(60)
final class FrameIntegrityTest {

  static Vertx vertx;
  static WorkerServer server;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    server = Servers.start(vertx, Servers.serverOptions());
  }

  @AfterAll
  static void stop() throws Exception {
    await(server.close());
    await(vertx.close());
  }

  static byte[] flipped(byte[] frame, int at) {
    byte[] f = frame.clone();
    f[at] ^= 0x01;
    return f;
  }

  /** A queue with one worker, through a relay that tampers with its first connection. */
  static TaskQueue through(TamperingRelay relay) throws Exception {
    int port = await(relay.listen());
    TaskQueue q = TaskQueue.create(vertx);
    await(q.attachWorker(RemoteWorker.create(vertx, Servers.workerOptions(port))));
    return q;
  }

  @Test
  void aReplyChangedOnTheWay_failsTheCallTyped_andTheQueueCarriesOnWithAnotherWorker()
      throws Exception {
    // the server's frames: 0 is its HELLO, 1 the first reply; a bit of the reply's value flipped
    TamperingRelay relay = new TamperingRelay(vertx, server.actualPort(), TamperingRelay::pass,
        (i, f) -> List.of(i == 1 ? flipped(f, f.length - 17) : f));
    TaskQueue q = through(relay);
    Throwable e = failure(q.call(Remote.named("add"), 20, 22));
    assertThat(e).isInstanceOf(WorkerLostException.class).hasMessageContaining("integrity check");
    // another worker takes the calls; the tampered one reconnects (untouched now) and takes them too
    await(q.attachWorker(RemoteWorker.create(vertx, Servers.workerOptions(server.actualPort()))));
    for (int i = 0; i < 20; i++) {
      assertThat(await(q.<Integer>call(Remote.named("add"), i, 1))).isEqualTo(i + 1);
    }
    await(q.shutdown());
    await(relay.close());
  }

  @Test
  void aCallChangedOnTheWay_isNeverRun_andFailsTyped() throws Exception {
    int before = Tasks.touched.get();
    // the client's frames: 0 is its first call; the last byte of its body (before the tag) flipped
    TamperingRelay relay = new TamperingRelay(vertx, server.actualPort(),
        (i, f) -> List.of(i == 0 ? flipped(f, f.length - 17) : f), TamperingRelay::pass);
    TaskQueue q = through(relay);
    try (RawClient.Stderr err = new RawClient.Stderr()) {
      assertThat(failure(q.call(Remote.named("touch")))).isInstanceOf(WorkerLostException.class);
      assertThat(err.text()).contains("failed its integrity check");
    }
    assertThat(Tasks.touched.get()).isEqualTo(before);
    assertThat(await(q.<Integer>call(Remote.named("add"), 1, 2))).isEqualTo(3); // reconnected
    await(q.shutdown());
    await(relay.close());
  }

  @Test
  void aCallReplayedOnTheWay_runsOnce_andClosesTheConnection() throws Exception {
    int before = Tasks.touched.get();
    byte[][] firstCall = new byte[1][];
    // the client's second frame is replaced by its first, sent again: a replay of a call that did run
    TamperingRelay relay = new TamperingRelay(vertx, server.actualPort(), (i, f) -> {
      if (i == 0) {
        firstCall[0] = f;
      }
      return List.of(i == 1 ? firstCall[0] : f);
    }, TamperingRelay::pass);
    TaskQueue q = through(relay);
    assertThat(await(q.<Integer>call(Remote.named("touch")))).isEqualTo(before + 1);
    try (RawClient.Stderr err = new RawClient.Stderr()) {
      assertThat(failure(q.call(Remote.named("touch")))).isInstanceOf(WorkerLostException.class);
      assertThat(err.text()).contains("failed its integrity check");
    }
    assertThat(Tasks.touched.get()).isEqualTo(before + 1);
    assertThat(await(q.<Integer>call(Remote.named("touch")))).isEqualTo(before + 2); // reconnected
    await(q.shutdown());
    await(relay.close());
  }

  @Test
  void framesReorderedOnTheWay_closeTheConnection() throws Exception {
    byte[][] held = new byte[1][];
    // the server's first two frames after its HELLO swapped: each is genuine, in the wrong place
    TamperingRelay relay = new TamperingRelay(vertx, server.actualPort(), TamperingRelay::pass, (i, f) -> {
      if (i == 1) {
        held[0] = f;
        return List.of();
      }
      return i == 2 ? List.of(f, held[0]) : List.of(f);
    });
    TaskQueue q = through(relay);
    var a = q.<String>call(Remote.named("sleep"), 300L);
    var b = q.<Integer>call(Remote.named("add"), 1, 1);
    assertThat(failure(b)).isInstanceOf(WorkerLostException.class).hasMessageContaining("integrity check");
    assertThat(failure(a)).isInstanceOf(WorkerLostException.class);
    await(q.shutdown());
    await(relay.close());
  }
}
