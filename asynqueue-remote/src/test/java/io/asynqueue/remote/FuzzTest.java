package io.asynqueue.remote;

import io.asynqueue.remote.server.WorkerServer;
import static io.asynqueue.remote.Servers.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.TaskQueue;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Garbage from an authenticated client, and garbage instead of a handshake: the server stays up, its memory stays
 * bounded, and a well-behaved client attached all along still works afterwards.
 */
@Timeout(120)
final class FuzzTest {

  static final int MAX_FRAME = 64 * 1024;

  /** One connection, its replies drained by a thread of its own. */
  static final class Conn implements AutoCloseable {
    final RawClient raw;
    final AtomicBoolean closed = new AtomicBoolean();

    Conn(int port) throws IOException {
      raw = new RawClient(port).authenticate(Servers.SECRET);
      Thread t = new Thread(() -> {
        byte[] sink = new byte[8192];
        try {
          InputStream in = raw.socket.getInputStream();
          while (in.read(sink) >= 0) {
            // replies and errors: read and dropped
          }
        } catch (IOException ignored) {
          // closed
        }
        closed.set(true);
      }, "fuzz-reader");
      t.setDaemon(true);
      t.start();
    }

    @Override
    public void close() throws IOException {
      raw.close();
    }
  }

  static byte[] varLong(long v) {
    byte[] tmp = new byte[10];
    int n = 0;
    while ((v & ~0x7FL) != 0) {
      tmp[n++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    tmp[n++] = (byte) v;
    return java.util.Arrays.copyOf(tmp, n);
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int off = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, off, p.length);
      off += p.length;
    }
    return out;
  }

  static byte[] random(Random r, int max) {
    byte[] b = new byte[r.nextInt(max + 1)];
    r.nextBytes(b);
    if (b.length > 0 && r.nextInt(4) == 0) {
      // lengths that lie: a byte that starts a long varint
      b[r.nextInt(b.length)] = (byte) 0xff;
    }
    return b;
  }

  static long usedHeap() {
    System.gc();
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  @Test
  void tenThousandBadFrames_leaveTheServerUp_andBounded() throws Exception {
    Vertx vertx = Vertx.vertx();
    WorkerServer server = Servers.start(vertx, Servers.serverOptions().setMaxFrameBytes(MAX_FRAME));
    int port = server.actualPort();
    TaskQueue q = TaskQueue.create(vertx);
    RemoteWorker good = RemoteWorker.create(vertx, Servers.workerOptions(port));
    await(q.attachWorker(good));
    assertThat(await(q.<Integer>call(Remote.named("add"), 1, 2))).isEqualTo(3);
    long heapBefore = usedHeap();
    int touchedBefore = Tasks.touched.get();

    Random r = new Random(1978);
    int frames = 0;
    int connections = 0;
    long ids = 1;
    Conn c = null;
    while (frames < 10_000) {
      if (c == null || c.closed.get()) {
        if (c != null) {
          c.close();
        }
        c = new Conn(port);
        connections++;
      }
      int kind = r.nextInt(100);
      try {
        if (kind < 70) { // a call with a valid header and a random body: refused, the connection carries on
          byte[] body = concat(new byte[] {1}, varLong(ids++), new byte[] {(byte) r.nextInt(4)},
              new byte[] {(byte) r.nextInt(2)}, random(r, 300));
          c.raw.sendFrame(body);
        } else if (kind < 80) { // credit, close, cancel, ping with random numbers
          byte[] body = concat(new byte[] {(byte) (2 + r.nextInt(4))}, random(r, 20));
          c.raw.sendFrame(body);
        } else if (kind < 92) { // anything at all
          c.raw.sendFrame(concat(new byte[] {(byte) r.nextInt(256)}, random(r, 2000)));
        } else if (kind < 97) { // truncated: the length promises more than comes, then the client leaves
          byte[] body = random(r, 5000);
          int claimed = body.length + 1 + r.nextInt(MAX_FRAME - body.length);
          c.raw.send(concat(new byte[] {(byte) (claimed >>> 24), (byte) (claimed >>> 16), (byte) (claimed >>> 8),
              (byte) claimed}, body));
          c.close();
          c = null;
        } else { // oversized: refused from the header alone
          int claimed = MAX_FRAME + 1 + r.nextInt(Integer.MAX_VALUE - MAX_FRAME - 1);
          c.raw.send(new byte[] {(byte) (claimed >>> 24), (byte) (claimed >>> 16), (byte) (claimed >>> 8),
              (byte) claimed, 1, 2, 3});
          c.close();
          c = null;
        }
        frames++;
      } catch (IOException e) {
        if (c != null) {
          c.close();
        }
        c = null; // the server closed it: a new connection
      }
    }
    if (c != null) {
      c.close();
    }

    // garbage instead of a handshake
    int handshakes = 0;
    for (int i = 0; i < 300; i++) {
      try (RawClient raw = new RawClient(port).hello()) {
        byte[] junk = random(r, 200);
        if (r.nextBoolean() && junk.length >= 5) {
          System.arraycopy("AQR1".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, junk, 0, 4);
          junk[4] = 1;
        }
        raw.send(junk);
        handshakes++;
      } catch (IOException ignored) {
        // refused mid-write: fine
      }
    }

    // still up and serving: the good client never lost its connection, a new one gets in
    assertThat(good.isConnected()).isTrue();
    assertThat(await(q.<Integer>call(Remote.named("add"), 20, 22))).isEqualTo(42);
    TaskQueue q2 = TaskQueue.create(vertx);
    await(q2.attachWorker(RemoteWorker.create(vertx, Servers.workerOptions(port))));
    assertThat(await(q2.<String>call(Remote.named("echo"), "after the storm"))).isEqualTo("after the storm");
    assertThat(Tasks.touched.get()).isEqualTo(touchedBefore);
    long grown = usedHeap() - heapBefore;
    System.out.printf("fuzz: %d frames over %d connections, %d bad handshakes; heap grew by %d KiB%n", frames,
        connections, handshakes, grown / 1024);
    assertThat(frames).isGreaterThanOrEqualTo(10_000);
    assertThat(grown).isLessThan(64L << 20);
    await(q.shutdown());
    await(q2.shutdown());
    await(server.close());
    await(vertx.close());
  }
}
