package io.asynqueue.remote;

import io.asynqueue.remote.internal.Handshake;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A TCP relay on 127.0.0.1 to a server's port that passes the handshake through and cuts each direction's stream
 * into frames after it, for a test to change, replay or drop frames of its first connection on the way: a man in the
 * middle who cannot know the secret. Later connections are relayed untouched.
 */
public final class TamperingRelay {

  /** What the relay does with the frames of one direction of the first connection. */
  public interface Tamper {
    /**
     * @param index the frame's index in its direction after the handshake (0: the server's HELLO frame, or the
     *     client's first frame)
     * @param frame the whole frame, length included
     * @return the frames to send instead (the frame itself to pass it on)
     */
    List<byte[]> frame(int index, byte[] frame);
  }

  private final Vertx vertx;
  private final int target;
  private final Tamper toServer;
  private final Tamper toClient;
  private final AtomicBoolean first = new AtomicBoolean(true);
  private NetServer server;

  /**
   * @param vertx the Vert.x instance
   * @param target the server's port
   * @param toServer what to do with the client's frames
   * @param toClient what to do with the server's frames
   */
  public TamperingRelay(Vertx vertx, int target, Tamper toServer, Tamper toClient) {
    this.vertx = vertx;
    this.target = target;
    this.toServer = toServer;
    this.toClient = toClient;
  }

  /** A tamper that passes every frame on. */
  public static List<byte[]> pass(int index, byte[] frame) {
    return List.of(frame);
  }

  /** @return a Future of the port it listens on */
  public Future<Integer> listen() {
    server = vertx.createNetServer().connectHandler(in -> {
      in.pause();
      boolean tamper = first.getAndSet(false);
      vertx.createNetClient().connect(target, "127.0.0.1").onSuccess(out -> {
        if (tamper) {
          in.handler(new Cutter(Handshake.CLIENT_HELLO, toServer, out));
          out.handler(new Cutter(Handshake.SERVER_HELLO + Handshake.WELCOME, toClient, in));
        } else {
          in.handler(out::write);
          out.handler(in::write);
        }
        in.closeHandler(v -> out.close());
        out.closeHandler(v -> in.close());
        in.exceptionHandler(e -> System.err.println("relay, from the client: " + e));
        out.exceptionHandler(e -> System.err.println("relay, from the server: " + e));
        in.resume();
      }).onFailure(e -> in.close());
    });
    return server.listen(0, "127.0.0.1").map(NetServer::actualPort);
  }

  /** @return a Future completed when it stopped listening */
  public Future<Void> close() {
    return server.close();
  }

  /** One direction: the handshake bytes as they come, then whole frames through the tamper. */
  private static final class Cutter implements io.vertx.core.Handler<Buffer> {
    private final Tamper tamper;
    private final NetSocket out;
    private int handshake;
    private Buffer pending = Buffer.buffer();
    private int index;

    Cutter(int handshake, Tamper tamper, NetSocket out) {
      this.handshake = handshake;
      this.tamper = tamper;
      this.out = out;
    }

    @Override
    public void handle(Buffer b) {
      if (handshake > 0) {
        int n = Math.min(handshake, b.length());
        out.write(b.getBuffer(0, n));
        handshake -= n;
        b = b.getBuffer(n, b.length());
      }
      pending.appendBuffer(b);
      while (pending.length() >= 4 && pending.length() >= 4 + pending.getInt(0)) {
        int n = 4 + pending.getInt(0);
        byte[] frame = pending.getBytes(0, n);
        pending = pending.getBuffer(n, pending.length());
        for (byte[] f : tamper.frame(index, frame)) {
          out.write(Buffer.buffer(f));
        }
        index++;
      }
    }
  }
}
