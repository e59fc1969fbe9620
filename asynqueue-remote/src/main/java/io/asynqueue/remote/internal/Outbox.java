package io.asynqueue.remote.internal;

import io.asynqueue.internal.codec.Wire;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.util.ArrayDeque;

/**
 * The frames going out on one connection, written by any thread and sent on the connection's context.
 *
 * <p>Whole small frames are appended to a pending buffer (a copy, never I/O) and go out together in one write per
 * hop to the context, so the replies of a burst share a write. A reply too large for one frame is kept as its
 * encoded body and sent as FRAGMENT frames, a few at a time as the socket drains: small frames appended meanwhile
 * go out between the fragments, so one huge reply does not hold up the others, and a slow reader stops the
 * fragments rather than letting them pile up in memory.
 *
 * <p>Once {@linkplain #protect protected}, what each flush writes is sealed into records ({@link FrameMac}) as it is
 * written, on the context: records go out in the order of their sequence numbers.
 */
public final class Outbox {

  private static final int INITIAL = 4096;

  /** A reply body sent in fragments. */
  private static final class Large {
    final long id;
    final byte[] body;
    final int offset;
    final int length;
    int sent;

    Large(long id, byte[] body, int offset, int length) {
      this.id = id;
      this.body = body;
      this.offset = offset;
      this.length = length;
    }
  }

  private final Context context;
  private final NetSocket socket;
  private final Object lock = new Object();
  // @protectedby lock
  private Buffer pending;
  private final ArrayDeque<Large> large = new ArrayDeque<>();
  private boolean scheduled;
  private boolean closed;
  // set on the context, before the first flush it applies to; read on the context
  private volatile FrameMac mac;
  private final byte[] head = new byte[12];
  // context only
  private boolean draining;
  private final ArrayDeque<Runnable> drainWaiters = new ArrayDeque<>();

  public Outbox(Context context, NetSocket socket) {
    this.context = context;
    this.socket = socket;
  }

  /**
   * From now on, what is sent goes in sealed records; on the context.
   *
   * @param mac the tags of this direction, or {@code null} for none
   */
  public void protect(FrameMac mac) {
    this.mac = mac;
  }

  // context only: frames to the socket, sealed if protected
  private void write(Buffer frames) {
    FrameMac m = mac;
    if (m == null) {
      socket.write(frames);
    } else {
      m.seal(frames, socket::write);
    }
  }

  /**
   * Adds whole frames; they go out on the next flush.
   *
   * @param b the bytes
   * @param off where they start
   * @param len how many
   * @return {@code false} if the connection is closed (nothing was added)
   */
  public boolean append(byte[] b, int off, int len) {
    synchronized (lock) {
      if (closed) {
        return false;
      }
      if (pending == null) {
        pending = Buffer.buffer(Math.max(INITIAL, len));
      }
      pending.appendBytes(b, off, len);
    }
    return true;
  }

  /**
   * Adds a reply too large for one frame, sent in fragments after the frames appended before it.
   *
   * @param id the call (or iterator) it answers
   * @param body holds the reply's frame body (handed over: not to be changed afterwards)
   * @param offset where the body starts
   * @param length its length
   */
  public void appendLarge(long id, byte[] body, int offset, int length) {
    synchronized (lock) {
      if (!closed) {
        large.add(new Large(id, body, offset, length));
      }
    }
  }

  /** Sends what was appended soon, on the context: one hop for everything appended before it runs. */
  public void flushSoon() {
    synchronized (lock) {
      if (scheduled || closed) {
        return;
      }
      scheduled = true;
    }
    context.runOnContext(v -> flush());
  }

  /** Sends what was appended now; on the context only. */
  public void flush() {
    Buffer out;
    synchronized (lock) {
      scheduled = false;
      out = pending;
      pending = null;
      if (closed) {
        return;
      }
    }
    if (out != null) {
      write(out);
    }
    while (true) {
      if (socket.writeQueueFull()) {
        synchronized (lock) {
          if (large.isEmpty() || closed) {
            return;
          }
        }
        awaitDrain();
        return;
      }
      Buffer before;
      Buffer next;
      synchronized (lock) {
        Large l = large.peek();
        if (l == null || closed) {
          return;
        }
        // frames appended since the flush began go first: they were given the lower sequence numbers
        before = pending;
        pending = null;
        next = fragment(l);
        if (l.sent == l.length) {
          large.poll();
        }
      }
      if (before != null) {
        write(before);
      }
      write(next);
    }
  }

  /**
   * Runs {@code r} on the context once the socket's write queue is no longer full (at once if it is not): for a
   * reader that stops reading while its peer does not read the replies.
   */
  public void whenDrained(Runnable r) {
    if (!socket.writeQueueFull()) {
      r.run();
      return;
    }
    drainWaiters.add(r);
    awaitDrain();
  }

  // context only
  private void awaitDrain() {
    if (draining) {
      return;
    }
    draining = true;
    socket.drainHandler(v -> {
      draining = false;
      socket.drainHandler(null);
      Runnable r;
      while ((r = drainWaiters.poll()) != null) {
        r.run();
      }
      flushSoon();
    });
  }

  /** Drops everything: the connection is closing. */
  public void close() {
    synchronized (lock) {
      closed = true;
      pending = null;
      large.clear();
    }
  }

  // with lock held: the next fragment of l
  private Buffer fragment(Large l) {
    int n = Math.min(Wire.FRAGMENT_BYTES, l.length - l.sent);
    boolean last = l.sent + n == l.length;
    head[0] = Wire.FRAGMENT;
    int h = 1 + varLong(l.id, head, 1);
    head[h++] = (byte) (last ? 1 : 0);
    Buffer b = Buffer.buffer(4 + h + n);
    b.appendInt(h + n).appendBytes(head, 0, h).appendBytes(l.body, l.offset + l.sent, n);
    l.sent += n;
    return b;
  }

  // a positive varint as Kryo writes it, into out at off; returns its length
  private static int varLong(long v, byte[] out, int off) {
    int n = 0;
    while ((v & ~0x7FL) != 0) {
      out[off + n++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out[off + n++] = (byte) v;
    return n;
  }
}
