package io.asynqueue.spi;

import io.vertx.core.Future;
import java.util.List;
import java.util.Set;

/**
 * A {@link Worker} that hands every method to another worker: the base of workers built on another one (the
 * process and remote workers, on the channel kernel), which override what they add to.
 */
public abstract class ForwardingWorker implements Worker {

  /** @return the worker that does the work; the same one every time */
  protected abstract Worker delegate();

  @Override
  public Set<String> series() {
    return delegate().series();
  }

  @Override
  public int capacity() {
    return delegate().capacity();
  }

  @Override
  public long pid() {
    return delegate().pid();
  }

  @Override
  public Future<Void> start(WorkerSupervisor supervisor) {
    return delegate().start(supervisor);
  }

  @Override
  public void run(Job job) {
    delegate().run(job);
  }

  @Override
  public void cancel(Job job) {
    delegate().cancel(job);
  }

  @Override
  public Future<Void> stop() {
    return delegate().stop();
  }

  @Override
  public List<Job> crash() {
    return delegate().crash();
  }
}
