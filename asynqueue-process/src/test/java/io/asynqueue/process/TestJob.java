package io.asynqueue.process;

import io.asynqueue.Task;
import io.asynqueue.spi.Job;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/** A minimal Job for driving a worker directly through the SPI, without a queue. */
final class TestJob implements Job {

  private static final AtomicLong IDS = new AtomicLong();

  private final long id = IDS.incrementAndGet();
  private final Task<?> task;
  private final Object[] args;
  private final ResultKind kind;
  private final boolean update;
  private final Context context;
  private final Promise<Object> promise = Promise.promise();

  TestJob(Context context, ResultKind kind, boolean update, Task<?> task, Object... args) {
    this.context = context;
    this.kind = kind;
    this.update = update;
    this.task = task;
    this.args = args;
  }

  static TestJob call(Context context, Task<?> task, Object... args) {
    return new TestJob(context, ResultKind.VALUE, false, task, args);
  }

  @SuppressWarnings("unchecked")
  <T> Future<T> future() {
    return (Future<T>) promise.future();
  }

  @Override
  public long id() {
    return id;
  }

  @Override
  public Task<?> task() {
    return task;
  }

  @Override
  public Object[] args() {
    return args;
  }

  @Override
  public ResultKind resultKind() {
    return kind;
  }

  @Override
  public boolean isUpdate() {
    return update;
  }

  @Override
  public boolean isEphemeral() {
    return false;
  }

  @Override
  public boolean isUrgent() {
    return false;
  }

  @Override
  public String describe() {
    return "job" + id + Arrays.toString(args);
  }

  @Override
  public Context context() {
    return context;
  }

  @Override
  public boolean complete(Object result) {
    return promise.tryComplete(result);
  }

  @Override
  public boolean fail(Throwable cause) {
    return promise.tryFail(cause);
  }

  @Override
  public boolean isDone() {
    return promise.future().isComplete();
  }
}
