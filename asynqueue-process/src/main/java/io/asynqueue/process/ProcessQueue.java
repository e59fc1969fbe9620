package io.asynqueue.process;

import io.asynqueue.TaskQueue;
import io.asynqueue.spi.ForwardingTaskQueue;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link TaskQueue} whose workers are child JVMs: one {@link ProcessWorker} per process, all started at once
 * and in parallel.
 *
 * <pre>{@code
 * ProcessQueue q = ProcessQueue.create(vertx, new ProcessQueueOptions().setProcesses(4).setJvmArgs(List.of("-Xmx512m")));
 * q.call(Parser::parse, path).onSuccess(...);              // runs in a child JVM
 * q.update(Parser::ignoreIPs, badIps);                     // every child, and every child started later
 * q.iterate(Parser::records, path)                         // the iterator stays in the child, prefetched
 *  .onSuccess(d -> d.pipeTo(consumer));
 * }</pre>
 *
 * <p>Calls made before the children are ready wait in the queue; {@link #ready()} tells when they are. Tasks,
 * arguments and results must be serializable by Kryo (see {@link ProcessWorker}). Everything else is as for
 * any {@link TaskQueue}: priorities, series, timeouts (which kill and replace the child), retries (when a
 * child dies) and a {@link #shutdown()} that always completes.
 */
public final class ProcessQueue extends ForwardingTaskQueue {

  private final List<ProcessWorker> workers;
  private final Future<Void> ready;

  private ProcessQueue(Vertx vertx, ProcessQueueOptions options) {
    super(TaskQueue.create(vertx, options.getQueueOptions()));
    List<ProcessWorker> list = new ArrayList<>();
    List<Future<Integer>> attached = new ArrayList<>();
    for (int i = 0; i < options.getProcesses(); i++) {
      ProcessWorker w = new ProcessWorker(options);
      list.add(w);
      attached.add(attachWorker(w));
    }
    this.workers = List.copyOf(list);
    this.ready = Future.all(attached).mapEmpty();
  }

  /**
   * A queue of one child per processor, with the default options.
   *
   * @param vertx the Vert.x instance
   * @return the queue; its children are starting
   */
  public static ProcessQueue create(Vertx vertx) {
    return create(vertx, new ProcessQueueOptions());
  }

  /**
   * A queue of {@code processes} children, with the default options otherwise.
   *
   * @param vertx the Vert.x instance
   * @param processes how many children, at least 1
   * @return the queue; its children are starting
   */
  public static ProcessQueue create(Vertx vertx, int processes) {
    return create(vertx, new ProcessQueueOptions().setProcesses(processes));
  }

  /**
   * A queue with these options.
   *
   * @param vertx the Vert.x instance
   * @param options the options
   * @return the queue; its children are starting
   */
  public static ProcessQueue create(Vertx vertx, ProcessQueueOptions options) {
    return new ProcessQueue(vertx, new ProcessQueueOptions(options));
  }

  /** @return a Future completed when every child has started; failed if one could not */
  public Future<Void> ready() {
    return ready;
  }

  /** @return the process workers, one per child, in the order they were attached */
  public List<ProcessWorker> processWorkers() {
    return workers;
  }

  /**
   * The timing of each call of every child, when {@link ProcessQueueOptions#setCallStats(boolean) callStats} is
   * on, as the original's {@code ProcessQueue.stats()}.
   *
   * @return round trip and time in the child, per call, child by child
   */
  public List<CallStat> stats() {
    List<CallStat> all = new ArrayList<>();
    for (ProcessWorker w : workers) {
      all.addAll(w.stats());
    }
    return all;
  }

  /**
   * Memory and load figures of every running child, once all have started (a child being replaced right now is
   * left out).
   *
   * @return a Future of one {@link ChildInfo} per running child
   */
  public Future<List<ChildInfo>> info() {
    return ready.compose(v -> {
      List<Future<ChildInfo>> all = new ArrayList<>();
      for (ProcessWorker w : workers) {
        all.add(w.info().otherwise((ChildInfo) null));
      }
      return Future.all(all).map(c -> {
        List<ChildInfo> list = new ArrayList<>();
        for (int i = 0; i < c.size(); i++) {
          if (c.resultAt(i) != null) {
            list.add(c.resultAt(i));
          }
        }
        return list;
      });
    });
  }

  /** @return the processors of this machine, as the original's {@code ProcessQueue.cores()} */
  public static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }
}
