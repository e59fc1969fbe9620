package io.asynqueue.impl;

import io.asynqueue.CallOptions;
import io.asynqueue.Deferator;
import io.asynqueue.DetachMode;
import io.asynqueue.QueueLoad;
import io.asynqueue.Task;
import io.asynqueue.Task0;
import io.asynqueue.TaskQueue;
import io.asynqueue.TaskQueueOptions;
import io.asynqueue.spi.Worker;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * BUILD PLACEHOLDER on the {@code iter} branch only: the base commit refers to this class but does not contain
 * it, so the module did not compile. The queue engineer's real implementation replaces this file on merge.
 */
public final class TaskQueueImpl implements TaskQueue {

  public TaskQueueImpl(Vertx vertx, TaskQueueOptions options) {
    throw new UnsupportedOperationException("TaskQueueImpl is not on this branch");
  }

  private static UnsupportedOperationException todo() {
    return new UnsupportedOperationException("TaskQueueImpl is not on this branch");
  }

  @Override
  public <R> Future<R> call(Task<R> task, CallOptions options, Object... args) {
    throw todo();
  }

  @Override
  public <R> Future<R> callAsync(Task0<? extends Future<R>> task, CallOptions options) {
    throw todo();
  }

  @Override
  public <T> Future<Deferator<T>> iterate(Task<? extends Iterator<T>> task, CallOptions options, Object... args) {
    throw todo();
  }

  @Override
  public <R> Future<List<R>> update(Task<R> task, boolean ephemeral, Object... args) {
    throw todo();
  }

  @Override
  public Future<Integer> attachWorker(Worker worker) {
    throw todo();
  }

  @Override
  public Future<Integer> detachWorker(int id, DetachMode mode) {
    throw todo();
  }

  @Override
  public Set<Integer> workerIds() {
    throw todo();
  }

  @Override
  public int size() {
    throw todo();
  }

  @Override
  public QueueLoad load() {
    throw todo();
  }

  @Override
  public TaskQueue loadHandler(Handler<QueueLoad> handler) {
    throw todo();
  }

  @Override
  public boolean isRunning() {
    throw todo();
  }

  @Override
  public Future<Void> shutdown() {
    throw todo();
  }

  @Override
  public Future<Void> shutdownNow() {
    throw todo();
  }
}
