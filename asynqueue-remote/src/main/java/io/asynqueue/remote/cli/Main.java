package io.asynqueue.remote.cli;

import io.asynqueue.remote.cluster.ClusterQueue;
import io.asynqueue.remote.server.WorkerServer;
import io.asynqueue.remote.server.WorkerServerOptions;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.PrintWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The command line of the remote module: {@code serve} runs a {@link WorkerServer}, {@code secret} prints a new
 * random secret.
 *
 * <pre>
 * mkdir -p ~/.asynqueue &amp;&amp; java -jar asynqueue-remote.jar secret &gt; ~/.asynqueue/secret &amp;&amp; chmod 600 ~/.asynqueue/secret
 * java -jar asynqueue-remote.jar serve --port 1978 --secret-file ~/.asynqueue/secret --service com.example.Tasks \
 *      --classpath tasks.jar
 * </pre>
 */
@Command(name = "asynqueue-remote", mixinStandardHelpOptions = true, version = "asynqueue-remote 0.1.0",
    description = "AsynQueue remote workers: run a WorkerServer that RemoteWorkers on other hosts send calls to.",
    subcommands = {Main.Serve.class, Main.NewSecret.class})
public final class Main implements Callable<Integer> {

  /** The line a server prints on standard output once it listens; {@code ServerManager} waits for it. */
  public static final String LISTENING = "AsynQueue WorkerServer listening on ";

  /**
   * Runs the command and exits with its code (a {@code serve} runs until the JVM is stopped).
   *
   * @param args the arguments
   */
  public static void main(String[] args) {
    ClusterArgs.quietHazelcast();
    int code = run(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  /**
   * Runs the command in this JVM.
   *
   * @param args the arguments
   * @return the exit code
   */
  public static int run(String... args) {
    return new CommandLine(new Main()).execute(args);
  }

  @Override
  public Integer call() {
    new CommandLine(this).usage(System.out);
    return 2;
  }

  /** {@code secret}: prints 32 random bytes, base64url, for a secret file. */
  @Command(name = "secret", mixinStandardHelpOptions = true, description = "Print a new random secret (32 bytes, base64url) for --secret-file.")
  static final class NewSecret implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      byte[] b = new byte[32];
      new SecureRandom().nextBytes(b);
      PrintWriter out = spec.commandLine().getOut();
      out.println(Base64.getUrlEncoder().withoutPadding().encodeToString(b));
      out.flush();
      return 0;
    }
  }

  /** {@code serve}: runs a server until the JVM is stopped. */
  @Command(name = "serve", mixinStandardHelpOptions = true, description = "Run a WorkerServer until stopped (SIGTERM closes it gracefully).")
  static final class Serve implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--host", description = "Interface to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for all).")
    String host = WorkerServerOptions.DEFAULT_HOST;

    @Option(names = "--port", description = "Port (default: " + WorkerServerOptions.DEFAULT_PORT
        + ", or any free one with --cluster; 0 for any free one).")
    Integer port;

    @Option(names = "--secret-file", description = "File holding the shared secret (its first line).")
    Path secretFile;

    @Option(names = "--service", description = "Class of the service object: a public class with a public no-arg "
        + "constructor; its public methods are callable by name.")
    String service;

    @Option(names = "--classpath", split = ":",
        description = "Jars or directories holding the service and task classes.")
    List<Path> classpath = new ArrayList<>();

    @Option(names = "--allow-task", description = "A task class clients may send instances of (repeatable).")
    List<String> taskClasses = new ArrayList<>();

    @Option(names = "--data-class", description = "A class allowed on the wire as data (repeatable).")
    List<String> dataClasses = new ArrayList<>();

    @Option(names = "--concurrency", description = "Calls run at once (default: the processors, ${DEFAULT-VALUE}).")
    int concurrency = Runtime.getRuntime().availableProcessors();

    @Option(names = "--max-in-flight", description = "Calls one client may have in flight (default: 4 per thread).")
    int maxInFlight;

    @Option(names = "--max-frame-bytes", description = "Largest call accepted, in bytes (default: ${DEFAULT-VALUE}).")
    int maxFrameBytes = WorkerServerOptions.DEFAULT_MAX_FRAME_BYTES;

    @Option(names = "--max-connections", paramLabel = "N",
        description = "Connections held at once, authenticated or not (default: ${DEFAULT-VALUE}).")
    int maxConnections = WorkerServerOptions.DEFAULT_MAX_CONNECTIONS;

    @Option(names = "--max-startups", paramLabel = "start:rate:full", description = "Connections still in their "
        + "handshake: from start on, refuse new ones with rate % chance, rising to all at full, as sshd's "
        + "MaxStartups (default: ${DEFAULT-VALUE}).")
    String maxStartups = WorkerServerOptions.DEFAULT_MAX_STARTUPS;

    @CommandLine.Mixin
    ClusterArgs cluster = new ClusterArgs();

    @Option(names = "--tls-cert", description = "PEM certificate (chain) of the server: turns TLS on.")
    Path tlsCert;

    @Option(names = "--tls-key", description = "PEM private key (PKCS#8 or PKCS#1) of the server.")
    Path tlsKey;

    @Option(names = "--client-ca", description = "PEM certificate of a trusted client, or of their CA (repeatable): "
        + "clients must present one.")
    List<Path> clientCa = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
      PrintWriter err = spec.commandLine().getErr();
      WorkerServerOptions options;
      try {
        options = new WorkerServerOptions().setHost(host)
            .setPort(port != null ? port : cluster.enabled() ? 0 : WorkerServerOptions.DEFAULT_PORT)
            .setConcurrency(concurrency).setMaxInFlight(maxInFlight).setMaxFrameBytes(maxFrameBytes)
            .setMaxConnections(maxConnections).setMaxStartups(maxStartups);
      } catch (IllegalArgumentException e) {
        err.println(e.getMessage());
        return 2;
      }
      if (secretFile != null) {
        warnIfReadableByOthers(secretFile, err);
        String secret = Files.readString(secretFile, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
        options.setSecret(secret);
      }
      if ((tlsCert == null) != (tlsKey == null)) {
        err.println("--tls-cert and --tls-key go together");
        return 2;
      }
      if (tlsCert != null) {
        NetServerOptions net = new NetServerOptions().setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
            .setCertPath(tlsCert.toString()).setKeyPath(tlsKey.toString()));
        if (!clientCa.isEmpty()) {
          PemTrustOptions trust = new PemTrustOptions();
          clientCa.forEach(p -> trust.addCertPath(p.toString()));
          net.setClientAuth(ClientAuth.REQUIRED).setTrustOptions(trust);
        }
        options.setNetServerOptions(net);
      } else if (!clientCa.isEmpty()) {
        err.println("--client-ca needs TLS: give --tls-cert and --tls-key too");
        return 2;
      }
      taskClasses.forEach(options::addTaskClass);
      dataClasses.forEach(options::addDataClass);
      ClassLoader loader = Main.class.getClassLoader();
      if (!classpath.isEmpty()) {
        List<URL> urls = new ArrayList<>();
        for (Path p : classpath) {
          urls.add(p.toUri().toURL());
        }
        loader = new URLClassLoader(urls.toArray(new URL[0]), loader);
      }
      Thread.currentThread().setContextClassLoader(loader);
      Object serviceObject = null;
      if (service != null) {
        serviceObject = Class.forName(service, true, loader).getConstructor().newInstance();
      } else if (taskClasses.isEmpty()) {
        err.println("nothing to serve: give --service, or --allow-task");
        return 2;
      }
      Vertx vertx;
      try {
        vertx = cluster.enabled() ? await(cluster.start(false)) : Vertx.vertx();
      } catch (Exception e) {
        err.println("cannot join the cluster: " + rootMessage(e));
        return 1;
      }
      WorkerServer server;
      int actual;
      try {
        server = WorkerServer.create(vertx, serviceObject, options);
        actual = await(cluster.enabled() ? ClusterQueue.join(server, cluster.pool()) : server.listen());
      } catch (Exception e) {
        err.println("cannot serve: " + rootMessage(e));
        vertx.close();
        return 1;
      }
      CountDownLatch stopped = new CountDownLatch(1);
      WorkerServer s = server;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        // One after the other: a continuation chained on the server's close would be scheduled on an event loop
        // that closing Vert.x shuts down, and never run (the exit then waited the whole 10 s).
        try {
          s.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
          // closing Vert.x anyway
        }
        try {
          vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
          // exiting anyway
        }
        stopped.countDown();
      }, "asynqueue-server-shutdown"));
      PrintWriter out = spec.commandLine().getOut();
      out.println(LISTENING + host + ":" + actual);
      out.flush();
      stopped.await();
      return 0;
    }

    private static <T> T await(io.vertx.core.Future<T> future) throws Exception {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    private static String rootMessage(Throwable e) {
      Throwable t = e;
      while (t.getCause() != null && t.getCause() != t) {
        t = t.getCause();
      }
      return t.getMessage() != null ? t.getMessage() : t.toString();
    }

    private static void warnIfReadableByOthers(Path file, PrintWriter err) {
      try {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
          err.println("warning: " + file + " is readable by other users; chmod 600 it");
          err.flush();
        }
      } catch (UnsupportedOperationException | java.io.IOException ignored) {
        // not a POSIX file system, or unreadable: reading it reports the problem
      }
    }
  }
}
