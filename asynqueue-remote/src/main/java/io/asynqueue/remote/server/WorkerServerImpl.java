package io.asynqueue.remote.server;

import io.asynqueue.internal.CloseHook;
import io.asynqueue.internal.codec.KryoCodec;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
// Vert.x internal API (listed in InternalImportsTest): a context of its own with a close future only this server
// closes (CloseFuture), and getOrCreateContext() as a ContextInternal for each connection's timers (see ServerConnection).
import io.vertx.core.internal.CloseFuture;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The server: its options, service, codec and threads, and the connections it accepted. */
final class WorkerServerImpl implements WorkerServerInternal {

  static final Logger log = LoggerFactory.getLogger(WorkerServer.class);
  /** Numbers the servers of this JVM, for their threads' names. */
  private static final AtomicInteger SERVERS = new AtomicInteger();

  final VertxInternal vertx;
  final WorkerServerOptions options;
  final ServiceMethods methods;
  final KryoCodec codec;
  final byte[] secret;
  /** The TLS each connection starts once admitted, or {@code null} without TLS; set by {@link #listen()}. */
  volatile ServerSSLOptions tls;
  final int maxInFlight;
  final List<String> classNames;
  private final Set<Class<?>> taskClasses = new HashSet<>();
  private final Set<String> taskClassNames = new HashSet<>();
  /** The server's number in this JVM, in its threads' names. */
  private final int number;
  final CallPool pool;
  /** At most {@code concurrency} calls run at once, on the pool or inline. */
  final java.util.concurrent.Semaphore permits;
  /** How long each method last ran, for {@link WorkerServerOptions#setInlineFastCalls}. */
  private final ConcurrentHashMap<java.lang.reflect.Method, Long> lastNanos = new ConcurrentHashMap<>();
  final boolean inlineFastCalls;
  final Set<ServerConnection> connections = ConcurrentHashMap.newKeySet();
  /** Connections accepted and not yet closed: at most {@link #maxConnections}. */
  private final AtomicInteger open = new AtomicInteger();
  /** Of those, the ones still in their handshake. */
  private final AtomicInteger unauthenticated = new AtomicInteger();
  private volatile int maxConnections;
  final AuthThrottle throttle;
  final RejectionLog rejections;
  private volatile NetServer server;
  private volatile int port;
  /** Unregister from the cluster pools joined: each is taken (removed) by whoever runs it. */
  private final java.util.List<java.util.function.Supplier<Future<Void>>> leaves =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  /** Set by {@link #close()}: a registration completing after it is undone at once. */
  private volatile boolean closing;
  /** The outcome of the first {@link #close()}, which every later one returns. */
  private Future<Void> closed;
  /** Closes the server with the verticle that made it, or with Vert.x; removed once it is closed. */
  private final CloseHook closeHook;

  /**
   * @param vertx the Vert.x instance
   * @param service the service, or {@code null}
   * @param options the options
   */
  public WorkerServerImpl(Vertx vertx, Object service, WorkerServerOptions options) {
    this.vertx = (VertxInternal) vertx;
    this.options = new WorkerServerOptions(options);
    NetServerOptions net = this.options.getNetServerOptions();
    boolean tlsClientAuth = net.isSsl() && net.getClientAuth() == ClientAuth.REQUIRED;
    if (this.options.getSecret() == null && !tlsClientAuth) {
      throw new IllegalArgumentException("refusing to make a WorkerServer that anyone could use: set a secret "
          + "(WorkerServerOptions.setSecret), or require TLS client certificates (NetServerOptions: setSsl(true), "
          + "setClientAuth(ClientAuth.REQUIRED) and the trusted certificates)");
    }
    this.secret = this.options.getSecret() == null ? null : this.options.getSecret().getBytes(StandardCharsets.UTF_8);
    this.methods = new ServiceMethods(service);
    ClassLoader loader = service != null ? service.getClass().getClassLoader()
        : Thread.currentThread().getContextClassLoader();
    if (loader == null) {
      loader = WorkerServerImpl.class.getClassLoader();
    }
    Set<String> names = new LinkedHashSet<>(this.options.getTaskClasses());
    names.addAll(this.options.getDataClasses());
    this.classNames = List.copyOf(names);
    List<Class<?>> classes = new ArrayList<>();
    for (String name : classNames) {
      try {
        classes.add(Class.forName(name, false, loader));
      } catch (ClassNotFoundException | LinkageError e) {
        throw new IllegalArgumentException("class " + name + " (allowed on the wire) cannot be loaded: " + e, e);
      }
    }
    for (String name : this.options.getTaskClasses()) {
      taskClasses.add(classes.get(classNames.indexOf(name)));
      taskClassNames.add(name);
    }
    this.codec = KryoCodec.strict(classes, loader);
    this.maxInFlight = this.options.effectiveMaxInFlight();
    this.number = SERVERS.incrementAndGet();
    // asynqueue-server-<n>-<i>: a thread dump tells the servers of one JVM apart
    this.pool = new CallPool(this.options.getConcurrency(), "asynqueue-server-" + number);
    this.permits = new java.util.concurrent.Semaphore(this.options.getConcurrency());
    this.inlineFastCalls = this.options.isInlineFastCalls();
    this.closeHook = CloseHook.register(vertx, toString(), this::close);
    this.maxConnections = this.options.getMaxConnections();
    this.throttle = new AuthThrottle(this.options.getMaxAuthFailures(), this.options.getAuthFailureBlock().toNanos());
    this.rejections = new RejectionLog(vertx, log, REJECTION_LOG_MILLIS);
  }

  /** How often the connections turned away are summed up in the log. */
  static final long REJECTION_LOG_MILLIS = 10_000;
  /** Files kept for the rest of the process when the connection cap is fitted to its file limit. */
  static final int SPARE_FILES = 64;

  @Override
  public Future<Integer> listen() {
    NetServerOptions o = new NetServerOptions(options.getNetServerOptions())
        .setHost(options.getHost()).setPort(options.getPort()).setTcpNoDelay(true);
    boolean ssl = o.isSsl();
    // TLS starts after a connection is admitted (as STARTTLS, though at once and with nothing said in the clear), so a
    // connection in its TLS handshake counts against the caps: Vert.x's own TLS runs before the connect handler, where
    // no cap could see it.
    tls = ssl ? o.getSslOptions().copy() : null;
    NetServer s = vertx.createNetServer(new NetServerOptions(o).setSsl(false));
    s.connectHandler(this::accept);
    s.exceptionHandler(e -> rejections.rejected(RejectionLog.Kind.TLS, null,
        "a connection before its handshake: " + KryoCodec.rootMessage(e)));
    server = s;
    fitToFileLimit();
    // Listens on a context of its own (on the caller's event loop), whose close future only close() closes: listening
    // on the caller's, the NetServer would close with the caller's verticle or Vert.x at once, cutting the calls in
    // flight, while the close hook closes the server gracefully.
    ContextInternal current = vertx.getOrCreateContext();
    ContextInternal own = vertx.contextBuilder().withEventLoop(current.nettyEventLoop())
        .withCloseFuture(new CloseFuture()).build();
    Promise<NetServer> listening = current.promise(); // completes on the caller's context
    own.dispatch(v -> s.listen().onComplete(listening));
    return listening.future().map(ns -> {
      port = ns.actualPort();
      log.info("AsynQueue WorkerServer listening on {}:{} ({} threads, {}{}; at most {} connections, {} "
          + "unauthenticated)", options.getHost(), port, options.getConcurrency(), secret != null ? "secret" : "",
          ssl ? (secret != null ? " + " : "") + "TLS"
              + (o.getClientAuth() == ClientAuth.REQUIRED ? " client certificates" : "") : "",
          maxConnections, options.getMaxStartups());
      return port;
    });
  }

  /**
   * A new connection: refused at once (closed, with no handshake and no timer) when the server is full, too many
   * connections are in their handshake, or its address failed too many proofs lately; else its handshake starts.
   */
  private void accept(NetSocket socket) {
    String host = socket.remoteAddress() != null ? socket.remoteAddress().hostAddress() : null;
    RejectionLog.Kind refused = admit(host);
    if (refused != null) {
      socket.close();
      rejections.rejected(refused, host, socket.remoteAddress() + ": " + refused.label);
      return;
    }
    ServerConnection c = new ServerConnection(this, socket);
    connections.add(c);
    c.start();
  }

  // takes a place for a new connection, or says why there is none
  private RejectionLog.Kind admit(String host) {
    if (host != null && throttle.blocked(host, System.nanoTime())) {
      return RejectionLog.Kind.THROTTLED;
    }
    int n = open.incrementAndGet();
    if (n > maxConnections) {
      open.decrementAndGet();
      return RejectionLog.Kind.CONNECTIONS;
    }
    int u = unauthenticated.incrementAndGet();
    if (u > options.getStartupsBegin() && dropStartup(u - 1)) {
      unauthenticated.decrementAndGet();
      open.decrementAndGet();
      return RejectionLog.Kind.STARTUPS;
    }
    return null;
  }

  /** As OpenSSH's MaxStartups: with {@code u} connections in their handshake already, whether to drop a new one. */
  private boolean dropStartup(int u) {
    int start = options.getStartupsBegin();
    int full = options.getStartupsFull();
    if (u >= full) {
      return true;
    }
    if (u < start) {
      return false;
    }
    int rate = options.getStartupsRate();
    double p = rate + (100.0 - rate) * (u - start) / (full - start);
    return ThreadLocalRandom.current().nextDouble(100) < p;
  }

  /** A connection completed its handshake: it no longer counts as unauthenticated. */
  void authenticated(ServerConnection c) {
    unauthenticated.decrementAndGet();
  }

  /** A connection accepted has closed. */
  void ended(ServerConnection c, boolean wasAuthenticated) {
    if (!wasAuthenticated) {
      unauthenticated.decrementAndGet();
    }
    open.decrementAndGet();
    connections.remove(c);
  }

  /** @return the connections open now, authenticated or not, for tests */
  int openConnections() {
    return open.get();
  }

  /** As Redis: a cap that the process could not reach without running out of files is lowered, with a warning. */
  private void fitToFileLimit() {
    long files = fileLimit();
    if (files > 0 && maxConnections > files - SPARE_FILES) {
      int fitted = (int) Math.max(1, files - SPARE_FILES);
      log.warn("AsynQueue WorkerServer: maxConnections {} lowered to {}: this process may open {} files (ulimit -n)",
          maxConnections, fitted, files);
      maxConnections = fitted;
    }
  }

  private static long fileLimit() {
    java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      return unix.getMaxFileDescriptorCount();
    }
    return -1;
  }

  @Override
  public int actualPort() {
    return port;
  }

  @Override
  public Vertx vertx() {
    return vertx;
  }

  @Override
  public WorkerServerOptions options() {
    return options;
  }

  @Override
  public boolean isClosing() {
    return closing;
  }

  @Override
  public boolean beforeClose(java.util.function.Supplier<Future<Void>> leave) {
    leaves.add(leave);
    return !closing || !leaves.remove(leave);
  }

  @Override
  public boolean removeBeforeClose(java.util.function.Supplier<Future<Void>> leave) {
    return leaves.remove(leave);
  }

  @Override
  public synchronized Future<Void> close() {
    if (closed == null) {
      closed = closeOnce().andThen(ar -> closeHook.remove());
    }
    return closed;
  }

  private Future<Void> closeOnce() {
    closing = true;
    java.util.List<Future<Void>> unregistered = new java.util.ArrayList<>();
    for (java.util.function.Supplier<Future<Void>> leave : leaves) {
      if (leaves.remove(leave)) {
        unregistered.add(leave.get());
      }
    }
    if (unregistered.isEmpty()) {
      return closeServer();
    }
    return Future.all(unregistered).timeout(5, java.util.concurrent.TimeUnit.SECONDS).transform(ar -> {
      if (ar.failed()) {
        log.warn("could not leave the cluster pool: {}", ar.cause().toString());
      }
      return drain();
    }).transform(ar -> closeServer());
  }

  /** How long a server that left its pools waits for the calls in flight to reply before closing. */
  static final long DRAIN_MILLIS = 10_000;

  /**
   * Lets the calls in flight finish and reply (the queues that used this server stop sending it calls as soon as
   * they hear that it left), for at most {@link #DRAIN_MILLIS}.
   */
  private Future<Void> drain() {
    java.util.List<Future<Void>> idle = new java.util.ArrayList<>();
    for (ServerConnection c : connections) {
      idle.add(c.whenIdle());
    }
    return Future.all(idle).timeout(DRAIN_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS).transform(ar -> {
      if (ar.failed()) {
        log.warn("closing with calls still running after {} ms: {}", DRAIN_MILLIS, ar.cause().toString());
      }
      return Future.succeededFuture();
    });
  }

  private Future<Void> closeServer() {
    NetServer s = server;
    Future<Void> closed = s == null ? Future.succeededFuture() : s.close();
    for (ServerConnection c : connections) {
      c.close("the server is closing");
    }
    pool.shutdown();
    return closed;
  }

  /** Below this, a method's last run counts as fast. */
  static final long FAST_NANOS = 50_000;

  void ran(java.lang.reflect.Method m, long nanos) {
    if (inlineFastCalls) {
      lastNanos.put(m, nanos);
    }
  }

  /** Whether this method ran briefly last time (so it may run inline on the event loop). */
  boolean knownFast(String name, int arity) {
    java.lang.reflect.Method m = methods.find(name, arity);
    Long last = m == null ? null : lastNanos.get(m);
    return last != null && last < FAST_NANOS;
  }

  /** Whether a decoded task may run: an instance of an allowed class, or a lambda written in one. */
  boolean allowedTask(Object task) {
    Class<?> type = task.getClass();
    if (taskClasses.contains(type)) {
      return true;
    }
    String name = type.getName();
    int lambda = name.indexOf("$$Lambda");
    return lambda > 0 && taskClassNames.contains(name.substring(0, lambda));
  }

  String allowedTasks() {
    return taskClassNames.isEmpty() ? "none" : String.join(", ", new java.util.TreeSet<>(taskClassNames));
  }

  @Override
  public String toString() {
    return "WorkerServer " + number;
  }
}
