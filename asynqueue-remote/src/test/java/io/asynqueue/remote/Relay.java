package io.asynqueue.remote;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A TCP relay on 127.0.0.1 to a server's port, whose connections a test can drop or cut. */
public final class Relay {

  private final Vertx vertx;
  private final int target;
  private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
  private NetServer server;

  public Relay(Vertx vertx, int target) {
    this.vertx = vertx;
    this.target = target;
  }

  /**
   * @param port the port to listen on, 0 for any
   * @return the port it listens on
   */
  public Future<Integer> listen(int port) {
    server = vertx.createNetServer().connectHandler(in -> {
      in.pause();
      sockets.add(in);
      vertx.createNetClient().connect(target, "127.0.0.1").onSuccess(out -> {
        sockets.add(out);
        in.pipeTo(out);
        out.pipeTo(in);
        in.resume();
      }).onFailure(e -> in.close());
    });
    return server.listen(port, "127.0.0.1").map(NetServer::actualPort);
  }

  /** Closes the connections it relays, and goes on listening: a connection lost, the server still there. */
  public void drop() {
    sockets.forEach(NetSocket::close);
    sockets.clear();
  }

  /** @return a Future completed when it has dropped its connections and stopped listening */
  public Future<Void> cut() {
    drop();
    return server.close();
  }
}
