package io.asynqueue.remote.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hazelcast is an optional dependency: a JVM without it runs remote workers as ever, and the cluster entry points
 * say what is missing instead of throwing {@code NoClassDefFoundError}.
 */
@Timeout(60)
final class OptionalHazelcastTest {

  @Test
  void withoutHazelcast_remoteWorkersRun_andTheClusterSaysWhatIsMissing() throws Exception {
    String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !entry.contains("hazelcast"))
        .collect(Collectors.joining(File.pathSeparator));
    String java = ProcessHandle.current().info().command().orElse("java");
    Process child = new ProcessBuilder(java, "-Xmx128m", "-cp", classPath, WithoutHazelcast.class.getName())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    List<String> lines = out.lines().toList();
    assertThat(lines).contains("hazelcast: absent", "remote call: 3");
    assertThat(lines).anySatisfy(l -> assertThat(l)
        .startsWith("joinCluster: java.lang.IllegalStateException").contains("io.vertx:vertx-hazelcast"));
    assertThat(lines).anySatisfy(l -> assertThat(l)
        .startsWith("ClusterQueue: java.lang.IllegalStateException").contains("io.vertx:vertx-hazelcast"));
    assertThat(child.exitValue()).isZero();
  }
}
