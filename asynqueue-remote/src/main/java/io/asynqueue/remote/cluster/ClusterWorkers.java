package io.asynqueue.remote.cluster;

import io.asynqueue.DetachMode;
import io.asynqueue.QueueShutdownException;
import io.asynqueue.TaskQueue;
import io.asynqueue.remote.AuthenticationException;
import io.asynqueue.remote.RemoteWorker;
import io.asynqueue.remote.RemoteWorkerOptions;
import io.asynqueue.remote.cluster.ClusterQueue.WorkerEvent;
import io.asynqueue.remote.server.WorkerServer;
import io.asynqueue.remote.server.WorkerServerInternal;
import io.asynqueue.spi.Job;
import io.asynqueue.spi.Worker;
import io.asynqueue.spi.WorkerSupervisor;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
// Vert.x internal API (listed in InternalImportsTest): its getOrCreateContext() is a ContextInternal, for a promise
// that calls back on the caller's context; no public API makes one.
import io.vertx.core.internal.VertxInternal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A {@link io.asynqueue.remote.cluster.ClusterQueue}'s side of the pool: a remote worker attached for each server the
 * {@link ClusterDirectory} reports, detached when it leaves or its node is lost. Its state is touched on one context
 * only.
 */
final class ClusterWorkers implements ClusterDirectory.Listener {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ClusterQueue.class);
  private static final org.slf4j.Logger serverLog = org.slf4j.LoggerFactory.getLogger(WorkerServer.class);

  /** How long a server whose worker gave up stays unattached before it is tried again, if still in the pool. */
  static final long RETRY_MILLIS = 5_000;

  /** A server of the pool, and its worker. */
  private static final class Node {
    final String key;
    final String nodeId;
    final String address;
    int workerId;
    DetachMode departed;
    /** Its worker, and the Future of its start (pending while it connects). */
    RemoteWorker remote;
    Future<Void> starting;

    Node(String key, String nodeId, String address) {
      this.key = key;
      this.nodeId = nodeId;
      this.address = address;
    }
  }

  private record Awaiter(int count, Promise<Void> promise) {
  }

  private final Vertx vertx;
  private final Context context;
  private final String pool;
  private final TaskQueue queue;
  private final RemoteWorkerOptions template;
  private final ClusterDirectory directory;
  private final Future<ClusterDirectory.Watch> watch;
  /** The servers in the pool, by key: node ID and address. */
  private final Map<String, String> registered = new LinkedHashMap<>();
  /** The servers attached or being attached, by key. */
  private final Map<String, Node> nodes = new LinkedHashMap<>();
  private final List<Awaiter> awaiters = new ArrayList<>();
  private volatile List<String> attached = List.of();
  private volatile Handler<WorkerEvent> handler;
  private boolean closed;

  /**
   * Starts watching the pool.
   *
   * @param vertx the clustered Vert.x instance
   * @param pool the pool
   * @param queue the queue to attach workers to
   * @param template the workers' options, but for host and port
   * @throws IllegalArgumentException if Vert.x is not clustered with Hazelcast
   */
  /** See {@link ClusterQueue#join}. */
  static Future<Integer> join(WorkerServerInternal server, String pool) {
    ClusterDirectory directory = Clustering.directory(server.vertx(), pool);
    if (server.isClosing()) {
      return Future.failedFuture(new IllegalStateException("the server is closed"));
    }
    Future<Integer> listening = server.actualPort() != 0 ? Future.succeededFuture(server.actualPort()) : server.listen();
    return listening.compose(p -> {
      String host = server.options().getHost();
      if (host.equals("0.0.0.0") || host.equals("::") || host.isEmpty()) {
        host = directory.localHost();
      }
      String address = (host.contains(":") ? "[" + host + "]" : host) + ":" + p;
      if (isLoopback(host) && !isLoopback(directory.localHost())) {
        serverLog.warn("AsynQueue WorkerServer joins the pool '{}' at {}, a loopback address, while its cluster node "
            + "is at {}: queues on other hosts cannot reach it there; listen on this host's address "
            + "(WorkerServerOptions.setHost, serve --host)", pool, address, directory.localHost());
      }
      return directory.register(address, server.options().getSecret()).compose(registration -> {
        Supplier<Future<Void>> leave = registration::unregister;
        if (!server.beforeClose(leave)) { // closed while registering: undo it here
          return registration.unregister().transform(x ->
              Future.failedFuture(new IllegalStateException("the server closed while joining the pool")));
        }
        serverLog.info("AsynQueue WorkerServer {} joined the pool '{}'", address, pool);
        return Future.succeededFuture(p);
      });
    });
  }

  private static boolean isLoopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]");
  }

  ClusterWorkers(Vertx vertx, String pool, TaskQueue queue, RemoteWorkerOptions template) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.pool = pool;
    this.queue = queue;
    this.template = new RemoteWorkerOptions(template);
    this.directory = Clustering.directory(vertx, pool);
    this.watch = directory.watch(context, this.template.getSecret(), this);
    watch.onFailure(e -> log.error("cannot watch the pool '{}': {}", pool, e.toString()));
  }

  /** @return a Future completed once the pool is watched and its servers of now reported */
  public Future<Void> ready() {
    Promise<Void> promise = callerPromise();
    watch.onComplete(ar -> {
      if (ar.succeeded()) {
        promise.tryComplete();
      } else {
        promise.tryFail(ar.cause());
      }
    });
    return promise.future();
  }

  /**
   * @param count how many
   * @return a Future completed once at least {@code count} workers are attached
   */
  public Future<Void> awaitWorkers(int count) {
    Promise<Void> promise = callerPromise();
    context.runOnContext(v -> {
      if (closed) {
        promise.tryFail(new QueueShutdownException("the cluster queue of pool '" + pool + "' is shut down"));
      } else {
        awaiters.add(new Awaiter(count, promise));
        wakeAwaiters();
      }
    });
    return promise.future();
  }

  /** @return the addresses of the attached servers */
  public List<String> addresses() {
    return attached;
  }

  /** @param handler the new event handler, or {@code null} */
  public void handler(Handler<WorkerEvent> handler) {
    this.handler = handler;
  }

  /**
   * Stops watching; the attached workers stay, for the queue's shutdown to let go, but for those of nodes no longer in
   * the cluster: they are let go as lost, whether or not the cluster's event saying so came before the watch closed.
   *
   * @return a Future completed once the watch is closed
   */
  public Future<Void> close() {
    Promise<Void> promise = callerPromise();
    context.runOnContext(v -> {
      closed = true;
      for (Awaiter a : awaiters) {
        a.promise().tryFail(new QueueShutdownException("the cluster queue of pool '" + pool + "' is shut down"));
      }
      awaiters.clear();
      watch.onComplete(ar -> {
        if (ar.succeeded()) {
          context.executeBlocking(() -> {
            ar.result().close();
            return null;
          }, false).onComplete(x -> {
            loseDeparted();
            promise.complete();
          });
        } else {
          promise.complete();
        }
      });
    });
    return promise.future();
  }

  /**
   * Once the watch is closed: the nodes that left the cluster without this class hearing of it, lost. Hazelcast
   * updates its member list before it publishes the event of a member's removal, and does not publish it to a
   * listener removed meanwhile: a queue shut down in between would otherwise keep a worker still connecting to a
   * server that is gone, and its shutdown would wait for that worker to give up. On the context.
   */
  private void loseDeparted() {
    Set<String> gone = new LinkedHashSet<>();
    for (Node node : nodes.values()) {
      if (!directory.isMember(node.nodeId)) {
        gone.add(node.nodeId);
      }
    }
    gone.forEach(this::lost);
  }

  @Override
  public void joined(String nodeId, String address) {
    String key = nodeId + " " + address;
    if (closed || registered.containsKey(key) || !directory.isMember(nodeId)) {
      return;
    }
    registered.put(key, nodeId);
    attach(key, nodeId, address);
  }

  @Override
  public void left(String nodeId, String address) {
    String key = nodeId + " " + address;
    registered.remove(key);
    Node node = nodes.remove(key);
    if (node != null) {
      depart(node, DetachMode.GRACEFUL, WorkerEvent.Kind.LEFT);
    }
  }

  /**
   * An entry removed without its server's signed farewell: anyone who can write to the cluster's maps can do that,
   * so a worker whose connection is alive stays (its server is still there); one that is not connected goes, as if
   * its server left. The server is no longer listed: should its worker give up later, it is not tried again.
   */
  @Override
  public void removed(String nodeId, String address) {
    String key = nodeId + " " + address;
    registered.remove(key);
    Node node = nodes.get(key);
    if (node == null) {
      return;
    }
    if (node.workerId != 0 && node.remote.isConnected()) {
      log.info("pool '{}': the entry of the server at {} was removed without its farewell; its worker {} stays while "
          + "its connection lives", pool, address, node.workerId);
      return;
    }
    nodes.remove(key);
    depart(node, DetachMode.GRACEFUL, WorkerEvent.Kind.LEFT);
  }

  /** An entry not signed with the secret: its server is refused (once; the directory logged it). */
  @Override
  public void ignored(String nodeId, String address, String why) {
    if (!closed) {
      emit(new WorkerEvent(WorkerEvent.Kind.REFUSED, nodeId, address, 0,
          new AuthenticationException("the pool's entry of " + address + " was ignored: " + why)));
    }
  }

  @Override
  public void lost(String nodeId) {
    registered.values().removeIf(nodeId::equals);
    for (Iterator<Node> it = nodes.values().iterator(); it.hasNext(); ) {
      Node node = it.next();
      if (node.nodeId.equals(nodeId)) {
        it.remove();
        depart(node, DetachMode.CRASH, WorkerEvent.Kind.LOST);
      }
    }
  }

  private void attach(String key, String nodeId, String address) {
    int colon = address.lastIndexOf(':');
    int port;
    try {
      port = Integer.parseInt(address.substring(colon + 1));
    } catch (RuntimeException e) {
      log.warn("pool '{}': ignoring a server with a bad address '{}'", pool, address);
      return;
    }
    String host = address.substring(0, Math.max(colon, 0));
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    Node node = new Node(key, nodeId, address);
    nodes.put(key, node);
    RemoteWorker remote = RemoteWorker.create(vertx, new RemoteWorkerOptions(template).setHost(host).setPort(port));
    node.remote = remote;
    queue.attachWorker(new PoolWorker(remote, node)).onComplete(ar -> {
      if (ar.failed()) {
        nodes.remove(key, node);
        if (node.departed != null) {
          return; // it left, or its node was lost, while it was attaching: not a refusal
        }
        log.warn("pool '{}': cannot attach the server at {}: {}", pool, address, ar.cause().toString());
        emit(new WorkerEvent(WorkerEvent.Kind.REFUSED, nodeId, address, 0, ar.cause()));
        return;
      }
      node.workerId = ar.result();
      if (node.departed != null) {
        queue.detachWorker(node.workerId, node.departed);
        return;
      }
      log.info("pool '{}': attached the server at {} as worker {}", pool, address, node.workerId);
      refresh();
      emit(new WorkerEvent(WorkerEvent.Kind.ATTACHED, nodeId, address, node.workerId, null));
      wakeAwaiters();
    });
  }

  private void depart(Node node, DetachMode mode, WorkerEvent.Kind kind) {
    node.departed = mode;
    if (node.workerId == 0) {
      // still attaching: a worker still connecting is crashed (it would keep trying a server that is gone, and
      // hold up the queue's shutdown meanwhile); one already started is detached once attached
      if (node.starting != null && !node.starting.isComplete()) {
        node.remote.crash();
      }
      return;
    }
    log.info("pool '{}': the server at {} {}; detaching worker {}", pool, node.address,
        kind == WorkerEvent.Kind.LOST ? "is lost" : "left", node.workerId);
    queue.detachWorker(node.workerId, mode);
    refresh();
    emit(new WorkerEvent(kind, node.nodeId, node.address, node.workerId, null));
  }

  /**
   * A worker gave up on its server (it could not reconnect) while the pool still lists it: it is dropped, and tried
   * again later if the server is still there.
   */
  private void resigned(Node node, Throwable cause) {
    if (node.departed != null || !nodes.remove(node.key, node)) {
      return;
    }
    node.departed = DetachMode.CRASH;
    refresh();
    emit(new WorkerEvent(WorkerEvent.Kind.LOST, node.nodeId, node.address, node.workerId, cause));
    vertx.setTimer(RETRY_MILLIS, t -> context.runOnContext(v -> {
      if (!closed && registered.containsKey(node.key) && !nodes.containsKey(node.key)
          && directory.isMember(node.nodeId)) {
        attach(node.key, node.nodeId, node.address);
      }
    }));
  }

  /** A promise whose Future completes on the caller's context, as every Future of a queue does. */
  private Promise<Void> callerPromise() {
    return ((VertxInternal) vertx).getOrCreateContext().promise();
  }

  private void refresh() {
    List<String> list = new ArrayList<>();
    for (Node n : nodes.values()) {
      if (n.workerId != 0) {
        list.add(n.address);
      }
    }
    attached = List.copyOf(list);
  }

  private void wakeAwaiters() {
    int count = attached.size();
    awaiters.removeIf(a -> a.count() <= count && a.promise().tryComplete());
  }

  private void emit(WorkerEvent event) {
    Handler<WorkerEvent> h = handler;
    if (h != null) {
      try {
        h.handle(event);
      } catch (RuntimeException e) {
        log.warn("pool '{}': the worker handler threw", pool, e);
      }
    }
  }

  /** The remote worker, as the queue sees it: it tells this class when it resigns. */
  private final class PoolWorker implements Worker {
    private final RemoteWorker remote;
    private final Node node;

    PoolWorker(RemoteWorker remote, Node node) {
      this.remote = remote;
      this.node = node;
    }

    @Override
    public Set<String> series() {
      return remote.series();
    }

    @Override
    public int capacity() {
      return remote.capacity();
    }

    @Override
    public String kind() {
      return "cluster";
    }

    @Override
    public Future<Void> start(WorkerSupervisor supervisor) {
      return node.starting = remote.start(new WorkerSupervisor() {
        @Override
        public Vertx vertx() {
          return supervisor.vertx();
        }

        @Override
        public int workerId() {
          return supervisor.workerId();
        }

        @Override
        public String queueName() {
          return supervisor.queueName();
        }

        @Override
        public void resign(Throwable cause) {
          supervisor.resign(cause);
          context.runOnContext(v -> resigned(node, cause));
        }

        @Override
        public void pause() {
          supervisor.pause();
        }

        @Override
        public void resume() {
          supervisor.resume();
        }

        @Override
        public void handshakeRefused() {
          supervisor.handshakeRefused();
        }

        @Override
        public Future<Void> restarted() {
          return supervisor.restarted(); // a new connection: the queue replays its updates there, then resumes it
        }
      });
    }

    @Override
    public void run(Job job) {
      remote.run(job);
    }

    @Override
    public void cancel(Job job) {
      remote.cancel(job);
    }

    @Override
    public Future<Void> stop() {
      return remote.stop();
    }

    @Override
    public List<Job> crash() {
      return remote.crash();
    }

    @Override
    public String toString() {
      return remote.toString();
    }
  }
}
