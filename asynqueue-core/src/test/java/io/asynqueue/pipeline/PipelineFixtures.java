package io.asynqueue.pipeline;

import io.asynqueue.Task;
import io.asynqueue.TaskQueue;
import io.asynqueue.spi.Job;
import io.asynqueue.spi.Worker;
import io.asynqueue.spi.WorkerSupervisor;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Test doubles for the pipeline tests. */
final class PipelineFixtures {

  private PipelineFixtures() {
  }

  /**
   * A stand-in for a process or remote worker: it runs each task on a thread of its own after a Java
   * serialization round trip of the task and its arguments (and of the result on the way back), so a task
   * that could not travel to another JVM fails here too. Tasks run one at a time.
   */
  static final class SerializingWorker implements Worker {
    private static final AtomicInteger COUNT = new AtomicInteger();
    private final String threadName = "serializing-worker-" + COUNT.incrementAndGet();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });

    /** @return the name of the thread its tasks run on */
    String threadName() {
      return threadName;
    }
    private final Set<Job> held = ConcurrentHashMap.newKeySet();
    private volatile boolean crashed;

    @Override
    public int capacity() {
      return 1;
    }

    @Override
    public Future<Void> start(WorkerSupervisor supervisor) {
      return Future.succeededFuture();
    }

    @Override
    public void run(Job job) {
      if (job.resultKind() != Job.ResultKind.VALUE) {
        job.fail(new UnsupportedOperationException("this stand-in runs plain calls only"));
        return;
      }
      held.add(job);
      thread.execute(() -> {
        try {
          Task<?> task = roundTrip(job.task());
          Object[] args = roundTrip(job.args());
          Object result = roundTrip(task.invoke(args));
          if (!crashed) {
            job.complete(result);
          }
        } catch (Throwable t) {
          if (!crashed) {
            job.fail(t);
          }
        } finally {
          held.remove(job);
        }
      });
    }

    @Override
    public void cancel(Job job) {
      held.remove(job);
    }

    @Override
    public Future<Void> stop() {
      thread.shutdown();
      return Future.succeededFuture();
    }

    @Override
    public List<Job> crash() {
      crashed = true;
      thread.shutdownNow();
      List<Job> left = new ArrayList<>(held);
      held.clear();
      return left;
    }
  }

  /** @return a queue of {@code n} serializing workers */
  static TaskQueue serializingQueue(Vertx vertx, int n) {
    TaskQueue q = TaskQueue.create(vertx);
    for (int i = 0; i < n; i++) {
      q.attachWorker(new SerializingWorker());
    }
    return q;
  }

  @SuppressWarnings("unchecked")
  static <T> T roundTrip(T value) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (T) in.readObject();
    }
  }

  /** Counts 0, 1, 2, ... forever (or up to a limit), counting what it gave. Thread-safe counters. */
  static final class Counter implements Iterator<Long> {
    final AtomicLong produced = new AtomicLong();
    private final long limit;

    Counter(long limit) {
      this.limit = limit;
    }

    static Counter endless() {
      return new Counter(Long.MAX_VALUE);
    }

    @Override
    public boolean hasNext() {
      return produced.get() < limit;
    }

    @Override
    public Long next() {
      return produced.getAndIncrement();
    }
  }

  /**
   * A WriteStream whose queue is full while {@code max} writes are pending; a write completes after a timer
   * of {@code delayMs} (simulated slow I/O). Records what was written.
   */
  static final class SlowWriteStream<T> implements WriteStream<T> {
    private final Vertx vertx;
    private final long delayMs;
    private final int max;
    final List<T> written = new ArrayList<>();
    /** How many were written, readable from any thread. */
    final AtomicLong count = new AtomicLong();
    private int pending;
    private Handler<Void> drain;
    volatile boolean ended;
    volatile boolean sawFull;

    SlowWriteStream(Vertx vertx, long delayMs, int max) {
      this.vertx = vertx;
      this.delayMs = delayMs;
      this.max = max;
    }

    @Override
    public WriteStream<T> exceptionHandler(Handler<Throwable> handler) {
      return this;
    }

    @Override
    public Future<Void> write(T data) {
      written.add(data);
      count.incrementAndGet();
      pending++;
      if (pending >= max) {
        sawFull = true;
      }
      Promise<Void> p = Promise.promise();
      vertx.setTimer(delayMs, id -> {
        pending--;
        p.complete();
        Handler<Void> h = drain;
        if (pending < max && h != null) {
          h.handle(null);
        }
      });
      return p.future();
    }

    @Override
    public Future<Void> end() {
      ended = true;
      return Future.succeededFuture();
    }

    @Override
    public WriteStream<T> setWriteQueueMaxSize(int maxSize) {
      return this;
    }

    @Override
    public boolean writeQueueFull() {
      return pending >= max;
    }

    @Override
    public WriteStream<T> drainHandler(Handler<Void> handler) {
      this.drain = handler;
      return this;
    }
  }

  /** A ReadStream that honours demand, emits the given items then fails (or ends if {@code failure} is null). */
  static final class ListReadStream<T> implements ReadStream<T> {
    private final Vertx vertx;
    private final List<T> items;
    private final Throwable failure;
    private int next;
    private long demand = Long.MAX_VALUE;
    private boolean scheduled;
    private boolean done;
    private Handler<T> handler;
    private Handler<Void> endHandler;
    private Handler<Throwable> exceptionHandler;
    volatile long maxAhead;
    /** Elements handed out; the reader counts what it consumed. */
    final AtomicLong emitted = new AtomicLong();

    ListReadStream(Vertx vertx, List<T> items, Throwable failure) {
      this.vertx = vertx;
      this.items = items;
      this.failure = failure;
    }

    @Override
    public ReadStream<T> exceptionHandler(Handler<Throwable> h) {
      exceptionHandler = h;
      return this;
    }

    @Override
    public ReadStream<T> handler(Handler<T> h) {
      handler = h;
      schedule();
      return this;
    }

    @Override
    public ReadStream<T> pause() {
      demand = 0;
      return this;
    }

    @Override
    public ReadStream<T> resume() {
      return fetch(Long.MAX_VALUE);
    }

    @Override
    public ReadStream<T> fetch(long amount) {
      demand = demand + amount < 0 ? Long.MAX_VALUE : demand + amount;
      schedule();
      return this;
    }

    @Override
    public ReadStream<T> endHandler(Handler<Void> h) {
      endHandler = h;
      return this;
    }

    private void schedule() {
      if (!scheduled) {
        scheduled = true;
        vertx.runOnContext(v -> {
          scheduled = false;
          emit();
        });
      }
    }

    private void emit() {
      while (!done && handler != null && demand > 0 && next < items.size()) {
        if (demand != Long.MAX_VALUE) {
          demand--;
        }
        emitted.incrementAndGet();
        handler.handle(items.get(next++));
      }
      if (!done && handler != null && next == items.size()) {
        done = true;
        if (failure != null) {
          exceptionHandler.handle(failure);
        } else if (endHandler != null) {
          endHandler.handle(null);
        }
      }
    }
  }

  /** Awaits a latch from a worker thread, failing the task rather than hanging if it never opens. */
  static void await(CountDownLatch latch) throws InterruptedException {
    if (!latch.await(20, TimeUnit.SECONDS)) {
      throw new IllegalStateException("latch never opened");
    }
  }

  /** Max-tracking counter of things running at once. */
  static final class Concurrency {
    private final AtomicInteger now = new AtomicInteger();
    final AtomicInteger max = new AtomicInteger();

    void enter() {
      max.accumulateAndGet(now.incrementAndGet(), Math::max);
    }

    void exit() {
      now.decrementAndGet();
    }
  }
}
