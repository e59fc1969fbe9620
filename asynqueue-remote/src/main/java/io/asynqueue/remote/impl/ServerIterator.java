package io.asynqueue.remote.impl;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import io.asynqueue.internal.TaskResults;
import io.asynqueue.internal.codec.FrameWriter;
import io.asynqueue.internal.codec.KryoCodec;
import java.util.Iterator;

/**
 * An iterator a call returned, held on the server and stepped as the client grants credit: up to so many elements
 * and so many bytes beyond what it has taken. Elements go in batches of about {@link RemoteWire#BATCH_BYTES}; a
 * batch also ships after a millisecond, so a slow iterator streams. With no credit left the iterator waits, holding
 * no thread: a consumer that stops taking elements stops the iterator.
 *
 * <p>Concurrency: one step at a time runs on the server's threads ({@link #running}); credit comes from the event
 * loop. Both are guarded by this object's lock. Credit is counted exactly as the client counts it (elements, and
 * the bytes of their encodings), so the two never drift.
 */
final class ServerIterator {

  private static final long BATCH_NANOS = 1_000_000L;

  private final ServerConnection conn;
  private final long id;
  private final Iterator<?> iterator;
  // @protectedby this
  private long credit;
  private long creditBytes;
  private boolean running;
  private boolean closed;
  private boolean finished;

  ServerIterator(ServerConnection conn, long id, Iterator<?> iterator) {
    this.conn = conn;
    this.id = id;
    this.iterator = iterator;
  }

  /** More credit from the client; starts a step if the iterator was waiting for it. */
  void grant(long elements, long bytes) {
    synchronized (this) {
      credit += elements;
      creditBytes += bytes;
      if (running || closed || finished || credit <= 0 || creditBytes <= 0) {
        return;
      }
      running = true;
    }
    conn.server.pool.execute(this::step, false);
  }

  /** The client dropped it (or the connection closed): closed now, or after the step running. */
  void close() {
    boolean now;
    synchronized (this) {
      closed = true;
      now = !running && !finished;
      finished = true;
    }
    if (now) {
      closeQuietly(iterator);
    }
  }

  private void step() {
    long maxElements;
    long maxBytes;
    synchronized (this) {
      if (closed) {
        running = false;
        closeQuietly(iterator);
        return;
      }
      maxElements = credit;
      maxBytes = Math.min(creditBytes, RemoteWire.BATCH_BYTES);
    }
    Output out = ServerCall.OUT.get();
    out.reset();
    int start = FrameWriter.beginFrame(out);
    out.writeByte(RemoteWire.ELEMENTS);
    out.writeVarLong(id, true);
    int elementsStart = out.position();
    int count = 0;
    boolean last;
    Throwable failure = null;
    long t0 = System.nanoTime();
    Kryo kryo = conn.server.codec.borrow();
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
    } finally {
      conn.server.codec.release(kryo);
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
      if (conn.send(id, out, start, FrameWriter.endFrame(out, start))) {
        ServerCall.OUT.set(new Output(4096, -1));
      }
    }
    if (failure != null) {
      conn.iterators.remove(id, this);
      closeQuietly(iterator);
      Output err = ServerCall.OUT.get();
      conn.send(id, err, 0, ServerConnection.error(err, id, RemoteWire.ERROR_THREW, failure, null));
      return;
    }
    if (last) {
      conn.iterators.remove(id, this);
      closeQuietly(iterator);
      return;
    }
    synchronized (this) {
      if (closed && !again) {
        closeQuietly(iterator);
        return;
      }
    }
    if (again) {
      conn.server.pool.execute(this::step, false); // to the back of the queue: calls waiting get their turn
    }
  }

  static void closeQuietly(Iterator<?> it) {
    TaskResults.closeQuietly(it);
  }
}
