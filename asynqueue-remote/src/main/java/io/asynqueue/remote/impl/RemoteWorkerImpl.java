package io.asynqueue.remote.impl;

import io.asynqueue.Task;
import io.asynqueue.WorkerLostException;
import io.asynqueue.remote.AuthenticationException;
import io.asynqueue.remote.RemoteWorker;
import io.asynqueue.remote.RemoteWorkerOptions;
import io.asynqueue.spi.Job;
import io.asynqueue.spi.WorkerSupervisor;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The remote worker: its connection's life, reconnection with backoff, and the jobs it holds across connections.
 *
 * <p>States: NEW, STARTING (first connection), RUNNING, STOPPING, and STOPPED or CRASHED at the end. A job handed
 * over while no connection is ready (rare: the worker pauses itself as soon as its connection drops) waits in
 * {@link #unsent} and goes out once reconnected; if the worker gives up, the queue settles it with the others.
 *
 * <p>Concurrency: {@link #lock} guards the state, the current connection and the unsent jobs; connections are
 * confined to the worker's context; jobs are settled outside the lock.
 */
public final class RemoteWorkerImpl implements RemoteWorker {

  private enum State { NEW, STARTING, RUNNING, STOPPING, STOPPED, CRASHED }

  /** A non-ephemeral update, replayed after reconnecting (the server may have restarted). */
  private record Update(Task<?> task, Object[] args, String describe) {
  }

  final RemoteWorkerOptions options;
  private final VertxInternal vertx;
  private final byte[] secret;
  private final String address;
  private final ClassLoader loader;
  private final ClientConnection.RemoteWorkerOptionsView view;
  private final Object lock = new Object();
  private final AtomicInteger openIterators = new AtomicInteger();
  // @protectedby lock
  private State state = State.NEW;
  private ContextInternal context;
  private NetClient client;
  private WorkerSupervisor supervisor;
  private ClientConnection connection;
  private ClientConnection connecting;
  private final ArrayDeque<Job> unsent = new ArrayDeque<>();
  private final List<Update> updates = new ArrayList<>();
  private int failures;
  private long reconnectTimer = -1;
  private Promise<Void> startPromise;
  private Promise<Void> stopPromise;
  private volatile int capacity;
  private volatile int serverConcurrency;
  private volatile int workerId;

  /**
   * @param vertx the Vert.x instance
   * @param options the options
   */
  public RemoteWorkerImpl(Vertx vertx, RemoteWorkerOptions options) {
    this.vertx = (VertxInternal) vertx;
    this.options = new RemoteWorkerOptions(options);
    this.secret = options.getSecret() == null ? null : options.getSecret().getBytes(StandardCharsets.UTF_8);
    this.address = options.getHost() + ":" + options.getPort();
    ClassLoader l = Thread.currentThread().getContextClassLoader();
    this.loader = l != null ? l : RemoteWorkerImpl.class.getClassLoader();
    this.view = new ClientConnection.RemoteWorkerOptionsView(options.getPrefetch(), options.getPrefetchBytes(),
        Math.max(1, Math.min(256, options.getPrefetch() / 2)));
  }

  // ------------------------------------------------------------------ Worker

  @Override
  public Set<String> series() {
    return Set.copyOf(options.getSeries());
  }

  @Override
  public int capacity() {
    int c = capacity;
    return c > 0 ? c : 1;
  }

  @Override
  public int serverConcurrency() {
    return serverConcurrency;
  }

  @Override
  public boolean isConnected() {
    synchronized (lock) {
      return connection != null && !connection.isClosed();
    }
  }

  @Override
  public String address() {
    return address;
  }

  @Override
  public Future<Void> start(WorkerSupervisor supervisor) {
    synchronized (lock) {
      if (state != State.NEW) {
        return Future.failedFuture(new IllegalStateException("already started"));
      }
      this.supervisor = supervisor;
      this.workerId = supervisor.workerId();
      this.context = vertx.getOrCreateContext();
      this.client = vertx.createNetClient(new NetClientOptions(options.getNetClientOptions())
          .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, options.getConnectTimeout().toMillis()))
          .setTcpNoDelay(true));
      state = State.STARTING;
      startPromise = Promise.promise();
    }
    attempt();
    return startPromise.future();
  }

  @Override
  public void run(Job job) {
    if (job.isDone()) {
      return;
    }
    ClientConnection c;
    boolean refused = false;
    synchronized (lock) {
      if (job.isUpdate() && !job.isEphemeral()) {
        updates.add(new Update(job.task(), job.args(), job.describe()));
      }
      c = connection;
      if (state == State.NEW || state == State.STOPPED || state == State.CRASHED) {
        refused = true;
      } else if (c == null || c.isClosed()) {
        if (job.isUrgent()) {
          unsent.addFirst(job);
        } else {
          unsent.addLast(job);
        }
        return;
      }
    }
    if (refused) {
      job.fail(new WorkerLostException(label() + " is stopped: " + job.describe()));
      return;
    }
    c.submit(job);
  }

  @Override
  public void cancel(Job job) {
    ClientConnection c;
    synchronized (lock) {
      if (unsent.remove(job)) {
        return;
      }
      c = connection;
    }
    if (c != null) {
      c.cancel(job);
    }
  }

  @Override
  public Future<Void> stop() {
    synchronized (lock) {
      switch (state) {
        case NEW, STOPPED, CRASHED -> {
          state = State.STOPPED;
          return Future.succeededFuture();
        }
        case STOPPING -> {
          return stopPromise.future();
        }
        default -> {
          state = State.STOPPING;
          stopPromise = Promise.promise();
        }
      }
    }
    maybeFinishStop();
    return stopPromise.future();
  }

  @Override
  public List<Job> crash() {
    List<Job> held = new ArrayList<>();
    ClientConnection c;
    ClientConnection pendingConnection;
    Promise<Void> start;
    Promise<Void> stopped;
    synchronized (lock) {
      state = State.CRASHED;
      cancelReconnect();
      held.addAll(unsent);
      unsent.clear();
      c = connection;
      pendingConnection = connecting;
      connection = null;
      connecting = null;
      if (c != null) {
        held.addAll(c.heldJobs());
      }
      start = startPromise;
      stopped = stopPromise;
    }
    if (c != null) {
      c.close("the worker was crashed");
    }
    if (pendingConnection != null) {
      pendingConnection.close("the worker was crashed");
    }
    closeClient();
    if (start != null) {
      start.tryFail(new WorkerLostException(label() + " was crashed while connecting"));
    }
    if (stopped != null) {
      stopped.tryComplete();
    }
    return held;
  }

  // ------------------------------------------------------------------ connecting

  private void attempt() {
    context.runOnContext(v -> {
      ClientConnection c;
      synchronized (lock) {
        reconnectTimer = -1;
        if (state == State.STOPPED || state == State.CRASHED) {
          return;
        }
        c = new ClientConnection(this, context, address, secret);
        connecting = c;
      }
      c.connect(client, options.getHost(), options.getPort(), options.getConnectTimeout().toMillis())
          .onComplete(ar -> {
            if (ar.succeeded()) {
              connected(c);
            } else {
              failedToConnect(c, ar.cause());
            }
          });
    });
  }

  private void connected(ClientConnection c) {
    boolean initial;
    List<Update> replays;
    synchronized (lock) {
      if (connecting == c) {
        connecting = null;
      }
      if (state == State.STOPPED || state == State.CRASHED) {
        c.close("the worker stopped");
        return;
      }
      failures = 0;
      initial = state == State.STARTING;
      replays = initial ? List.of() : List.copyOf(updates);
      if (initial) {
        int limit = c.maxInFlight;
        capacity = options.getMaxInFlight() > 0 ? Math.min(options.getMaxInFlight(), limit) : limit;
        serverConcurrency = c.concurrency;
        connection = c;
        state = State.RUNNING;
      }
    }
    if (initial) {
      WorkerLog.log.debug("{} connected to {}: server runs {} at once, takes {} in flight", label(), address,
          c.concurrency, c.maxInFlight);
      startPromise.tryComplete();
      return;
    }
    if (replays.isEmpty()) {
      rejoin(c);
      return;
    }
    List<Future<Object>> done = new ArrayList<>();
    for (Update u : replays) {
      done.add(c.replay(u.task(), u.args(), u.describe()).onFailure(e ->
          WorkerLog.log.warn("{}: replaying update {} after reconnecting failed: {}", label(), u.describe(),
              e.toString())));
    }
    Future.join(done).onComplete(ar -> rejoin(c));
  }

  // reconnected (and updates replayed): send what waited, and take jobs again
  private void rejoin(ClientConnection c) {
    List<Job> waiting;
    synchronized (lock) {
      if (c.isClosed() || state == State.STOPPED || state == State.CRASHED) {
        return; // lost again: its loss handler reconnects
      }
      connection = c;
      waiting = new ArrayList<>(unsent);
      unsent.clear();
    }
    WorkerLog.log.info("{} reconnected to {}", label(), address);
    for (Job j : waiting) {
      c.submit(j);
    }
    supervisor.resume();
  }

  private void failedToConnect(ClientConnection c, Throwable cause) {
    boolean initial;
    boolean giveUp;
    long delay = 0;
    int attempt;
    List<Job> dropped = List.of();
    synchronized (lock) {
      if (connecting == c) {
        connecting = null;
      }
      if (state == State.STOPPED || state == State.CRASHED) {
        return;
      }
      attempt = ++failures;
      initial = state == State.STARTING;
      giveUp = attempt >= options.getReconnectAttempts() || initial && cause instanceof AuthenticationException;
      if (giveUp) {
        if (initial) {
          state = State.STOPPED;
        } else {
          dropped = new ArrayList<>(unsent);
          unsent.clear();
        }
      } else {
        delay = backoff(attempt);
      }
    }
    if (giveUp) {
      closeClient();
      if (initial) {
        WorkerLog.log.warn("{} could not connect to {} after {} attempt(s): {}", label(), address, attempt,
            cause.getMessage());
        startPromise.tryFail(cause);
      } else {
        WorkerLog.log.error("{} gives up on {} after {} failed attempts in a row: {}", label(), address, attempt,
            cause.getMessage());
        WorkerLostException lost = new WorkerLostException(label() + " could not reconnect to " + address
            + " after " + attempt + " attempts: " + cause.getMessage(), cause);
        for (Job j : dropped) {
          j.fail(lost);
        }
        supervisor.resign(lost);
        maybeFinishStop();
      }
      return;
    }
    WorkerLog.log.debug("{}: attempt {} to reach {} failed ({}); again in {} ms", label(), attempt, address,
        cause.getMessage(), delay);
    scheduleAttempt(delay);
  }

  private long backoff(int failed) {
    long base = options.getReconnectDelay().toMillis();
    long max = options.getMaxReconnectDelay().toMillis();
    return Math.min(max, base << Math.min(20, Math.max(0, failed - 1)));
  }

  private void scheduleAttempt(long delay) {
    synchronized (lock) {
      if (state == State.STOPPED || state == State.CRASHED) {
        return;
      }
      reconnectTimer = vertx.setTimer(Math.max(1, delay), t -> attempt());
    }
  }

  // with the lock held
  private void cancelReconnect() {
    if (reconnectTimer >= 0) {
      vertx.cancelTimer(reconnectTimer);
      reconnectTimer = -1;
    }
  }

  private void closeClient() {
    NetClient c = client;
    if (c != null) {
      c.close();
    }
  }

  // ------------------------------------------------------------------ from connections (context)

  /** A ready connection dropped: fail what it held, pause, reconnect. */
  void lost(ClientConnection c, String why, List<Job> unsentJobs, List<ClientConnection.Pending> calls,
      List<RemoteElementSource> sources) {
    boolean reconnect;
    boolean running;
    synchronized (lock) {
      if (connection == c) {
        connection = null;
      }
      for (int i = unsentJobs.size() - 1; i >= 0; i--) {
        unsent.addFirst(unsentJobs.get(i));
      }
      running = state == State.RUNNING || state == State.STOPPING;
      reconnect = running && reconnectTimer < 0 && connecting == null;
    }
    if (running) {
      supervisor.pause();
      WorkerLog.log.warn("{} lost its connection to {} ({}) holding {} call(s); reconnecting", label(), address, why,
          calls.size());
    }
    String reason = label() + " lost its connection to " + address + " (" + why + ")";
    for (ClientConnection.Pending p : calls) {
      if (p instanceof ClientConnection.CallPending cp) {
        cp.job().fail(new WorkerLostException(reason + " while it held " + cp.job().describe()));
      } else if (p instanceof ClientConnection.ReplayPending rp) {
        rp.promise().tryFail(new WorkerLostException(reason));
      }
    }
    for (RemoteElementSource s : sources) {
      openIterators.decrementAndGet();
      s.fail(new WorkerLostException(reason + " while it held the iterator of " + s.call));
    }
    if (reconnect) {
      scheduleAttempt(options.getReconnectDelay().toMillis());
    }
    maybeFinishStop();
  }

  void settled() {
    if (state == State.STOPPING) {
      maybeFinishStop();
    }
  }

  void iteratorOpened() {
    openIterators.incrementAndGet();
  }

  void iteratorFinished() {
    if (openIterators.decrementAndGet() <= 0 && state == State.STOPPING) {
      maybeFinishStop();
    }
  }

  private void maybeFinishStop() {
    ClientConnection c;
    Promise<Void> done;
    synchronized (lock) {
      if (state != State.STOPPING || !unsent.isEmpty() || openIterators.get() > 0) {
        return;
      }
      c = connection;
      if (c != null && c.inFlight() > 0) {
        return;
      }
      if (c == null && connecting != null) {
        return; // reconnecting, with nothing to send: wait for it, or for the queue's stop timeout
      }
      state = State.STOPPED;
      cancelReconnect();
      connection = null;
      done = stopPromise;
    }
    if (c != null) {
      c.close("the worker stopped");
    }
    closeClient();
    done.tryComplete();
  }

  ClassLoader classLoader() {
    return loader;
  }

  ClientConnection.RemoteWorkerOptionsView view() {
    return view;
  }

  private String label() {
    return "remote worker " + workerId;
  }

  @Override
  public String toString() {
    return "RemoteWorker(" + address + ")";
  }
}
