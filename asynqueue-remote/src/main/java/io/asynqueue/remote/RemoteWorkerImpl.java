package io.asynqueue.remote;

import io.asynqueue.internal.channel.ChannelOptions;
import io.asynqueue.internal.channel.ChannelWorker;
import io.asynqueue.internal.channel.Hello;
import io.asynqueue.spi.ForwardingWorker;
import io.asynqueue.spi.Job;
import io.asynqueue.spi.Worker;
import io.asynqueue.spi.WorkerSupervisor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
// Vert.x internal API (listed in InternalImportsTest): a context of its own on the caller's event loop, with a close
// future only this worker closes (VertxInternal.contextBuilder, CloseFuture), as RemoteTransport needs it.
import io.vertx.core.internal.CloseFuture;
import io.vertx.core.internal.ContextBuilder;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The remote worker: the channel kernel ({@link ChannelWorker}) over a TCP connection to a server
 * ({@link RemoteTransport}). Timeouts cancel the call on the server; a lost connection is opened again with
 * backoff, the queue replaying its updates there first; after the configured attempts in a row the worker
 * resigns.
 */
final class RemoteWorkerImpl extends ForwardingWorker implements RemoteWorker {

  private final VertxInternal vertx;
  private final RemoteWorkerOptions options;
  private final String address;
  private final ChannelWorker channel;
  private volatile NetClient client;
  /** Made at start: its connections live on the context current then. */
  private volatile RemoteTransport transport;

  /**
   * @param vertx the Vert.x instance
   * @param options the options
   */
  RemoteWorkerImpl(Vertx vertx, RemoteWorkerOptions options) {
    this.vertx = (VertxInternal) vertx;
    this.options = new RemoteWorkerOptions(options);
    this.address = options.getHost() + ":" + options.getPort();
    ClassLoader l = Thread.currentThread().getContextClassLoader();
    int maxInFlight = this.options.getMaxInFlight();
    this.channel = new ChannelWorker((generation, listener) -> transport.open(generation, listener),
        new ChannelOptions()
            .label("remote worker")
            .series(this.options.getSeries())
            .codec(false, l != null ? l : RemoteWorkerImpl.class.getClassLoader())
            .iteration(this.options.getPrefetch(), this.options.getPrefetchBytes(), 1)
            .capacity(advertised -> maxInFlight > 0 ? Math.min(maxInFlight, advertised) : advertised)
            .backoff(this.options.getReconnectAttempts(), 0, this.options.getReconnectDelay(),
                this.options.getMaxReconnectDelay(), true), WorkerLog.log);
  }

  @Override
  protected Worker delegate() {
    return channel;
  }

  @Override
  public Future<Void> start(WorkerSupervisor supervisor) {
    ContextInternal current = vertx.getOrCreateContext();
    // The connections live on a context of their own, on the caller's event loop, with a close future nobody closes
    // but this worker: a NetClient made on the caller's context would close with the caller's verticle (or with
    // Vert.x) at once, cutting the calls in flight, while the queue detaches this worker gracefully.
    ContextBuilder own = vertx.contextBuilder().withEventLoop(current.nettyEventLoop())
        .withCloseFuture(new CloseFuture());
    if (current.classLoader() != null) {
      own.withClassLoader(current.classLoader());
    }
    ContextInternal context = own.build();
    NetClientOptions netOptions = new NetClientOptions(options.getNetClientOptions())
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, options.getConnectTimeout().toMillis()))
        .setTcpNoDelay(true);
    Object[] made = new Object[1];
    context.dispatch(v -> { // made while the context is current, the client is registered on its close future
      try {
        made[0] = vertx.createNetClient(netOptions);
      } catch (RuntimeException e) {
        made[0] = e;
      }
    });
    if (made[0] instanceof RuntimeException e) {
      return Future.failedFuture(e);
    }
    NetClient c = (NetClient) made[0];
    client = c;
    byte[] secret = options.getSecret() == null ? null : options.getSecret().getBytes(StandardCharsets.UTF_8);
    transport = new RemoteTransport(context, c, options, secret, channel::workerId, supervisor::handshakeRefused);
    return channel.start(supervisor);
  }

  @Override
  public Future<Void> stop() {
    // completes once the connections are closed too: a queue shut down (or closed with Vert.x) leaves no socket open
    return channel.stop().eventually(this::closeClient);
  }

  @Override
  public List<Job> crash() {
    List<Job> held = channel.crash();
    closeClient();
    return held;
  }

  private Future<Void> closeClient() {
    NetClient c = client;
    return c == null ? Future.succeededFuture() : c.close();
  }

  @Override
  public int serverConcurrency() {
    Hello h = channel.hello();
    return h == null ? 0 : h.concurrency();
  }

  @Override
  public boolean isConnected() {
    return channel.isConnected();
  }

  @Override
  public String address() {
    return address;
  }

  @Override
  public String toString() {
    return "RemoteWorker(" + address + ")";
  }
}
