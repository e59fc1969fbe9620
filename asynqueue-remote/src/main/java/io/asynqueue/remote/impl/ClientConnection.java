package io.asynqueue.remote.impl;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import io.asynqueue.stream.Deferator;
import io.asynqueue.WorkerLostException;
import io.asynqueue.internal.codec.BoundedInput;
import io.asynqueue.CodecException;
import io.asynqueue.internal.codec.FrameWriter;
import io.asynqueue.internal.codec.KryoCodec;
import io.asynqueue.internal.codec.Wire;
import io.asynqueue.remote.AuthenticationException;
import io.asynqueue.remote.RefusedCallException;
import io.asynqueue.spi.Job;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One connection of a {@link RemoteWorkerImpl} to its server: the handshake, then calls out and replies in. Confined
 * to the worker's context, except {@link #submit}, {@link #cancel}, {@link #sendCredit} and
 * {@link #iteratorClosed}, which any thread may call.
 *
 * <p>Calls handed over by any thread wait in a queue; the context encodes everything queued in one go (one write
 * per burst) and records each call under a new ID. Replies are decoded on the context and settle their jobs; a
 * reply too large for one frame arrives in fragments, joined here. The codec is strict, built from the class list
 * the server sends after the handshake, so both ends register the same classes under the same IDs.
 */
final class ClientConnection implements FrameParser.Sink {

  /** What a reply settles. */
  sealed interface Pending permits CallPending, ReplayPending {
  }

  /** A call of the queue. */
  record CallPending(Job job, boolean iterator) implements Pending {
  }

  /** An update replayed after reconnecting. */
  record ReplayPending(Promise<Object> promise, String describe) implements Pending {
  }

  /** A call waiting to be encoded: a queue's job, or a replayed update. */
  private record Outgoing(Job job, io.asynqueue.Task<?> task, Object[] args, Pending pending, boolean urgent,
      boolean iterator) {
  }

  private final RemoteWorkerImpl worker;
  private final ContextInternal context;
  private final String address;
  private final byte[] secret;
  private NetSocket socket;
  private Outbox outbox;
  private Promise<Void> ready;
  private Buffer handshake = Buffer.buffer(64);
  private int stage;
  private byte[] serverNonce;
  private byte[] clientNonce;
  private FrameParser parser;
  private long timer = -1;
  private long heartbeat = -1;
  private volatile long lastRead = System.nanoTime();
  private KryoCodec codec;
  private Kryo kryo;
  private Output out = new Output(4096, -1);
  private final ConcurrentLinkedQueue<Outgoing> toSend = new ConcurrentLinkedQueue<>();
  private boolean sendScheduled;
  private final Object sendLock = new Object();
  final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();
  private final Map<Job, Long> ids = new IdentityHashMap<>();
  final ConcurrentHashMap<Long, RemoteElementSource> sources = new ConcurrentHashMap<>();
  private final Map<Long, ByteArrayOutputStream> fragments = new HashMap<>();
  private long nextId;
  volatile int concurrency;
  volatile int maxInFlight;
  private int maxFrameBytes;
  volatile boolean isReady;
  private volatile boolean closed;
  private String closeReason;

  ClientConnection(RemoteWorkerImpl worker, ContextInternal context, String address, byte[] secret) {
    this.worker = worker;
    this.context = context;
    this.address = address;
    this.secret = secret;
  }

  // ------------------------------------------------------------------ connecting (context)

  /** Connects and authenticates; the Future completes once calls can be sent. */
  Future<Void> connect(NetClient client, String host, int port, long timeoutMillis) {
    ready = context.promise();
    timer = context.setTimer(timeoutMillis, t -> {
      timer = -1;
      fail(new WorkerLostException("no handshake with " + address + " within " + timeoutMillis + " ms"));
    });
    client.connect(port, host).onComplete(ar -> {
      if (ar.failed()) {
        fail(new WorkerLostException("cannot connect to " + address + ": " + ar.cause().getMessage(), ar.cause()));
        return;
      }
      socket = ar.result();
      if (ready.future().isComplete()) {
        socket.close();
        return;
      }
      outbox = new Outbox(context, socket);
      socket.handler(this::handshakeBytes);
      socket.closeHandler(v -> lost("the connection was closed"));
      socket.exceptionHandler(e -> {
        WorkerLog.log.debug("{}: {}", address, e.toString());
        if (closeReason == null) {
          closeReason = KryoCodec.rootMessage(e); // a TLS failure says why the connection is about to close
        }
      });
    });
    return ready.future();
  }

  private void handshakeBytes(Buffer b) {
    if (closed || stage > 1) {
      return;
    }
    handshake.appendBuffer(b);
    if (stage == 0) {
      if (handshake.length() < Handshake.SERVER_HELLO) {
        return;
      }
      if (!Handshake.startsWith(handshake, Handshake.MAGIC) || handshake.getByte(4) != Handshake.VERSION) {
        fail(new WorkerLostException(address + " is not an AsynQueue WorkerServer of protocol version "
            + Handshake.VERSION));
        return;
      }
      boolean wantsSecret = (handshake.getByte(5) & Handshake.FLAG_SECRET) != 0;
      if (wantsSecret && secret == null) {
        fail(new AuthenticationException("the server at " + address + " requires a secret, and this worker has "
            + "none"));
        return;
      }
      if (!wantsSecret && secret != null) {
        fail(new AuthenticationException("the server at " + address + " does not use a secret, so it cannot "
            + "prove it holds this worker's; refusing to talk to it"));
        return;
      }
      serverNonce = handshake.getBytes(6, Handshake.SERVER_HELLO);
      clientNonce = Handshake.nonce();
      socket.write(Handshake.clientHello(clientNonce, Handshake.proof(secret, true, serverNonce, clientNonce)));
      handshake = handshake.getBuffer(Handshake.SERVER_HELLO, handshake.length());
      stage = 1;
    }
    if (handshake.length() >= 4 && Handshake.startsWith(handshake, Handshake.REJECT_MAGIC)) {
      if (handshake.length() >= Handshake.REJECT) {
        int reason = handshake.getByte(4);
        fail(reason == Handshake.REASON_PROOF
            ? new AuthenticationException("the server at " + address + " rejected this worker's secret")
            : new WorkerLostException("the server at " + address + " rejected the handshake (protocol " + reason
                + ")"));
      }
      return;
    }
    if (handshake.length() < Handshake.WELCOME) {
      return;
    }
    if (!Handshake.startsWith(handshake, Handshake.MAGIC)) {
      fail(new WorkerLostException(address + " sent a bad handshake record"));
      return;
    }
    byte[] proof = handshake.getBytes(4, 36);
    if (secret != null && !Handshake.matches(Handshake.proof(secret, false, serverNonce, clientNonce), proof)) {
      fail(new AuthenticationException("the server at " + address + " could not prove it holds the secret"));
      return;
    }
    concurrency = handshake.getInt(36);
    maxInFlight = handshake.getInt(40);
    maxFrameBytes = handshake.getInt(44);
    if (concurrency < 1 || maxInFlight < 1 || maxFrameBytes < 1024) {
      fail(new WorkerLostException(address + " advertised impossible limits"));
      return;
    }
    Buffer rest = handshake.getBuffer(Handshake.WELCOME, handshake.length());
    handshake = null;
    stage = 2;
    parser = new FrameParser(RemoteWire.CLIENT_MAX_FRAME_BYTES, this);
    socket.handler(parser);
    if (rest.length() > 0) {
      parser.handle(rest);
    }
  }

  // the first frame: the classes the server registers, in ID order
  private void classes(BoundedInput in) {
    int n = in.readVarInt(true);
    in.charge(n);
    List<Class<?>> classes = new ArrayList<>(n);
    List<String> missing = new ArrayList<>();
    ClassLoader loader = worker.classLoader();
    for (int i = 0; i < n; i++) {
      String name = in.readString();
      Class<?> c;
      try {
        c = Class.forName(name, false, loader);
      } catch (ClassNotFoundException | LinkageError e) {
        c = null; // a gap: this worker cannot send or read it
        missing.add(name);
      }
      classes.add(c);
    }
    if (!missing.isEmpty()) {
      WorkerLog.log.debug("{} registers classes this JVM does not have: {}", address, missing);
    }
    codec = KryoCodec.strict(classes, loader);
    kryo = codec.newKryo();
    if (timer >= 0) {
      context.owner().cancelTimer(timer);
      timer = -1;
    }
    isReady = true;
    long interval = worker.options.getHeartbeatInterval().toMillis();
    heartbeat = context.setPeriodic(interval, t -> {
      if (System.nanoTime() - lastRead > 3 * interval * 1_000_000L) {
        close("the server did not answer for " + 3 * interval + " ms");
      } else {
        byte[] ping = {0, 0, 0, 1, RemoteWire.PING};
        outbox.append(ping, 0, ping.length);
        outbox.flush();
      }
    });
    ready.tryComplete();
  }

  private void fail(Throwable cause) {
    if (ready.tryFail(cause)) {
      closeReason = cause.getMessage();
      closed = true;
      if (timer >= 0) {
        context.owner().cancelTimer(timer);
        timer = -1;
      }
      if (socket != null) {
        socket.close();
      }
    }
  }

  // ------------------------------------------------------------------ calls out (any thread, then context)

  /** Queues a job to send. */
  void submit(Job job) {
    boolean iterator = job.resultKind() == Job.ResultKind.ITERATOR;
    toSend.add(new Outgoing(job, job.task(), job.args(), new CallPending(job, iterator), job.isUrgent(), iterator));
    scheduleSend();
  }

  /** Queues a replayed update; the Future completes with its outcome. */
  Future<Object> replay(io.asynqueue.Task<?> task, Object[] args, String describe) {
    Promise<Object> p = Promise.promise();
    toSend.add(new Outgoing(null, task, args, new ReplayPending(p, describe), true, false));
    scheduleSend();
    return p.future();
  }

  private void scheduleSend() {
    synchronized (sendLock) {
      if (sendScheduled) {
        return;
      }
      sendScheduled = true;
    }
    context.runOnContext(v -> sendQueued());
  }

  private void sendQueued() {
    synchronized (sendLock) {
      sendScheduled = false;
    }
    if (closed) {
      return; // what is still queued is taken back by the worker
    }
    Output o = out;
    o.reset();
    Outgoing g;
    while ((g = toSend.poll()) != null) {
      if (g.job != null && g.job.isDone()) {
        continue;
      }
      long id = ++nextId;
      int start = o.position();
      try {
        encode(o, id, g);
      } catch (CodecException e) {
        o.setPosition(start);
        refuseLocally(g, new CodecException("cannot send " + describe(g) + " to " + address + ": " + e.getMessage(),
            e));
        continue;
      } catch (RuntimeException e) { // the frame grew past what an array holds
        o.setPosition(start);
        refuseLocally(g, new CodecException("cannot send " + describe(g) + " to " + address + ": " + e, e));
        continue;
      }
      int length = FrameWriter.endFrame(o, start);
      if (length - 4 > maxFrameBytes) {
        o.setPosition(start);
        refuseLocally(g, new CodecException("cannot send " + describe(g) + " to " + address + ": the call takes "
            + (length - 4) + " bytes, more than the server's maxFrameBytes " + maxFrameBytes));
        continue;
      }
      pending.put(id, g.pending);
      if (g.job != null) {
        ids.put(g.job, id);
      }
    }
    if (o.position() > 0) {
      outbox.append(o.getBuffer(), 0, o.position());
      outbox.flush();
    }
    if (o.getBuffer().length > (1 << 20)) {
      out = new Output(4096, -1);
    }
  }

  private void encode(Output o, long id, Outgoing g) {
    FrameWriter.beginFrame(o);
    o.writeByte(RemoteWire.CALL);
    o.writeVarLong(id, true);
    int flags = (g.iterator ? RemoteWire.FLAG_ITERATOR : 0) | (g.urgent ? RemoteWire.FLAG_URGENT : 0);
    o.writeByte(flags);
    if (g.iterator) {
      o.writeVarInt(worker.options.getPrefetch(), true);
      o.writeVarInt(worker.options.getPrefetchBytes(), true);
    }
    if (g.task instanceof NamedCall<?> named) {
      o.writeByte(RemoteWire.KIND_NAMED);
      o.writeString(named.method());
    } else {
      o.writeByte(RemoteWire.KIND_TASK);
      KryoCodec.writeObject(kryo, o, "task", g.task);
    }
    o.writeVarInt(g.args.length, true);
    for (int i = 0; i < g.args.length; i++) {
      KryoCodec.writeObject(kryo, o, "argument " + (i + 1), g.args[i]);
    }
  }

  private static String describe(Outgoing g) {
    return g.job != null ? g.job.describe() : ((ReplayPending) g.pending).describe();
  }

  private static void refuseLocally(Outgoing g, Throwable cause) {
    if (g.job != null) {
      g.job.fail(cause);
    } else {
      ((ReplayPending) g.pending).promise().tryFail(cause);
    }
  }

  /** The queue gave up on a job (its timeout): forget it, and tell the server to drop or interrupt it. */
  void cancel(Job job) {
    context.runOnContext(v -> {
      Long id = ids.remove(job);
      if (id == null || pending.remove(id) == null || closed) {
        return;
      }
      sendSmall(RemoteWire.CANCEL, id);
      worker.settled(); // one call less in flight: a stop may be waiting for it
    });
  }

  void sendCredit(long id, int elements, int bytes) {
    Output o = new Output(32);
    int start = FrameWriter.beginFrame(o);
    o.writeByte(RemoteWire.CREDIT);
    o.writeVarLong(id, true);
    o.writeVarInt(elements, true);
    o.writeVarInt(bytes, true);
    int length = FrameWriter.endFrame(o, start);
    if (!closed && outbox.append(o.getBuffer(), start, length)) {
      outbox.flushSoon();
    }
  }

  void iteratorClosed(RemoteElementSource source, boolean tellServer) {
    if (sources.remove(source.id, source)) {
      worker.iteratorFinished();
    }
    if (tellServer && !closed) {
      Output o = new Output(16);
      int start = FrameWriter.beginFrame(o);
      o.writeByte(RemoteWire.CLOSE);
      o.writeVarLong(source.id, true);
      if (outbox.append(o.getBuffer(), start, FrameWriter.endFrame(o, start))) {
        outbox.flushSoon();
      }
    }
  }

  private void sendSmall(byte type, long id) {
    Output o = new Output(16);
    int start = FrameWriter.beginFrame(o);
    o.writeByte(type);
    o.writeVarLong(id, true);
    if (outbox.append(o.getBuffer(), start, FrameWriter.endFrame(o, start))) {
      outbox.flushSoon();
    }
  }

  // ------------------------------------------------------------------ replies (context)

  @Override
  public void frame(Buffer body) {
    lastRead = System.nanoTime();
    byte[] bytes = body.getBytes();
    try {
      handle(bytes, bytes.length);
    } catch (RuntimeException e) {
      WorkerLog.log.warn("{} sent a malformed frame ({}); reconnecting", address, e.toString());
      close("the server sent a malformed frame: " + e);
    }
  }

  private void handle(byte[] bytes, int length) {
    BoundedInput in = new BoundedInput(bytes, 0, length);
    byte type = in.readByte();
    if (!isReady && type != RemoteWire.CLASSES) {
      throw new IllegalStateException("the first frame was of type " + type + ", not the class list");
    }
    switch (type) {
      case RemoteWire.CLASSES -> {
        if (isReady) {
          throw new IllegalStateException("a second class list");
        }
        classes(in);
      }
      case RemoteWire.VALUE -> {
        long id = in.readVarLong(true);
        Pending p = pending.remove(id);
        if (p == null) {
          return; // cancelled
        }
        Object value;
        try {
          value = KryoCodec.readObject(kryo, in, "the result");
        } catch (CodecException e) {
          settle(p, null, e);
          return;
        }
        settle(p, value, null);
      }
      case RemoteWire.ERROR -> {
        long id = in.readVarLong(true);
        int kind = in.readByte();
        Wire.RemoteFailure failure = Wire.readFailure(in);
        Pending p = pending.remove(id);
        if (p != null) {
          String call = p instanceof CallPending cp ? cp.job().describe() : ((ReplayPending) p).describe();
          settle(p, null, kind == RemoteWire.ERROR_REFUSED
              ? new RefusedCallException(failure.message() + " (refused " + call + " at " + address + ")")
              : failure.toTaskException(call));
          return;
        }
        RemoteElementSource source = sources.remove(id);
        if (source != null) {
          worker.iteratorFinished();
          source.fail(failure.toTaskException("next of " + source.call));
        }
      }
      case RemoteWire.ITER -> {
        long id = in.readVarLong(true);
        Pending p = pending.remove(id);
        if (!(p instanceof CallPending cp)) {
          if (p != null) {
            settle(p, null, null);
          }
          sendSmall(RemoteWire.CLOSE, id);
          return;
        }
        ids.remove(cp.job());
        RemoteWorkerOptionsView o = worker.view();
        RemoteElementSource source = new RemoteElementSource(this, id, cp.job().describe(), o.prefetch(),
            o.prefetchBytes(), cp.iterator() ? o.prefetch() : 0, cp.iterator() ? o.prefetchBytes() : 0);
        sources.put(id, source);
        worker.iteratorOpened();
        Object deferator;
        try {
          deferator = Deferator.fromSource(cp.job().context(), source, o.deferatorWindow());
        } catch (RuntimeException e) {
          source.close();
          cp.job().fail(e);
          return;
        }
        if (!cp.job().complete(deferator)) {
          source.close();
        }
        worker.settled();
      }
      case RemoteWire.ELEMENTS -> {
        long id = in.readVarLong(true);
        RemoteElementSource source = sources.get(id);
        if (source == null) {
          return; // closed meanwhile
        }
        int start = in.position();
        List<Object> elements = new ArrayList<>();
        boolean last;
        try {
          int i = 0;
          while (in.readByte() == 1) {
            elements.add(KryoCodec.readObject(kryo, in, "element " + i++ + " of the iterator"));
          }
          int elementBytes = in.position() - 1 - start;
          last = in.readBoolean();
          source.receive(elements, elementBytes, last);
        } catch (CodecException e) {
          sources.remove(id);
          worker.iteratorFinished();
          source.fail(e);
          sendSmall(RemoteWire.CLOSE, id);
          return;
        }
        if (last && sources.remove(id, source)) {
          worker.iteratorFinished();
        }
      }
      case RemoteWire.FRAGMENT -> {
        long id = in.readVarLong(true);
        boolean last = in.readBoolean();
        ByteArrayOutputStream whole = fragments.computeIfAbsent(id, k -> new ByteArrayOutputStream(1 << 20));
        whole.write(bytes, in.position(), length - in.position());
        if (last) {
          fragments.remove(id);
          byte[] joined = whole.toByteArray();
          handle(joined, joined.length);
        }
      }
      case RemoteWire.PONG -> {
      }
      default -> throw new IllegalStateException("a frame of unknown type " + type);
    }
  }

  private void settle(Pending p, Object value, Throwable failure) {
    if (p instanceof CallPending cp) {
      ids.remove(cp.job());
      if (failure == null) {
        cp.job().complete(value);
      } else {
        cp.job().fail(failure);
      }
      worker.settled();
    } else if (p instanceof ReplayPending rp) {
      if (failure == null) {
        rp.promise().tryComplete(value);
      } else {
        rp.promise().tryFail(failure);
      }
    }
  }

  @Override
  public void framingError(String why) {
    WorkerLog.log.warn("{} sent {}; reconnecting", address, why);
    close("the server sent " + why);
  }

  // ------------------------------------------------------------------ closing

  /** Closes the connection; from any thread. The worker hears of it through {@link RemoteWorkerImpl#lost}. */
  void close(String why) {
    context.runOnContext(v -> {
      if (socket != null && !closed) {
        closeReason = why;
        socket.close();
      }
      lost(why);
    });
  }

  private void lost(String why) {
    if (!isReady) {
      fail(new WorkerLostException("the connection to " + address + " closed during the handshake"
          + (closeReason != null ? " (" + closeReason + ")" : "")));
      return;
    }
    if (closed) {
      return;
    }
    closed = true;
    String reason = closeReason != null ? closeReason : why;
    if (timer >= 0) {
      context.owner().cancelTimer(timer);
    }
    if (heartbeat >= 0) {
      context.owner().cancelTimer(heartbeat);
    }
    if (parser != null) {
      parser.stop();
    }
    if (outbox != null) {
      outbox.close();
    }
    List<Job> unsent = new ArrayList<>();
    List<Pending> replays = new ArrayList<>();
    Outgoing g;
    while ((g = toSend.poll()) != null) {
      if (g.job != null) {
        unsent.add(g.job);
      } else {
        replays.add(g.pending);
      }
    }
    List<Pending> lostCalls = new ArrayList<>(pending.values());
    lostCalls.addAll(replays);
    pending.clear();
    ids.clear();
    List<RemoteElementSource> lostSources = new ArrayList<>(sources.values());
    sources.clear();
    worker.lost(this, reason, unsent, lostCalls, lostSources);
  }

  boolean isClosed() {
    return closed;
  }

  /** @return the jobs this connection holds: sent, and queued to send */
  List<Job> heldJobs() {
    List<Job> held = new ArrayList<>();
    for (Outgoing g : toSend) {
      if (g.job != null) {
        held.add(g.job);
      }
    }
    for (Pending p : pending.values()) {
      if (p instanceof CallPending cp) {
        held.add(cp.job());
      }
    }
    return held;
  }

  int inFlight() {
    return pending.size() + toSend.size();
  }

  /** The options a connection reads, with the Deferator's window. */
  record RemoteWorkerOptionsView(int prefetch, int prefetchBytes, int deferatorWindow) {
  }
}
