package io.asynqueue.remote;

import static io.asynqueue.remote.internal.Checks.positive;

import io.asynqueue.remote.server.WorkerServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Options of a {@link RemoteWorker}: where its server is, how it proves who it is, and how it behaves when the
 * connection drops.
 *
 * <p><b>Authentication.</b> Set the server's {@linkplain #setSecret(String) secret}, or TLS with a client
 * certificate through {@link #setNetClientOptions(NetClientOptions)} ({@code setSsl(true)}, a
 * {@code PemTrustOptions} of the server's certificate or CA, a {@code PemKeyCertOptions} of the client's), or both.
 * With a secret the worker also checks that the server holds it, so it never talks to an impostor.
 *
 * <p><b>Reconnection.</b> When the connection drops, the calls in flight fail with
 * {@link io.asynqueue.WorkerLostException} (the queue retries those whose call allows it) and the worker stops
 * taking jobs (the queue's other workers take them; nothing queued is lost). It reconnects after
 * {@linkplain #setReconnectDelay(Duration) a delay} that doubles up to {@linkplain #setMaxReconnectDelay(Duration) a
 * maximum}, and takes jobs again once reconnected. After {@linkplain #setReconnectAttempts(int) N} failed attempts
 * in a row it resigns from its queue. The first connection follows the same rule: the worker's attach fails after N
 * failed attempts.
 *
 * <p>{@link #toJson()} leaves out the secret.
 */
public class RemoteWorkerOptions {

  /** The server's host by default. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** The server's port by default. */
  public static final int DEFAULT_PORT = WorkerServerOptions.DEFAULT_PORT;
  /** Elements of a remote iterator fetched ahead at most. */
  public static final int DEFAULT_PREFETCH = 1024;
  /** Bytes of a remote iterator's elements fetched ahead at most (about). */
  public static final int DEFAULT_PREFETCH_BYTES = 4 << 20;
  /** Time to connect and complete the handshake. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  /** Failed connection attempts in a row before giving up. */
  public static final int DEFAULT_RECONNECT_ATTEMPTS = 10;
  /** The first delay before reconnecting. */
  public static final Duration DEFAULT_RECONNECT_DELAY = Duration.ofMillis(100);
  /** The longest delay between attempts. */
  public static final Duration DEFAULT_MAX_RECONNECT_DELAY = Duration.ofSeconds(5);
  /** How often a heartbeat goes to the server; three missed answers close the connection. */
  public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(5);

  private String host = DEFAULT_HOST;
  private int port = DEFAULT_PORT;
  private String secret;
  private int maxInFlight;
  private int prefetch = DEFAULT_PREFETCH;
  private int prefetchBytes = DEFAULT_PREFETCH_BYTES;
  private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
  private int reconnectAttempts = DEFAULT_RECONNECT_ATTEMPTS;
  private Duration reconnectDelay = DEFAULT_RECONNECT_DELAY;
  private Duration maxReconnectDelay = DEFAULT_MAX_RECONNECT_DELAY;
  private Duration heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;
  private Set<String> series = new LinkedHashSet<>();
  private NetClientOptions netClientOptions = new NetClientOptions();

  /** Default options. */
  public RemoteWorkerOptions() {
  }

  /**
   * A copy.
   *
   * @param other the options to copy
   */
  public RemoteWorkerOptions(RemoteWorkerOptions other) {
    host = other.host;
    port = other.port;
    secret = other.secret;
    maxInFlight = other.maxInFlight;
    prefetch = other.prefetch;
    prefetchBytes = other.prefetchBytes;
    connectTimeout = other.connectTimeout;
    reconnectAttempts = other.reconnectAttempts;
    reconnectDelay = other.reconnectDelay;
    maxReconnectDelay = other.maxReconnectDelay;
    heartbeatInterval = other.heartbeatInterval;
    series = new LinkedHashSet<>(other.series);
    netClientOptions = new NetClientOptions(other.netClientOptions);
  }

  /**
   * From JSON: the fields of {@link #toJson()}, plus {@code secret}.
   *
   * @param json the JSON
   */
  public RemoteWorkerOptions(JsonObject json) {
    this();
    setHost(json.getString("host", host));
    setPort(json.getInteger("port", port));
    if (json.getString("secret") != null) {
      setSecret(json.getString("secret"));
    }
    setMaxInFlight(json.getInteger("maxInFlight", maxInFlight));
    setPrefetch(json.getInteger("prefetch", prefetch));
    setPrefetchBytes(json.getInteger("prefetchBytes", prefetchBytes));
    setConnectTimeout(Duration.ofMillis(json.getLong("connectTimeoutMillis", connectTimeout.toMillis())));
    setReconnectAttempts(json.getInteger("reconnectAttempts", reconnectAttempts));
    setReconnectDelay(Duration.ofMillis(json.getLong("reconnectDelayMillis", reconnectDelay.toMillis())));
    setMaxReconnectDelay(Duration.ofMillis(json.getLong("maxReconnectDelayMillis", maxReconnectDelay.toMillis())));
    setHeartbeatInterval(Duration.ofMillis(json.getLong("heartbeatIntervalMillis", heartbeatInterval.toMillis())));
    json.getJsonArray("series", new JsonArray()).forEach(s -> series.add((String) s));
    if (json.getJsonObject("netClientOptions") != null) {
      setNetClientOptions(new NetClientOptions(json.getJsonObject("netClientOptions")));
    }
  }

  /** @return these options as JSON, without the secret */
  public JsonObject toJson() {
    return new JsonObject().put("host", host).put("port", port).put("maxInFlight", maxInFlight)
        .put("prefetch", prefetch).put("prefetchBytes", prefetchBytes)
        .put("connectTimeoutMillis", connectTimeout.toMillis()).put("reconnectAttempts", reconnectAttempts)
        .put("reconnectDelayMillis", reconnectDelay.toMillis())
        .put("maxReconnectDelayMillis", maxReconnectDelay.toMillis())
        .put("heartbeatIntervalMillis", heartbeatInterval.toMillis())
        .put("series", new JsonArray(new java.util.ArrayList<>(series)))
        .put("netClientOptions", netClientOptions.toJson());
  }

  /** @return the server's host */
  public String getHost() {
    return host;
  }

  /**
   * @param host the server's host name or address
   * @return a reference to this, so the API can be used fluently
   */
  public RemoteWorkerOptions setHost(String host) {
    this.host = Objects.requireNonNull(host, "host");
    return this;
  }

  /** @return the server's port */
  public int getPort() {
    return port;
  }

  /**
   * @param port the server's port
   * @return a reference to this, so the API can be used fluently
   */
  public RemoteWorkerOptions setPort(int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1..65535, was " + port);
    }
    this.port = port;
    return this;
  }

  /** @return the shared secret, or {@code null} */
  public String getSecret() {
    return secret;
  }

  /**
   * @param secret the server's secret (never sent: the worker proves it holds it, and checks that the server
   *     does); {@code null} to rely on TLS client certificates alone
   * @return a reference to this, so the API can be used fluently
   */
  public RemoteWorkerOptions setSecret(String secret) {
    if (secret != null && secret.getBytes(StandardCharsets.UTF_8).length < WorkerServerOptions.MIN_SECRET_BYTES) {
      throw new IllegalArgumentException("the secret must be at least " + WorkerServerOptions.MIN_SECRET_BYTES
          + " bytes long");
    }
    this.secret = secret;
    return this;
  }

  /** @return the jobs to take from the queue at once; 0 for what the server advertises */
  public int getMaxInFlight() {
    return maxInFlight;
  }

  /**
   * @param maxInFlight how many jobs to take from the queue at once (the worker's capacity), at most what the
   *     server advertises; 0 (default) for what it advertises
   * @return a reference to this, so the API can be used fluently
   */
  public RemoteWorkerOptions setMaxInFlight(int maxInFlight) {
    if (maxInFlight < 0) {
      throw new IllegalArgumentException("maxInFlight must be >= 0, was " + maxInFlight);
    }
    this.maxInFlight = maxInFlight;
    return this;
  }

  /** @return how many elements of a remote iterator are fetched ahead at most */
  public int getPrefetch() {
    return prefetch;
  }

  /**
   * @param prefetch how many elements of a remote iterator the worker lets the server send ahead of the consumer
   *     (its credit); a consumer that stops taking elements stops the server's iterator after this many
   * @return a reference to this, so the API can be used fluently
   */
  public RemoteWorkerOptions setPrefetch(int prefetch) {
    if (prefetch < 1) {
      throw new IllegalArgumentException("prefetch must be >= 1, was " + prefetch);
    }
    this.prefetch = prefetch;
    return this;
  }

  /** @return about how many bytes of a remote iterator's elements are fetched ahead at most */
  public int getPrefetchBytes() {
    return prefetchBytes;
  }

  /**
   * @param prefetchBytes about how many bytes of elements the server may send ahead of the consumer (it may go
   *     over by one element)
   * @return a reference to this, so the API can be used fluently
   */
  public RemoteWorkerOptions setPrefetchBytes(int prefetchBytes) {
    if (prefetchBytes < 1024) {
      throw new IllegalArgumentException("prefetchBytes must be >= 1024, was " + prefetchBytes);
    }
    this.prefetchBytes = prefetchBytes;
    return this;
  }

  /** @return the time allowed to connect and complete the handshake */
  public Duration getConnectTimeout() {
    return connectTimeout;
  }

  /**
   * @param connectTimeout the time allowed to connect and complete the handshake
   * @return a reference to this, so the API can be used fluently
   */
  public RemoteWorkerOptions setConnectTimeout(Duration connectTimeout) {
    this.connectTimeout = positive(connectTimeout, "connectTimeout");
    return this;
  }

  /** @return failed connection attempts in a row before the worker gives up */
  public int getReconnectAttempts() {
    return reconnectAttempts;
  }

  /**
   * @param reconnectAttempts failed connection attempts in a row before the worker gives up (resigns, or fails its
   *     attach), at least 1
   * @return a reference to this, so the API can be used fluently
   */
  public RemoteWorkerOptions setReconnectAttempts(int reconnectAttempts) {
    if (reconnectAttempts < 1) {
      throw new IllegalArgumentException("reconnectAttempts must be >= 1, was " + reconnectAttempts);
    }
    this.reconnectAttempts = reconnectAttempts;
    return this;
  }

  /** @return the delay before the first reconnection attempt */
  public Duration getReconnectDelay() {
    return reconnectDelay;
  }

  /**
   * @param reconnectDelay the delay before the first reconnection attempt; it doubles with each failure
   * @return a reference to this, so the API can be used fluently
   */
  public RemoteWorkerOptions setReconnectDelay(Duration reconnectDelay) {
    this.reconnectDelay = positive(reconnectDelay, "reconnectDelay");
    return this;
  }

  /** @return the longest delay between reconnection attempts */
  public Duration getMaxReconnectDelay() {
    return maxReconnectDelay;
  }

  /**
   * @param maxReconnectDelay the longest delay between reconnection attempts
   * @return a reference to this, so the API can be used fluently
   */
  public RemoteWorkerOptions setMaxReconnectDelay(Duration maxReconnectDelay) {
    this.maxReconnectDelay = positive(maxReconnectDelay, "maxReconnectDelay");
    return this;
  }

  /** @return how often a heartbeat goes to the server */
  public Duration getHeartbeatInterval() {
    return heartbeatInterval;
  }

  /**
   * @param heartbeatInterval how often a heartbeat goes to the server; a server silent for three intervals is
   *     taken for lost. Keep it well under the server's idle timeout
   * @return a reference to this, so the API can be used fluently
   */
  public RemoteWorkerOptions setHeartbeatInterval(Duration heartbeatInterval) {
    this.heartbeatInterval = positive(heartbeatInterval, "heartbeatInterval");
    return this;
  }

  /** @return the series the worker serves besides the default one; empty for all */
  public Set<String> getSeries() {
    return series;
  }

  /**
   * @param series the series the worker serves besides the default one; empty (default) for all
   * @return a reference to this, so the API can be used fluently
   */
  public RemoteWorkerOptions setSeries(Set<String> series) {
    this.series = new LinkedHashSet<>(series);
    return this;
  }

  /** @return the Vert.x options of the connection (TLS, buffers) */
  public NetClientOptions getNetClientOptions() {
    return netClientOptions;
  }

  /**
   * @param netClientOptions the Vert.x options of the connection: TLS (trusted server certificates, the client's
   *     certificate and key, hostname verification), buffer sizes
   * @return a reference to this, so the API can be used fluently
   */
  public RemoteWorkerOptions setNetClientOptions(NetClientOptions netClientOptions) {
    this.netClientOptions = Objects.requireNonNull(netClientOptions, "netClientOptions");
    return this;
  }
}
