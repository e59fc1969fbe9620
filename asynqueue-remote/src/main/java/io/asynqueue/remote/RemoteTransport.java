package io.asynqueue.remote;

import io.asynqueue.WorkerLostException;
import io.asynqueue.internal.channel.Channel;
import io.asynqueue.internal.channel.Hello;
import io.asynqueue.internal.channel.Transport;
import io.asynqueue.internal.codec.BoundedInput;
import io.asynqueue.internal.codec.KryoCodec;
import io.asynqueue.internal.codec.Wire;
import io.asynqueue.remote.internal.FrameMac;
import io.asynqueue.remote.internal.FrameParser;
import io.asynqueue.remote.internal.Handshake;
import io.asynqueue.remote.internal.Outbox;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
// Vert.x internal API (listed in InternalImportsTest): timers set on the connection's context and promises bound to it;
// no public API does either.
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * How a remote worker opens its channel: a TCP connection to its server, the handshake that proves both ends
 * hold the secret, then the server's HELLO. Frames are parsed on the worker's context (the event loop its
 * connections live on); frames out go through an {@link Outbox}. A heartbeat (PING) every interval keeps an idle
 * connection known alive; a server silent for three intervals is given up on.
 */
final class RemoteTransport implements Transport {

  /** The largest frame a server sends: a fragment with its header, or a small reply. */
  static final int MAX_FRAME_BYTES = Wire.FRAGMENT_BYTES + 1024;

  private final ContextInternal context;
  private final NetClient client;
  private final RemoteWorkerOptions options;
  private final byte[] secret;
  private final String address;
  private final IntSupplier workerId;
  /** Told of each refused handshake (the supervisor's {@code handshakeRefused}). */
  private final Runnable refused;

  RemoteTransport(ContextInternal context, NetClient client, RemoteWorkerOptions options, byte[] secret,
      IntSupplier workerId, Runnable refused) {
    this.context = context;
    this.client = client;
    this.options = options;
    this.secret = secret;
    this.address = options.getHost() + ":" + options.getPort();
    this.workerId = workerId;
    this.refused = refused;
  }

  @Override
  public Future<Channel> open(int generation, Channel.Listener listener) {
    Connection c = new Connection(listener);
    context.runOnContext(v -> c.connect());
    return c.opened.future();
  }

  /** One connection: the handshake, then frames both ways. Confined to the context but for its sends. */
  private final class Connection implements Channel, FrameParser.Sink {
    final Promise<Channel> opened;
    private final Channel.Listener listener;
    private NetSocket socket;
    private Outbox outbox;
    private Buffer handshake = Buffer.buffer(64);
    private int stage;
    private byte[] serverNonce;
    private byte[] clientNonce;
    private FrameParser parser;
    /** Checks the tags of the server's frames, or {@code null} when they carry none (no secret: TLS only). */
    private FrameMac inMac;
    private long timer = -1;
    private long heartbeat = -1;
    private volatile long lastRead = System.nanoTime();
    private volatile Hello hello;
    private String closeReason;
    private boolean ended;

    Connection(Channel.Listener listener) {
      this.listener = listener;
      this.opened = context.promise();
    }

    void connect() {
      long timeoutMillis = options.getConnectTimeout().toMillis();
      timer = context.setTimer(timeoutMillis, t -> {
        timer = -1;
        fail(new WorkerLostException("no handshake with " + address + " within " + timeoutMillis + " ms"));
      });
      client.connect(options.getPort(), options.getHost()).onComplete(ar -> {
        if (ar.failed()) {
          fail(new WorkerLostException("cannot connect to " + address + ": " + ar.cause().getMessage(), ar.cause()));
          return;
        }
        socket = ar.result();
        if (opened.future().isComplete()) {
          socket.close();
          return;
        }
        outbox = new Outbox(context, socket);
        socket.handler(this::handshakeBytes);
        socket.closeHandler(v -> ended("the connection was closed"));
        socket.exceptionHandler(e -> {
          WorkerLog.log.debug("{}: {}", address, e.toString());
          if (closeReason == null) {
            closeReason = KryoCodec.rootMessage(e); // a TLS failure says why the connection is about to close
          }
        });
      });
    }

    private void handshakeBytes(Buffer b) {
      if (stage > 1) {
        return;
      }
      handshake.appendBuffer(b);
      if (stage == 0) {
        if (handshake.length() < Handshake.SERVER_HELLO) {
          return;
        }
        if (!Handshake.startsWith(handshake, Handshake.MAGIC) || handshake.getByte(4) != Handshake.VERSION) {
          refuse(new WorkerLostException(address + " is not an AsynQueue WorkerServer of protocol version "
              + Handshake.VERSION));
          return;
        }
        boolean wantsSecret = (handshake.getByte(5) & Handshake.FLAG_SECRET) != 0;
        if (wantsSecret && secret == null) {
          refuse(new Transport.PermanentFailure(new AuthenticationException("the server at " + address
              + " requires a secret, and this worker has none")));
          return;
        }
        if (!wantsSecret && secret != null) {
          refuse(new Transport.PermanentFailure(new AuthenticationException("the server at " + address
              + " does not use a secret, so it cannot prove it holds this worker's; refusing to talk to it")));
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
          refuse(reason == Handshake.REASON_PROOF
              ? new Transport.PermanentFailure(new AuthenticationException("the server at " + address
                  + " rejected this worker's secret"))
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
      byte[] proof = handshake.getBytes(4, Handshake.WELCOME);
      if (secret != null && !Handshake.matches(Handshake.proof(secret, false, serverNonce, clientNonce), proof)) {
        refuse(new Transport.PermanentFailure(new AuthenticationException("the server at " + address
            + " could not prove it holds the secret")));
        return;
      }
      Buffer rest = handshake.getBuffer(Handshake.WELCOME, handshake.length());
      handshake = null;
      stage = 2;
      inMac = FrameMac.of(secret, serverNonce, clientNonce, false);
      outbox.protect(FrameMac.of(secret, serverNonce, clientNonce, true));
      parser = new FrameParser(MAX_FRAME_BYTES + (inMac == null ? 0 : 4 + FrameMac.TAG_BYTES), this);
      socket.handler(parser);
      if (rest.length() > 0) {
        parser.handle(rest);
      }
    }

    // the first frame: what the server offers, and the classes it registers, in ID order
    private void hello(BoundedInput in) {
      if (in.readByte() != Wire.HELLO) {
        throw new IllegalStateException("the first frame was not a HELLO");
      }
      long pid = in.readVarLong(true);
      int cpus = in.readVarInt(true);
      int concurrency = in.readVarInt(true);
      int maxInFlight = in.readVarInt(true);
      int maxFrameBytes = in.readVarInt(true);
      int n = in.readVarInt(true);
      in.charge(n);
      List<String> classes = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        classes.add(in.readString());
      }
      if (concurrency < 1 || maxInFlight < 1 || maxFrameBytes < 1024) {
        fail(new WorkerLostException(address + " advertised impossible limits"));
        return;
      }
      hello = new Hello(pid, cpus, concurrency, maxInFlight, maxFrameBytes, List.copyOf(classes));
      if (timer >= 0) {
        context.owner().cancelTimer(timer);
        timer = -1;
      }
      long interval = options.getHeartbeatInterval().toMillis();
      heartbeat = context.setPeriodic(interval, t -> {
        if (System.nanoTime() - lastRead > 3 * interval * 1_000_000L) {
          kill("the server did not answer for " + 3 * interval + " ms");
        } else {
          byte[] ping = {0, 0, 0, 1, Wire.PING};
          outbox.append(ping, 0, ping.length);
          outbox.flush();
        }
      });
      if (!opened.tryComplete(this)) {
        socket.close();
      }
    }

    /** The server refused the handshake, or this worker refused the server: counted, then failed. */
    private void refuse(Throwable cause) {
      if (!opened.future().isComplete()) {
        refused.run();
      }
      fail(cause);
    }

    private void fail(Throwable cause) {
      if (opened.tryFail(cause)) {
        closeReason = cause.getMessage();
        if (timer >= 0) {
          context.owner().cancelTimer(timer);
          timer = -1;
        }
        if (socket != null) {
          socket.close();
        }
      }
    }

    @Override
    public void frame(Buffer body) {
      lastRead = System.nanoTime();
      byte[] bytes = body.getBytes();
      if (inMac == null) {
        decode(bytes);
        return;
      }
      if (!inMac.verify(bytes, bytes.length)) {
        parser.stop(); // what follows would fail too
        WorkerLog.log.warn("{} sent a record that failed its integrity check; reconnecting", address);
        kill("a record from the server failed its integrity check (changed, replayed or reordered on the way)");
        return;
      }
      try {
        FrameMac.open(bytes, bytes.length, MAX_FRAME_BYTES, this::decode);
      } catch (IllegalArgumentException e) {
        parser.stop();
        WorkerLog.log.warn("{} sent {}; reconnecting", address, e.getMessage());
        kill("the server sent " + e.getMessage());
      }
    }

    // one frame; returns whether to go on
    private boolean decode(byte[] bytes) {
      try {
        if (hello == null) {
          hello(new BoundedInput(bytes, 0, bytes.length));
        } else {
          listener.frame(bytes, bytes.length);
        }
        return true;
      } catch (RuntimeException e) {
        parser.stop();
        WorkerLog.log.warn("{} sent a malformed frame ({}); reconnecting", address, e.toString());
        kill("the server sent a malformed frame: " + e);
        return false;
      }
    }

    @Override
    public void framingError(String why) {
      WorkerLog.log.warn("{} sent {}; reconnecting", address, why);
      kill("the server sent " + why);
    }

    private void ended(String why) {
      if (hello == null || !opened.future().succeeded()) {
        fail(new WorkerLostException("the connection to " + address + " closed during the handshake"
            + (closeReason != null ? " (" + closeReason + ")" : "")));
        return;
      }
      if (ended) {
        return;
      }
      ended = true;
      if (heartbeat >= 0) {
        context.owner().cancelTimer(heartbeat);
      }
      parser.stop();
      outbox.close();
      listener.closed(closeReason != null ? closeReason : why);
    }

    @Override
    public Hello hello() {
      return hello;
    }

    @Override
    public String label() {
      return "remote worker " + workerId.getAsInt() + " (" + address + ")";
    }

    @Override
    public void send(byte[] frames, int offset, int length) {
      outbox.append(frames, offset, length);
    }

    @Override
    public void flush(boolean alone) {
      outbox.flushSoon();
    }

    @Override
    public Future<Void> finish() {
      Promise<Void> done = context.promise();
      context.runOnContext(v -> {
        closeReason = "the worker stopped";
        socket.close().onComplete(ar -> done.tryComplete());
      });
      return done.future();
    }

    @Override
    public void kill(String why) {
      context.runOnContext(v -> {
        if (closeReason == null) {
          closeReason = why;
        }
        if (socket != null) {
          socket.close();
        }
        ended(why);
      });
    }
  }
}
