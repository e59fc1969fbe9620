package io.asynqueue.remote.impl;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import io.asynqueue.Task;
import io.asynqueue.internal.TaskResults;
import io.asynqueue.internal.codec.BoundedInput;
import io.asynqueue.CodecException;
import io.asynqueue.internal.codec.FrameWriter;
import io.asynqueue.internal.codec.KryoCodec;
import java.lang.reflect.Method;
import java.util.Iterator;

/**
 * One call from a client, run on a server thread: decode the task and arguments, check them against what the server
 * exposes, run, reply.
 *
 * <p>Concurrency: a cancel (the client's timeout, or the connection closing) comes from the event loop while the call
 * may be queued or running; {@link #runner} under this object's lock tells which thread to interrupt, and the pool
 * clears a late interrupt before its thread's next task.
 */
final class ServerCall implements Runnable {

  /** The reply encoder of the current thread. */
  static final ThreadLocal<Output> OUT = ThreadLocal.withInitial(() -> new Output(4096, -1));

  /** The call was refused before running: its message goes to the client as a refusal. */
  private static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message, null, false, false);
    }
  }

  final ServerConnection conn;
  final long id;
  private final int flags;
  private final int credit;
  private final int creditBytes;
  private final byte[] bytes;
  private final int bodyStart;
  // @protectedby this
  private Thread runner;
  private boolean cancelled;

  ServerCall(ServerConnection conn, long id, int flags, int credit, int creditBytes, byte[] bytes, int bodyStart) {
    this.conn = conn;
    this.id = id;
    this.flags = flags;
    this.credit = credit;
    this.creditBytes = creditBytes;
    this.bytes = bytes;
    this.bodyStart = bodyStart;
  }

  int frameLength() {
    return bytes.length;
  }

  /** Drops the call if it has not started; interrupts it if it is running. */
  synchronized void cancel() {
    cancelled = true;
    if (runner != null) {
      runner.interrupt();
    }
  }

  private synchronized boolean isCancelled() {
    return cancelled;
  }

  /** On a server thread: waits for one of the server's concurrency permits, then runs. */
  @Override
  public void run() {
    conn.server.permits.acquireUninterruptibly();
    runHolding();
  }

  /**
   * On the event loop, holding a permit already: a call of a method that ran briefly last time, run without the
   * two thread hops of the pool.
   */
  void runInline() {
    runHolding();
  }

  // runs with a permit, and gives it back once the task returned
  private void runHolding() {
    boolean released = false;
    try {
      synchronized (this) {
        if (cancelled || conn.isClosed()) {
          cancelled = true;
          conn.server.permits.release();
          released = true;
          conn.callDone(this);
          return;
        }
        runner = Thread.currentThread();
      }
      runDecoded();
    } finally {
      if (!released && !permitReturned) {
        conn.server.permits.release();
      }
    }
  }

  private boolean permitReturned;

  private void returnPermit() {
    if (!permitReturned) {
      permitReturned = true;
      conn.server.permits.release();
    }
  }

  private void runDecoded() {
    Object result;
    try {
      result = decodeAndInvoke();
    } catch (Refused r) {
      returnPermit();
      stopRunning();
      WorkerServerImpl.log.debug("refused a call of {}: {}", conn.peer, r.getMessage());
      reply(ServerConnection.error(OUT.get(), id, RemoteWire.ERROR_REFUSED, null, r.getMessage()));
      return;
    } catch (Throwable t) {
      returnPermit();
      stopRunning();
      replyFailure(t);
      return;
    }
    returnPermit();
    stopRunning();
    handle(result);
  }

  private void stopRunning() {
    synchronized (this) {
      runner = null;
    }
    Thread.interrupted();
  }

  private Object decodeAndInvoke() throws Throwable {
    WorkerServerImpl server = conn.server;
    Method method = null;
    Task<?> task = null;
    Object[] args;
    Kryo kryo = server.codec.borrow();
    try {
      BoundedInput in = new BoundedInput(bytes, 0, bytes.length);
      in.setPosition(bodyStart);
      int kind = in.readByte();
      String name = null;
      if (kind == RemoteWire.KIND_NAMED) {
        name = in.readString();
      } else if (kind == RemoteWire.KIND_TASK) {
        Object t = KryoCodec.readObject(kryo, in, "the task");
        if (!(t instanceof Task<?>) || !server.allowedTask(t)) {
          throw new Refused(KryoCodec.className(t) + " is not an allowed task on this server (allowed task "
              + "classes: " + server.allowedTasks() + "; exposed methods: " + server.methods.list() + ")");
        }
        task = (Task<?>) t;
      } else {
        throw new Refused("unknown kind of call " + kind);
      }
      int n = in.readVarInt(true);
      in.charge(n);
      args = new Object[n];
      for (int i = 0; i < n; i++) {
        args[i] = KryoCodec.readObject(kryo, in, "argument " + (i + 1));
      }
      if (name != null) {
        method = server.methods.find(name, n);
        if (method == null) {
          throw new Refused(server.methods.notFound(name, n));
        }
      }
    } catch (CodecException e) {
      throw new Refused("the call cannot be decoded on the server: " + e.getMessage());
    } catch (RuntimeException e) {
      throw new Refused("the call cannot be decoded on the server: " + KryoCodec.rootMessage(e));
    } finally {
      server.codec.release(kryo);
    }
    if (method == null) {
      return task.invoke(args);
    }
    long t0 = System.nanoTime();
    try {
      return server.methods.invoke(method, args);
    } finally {
      server.ran(method, System.nanoTime() - t0);
    }
  }

  // the outcome of the task, by the rule every worker kind follows
  private void handle(Object result) {
    if (isCancelled()) {
      TaskResults.closeQuietly(result);
      conn.callDone(this);
      return;
    }
    TaskResults.resolve(result, (flags & RemoteWire.FLAG_ITERATOR) != 0, new TaskResults.Outcome() {
      @Override
      public void value(Object value) {
        replyValue(value);
      }

      @Override
      public void iterator(Iterator<?> it) {
        if (isCancelled()) {
          TaskResults.closeQuietly(it);
          conn.callDone(ServerCall.this);
        } else {
          openIterator(it);
        }
      }

      @Override
      public void failure(Throwable failure) {
        replyFailure(failure);
      }
    });
  }

  private void replyValue(Object result) {
    Output out = OUT.get();
    out.reset();
    int start = FrameWriter.beginFrame(out);
    out.writeByte(RemoteWire.VALUE);
    out.writeVarLong(id, true);
    Kryo kryo = conn.server.codec.borrow();
    try {
      KryoCodec.writeObject(kryo, out, "the result", result);
    } catch (CodecException e) {
      replyFailure(new CodecException("the result of the call cannot be sent: " + e.getMessage()));
      return;
    } finally {
      conn.server.codec.release(kryo);
    }
    reply(FrameWriter.endFrame(out, start));
  }

  private void openIterator(Iterator<?> it) {
    if (!conn.mayOpenIterator()) {
      ServerIterator.closeQuietly(it);
      reply(ServerConnection.error(OUT.get(), id, RemoteWire.ERROR_REFUSED, null,
          "too many open iterators on this connection"));
      return;
    }
    ServerIterator si = new ServerIterator(conn, id, it);
    conn.iterators.put(id, si);
    Output out = OUT.get();
    out.reset();
    int start = FrameWriter.beginFrame(out);
    out.writeByte(RemoteWire.ITER);
    out.writeVarLong(id, true);
    reply(FrameWriter.endFrame(out, start));
    if (credit > 0 && creditBytes > 0) {
      si.grant(credit, creditBytes);
    }
  }

  private void replyFailure(Throwable t) {
    reply(ServerConnection.error(OUT.get(), id, RemoteWire.ERROR_THREW, t, null));
  }

  // sends the frame in the thread's output, then lets the connection read more calls
  private void reply(int length) {
    Output out = OUT.get();
    if (!isCancelled() && conn.send(id, out, 0, length)) {
      OUT.set(new Output(4096, -1));
    } else if (out.getBuffer().length > (1 << 20)) {
      OUT.set(new Output(4096, -1));
    }
    conn.callDone(this);
  }
}
