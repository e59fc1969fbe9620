package io.asynqueue.stream;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.streams.WriteStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Test doubles for the iteration tests. */
final class IterationFixtures {

  private IterationFixtures() {
  }

  /** An executor whose tasks run only when the test says so: makes fetch timing deterministic. */
  static final class ManualExecutor implements Executor {
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    final AtomicInteger submitted = new AtomicInteger();

    @Override
    public void execute(Runnable task) {
      submitted.incrementAndGet();
      tasks.add(task);
    }

    int pending() {
      return tasks.size();
    }

    /** Runs the queued tasks (not those they queue). @return how many ran */
    int runPending() {
      int n = tasks.size();
      for (int i = 0; i < n; i++) {
        tasks.poll().run();
      }
      return n;
    }
  }

  /** Counts 0, 1, 2, ... up to {@code limit} (exclusive; Long.MAX_VALUE for endless), counting next() calls. */
  static final class CountingIterator implements Iterator<Long>, AutoCloseable {
    private final long limit;
    final AtomicLong produced = new AtomicLong();
    volatile boolean closed;

    CountingIterator(long limit) {
      this.limit = limit;
    }

    @Override
    public boolean hasNext() {
      return produced.get() < limit;
    }

    @Override
    public Long next() {
      long n = produced.get();
      if (n >= limit) {
        throw new NoSuchElementException();
      }
      produced.set(n + 1);
      return n;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  /**
   * A WriteStream that takes {@code perTick} items off its queue every millisecond, so it is slower than the
   * source; full at {@code maxSize}, drained at half. Records what it consumed, in order.
   */
  static final class SlowWriteStream<T> implements WriteStream<T> {
    private final Vertx vertx;
    private final Context context;
    private final int perTick;
    private final ArrayDeque<T> queue = new ArrayDeque<>();
    private final ArrayDeque<Promise<Void>> writes = new ArrayDeque<>();
    final List<T> consumed = new ArrayList<>();
    final Promise<Void> ended = Promise.promise();
    private int maxSize = 8;
    private boolean ending;
    private boolean ticking;
    private Handler<Void> drainHandler;
    int maxQueued;
    Runnable onConsume = () -> { };

    SlowWriteStream(Vertx vertx, Context context, int perTick) {
      this.vertx = vertx;
      this.context = context;
      this.perTick = perTick;
    }

    @Override
    public WriteStream<T> exceptionHandler(Handler<Throwable> handler) {
      return this;
    }

    @Override
    public Future<Void> write(T data) {
      if (Vertx.currentContext() != context) {
        throw new AssertionError("write off the context");
      }
      Promise<Void> p = Promise.promise();
      queue.add(data);
      writes.add(p);
      maxQueued = Math.max(maxQueued, queue.size());
      tick();
      return p.future();
    }

    private void tick() {
      if (!ticking) {
        ticking = true;
        vertx.setTimer(1, id -> {
          ticking = false;
          for (int i = 0; i < perTick && !queue.isEmpty(); i++) {
            consumed.add(queue.poll());
            writes.poll().complete();
            onConsume.run();
          }
          if (queue.size() <= maxSize / 2 && drainHandler != null) {
            Handler<Void> h = drainHandler;
            drainHandler = null;
            h.handle(null);
          }
          if (!queue.isEmpty()) {
            tick();
          } else if (ending) {
            ended.tryComplete();
          }
        });
      }
    }

    @Override
    public Future<Void> end() {
      ending = true;
      if (queue.isEmpty()) {
        ended.tryComplete();
      }
      return ended.future();
    }

    @Override
    public WriteStream<T> setWriteQueueMaxSize(int maxSize) {
      this.maxSize = maxSize;
      return this;
    }

    @Override
    public boolean writeQueueFull() {
      return queue.size() >= maxSize;
    }

    @Override
    public WriteStream<T> drainHandler(Handler<Void> handler) {
      this.drainHandler = handler;
      return this;
    }
  }

  static List<Long> range(long n) {
    List<Long> out = new ArrayList<>();
    for (long i = 0; i < n; i++) {
      out.add(i);
    }
    return out;
  }
}
