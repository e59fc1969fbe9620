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

/** Placeholder so the module compiles on the process branch; the real one is written on main. */
public final class TaskQueueImpl implements TaskQueue {

  public TaskQueueImpl(Vertx vertx, TaskQueueOptions options) {
    throw new UnsupportedOperationException("TODO: TaskQueueImpl is written on main");
  }

  @Override
  public <R> Future<R> call(Task<R> task, CallOptions options, Object... args) {
    throw new UnsupportedOperationException();
  }

  @Override
  public <R> Future<R> callAsync(Task0<? extends Future<R>> task, CallOptions options) {
    throw new UnsupportedOperationException();
  }

  @Override
  public <T> Future<Deferator<T>> iterate(Task<? extends Iterator<T>> task, CallOptions options, Object... args) {
    throw new UnsupportedOperationException();
  }

  @Override
  public <R> Future<List<R>> update(Task<R> task, boolean ephemeral, Object... args) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Future<Integer> attachWorker(Worker worker) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Future<Integer> detachWorker(int id, DetachMode mode) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Set<Integer> workerIds() {
    throw new UnsupportedOperationException();
  }

  @Override
  public int size() {
    throw new UnsupportedOperationException();
  }

  @Override
  public QueueLoad load() {
    throw new UnsupportedOperationException();
  }

  @Override
  public TaskQueue loadHandler(Handler<QueueLoad> handler) {
    throw new UnsupportedOperationException();
  }

  @Override
  public boolean isRunning() {
    throw new UnsupportedOperationException();
  }

  @Override
  public Future<Void> shutdown() {
    throw new UnsupportedOperationException();
  }

  @Override
  public Future<Void> shutdownNow() {
    throw new UnsupportedOperationException();
  }
}
