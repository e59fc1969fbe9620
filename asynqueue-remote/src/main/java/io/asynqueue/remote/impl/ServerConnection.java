package io.asynqueue.remote.impl;

import com.esotericsoftware.kryo.io.Output;
import io.asynqueue.internal.codec.BoundedInput;
import io.asynqueue.internal.codec.FrameWriter;
import io.asynqueue.internal.codec.Wire;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.net.NetSocket;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client's connection to the server, confined to its context (the event loop that accepted it) except where
 * noted.
 *
 * <p><b>Handshake.</b> The server sends its HELLO, then buffers at most the client's fixed-size HELLO record
 * (69 bytes) and checks its proof; more bytes than that, another protocol, a wrong proof or no answer within the
 * handshake timeout close the socket with a logged reason, and nothing the client sent is ever decoded. Only an
 * authenticated client gets the WELCOME, the class list and a frame parser.
 *
 * <p><b>Frames.</b> The event loop parses each frame's header fields; a call's task and arguments are decoded by
 * the thread that runs it. A frame that cannot be parsed closes the connection; a call that cannot be decoded is
 * refused with an ERROR and the connection carries on. When the calls in flight reach the advertised limit (or
 * their frames hold too many bytes), the server stops reading the socket until some finish: TCP flow control, not
 * memory, absorbs a client that sends too much.
 */
final class ServerConnection implements FrameParser.Sink {

  private static final int MAX_ITERATORS = 4096;
  /** Calls this small may run inline (see {@link io.asynqueue.remote.WorkerServerOptions#setInlineFastCalls}). */
  private static final int INLINE_BYTES = 4096;

  private enum State { HANDSHAKE, OPEN, CLOSED }

  final WorkerServerImpl server;
  final NetSocket socket;
  final String peer;
  ContextInternal context;
  Outbox outbox;
  private State state = State.HANDSHAKE;
  private Buffer handshake = Buffer.buffer(Handshake.CLIENT_HELLO);
  private final byte[] serverNonce = Handshake.nonce();
  private long handshakeTimer = -1;
  private long idleTimer = -1;
  private FrameParser parser;
  private volatile long lastRead = System.nanoTime();
  final ConcurrentHashMap<Long, ServerCall> calls = new ConcurrentHashMap<>();
  final ConcurrentHashMap<Long, ServerIterator> iterators = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong inFlightBytes = new AtomicLong();
  private final long maxInFlightBytes;
  private volatile boolean readPaused;
  private volatile boolean closed;
  /** Completed when no call is in flight, once {@link #whenIdle()} asked; touched on the context. */
  private io.vertx.core.Promise<Void> idle;
  /** Whether {@link #whenIdle()} was asked: only then does a call's end check for idleness (not on every call). */
  private volatile boolean draining;

  ServerConnection(WorkerServerImpl server, NetSocket socket) {
    this.server = server;
    this.socket = socket;
    this.peer = String.valueOf(socket.remoteAddress());
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
        reject("no handshake within " + server.options.getHandshakeTimeout().toMillis() + " ms", -1);
      }
    });
    socket.write(Handshake.serverHello(server.secret != null ? Handshake.FLAG_SECRET : 0, serverNonce));
  }

  // ------------------------------------------------------------------ handshake (context)

  private void handshakeBytes(Buffer b) {
    if (state != State.HANDSHAKE) {
      return;
    }
    if (handshake.length() + b.length() > Handshake.CLIENT_HELLO) {
      reject("sent more than the " + Handshake.CLIENT_HELLO + "-byte handshake record", Handshake.REASON_PROTOCOL);
      return;
    }
    handshake.appendBuffer(b);
    if (handshake.length() < Handshake.CLIENT_HELLO) {
      if (handshake.length() >= 4 && !Handshake.startsWith(handshake, Handshake.MAGIC)) {
        reject("does not speak the AsynQueue remote protocol", Handshake.REASON_PROTOCOL);
      }
      return;
    }
    Buffer hello = handshake;
    handshake = null;
    if (!Handshake.startsWith(hello, Handshake.MAGIC)) {
      reject("does not speak the AsynQueue remote protocol", Handshake.REASON_PROTOCOL);
      return;
    }
    if (hello.getByte(4) != Handshake.VERSION) {
      reject("speaks protocol version " + hello.getByte(4) + ", not " + Handshake.VERSION, Handshake.REASON_PROTOCOL);
      return;
    }
    byte[] clientNonce = hello.getBytes(5, 37);
    byte[] proof = hello.getBytes(37, 69);
    if (server.secret != null
        && !Handshake.matches(Handshake.proof(server.secret, true, serverNonce, clientNonce), proof)) {
      reject("wrong secret (its proof did not match)", Handshake.REASON_PROOF);
      return;
    }
    cancelHandshakeTimer();
    state = State.OPEN;
    WorkerServerImpl.log.debug("accepted {}", peer);
    socket.write(Handshake.welcome(Handshake.proof(server.secret, false, serverNonce, clientNonce),
        server.options.getConcurrency(), server.maxInFlight, server.options.getMaxFrameBytes()));
    socket.write(classesFrame());
    parser = new FrameParser(server.options.getMaxFrameBytes(), this);
    socket.handler(parser);
    long idleMillis = server.options.getIdleTimeout().toMillis();
    idleTimer = context.setPeriodic(Math.max(10, idleMillis / 4), t -> {
      if (System.nanoTime() - lastRead > idleMillis * 1_000_000L) {
        close("silent for more than " + idleMillis + " ms");
      }
    });
  }

  private Buffer classesFrame() {
    Output out = new Output(256, -1);
    int start = FrameWriter.beginFrame(out);
    out.writeByte(RemoteWire.CLASSES);
    out.writeVarInt(server.classNames.size(), true);
    for (String name : server.classNames) {
      out.writeString(name);
    }
    int length = FrameWriter.endFrame(out, start);
    return Buffer.buffer(Arrays.copyOfRange(out.getBuffer(), start, start + length));
  }

  private void reject(String why, int reason) {
    WorkerServerImpl.log.warn("rejected {}: {}; nothing it sent was decoded", peer, why);
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
    BoundedInput in = new BoundedInput(bytes, 0, bytes.length);
    byte type = -1;
    try {
      type = in.readByte();
      switch (type) {
        case RemoteWire.CALL -> call(in, bytes);
        case RemoteWire.CREDIT -> {
          long id = in.readVarLong(true);
          int elements = in.readVarInt(true);
          int creditBytes = in.readVarInt(true);
          ServerIterator it = iterators.get(id);
          if (it != null) {
            it.grant(elements, creditBytes);
          }
        }
        case RemoteWire.CLOSE -> {
          ServerIterator it = iterators.remove(in.readVarLong(true));
          if (it != null) {
            it.close();
          }
        }
        case RemoteWire.CANCEL -> {
          ServerCall c = calls.get(in.readVarLong(true));
          if (c != null) {
            c.cancel();
          }
        }
        case RemoteWire.PING -> {
          byte[] pong = {0, 0, 0, 1, RemoteWire.PONG};
          outbox.append(pong, 0, pong.length);
          outbox.flushSoon();
        }
        default -> protocolError("a frame of unknown type " + type);
      }
    } catch (RuntimeException e) { // a frame too short for its fields
      protocolError("a malformed frame of type " + type + " (" + e.getMessage() + ")");
    }
  }

  private void call(BoundedInput in, byte[] bytes) {
    long id = in.readVarLong(true);
    int flags = in.readByte();
    int credit = 0;
    int creditBytes = 0;
    if ((flags & RemoteWire.FLAG_ITERATOR) != 0) {
      credit = in.readVarInt(true);
      creditBytes = in.readVarInt(true);
    }
    ServerCall c = new ServerCall(this, id, flags, credit, creditBytes, bytes, in.position());
    if (calls.putIfAbsent(id, c) != null) {
      protocolError("call " + id + " sent twice");
      return;
    }
    int n = inFlight.incrementAndGet();
    long b = inFlightBytes.addAndGet(bytes.length);
    if (server.inlineFastCalls && (flags & RemoteWire.FLAG_ITERATOR) == 0 && bytes.length <= INLINE_BYTES
        && knownFast(in) && server.permits.tryAcquire()) {
      c.runInline();
    } else {
      server.pool.execute(c, (flags & RemoteWire.FLAG_URGENT) != 0);
    }
    if (!readPaused && (n >= server.maxInFlight || b >= maxInFlightBytes || socket.writeQueueFull())) {
      readPaused = true;
      socket.pause();
      outbox.whenDrained(this::maybeResumeReading); // a client that does not read its replies is not read either
    }
  }

  // a named call of a method that ran briefly last time: its name and arity, peeked without decoding the arguments
  private boolean knownFast(BoundedInput in) {
    int start = in.position();
    try {
      if (in.readByte() != RemoteWire.KIND_NAMED) {
        return false;
      }
      String name = in.readString();
      return server.knownFast(name, in.readVarInt(true));
    } catch (RuntimeException e) {
      return false;
    } finally {
      in.setPosition(start);
    }
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
    WorkerServerImpl.log.warn("closing the connection of {}: it sent {}", peer, why);
    close(why);
  }

  // ------------------------------------------------------------------ from the call threads

  /** A call's reply has been queued (or it was dropped): it no longer counts as in flight. */
  void callDone(ServerCall c) {
    if (!calls.remove(c.id, c)) {
      return;
    }
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
    io.vertx.core.Promise<Void> p = io.vertx.core.Promise.promise();
    draining = true;
    context.runOnContext(v -> {
      if (idle == null) {
        idle = io.vertx.core.Promise.promise();
      }
      idle.future().onComplete(p);
      checkIdle();
    });
    return p.future();
  }

  private void checkIdle() {
    if (idle != null && (closed || calls.isEmpty())) {
      idle.tryComplete();
    }
  }

  /** Whether another iterator may be opened. */
  boolean mayOpenIterator() {
    return iterators.size() < MAX_ITERATORS;
  }

  /**
   * Sends a reply encoded in {@code out} from {@code start} (a whole frame): as it is, or in fragments if large.
   * The output is handed over when it goes in fragments.
   *
   * @return whether the output was handed over (the caller needs a new one)
   */
  boolean send(long id, Output out, int start, int length) {
    if (closed) {
      return false;
    }
    if (length - 4 <= RemoteWire.FRAGMENT_BYTES) {
      outbox.append(out.getBuffer(), start, length);
      outbox.flushSoon();
      return false;
    }
    outbox.appendLarge(id, out.getBuffer(), start + 4, length - 4);
    outbox.flushSoon();
    return true;
  }

  /** Writes an ERROR frame into {@code out}: a failure, or a refusal with only a message. */
  static int error(Output out, long id, int kind, Throwable failure, String refusal) {
    out.reset();
    int start = FrameWriter.beginFrame(out);
    out.writeByte(RemoteWire.ERROR);
    out.writeVarLong(id, true);
    out.writeByte(kind);
    if (failure != null) {
      Wire.writeFailure(out, failure);
    } else {
      Wire.writeFailure(out, io.asynqueue.remote.RefusedCallException.class.getName(), refusal,
          new StackTraceElement[0]);
    }
    return FrameWriter.endFrame(out, start);
  }

  boolean isClosed() {
    return closed;
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
    for (ServerCall c : calls.values()) {
      c.cancel();
    }
    calls.clear();
    for (ServerIterator it : iterators.values()) {
      it.close();
    }
    iterators.clear();
    server.connections.remove(this);
    checkIdle();
    WorkerServerImpl.log.debug("connection of {} ended: {}", peer, why);
  }
}
