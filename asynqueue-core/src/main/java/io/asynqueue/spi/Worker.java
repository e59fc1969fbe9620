package io.asynqueue.spi;

import io.vertx.core.Future;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Something that runs tasks for a {@link io.asynqueue.TaskQueue}: a thread, an event loop, a child process,
 * a remote server.
 *
 * <p><b>Contract.</b> The queue calls {@link #start(WorkerSupervisor)} once, when attached. Then it hands the
 * worker at most {@link #capacity()} jobs at a time through {@link #run(Job)} (plus, rarely, an update job
 * beyond that). The worker completes every job it is given, exactly once, with {@link Job#complete(Object)}
 * or {@link Job#fail(Throwable)}, from any thread; it never throws from {@code run}. A job's exception is
 * the job's failure, never the worker's: the worker keeps running.
 *
 * <p>When a job's timeout runs out, the queue settles the job itself and calls {@link #cancel(Job)}: the
 * worker stops running it as best it can and frees what it used; completing the job afterwards is harmless
 * (ignored). {@link #stop()} finishes the held jobs; {@link #crash()} abandons them at once and returns them
 * to the queue, which has claimed them before the call (a task the crash interrupts may still settle its job:
 * that is ignored too). A worker that is lost for good (a connection that will not come back) calls
 * {@link WorkerSupervisor#resign(Throwable)}; one that is away for a while (reconnecting, or starting a new
 * child process) {@linkplain WorkerSupervisor#pause() pauses}, so that the queue's jobs wait for the other
 * workers instead, and their timeouts do not run out while nothing can run them.
 *
 * <p>What a task's result means (a Future awaited, an iterator stepped where it ran) is one rule for every
 * kind, {@code io.asynqueue.internal.TaskResults}; {@link io.asynqueue.TaskQueue} states it. The abstract
 * test suite {@code io.asynqueue.contract.WorkerContractTest} (asynqueue-core's test jar) checks a worker
 * against this contract.
 *
 * <p>Workers in this JVM: {@link io.asynqueue.Workers} (thread and event loop). Other modules
 * add process and remote workers.
 */
public interface Worker {

  /**
   * The series this worker serves besides the default series. An empty set (the default) means every
   * series.
   *
   * @return the series names; not changed after attach
   */
  default Set<String> series() {
    return Set.of();
  }

  /**
   * What kind of worker this is, as the queue's metrics tag it ({@code kind}): {@code thread}, {@code eventloop},
   * {@code process}, {@code remote}, {@code cluster}. By default the class's simple name in lower case, without
   * {@code Impl} and {@code Worker} at its end ({@code MyGpuWorker} is {@code mygpu}).
   *
   * @return a short name; not changed after attach
   */
  default String kind() {
    String n = getClass().getSimpleName();
    n = n.endsWith("Impl") ? n.substring(0, n.length() - 4) : n;
    n = n.endsWith("Worker") && n.length() > 6 ? n.substring(0, n.length() - 6) : n;
    return n.isEmpty() ? "worker" : n.toLowerCase(Locale.ROOT);
  }

  /**
   * The operating-system process this worker runs its tasks in, when that is a child of this JVM (a process
   * worker): the queue's metrics then report the child's memory and CPU time.
   *
   * @return the process id, or -1 when the tasks run in this JVM, elsewhere, or no child is running now
   */
  default long pid() {
    return -1;
  }

  /**
   * How many jobs the queue hands the worker at once. Read once, when {@link #start(WorkerSupervisor)} has
   * completed (so a remote worker can report what its server advertised), and not read again.
   *
   * @return the capacity, at least 1
   */
  int capacity();

  /**
   * Starts the worker: threads, a child process, a connection. Called once, when attached.
   *
   * @param supervisor the queue's handle for this worker
   * @return a Future completed when the worker can run jobs
   */
  Future<Void> start(WorkerSupervisor supervisor);

  /**
   * Runs a job, now or soon; urgent jobs ({@link Job#isUrgent()}) before others it is holding. Never throws.
   *
   * @param job the job
   */
  void run(Job job);

  /**
   * Stops a job the queue has given up on (its timeout ran out): interrupt it, kill it, cancel it remotely.
   * The job is already settled; the worker must stay able to run other jobs.
   *
   * @param job the job
   */
  void cancel(Job job);

  /**
   * Stops gracefully: finishes the jobs it holds, then releases everything.
   *
   * @return a Future completed when stopped
   */
  Future<Void> stop();

  /**
   * Stops at once, abandoning the jobs it holds.
   *
   * @return the jobs it held that had not been completed
   */
  List<Job> crash();
}
