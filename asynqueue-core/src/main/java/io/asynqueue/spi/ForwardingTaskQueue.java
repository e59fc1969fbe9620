package io.asynqueue.spi;

import io.asynqueue.CallOptions;
import io.asynqueue.stream.Deferator;
import io.asynqueue.DetachMode;
import io.asynqueue.QueueLoad;
import io.asynqueue.Task;
import io.asynqueue.Task0;
import io.asynqueue.TaskQueue;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A {@link TaskQueue} that hands every method to another queue: the base of queues that bring their own workers
 * (the process and cluster queues), which override what they add to.
 */
public abstract class ForwardingTaskQueue implements TaskQueue {

  private final TaskQueue delegate;

  /**
   * @param delegate the queue that does the work
   */
  protected ForwardingTaskQueue(TaskQueue delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** @return the queue that does the work */
  protected final TaskQueue delegate() {
    return delegate;
  }

  @Override
  public <R> Future<R> call(Task<R> task, CallOptions options, Object... args) {
    return delegate.call(task, options, args);
  }


  @Override
  public <T> Future<Deferator<T>> iterate(Task<? extends Iterator<T>> task, CallOptions options, Object... args) {
    return delegate.iterate(task, options, args);
  }

  @Override
  public Future<Integer> cancel(String series, boolean interrupt) {
    return delegate.cancel(series, interrupt);
  }

  @Override
  public <R> Future<List<R>> update(Task<R> task, boolean ephemeral, Object... args) {
    return delegate.update(task, ephemeral, args);
  }

  @Override
  public Future<Integer> attachWorker(Worker worker) {
    return delegate.attachWorker(worker);
  }

  @Override
  public Future<Integer> detachWorker(int id, DetachMode mode) {
    return delegate.detachWorker(id, mode);
  }

  @Override
  public Set<Integer> workerIds() {
    return delegate.workerIds();
  }

  @Override
  public int size() {
    return delegate.size();
  }

  @Override
  public QueueLoad load() {
    return delegate.load();
  }

  @Override
  public TaskQueue loadHandler(Handler<QueueLoad> handler) {
    delegate.loadHandler(handler);
    return this;
  }

  @Override
  public boolean isRunning() {
    return delegate.isRunning();
  }

  @Override
  public Future<Void> shutdown() {
    return delegate.shutdown();
  }

  @Override
  public Future<Void> shutdownNow() {
    return delegate.shutdownNow();
  }
}
