package io.asynqueue.internal.runner;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import io.asynqueue.CodecException;
import io.asynqueue.Task;
import io.asynqueue.internal.TaskResults;
import io.asynqueue.internal.codec.BoundedInput;
import io.asynqueue.internal.codec.FrameWriter;
import io.asynqueue.internal.codec.KryoCodec;
import io.asynqueue.internal.codec.Wire;
import io.asynqueue.internal.runner.Runner.Invocation;
import io.asynqueue.internal.runner.Runner.Refused;
import java.util.Iterator;

/**
 * One call a caller sent: decoded on the thread that runs it, run, and answered by the one rule for
 * results ({@link TaskResults}): a value, an iterator pumped under credit, or a failure.
 *
 * <p>Concurrency: a CANCEL (the caller's timeout, or the channel closing) comes from the reading thread while
 * the call may be waiting or running; {@link #runner}, under this object's lock, says which thread to
 * interrupt. The runner's threads clear a late interrupt before their next task.
 */
public final class RunnerCall implements Runnable {

  private final Runner runner;
  final long id;
  private final int flags;
  private final long credit;
  private final long creditBytes;
  private final byte[] frame;
  private final int bodyStart;
  private final int length;
  private Class<?> taskClass;
  private String name;
  // @protectedby this
  private Thread thread;
  private boolean cancelled;
  private boolean invoked;

  RunnerCall(Runner runner, long id, int flags, long credit, long creditBytes, byte[] frame, int bodyStart,
      int length) {
    this.runner = runner;
    this.id = id;
    this.flags = flags;
    this.credit = credit;
    this.creditBytes = creditBytes;
    this.frame = frame;
    this.bodyStart = bodyStart;
    this.length = length;
  }

  /** @return the call's ID */
  public long id() {
    return id;
  }

  /** @return the size of its frame, for a runner that bounds the bytes in flight */
  public int frameLength() {
    return length;
  }

  /** @return whether the caller wants an iterator */
  public boolean isIteration() {
    return (flags & Wire.FLAG_ITERATOR) != 0;
  }

  /**
   * Peeks at what the call names without decoding its arguments: a method's name for a named call, or
   * {@code null}.
   *
   * @return the name, or {@code null}
   */
  public String targetName() {
    BoundedInput in = new BoundedInput(frame, bodyStart, length - bodyStart);
    try {
      return in.readByte() == Wire.NAMED ? in.readString() : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * Peeks at the class of a task sent before (a DEFINE) that the call names, without decoding the call: for a
   * runner that decides where to run a call by how long that kind of task ran last time.
   *
   * @return the class, or {@code null} for a call of another kind
   */
  public Class<?> definedTaskClass() {
    BoundedInput in = new BoundedInput(frame, bodyStart, length - bodyStart);
    try {
      if (in.readByte() != Wire.REF) {
        return null;
      }
      Object task = runner.defined(in.readVarInt(true));
      return task instanceof Task<?> t ? t.getClass() : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * Peeks at the number of arguments of a named call without decoding them.
   *
   * @return how many, or -1 for a call of another kind
   */
  public int targetArity() {
    BoundedInput in = new BoundedInput(frame, bodyStart, length - bodyStart);
    try {
      if (in.readByte() != Wire.NAMED) {
        return -1;
      }
      in.readString();
      return in.readVarInt(true);
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /** @return the class of the task that ran (for a runner that times its tasks), or {@code null} */
  public Class<?> taskClass() {
    return taskClass;
  }

  /** Drops the call if it has not started; interrupts it if it is running. */
  public synchronized void cancel() {
    cancelled = true;
    if (thread != null) {
      thread.interrupt();
    }
  }

  private synchronized boolean isCancelled() {
    return cancelled;
  }

  /** Runs the call on this thread, then replies (now, or once a Future result completes). */
  @Override
  public void run() {
    synchronized (this) {
      if (cancelled || runner.isClosed()) {
        cancelled = true;
        end(0);
        finish();
        return;
      }
      thread = Thread.currentThread();
    }
    Invocation invocation;
    Object[] args;
    try {
      BoundedInput in = new BoundedInput(frame, 0, length);
      in.setPosition(bodyStart);
      invocation = decode(in);
      int n = in.readVarInt(true);
      in.charge(n);
      args = new Object[n];
      Kryo kryo = runner.codec.local();
      for (int i = 0; i < n; i++) {
        args[i] = KryoCodec.readObject(kryo, in, "argument " + (i + 1));
      }
      if (invocation == null) {
        invocation = runner.resolveNamed(name, n);
      }
    } catch (Refused r) {
      end(0);
      reply(Runner.error(Runner.OUT.get(), id, Wire.REFUSED, 0, null, r.getMessage()));
      return;
    } catch (CodecException e) {
      end(0);
      reply(Runner.error(Runner.OUT.get(), id, Wire.REFUSED, 0, null, "the call cannot be decoded where it was "
          + "to run: " + e.getMessage()));
      return;
    } catch (RuntimeException e) {
      end(0);
      reply(Runner.error(Runner.OUT.get(), id, Wire.REFUSED, 0, null, "the call cannot be decoded where it was "
          + "to run: " + KryoCodec.rootMessage(e)));
      return;
    }
    long t0 = System.nanoTime();
    Object result;
    try {
      result = invocation.invoke(args);
    } catch (Throwable t) {
      long runNanos = System.nanoTime() - t0;
      end(runNanos);
      reply(Runner.error(Runner.OUT.get(), id, Wire.THREW, runNanos, t, null));
      return;
    }
    long runNanos = System.nanoTime() - t0;
    end(runNanos);
    if (isCancelled()) {
      TaskResults.closeQuietly(result);
      finish();
      return;
    }
    TaskResults.resolve(result, isIteration(), new TaskResults.Outcome() {
      @Override
      public void value(Object value) {
        replyValue(value, runNanos);
      }

      @Override
      public void iterator(Iterator<?> iterator) {
        openIterator(iterator, runNanos);
      }

      @Override
      public void failure(Throwable failure) {
        reply(Runner.error(Runner.OUT.get(), id, Wire.THREW, runNanos, failure, null));
      }
    });
  }

  // the call's target: a task (decoded and checked here), or null for a method the runner resolves by name
  private Invocation decode(BoundedInput in) throws Refused {
    int kind = in.readByte();
    Object task;
    switch (kind) {
      case Wire.NAMED -> {
        name = in.readString();
        return null;
      }
      case Wire.TASK -> task = KryoCodec.readObject(runner.codec.local(), in, "the task");
      case Wire.REF -> {
        int ref = in.readVarInt(true);
        task = runner.defined(ref);
        if (task instanceof CodecException e) {
          throw e;
        } else if (task == null) {
          throw new Refused("task " + ref + " was never defined here");
        }
      }
      default -> throw new Refused("unknown kind of call " + kind);
    }
    runner.checkTask(task);
    Task<?> t = (Task<?>) task;
    taskClass = t.getClass();
    return t::invoke;
  }

  // the invocation is over (or will not happen): it no longer runs on this thread
  private void end(long runNanos) {
    boolean first;
    synchronized (this) {
      thread = null;
      first = !invoked;
      invoked = true;
    }
    Thread.interrupted();
    if (runNanos > 0) {
      runner.ran();
    }
    if (first) {
      runner.invoked(this, runNanos);
    }
  }

  private void replyValue(Object value, long runNanos) {
    Output out = Runner.OUT.get();
    out.reset();
    int start = FrameWriter.beginFrame(out);
    out.writeByte(Wire.VALUE);
    out.writeVarLong(id, true);
    out.writeVarLong(runNanos, true);
    try {
      KryoCodec.writeObject(runner.codec.local(), out, "the result", value);
    } catch (CodecException e) {
      reply(Runner.error(out, id, Wire.THREW, runNanos, new CodecException("the result of the call cannot be "
          + "sent: " + e.getMessage(), e), null));
      return;
    }
    reply(FrameWriter.endFrame(out, start));
  }

  private void openIterator(Iterator<?> iterator, long runNanos) {
    if (isCancelled()) {
      TaskResults.closeQuietly(iterator);
      finish();
      return;
    }
    if (!runner.mayOpenIterator()) {
      TaskResults.closeQuietly(iterator);
      reply(Runner.error(Runner.OUT.get(), id, Wire.REFUSED, runNanos, null, "too many open iterators"));
      return;
    }
    IteratorPump pump = new IteratorPump(runner, id, iterator);
    runner.iterators.put(id, pump);
    Output out = Runner.OUT.get();
    out.reset();
    int start = FrameWriter.beginFrame(out);
    out.writeByte(Wire.ITER);
    out.writeVarLong(id, true);
    out.writeVarLong(runNanos, true);
    reply(FrameWriter.endFrame(out, start));
    if (credit > 0 && creditBytes > 0) {
      pump.grant(credit, creditBytes);
    }
  }

  // sends the frame in the thread's encoder (unless the call was cancelled), then lets the call go
  private void reply(int length) {
    if (!isCancelled()) {
      runner.sendOut(id, length);
    }
    finish();
  }

  private void finish() {
    if (runner.calls.remove(id, this)) {
      runner.finished(this);
    }
  }
}
