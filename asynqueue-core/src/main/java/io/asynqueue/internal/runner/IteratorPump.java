package io.asynqueue.internal.runner;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import io.asynqueue.internal.TaskResults;
import io.asynqueue.internal.codec.FrameWriter;
import io.asynqueue.internal.codec.KryoCodec;
import io.asynqueue.internal.codec.Wire;
import java.util.Iterator;

/**
 * An iterator a call returned, held by the runner and stepped as the caller grants credit: up to so many
 * elements and so many bytes beyond what it has taken. Elements go in batches of about
 * {@link Wire#BATCH_BYTES}; a batch also ships after a millisecond, so a slow iterator streams. With no credit
 * left the iterator waits, holding no thread: a consumer that stops taking elements stops the iterator. A
 * failure goes to the caller after the elements before it.
 *
 * <p>Concurrency: one step at a time runs on the runner's threads ({@link #running}); credit comes from the
 * reading thread. Both are guarded by this object's lock. Credit is counted exactly as the caller counts it
 * (elements, and the bytes of their encodings), so the two never drift.
 */
final class IteratorPump {

  private static final long BATCH_NANOS = 1_000_000L;

  private final Runner runner;
  private final long id;
  private final Iterator<?> iterator;
  // @protectedby this
  private long credit;
  private long creditBytes;
  private boolean running;
  private boolean closed;
  private boolean finished;
  private boolean released;

  IteratorPump(Runner runner, long id, Iterator<?> iterator) {
    this.runner = runner;
    this.id = id;
    this.iterator = iterator;
  }

  /** More credit from the caller; starts a step if the iterator was waiting for it. */
  void grant(long elements, long bytes) {
    synchronized (this) {
      credit += elements;
      creditBytes += bytes;
      if (running || closed || finished || credit <= 0 || creditBytes <= 0) {
        return;
      }
      running = true;
    }
    runner.execute(this::step);
  }

  /** The caller dropped it (or the channel closed): closed now, or after the step running. */
  void close() {
    boolean now;
    synchronized (this) {
      closed = true;
      now = !running && !finished;
      finished = true;
    }
    if (now) {
      release();
    }
  }

  /** Closes the iterator, once: a close from the caller and the end of a step may both come here. */
  private void release() {
    synchronized (this) {
      if (released) {
        return;
      }
      released = true;
    }
    TaskResults.closeQuietly(iterator);
  }

  private void step() {
    long maxElements;
    long maxBytes;
    synchronized (this) {
      if (closed) {
        running = false;
        release();
        return;
      }
      maxElements = credit;
      maxBytes = Math.min(creditBytes, Wire.BATCH_BYTES);
    }
    Output out = Runner.OUT.get();
    out.reset();
    int start = FrameWriter.beginFrame(out);
    out.writeByte(Wire.ELEMENTS);
    out.writeVarLong(id, true);
    int elementsStart = out.position();
    int count = 0;
    boolean last;
    Throwable failure = null;
    long t0 = System.nanoTime();
    Kryo kryo = runner.codec.local();
    try {
      while (count < maxElements && out.position() - elementsStart < maxBytes && iterator.hasNext()) {
        Object element = iterator.next();
        int before = out.position();
        try {
          out.writeByte(1);
          KryoCodec.writeObject(kryo, out, "element " + count + " of the iterator", element);
        } catch (RuntimeException e) {
          out.setPosition(before);
          throw e;
        }
        count++;
        if ((count & 15) == 0 && System.nanoTime() - t0 > BATCH_NANOS) {
          break;
        }
      }
      last = !iterator.hasNext();
    } catch (Throwable t) {
      failure = t;
      last = false;
    }
    int elementBytes = out.position() - elementsStart;
    out.writeByte(0);
    out.writeBoolean(last);
    boolean again;
    synchronized (this) {
      credit -= count;
      creditBytes -= elementBytes;
      if (last || failure != null) {
        finished = true;
      }
      again = !finished && !closed && credit > 0 && creditBytes > 0;
      running = again;
      if (closed && !finished) {
        finished = true;
        again = false;
      }
    }
    if (count > 0 || last || failure == null) {
      runner.sendOut(id, FrameWriter.endFrame(out, start));
    }
    if (failure != null) {
      runner.iterators.remove(id, this);
      release();
      runner.sendOut(id, Runner.error(Runner.OUT.get(), id, Wire.THREW, 0, failure, null));
      return;
    }
    if (last) {
      runner.iterators.remove(id, this);
      release();
      return;
    }
    synchronized (this) {
      if (closed && !again) {
        release();
        return;
      }
    }
    if (again) {
      runner.execute(this::step); // behind the calls waiting: they get their turn
    }
  }
}
