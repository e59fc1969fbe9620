package io.asynqueue.remote.server;

import static io.asynqueue.remote.internal.Checks.positive;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServerOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Options of a {@link WorkerServer}.
 *
 * <p><b>Security.</b> A server refuses to start unless clients must authenticate: give it a
 * {@linkplain #setSecret(String) shared secret}, or TLS with required client certificates through
 * {@link #setNetServerOptions(NetServerOptions)} ({@code setSsl(true)}, a {@code PemKeyCertOptions},
 * {@code setClientAuth(ClientAuth.REQUIRED)} and a {@code PemTrustOptions} of the client certificates or their CA),
 * or both. It listens on 127.0.0.1 unless told otherwise. The secret authenticates both ends; it does not encrypt
 * the traffic: across an untrusted network use TLS as well.
 *
 * <p><b>What runs.</b> Methods of the service object given to {@link WorkerServer#create}, by name, and instances of
 * the {@linkplain #addTaskClass(String) task classes} listed here. Only the built-in types (boxed primitives,
 * strings, arrays, JDK collections, BigInteger, BigDecimal, UUID) and the classes listed here (task and
 * {@linkplain #addDataClass(String) data} classes) can be decoded from the wire.
 *
 * <p><b>Limits.</b> A server takes at most {@linkplain #setMaxConnections(int) 1000 connections}, and sheds
 * connections that have not authenticated yet as OpenSSH's {@code MaxStartups} does
 * ({@linkplain #setMaxStartups(String) 10:30:100}). An address that fails
 * {@linkplain #setMaxAuthFailures(int) 5 proofs} is refused for a {@linkplain #setAuthFailureBlock(Duration) second},
 * twice as long after each further failure. A connection refused by these limits is closed at once, before its
 * handshake.
 *
 * <p>{@link #toJson()} leaves out the secret.
 */
public class WorkerServerOptions {

  /** Listen on the loopback interface only. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** The original AsynQueue's port. */
  public static final int DEFAULT_PORT = 1978;
  /** The largest frame accepted from a client: 16 MiB. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 16 << 20;
  /** A client must complete the handshake within 5 seconds. */
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);
  /** A connection silent this long is closed (clients send a heartbeat every few seconds). */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
  /** Whether methods that ran briefly last time run on the event loop: yes. */
  public static final boolean DEFAULT_INLINE_FAST_CALLS = true;
  /** The most connections a server holds at once, as Redis' {@code maxclients} (lowered to fit the file limit). */
  public static final int DEFAULT_MAX_CONNECTIONS = 1000;
  /** Unauthenticated connections: as OpenSSH's {@code MaxStartups} default. */
  public static final String DEFAULT_MAX_STARTUPS = "10:30:100";
  /** Failed proofs from one address before it is refused for a while. */
  public static final int DEFAULT_MAX_AUTH_FAILURES = 5;
  /** How long an address is first refused after too many failed proofs. */
  public static final Duration DEFAULT_AUTH_FAILURE_BLOCK = Duration.ofSeconds(1);
  /** The shortest secret accepted, in bytes. */
  public static final int MIN_SECRET_BYTES = 16;

  private String host = DEFAULT_HOST;
  private int port = DEFAULT_PORT;
  private String secret;
  private int concurrency = Runtime.getRuntime().availableProcessors();
  private int maxInFlight;
  private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
  private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
  private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
  private List<String> taskClasses = new ArrayList<>();
  private List<String> dataClasses = new ArrayList<>();
  private NetServerOptions netServerOptions = new NetServerOptions();
  private boolean inlineFastCalls = DEFAULT_INLINE_FAST_CALLS;
  private int maxConnections = DEFAULT_MAX_CONNECTIONS;
  private int startupsBegin = 10;
  private int startupsRate = 30;
  private int startupsFull = 100;
  private int maxAuthFailures = DEFAULT_MAX_AUTH_FAILURES;
  private Duration authFailureBlock = DEFAULT_AUTH_FAILURE_BLOCK;

  /** Default options (which do not start: set a secret or TLS client authentication). */
  public WorkerServerOptions() {
  }

  /**
   * A copy.
   *
   * @param other the options to copy
   */
  public WorkerServerOptions(WorkerServerOptions other) {
    host = other.host;
    port = other.port;
    secret = other.secret;
    concurrency = other.concurrency;
    maxInFlight = other.maxInFlight;
    maxFrameBytes = other.maxFrameBytes;
    handshakeTimeout = other.handshakeTimeout;
    idleTimeout = other.idleTimeout;
    taskClasses = new ArrayList<>(other.taskClasses);
    dataClasses = new ArrayList<>(other.dataClasses);
    netServerOptions = new NetServerOptions(other.netServerOptions);
    inlineFastCalls = other.inlineFastCalls;
    maxConnections = other.maxConnections;
    startupsBegin = other.startupsBegin;
    startupsRate = other.startupsRate;
    startupsFull = other.startupsFull;
    maxAuthFailures = other.maxAuthFailures;
    authFailureBlock = other.authFailureBlock;
  }

  /**
   * From JSON: the fields of {@link #toJson()}, plus {@code secret}.
   *
   * @param json the JSON
   */
  public WorkerServerOptions(JsonObject json) {
    this();
    setHost(json.getString("host", host));
    setPort(json.getInteger("port", port));
    if (json.getString("secret") != null) {
      setSecret(json.getString("secret"));
    }
    setConcurrency(json.getInteger("concurrency", concurrency));
    setMaxInFlight(json.getInteger("maxInFlight", maxInFlight));
    setMaxFrameBytes(json.getInteger("maxFrameBytes", maxFrameBytes));
    setHandshakeTimeout(Duration.ofMillis(json.getLong("handshakeTimeoutMillis", handshakeTimeout.toMillis())));
    setIdleTimeout(Duration.ofMillis(json.getLong("idleTimeoutMillis", idleTimeout.toMillis())));
    json.getJsonArray("taskClasses", new JsonArray()).forEach(c -> addTaskClass((String) c));
    json.getJsonArray("dataClasses", new JsonArray()).forEach(c -> addDataClass((String) c));
    setInlineFastCalls(json.getBoolean("inlineFastCalls", inlineFastCalls));
    setMaxConnections(json.getInteger("maxConnections", maxConnections));
    setMaxStartups(json.getString("maxStartups", getMaxStartups()));
    setMaxAuthFailures(json.getInteger("maxAuthFailures", maxAuthFailures));
    setAuthFailureBlock(Duration.ofMillis(json.getLong("authFailureBlockMillis", authFailureBlock.toMillis())));
    if (json.getJsonObject("netServerOptions") != null) {
      setNetServerOptions(new NetServerOptions(json.getJsonObject("netServerOptions")));
    }
  }

  /** @return these options as JSON, without the secret */
  public JsonObject toJson() {
    return new JsonObject().put("host", host).put("port", port).put("concurrency", concurrency)
        .put("maxInFlight", maxInFlight).put("maxFrameBytes", maxFrameBytes)
        .put("handshakeTimeoutMillis", handshakeTimeout.toMillis()).put("idleTimeoutMillis", idleTimeout.toMillis())
        .put("taskClasses", new JsonArray(new ArrayList<>(taskClasses)))
        .put("dataClasses", new JsonArray(new ArrayList<>(dataClasses)))
        .put("inlineFastCalls", inlineFastCalls).put("maxConnections", maxConnections)
        .put("maxStartups", getMaxStartups()).put("maxAuthFailures", maxAuthFailures)
        .put("authFailureBlockMillis", authFailureBlock.toMillis()).put("netServerOptions", netServerOptions.toJson());
  }

  /** @return the interface to listen on */
  public String getHost() {
    return host;
  }

  /**
   * @param host the interface to listen on: {@code 0.0.0.0} for all (default {@value #DEFAULT_HOST})
   * @return a reference to this, so the API can be used fluently
   */
  public WorkerServerOptions setHost(String host) {
    this.host = Objects.requireNonNull(host, "host");
    return this;
  }

  /** @return the port */
  public int getPort() {
    return port;
  }

  /**
   * @param port the port, 0 for any free one (see {@link WorkerServer#actualPort()}); default {@value #DEFAULT_PORT}
   * @return a reference to this, so the API can be used fluently
   */
  public WorkerServerOptions setPort(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, was " + port);
    }
    this.port = port;
    return this;
  }

  /** @return the shared secret, or {@code null} */
  public String getSecret() {
    return secret;
  }

  /**
   * @param secret the secret clients must prove they hold (its UTF-8 bytes are the HMAC key), at least
   *     {@value #MIN_SECRET_BYTES} bytes; {@code null} for none (then TLS client certificates are required)
   * @return a reference to this, so the API can be used fluently
   */
  public WorkerServerOptions setSecret(String secret) {
    if (secret != null && secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException("the secret must be at least " + MIN_SECRET_BYTES + " bytes long");
    }
    this.secret = secret;
    return this;
  }

  /** @return how many calls run at once, on the server's threads */
  public int getConcurrency() {
    return concurrency;
  }

  /**
   * @param concurrency how many calls run at once (the server's threads, shared by all connections; default the
   *     number of processors); advertised to clients, whose queues keep it busy
   * @return a reference to this, so the API can be used fluently
   */
  public WorkerServerOptions setConcurrency(int concurrency) {
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be >= 1, was " + concurrency);
    }
    this.concurrency = concurrency;
    return this;
  }

  /** @return how many calls one connection may have in flight; 0 for four per thread (at least 8) */
  public int getMaxInFlight() {
    return maxInFlight;
  }

  /** @return the effective in-flight limit per connection */
  public int effectiveMaxInFlight() {
    return maxInFlight > 0 ? maxInFlight : Math.max(8, 4 * concurrency);
  }

  /**
   * @param maxInFlight how many calls one connection may have in flight (waiting or running); advertised to the
   *     client, which takes that many jobs from its queue; the server stops reading a connection beyond it.
   *     0 (default) for four per thread, at least 8
   * @return a reference to this, so the API can be used fluently
   */
  public WorkerServerOptions setMaxInFlight(int maxInFlight) {
    if (maxInFlight < 0) {
      throw new IllegalArgumentException("maxInFlight must be >= 0, was " + maxInFlight);
    }
    this.maxInFlight = maxInFlight;
    return this;
  }

  /** @return the largest frame accepted from a client */
  public int getMaxFrameBytes() {
    return maxFrameBytes;
  }

  /**
   * @param maxFrameBytes the largest frame accepted from a client (a call with its arguments); a longer one closes
   *     the connection before any of it is buffered. Replies are not limited: they go in fragments
   * @return a reference to this, so the API can be used fluently
   */
  public WorkerServerOptions setMaxFrameBytes(int maxFrameBytes) {
    if (maxFrameBytes < 1024) {
      throw new IllegalArgumentException("maxFrameBytes must be >= 1024, was " + maxFrameBytes);
    }
    this.maxFrameBytes = maxFrameBytes;
    return this;
  }

  /** @return how long a client has to complete the handshake */
  public Duration getHandshakeTimeout() {
    return handshakeTimeout;
  }

  /**
   * @param handshakeTimeout how long a client has to complete the handshake before it is dropped
   * @return a reference to this, so the API can be used fluently
   */
  public WorkerServerOptions setHandshakeTimeout(Duration handshakeTimeout) {
    this.handshakeTimeout = positive(handshakeTimeout, "handshakeTimeout");
    return this;
  }

  /** @return how long a connection may stay silent */
  public Duration getIdleTimeout() {
    return idleTimeout;
  }

  /**
   * @param idleTimeout how long a connection may stay silent before it is closed (clients send heartbeats)
   * @return a reference to this, so the API can be used fluently
   */
  public WorkerServerOptions setIdleTimeout(Duration idleTimeout) {
    this.idleTimeout = positive(idleTimeout, "idleTimeout");
    return this;
  }

  /** @return the task classes clients may send instances of, to run */
  public List<String> getTaskClasses() {
    return taskClasses;
  }

  /**
   * Allows a task class: clients may send instances of it (a {@link io.asynqueue.Task} implementation, such as a
   * record), and the serializable lambdas and method references written in it, to run on the server.
   *
   * @param className its fully qualified name, loadable by the server
   * @return a reference to this, so the API can be used fluently
   */
  public WorkerServerOptions addTaskClass(String className) {
    taskClasses.add(Objects.requireNonNull(className, "className"));
    return this;
  }

  /**
   * @param type a task class; see {@link #addTaskClass(String)}
   * @return a reference to this, so the API can be used fluently
   */
  public WorkerServerOptions addTaskClass(Class<?> type) {
    return addTaskClass(type.getName());
  }

  /** @return the data classes allowed on the wire (arguments, results, elements) */
  public List<String> getDataClasses() {
    return dataClasses;
  }

  /**
   * Allows a data class on the wire, as an argument, a result or an element, but not as a task.
   *
   * @param className its fully qualified name, loadable by the server
   * @return a reference to this, so the API can be used fluently
   */
  public WorkerServerOptions addDataClass(String className) {
    dataClasses.add(Objects.requireNonNull(className, "className"));
    return this;
  }

  /**
   * @param type a data class; see {@link #addDataClass(String)}
   * @return a reference to this, so the API can be used fluently
   */
  public WorkerServerOptions addDataClass(Class<?> type) {
    return addDataClass(type.getName());
  }

  /** @return the Vert.x options of the listening socket (TLS, buffers); their host and port are not used */
  public NetServerOptions getNetServerOptions() {
    return netServerOptions;
  }

  /**
   * @param netServerOptions the Vert.x options of the listening socket: TLS (certificate, client authentication,
   *     trusted client certificates), buffer sizes. Their host and port are ignored: see {@link #setHost} and
   *     {@link #setPort}
   * @return a reference to this, so the API can be used fluently
   */
  public WorkerServerOptions setNetServerOptions(NetServerOptions netServerOptions) {
    this.netServerOptions = Objects.requireNonNull(netServerOptions, "netServerOptions");
    return this;
  }

  /** @return whether methods that ran briefly last time run on the event loop */
  public boolean isInlineFastCalls() {
    return inlineFastCalls;
  }

  /**
   * Whether a call of a method that ran in under 50 µs last time runs on the connection's event loop instead of a
   * server thread (within the same concurrency limit), saving the two thread hops that otherwise cost about as
   * much as the network round trip. A method that then runs long goes back to the threads from its next call;
   * while it runs, it holds up the other connections of that event loop. Turn it off for methods that are
   * usually quick but may block for long. Default {@value #DEFAULT_INLINE_FAST_CALLS}.
   *
   * @param inlineFastCalls whether to
   * @return a reference to this, so the API can be used fluently
   */
  public WorkerServerOptions setInlineFastCalls(boolean inlineFastCalls) {
    this.inlineFastCalls = inlineFastCalls;
    return this;
  }

  /** @return the most connections held at once, authenticated or not */
  public int getMaxConnections() {
    return maxConnections;
  }

  /**
   * The most connections the server holds at once, authenticated or not, as Redis' {@code maxclients}: beyond it,
   * a new connection is closed as soon as it is accepted. Lowered, with a warning, when the process may not open
   * that many files (its file limit less 64). Default {@value #DEFAULT_MAX_CONNECTIONS}.
   *
   * @param maxConnections at least 1
   * @return a reference to this, so the API can be used fluently
   */
  public WorkerServerOptions setMaxConnections(int maxConnections) {
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be >= 1, was " + maxConnections);
    }
    this.maxConnections = maxConnections;
    return this;
  }

  /** @return the caps of unauthenticated connections, as {@code start:rate:full} */
  public String getMaxStartups() {
    return startupsBegin + ":" + startupsRate + ":" + startupsFull;
  }

  /** @return from how many unauthenticated connections new ones are refused at random */
  public int getStartupsBegin() {
    return startupsBegin;
  }

  /** @return the chance, in percent, that a new connection is refused at {@link #getStartupsBegin()} */
  public int getStartupsRate() {
    return startupsRate;
  }

  /** @return from how many unauthenticated connections every new one is refused */
  public int getStartupsFull() {
    return startupsFull;
  }

  /**
   * Caps the connections that have not completed their handshake, as OpenSSH's {@code MaxStartups}
   * {@code start:rate:full}: from {@code start} of them on, a new connection is refused with a chance of
   * {@code rate} percent, rising linearly to 100 % at {@code full}. A refused connection is closed as soon as it is
   * accepted, before any handshake work. Default {@value #DEFAULT_MAX_STARTUPS}.
   *
   * @param start from this many unauthenticated connections, refuse some, at least 1
   * @param rate the chance of refusal then, 0 to 100 percent
   * @param full from this many, refuse all; at least {@code start}
   * @return a reference to this, so the API can be used fluently
   */
  public WorkerServerOptions setMaxStartups(int start, int rate, int full) {
    if (start < 1 || rate < 0 || rate > 100 || full < start) {
      throw new IllegalArgumentException("maxStartups must be start:rate:full with 1 <= start <= full and rate 0 to "
          + "100, was " + start + ":" + rate + ":" + full);
    }
    this.startupsBegin = start;
    this.startupsRate = rate;
    this.startupsFull = full;
    return this;
  }

  /**
   * As {@link #setMaxStartups(int, int, int)}, from its text form: {@code start:rate:full}, or one number for a hard
   * cap ({@code 50} is {@code 50:100:50}).
   *
   * @param spec {@code start:rate:full} or {@code full}
   * @return a reference to this, so the API can be used fluently
   */
  public WorkerServerOptions setMaxStartups(String spec) {
    String[] parts = Objects.requireNonNull(spec, "maxStartups").trim().split(":", -1);
    try {
      if (parts.length == 1) {
        int full = Integer.parseInt(parts[0]);
        return setMaxStartups(full, 100, full);
      }
      if (parts.length == 3) {
        return setMaxStartups(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new IllegalArgumentException("maxStartups must be start:rate:full (such as " + DEFAULT_MAX_STARTUPS
        + ") or one number, was '" + spec + "'");
  }

  /** @return the failed proofs one address may make before its new connections are refused for a while */
  public int getMaxAuthFailures() {
    return maxAuthFailures;
  }

  /**
   * Throttles guessing: after this many failed proofs from one address, its new connections are refused at once for
   * the {@linkplain #setAuthFailureBlock(Duration) block time}, twice as long after each further failure (up to 64
   * times as long). A proof that succeeds clears the address. Default {@value #DEFAULT_MAX_AUTH_FAILURES}.
   *
   * @param maxAuthFailures at least 1; 0 turns the throttle off
   * @return a reference to this, so the API can be used fluently
   */
  public WorkerServerOptions setMaxAuthFailures(int maxAuthFailures) {
    if (maxAuthFailures < 0) {
      throw new IllegalArgumentException("maxAuthFailures must be >= 0, was " + maxAuthFailures);
    }
    this.maxAuthFailures = maxAuthFailures;
    return this;
  }

  /** @return how long an address is first refused after too many failed proofs */
  public Duration getAuthFailureBlock() {
    return authFailureBlock;
  }

  /**
   * @param authFailureBlock how long an address is first refused after {@linkplain #setMaxAuthFailures too many
   *     failed proofs}; default 1 second
   * @return a reference to this, so the API can be used fluently
   */
  public WorkerServerOptions setAuthFailureBlock(Duration authFailureBlock) {
    this.authFailureBlock = positive(authFailureBlock, "authFailureBlock");
    return this;
  }
}
