package io.asynqueue.remote.cli;

import io.asynqueue.remote.cluster.ClusterQueue;
import io.asynqueue.remote.server.WorkerServer;
import io.asynqueue.remote.server.WorkerServerOptions;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The command line of the remote module: {@code serve} runs a {@link WorkerServer}, {@code secret} prints a new
 * random secret.
 *
 * <pre>
 * mkdir -p ~/.asynqueue &amp;&amp; java -jar asynqueue-remote.jar secret &gt; ~/.asynqueue/secret &amp;&amp; chmod 600 ~/.asynqueue/secret
 * java -jar asynqueue-remote.jar serve --port 1978 --secret-file ~/.asynqueue/secret --service com.example.Tasks \
 *      --classpath tasks.jar
 * </pre>
 *
 * <p>Exit codes: 0 on success (and for {@code --help}, {@code --version}), 1 when the server cannot start (the port
 * is taken, the cluster cannot be joined, the service's constructor throws), 2 for bad arguments. Errors are one
 * line on standard error that names the command, never a stack trace (see {@link CommandErrors}).
 */
@Command(
    name = "asynqueue-remote",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    synopsisSubcommandLabel = "COMMAND",
    description = "AsynQueue remote workers: runs a WorkerServer that RemoteWorkers on other hosts send calls to.",
    subcommands = {HelpCommand.class, Main.Serve.class, Main.NewSecret.class},
    footer = {
      "",
      "Examples:",
      "  mkdir -p ~/.asynqueue",
      "  java -jar asynqueue-remote.jar secret > ~/.asynqueue/secret",
      "  chmod 600 ~/.asynqueue/secret        (then copy it to the clients' hosts)",
      "  java -jar asynqueue-remote.jar serve --secret-file ~/.asynqueue/secret \\",
      "      --service com.example.Tasks --classpath tasks.jar",
      "",
      "Exit codes: 0 done, 1 the server could not start, 2 bad arguments."
    })
public final class Main implements Callable<Integer> {

  /** The line a server prints on standard output once it listens; {@code ServerManager} waits for it. */
  public static final String LISTENING = "AsynQueue WorkerServer listening on ";

  @Spec
  CommandSpec spec;

  Main() {
  }

  /**
   * Runs the command and exits with its code when it fails (a {@code serve} runs until the JVM is stopped).
   *
   * @param args the arguments
   */
  public static void main(String[] args) {
    ClusterArgs.quietHazelcast();
    int code = run(args);
    System.out.flush();
    System.err.flush();
    if (code != 0) {
      // at once: a lingering non-daemon thread (Vert.x) would otherwise hold the JVM
      System.exit(code);
    }
  }

  /**
   * Runs the command in this JVM, on {@code System.out} and {@code System.err}.
   *
   * @param args the arguments
   * @return the exit code
   */
  public static int run(String... args) {
    CommandLine cmd = new CommandLine(new Main());
    cmd.setOut(new PrintWriter(System.out, true));
    cmd.setErr(new PrintWriter(System.err, true));
    return CommandErrors.install(cmd).execute(args);
  }

  @Override
  public Integer call() {
    CommandLine cmd = spec.commandLine();
    cmd.getErr().println("asynqueue-remote: name a command, such as 'asynqueue-remote serve'");
    cmd.usage(cmd.getErr());
    return CommandErrors.EXIT_USAGE;
  }

  /** {@code secret}: prints 32 random bytes, base64url, for a secret file. */
  @Command(name = "secret", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
      description = "Prints a new random secret (32 bytes, base64url) for --secret-file.")
  static final class NewSecret implements Callable<Integer> {
    @Spec
    CommandSpec spec;

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
  @Command(
      name = "serve",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      sortOptions = false,
      description = {
        "Runs a WorkerServer until stopped.",
        "RemoteWorkers call the public methods of the --service object by name, and send instances of the "
            + "--allow-task classes. Clients must prove they hold the shared secret (--secret-file), or present a "
            + "TLS client certificate (--tls-cert, --tls-key, --client-ca). It listens on 127.0.0.1 unless told "
            + "otherwise.",
        "With --cluster it joins a Vert.x cluster and offers itself in a pool, where ClusterQueues find it."
      },
      footer = {
        "",
        "Examples:",
        "  java -jar asynqueue-remote.jar serve --secret-file ~/.asynqueue/secret \\",
        "      --service com.example.Tasks --classpath tasks.jar \\",
        "      --host 0.0.0.0 --port 1978",
        "  java -jar asynqueue-remote.jar serve --secret-file ~/.asynqueue/secret \\",
        "      --service com.example.Tasks --pool render-pool \\",
        "      --cluster 10.0.0.7:5701,10.0.0.8:5701 --cluster-host 10.0.0.7 \\",
        "      --host 10.0.0.7",
        "",
        "Stops on SIGTERM or Ctrl-C, letting the calls it holds finish (10 s at most).",
        "Exit codes: 1 cannot listen, join the cluster or make the service;",
        "2 bad arguments."
      })
  static final class Serve implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--host", paramLabel = "address",
        description = "Interface to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for every one).")
    String host = WorkerServerOptions.DEFAULT_HOST;

    @Option(names = "--port", paramLabel = "port", converter = PortConverter.class,
        description = "Port (default: " + WorkerServerOptions.DEFAULT_PORT
            + ", or any free one with --cluster; 0 for any free one).")
    Integer port;

    @Option(names = "--secret-file", paramLabel = "file",
        description = "File holding the shared secret (its first line, at least "
            + WorkerServerOptions.MIN_SECRET_BYTES + " bytes; make one with 'secret').")
    Path secretFile;

    @Option(names = "--service", paramLabel = "class", description = "Class of the service object: a public class "
        + "with a public no-arg constructor; its public methods are callable by name.")
    String service;

    @Option(names = "--classpath", paramLabel = "path", split = ":",
        description = "Jars or directories holding the service and task classes.")
    List<Path> classpath = new ArrayList<>();

    @Option(names = "--allow-task", paramLabel = "class",
        description = "A task class clients may send instances of (repeatable).")
    List<String> taskClasses = new ArrayList<>();

    @Option(names = "--data-class", paramLabel = "class",
        description = "A class allowed on the wire as data (repeatable).")
    List<String> dataClasses = new ArrayList<>();

    @Option(names = "--concurrency", paramLabel = "N",
        description = "Calls run at once (default: one per core, ${DEFAULT-VALUE} here).")
    int concurrency = Runtime.getRuntime().availableProcessors();

    @Option(names = "--max-in-flight", paramLabel = "N",
        description = "Calls one client may have in flight (default: 4 per thread).")
    int maxInFlight;

    @Option(names = "--max-frame-bytes", paramLabel = "bytes",
        description = "Largest call accepted, in bytes (default: ${DEFAULT-VALUE}).")
    int maxFrameBytes = WorkerServerOptions.DEFAULT_MAX_FRAME_BYTES;

    @Option(names = "--max-connections", paramLabel = "N",
        description = "Connections held at once, authenticated or not (default: ${DEFAULT-VALUE}).")
    int maxConnections = WorkerServerOptions.DEFAULT_MAX_CONNECTIONS;

    @Option(names = "--max-startups", paramLabel = "start:rate:full", description = "Connections still in their "
        + "handshake: from start on, refuse new ones with rate %% chance, rising to all at full, as sshd's "
        + "MaxStartups (default: ${DEFAULT-VALUE}).")
    String maxStartups = WorkerServerOptions.DEFAULT_MAX_STARTUPS;

    @Option(names = "--tls-cert", paramLabel = "file",
        description = "PEM certificate (chain) of the server: turns TLS on.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "file",
        description = "PEM private key (PKCS#8 or PKCS#1) of the server.")
    Path tlsKey;

    @Option(names = "--client-ca", paramLabel = "file", description = "PEM certificate of a trusted client, or of "
        + "their CA (repeatable): clients must present one.")
    List<Path> clientCa = new ArrayList<>();

    @Mixin
    ClusterArgs cluster = new ClusterArgs();

    @Override
    public Integer call() throws Exception {
      PrintWriter err = spec.commandLine().getErr();
      // Every argument is checked before anything starts: a bad one is a usage error, not a half-started server.
      if (concurrency < 1) {
        throw usage("--concurrency must be at least 1, not " + concurrency);
      }
      if (maxInFlight < 0) {
        throw usage("--max-in-flight must be 0 (the default) or more, not " + maxInFlight);
      }
      if (maxFrameBytes < 1024) {
        throw usage("--max-frame-bytes must be at least 1024, not " + maxFrameBytes);
      }
      if (maxConnections < 1) {
        throw usage("--max-connections must be at least 1, not " + maxConnections);
      }
      try {
        new WorkerServerOptions().setMaxStartups(maxStartups);
      } catch (IllegalArgumentException e) {
        throw usage("--max-startups: " + e.getMessage());
      }
      if ((tlsCert == null) != (tlsKey == null)) {
        throw usage("--tls-cert and --tls-key go together");
      }
      if (tlsCert == null && !clientCa.isEmpty()) {
        throw usage("--client-ca needs TLS: give --tls-cert and --tls-key too");
      }
      if (secretFile == null && clientCa.isEmpty()) {
        throw usage("give --secret-file, or TLS client certificates (--tls-cert, --tls-key and --client-ca): "
            + "a server without either would run anyone's calls");
      }
      if (service == null && taskClasses.isEmpty()) {
        throw usage("nothing to serve: give --service, or --allow-task");
      }
      String secret = secretFile != null ? readSecret(secretFile, err) : null;
      requireFile("--tls-cert", tlsCert);
      requireFile("--tls-key", tlsKey);
      for (Path ca : clientCa) {
        requireFile("--client-ca", ca);
      }
      if (cluster.enabled()) {
        try {
          cluster.options(false);
        } catch (IllegalArgumentException e) {
          throw usage(e.getMessage());
        }
      }

      ClassLoader loader = Main.class.getClassLoader();
      if (!classpath.isEmpty()) {
        List<URL> urls = new ArrayList<>();
        for (Path p : classpath) {
          if (!Files.exists(p)) {
            throw usage("--classpath: no such file or directory: " + p);
          }
          urls.add(p.toUri().toURL());
        }
        loader = new URLClassLoader(urls.toArray(new URL[0]), loader);
      }
      Thread.currentThread().setContextClassLoader(loader);
      for (String name : taskClasses) {
        load("--allow-task", name, loader);
      }
      for (String name : dataClasses) {
        load("--data-class", name, loader);
      }
      Object serviceObject = service != null ? newService(loader) : null;

      WorkerServerOptions options = new WorkerServerOptions().setHost(host)
          .setPort(port != null ? port : cluster.enabled() ? 0 : WorkerServerOptions.DEFAULT_PORT)
          .setConcurrency(concurrency).setMaxInFlight(maxInFlight).setMaxFrameBytes(maxFrameBytes)
          .setMaxConnections(maxConnections).setMaxStartups(maxStartups).setSecret(secret);
      if (tlsCert != null) {
        NetServerOptions net = new NetServerOptions().setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
            .setCertPath(tlsCert.toString()).setKeyPath(tlsKey.toString()));
        if (!clientCa.isEmpty()) {
          PemTrustOptions trust = new PemTrustOptions();
          clientCa.forEach(p -> trust.addCertPath(p.toString()));
          net.setClientAuth(ClientAuth.REQUIRED).setTrustOptions(trust);
        }
        options.setNetServerOptions(net);
      }
      taskClasses.forEach(options::addTaskClass);
      dataClasses.forEach(options::addDataClass);

      Vertx vertx;
      try {
        vertx = cluster.enabled() ? await(cluster.start(false)) : Vertx.vertx();
      } catch (Exception e) {
        return failed("cannot join the cluster through " + cluster.options(false).getMembers() + ": "
            + rootMessage(e));
      }
      WorkerServer server;
      int actual;
      try {
        server = WorkerServer.create(vertx, serviceObject, options);
        actual = await(cluster.enabled() ? ClusterQueue.join(server, cluster.pool()) : server.listen());
      } catch (Exception e) {
        vertx.close();
        return failed("cannot " + (cluster.enabled() ? "join the pool '" + cluster.pool() + "'" : "listen on "
            + host + ":" + options.getPort()) + ": " + rootMessage(e));
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

    /** The secret: the file's first line, stripped; every problem with it named by {@code --secret-file}. */
    private String readSecret(Path file, PrintWriter err) {
      String text;
      try {
        text = Files.readString(file, StandardCharsets.UTF_8);
      } catch (NoSuchFileException e) {
        throw usage("--secret-file: no such file: " + file + "; make one with 'asynqueue-remote secret > " + file
            + "' and chmod 600 it");
      } catch (AccessDeniedException e) {
        throw usage("--secret-file: cannot read " + file + ": permission denied");
      } catch (IOException e) {
        throw usage("--secret-file: cannot read " + file + ": " + CommandErrors.describe(e));
      }
      String secret = text.lines().findFirst().orElse("").strip();
      int bytes = secret.getBytes(StandardCharsets.UTF_8).length;
      if (bytes == 0) {
        throw usage("--secret-file: " + file + " is empty; make a secret with 'asynqueue-remote secret'");
      }
      if (bytes < WorkerServerOptions.MIN_SECRET_BYTES) {
        throw usage("--secret-file: the secret in " + file + " is too short (" + bytes + " bytes, at least "
            + WorkerServerOptions.MIN_SECRET_BYTES + "); make one with 'asynqueue-remote secret'");
      }
      warnIfReadableByOthers(file, err);
      return secret;
    }

    private void warnIfReadableByOthers(Path file, PrintWriter err) {
      try {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
          err.println(spec.qualifiedName() + ": warning: --secret-file " + file
              + " is readable by other users; chmod 600 it");
          err.flush();
        }
      } catch (UnsupportedOperationException | IOException ignored) {
        // not a POSIX file system: nothing to say
      }
    }

    private void requireFile(String option, Path file) {
      if (file != null && !Files.isRegularFile(file)) {
        throw usage(option + ": no such file: " + file);
      }
    }

    private Class<?> load(String option, String name, ClassLoader loader) {
      try {
        return Class.forName(name, false, loader);
      } catch (ClassNotFoundException e) {
        throw usage(option + ": no class '" + name + "' on the class path"
            + (classpath.isEmpty() ? " (give its jar with --classpath)" : " or in --classpath"));
      } catch (LinkageError e) {
        throw new IllegalStateException("cannot load " + name + " (" + option + "): " + e);
      }
    }

    /** The service object; a failing constructor is a failed start (exit code 1), not a usage error. */
    private Object newService(ClassLoader loader) {
      Class<?> type = load("--service", service, loader);
      if (!Modifier.isPublic(type.getModifiers()) || Modifier.isAbstract(type.getModifiers())) {
        throw usage("--service: " + service + " must be a public, concrete class");
      }
      Constructor<?> constructor;
      try {
        constructor = type.getConstructor();
      } catch (NoSuchMethodException e) {
        throw usage("--service: " + service + " has no public no-arg constructor");
      }
      try {
        return constructor.newInstance();
      } catch (InvocationTargetException e) {
        throw new IllegalStateException("cannot make the service " + service + ": " + e.getCause());
      } catch (ReflectiveOperationException | LinkageError e) {
        throw new IllegalStateException("cannot make the service " + service + ": " + e);
      }
    }

    private ParameterException usage(String message) {
      return new ParameterException(spec.commandLine(), message);
    }

    private int failed(String message) {
      PrintWriter err = spec.commandLine().getErr();
      err.println(spec.qualifiedName() + ": " + CommandErrors.oneLine(message));
      err.flush();
      return CommandErrors.EXIT_FAILURE;
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
  }
}
