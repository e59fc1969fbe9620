package io.asynqueue.remote.cli;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Spawns {@link io.asynqueue.remote.server.WorkerServer}s in child JVMs on this host, for tests and demos (the
 * original's {@code ServerManager}). Each child runs the {@code serve} command with the arguments given, from this
 * JVM's {@code java} binary and class path, and is ready when it prints that it listens.
 *
 * <pre>{@code
 * ServerManager servers = ServerManager.create(vertx);
 * servers.spawn("--secret-file", secretFile, "--service", Tasks.class.getName())
 *     .onSuccess(server -> q.attachWorker(RemoteWorker.create(vertx, new RemoteWorkerOptions()
 *         .setPort(server.port()).setSecret(secret))));
 * ...
 * servers.close();   // kills what is left
 * }</pre>
 *
 * <p>Pass the secret in a file ({@code --secret-file}), never on the command line, where other users can read it.
 * Without {@code --port}, a child takes any free port. A child's standard error is this JVM's.
 */
public final class ServerManager implements AutoCloseable {

  /** A server running in a child JVM. */
  public interface LocalServer {

    /** @return the port it listens on */
    int port();

    /** @return {@code host:port} */
    String address();

    /** @return the child's process ID */
    long pid();

    /** Kills the child at once (SIGKILL): connections drop without a word, as when a host dies. */
    void kill();

    /**
     * Stops the child gracefully (SIGTERM: it closes its server, then exits).
     *
     * @return a Future of its exit code
     */
    Future<Integer> stop();

    /** @return a Future of its exit code, completed when it exits */
    Future<Integer> exited();
  }

  /**
   * How long a child may take to listen. Generous: a child that joins a cluster takes 15 to 30 s to listen on a
   * 2-core machine kept busy by other work (Hazelcast's join), against 2 to 3 s on a quiet one.
   */
  public static final int START_TIMEOUT_SECONDS = 120;

  private final Vertx vertx;
  private final List<String> jvmArgs;
  private final Set<Process> children = ConcurrentHashMap.newKeySet();

  private ServerManager(Vertx vertx, List<String> jvmArgs) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.jvmArgs = List.copyOf(jvmArgs);
  }

  /**
   * @param vertx the Vert.x instance whose contexts complete the Futures
   * @return a manager of child servers
   */
  public static ServerManager create(Vertx vertx) {
    return new ServerManager(vertx, List.of());
  }

  /**
   * @param vertx the Vert.x instance whose contexts complete the Futures
   * @param jvmArgs options for the children's JVMs, such as {@code -Xmx256m}
   * @return a manager of child servers
   */
  public static ServerManager create(Vertx vertx, List<String> jvmArgs) {
    return new ServerManager(vertx, jvmArgs);
  }

  /**
   * Starts a server in a child JVM.
   *
   * @param serveArgs the arguments of the {@code serve} command ({@code --secret-file}, {@code --service}, ...);
   *     {@code --port 0} is added when no port is given
   * @return a Future of the running server, failed if the child exits or is not listening within
   *     {@value #START_TIMEOUT_SECONDS} seconds
   */
  public Future<LocalServer> spawn(String... serveArgs) {
    Promise<LocalServer> promise = Promise.promise();
    Thread t = new Thread(() -> launch(List.of(serveArgs), promise), "asynqueue-server-manager");
    t.setDaemon(true);
    t.start();
    return Future.future(p -> promise.future().onComplete(ar -> vertx.runOnContext(v -> p.handle(ar))));
  }

  private void launch(List<String> serveArgs, Promise<LocalServer> promise) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command()
        .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java"));
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.add("serve");
    cmd.addAll(serveArgs);
    if (!serveArgs.contains("--port")) {
      cmd.add("--port");
      cmd.add("0");
    }
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    } catch (IOException e) {
      promise.fail(e);
      return;
    }
    children.add(p);
    p.onExit().thenRun(() -> children.remove(p));
    long killer = vertx.setTimer(START_TIMEOUT_SECONDS * 1000L, id -> {
      if (promise.tryFail(new IllegalStateException("the server in child " + p.pid() + " did not listen within "
          + START_TIMEOUT_SECONDS + " s"))) {
        p.destroyForcibly();
      }
    });
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith(Main.LISTENING)) {
          String address = line.substring(Main.LISTENING.length()).trim();
          int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
          vertx.cancelTimer(killer);
          promise.tryComplete(new Child(p, address, port));
        }
      }
    } catch (IOException | RuntimeException e) {
      promise.tryFail(e);
    }
    try {
      int code = p.waitFor();
      promise.tryFail(new IllegalStateException("the server in child " + p.pid() + " exited with code " + code
          + " before listening"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Kills every child still running, and waits (briefly) for them to go. */
  @Override
  public void close() {
    for (Process p : children) {
      p.destroyForcibly();
    }
    for (Process p : children) {
      try {
        p.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private final class Child implements LocalServer {
    private final Process process;
    private final String address;
    private final int port;

    Child(Process process, String address, int port) {
      this.process = process;
      this.address = address;
      this.port = port;
    }

    @Override
    public int port() {
      return port;
    }

    @Override
    public String address() {
      return address;
    }

    @Override
    public long pid() {
      return process.pid();
    }

    @Override
    public void kill() {
      process.destroyForcibly();
    }

    @Override
    public Future<Integer> stop() {
      process.destroy();
      return exited();
    }

    @Override
    public Future<Integer> exited() {
      Promise<Integer> p = Promise.promise();
      process.onExit().thenAccept(ph -> vertx.runOnContext(v -> p.tryComplete(ph.exitValue())));
      return p.future();
    }
  }
}
