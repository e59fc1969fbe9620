package io.asynqueue.remote.server;

import com.esotericsoftware.kryo.io.Output;
import io.asynqueue.internal.codec.FrameWriter;
import io.asynqueue.internal.codec.KryoCodec;
import io.asynqueue.internal.codec.Wire;
import io.asynqueue.internal.runner.Runner;
import io.asynqueue.internal.runner.RunnerCall;
import io.asynqueue.remote.internal.FrameMac;
import io.asynqueue.remote.internal.FrameParser;
import io.asynqueue.remote.internal.Handshake;
import io.asynqueue.remote.internal.Outbox;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
// Vert.x internal API (listed in InternalImportsTest): timers set on the connection's context, whatever thread sets
// them; no public API does that.
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.ServerSSLOptions;
import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client's connection to the server: the runner side of the task protocol ({@link Runner}) after a
 * handshake, confined to its context (the event loop that accepted it) except where noted.
 *
 * <p><b>Handshake.</b> The server sends its HELLO record, then buffers at most the client's fixed-size HELLO
 * record (69 bytes) and checks its proof; more bytes than that, another protocol, a wrong proof or no answer
 * within the handshake timeout close the socket with a logged reason, and nothing the client sent is ever
 * decoded. Only an authenticated client gets the WELCOME, the HELLO frame (limits and class list) and a frame
 * parser.
 *
 * <p><b>Frames.</b> The event loop parses each frame's header fields; a call's task and arguments are decoded by
 * the thread that runs it: one of the server's threads, holding one of its concurrency permits, or the event
 * loop for a method that ran briefly last time. A frame that cannot be parsed closes the connection; a call that
 * cannot be decoded is refused and the connection carries on. When the calls in flight reach the advertised
 * limit (or their frames hold too many bytes), the server stops reading the socket until some finish: TCP flow
 * control, not memory, absorbs a client that sends too much.
 */
final class ServerConnection extends Runner implements FrameParser.Sink {

  private static final int MAX_ITERATORS = 4096;
  /** Calls this small may run inline (see {@link io.asynqueue.remote.server.WorkerServerOptions#setInlineFastCalls}). */
  private static final int INLINE_BYTES = 4096;

  private enum State { HANDSHAKE, OPEN, CLOSED }

  final WorkerServerImpl server;
  final NetSocket socket;
  final String peer;
  /** The client's address, without the port, or {@code null} if unknown. */
  private final String host;
  /** Whether it completed its handshake (and so no longer counts as unauthenticated). */
  private boolean authenticated;
  ContextInternal context;
  Outbox outbox;
  private State state = State.HANDSHAKE;
  private Buffer handshake = Buffer.buffer(Handshake.CLIENT_HELLO);
  private final byte[] serverNonce = Handshake.nonce();
  private long handshakeTimer = -1;
  private long idleTimer = -1;
  private FrameParser parser;
  /** Checks the tags of the client's frames, or {@code null} when they carry none (TLS client certificates only). */
  private FrameMac inMac;
  private volatile long lastRead = System.nanoTime();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong inFlightBytes = new AtomicLong();
  private final long maxInFlightBytes;
  private volatile boolean readPaused;
  private volatile boolean closed;
  /** Completed when no call is in flight, once {@link #whenIdle()} asked; touched on the context. */
  private Promise<Void> idle;
  /** Whether {@link #whenIdle()} was asked: only then does a call's end check for idleness (not on every call). */
  private volatile boolean draining;

  ServerConnection(WorkerServerImpl server, NetSocket socket) {
    super(server.codec);
    this.server = server;
    this.socket = socket;
    this.peer = String.valueOf(socket.remoteAddress());
    this.host = socket.remoteAddress() != null ? socket.remoteAddress().hostAddress() : null;
    this.maxInFlightBytes = Math.max(64L << 20, 2L * server.options.getMaxFrameBytes());
  }

  void start() {
    context = server.vertx.getOrCreateContext();
    outbox = new Outbox(context, socket);
    socket.handler(this::handshakeBytes);
    socket.closeHandler(v -> closed("closed by the client"));
    socket.exceptionHandler(e -> WorkerServerImpl.log.debug("{}: {}", peer, e.toString()));
    handshakeTimer = context.setTimer(server.options.getHandshakeTimeout().toMillis(), t -> {
      handshakeTimer = -1;
      if (state == State.HANDSHAKE) {
        reject(RejectionLog.Kind.TIMEOUT, "no handshake within " + server.options.getHandshakeTimeout().toMillis()
            + " ms", -1);
      }
    });
    Buffer hello = Handshake.serverHello(server.secret != null ? Handshake.FLAG_SECRET : 0, serverNonce);
    ServerSSLOptions tls = server.tls;
    if (tls == null) {
      socket.write(hello);
      return;
    }
    // within the handshake's deadline, and counted as unauthenticated all along
    socket.upgradeToSsl(tls).onComplete(ar -> {
      if (state != State.HANDSHAKE) {
        return;
      }
      if (ar.succeeded()) {
        socket.write(hello);
      } else {
        reject(RejectionLog.Kind.TLS, "TLS handshake failed: " + KryoCodec.rootMessage(ar.cause()), -1);
      }
    });
  }

  // ------------------------------------------------------------------ handshake (context)

  private void handshakeBytes(Buffer b) {
    if (state != State.HANDSHAKE) {
      return;
    }
    if (handshake.length() + b.length() > Handshake.CLIENT_HELLO) {
      reject(RejectionLog.Kind.PROTOCOL, "sent more than the " + Handshake.CLIENT_HELLO + "-byte handshake record",
          Handshake.REASON_PROTOCOL);
      return;
    }
    handshake.appendBuffer(b);
    if (handshake.length() < Handshake.CLIENT_HELLO) {
      if (handshake.length() >= 4 && !Handshake.startsWith(handshake, Handshake.MAGIC)) {
        reject(RejectionLog.Kind.PROTOCOL, "does not speak the AsynQueue remote protocol",
            Handshake.REASON_PROTOCOL);
      }
      return;
    }
    Buffer hello = handshake;
    handshake = null;
    if (!Handshake.startsWith(hello, Handshake.MAGIC)) {
      reject(RejectionLog.Kind.PROTOCOL, "does not speak the AsynQueue remote protocol",
          Handshake.REASON_PROTOCOL);
      return;
    }
    if (hello.getByte(4) != Handshake.VERSION) {
      reject(RejectionLog.Kind.PROTOCOL, "speaks protocol version " + hello.getByte(4) + ", not "
          + Handshake.VERSION, Handshake.REASON_PROTOCOL);
      return;
    }
    byte[] clientNonce = hello.getBytes(5, 37);
    byte[] proof = hello.getBytes(37, 69);
    if (server.secret != null
        && !Handshake.matches(Handshake.proof(server.secret, true, serverNonce, clientNonce), proof)) {
      long blocked = host == null ? 0 : server.throttle.failed(host, System.nanoTime());
      reject(RejectionLog.Kind.WRONG_SECRET, "wrong secret (its proof did not match)" + (blocked > 0
          ? "; its address is refused for " + blocked / 1_000_000 + " ms" : ""), Handshake.REASON_PROOF);
      return;
    }
    if (host != null) {
      server.throttle.succeeded(host);
    }
    cancelHandshakeTimer();
    state = State.OPEN;
    authenticated = true;
    server.authenticated(this);
    WorkerServerImpl.log.debug("accepted {}", peer);
    inMac = FrameMac.of(server.secret, serverNonce, clientNonce, true);
    outbox.protect(FrameMac.of(server.secret, serverNonce, clientNonce, false));
    socket.write(Handshake.welcome(Handshake.proof(server.secret, false, serverNonce, clientNonce)));
    sendHello();
    parser = new FrameParser(inMac == null ? server.options.getMaxFrameBytes()
        : Math.max(server.options.getMaxFrameBytes() + 4, FrameMac.RECORD_BYTES) + FrameMac.TAG_BYTES, this);
    socket.handler(parser);
    long idleMillis = server.options.getIdleTimeout().toMillis();
    idleTimer = context.setPeriodic(Math.max(10, idleMillis / 4), t -> {
      if (System.nanoTime() - lastRead > idleMillis * 1_000_000L) {
        close("silent for more than " + idleMillis + " ms");
      }
    });
  }

  // the first frame, through the outbox: it carries a tag too
  private void sendHello() {
    Output out = new Output(256, -1);
    int start = FrameWriter.beginFrame(out);
    out.writeByte(Wire.HELLO);
    out.writeVarLong(ProcessHandle.current().pid(), true);
    out.writeVarInt(Runtime.getRuntime().availableProcessors(), true);
    out.writeVarInt(server.options.getConcurrency(), true);
    out.writeVarInt(server.maxInFlight, true);
    out.writeVarInt(server.options.getMaxFrameBytes(), true);
    out.writeVarInt(server.classNames.size(), true);
    for (String name : server.classNames) {
      out.writeString(name);
    }
    int length = FrameWriter.endFrame(out, start);
    outbox.append(out.getBuffer(), start, length);
    outbox.flush();
  }

  private void reject(RejectionLog.Kind kind, String why, int reason) {
    server.rejections.rejected(kind, host, peer + ": " + why);
    state = State.CLOSED;
    cancelHandshakeTimer();
    if (reason > 0) {
      socket.write(Handshake.reject(reason));
    }
    socket.close();
  }

  private void cancelHandshakeTimer() {
    if (handshakeTimer >= 0) {
      context.owner().cancelTimer(handshakeTimer);
      handshakeTimer = -1;
    }
  }

  // ------------------------------------------------------------------ frames (context)

  @Override
  public void frame(Buffer body) {
    if (state != State.OPEN) {
      return;
    }
    lastRead = System.nanoTime();
    byte[] bytes = body.getBytes();
    if (inMac == null) {
      decode(bytes);
      return;
    }
    if (!inMac.verify(bytes, bytes.length)) {
      protocolError("a record that failed its integrity check (changed, replayed or reordered on the way)");
      return;
    }
    try {
      FrameMac.open(bytes, bytes.length, server.options.getMaxFrameBytes(), this::decode);
    } catch (IllegalArgumentException e) {
      protocolError(e.getMessage());
    }
  }

  // one frame; returns whether the connection is still open
  private boolean decode(byte[] bytes) {
    try {
      frame(bytes, bytes.length);
    } catch (RuntimeException e) { // a frame too short for its fields, or of an unknown type
      protocolError("a malformed frame (" + e.getMessage() + ")");
    }
    return state == State.OPEN;
  }

  @Override
  protected void dispatch(RunnerCall call, boolean urgent) {
    int n = inFlight.incrementAndGet();
    long b = inFlightBytes.addAndGet(call.frameLength());
    if (server.inlineFastCalls && !call.isIteration() && call.frameLength() <= INLINE_BYTES && knownFast(call)
        && server.permits.tryAcquire()) {
      call.run();
    } else {
      server.pool.execute(() -> {
        server.permits.acquireUninterruptibly();
        call.run();
      }, urgent);
    }
    if (!readPaused && (n >= server.maxInFlight || b >= maxInFlightBytes || socket.writeQueueFull())) {
      readPaused = true;
      socket.pause();
      outbox.whenDrained(this::maybeResumeReading); // a client that does not read its replies is not read either
    }
  }

  // a named call of a method that ran briefly last time
  private boolean knownFast(RunnerCall call) {
    String name = call.targetName();
    return name != null && server.knownFast(name, call.targetArity());
  }

  @Override
  protected void execute(Runnable step) {
    server.pool.execute(step, false); // to the back of the queue: calls waiting get their turn
  }

  @Override
  protected Invocation resolveNamed(String name, int arity) throws Refused {
    Method method = server.methods.find(name, arity);
    if (method == null) {
      throw new Refused(server.methods.notFound(name, arity));
    }
    return args -> {
      long t0 = System.nanoTime();
      try {
        return server.methods.invoke(method, args);
      } finally {
        server.ran(method, System.nanoTime() - t0);
      }
    };
  }

  @Override
  protected void checkTask(Object task) throws Refused {
    if (!(task instanceof io.asynqueue.Task<?>) || !server.allowedTask(task)) {
      throw new Refused(KryoCodec.className(task) + " is not an allowed task on this server (allowed task classes: "
          + server.allowedTasks() + "; exposed methods: " + server.methods.list() + ")");
    }
  }

  @Override
  protected void invoked(RunnerCall call, long runNanos) {
    server.permits.release();
  }

  @Override
  protected boolean mayOpenIterator() {
    return iterators() < MAX_ITERATORS;
  }

  @Override
  protected boolean isClosed() {
    return closed;
  }

  /**
   * Sends a reply frame: as it is, or in fragments if large (the output is then kept).
   */
  @Override
  protected boolean send(long id, Output out, int start, int length) {
    if (closed) {
      return false;
    }
    if (length - 4 <= Wire.FRAGMENT_BYTES) {
      outbox.append(out.getBuffer(), start, length);
      outbox.flushSoon();
      return false;
    }
    outbox.appendLarge(id, out.getBuffer(), start + 4, length - 4);
    outbox.flushSoon();
    return true;
  }

  // context only: reads again once the calls in flight are under the limits and the replies are being read
  private void maybeResumeReading() {
    if (!readPaused || closed || inFlight.get() >= server.maxInFlight || inFlightBytes.get() >= maxInFlightBytes) {
      return;
    }
    if (socket.writeQueueFull()) {
      outbox.whenDrained(this::maybeResumeReading);
      return;
    }
    readPaused = false;
    socket.resume();
  }

  @Override
  public void framingError(String why) {
    protocolError(why);
  }

  private void protocolError(String why) {
    if (parser != null) {
      parser.stop(); // nothing after it is read: the frames that follow would fail their checks too
    }
    WorkerServerImpl.log.warn("closing the connection of {}: it sent {}", peer, why);
    close(why);
  }

  // ------------------------------------------------------------------ from the call threads

  /** A call's reply has been queued (or it was dropped): it no longer counts as in flight. */
  @Override
  protected void finished(RunnerCall c) {
    int n = inFlight.decrementAndGet();
    long b = inFlightBytes.addAndGet(-c.frameLength());
    if (readPaused && n < server.maxInFlight && b < maxInFlightBytes) {
      context.runOnContext(v -> maybeResumeReading());
    }
    if (n == 0 && draining) {
      context.runOnContext(v -> checkIdle());
    }
  }

  /**
   * For a server leaving its pool: a Future completed once no call is in flight on this connection (the calls
   * running have replied), or it closed.
   */
  io.vertx.core.Future<Void> whenIdle() {
    Promise<Void> p = Promise.promise();
    draining = true;
    context.runOnContext(v -> {
      if (idle == null) {
        idle = Promise.promise();
      }
      idle.future().onComplete(p);
      checkIdle();
    });
    return p.future();
  }

  private void checkIdle() {
    if (idle != null && (closed || callsInFlight() == 0)) {
      idle.tryComplete();
    }
  }

  // ------------------------------------------------------------------ closing

  /** Closes the connection; from any thread. */
  void close(String why) {
    context.runOnContext(v -> {
      if (!closed) {
        socket.close();
        closed(why);
      }
    });
  }

  private void closed(String why) {
    if (closed) {
      return;
    }
    closed = true;
    state = State.CLOSED;
    cancelHandshakeTimer();
    if (idleTimer >= 0) {
      context.owner().cancelTimer(idleTimer);
    }
    if (parser != null) {
      parser.stop();
    }
    outbox.close();
    closeAll();
    server.ended(this, authenticated);
    checkIdle();
    WorkerServerImpl.log.debug("connection of {} ended: {}", peer, why);
  }
}
