package io.asynqueue.remote.cluster;

import static io.asynqueue.remote.Servers.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.asynqueue.remote.RemoteWorkerOptions;
import io.asynqueue.remote.Servers;
import io.asynqueue.remote.Tasks;
import io.asynqueue.remote.server.WorkerServer;
import io.vertx.core.Vertx;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/** The cluster configuration's safe defaults, and the errors of misuse. */
final class AsynQueueClusterTest {

  /** A class outside java.* and io.vertx.*: what a deserialization gadget would be. */
  static final class Gadget implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  @Test
  void theConfiguration_bindsToOneInterface_andFindsMembersOnlyWhereTold() {
    Config config = AsynQueueCluster.hazelcastConfig(new ClusterOptions().setHost("localhost").setPort(6000)
        .setMembers(List.of("127.0.0.1:6000", "127.0.0.2")).setClusterName("render"));
    assertThat(config.getClusterName()).isEqualTo("render");
    assertThat(config.getNetworkConfig().getInterfaces().isEnabled()).isTrue();
    assertThat(config.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("127.0.0.1");
    assertThat(config.getProperty("hazelcast.socket.bind.any")).isEqualTo("false");
    assertThat(config.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
    assertThat(config.getMetricsConfig().isEnabled()).isFalse();
    assertThat(config.getNetworkConfig().getPort()).isEqualTo(6000);
    JoinConfig join = config.getNetworkConfig().getJoin();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.isAutoDetectionEnabled()).isFalse();
    assertThat(join.getAwsConfig().isEnabled()).isFalse();
    assertThat(join.getKubernetesConfig().isEnabled()).isFalse();
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).containsExactly("127.0.0.1:6000", "127.0.0.2");
    assertThat(config.getSerializationConfig().getJavaSerializationFilterConfig().getWhitelist().getPrefixes())
        .containsExactlyInAnyOrder("java.", "io.vertx.");
  }

  @Test
  void badOptions_areRefusedAtOnce() {
    assertThatThrownBy(() -> new ClusterOptions().setHost("0.0.0.0")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("one interface");
    assertThatThrownBy(() -> new ClusterOptions().setPort(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ClusterOptions().setHeartbeatTimeout(Duration.ofMillis(500)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ClusterOptions().setMembers(List.of(" "))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AsynQueueCluster.hazelcastConfig(new ClusterOptions().setHost("no-such-host.invalid")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no-such-host.invalid");
  }

  @Test
  void aVertxThatIsNotClustered_isRefused_withAClearError() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      ClusterQueueOptions options = new ClusterQueueOptions()
          .setWorkerOptions(new RemoteWorkerOptions().setSecret(Servers.SECRET));
      assertThatThrownBy(() -> ClusterQueue.create(vertx, "pool", options))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("buildClustered");
      WorkerServer server = WorkerServer.create(vertx, new Tasks(), Servers.serverOptions());
      assertThatThrownBy(() -> ClusterQueue.join(server, "pool")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not clustered");
      assertThatThrownBy(() -> ClusterQueue.create(vertx, "pool", new ClusterQueueOptions()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("secret");
    } finally {
      await(vertx.close());
    }
  }

  @Test
  void members_decodeJavaSerializedObjectsOfJdkClassesOnly() {
    ClusterOptions options = new ClusterOptions().setClusterName("filter-" + UUID.randomUUID())
        .setPort(21000 + ThreadLocalRandom.current().nextInt(20000)).setJoinWait(Duration.ZERO);
    HazelcastInstance hz = Hazelcast.newHazelcastInstance(AsynQueueCluster.hazelcastConfig(options));
    try {
      IMap<String, Object> map = hz.getMap("filter-test");
      map.put("list", new ArrayList<>(List.of(1, 2, 3)));
      assertThat(map.get("list")).isEqualTo(List.of(1, 2, 3));
      map.put("gadget", new Gadget());
      assertThatThrownBy(() -> map.get("gadget")).hasRootCauseInstanceOf(SecurityException.class)
          .hasStackTraceContaining(Gadget.class.getName());
    } finally {
      hz.shutdown();
    }
  }
}
