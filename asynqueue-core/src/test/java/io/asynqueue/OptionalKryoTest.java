package io.asynqueue;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Kryo is an optional dependency of asynqueue-core, needed only by the process and remote workers (which
 * declare it), and so is Micrometer, needed only when a queue is given a registry: an application that runs its
 * tasks on threads works with neither on its class path.
 */
@Timeout(60)
final class OptionalKryoTest {

  @Test
  void threadQueue_withoutKryoOrMicrometerOnTheClassPath_callsIteratesFailsAndShutsDown() throws Exception {
    String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !entry.contains("kryo") && !entry.contains("minlog") && !entry.contains("reflectasm")
            && !entry.contains("objenesis") && !entry.contains("micrometer") && !entry.contains("HdrHistogram")
            && !entry.contains("LatencyUtils"))
        .collect(Collectors.joining(File.pathSeparator));
    String java = ProcessHandle.current().info().command().orElse("java");
    Process child = new ProcessBuilder(java, "-Xmx128m", "-cp", classPath, WithoutKryo.class.getName())
        .redirectErrorStream(true).start();
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(out.lines()).contains("kryo: absent", "micrometer: absent", "call: 42", "iterate: [1, 2, 3]",
        "failure: java.lang.IllegalStateException", "done");
    assertThat(child.exitValue()).as(out).isZero();
  }
}
